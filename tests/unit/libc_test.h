/*
 * What the tests of runtime/libc share (libc_<feature>_test.c): the host C
 * library and runtime/libc side by side, and a fixed-seed random generator.
 *
 * runtime/libc's functions are compiled as guest code with every name
 * renamed to uk_libc_NAME (uk_libc_rename.h, generated from
 * runtime/libc/include by tests/unit/CMakeLists.txt), so that both versions
 * live in one program: each test calls uk_libc_X and the host's X and
 * compares what they return and what they write. The tests of the
 * documented differences from glibc check runtime/libc's behaviour directly.
 *
 * Random inputs come from a fixed-seed generator: runs are repeatable.
 */
#ifndef TESTS_UNIT_LIBC_TEST_H
#define TESTS_UNIT_LIBC_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* runtime/libc's prototypes, under the names uk_libc_NAME. */
#include "uk_libc_rename.h"
#include "runtime/libc/include/ctype.h"
#include "runtime/libc/include/stdio.h"
#include "runtime/libc/include/stdlib.h"
#include "runtime/libc/include/string.h"
#include "uk_libc_unrename.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* xorshift64*: a fixed sequence per seed. */
static uint64_t rng_state;

static inline void rng_seed(uint64_t seed)
{
	rng_state = seed | 1;
}

static inline uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static inline size_t rng_below(size_t n)
{
	return (size_t)(rng() % n);
}

/* A string of up to max_len characters drawn from alphabet, in buf. */
static inline char *random_string(char *buf, size_t max_len, const char *alphabet)
{
	size_t len = rng_below(max_len + 1), n = strlen(alphabet);

	for (size_t i = 0; i < len; i++)
		buf[i] = alphabet[rng_below(n)];
	buf[len] = '\0';
	return buf;
}

/* A heap copy of exactly strlen(s) + 1 bytes: valgrind sees any overread. */
static inline char *exact_copy(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	assert_non_null(p);
	memcpy(p, s, n);
	return p;
}

static inline int sign_of(int v)
{
	return (v > 0) - (v < 0);
}

#endif
