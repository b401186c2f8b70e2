/*
 * runtime/libc's snprintf and vsnprintf (vsnprintf.c, which both builds
 * use) against the host's, and its documented differences: floating point,
 * %n, %lc/%ls, a specification cut short, lengths over INT_MAX.
 * (libc_test.h says how both live in one program.)
 */
#include "libc_test.h"

/* ---- snprintf ---- */

/* The argument a format takes, after the '*' values it may take first. */
enum arg_kind {
	NONE,
	INT,
	UINT,
	LONG,
	ULONG,
	LLONG,
	ULLONG,
	SIZE,
	PTRDIFF,
	INTMAX,
	UINTMAX,
	STR,
	PTR,
	STAR_INT,      /* int width or precision, then an int */
	STAR_STAR_INT, /* width, precision, int */
	STAR_STR,      /* int width or precision, then a string */
	TWO_INTS,
	INT_STR_INT,
};

struct fmt_case {
	const char *fmt;
	enum arg_kind kind;
	long long i;
	const char *s;
	const void *p;
	int star1, star2;
};

typedef int snprintf_fn(char *restrict, size_t, const char *restrict, ...);

/* One case, formatted by fn (the host's or runtime/libc's). */
static int format_case(snprintf_fn *fn, char *buf, size_t size, const struct fmt_case *c)
{
	switch (c->kind) {
	case NONE:
		return fn(buf, size, c->fmt);
	case INT:
		return fn(buf, size, c->fmt, (int)c->i);
	case UINT:
		return fn(buf, size, c->fmt, (unsigned)c->i);
	case LONG:
		return fn(buf, size, c->fmt, (long)c->i);
	case ULONG:
		return fn(buf, size, c->fmt, (unsigned long)c->i);
	case LLONG:
		return fn(buf, size, c->fmt, c->i);
	case ULLONG:
		return fn(buf, size, c->fmt, (unsigned long long)c->i);
	case SIZE:
		return fn(buf, size, c->fmt, (size_t)c->i);
	case PTRDIFF:
		return fn(buf, size, c->fmt, (ptrdiff_t)c->i);
	case INTMAX:
		return fn(buf, size, c->fmt, (intmax_t)c->i);
	case UINTMAX:
		return fn(buf, size, c->fmt, (uintmax_t)c->i);
	case STR:
		return fn(buf, size, c->fmt, c->s);
	case PTR:
		return fn(buf, size, c->fmt, c->p);
	case STAR_INT:
		return fn(buf, size, c->fmt, c->star1, (int)c->i);
	case STAR_STAR_INT:
		return fn(buf, size, c->fmt, c->star1, c->star2, (int)c->i);
	case STAR_STR:
		return fn(buf, size, c->fmt, c->star1, c->s);
	case TWO_INTS:
		return fn(buf, size, c->fmt, (int)c->i, c->star1);
	case INT_STR_INT:
		return fn(buf, size, c->fmt, (int)c->i, c->s, c->star1);
	}
	return -2;
}

#define N(f) { f, NONE, .i = 0 }
#define I(f, v) { f, INT, .i = (v) }
#define U(f, v) { f, UINT, .i = (long long)(v) }
#define L(f, v) { f, LONG, .i = (v) }
#define UL(f, v) { f, ULONG, .i = (long long)(v) }
#define LL(f, v) { f, LLONG, .i = (v) }
#define ULL(f, v) { f, ULLONG, .i = (long long)(v) }
#define S(f, v) { f, STR, .s = (v) }
#define P(f, v) { f, PTR, .p = (const void *)(uintptr_t)(v) }

static const char long_string[] =
	"The quick brown fox jumps over the lazy dog; the lazy dog sleeps on.";

