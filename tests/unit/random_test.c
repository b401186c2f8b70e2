/*
 * The runtime's random generator (runtime/random.c, <uk/random.h>), tested
 * inside a running guest like sched_test, so that the first test sees the
 * generator exactly as boot seeded it. Run it with --seed 5: the sim
 * platform's entropy is the splitmix64 stream of the simulator's --seed,
 * and boot seeds the generator with its first 64 bits.
 *
 * The known answers were computed outside the project from the published
 * algorithms (splitmix64; xoshiro256** seeded by four splitmix64 outputs).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "runtime/include/uk/boot.h"
#include "runtime/include/uk/random.h"
#include "runtime/random_private.h"

const char uk_app_name[] = "random_test";

#define N 64

/* Must run first: nothing may draw from the generator before it. */
static void test_boot_seeds_the_generator_from_the_simulators_seed(void **state)
{
	uint64_t entropy_state = 5; /* --seed 5 */

	assert_int_equal(uk_random_u64(), UINT64_C(0xce102abb1de40cdb));
	assert_int_equal(uk_random_u64(), UINT64_C(0xa6e7e5b1ca0c3358));
	/* That is the generator seeded with the first splitmix64 output of 5. */
	uk_random_seed(uk_splitmix64(&entropy_state));
	assert_int_equal(uk_random_u64(), UINT64_C(0xce102abb1de40cdb));
}

static void test_splitmix64_gives_the_published_first_output_for_0(void **state)
{
	uint64_t s = 0;

	assert_int_equal(uk_splitmix64(&s), UINT64_C(0xe220a8397b1dcdaf));
	assert_int_equal(s, UINT64_C(0x9e3779b97f4a7c15));
}

static void test_xoshiro256starstar_gives_the_known_sequence(void **state)
{
	uk_random_seed(0);
	assert_int_equal(uk_random_u64(), UINT64_C(0x99ec5f36cb75f2b4));
	assert_int_equal(uk_random_u64(), UINT64_C(0xbf6e1f784956452a));
	assert_int_equal(uk_random_u64(), UINT64_C(0x1a5f849d4933e6e0));
	uk_random_seed(1);
	assert_int_equal(uk_random_u64(), UINT64_C(0xb3f2af6d0fc710c5));
}

static void test_the_same_seed_gives_the_same_sequence(void **state)
{
	uint64_t a[N], b[N];

	uk_random_seed(42);
	for (int i = 0; i < N; i++)
		a[i] = uk_random_u64();
	uk_random_seed(42);
	for (int i = 0; i < N; i++)
		b[i] = uk_random_u64();
	assert_memory_equal(a, b, sizeof(a));
}

static void test_different_seeds_give_different_sequences(void **state)
{
	uint64_t a[N], b[N];
	int same = 0;

	uk_random_seed(1);
	for (int i = 0; i < N; i++)
		a[i] = uk_random_u64();
	uk_random_seed(2);
	for (int i = 0; i < N; i++)
		b[i] = uk_random_u64();
	for (int i = 0; i < N; i++)
		same += a[i] == b[i];
	assert_int_equal(same, 0);
}

static void test_u32_is_the_high_half_of_the_next_u64(void **state)
{
	uint64_t v;

	uk_random_seed(7);
	v = uk_random_u64();
	uk_random_seed(7);
	assert_int_equal(uk_random_u32(), (uint32_t)(v >> 32));
}

static void test_below_0_and_1_give_0(void **state)
{
	for (int i = 0; i < N; i++) {
		assert_int_equal(uk_random_below(0), 0);
		assert_int_equal(uk_random_below(1), 0);
	}
}

static void test_below_stays_under_its_bound_and_reaches_every_value(void **state)
{
	unsigned int count[10] = { 0 };

	uk_random_seed(3);
	for (int i = 0; i < 10000; i++) {
		uint64_t v = uk_random_below(10);

		assert_true(v < 10);
		count[v]++;
	}
	/* 1000 expected each; the binomial's sd is 30: 10 sd either way. */
	for (int v = 0; v < 10; v++)
		assert_in_range(count[v], 700, 1300);
}

/*
 * 3 * 2^62: a plain modulo would give values under 2^62 twice the chance of
 * the others (half the draws instead of a third).
 */
static void test_below_a_bound_of_three_quarters_of_the_range_is_unbiased(void **state)
{
	const uint64_t bound = UINT64_C(3) << 62;
	unsigned int low = 0;

	uk_random_seed(4);
	for (int i = 0; i < 4000; i++) {
		uint64_t v = uk_random_below(bound);

		assert_true(v < bound);
		low += v < (UINT64_C(1) << 62);
	}
	/* 1333 expected, sd 30; a modulo would give 2000. */
	assert_in_range(low, 1200, 1470);
}

static void test_below_the_largest_bound_stays_under_it(void **state)
{
	uk_random_seed(5);
	for (int i = 0; i < N; i++)
		assert_true(uk_random_below(UINT64_MAX) < UINT64_MAX);
}

static void test_bytes_are_the_u64_stream_in_memory_order(void **state)
{
	uint64_t v[2];
	uint8_t buf[13 + 1];

	uk_random_seed(9);
	v[0] = uk_random_u64();
	v[1] = uk_random_u64();
	uk_random_seed(9);
	buf[13] = 0x5a;
	uk_random_bytes(buf, 13);
	assert_memory_equal(buf, v, 13);
	assert_int_equal(buf[13], 0x5a); /* not a byte past the end */
}

static void test_bytes_fill_the_whole_buffer(void **state)
{
	static uint8_t buf[4096];
	unsigned int seen[256] = { 0 }, zero = 0;

	memset(buf, 0, sizeof(buf));
	uk_random_seed(11);
	uk_random_bytes(buf, sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		seen[buf[i]]++;
	/* 16 of each value expected: none missing, and no run of untouched zeros. */
	for (int b = 0; b < 256; b++)
		assert_true(seen[b] > 0);
	for (size_t i = sizeof(buf) - 64; i < sizeof(buf); i++)
		zero += buf[i] == 0;
	assert_true(zero < 8);
}

static void test_zero_bytes_touch_nothing(void **state)
{
	uint8_t b = 0x77;

	uk_random_bytes(&b, 0);
	assert_int_equal(b, 0x77);
}

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_seeds_the_generator_from_the_simulators_seed),
		cmocka_unit_test(test_splitmix64_gives_the_published_first_output_for_0),
		cmocka_unit_test(test_xoshiro256starstar_gives_the_known_sequence),
		cmocka_unit_test(test_the_same_seed_gives_the_same_sequence),
		cmocka_unit_test(test_different_seeds_give_different_sequences),
		cmocka_unit_test(test_u32_is_the_high_half_of_the_next_u64),
		cmocka_unit_test(test_below_0_and_1_give_0),
		cmocka_unit_test(test_below_stays_under_its_bound_and_reaches_every_value),
		cmocka_unit_test(test_below_a_bound_of_three_quarters_of_the_range_is_unbiased),
		cmocka_unit_test(test_below_the_largest_bound_stays_under_it),
		cmocka_unit_test(test_bytes_are_the_u64_stream_in_memory_order),
		cmocka_unit_test(test_bytes_fill_the_whole_buffer),
		cmocka_unit_test(test_zero_bytes_touch_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
