/*
 * The pseudo-header sum (net/checksum.c, net_csum_pseudo) computed from the
 * fields' halves: the same value as the 12-byte header built and summed
 * (RFC 768's layout), for addresses, protocols and lengths that carry.
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

const char uk_app_name[] = "net_checksum_pseudo_test";

/* The header as RFC 768 lays it out, summed by net_csum_add. */
static uint32_t pseudo_built(ip4_addr_t src, ip4_addr_t dst, uint8_t proto, uint16_t len)
{
	uint8_t ph[12];

	memcpy(ph, &src, 4); /* network byte order already */
	memcpy(ph + 4, &dst, 4);
	ph[8] = 0;
	ph[9] = proto;
	ph[10] = (uint8_t)(len >> 8);
	ph[11] = (uint8_t)len;
	return net_csum_add(0, ph, sizeof(ph));
}

static uint32_t next(uint32_t *x)
{
	*x = *x * 1664525u + 1013904223u; /* Numerical Recipes' LCG: reproducible */
	return *x;
}

static void test_pseudo_sum_matches_the_built_header_for_random_fields(void **state)
{
	uint32_t x = 12345;

	for (int i = 0; i < 20000; i++) {
		ip4_addr_t src = next(&x), dst = next(&x);
		uint8_t proto = (uint8_t)next(&x);
		uint16_t len = (uint16_t)(next(&x) >> 7);

		assert_int_equal(net_csum_pseudo(src, dst, proto, len),
				 pseudo_built(src, dst, proto, len));
	}
}

static void test_pseudo_sum_carries_around_with_all_ones_fields(void **state)
{
	static const ip4_addr_t addrs[] = { 0, 0xffffffffu, 0xffff0000u, 0x0000ffffu, 0x0100007fu };
	static const uint16_t lens[] = { 0, 1, 8, 0xff00, 0xffff };
	static const uint8_t protos[] = { 0, 1, 6, 17, 0xff };

	for (size_t s = 0; s < 5; s++)
		for (size_t d = 0; d < 5; d++)
			for (size_t p = 0; p < 5; p++)
				for (size_t l = 0; l < 5; l++)
					assert_int_equal(net_csum_pseudo(addrs[s], addrs[d], protos[p],
									 lens[l]),
							 pseudo_built(addrs[s], addrs[d], protos[p],
								      lens[l]));
}

static void test_pseudo_sum_of_all_zero_fields_is_zero(void **state)
{
	assert_int_equal(net_csum_pseudo(0, 0, 0, 0), 0);
}

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pseudo_sum_matches_the_built_header_for_random_fields),
		cmocka_unit_test(test_pseudo_sum_carries_around_with_all_ones_fields),
		cmocka_unit_test(test_pseudo_sum_of_all_zero_fields_is_zero),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