static const struct fmt_case fmt_cases[] = {
	N(""), N("plain text"), N("%%"), N("100%% sure"), N("%5%"), N("%-5%|"), N("%05%"),
	N("[%y]"), N("[%-5y]"), N("[%k%%]"),
	I("%d", 0), I("%d", 42), I("%d", -42), I("%d", INT_MAX), I("%d", INT_MIN), I("%i", -7),
	I("[%5d]", 42), I("[%-5d]", 42), I("[%05d]", 42), I("[%05d]", -42), I("[%+d]", 42),
	I("[% d]", 42), I("[%+ d]", 42), I("[% d]", -42), I("[%.3d]", 7), I("[%.3d]", -7),
	I("[%8.3d]", -7), I("[%-8.3d]", -7), I("[%08.3d]", -7), I("[%.0d]", 0), I("[%5.0d]", 0),
	I("[%+.0d]", 0), I("[% .0d]", 0), I("[%-+05d]", 3), I("[%0-5d]", 3), I("[%1d]", 12345),
	I("[%.1d]", 12345), I("[%+05i]", -3), I("[%.10d]", INT_MIN), I("[%#d]", 42),
	U("%u", 0), U("%u", 4000000000u), U("[%+u]", 5), U("[% u]", 5), U("[%08u]", 5),
	U("%o", 8), U("%#o", 8), U("%#o", 0), U("[%#.0o]", 0), U("[%#5.3o]", 0), U("[%#.3o]", 8),
	U("[%#.3o]", 01234), U("%x", 0xdeadbeef), U("%X", 0xdeadbeef), U("%#x", 0xdeadbeef),
	U("%#X", 0xdeadbeef), U("%#x", 0), U("[%#.0x]", 0), U("[%#08x]", 0x1f), U("[%#8x]", 0x1f),
	U("[%-#8x]", 0x1f), U("[%#08.3x]", 0x1f), U("[%#.8x]", 0x1f), U("[%08x]", UINT_MAX),
	I("%hhd", 300), I("%hhd", -129), I("%hhd", 128), I("%hhu", -1), I("%hhx", 0x1234),
	I("%hd", 70000), I("%hd", -32769), I("%hu", -1), I("%hx", 0x12345), I("%#ho", 0x12345),
	L("%ld", LONG_MIN), L("%ld", LONG_MAX), L("[%+20ld]", 1), UL("%lu", ULONG_MAX),
	UL("%lx", ULONG_MAX), UL("%#lo", ULONG_MAX), LL("%lld", LLONG_MIN), LL("%lli", LLONG_MAX),
	ULL("%llu", ULLONG_MAX), ULL("%#llX", 0xabcdef0123456789ULL), ULL("%llo", 1ULL << 63),
	{ "%zu", SIZE, .i = -1 }, { "%zx", SIZE, .i = 0x1234 }, { "%zd", PTRDIFF, .i = -5 },
	{ "%td", PTRDIFF, .i = PTRDIFF_MIN }, { "%tu", SIZE, .i = -1 }, { "%tx", SIZE, .i = 255 },
	{ "%jd", INTMAX, .i = INTMAX_MIN }, { "%ju", UINTMAX, .i = -1 },
	{ "%jx", UINTMAX, .i = 0xfeed }, { "%Ld", LLONG, .i = -99 }, { "%Lu", ULLONG, .i = 99 },
	I("%c", 'x'), I("[%5c]", 'x'), I("[%-5c]", 'x'), I("[%05c]", 'x'), I("[%c]", 0x100 + 'A'),
	I("[%c]", 0xe9), I("[%.0c]", 'q'),
	S("%s", "hello"), S("[%10s]", "hello"), S("[%-10s]", "hello"), S("[%010s]", "hello"),
	S("[%.3s]", "hello"), S("[%10.3s]", "hello"), S("[%-10.3s]", "hello"), S("[%.0s]", "hello"),
	S("[%.10s]", "hello"), S("[%2s]", "hello"), S("[%s]", ""), S("[%5s]", ""), S("[%s]", NULL),
	S("[%10s]", NULL), S("[%-10s]", NULL), S("[%.5s]", NULL), S("[%.6s]", NULL),
	S("[%.7s]", NULL), S("[%+s]", "x"), S("[%#s]", "x"), S("%s", long_string),
	S("%s and %%", long_string), S("[%70s]", "right"), S("[%-70s]", "left"),
	P("%p", 0), P("%p", 1), P("%p", 0xdeadbeef), P("%p", UINTPTR_MAX), P("[%20p]", 0x1234),
	P("[%-20p]", 0x1234), P("[%020p]", 0x1234), P("[%.8p]", 0x1234), P("[%+p]", 0x1234),
	P("[% p]", 0x1234), P("[%#p]", 0x1234), P("[% 020p]", 0x1234), P("[%10p]", 0),
	P("[%-10p]", 0), P("[%010p]", 0), P("[%.10p]", 0), P("[%+p]", 0),
	{ "[%*d]", STAR_INT, .i = 42, .star1 = 6 }, { "[%*d]", STAR_INT, .i = 42, .star1 = -6 },
	{ "[%-*d]", STAR_INT, .i = 42, .star1 = -6 }, { "[%*d]", STAR_INT, .i = 42, .star1 = 0 },
	{ "[%.*d]", STAR_INT, .i = 42, .star1 = 5 }, { "[%.*d]", STAR_INT, .i = 42, .star1 = -5 },
	{ "[%.*d]", STAR_INT, .i = 0, .star1 = 0 }, { "[%.*d]", STAR_INT, .i = 0, .star1 = -1 },
	{ "[%0*d]", STAR_INT, .i = -42, .star1 = 7 },
	{ "[%*.*d]", STAR_STAR_INT, .i = 42, .star1 = 8, .star2 = 4 },
	{ "[%*.*d]", STAR_STAR_INT, .i = 42, .star1 = -8, .star2 = 4 },
	{ "[%*.*d]", STAR_STAR_INT, .i = 42, .star1 = 8, .star2 = -4 },
	{ "[%0*.*d]", STAR_STAR_INT, .i = 42, .star1 = 8, .star2 = -4 },
	{ "[%*s]", STAR_STR, .s = "ab", .star1 = 5 }, { "[%*s]", STAR_STR, .s = "ab", .star1 = -5 },
	{ "[%.*s]", STAR_STR, .s = "abcdef", .star1 = 2 },
	{ "[%.*s]", STAR_STR, .s = "abcdef", .star1 = -2 },
	{ "%d %d", TWO_INTS, .i = 1, .star1 = 2 }, { "%x-%o", TWO_INTS, .i = 255, .star1 = 8 },
	{ "a%db%sc%dd", INT_STR_INT, .i = -1, .s = "mid", .star1 = 99 },
	{ "%c%s%c", INT_STR_INT, .i = '<', .s = "tag", .star1 = '>' },
};

