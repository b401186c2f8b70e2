/*
 * runtime/libc's strtol family (strtol.c) against the host's, and its
 * documented difference (an invalid base).
 * (libc_test.h says how both live in one program.)
 */
#include "libc_test.h"

/* ---- strtol family ---- */

/* All four functions on s in base, value and end pointer against the host. */
static void check_strto(const char *s, int base)
{
	char *ours_end, *host_end;

	long l = uk_libc_strtol(s, &ours_end, base), hl = strtol(s, &host_end, base);
	if (l != hl || ours_end != host_end)
		fail_msg("strtol(\"%s\", %d): %ld end +%td, host %ld end +%td", s, base, l,
			 ours_end - s, hl, host_end - s);

	unsigned long ul = uk_libc_strtoul(s, &ours_end, base), hul = strtoul(s, &host_end, base);
	if (ul != hul || ours_end != host_end)
		fail_msg("strtoul(\"%s\", %d): %lu end +%td, host %lu end +%td", s, base, ul,
			 ours_end - s, hul, host_end - s);

	long long ll = uk_libc_strtoll(s, &ours_end, base), hll = strtoll(s, &host_end, base);
	if (ll != hll || ours_end != host_end)
		fail_msg("strtoll(\"%s\", %d): %lld end +%td, host %lld end +%td", s, base, ll,
			 ours_end - s, hll, host_end - s);

	unsigned long long ull = uk_libc_strtoull(s, &ours_end, base);
	unsigned long long hull = strtoull(s, &host_end, base);
	if (ull != hull || ours_end != host_end)
		fail_msg("strtoull(\"%s\", %d): %llu end +%td, host %llu end +%td", s, base, ull,
			 ours_end - s, hull, host_end - s);

	/* A NULL end pointer is allowed. */
	assert_int_equal(uk_libc_strtol(s, NULL, base), hl);
	assert_int_equal(uk_libc_strtoull(s, NULL, base), hull);
}

static const int strto_bases[] = { 0, 2, 3, 8, 10, 16, 17, 35, 36 };

static void strtol_family_matches_host_on_edge_cases(void **state)
{
	static const char *const inputs[] = {
		"0", "1", "-1", "+1", "  -0", "-0", "+0", "+", "-", "", "   ", "\t\n\v\f\r 42abc",
		" + 1", "-+1", "+-1", "--1", "0x", "0X", "-0x", "0x1g", "0xg", "0Xf", "-0x10",
		"0x0x1", "00x1", "010", "08", "0b101", "0777", "-0777", "z", "Z", "zz", "1z", "Zz9",
		"7fffffff", "80000000", "ffffffff", "100000000", "2147483647", "2147483648",
		"-2147483648", "-2147483649", "4294967295", "4294967296",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808",
		"-9223372036854775809", "18446744073709551615", "18446744073709551616",
		"-18446744073709551615", "-18446744073709551616", "0x7fffffffffffffff",
		"0x8000000000000000", "-0x8000000000000000", "-0x8000000000000001",
		"0xffffffffffffffff", "0x10000000000000000", "-0xffffffffffffffff",
		"1777777777777777777777", "2000000000000000000000", "01777777777777777777777",
		"1111111111111111111111111111111111111111111111111111111111111111",
		"10000000000000000000000000000000000000000000000000000000000000000",
		"3w5e11264sgsf", "3w5e11264sgsg", "-3w5e11264sgsg", "3w5e11264sgsh",
		"99999999999999999999999999999", "-99999999999999999999999x",
		"000000000000000000000000000000000000012", "123456789abcdefghijklmnopqrstuvwxyz",
		"\x80" "1", "1\x80", "\xc2\xa0" "1", " \x85" "1", "12 34", "1_000", "1.5", "1e5",
	};

	for (size_t i = 0; i < ARRAY_SIZE(inputs); i++) {
		for (size_t b = 0; b < ARRAY_SIZE(strto_bases); b++)
			check_strto(inputs[i], strto_bases[b]);
	}
}

static void strtol_family_matches_host_on_random_input(void **state)
{
	char buf[40];

	rng_seed(14);
	for (int round = 0; round < 20000; round++) {
		int base = (int)rng_below(36);

		check_strto(random_string(buf, 30, " \t+-0123456789abcdefxXzZ"),
			    base == 1 ? 0 : base);
	}
}

/* Random magnitudes of every bit length, written in every base, signed or not. */
static void strtol_family_matches_host_on_random_values_in_every_base(void **state)
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";

	rng_seed(15);
	for (int round = 0; round < 20000; round++) {
		unsigned bits = (unsigned)rng_below(64) + 1;
		unsigned long long v = rng() >> (64 - bits);
		int base = (int)rng_below(35) + 2;
		char tmp[80], buf[84], *p = tmp + sizeof(tmp);
		size_t n = 0;

		*--p = '\0';
		do {
			*--p = digits[v % (unsigned)base];
			v /= (unsigned)base;
		} while (v != 0);
		/* Sometimes a digit more, past the limits. */
		if (rng_below(4) == 0)
			*--p = '1';
		if (rng_below(2) == 0)
			buf[n++] = '-';
		snprintf(buf + n, sizeof(buf) - n, "%s", p);
		check_strto(buf, base);
	}
}

