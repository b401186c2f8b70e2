/*
 * The IPv4 header checksum from a kept header's sum (net/checksum.c,
 * net_csum_ip4_header_with, what ip4_output_room_dst sends with): the same
 * field as net_csum_ip4_header and as RFC 1071's word-at-a-time sum of the
 * whole header, for random headers, lengths and ids, the extremes of both,
 * and headers whose other words carry most.
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

const char uk_app_name[] = "net_checksum_ip4_template_test";

/* The reference: RFC 1071 one word at a time, the test peer's (tests/support/peer.c). */
static uint16_t csum_reference(const uint8_t *p, size_t len)
{
	return peer_csum_fold(peer_csum_add(0, p, len));
}

/* h's checksum both ways: from the template's sum and over the filled header. */
static void check(uint8_t *h, uint16_t total, uint16_t id)
{
	uint32_t words;
	uint16_t with;

	net_put16(h + 2, 0);
	net_put16(h + 4, 0);
	net_put16(h + 10, 0);
	words = net_csum_ip4_words(h);
	net_put16(h + 2, total);
	net_put16(h + 4, id);
	with = net_csum_ip4_header_with(words, total, id);
	assert_int_equal(with, csum_reference(h, 20));
	assert_int_equal(with, net_csum_ip4_header(h));
	net_put16(h + 10, with);
	assert_int_equal(csum_reference(h, 20), 0); /* the filled header checks */
}

static void test_the_checksum_from_a_kept_sum_is_the_whole_headers(void **state)
{
	uint32_t seed = 7;
	uint8_t h[20];

	for (unsigned int n = 0; n < 20000; n++) {
		for (unsigned int i = 0; i < sizeof(h); i++) {
			seed = seed * 1103515245u + 12345u;
			h[i] = (uint8_t)(seed >> 16);
		}
		seed = seed * 1103515245u + 12345u;
		check(h, (uint16_t)(seed >> 8), (uint16_t)(seed >> 3));
	}
}

static void test_extreme_lengths_and_ids_and_carrying_words(void **state)
{
	static const uint16_t values[] = { 0, 1, 20, 0x00ff, 0xff00, 0x7fff, 0x8000, 0xfffe, 0xffff };
	uint8_t h[20];

	for (unsigned int fill = 0; fill < 2; fill++) {
		memset(h, fill ? 0xff : 0, sizeof(h));
		h[0] = 0x45;
		for (unsigned int a = 0; a < sizeof(values) / sizeof(values[0]); a++)
			for (unsigned int b = 0; b < sizeof(values) / sizeof(values[0]); b++)
				check(h, values[a], values[b]);
	}
}

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_checksum_from_a_kept_sum_is_the_whole_headers),
		cmocka_unit_test(test_extreme_lengths_and_ids_and_carrying_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
