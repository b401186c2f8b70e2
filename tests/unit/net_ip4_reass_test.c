/*
 * IPv4 reassembly (net/ip4_reass.c): order, overlaps and duplicates,
 * timeout, and the bounds on datagrams and memory.
 *
 * Inside a guest, on the recording link of net_core_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "net_core_fixture.h"

const char uk_app_name[] = "net_ip4_reass_test";

static struct ip4_info frag_info(uint8_t *hdr)
{
	struct ip4_info ip = { .src = PEER_IP, .dst = OUR_IP, .proto = 99, .ttl = 64,
			       .header = hdr, .header_len = 20 };

	ip_build(hdr, PEER_IP, OUR_IP, 99, 1, 0x2000, pattern, 0);
	return ip;
}

/* Feeds fragment [off, off+len) of pattern; returns ip4_reass_input's result. */
static int frag(uint16_t id, size_t off, size_t len, bool more, uint8_t **out, size_t *out_len)
{
	uint8_t hdr[20];
	struct ip4_info ip = frag_info(hdr);

	return ip4_reass_input(nif, &ip, id, (uint16_t)off, more, pattern + off, len, out,
			       out_len);
}

static void assert_whole(uint8_t *out, size_t out_len, size_t expect)
{
	assert_int_equal(out_len, expect);
	assert_memory_equal(out, pattern, expect);
	uk_free(out);
}

static void test_reass_in_order(void **state)
{
	uint8_t *out = NULL;
	size_t out_len = 0;

	pattern_fill();
	assert_int_equal(frag(1, 0, 1480, true, &out, &out_len), 0);
	assert_int_equal(frag(1, 1480, 1480, true, &out, &out_len), 0);
	assert_int_equal(frag(1, 2960, 1000, false, &out, &out_len), 1);
	assert_whole(out, out_len, 3960);
	assert_int_equal(stats().ip_reassembled, 1);
}

static void test_reass_out_of_order(void **state)
{
	uint8_t *out = NULL;
	size_t out_len = 0;

	pattern_fill();
	assert_int_equal(frag(2, 2960, 1001, false, &out, &out_len), 0);
	assert_int_equal(frag(2, 8, 1472, true, &out, &out_len), 0);
	assert_int_equal(frag(2, 1480, 1480, true, &out, &out_len), 0);
	assert_int_equal(frag(2, 0, 8, true, &out, &out_len), 1);
	assert_whole(out, out_len, 3961);
}

static void test_reass_interleaves_datagrams_by_key(void **state)
{
	uint8_t *out = NULL;
	size_t out_len = 0;

	pattern_fill();
	assert_int_equal(frag(3, 0, 800, true, &out, &out_len), 0);
	assert_int_equal(frag(4, 800, 100, false, &out, &out_len), 0);
	assert_int_equal(frag(4, 0, 800, true, &out, &out_len), 1);
	assert_whole(out, out_len, 900);
	assert_int_equal(frag(3, 800, 10, false, &out, &out_len), 1);
	assert_whole(out, out_len, 810);
}

static void test_reass_overlap_drops_the_whole_datagram(void **state)
{
	uint8_t *out = NULL;
	size_t out_len = 0;

	pattern_fill();
	assert_int_equal(frag(5, 0, 1480, true, &out, &out_len), 0);
	assert_true(frag(5, 1472, 1000, false, &out, &out_len) < 0); /* 8 bytes overlap */
	assert_int_equal(stats().ip_frag_overlap, 1);
	/* What would have completed it starts a new datagram that stays incomplete. */
	assert_int_equal(frag(5, 1480, 992, false, &out, &out_len), 0);
	/* A last fragment that ends before data already received is an overlap too. */
	assert_int_equal(frag(6, 800, 800, true, &out, &out_len), 0);
	assert_true(frag(6, 0, 400, false, &out, &out_len) < 0);
	assert_int_equal(stats().ip_frag_overlap, 2);
	assert_int_equal(stats().ip_reassembled, 0);
}

static void test_reass_exact_duplicate_is_ignored(void **state)
{
	uint8_t *out = NULL;
	size_t out_len = 0;

	pattern_fill();
	assert_int_equal(frag(7, 0, 1480, true, &out, &out_len), 0);
	assert_int_equal(frag(7, 0, 1480, true, &out, &out_len), 0);
	assert_int_equal(frag(7, 1480, 20, false, &out, &out_len), 1);
	assert_whole(out, out_len, 1500);
	assert_int_equal(stats().ip_frag_overlap, 0);
}

