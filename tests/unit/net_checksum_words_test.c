/*
 * The Internet checksum (net/checksum.c) summed 8 bytes at a time: the same
 * folded sum as RFC 1071's one 16-bit word at a time, at every length and
 * every alignment, alone and chained, with and without carries.
 *
 * Inside a guest (the stack's own code, freestanding).
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

const char uk_app_name[] = "net_checksum_words_test";

#define BUF 160

/* RFC 1071 4.1, one big-endian word at a time: the reference. */
static uint16_t csum_bytewise(uint32_t sum, const uint8_t *p, size_t len)
{
	uint64_t acc = sum;

	for (; len >= 2; p += 2, len -= 2)
		acc += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		acc += (uint32_t)p[0] << 8;
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

static void fill(uint8_t *d, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		d[i] = (uint8_t)(seed >> 16);
	}
}

static void test_word_sum_matches_bytewise_at_every_length_and_alignment(void **state)
{
	uint8_t d[BUF + 8];

	(void)state;
	fill(d, sizeof(d), 7);
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len <= BUF; len++)
			assert_int_equal(net_csum_fold(net_csum_add(0, d + off, len)),
					 csum_bytewise(0, d + off, len));
}

static void test_word_sum_of_all_ones_carries_around(void **state)
{
	uint8_t d[BUF];

	(void)state;
	memset(d, 0xff, sizeof(d));
	for (size_t len = 1; len <= BUF; len++)
		assert_int_equal(net_csum_fold(net_csum_add(0, d, len)), csum_bytewise(0, d, len));
	/* A running sum near 2^32 plus a piece still folds right. */
	assert_int_equal(net_csum_fold(net_csum_add(0xfffffff0u, d, BUF)),
			 csum_bytewise(0xfffffff0u, d, BUF));
}

static void test_all_zero_data_sums_to_zero(void **state)
{
	uint8_t d[BUF] = { 0 };

	(void)state;
	assert_int_equal(net_csum_add(0, d, sizeof(d)), 0);
	assert_int_equal(net_csum_fold(net_csum_add(0, d, sizeof(d))), 0xffff);
}

static void test_word_sum_chained_from_even_pieces_matches_bytewise(void **state)
{
	uint8_t d[BUF];

	(void)state;
	fill(d, sizeof(d), 99);
	for (size_t cut = 0; cut < BUF; cut += 2) {
		uint32_t sum = net_csum_add(net_csum_add(0, d, cut), d + cut, BUF - 1 - cut);

		assert_int_equal(net_csum_fold(sum), csum_bytewise(0, d, BUF - 1));
	}
}

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_word_sum_matches_bytewise_at_every_length_and_alignment),
		cmocka_unit_test(test_word_sum_of_all_ones_carries_around),
		cmocka_unit_test(test_all_zero_data_sums_to_zero),
		cmocka_unit_test(test_word_sum_chained_from_even_pieces_matches_bytewise),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
