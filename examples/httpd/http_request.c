/* An HTTP/1.1 request head into a struct http_request (RFC 9112 3, 5, 6.3, 9.3). */
#include <ctype.h>
#include <string.h>

#include "http_request.h"

size_t http_head_len(const char *buf, size_t len)
{
	for (size_t i = 3; i < len; i++)
		if (buf[i] == '\n' && buf[i - 1] == '\r' && buf[i - 2] == '\n' && buf[i - 3] == '\r')
			return i + 1;
	return 0;
}

/* Case-insensitive comparison of a field name or token of n bytes with a lowercase word. */
static bool token_is(const char *p, size_t n, const char *word)
{
	if (strlen(word) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (tolower((unsigned char)p[i]) != word[i])
			return false;
	return true;
}

/* Whether a comma-separated field value lists the token word (Connection: a, b). */
static bool value_lists(const char *v, size_t n, const char *word)
{
	size_t i = 0;

	while (i < n) {
		size_t start, end;

		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		start = i;
		while (i < n && v[i] != ',')
			i++;
		end = i;
		while (end > start && (v[end - 1] == ' ' || v[end - 1] == '\t'))
			end--;
		if (token_is(v + start, end - start, word))
			return true;
	}
	return false;
}

/* Content-Length: digits only, at most 18 of them (RFC 9110 8.6). */
static int parse_length(const char *v, size_t n, uint64_t *out)
{
	uint64_t x = 0;

	if (n == 0 || n > 18)
		return 400;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)v[i]))
			return 400;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	*out = x;
	return 0;
}

/* "METHOD SP target SP HTTP/1.x" of line_len bytes; sets *minor. */
static int parse_request_line(const char *p, size_t n, struct http_request *req, int *minor)
{
	const char *sp1 = memchr(p, ' ', n), *sp2;
	size_t tlen;

	if (!sp1 || sp1 == p)
		return 400;
	sp2 = memchr(sp1 + 1, ' ', n - (size_t)(sp1 + 1 - p));
	if (!sp2 || sp2 == sp1 + 1)
		return 400;
	req->method = token_is(p, (size_t)(sp1 - p), "get")    ? HTTP_GET
		      : token_is(p, (size_t)(sp1 - p), "head") ? HTTP_HEAD
		      : token_is(p, (size_t)(sp1 - p), "post") ? HTTP_POST
							       : HTTP_OTHER;
	/* Methods are case-sensitive: "get" is not GET. */
	if (req->method != HTTP_OTHER && memcmp(p, req->method == HTTP_GET ? "GET" :
						       req->method == HTTP_HEAD ? "HEAD" : "POST",
						(size_t)(sp1 - p)))
		req->method = HTTP_OTHER;
	tlen = (size_t)(sp2 - sp1 - 1);
	if (tlen > HTTP_TARGET_MAX)
		return 414;
	memcpy(req->target, sp1 + 1, tlen);
	req->target[tlen] = 0;
	for (size_t i = 0; i < tlen; i++)
		if ((unsigned char)req->target[i] <= ' ' || req->target[i] == 0x7f)
			return 400;
	n -= (size_t)(sp2 + 1 - p);
	p = sp2 + 1;
	if (n != 8 || memcmp(p, "HTTP/", 5) || p[6] != '.' || !isdigit((unsigned char)p[5]) ||
	    !isdigit((unsigned char)p[7]))
		return 400;
	if (p[5] != '1')
		return 505;
	*minor = p[7] - '0';
	return 0;
}

/* One "name: value" field line of n bytes. */
static int parse_field(const char *p, size_t n, struct http_request *req, bool *have_len,
		       bool *close, bool *keep)
{
	const char *colon = memchr(p, ':', n);
	size_t nlen, vlen;
	const char *v;

	/* No colon, an empty name, or whitespace before the colon (RFC 9112 5.1). */
	if (!colon || colon == p || colon[-1] == ' ' || colon[-1] == '\t' || *p == ' ' || *p == '\t')
		return 400;
	nlen = (size_t)(colon - p);
	v = colon + 1;
	vlen = n - nlen - 1;
	while (vlen && (*v == ' ' || *v == '\t'))
		v++, vlen--;
	while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;
	if (token_is(p, nlen, "content-length")) {
		uint64_t x;
		int rc = parse_length(v, vlen, &x);

		if (rc)
			return rc;
		if (*have_len && x != req->body_len)
			return 400;
		*have_len = true;
		req->body_len = x;
	} else if (token_is(p, nlen, "transfer-encoding")) {
		return 501;
	} else if (token_is(p, nlen, "expect")) {
		req->expect_continue = token_is(v, vlen, "100-continue");
	} else if (token_is(p, nlen, "connection")) {
		*close |= value_lists(v, vlen, "close");
		*keep |= value_lists(v, vlen, "keep-alive");
	}
	return 0;
}

int http_request_parse(const char *buf, size_t head_len, struct http_request *req)
{
	const char *p = buf, *end = buf + head_len - 2; /* the last CRLF ends the head */
	bool have_len = false, close = false, keep = false, first = true;
	int minor = 0;

	memset(req, 0, sizeof(*req));
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n;
		int rc;

		if (!eol || eol == p || eol[-1] != '\r')
			return 400; /* a bare LF, or a line not ended by CRLF */
		n = (size_t)(eol - 1 - p);
		if (memchr(p, 0, n))
			return 400;
		rc = first ? parse_request_line(p, n, req, &minor)
			   : parse_field(p, n, req, &have_len, &close, &keep);
		if (rc)
			return rc;
		first = false;
		p = eol + 1;
	}
	if (first)
		return 400;
	req->keep_alive = minor >= 1 ? !close : keep && !close;
	return 0;
}
