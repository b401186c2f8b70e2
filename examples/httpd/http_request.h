/*
 * Parsing one HTTP/1.1 request head (RFC 9112 sections 3 and 5): the
 * request line and the header fields up to the empty line. Pure: no I/O,
 * no allocation, so a host unit test runs it as the guest does.
 */
#ifndef HTTPD_HTTP_REQUEST_H
#define HTTPD_HTTP_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest request head (request line and header fields) httpd accepts. */
#define HTTP_HEAD_MAX 8192
/* Longest request target. */
#define HTTP_TARGET_MAX 1024

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_OTHER };

struct http_request {
	enum http_method method;
	char target[HTTP_TARGET_MAX + 1]; /* NUL-terminated, as sent (no decoding) */
	bool keep_alive;     /* HTTP/1.1 without "Connection: close", or 1.0 with keep-alive */
	uint64_t body_len;   /* Content-Length, 0 when absent */
	bool expect_continue; /* "Expect: 100-continue": the client waits for a 100 first */
};

/*
 * Returns the length of the request head at the start of buf (through the
 * empty line), 0 when buf holds no complete head yet.
 */
size_t http_head_len(const char *buf, size_t len);
/*
 * Parses a complete head of head_len bytes (http_head_len's answer) into
 * *req. Returns 0, or the status of the error response: 400 for a malformed
 * head (bad request line, bad or conflicting Content-Length, a field without
 * a colon), 414 for a target over HTTP_TARGET_MAX, 501 for a
 * Transfer-Encoding (httpd reads only Content-Length bodies), 505 for a
 * version other than HTTP/1.x.
 */
int http_request_parse(const char *buf, size_t head_len, struct http_request *req);

#endif
