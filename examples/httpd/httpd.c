/*
 * httpd: an HTTP/1.1 server on port 80 (or port=N), one cooperative thread
 * per connection. Keep-alive and pipelining: a connection's requests are
 * read and answered one after the other, so pipelined answers come in order.
 *
 *   GET /               a small HTML page
 *   GET /bytes/N        N bytes of a fixed pattern (the 64 characters
 *                       A-Z a-z 0-9 + / repeated), for transfer tests
 *   POST /sha256        the SHA-256 of the request body, in hex and a newline
 *   POST /discard       reads the body and drops it; answers its length (for
 *                       the receive benchmark, without hashing's cost)
 *   GET /xenstore/PATH  the value of the xenstore node PATH, relative to the
 *                       domain's home (/xenstore/name, /xenstore/device/vif/0/mac)
 *   GET /stats          counters, one "name value" a line: connections open
 *                       and accepted, requests, guest pages free and in use,
 *                       TCP bytes received straight into a waiting reader,
 *                       heap bytes in use last (for the SYN flood test and the bench)
 *   HEAD                as GET without the body
 * Anything else is 404 (no such resource), 405 (a resource with another
 * method), or 400/414/431/501/505 for requests it will not read (a
 * malformed head, a target over 1 KiB, a head over 8 KiB, a chunked body,
 * HTTP/2 and later); those close the connection.
 *
 * Options (after the network's ip=/gw=): port=N, idle=SECONDS (a keep-alive
 * connection with no request for that long is closed; default 60, 0 never),
 * max=N (connections served at once; beyond it new ones are refused with a
 * RST; default 4000).
 *
 * Memory: each connection costs a 128 KiB thread stack, an 8 KiB request
 * buffer and the socket's buffers (2 KiB up to 128 KiB each way), so 1,000
 * connections want --mem 256 or more. A thread per connection keeps each
 * one a plain read-answer loop; the stacks are the price, and an idle
 * connection touches only the top of its stack.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/net.h>
#include <net/socket.h>
#include <net/tcp.h>
#include <uk.h>
#include <uk/alloc.h>
#include <uk/xenbus.h>

#include "http_request.h"
#include "sha256.h"

#define INIT_TIMEOUT_NS (30 * UK_NSEC_PER_SEC)
#define IO_TIMEOUT_NS (60 * UK_NSEC_PER_SEC)
/* How long an answer that closes the connection waits to read what the client still sends. */
#define LINGER_NS (2 * UK_NSEC_PER_SEC)
#define CHUNK 16384
#define BYTES_MAX (1ull << 40)
/*
 * A body is read in place (net_recv_borrow), up to this many pieces at a
 * time: with receive offloads, the 64 KiB segments that came while the
 * reader waited are lent in the vif's own pages, never copied in the guest.
 */
#define BODY_PIECES 64

struct httpd {
	uint64_t idle_ns;
	unsigned int max, open;
	uint64_t accepted, requests;
	uint8_t pattern[CHUNK];
};

struct conn {
	struct httpd *h;
	struct net_socket *s;
	size_t len;                 /* bytes of buf holding what was received and not yet used */
	char buf[HTTP_HEAD_MAX];
};

static const char index_page[] =
	"<!doctype html>\n<title>drydock httpd</title>\n"
	"<h1>Hello from a drydock unikernel</h1>\n"
	"<p>Try /bytes/N, POST /sha256, /xenstore/name.</p>\n";

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 501: return "Not Implemented";
	case 505: return "HTTP Version Not Supported";
	default: return "Internal Server Error";
	}
}