#define OUT_SIZE 300

static void check_case(const struct fmt_case *c, size_t size)
{
	char ours[OUT_SIZE], host[OUT_SIZE];
	int ours_n, host_n;

	memset(ours, 0xaa, sizeof(ours));
	memset(host, 0xaa, sizeof(host));
	ours_n = format_case(uk_libc_snprintf, ours, size, c);
	host_n = format_case(snprintf, host, size, c);
	if (ours_n != host_n || memcmp(ours, host, sizeof(ours)) != 0)
		fail_msg("\"%s\" size %zu: \"%.*s\" (%d), host \"%.*s\" (%d)", c->fmt, size,
			 (int)strnlen(ours, size), ours, ours_n, (int)strnlen(host, size), host,
			 host_n);
}

static void snprintf_matches_host_on_a_table_of_formats(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(fmt_cases); i++)
		check_case(&fmt_cases[i], OUT_SIZE);
}

/* Every size from 0 to past the end: the same bytes, the same return value. */
static void snprintf_truncates_at_every_size_and_returns_the_full_length(void **state)
{
	char host[OUT_SIZE];

	for (size_t i = 0; i < ARRAY_SIZE(fmt_cases); i++) {
		int n = format_case(snprintf, host, sizeof(host), &fmt_cases[i]);

		assert_true(n >= 0 && n < OUT_SIZE - 2);
		for (size_t size = 0; size <= (size_t)n + 2; size++)
			check_case(&fmt_cases[i], size);
	}
}

static void snprintf_with_size_0_writes_nothing_and_returns_the_length(void **state)
{
	char buf[4] = "xyz";

	assert_int_equal(uk_libc_snprintf(NULL, 0, "%d-%s", 12345, "abc"), 9);
	assert_int_equal(uk_libc_snprintf(buf, 0, "%d", 7), 1);
	assert_string_equal(buf, "xyz");
	assert_int_equal(uk_libc_snprintf(buf, 1, "%d", 7), 1);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'y');
}

