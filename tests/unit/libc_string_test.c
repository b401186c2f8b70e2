/*
 * The memory and string functions of runtime/libc (string.c) against the host's.
 * (libc_test.h says how both live in one program.)
 */
#include "libc_test.h"

/* ---- memory functions ---- */

#define MAX_LEN 64
#define MAX_ALIGN 16

static void memcpy_copies_every_alignment_and_length_up_to_64(void **state)
{
	unsigned char src[MAX_ALIGN + MAX_LEN], a[MAX_ALIGN + MAX_LEN + 16], b[sizeof(a)];

	rng_seed(1);
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)rng();
	for (size_t so = 0; so < MAX_ALIGN; so++) {
		for (size_t d = 0; d < MAX_ALIGN; d++) {
			for (size_t n = 0; n <= MAX_LEN; n++) {
				memset(a, 0xee, sizeof(a));
				memset(b, 0xee, sizeof(b));
				assert_ptr_equal(uk_libc_memcpy(a + d, src + so, n), a + d);
				memcpy(b + d, src + so, n);
				assert_memory_equal(a, b, sizeof(a));
			}
		}
	}
}

/* Source and destination end exactly at the end of heap blocks. */
static void memcpy_touches_only_n_bytes(void **state)
{
	rng_seed(2);
	for (size_t off = 0; off < MAX_ALIGN; off++) {
		for (size_t n = 0; n <= MAX_LEN; n++) {
			unsigned char *src = malloc(off + n + 1), *dst = malloc(off + n + 1);

			assert_non_null(src);
			assert_non_null(dst);
			for (size_t i = 0; i <= off + n; i++)
				src[i] = (unsigned char)rng();
			/* Each copy ends at the end of one of the blocks. */
			uk_libc_memcpy(dst + 1, src + off + 1, n);
			assert_memory_equal(dst + 1, src + off + 1, n);
			uk_libc_memcpy(dst + off + 1, src + 1, n);
			assert_memory_equal(dst + off + 1, src + 1, n);
			free(src);
			free(dst);
		}
	}
}

static void memmove_copies_overlapping_regions_in_both_directions(void **state)
{
	unsigned char init[128], a[sizeof(init)], b[sizeof(init)];

	rng_seed(3);
	for (size_t i = 0; i < sizeof(init); i++)
		init[i] = (unsigned char)rng();
	for (size_t so = 0; so <= 40; so++) {
		for (size_t d = 0; d <= 40; d++) {
			for (size_t n = 0; n <= MAX_LEN; n++) {
				memcpy(a, init, sizeof(a));
				memcpy(b, init, sizeof(b));
				assert_ptr_equal(uk_libc_memmove(a + d, a + so, n), a + d);
				memmove(b + d, b + so, n);
				assert_memory_equal(a, b, sizeof(a));
			}
		}
	}
}

static void memset_fills_with_the_low_byte_of_c_at_every_alignment(void **state)
{
	static const int values[] = { 0, 0x5a, 0x7f, 0x80, 0xff, -1, 0x100, 0x1234, -200 };
	unsigned char a[MAX_ALIGN + MAX_LEN + 16], b[sizeof(a)];

	for (size_t v = 0; v < ARRAY_SIZE(values); v++) {
		for (size_t off = 0; off < MAX_ALIGN; off++) {
			for (size_t n = 0; n <= MAX_LEN; n++) {
				memset(a, 0xee, sizeof(a));
				memset(b, 0xee, sizeof(b));
				assert_ptr_equal(uk_libc_memset(a + off, values[v], n), a + off);
				memset(b + off, values[v], n);
				assert_memory_equal(a, b, sizeof(a));
			}
		}
	}
}