/* Sends all of buf, however many calls it takes. 0 or the error. */
static int send_all(struct net_socket *s, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		int n = net_send(s, p, len, uk_now_ns() + IO_TIMEOUT_NS);

		if (n < 0)
			return n;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Sends the status line and header fields, and body (body_len bytes, or
 * none) in the same call: one write, so Nagle never holds a small answer.
 */
static int respond(struct conn *c, int status, const char *type, uint64_t length,
		   const void *body, size_t body_len, bool keep)
{
	char head[256 + 512];
	int n = snprintf(head, 256,
			 "HTTP/1.1 %d %s\r\nServer: drydock-httpd\r\nContent-Type: %s\r\n"
			 "Content-Length: %" PRIu64 "\r\n%s\r\n",
			 status, reason(status), type, length, keep ? "" : "Connection: close\r\n");

	if (body_len <= sizeof(head) - (size_t)n) {
		if (body_len)
			memcpy(head + n, body, body_len);
		return send_all(c->s, head, (size_t)n + body_len);
	}
	int rc = send_all(c->s, head, (size_t)n);

	return rc < 0 ? rc : send_all(c->s, body, body_len);
}

static int respond_text(struct conn *c, int status, const char *text, bool head_only, bool keep)
{
	size_t len = strlen(text);

	return respond(c, status, "text/plain", len, text, head_only ? 0 : len, keep);
}

static int respond_error(struct conn *c, int status, bool keep)
{
	char text[64];

	snprintf(text, sizeof(text), "%d %s\n", status, reason(status));
	return respond_text(c, status, text, false, keep);
}

/* Takes n bytes off the front of the buffer (they were used). */
static void conn_consume(struct conn *c, size_t n)
{
	memmove(c->buf, c->buf + n, c->len - n);
	c->len -= n;
}

/*
 * Borrows the next received bytes in place, hands those of the body (at
 * most *len) to sha (when given) and returns them; what follows the body
 * (a pipelined request) stays lent, for the next net_recv to read.
 */
static int conn_borrow_body(struct conn *c, uint64_t *len, struct sha256 *sha)
{
	struct net_piece p[BODY_PIECES];
	int n = net_recv_borrow(c->s, p, BODY_PIECES, uk_now_ns() + IO_TIMEOUT_NS);
	size_t used = 0;

	if (n <= 0)
		return n ? n : -ECONNRESET; /* the body ended early */
	for (int i = 0; i < n && used < *len; i++) {
		size_t k = p[i].len < *len - used ? p[i].len : (size_t)(*len - used);

		if (sha)
			sha256_update(sha, p[i].data, k);
		used += k;
	}
	*len -= used;
	return net_recv_return(c->s, used);
}

/*
 * Reads the request body of len bytes, handing each piece to sha (when
 * given): first what is already buffered, then in place from the socket,
 * never past the body, so a pipelined request behind it stays unread.
 */
static int conn_read_body(struct conn *c, uint64_t len, struct sha256 *sha)
{
	while (len) {
		size_t n;

		if (!c->len) {
			int rc = conn_borrow_body(c, &len, sha);

			if (rc < 0)
				return rc;
			continue;
		}
		n = c->len < len ? c->len : (size_t)len;
		if (sha)
			sha256_update(sha, c->buf, n);
		conn_consume(c, n);
		len -= n;
	}
	return 0;
}

static int serve_bytes(struct conn *c, const char *arg, bool head_only, bool keep)
{
	char *end;
	uint64_t n = strtoull(arg, &end, 10);
	int rc;

	if (!*arg || *end || !isdigit((unsigned char)*arg) || n > BYTES_MAX)
		return respond_error(c, 404, keep);
	if ((rc = respond(c, 200, "application/octet-stream", n, NULL, 0, keep)) < 0 || head_only)
		return rc;
	/* Whole chunks of CHUNK bytes (a multiple of the pattern's 64), so each starts the pattern anew. */
	while (n) {
		size_t k = n < CHUNK ? (size_t)n : CHUNK;

		if ((rc = send_all(c->s, c->h->pattern, k)) < 0)
			return rc;
		n -= k;
	}
	return 0;
}

static int serve_sha256(struct conn *c, uint64_t body_len, bool keep)
{
	struct sha256 sha;
	uint8_t digest[SHA256_DIGEST_LEN];
	char hex[2 * SHA256_DIGEST_LEN + 2];
	int rc;

	sha256_init(&sha);
	if ((rc = conn_read_body(c, body_len, &sha)) < 0)
		return rc;
	sha256_final(&sha, digest);
	sha256_hex(digest, hex);
	hex[2 * SHA256_DIGEST_LEN] = '\n';
	hex[2 * SHA256_DIGEST_LEN + 1] = 0;
	return respond_text(c, 200, hex, false, keep);
}

static int serve_xenstore(struct conn *c, const char *path, bool head_only, bool keep)
{
	char *value;
	uint32_t len;
	int rc = *path ? xenbus_read(XBT_NIL, path, &value, &len) : -EINVAL;

	if (rc < 0)
		return respond_error(c, rc == -ENOENT ? 404 : rc == -EACCES ? 403 :
					rc == -EINVAL ? 400 : 500, keep);
	rc = respond(c, 200, "text/plain", len, value, head_only ? 0 : len, keep);
	uk_free(value);
	return rc;
}

static int serve_stats(struct conn *c, bool head_only, bool keep)
{
	struct uk_mem_stats m;
	struct tcp_stats t;
	char text[384];

	uk_mem_stats(&m);
	tcp_stats_get(&t);
	snprintf(text, sizeof(text),
		 "open %u\naccepted %" PRIu64 "\nrequests %" PRIu64 "\npages_free %zu\n"
		 "pages_used %zu\ntcp_rcv_direct_bytes %" PRIu64 "\ntcp_rcv_lent_bytes %" PRIu64
		 "\nheap_bytes %zu\n",
		 c->h->open, c->h->accepted, c->h->requests, m.pages_free,
		 m.pages_total - m.pages_free, t.rcv_direct_bytes, t.rcv_lent_bytes,
		 m.heap_bytes_used);
	return respond(c, 200, "text/plain", strlen(text), text, head_only ? 0 : strlen(text), keep);
}

/* Answers one parsed request; its body (if any) is still to be read. */
static int serve_request(struct conn *c, const struct http_request *req)
{
	bool get = req->method == HTTP_GET || req->method == HTTP_HEAD;
	bool head_only = req->method == HTTP_HEAD, keep = req->keep_alive;
	const char *t = req->target;
	int rc;

	c->h->requests++;
	/* curl waits a second for this before sending a large body (RFC 9110 10.1.1). */
	if (req->expect_continue && req->body_len &&
	    (rc = send_all(c->s, "HTTP/1.1 100 Continue\r\n\r\n", 25)) < 0)
		return rc;
	if (!strcmp(t, "/sha256") && req->method == HTTP_POST)
		return serve_sha256(c, req->body_len, keep);
	/* Every other answer comes after the body, read and dropped. */
	if ((rc = conn_read_body(c, req->body_len, NULL)) < 0)
		return rc;
	if (!strcmp(t, "/discard") && req->method == HTTP_POST) {
		char text[32];

		snprintf(text, sizeof(text), "%" PRIu64 "\n", req->body_len);
		return respond_text(c, 200, text, false, keep);
	}
	if (!strcmp(t, "/sha256") || !strcmp(t, "/discard"))
		return respond_error(c, 405, keep);
	if (!strncmp(t, "/bytes/", 7) || !strncmp(t, "/xenstore/", 10) || !strcmp(t, "/") ||
	    !strcmp(t, "/stats")) {
		if (!get)
			return respond_error(c, 405, keep);
		if (!strcmp(t, "/stats"))
			return serve_stats(c, head_only, keep);
		if (!strcmp(t, "/"))
			return respond(c, 200, "text/html", sizeof(index_page) - 1, index_page,
				       head_only ? 0 : sizeof(index_page) - 1, keep);
		if (t[1] == 'b')
			return serve_bytes(c, t + 7, head_only, keep);
		return serve_xenstore(c, t + 10, head_only, keep);
	}
	return respond_error(c, 404, keep);
}

/*
 * Waits for a complete request head in the buffer. Its length, 0 at a clean
 * end (the client closed or went idle between requests), a negative errno,
 * or -EMSGSIZE when the head outgrows the buffer.
 */
static long conn_read_head(struct conn *c)
{
	size_t head;

	while (!(head = http_head_len(c->buf, c->len))) {
		uint64_t idle = c->h->idle_ns;
		int n;

		if (c->len == sizeof(c->buf))
			return -EMSGSIZE;
		n = net_recv(c->s, c->buf + c->len, sizeof(c->buf) - c->len,
			     c->len || !idle ? (c->len ? uk_now_ns() + IO_TIMEOUT_NS : 0)
					     : uk_now_ns() + idle);
		if (n == -ETIMEDOUT && !c->len)
			return 0;
		if (n <= 0)
			return n;
		c->len += (size_t)n;
	}
	return (long)head;
}

/* After an answer that closes: our FIN, then what the client still sends is read and dropped. */
static void conn_linger_close(struct conn *c)
{
	uint64_t until = uk_now_ns() + LINGER_NS;

	net_shutdown(c->s);
	while (net_recv(c->s, c->buf, sizeof(c->buf), until) > 0)
		;
	net_close(c->s);
}

static int conn_serve(void *arg)
{
	struct conn *c = arg;
	struct http_request req;
	int rc = 0;

	for (;;) {
		long head = conn_read_head(c);

		if (head <= 0) {
			if (head == -EMSGSIZE)
				respond_error(c, 431, false);
			rc = (int)head;
			break;
		}
		if ((rc = http_request_parse(c->buf, (size_t)head, &req))) {
			respond_error(c, rc, false);
			break;
		}
		conn_consume(c, (size_t)head);
		if ((rc = serve_request(c, &req)) < 0 || !req.keep_alive)
			break;
	}
	if (rc == -ECONNRESET || rc == -ETIMEDOUT || rc == -EPIPE)
		net_abort(c->s);
	else
		conn_linger_close(c);
	c->h->open--;
	uk_free(c);
	return 0;
}

static void httpd_accept_one(struct httpd *h, struct net_socket *s)
{
	struct conn *c = h->open < h->max ? uk_malloc(sizeof(*c)) : NULL;
	struct uk_thread *t = NULL;

	if (c) {
		c->h = h;
		c->s = s;
		c->len = 0;
		net_setsockopt(s, NET_OPT_NODELAY, 1);
		t = uk_thread_create("httpd-conn", conn_serve, c);
	}
	if (!t) {
		uk_free(c);
		net_abort(s); /* at the limit, or out of memory: refused, not queued forever */
		return;
	}
	h->open++;
	h->accepted++;
	uk_thread_detach(t);
}

int app_main(int argc, char **argv)
{
	static struct httpd h = { .idle_ns = 60 * UK_NSEC_PER_SEC, .max = 4000 };
	struct net_socket *l, *s;
	unsigned long port = 80;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "port=", 5))
			port = strtoul(argv[i] + 5, NULL, 10);
		else if (!strncmp(argv[i], "idle=", 5))
			h.idle_ns = strtoull(argv[i] + 5, NULL, 10) * UK_NSEC_PER_SEC;
		else if (!strncmp(argv[i], "max=", 4))
			h.max = (unsigned int)strtoul(argv[i] + 4, NULL, 10);
	}
	if (!port || port > 65535) {
		uk_printf("httpd: port=N takes 1..65535\n");
		return 1;
	}
	for (size_t i = 0; i < CHUNK; i++)
		h.pattern[i] = (uint8_t)"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[i % 64];
	if ((rc = net_init(argc, argv, uk_now_ns() + INIT_TIMEOUT_NS)) < 0) {
		uk_printf("httpd: no network: error %d (give the unikernel --vif ...)\n", rc);
		return 1;
	}
	if ((rc = net_socket(NET_SOCK_STREAM, &l)) < 0 || (rc = net_bind(l, IP4_ANY, (uint16_t)port)) < 0 ||
	    (rc = net_listen(l, 1024)) < 0) {
		uk_printf("httpd: cannot listen on port %lu: error %d\n", port, rc);
		return 1;
	}
	uk_printf("httpd: listening on TCP port %lu\n", port);
	while ((rc = net_accept(l, &s, 0)) == 0)
		httpd_accept_one(&h, s);
	uk_printf("httpd: accept failed: error %d\n", rc);
	return 1;
}
