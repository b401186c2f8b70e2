/*
 * xs_reader_test: the xenstore socket's message reassembly
 * (sim/xenstored/xs_reader.c): a byte stream split anyhow becomes whole
 * messages, one at a time; a length over XENSTORE_PAYLOAD_MAX is refused as
 * soon as the header is in.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "sim/xenstored/xs_reader.h"

static size_t put_msg(char *buf, uint32_t type, uint32_t req_id, const char *payload,
		      uint32_t len)
{
	struct xsd_sockmsg h = { .type = type, .req_id = req_id, .len = len };

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), payload, len);
	return sizeof(h) + len;
}

/* Feeds n bytes in pieces of step; counts whole messages, checks each. */
static int feed(struct xs_reader *r, const char *p, size_t n, size_t step, uint32_t *ids)
{
	int whole_count = 0;

	for (size_t off = 0; off < n;) {
		size_t piece = n - off < step ? n - off : step;
		while (piece > 0) {
			bool whole;
			long took = xs_reader_take(r, p + off, piece, &whole);

			assert_true(took > 0 && (size_t)took <= piece);
			off += (size_t)took;
			piece -= (size_t)took;
			if (whole)
				ids[whole_count++] = r->hdr.req_id;
		}
	}
	return whole_count;
}

static void test_message_split_at_every_byte_is_whole_exactly_once(void **state)
{
	char buf[256];
	size_t n = put_msg(buf, XS_READ, 7, "/local/domain/1/name", 21);
	struct xs_reader r = { 0 };
	uint32_t ids[4];

	assert_int_equal(feed(&r, buf, n, 1, ids), 1);
	assert_int_equal(ids[0], 7);
	assert_int_equal(r.hdr.len, 21);
	assert_memory_equal(r.payload, "/local/domain/1/name", 21);
	assert_true(xs_reader_idle(&r));
}

static void test_messages_in_one_read_come_out_one_at_a_time(void **state)
{
	char buf[512];
	size_t n = put_msg(buf, XS_READ, 1, "a", 2);
	struct xs_reader r = { 0 };
	uint32_t ids[4];
	bool whole;
	long took;

	n += put_msg(buf + n, XS_WRITE, 2, "b\0v", 3);
	n += put_msg(buf + n, XS_RESET_WATCHES, 3, "", 0);
	took = xs_reader_take(&r, buf, n, &whole);
	assert_true(whole);
	assert_int_equal(took, sizeof(struct xsd_sockmsg) + 2);
	assert_int_equal(r.hdr.req_id, 1);
	assert_int_equal(feed(&r, buf + took, n - (size_t)took, n, ids), 2);
	assert_int_equal(ids[0], 2);
	assert_int_equal(ids[1], 3);
}

static void test_length_over_payload_max_is_refused_once_the_header_is_in(void **state)
{
	struct xsd_sockmsg h = { .type = XS_READ, .len = XENSTORE_PAYLOAD_MAX + 1 };
	struct xs_reader r = { 0 };
	bool whole;

	assert_int_equal(xs_reader_take(&r, (const char *)&h, sizeof(h) - 1, &whole),
			 sizeof(h) - 1);
	assert_false(whole);
	assert_int_equal(xs_reader_take(&r, (const char *)&h + sizeof(h) - 1, 1, &whole),
			 -EMSGSIZE);
}

static void test_payload_of_exactly_the_maximum_is_accepted(void **state)
{
	static char buf[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
	static char payload[XENSTORE_PAYLOAD_MAX];
	struct xs_reader r = { 0 };
	uint32_t ids[2];

	memset(payload, 'x', sizeof(payload));
	size_t n = put_msg(buf, XS_WRITE, 9, payload, XENSTORE_PAYLOAD_MAX);
	assert_int_equal(feed(&r, buf, n, 1000, ids), 1);
	assert_int_equal(ids[0], 9);
}

static void test_idle_only_between_messages(void **state)
{
	char buf[64];
	size_t n = put_msg(buf, XS_READ, 1, "abc", 4);
	struct xs_reader r = { 0 };
	bool whole;

	assert_true(xs_reader_idle(&r));
	xs_reader_take(&r, buf, 5, &whole);
	assert_false(xs_reader_idle(&r)); /* half a header */
	xs_reader_take(&r, buf + 5, sizeof(struct xsd_sockmsg) - 5 + 1, &whole);
	assert_false(xs_reader_idle(&r)); /* header and part of the payload */
	xs_reader_take(&r, buf + sizeof(struct xsd_sockmsg) + 1, n - sizeof(struct xsd_sockmsg) - 1,
		       &whole);
	assert_true(whole);
	assert_true(xs_reader_idle(&r));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_message_split_at_every_byte_is_whole_exactly_once),
		cmocka_unit_test(test_messages_in_one_read_come_out_one_at_a_time),
		cmocka_unit_test(test_length_over_payload_max_is_refused_once_the_header_is_in),
		cmocka_unit_test(test_payload_of_exactly_the_maximum_is_accepted),
		cmocka_unit_test(test_idle_only_between_messages),
	};

	return cmocka_run_group_tests_name("xs_reader", tests, NULL, NULL);
}