static void memcmp_orders_by_the_first_differing_byte_as_unsigned(void **state)
{
	static const unsigned char pairs[][2] = {
		{ 0x01, 0x80 }, { 0x80, 0x01 }, { 0x7f, 0x80 }, { 0x00, 0xff }, { 0x41, 0x42 },
	};
	static const size_t b_offsets[] = { 0, 1, 5 };
	unsigned char a[8 + MAX_LEN], b[8 + MAX_LEN];

	rng_seed(4);
	for (size_t i = 0; i < sizeof(a); i++)
		a[i] = (unsigned char)rng();
	for (size_t ao = 0; ao < 8; ao++) {
		for (size_t bi = 0; bi < ARRAY_SIZE(b_offsets); bi++) {
			size_t bo = b_offsets[bi];

			for (size_t n = 0; n <= MAX_LEN; n++) {
				for (size_t k = 0; k <= n; k++) {
					for (size_t p = 0; p < ARRAY_SIZE(pairs); p++) {
						memcpy(b + bo, a + ao, n);
						if (k < n) {
							a[ao + k] = pairs[p][0];
							b[bo + k] = pairs[p][1];
						}
						assert_int_equal(
							sign_of(uk_libc_memcmp(a + ao, b + bo, n)),
							sign_of(memcmp(a + ao, b + bo, n)));
					}
				}
			}
		}
	}
}

static void memchr_finds_the_first_match_within_n_bytes(void **state)
{
	static const unsigned char alphabet[] = { 0, 'a', 'b', 0x80, 0xff };
	static const int values[] = { 0, 'a', 'b', 'z', 0x80, 0xff, 0x100 + 'a', -1, -128 };
	unsigned char buf[MAX_ALIGN + MAX_LEN];

	rng_seed(5);
	for (int round = 0; round < 8; round++) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = alphabet[rng_below(sizeof(alphabet))];
		for (size_t off = 0; off < MAX_ALIGN; off++) {
			for (size_t n = 0; n <= MAX_LEN; n++) {
				for (size_t v = 0; v < ARRAY_SIZE(values); v++)
					assert_ptr_equal(uk_libc_memchr(buf + off, values[v], n),
							 memchr(buf + off, values[v], n));
			}
		}
	}
}

/* ---- string functions ---- */

/* Few letters, so that strings share prefixes and characters repeat. */
static const char string_alphabet[] = "ab\x80\xff";
#define ROUNDS 2000

static void strlen_counts_up_to_the_terminator(void **state)
{
	char buf[100];

	rng_seed(6);
	for (int round = 0; round < ROUNDS; round++) {
		char *s = exact_copy(random_string(buf, 80, string_alphabet));

		assert_int_equal(uk_libc_strlen(s), strlen(s));
		free(s);
	}
}

static void strnlen_stops_at_maxlen_or_the_terminator(void **state)
{
	char buf[100];

	rng_seed(7);
	for (int round = 0; round < ROUNDS; round++) {
		char *s = exact_copy(random_string(buf, 80, string_alphabet));
		size_t len = strlen(s);

		for (size_t max = 0; max <= len + 2; max++)
			assert_int_equal(uk_libc_strnlen(s, max), strnlen(s, max));
		assert_int_equal(uk_libc_strnlen(s, SIZE_MAX), len);
		free(s);
	}
}

static void strcmp_orders_as_unsigned_chars(void **state)
{
	char a[40], b[40];

	rng_seed(8);
	for (int round = 0; round < 20 * ROUNDS; round++) {
		char *x = exact_copy(random_string(a, 6, string_alphabet));
		char *y = exact_copy(random_string(b, 6, string_alphabet));

		assert_int_equal(sign_of(uk_libc_strcmp(x, y)), sign_of(strcmp(x, y)));
		assert_int_equal(uk_libc_strcmp(x, x), 0);
		free(x);
		free(y);
	}
	assert_true(uk_libc_strcmp("\x80", "a") > 0);
	assert_true(uk_libc_strcmp("", "\x01") < 0);
}

static void strncmp_compares_at_most_n_characters(void **state)
{
	char a[40], b[40];

	rng_seed(9);
	for (int round = 0; round < 5 * ROUNDS; round++) {
		char *x = exact_copy(random_string(a, 8, string_alphabet));
		char *y = exact_copy(random_string(b, 8, string_alphabet));

		for (size_t n = 0; n <= 10; n++)
			assert_int_equal(sign_of(uk_libc_strncmp(x, y, n)),
					 sign_of(strncmp(x, y, n)));
		assert_int_equal(sign_of(uk_libc_strncmp(x, y, SIZE_MAX)),
				 sign_of(strcmp(x, y)));
		free(x);
		free(y);
	}
}