/* Flags x width x precision x length x conversion x value, against the host. */
static void snprintf_matches_host_on_every_integer_specification(void **state)
{
	static const char *const flag_chars = "-+ #0";
	static const char *const widths[] = { "", "1", "4", "9", "23" };
	static const char *const precisions[] = { "", ".", ".0", ".1", ".3", ".21" };
	static const struct {
		const char *mod;
		enum arg_kind signed_kind, unsigned_kind;
	} lengths[] = {
		{ "", INT, UINT }, { "hh", INT, UINT }, { "h", INT, UINT },
		{ "l", LONG, ULONG }, { "ll", LLONG, ULLONG }, { "z", PTRDIFF, SIZE },
		{ "j", INTMAX, UINTMAX }, { "t", PTRDIFF, SIZE },
	};
	static const char conversions[] = "diuoxX";
	static const long long values[] = {
		0, 1, -1, 7, -8, 127, 128, 255, -129, 32767, 65535, -32768,
		INT_MAX, INT_MIN, UINT_MAX, 0x123456789abcdefLL, LLONG_MAX, LLONG_MIN,
	};
	struct fmt_case c;
	char fmt[32], ours[64], host[64];

	for (unsigned flags = 0; flags < 32; flags++) {
	for (size_t w = 0; w < ARRAY_SIZE(widths); w++) {
	for (size_t p = 0; p < ARRAY_SIZE(precisions); p++) {
	for (size_t l = 0; l < ARRAY_SIZE(lengths); l++) {
	for (size_t k = 0; k < sizeof(conversions) - 1; k++) {
		char conv = conversions[k];
		size_t n = 0;

		fmt[n++] = '%';
		for (unsigned f = 0; f < 5; f++) {
			if (flags & (1u << f))
				fmt[n++] = flag_chars[f];
		}
		snprintf(fmt + n, sizeof(fmt) - n, "%s%s%s%c", widths[w], precisions[p],
			 lengths[l].mod, conv);
		c = (struct fmt_case){ .fmt = fmt };
		c.kind = conv == 'd' || conv == 'i' ? lengths[l].signed_kind
						    : lengths[l].unsigned_kind;
		for (size_t v = 0; v < ARRAY_SIZE(values); v++) {
			int ours_n, host_n;

			c.i = values[v];
			ours_n = format_case(uk_libc_snprintf, ours, sizeof(ours), &c);
			host_n = format_case(snprintf, host, sizeof(host), &c);
			if (ours_n != host_n || strcmp(ours, host) != 0)
				fail_msg("\"%s\" of %lld: \"%s\" (%d), host \"%s\" (%d)", fmt,
					 values[v], ours, ours_n, host, host_n);
		}
	}
	}
	}
	}
	}
}

