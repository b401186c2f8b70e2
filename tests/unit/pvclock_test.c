/*
 * pvclock, both ends: the simulator publishes vcpu_time_info (sim/clock.c)
 * and the runtime reads it (runtime/time.c, compiled as guest code), under
 * the virtual clock (tsc_to_system_mul = 0: guest time is system_time) and
 * the real one (host TSC scale, interpolated between updates as on Xen).
 *
 * Real-clock tests measure host time; their bounds are generous on purpose:
 * they check correctness (the right unit, the right direction), not timing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <x86intrin.h>

#include "runtime/time_private.h"
#include "sim/clock.h"

#define NS_PER_MS 1000000ULL
#define NS_PER_SEC 1000000000ULL

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / NS_PER_SEC),
			       .tv_nsec = (long)(ns % NS_PER_SEC) };

	while (nanosleep(&ts, &ts) != 0)
		;
}

/* ns for tsc ticks with a scale, the pvclock formula from a zero timestamp. */
static uint64_t ticks_to_ns(uint64_t tsc, uint32_t mul, int8_t shift)
{
	struct vcpu_time_info t = { .tsc_to_system_mul = mul, .tsc_shift = shift };

	return uk_pvclock_scale(&t, tsc);
}

static uint64_t abs_diff(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

/* --- virtual clock --- */

static void test_virtual_clock_publishes_mul_0_and_no_tsc(void **state)
{
	struct sim_clock c;
	struct vcpu_time_info t;

	memset(&t, 0xa5, sizeof(t));
	t.version = 0;
	sim_clock_init(&c, SIM_CLOCK_VIRTUAL);
	sim_clock_publish(&c, &t);
	assert_int_equal(t.tsc_to_system_mul, 0);
	assert_int_equal(t.tsc_shift, 0);
	assert_int_equal(t.tsc_timestamp, 0);
	assert_int_equal(t.system_time, 0);
}

static void test_virtual_clock_guest_time_is_system_time_exactly(void **state)
{
	struct sim_clock c;
	struct vcpu_time_info t = { 0 };

	sim_clock_init(&c, SIM_CLOCK_VIRTUAL);
	sim_clock_advance_to(&c, 123456789);
	sim_clock_publish(&c, &t);
	assert_int_equal(uk_pvclock_read(&t), 123456789);
	/* Whatever the TSC says: mul 0 means it does not count. */
	assert_int_equal(uk_pvclock_scale(&t, 0), 123456789);
	assert_int_equal(uk_pvclock_scale(&t, __rdtsc()), 123456789);
	assert_int_equal(uk_pvclock_scale(&t, UINT64_MAX), 123456789);
}

static void test_virtual_clock_stands_still_until_advanced(void **state)
{
	struct sim_clock c;
	struct vcpu_time_info t = { 0 };
	uint64_t before;

	sim_clock_init(&c, SIM_CLOCK_VIRTUAL);
	sim_clock_advance_to(&c, 1000);
	sim_clock_publish(&c, &t);
	before = uk_pvclock_read(&t);
	sleep_ns(2 * NS_PER_MS);
	assert_int_equal(sim_clock_now(&c), 1000);
	sim_clock_publish(&c, &t);
	assert_int_equal(uk_pvclock_read(&t), before);
}

static void test_virtual_clock_advance_to_moves_time_to_exactly_t(void **state)
{
	struct sim_clock c;
	struct vcpu_time_info t = { 0 };

	sim_clock_init(&c, SIM_CLOCK_VIRTUAL);
	assert_int_equal(sim_clock_now(&c), 0);
	sim_clock_advance_to(&c, 5 * NS_PER_MS);
	sim_clock_publish(&c, &t);
	assert_int_equal(uk_pvclock_read(&t), 5 * NS_PER_MS);
	sim_clock_advance_to(&c, 7 * NS_PER_SEC + 1);
	sim_clock_publish(&c, &t);
	assert_int_equal(uk_pvclock_read(&t), 7 * NS_PER_SEC + 1);
}

static void test_virtual_clock_never_goes_backwards(void **state)
{
	struct sim_clock c;
	struct vcpu_time_info t = { 0 };

	sim_clock_init(&c, SIM_CLOCK_VIRTUAL);
	sim_clock_advance_to(&c, 5000);
	sim_clock_advance_to(&c, 3000);
	assert_int_equal(sim_clock_now(&c), 5000);
	sim_clock_advance_to(&c, 0);
	sim_clock_publish(&c, &t);
	assert_int_equal(uk_pvclock_read(&t), 5000);
}

static void test_virtual_wallclock_starts_at_2000_01_01(void **state)
{
	struct sim_clock c;
	static struct shared_info s;

	memset(&s, 0, sizeof(s));
	sim_clock_init(&c, SIM_CLOCK_VIRTUAL);
	sim_clock_publish_wallclock(&c, &s);
	assert_int_equal(s.wc_sec, 946684800);
	assert_int_equal(s.wc_sec_hi, 0);
	assert_int_equal(s.wc_nsec, 0);
	assert_int_equal(s.wc_version % 2, 0);
	assert_int_not_equal(s.wc_version, 0);
}

/* --- the version protocol --- */

static void test_publish_leaves_the_version_even_and_bumped(void **state)
{
	enum sim_clock_kind kinds[] = { SIM_CLOCK_VIRTUAL, SIM_CLOCK_REAL };

	for (unsigned int i = 0; i < 2; i++) {
		struct sim_clock c;
		struct vcpu_time_info t = { .version = 6 };

		sim_clock_init(&c, kinds[i]);
		sim_clock_publish(&c, &t);
		assert_int_equal(t.version, 8);
		sim_clock_publish(&c, &t);
		assert_int_equal(t.version, 10);
	}
}

static void test_read_of_a_consistent_snapshot_uses_its_values(void **state)
{
	/* 1 GHz: mul 2^31 with shift 1 is one ns per tick. */
	uint64_t tsc = __rdtsc();
	struct vcpu_time_info t = {
		.version = 4,
		.tsc_timestamp = tsc,
		.system_time = 42 * NS_PER_SEC,
		.tsc_to_system_mul = 1u << 31,
		.tsc_shift = 1,
	};
	uint64_t now = uk_pvclock_read(&t);

	/* Ticks since tsc, at whatever rate the host runs, as 1 GHz: within a second. */
	assert_true(now >= 42 * NS_PER_SEC);
	assert_true(now < 43 * NS_PER_SEC);
	assert_int_equal(t.version, 4);
}

/*
 * An update in progress (odd version) must not be read: the reader retries
 * until the writer is done. The "writer" here is a SIGALRM handler that
 * finishes the update a few ms after the reader started spinning.
 */
static volatile struct vcpu_time_info racing;

static void finish_update(int sig)
{
	racing.system_time = 777 * NS_PER_SEC;
	racing.tsc_to_system_mul = 0;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	racing.version = racing.version + 1;
}

static void test_read_retries_while_the_version_is_odd(void **state)
{
	struct sigaction sa = { .sa_handler = finish_update }, old;
	struct itimerval it = { .it_value = { .tv_sec = 0, .tv_usec = 20000 } };
	uint64_t now;

	/* Half-written: system_time is garbage, version odd. */
	racing.version = 11;
	racing.tsc_timestamp = 0;
	racing.system_time = 1;
	racing.tsc_to_system_mul = 0;
	racing.tsc_shift = 0;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
	now = uk_pvclock_read(&racing);
	sigaction(SIGALRM, &old, NULL);
	assert_int_equal(racing.version, 12);
	assert_int_equal(now, 777 * NS_PER_SEC);
}

/* --- uk_pvclock_scale --- */

static void test_scale_interpolates_from_the_timestamp(void **state)
{
	struct vcpu_time_info t = {
		.tsc_timestamp = 1000000,
		.system_time = 5 * NS_PER_SEC,
		.tsc_to_system_mul = 1u << 31, /* 1 GHz */
		.tsc_shift = 1,
	};

	assert_int_equal(uk_pvclock_scale(&t, 1000000), 5 * NS_PER_SEC);
	assert_int_equal(uk_pvclock_scale(&t, 1000000 + 12345), 5 * NS_PER_SEC + 12345);
}

static void test_scale_honours_a_negative_shift(void **state)
{
	/* 4 GHz: ticks halved, then times 0.5. */
	struct vcpu_time_info t = { .tsc_to_system_mul = 1u << 31, .tsc_shift = -1 };

	assert_int_equal(uk_pvclock_scale(&t, 4000), 1000);
	assert_int_equal(uk_pvclock_scale(&t, 4 * NS_PER_SEC), NS_PER_SEC);
}

static void test_scale_does_not_overflow_for_a_large_delta(void **state)
{
	/* A day at 3 GHz: delta * mul exceeds 64 bits. */
	uint32_t mul;
	int8_t shift;
	uint64_t day = 86400ULL * NS_PER_SEC;

	sim_clock_scale_for(3000000000ULL, &mul, &shift);
	assert_true(abs_diff(ticks_to_ns(86400ULL * 3000000000ULL, mul, shift), day) <
		    day / 1000000);
}

/* --- sim_clock_scale_for: Xen's set_time_scale --- */

static void test_scale_for_converts_a_second_of_ticks_to_1e9_ns_within_1ppm(void **state)
{
	static const uint64_t freqs[] = { 1000000000ULL, 2500000000ULL, 3700000000ULL,
					   100000000ULL,  10000000000ULL, 1193182ULL,
					   2903997000ULL };

	for (unsigned int i = 0; i < sizeof(freqs) / sizeof(freqs[0]); i++) {
		uint32_t mul;
		int8_t shift;
		uint64_t ns;

		sim_clock_scale_for(freqs[i], &mul, &shift);
		ns = ticks_to_ns(freqs[i], mul, shift);
		if (abs_diff(ns, NS_PER_SEC) > 1000)
			fail_msg("%llu Hz: mul %u shift %d gives %llu ns for 1 s",
				 (unsigned long long)freqs[i], mul, shift,
				 (unsigned long long)ns);
		/* And an hour of ticks, still within 1 ppm. */
		ns = ticks_to_ns(3600 * freqs[i], mul, shift);
		assert_true(abs_diff(ns, 3600 * NS_PER_SEC) <= 3600 * 1000);
	}
}

static void test_scale_for_keeps_mul_normalised(void **state)
{
	/* As Xen's: the fraction is in [0.5, 1), so mul uses all 32 bits. */
	static const uint64_t freqs[] = { 1000000000ULL, 2500000000ULL, 100000000ULL,
					  10000000000ULL };

	for (unsigned int i = 0; i < sizeof(freqs) / sizeof(freqs[0]); i++) {
		uint32_t mul;
		int8_t shift;

		sim_clock_scale_for(freqs[i], &mul, &shift);
		assert_true(mul >= 1u << 31);
		assert_true(shift >= -31 && shift <= 31);
	}
}

static void test_scale_for_1ghz_is_one_ns_per_tick(void **state)
{
	uint32_t mul;
	int8_t shift;

	sim_clock_scale_for(1000000000ULL, &mul, &shift);
	assert_int_equal(ticks_to_ns(1, mul, shift), 1);
	assert_int_equal(ticks_to_ns(123456789, mul, shift), 123456789);
}

/* --- real clock --- */

static void test_real_clock_reads_20ms_across_a_20ms_sleep(void **state)
{
	struct sim_clock c;
	struct vcpu_time_info t = { 0 };
	uint64_t a, b;

	sim_clock_init(&c, SIM_CLOCK_REAL);
	sim_clock_publish(&c, &t);
	a = uk_pvclock_read(&t);
	sleep_ns(20 * NS_PER_MS);
	/* No update in between: the guest interpolates with the TSC. */
	b = uk_pvclock_read(&t);
	assert_in_range(b - a, 15 * NS_PER_MS, 200 * NS_PER_MS);
}

static void test_real_clock_agrees_with_the_host_clock_after_an_update(void **state)
{
	struct sim_clock c;
	struct vcpu_time_info t = { 0 };
	uint64_t host0, guest0, host1, guest1;

	sim_clock_init(&c, SIM_CLOCK_REAL);
	sim_clock_publish(&c, &t);
	host0 = monotonic_ns();
	guest0 = uk_pvclock_read(&t);
	sleep_ns(20 * NS_PER_MS);
	sim_clock_publish(&c, &t);
	guest1 = uk_pvclock_read(&t);
	host1 = monotonic_ns();
	assert_true(guest1 > guest0);
	/* Guest time runs at host time: the intervals agree within 10 ms. */
	assert_true(abs_diff(guest1 - guest0, host1 - host0) < 10 * NS_PER_MS);
	assert_int_equal(t.flags & XEN_PVCLOCK_TSC_STABLE_BIT, XEN_PVCLOCK_TSC_STABLE_BIT);
}

static void test_real_clock_scale_matches_the_measured_tsc_frequency(void **state)
{
	struct sim_clock c;
	struct vcpu_time_info t = { 0 };
	uint64_t tsc0, ns0, tsc1, ns1, freq, ns;

	sim_clock_init(&c, SIM_CLOCK_REAL);
	tsc0 = __rdtsc();
	ns0 = monotonic_ns();
	sleep_ns(50 * NS_PER_MS);
	tsc1 = __rdtsc();
	ns1 = monotonic_ns();
	freq = (uint64_t)((unsigned __int128)(tsc1 - tsc0) * NS_PER_SEC / (ns1 - ns0));
	sim_clock_publish(&c, &t);
	assert_int_not_equal(t.tsc_to_system_mul, 0);
	/* freq ticks are one second: within 1%. */
	ns = ticks_to_ns(freq, t.tsc_to_system_mul, t.tsc_shift);
	if (abs_diff(ns, NS_PER_SEC) > NS_PER_SEC / 100)
		fail_msg("measured %llu Hz; published mul %u shift %d gives %llu ns a second",
			 (unsigned long long)freq, t.tsc_to_system_mul, t.tsc_shift,
			 (unsigned long long)ns);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_virtual_clock_publishes_mul_0_and_no_tsc),
		cmocka_unit_test(test_virtual_clock_guest_time_is_system_time_exactly),
		cmocka_unit_test(test_virtual_clock_stands_still_until_advanced),
		cmocka_unit_test(test_virtual_clock_advance_to_moves_time_to_exactly_t),
		cmocka_unit_test(test_virtual_clock_never_goes_backwards),
		cmocka_unit_test(test_virtual_wallclock_starts_at_2000_01_01),
		cmocka_unit_test(test_publish_leaves_the_version_even_and_bumped),
		cmocka_unit_test(test_read_of_a_consistent_snapshot_uses_its_values),
		cmocka_unit_test(test_read_retries_while_the_version_is_odd),
		cmocka_unit_test(test_scale_interpolates_from_the_timestamp),
		cmocka_unit_test(test_scale_honours_a_negative_shift),
		cmocka_unit_test(test_scale_does_not_overflow_for_a_large_delta),
		cmocka_unit_test(test_scale_for_converts_a_second_of_ticks_to_1e9_ns_within_1ppm),
		cmocka_unit_test(test_scale_for_keeps_mul_normalised),
		cmocka_unit_test(test_scale_for_1ghz_is_one_ns_per_tick),
		cmocka_unit_test(test_real_clock_reads_20ms_across_a_20ms_sleep),
		cmocka_unit_test(test_real_clock_agrees_with_the_host_clock_after_an_update),
		cmocka_unit_test(test_real_clock_scale_matches_the_measured_tsc_frequency),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