static void strtol_clamps_to_the_limits_with_end_past_all_digits(void **state)
{
	const char *s;
	char *end;

	s = "9223372036854775808";
	assert_int_equal(uk_libc_strtol(s, &end, 10), LONG_MAX);
	assert_ptr_equal(end, s + strlen(s));
	s = "-9223372036854775809";
	assert_int_equal(uk_libc_strtol(s, &end, 10), LONG_MIN);
	assert_ptr_equal(end, s + strlen(s));
	s = "99999999999999999999999999x";
	assert_int_equal(uk_libc_strtoll(s, &end, 0), LLONG_MAX);
	assert_ptr_equal(end, s + strlen(s) - 1);
	/* The limits themselves are not overflow, and read the same. */
	assert_int_equal(uk_libc_strtol("9223372036854775807", NULL, 10), LONG_MAX);
	assert_int_equal(uk_libc_strtol("-9223372036854775808", NULL, 10), LONG_MIN);
	assert_int_equal(uk_libc_strtol("-0x8000000000000000", NULL, 16), LONG_MIN);
}

static void strtoul_negates_in_the_unsigned_type_and_clamps_on_overflow(void **state)
{
	assert_int_equal(uk_libc_strtoul("-1", NULL, 10), ULONG_MAX);
	assert_int_equal(uk_libc_strtoul("-18446744073709551615", NULL, 10), 1);
	assert_int_equal(uk_libc_strtoul("-18446744073709551616", NULL, 10), ULONG_MAX);
	assert_int_equal(uk_libc_strtoul("18446744073709551616", NULL, 10), ULONG_MAX);
	assert_int_equal(uk_libc_strtoull("-0", NULL, 10), 0);
}

static void strtol_reads_0x_and_0_prefixes_by_base(void **state)
{
	const char *s;
	char *end;

	assert_int_equal(uk_libc_strtol("0x1f", NULL, 0), 31);
	assert_int_equal(uk_libc_strtol("0X1F", NULL, 16), 31);
	assert_int_equal(uk_libc_strtol("010", NULL, 0), 8);
	assert_int_equal(uk_libc_strtol("010", NULL, 10), 10);
	s = "0x1f";
	assert_int_equal(uk_libc_strtol(s, &end, 10), 0);
	assert_ptr_equal(end, s + 1);
	/* "0x" with no hex digit after it is the number 0, ending at the 'x'. */
	s = "0xg";
	assert_int_equal(uk_libc_strtol(s, &end, 16), 0);
	assert_ptr_equal(end, s + 1);
	s = "0x";
	assert_int_equal(uk_libc_strtol(s, &end, 0), 0);
	assert_ptr_equal(end, s + 1);
	s = "08";
	assert_int_equal(uk_libc_strtol(s, &end, 0), 0);
	assert_ptr_equal(end, s + 1);
	assert_int_equal(uk_libc_strtol("zZ", NULL, 36), 35 * 36 + 35);
}

static void strtol_without_digits_returns_0_with_end_at_the_start(void **state)
{
	static const char *const inputs[] = { "", "   ", "+", "-", " -", " + 1", "x", "-x" };
	char *end;

	for (size_t i = 0; i < ARRAY_SIZE(inputs); i++) {
		end = NULL;
		assert_int_equal(uk_libc_strtol(inputs[i], &end, 0), 0);
		assert_ptr_equal(end, inputs[i]);
		end = NULL;
		assert_int_equal(uk_libc_strtoull(inputs[i], &end, 10), 0);
		assert_ptr_equal(end, inputs[i]);
	}
}

static void strtol_skips_leading_whitespace_before_the_sign(void **state)
{
	const char *s = " \t\n\v\f\r-42 ";
	char *end;

	assert_int_equal(uk_libc_strtol(s, &end, 10), -42);
	assert_ptr_equal(end, s + strlen(s) - 1);
	assert_int_equal(uk_libc_strtol("  -0", NULL, 10), 0);
}

/* glibc sets errno = EINVAL and leaves *end; this libc sets *end = s. */
static void strtol_with_an_invalid_base_returns_0_with_end_at_the_start(void **state)
{
	static const int bases[] = { 1, -1, 37, 100, INT_MIN, INT_MAX };
	const char *s = "10";
	char *end;

	for (size_t i = 0; i < ARRAY_SIZE(bases); i++) {
		end = NULL;
		assert_int_equal(uk_libc_strtol(s, &end, bases[i]), 0);
		assert_ptr_equal(end, s);
		end = NULL;
		assert_int_equal(uk_libc_strtoul(s, &end, bases[i]), 0);
		assert_ptr_equal(end, s);
		assert_int_equal(uk_libc_strtoll(s, NULL, bases[i]), 0);
		assert_int_equal(uk_libc_strtoull(s, NULL, bases[i]), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(strtol_family_matches_host_on_edge_cases),
		cmocka_unit_test(strtol_family_matches_host_on_random_input),
		cmocka_unit_test(strtol_family_matches_host_on_random_values_in_every_base),
		cmocka_unit_test(strtol_clamps_to_the_limits_with_end_past_all_digits),
		cmocka_unit_test(strtoul_negates_in_the_unsigned_type_and_clamps_on_overflow),
		cmocka_unit_test(strtol_reads_0x_and_0_prefixes_by_base),
		cmocka_unit_test(strtol_without_digits_returns_0_with_end_at_the_start),
		cmocka_unit_test(strtol_skips_leading_whitespace_before_the_sign),
		cmocka_unit_test(strtol_with_an_invalid_base_returns_0_with_end_at_the_start),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