static int format_both_ways(char *ours, char *host, size_t size, const char *fmt, ...)
{
	va_list ap;
	int ours_n, host_n;

	va_start(ap, fmt);
	ours_n = uk_libc_vsnprintf(ours, size, fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	host_n = vsnprintf(host, size, fmt, ap);
	va_end(ap);
	assert_int_equal(ours_n, host_n);
	assert_string_equal(ours, host);
	return ours_n;
}

static void vsnprintf_formats_the_arguments_of_a_va_list(void **state)
{
	char ours[64], host[64];

	assert_int_equal(format_both_ways(ours, host, sizeof(ours), "%s=%d %#lx %c %s", "key",
					  -12, 0xabcUL, 'z', "end"),
			 (int)strlen("key=-12 0xabc z end"));
	assert_int_equal(format_both_ways(ours, host, 8, "%s|%lld|%zu", "truncated", -1LL,
					  (size_t)77),
			 (int)strlen("truncated|-1|77"));
	assert_int_equal(format_both_ways(ours, host, sizeof(ours), "%*.*s|%-*d|", 6, 2, "abc",
					  4, 9),
			 12);
}

/* Tests of deliberate differences from glibc, and of output too long for an
 * int: formats gcc rightly warns about. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#ifndef __clang__
#pragma GCC diagnostic ignored "-Wformat-overflow"
#endif

static void snprintf_prints_a_question_mark_for_floating_point_and_skips_its_argument(void **state)
{
	char buf[64];

	assert_int_equal(uk_libc_snprintf(buf, sizeof(buf), "%f|%d", 1.5, 7), 3);
	assert_string_equal(buf, "?|7");
	assert_int_equal(uk_libc_snprintf(buf, sizeof(buf), "[%8.3e|%-4g|%s]", 2.0, -1e300, "x"),
			 17);
	assert_string_equal(buf, "[       ?|?   |x]");
	assert_int_equal(uk_libc_snprintf(buf, sizeof(buf), "%Lf %d %a %E %G %F %A %s", 1.0L, 5,
					  0.1, 0.2, 0.3, 0.4, 0.5, "end"),
			 17);
	assert_string_equal(buf, "? 5 ? ? ? ? ? end");
}

static void snprintf_percent_n_stores_nothing_and_skips_its_argument(void **state)
{
	char buf[32];
	int n = -1;
	long ln = -1;

	assert_int_equal(uk_libc_snprintf(buf, sizeof(buf), "ab%ncd%ln%d", &n, &ln, 5), 5);
	assert_string_equal(buf, "abcd5");
	assert_int_equal(n, -1);
	assert_int_equal(ln, -1);
}

static void snprintf_prints_a_question_mark_for_wide_characters(void **state)
{
	char buf[32];
	static const int wide[] = { 'w', 0 };

	assert_int_equal(uk_libc_snprintf(buf, sizeof(buf), "%lc|%3ls|%d", 'a', (const void *)wide,
					  4),
			 7);
	assert_string_equal(buf, "?|  ?|4");
}

/* glibc fails with -1 here; this libc copies the unfinished specification. */
static void snprintf_copies_a_specification_cut_short_by_the_end_of_the_format(void **state)
{
	char buf[32];

	assert_int_equal(uk_libc_snprintf(buf, sizeof(buf), "abc%"), 4);
	assert_string_equal(buf, "abc%");
	assert_int_equal(uk_libc_snprintf(buf, sizeof(buf), "abc%-5"), 6);
	assert_string_equal(buf, "abc%-5");
	assert_int_equal(uk_libc_snprintf(buf, sizeof(buf), "abc%ll"), 6);
	assert_string_equal(buf, "abc%ll");
}

/* glibc agrees (EOVERFLOW), but takes a minute to count that far. */
static void snprintf_returns_minus_1_when_the_length_exceeds_int_max(void **state)
{
	char buf[8];

	assert_int_equal(uk_libc_snprintf(NULL, 0, "%*d", INT_MAX, 1), INT_MAX);
	assert_int_equal(uk_libc_snprintf(NULL, 0, "%.*u", INT_MAX, 1), INT_MAX);
	assert_int_equal(uk_libc_snprintf(NULL, 0, "%*dx", INT_MAX, 1), -1);
	assert_int_equal(uk_libc_snprintf(NULL, 0, "%*s%*s", INT_MAX, "", INT_MAX, ""), -1);
	assert_int_equal(uk_libc_snprintf(buf, sizeof(buf), "%-*d", INT_MAX, 12), INT_MAX);
	assert_string_equal(buf, "12     ");
	assert_int_equal(uk_libc_snprintf(buf, sizeof(buf), "%2147483647d|", 5), -1);
	assert_string_equal(buf, "       ");
}

#pragma GCC diagnostic pop

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(snprintf_matches_host_on_a_table_of_formats),
		cmocka_unit_test(snprintf_truncates_at_every_size_and_returns_the_full_length),
		cmocka_unit_test(snprintf_with_size_0_writes_nothing_and_returns_the_length),
		cmocka_unit_test(snprintf_returns_minus_1_when_the_length_exceeds_int_max),
		cmocka_unit_test(snprintf_matches_host_on_every_integer_specification),
		cmocka_unit_test(vsnprintf_formats_the_arguments_of_a_va_list),
		cmocka_unit_test(snprintf_prints_a_question_mark_for_floating_point_and_skips_its_argument),
		cmocka_unit_test(snprintf_percent_n_stores_nothing_and_skips_its_argument),
		cmocka_unit_test(snprintf_prints_a_question_mark_for_wide_characters),
		cmocka_unit_test(snprintf_copies_a_specification_cut_short_by_the_end_of_the_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
