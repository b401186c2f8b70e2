/*
 * The simulator's one number parser (sim/parse.c): decimal digits only, up
 * to a maximum, and fixed-point decimals for seconds and percentages. Host
 * options, --vif and --disk specs and xenstore values all go through it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>

#include "sim/parse.h"

static void test_u64_takes_decimal_digits_up_to_max(void **state)
{
	uint64_t v = 99;

	(void)state;
	assert_int_equal(sim_parse_u64("0", 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(sim_parse_u64("010", 10, &v), 0); /* decimal, not octal */
	assert_int_equal(v, 10);
	assert_int_equal(sim_parse_u64("18446744073709551615", UINT64_MAX, &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(sim_parse_u64("11", 10, &v), -EINVAL);
	assert_int_equal(v, UINT64_MAX); /* untouched on error */
}

static void test_u64_refuses_sign_blank_base_prefix_and_empty(void **state)
{
	static const char *const bad[] = { "", "-1", "+1", " 1", "1 ", "0x10", "1e3", "1.0",
					   "12a" };
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (sim_parse_u64(bad[i], UINT64_MAX, &v) != -EINVAL)
			fail_msg("'%s' was taken", bad[i]);
}

static void test_u64_refuses_what_overflows_64_bits(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(sim_parse_u64("18446744073709551616", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(sim_parse_u64("99999999999999999999999", UINT64_MAX, &v), -EINVAL);
}

static void test_u64_n_reads_only_its_len_bytes(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(sim_parse_u64_n("4096xyz", 4, 65535, &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(sim_parse_u64_n("4096", 0, 65535, &v), -EINVAL);
	assert_int_equal(sim_parse_u64_n("65536", 5, 65535, &v), -EINVAL);
}

static void test_u64_c_takes_cs_hex_and_octal_prefixes(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(sim_parse_u64_c("0x40", 100, &v), 0);
	assert_int_equal(v, 64);
	assert_int_equal(sim_parse_u64_c("0X1f", 100, &v), 0);
	assert_int_equal(v, 31);
	assert_int_equal(sim_parse_u64_c("010", 100, &v), 0);
	assert_int_equal(v, 8);
	assert_int_equal(sim_parse_u64_c("0", 100, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(sim_parse_u64_c("42", 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(sim_parse_u64_c("0xffffffffffffffff", UINT64_MAX, &v), 0);
	assert_true(v == UINT64_MAX);
	static const char *const bad[] = { "0x", "08", "0x1g", "-0x1", "0x65", "0x10000000000000000" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (sim_parse_u64_c(bad[i], i == 5 ? UINT64_MAX : 100, &v) != -EINVAL)
			fail_msg("'%s' was taken", bad[i]);
}

static void test_fixed_scales_by_its_decimals(void **state)
{
	uint64_t v;
	const char *end;

	(void)state;
	end = sim_parse_fixed("1.5", 3, 100, &v);
	assert_non_null(end);
	assert_int_equal(*end, '\0');
	assert_int_equal(v, 1500);
	assert_non_null(sim_parse_fixed("2", 9, 1000000000, &v));
	assert_true(v == 2000000000ULL);
	assert_non_null(sim_parse_fixed("0.000000001", 9, 10, &v));
	assert_int_equal(v, 1);
	assert_non_null(sim_parse_fixed("100", 4, 100, &v));
	assert_int_equal(v, 1000000);
}

static void test_fixed_returns_what_follows_the_number(void **state)
{
	uint64_t v;
	const char *end = sim_parse_fixed("12.25%", 4, 100, &v);

	(void)state;
	assert_non_null(end);
	assert_string_equal(end, "%");
	assert_int_equal(v, 122500);
}

static void test_fixed_refuses_too_many_decimals_a_bare_dot_and_too_big(void **state)
{
	static const char *const bad[] = { "", ".5", "1.", "-1", "+1", " 1", "1.0001", "101" };
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (sim_parse_fixed(bad[i], 3, 100, &v))
			fail_msg("'%s' was taken", bad[i]);
	assert_null(sim_parse_fixed("18446744073709551616", 0, UINT64_MAX, &v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64_takes_decimal_digits_up_to_max),
		cmocka_unit_test(test_u64_refuses_sign_blank_base_prefix_and_empty),
		cmocka_unit_test(test_u64_refuses_what_overflows_64_bits),
		cmocka_unit_test(test_u64_n_reads_only_its_len_bytes),
		cmocka_unit_test(test_u64_c_takes_cs_hex_and_octal_prefixes),
		cmocka_unit_test(test_fixed_scales_by_its_decimals),
		cmocka_unit_test(test_fixed_returns_what_follows_the_number),
		cmocka_unit_test(test_fixed_refuses_too_many_decimals_a_bare_dot_and_too_big),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