/* Characters to look for: the alphabet's, the terminator, absent ones, and
 * values that become an alphabet character when converted to char. */
static const int search_values[] = { 'a', 'b', 0x80, 0xff, -128, -1, 0, 'z', 0x100 + 'a' };

static void strchr_finds_the_first_match_or_the_terminator(void **state)
{
	char buf[100];

	rng_seed(10);
	for (int round = 0; round < ROUNDS; round++) {
		char *s = exact_copy(random_string(buf, 40, string_alphabet));

		for (size_t v = 0; v < ARRAY_SIZE(search_values); v++)
			assert_ptr_equal(uk_libc_strchr(s, search_values[v]),
					 strchr(s, search_values[v]));
		free(s);
	}
}

static void strrchr_finds_the_last_match_or_the_terminator(void **state)
{
	char buf[100];

	rng_seed(11);
	for (int round = 0; round < ROUNDS; round++) {
		char *s = exact_copy(random_string(buf, 40, string_alphabet));

		for (size_t v = 0; v < ARRAY_SIZE(search_values); v++)
			assert_ptr_equal(uk_libc_strrchr(s, search_values[v]),
					 strrchr(s, search_values[v]));
		free(s);
	}
}

static void strstr_finds_the_first_occurrence(void **state)
{
	char hay[100], needle[100];

	rng_seed(12);
	for (int round = 0; round < 10 * ROUNDS; round++) {
		char *h = exact_copy(random_string(hay, 40, "ab\x80"));
		char *n;

		/* Half the needles are taken from the haystack itself. */
		if (round % 2 == 0 && h[0] != '\0') {
			size_t start = rng_below(strlen(h));
			size_t len = rng_below(strlen(h) - start + 1);

			memcpy(needle, h + start, len);
			needle[len] = '\0';
		} else {
			random_string(needle, 5, "ab\x80");
		}
		n = exact_copy(needle);
		assert_ptr_equal(uk_libc_strstr(h, n), strstr(h, n));
		free(h);
		free(n);
	}
	assert_ptr_equal(uk_libc_strstr("", ""), strstr("", ""));
	assert_null(uk_libc_strstr("", "a"));
}

static void strstr_with_an_empty_needle_returns_the_haystack(void **state)
{
	const char *h = "abc";

	assert_ptr_equal(uk_libc_strstr(h, ""), h);
}

static void strspn_and_strcspn_measure_the_initial_run(void **state)
{
	char buf[100], set[10];

	rng_seed(13);
	for (int round = 0; round < 5 * ROUNDS; round++) {
		char *s = exact_copy(random_string(buf, 30, "abc\x80"));
		char *c = exact_copy(random_string(set, 3, "abc\x80"));

		assert_int_equal(uk_libc_strspn(s, c), strspn(s, c));
		assert_int_equal(uk_libc_strcspn(s, c), strcspn(s, c));
		free(s);
		free(c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(memcpy_copies_every_alignment_and_length_up_to_64),
		cmocka_unit_test(memcpy_touches_only_n_bytes),
		cmocka_unit_test(memmove_copies_overlapping_regions_in_both_directions),
		cmocka_unit_test(memset_fills_with_the_low_byte_of_c_at_every_alignment),
		cmocka_unit_test(memcmp_orders_by_the_first_differing_byte_as_unsigned),
		cmocka_unit_test(memchr_finds_the_first_match_within_n_bytes),
		cmocka_unit_test(strlen_counts_up_to_the_terminator),
		cmocka_unit_test(strnlen_stops_at_maxlen_or_the_terminator),
		cmocka_unit_test(strcmp_orders_as_unsigned_chars),
		cmocka_unit_test(strncmp_compares_at_most_n_characters),
		cmocka_unit_test(strchr_finds_the_first_match_or_the_terminator),
		cmocka_unit_test(strrchr_finds_the_last_match_or_the_terminator),
		cmocka_unit_test(strstr_finds_the_first_occurrence),
		cmocka_unit_test(strstr_with_an_empty_needle_returns_the_haystack),
		cmocka_unit_test(strspn_and_strcspn_measure_the_initial_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
