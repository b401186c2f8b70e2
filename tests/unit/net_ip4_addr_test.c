/*
 * IPv4 addresses as text and prefixes as netmasks (net/ip4_addr.c).
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

const char uk_app_name[] = "net_ip4_addr_test";

static void test_ip4_addr_parse_and_format_round_trip(void **state)
{
	ip4_addr_t a;
	char buf[16];

	assert_int_equal(ip4_addr_parse("10.0.0.2", &a), 0);
	assert_int_equal(a, OUR_IP);
	assert_string_equal(ip4_addr_str(a, buf), "10.0.0.2");
	assert_int_equal(ip4_addr_parse("255.255.255.255", &a), 0);
	assert_string_equal(ip4_addr_str(a, buf), "255.255.255.255");
	assert_int_equal(ip4_addr_parse("0.0.0.0", &a), 0);
	assert_int_equal(a, IP4_ANY);
}

static void test_ip4_addr_parse_rejects_malformed_text(void **state)
{
	const char *bad[] = { "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4 ", " 1.2.3.4",
			      "1..2.3", "1.2.3.-4", "1234.1.1.1", "a.b.c.d", "1.2.3.4/24" };
	ip4_addr_t a = 7;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ip4_addr_parse(bad[i], &a) != -EINVAL)
			fail_msg("accepted '%s'", bad[i]);
	assert_int_equal(a, 7);
}

static void test_ip4_prefix_and_mask_convert_both_ways(void **state)
{
	assert_int_equal(ip4_prefix_mask(0), 0);
	assert_int_equal(ip4_prefix_mask(24), IP4_ADDR(255, 255, 255, 0));
	assert_int_equal(ip4_prefix_mask(32), IP4_BROADCAST);
	for (unsigned int p = 0; p <= 32; p++)
		assert_int_equal(ip4_mask_prefix(ip4_prefix_mask(p)), p);
	assert_int_equal(ip4_mask_prefix(IP4_ADDR(255, 0, 255, 0)), -1);
	assert_int_equal(ip4_mask_prefix(IP4_ADDR(0, 0, 0, 255)), -1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_ip4_addr_parse_and_format_round_trip),
		T(test_ip4_addr_parse_rejects_malformed_text),
		T(test_ip4_prefix_and_mask_convert_both_ways),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
