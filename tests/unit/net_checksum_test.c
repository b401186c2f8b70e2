/*
 * The Internet checksum (net/checksum.c): RFC 1071, odd lengths, chaining, the pseudo-header.
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

const char uk_app_name[] = "net_checksum_test";

static void test_checksum_matches_rfc1071_example(void **state)
{
	const uint8_t d[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	/* RFC 1071 4.1: the folded sum is ddf2. */
	assert_int_equal(net_csum_fold(net_csum_add(0, d, sizeof(d))), (uint16_t)~0xddf2);
}

static void test_checksum_of_a_known_ip_header(void **state)
{
	uint8_t h[] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };

	assert_int_equal(net_csum_fold(net_csum_add(0, h, sizeof(h))), 0xb861);
	net_put16(h + 10, 0xb861);
	assert_int_equal(net_csum_fold(net_csum_add(0, h, sizeof(h))), 0);
}

static void test_checksum_pads_an_odd_length_with_zero(void **state)
{
	const uint8_t d[] = { 0x01, 0x02, 0x03 };
	const uint8_t padded[] = { 0x01, 0x02, 0x03, 0x00 };

	assert_int_equal(net_csum_fold(net_csum_add(0, d, 3)), (uint16_t)~0x0402);
	assert_int_equal(net_csum_fold(net_csum_add(0, d, 3)),
			 net_csum_fold(net_csum_add(0, padded, 4)));
}

static void test_checksum_chained_over_pieces_equals_the_whole(void **state)
{
	static uint8_t d[70001];
	uint32_t sum = 0;

	for (size_t i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)(i * 131 + 17);
	/* Even-sized pieces, the odd one last; 70001 0xff-ish bytes carry a lot. */
	sum = net_csum_add(sum, d, 1000);
	sum = net_csum_add(sum, d + 1000, 30000);
	sum = net_csum_add(sum, d + 31000, 39001);
	assert_int_equal(net_csum_fold(sum), net_csum_fold(net_csum_add(0, d, sizeof(d))));
	memset(d, 0xff, sizeof(d));
	assert_int_equal(net_csum_fold(net_csum_add(0, d, sizeof(d))),
			 net_csum_fold(net_csum_add(net_csum_add(0, d, 2), d + 2, sizeof(d) - 2)));
}

static void test_checksum_pseudo_header_is_the_sum_of_its_fields(void **state)
{
	const uint8_t ph[12] = { 10, 0, 0, 2, 10, 0, 0, 9, 0, 17, 0x01, 0x2c };

	assert_int_equal(net_csum_pseudo(OUR_IP, PEER_IP, IP4_PROTO_UDP, 300),
			 net_csum_add(0, ph, 12));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_checksum_matches_rfc1071_example),
		T(test_checksum_of_a_known_ip_header),
		T(test_checksum_pads_an_odd_length_with_zero),
		T(test_checksum_chained_over_pieces_equals_the_whole),
		T(test_checksum_pseudo_header_is_the_sum_of_its_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
