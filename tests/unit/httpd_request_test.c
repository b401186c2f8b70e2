/* examples/httpd's request-head parser: what it accepts and the status of what it refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "http_request.h"

static int parse(const char *text, struct http_request *req)
{
	size_t head = http_head_len(text, strlen(text));

	assert_int_equal(head, strlen(text));
	return http_request_parse(text, head, req);
}

static void test_head_len_waits_for_the_empty_line(void **state)
{
	const char *t = "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /x";

	(void)state;
	assert_int_equal(http_head_len(t, 20), 0);
	assert_int_equal(http_head_len(t, strlen(t)), 27);
}

static void test_http11_get_keeps_the_connection_alive(void **state)
{
	struct http_request r;

	(void)state;
	assert_int_equal(parse("GET /bytes/5 HTTP/1.1\r\nHost: x\r\n\r\n", &r), 0);
	assert_int_equal(r.method, HTTP_GET);
	assert_string_equal(r.target, "/bytes/5");
	assert_true(r.keep_alive);
	assert_int_equal(r.body_len, 0);
}

static void test_connection_close_and_http10_close(void **state)
{
	struct http_request r;

	(void)state;
	assert_int_equal(parse("GET / HTTP/1.1\r\nConnection: Upgrade, CLOSE\r\n\r\n", &r), 0);
	assert_false(r.keep_alive);
	assert_int_equal(parse("GET / HTTP/1.0\r\n\r\n", &r), 0);
	assert_false(r.keep_alive);
	assert_int_equal(parse("GET / HTTP/1.0\r\nconnection:keep-alive \r\n\r\n", &r), 0);
	assert_true(r.keep_alive);
}

static void test_post_reads_content_length_and_expect(void **state)
{
	struct http_request r;

	(void)state;
	assert_int_equal(parse("POST /sha256 HTTP/1.1\r\ncontent-LENGTH:  104857600\r\n"
			       "Expect: 100-continue\r\n\r\n", &r), 0);
	assert_int_equal(r.method, HTTP_POST);
	assert_int_equal(r.body_len, 104857600);
	assert_true(r.expect_continue);
}

static void test_bad_content_lengths_are_400(void **state)
{
	struct http_request r;

	(void)state;
	assert_int_equal(parse("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", &r), 400);
	assert_int_equal(parse("POST / HTTP/1.1\r\nContent-Length: 12a\r\n\r\n", &r), 400);
	assert_int_equal(parse("POST / HTTP/1.1\r\nContent-Length: 1234567890123456789\r\n\r\n", &r), 400);
	assert_int_equal(parse("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", &r),
			 400);
	assert_int_equal(parse("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n", &r), 0);
}

static void test_malformed_heads_are_400(void **state)
{
	struct http_request r;

	(void)state;
	assert_int_equal(parse("GET /\r\n\r\n", &r), 400);
	assert_int_equal(parse("GET  / HTTP/1.1\r\n\r\n", &r), 400);
	assert_int_equal(parse("GET / HTTP/1.1\r\nNoColon\r\n\r\n", &r), 400);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost : x\r\n\r\n", &r), 400);
	assert_int_equal(parse("GET / HTTP/1.1\nHost: x\r\n\r\n", &r), 400);
	assert_int_equal(parse("GET / HTTP/1.1x\r\n\r\n", &r), 400);
	assert_int_equal(parse("\r\n\r\n", &r), 400);
}

static void test_refused_versions_targets_and_encodings(void **state)
{
	static char big[HTTP_TARGET_MAX + 64];
	struct http_request r;

	(void)state;
	assert_int_equal(parse("GET / HTTP/2.0\r\n\r\n", &r), 505);
	assert_int_equal(parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", &r), 501);
	strcpy(big, "GET /");
	memset(big + 5, 'x', HTTP_TARGET_MAX);
	strcpy(big + 5 + HTTP_TARGET_MAX, " HTTP/1.1\r\n\r\n");
	assert_int_equal(parse(big, &r), 414);
}

static void test_methods_are_case_sensitive(void **state)
{
	struct http_request r;

	(void)state;
	assert_int_equal(parse("get / HTTP/1.1\r\n\r\n", &r), 0);
	assert_int_equal(r.method, HTTP_OTHER);
	assert_int_equal(parse("HEAD / HTTP/1.1\r\n\r\n", &r), 0);
	assert_int_equal(r.method, HTTP_HEAD);
	assert_int_equal(parse("DELETE / HTTP/1.1\r\n\r\n", &r), 0);
	assert_int_equal(r.method, HTTP_OTHER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_head_len_waits_for_the_empty_line),
		cmocka_unit_test(test_http11_get_keeps_the_connection_alive),
		cmocka_unit_test(test_connection_close_and_http10_close),
		cmocka_unit_test(test_post_reads_content_length_and_expect),
		cmocka_unit_test(test_bad_content_lengths_are_400),
		cmocka_unit_test(test_malformed_heads_are_400),
		cmocka_unit_test(test_refused_versions_targets_and_encodings),
		cmocka_unit_test(test_methods_are_case_sensitive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