static void test_reass_same_range_with_other_bytes_is_an_overlap(void **state)
{
	uint8_t hdr[20], other[16] = { 0 }, *out = NULL;
	size_t out_len = 0;
	struct ip4_info ip = frag_info(hdr);

	pattern_fill();
	assert_int_equal(frag(8, 0, 16, true, &out, &out_len), 0);
	assert_true(ip4_reass_input(nif, &ip, 8, 0, true, other, 16, &out, &out_len) < 0);
	assert_int_equal(stats().ip_frag_overlap, 1);
}

static void test_reass_times_out_after_30_seconds(void **state)
{
	uint8_t *out = NULL;
	size_t out_len = 0, len;
	const uint8_t *r;

	pattern_fill();
	peer_known();
	assert_int_equal(frag(9, 0, 1480, true, &out, &out_len), 0);
	uk_sleep_ns(29 * SEC);
	assert_int_equal(stats().ip_frag_timeout, 0);
	uk_sleep_ns(1 * SEC + 200 * MS);
	assert_int_equal(stats().ip_frag_timeout, 1);
	/* The first fragment had come: ICMP time exceeded, reassembly (11/1). */
	r = frame_ip(0, &len);
	assert_int_equal(r[20], 11);
	assert_int_equal(r[21], 1);
	assert_int_equal(len, 20 + 8 + 20 + 8);
	/* The rest arriving late starts afresh. */
	assert_int_equal(frag(9, 1480, 8, false, &out, &out_len), 0);
}

static void test_reass_bounds_datagrams_in_progress(void **state)
{
	uint8_t *out = NULL;
	size_t out_len = 0;

	pattern_fill();
	for (uint16_t id = 0; id < 16; id++)
		assert_int_equal(frag(100 + id, 0, 8, true, &out, &out_len), 0);
	assert_true(frag(200, 0, 8, true, &out, &out_len) < 0);
	assert_int_equal(stats().ip_frag_memory, 1);
	/* The ones in progress can still complete. */
	assert_int_equal(frag(100, 8, 8, false, &out, &out_len), 1);
	assert_whole(out, out_len, 16);
}

static void test_reass_bounds_memory(void **state)
{
	uint8_t *out = NULL;
	size_t out_len = 0;
	unsigned int kept = 0;

	pattern_fill();
	/* A fragment near the end takes a 64 KiB buffer: 256 KiB holds three. */
	for (uint16_t id = 0; id < 8; id++)
		if (frag(300 + id, 64000, 8, true, &out, &out_len) == 0)
			kept++;
	assert_int_equal(kept, 3);
	assert_int_equal(stats().ip_frag_memory, 5);
}

static void test_reass_datagram_beyond_65535_bytes_is_dropped(void **state)
{
	uint8_t *out = NULL;
	size_t out_len = 0;

	pattern_fill();
	assert_int_equal(frag(10, 0, 1480, true, &out, &out_len), 0);
	/* Offset 65528 (the largest) plus 16 bytes: the ping of death. */
	assert_true(frag(10, 65528, 16, false, &out, &out_len) < 0);
	assert_int_equal(stats().ip_bad_length, 1);
	/* The datagram went with it. */
	assert_int_equal(mem_now().heap_blocks, ready_blocks);
}

static void test_reass_rejects_a_non_last_fragment_not_a_multiple_of_8(void **state)
{
	uint8_t *out = NULL;
	size_t out_len = 0;

	pattern_fill();
	assert_true(frag(11, 0, 100, true, &out, &out_len) < 0);
	assert_true(frag(11, 0, 0, true, &out, &out_len) < 0);
	assert_int_equal(stats().ip_bad_length, 2);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_reass_in_order),
		T(test_reass_out_of_order),
		T(test_reass_interleaves_datagrams_by_key),
		T(test_reass_overlap_drops_the_whole_datagram),
		T(test_reass_exact_duplicate_is_ignored),
		T(test_reass_same_range_with_other_bytes_is_an_overlap),
		T(test_reass_times_out_after_30_seconds),
		T(test_reass_bounds_datagrams_in_progress),
		T(test_reass_bounds_memory),
		T(test_reass_datagram_beyond_65535_bytes_is_dropped),
		T(test_reass_rejects_a_non_last_fragment_not_a_multiple_of_8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
