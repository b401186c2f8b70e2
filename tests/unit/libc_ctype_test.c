/*
 * runtime/libc's ctype.c against the host's C locale.
 * (libc_test.h says how both live in one program.)
 */
#include "libc_test.h"

/* ---- ctype ---- */

struct classifier {
	const char *name;
	int (*ours)(int);
	int (*host)(int);
};

#define CLASSIFIER(f) { #f, uk_libc_##f, f }

/* EOF and every value an unsigned or signed char can have. */
static void ctype_classifies_every_byte_and_eof_like_the_c_locale(void **state)
{
	static const struct classifier classifiers[] = {
		CLASSIFIER(isalnum), CLASSIFIER(isalpha), CLASSIFIER(isdigit),
		CLASSIFIER(isxdigit), CLASSIFIER(isspace), CLASSIFIER(isprint),
		CLASSIFIER(isupper), CLASSIFIER(islower),
	};

	for (size_t i = 0; i < ARRAY_SIZE(classifiers); i++) {
		for (int c = -128; c <= 255; c++) {
			int ours = classifiers[i].ours(c);

			if ((ours != 0) != (classifiers[i].host(c) != 0))
				fail_msg("%s(%d): %d, host %d", classifiers[i].name, c, ours,
					 classifiers[i].host(c));
			assert_true(ours == 0 || ours == 1);
		}
	}
}

/*
 * EOF and 0..255 exactly. A negative signed char (undefined in C) comes back
 * unchanged here and as its unsigned value from glibc: the same char.
 */
static void toupper_and_tolower_map_every_byte_and_eof_like_the_c_locale(void **state)
{
	for (int c = -128; c <= 255; c++) {
		if (c >= -1) {
			assert_int_equal(uk_libc_toupper(c), toupper(c));
			assert_int_equal(uk_libc_tolower(c), tolower(c));
		} else {
			assert_int_equal(uk_libc_toupper(c), c);
			assert_int_equal(uk_libc_tolower(c), c);
			assert_int_equal((unsigned char)uk_libc_toupper(c), (unsigned char)toupper(c));
			assert_int_equal((unsigned char)uk_libc_tolower(c), (unsigned char)tolower(c));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ctype_classifies_every_byte_and_eof_like_the_c_locale),
		cmocka_unit_test(toupper_and_tolower_map_every_byte_and_eof_like_the_c_locale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
