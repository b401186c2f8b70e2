/*
 * The IPv4 header checksum in five 32-bit words (net_csum_ip4_header,
 * net/checksum.c): the same value as RFC 1071's one 16-bit word at a time,
 * for random headers, for headers whose words sum to 0xffff and to 0, and
 * for the all-ones words that carry most; a header with the field filled
 * in checks to 0. And the TCP/UDP checksum with its pseudo-header summed
 * in one pass (net_csum_l4) against the chained net_csum_pseudo and
 * net_csum_add.
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

const char uk_app_name[] = "net_checksum_ip4_header_test";

/* The reference: RFC 1071 one word at a time, the test peer's (tests/support/peer.c). */
static uint16_t csum_reference(const uint8_t *p, size_t len)
{
	return peer_csum_fold(peer_csum_add(0, p, len));
}

static void test_header_checksum_matches_the_word_at_a_time_sum(void **state)
{
	uint32_t seed = 1;
	uint8_t h[20];

	(void)state;
	for (unsigned int n = 0; n < 5000; n++) {
		for (size_t i = 0; i < sizeof(h); i++) {
			seed = seed * 1103515245u + 12345u;
			h[i] = (uint8_t)(seed >> 16);
		}
		assert_int_equal(net_csum_ip4_header(h), csum_reference(h, sizeof(h)));
		assert_int_equal(net_csum_ip4_header(h), net_csum_fold(net_csum_add(0, h, sizeof(h))));
	}
}

static void test_header_checksum_of_edge_sums(void **state)
{
	uint8_t h[20];

	(void)state;
	memset(h, 0, sizeof(h));
	assert_int_equal(net_csum_ip4_header(h), 0xffff); /* all zero: sum 0 */
	memset(h, 0xff, sizeof(h));
	assert_int_equal(net_csum_ip4_header(h), csum_reference(h, sizeof(h)));
	assert_int_equal(net_csum_ip4_header(h), 0); /* ten 0xffff words: sum -0 */
	memset(h, 0, sizeof(h));
	h[0] = 0x12;
	h[1] = 0x34;
	h[18] = 0xed;
	h[19] = 0xcb; /* 0x1234 + 0xedcb = 0xffff */
	assert_int_equal(net_csum_ip4_header(h), 0);
	assert_int_equal(net_csum_ip4_header(h), csum_reference(h, sizeof(h)));
}

static void test_a_header_with_its_checksum_filled_in_checks_to_zero(void **state)
{
	uint8_t h[20] = { 0x45, 0, 0, 84, 0x12, 0x34, 0x40, 0, 64, 1, 0, 0,
			  10, 0, 0, 2, 10, 0, 0, 1 };
	uint16_t c = net_csum_ip4_header(h);

	(void)state;
	h[10] = (uint8_t)(c >> 8);
	h[11] = (uint8_t)c;
	assert_int_equal(net_csum_ip4_header(h), 0);
	h[8]--; /* a hop later, unchanged checksum: wrong */
	assert_int_not_equal(net_csum_ip4_header(h), 0);
}

static void test_l4_checksum_is_the_pseudo_header_sum_chained_with_the_data(void **state)
{
	uint32_t seed = 7;
	uint8_t d[200];

	(void)state;
	for (unsigned int n = 0; n < 3000; n++) {
		size_t len = n % (sizeof(d) - 2); /* from d + 0, 1 or 2 */
		ip4_addr_t src, dst;
		uint8_t proto;

		for (size_t i = 0; i < sizeof(d); i++) {
			seed = seed * 1103515245u + 12345u;
			d[i] = (uint8_t)(seed >> 16);
		}
		/* Every fourth round all ones: the sums that carry most. */
		if (n % 4 == 3)
			memset(d, 0xff, sizeof(d));
		src = seed * 2654435761u;
		dst = n % 4 == 3 ? 0xffffffffu : src ^ 0x5a5a1234u;
		proto = (uint8_t)n;
		assert_int_equal(net_csum_l4(src, dst, proto, d + n % 3, len),
				 net_csum_fold(net_csum_add(net_csum_pseudo(src, dst, proto,
									    (uint16_t)len),
							    d + n % 3, len)));
	}
	/* A datagram with its checksum in place sums to 0. */
	memset(d, 0, 8);
	d[5] = 8;
	uint16_t c = net_csum_l4(0x0200000a, 0x0100000a, 17, d, 8);
	d[6] = (uint8_t)(c >> 8);
	d[7] = (uint8_t)c;
	assert_int_equal(net_csum_l4(0x0200000a, 0x0100000a, 17, d, 8), 0);
}

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_checksum_matches_the_word_at_a_time_sum),
		cmocka_unit_test(test_header_checksum_of_edge_sums),
		cmocka_unit_test(test_a_header_with_its_checksum_filled_in_checks_to_zero),
		cmocka_unit_test(test_l4_checksum_is_the_pseudo_header_sum_chained_with_the_data),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
