/*
 * uk_now_ns (runtime/time.c) keeps the time it read while the pvclock says
 * time stands still (tsc_to_system_mul 0, the simulator's virtual clock) and
 * the version is unchanged: each update (a new version) is seen at once, and
 * time that moves (the real clock) is read afresh every call.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "runtime/time_private.h"
#include "sim/clock.h"

static struct shared_info shinfo;

static struct vcpu_time_info *vcpu_time(void)
{
	return &shinfo.vcpu_info[0].time;
}

static int setup(void **state)
{
	memset(&shinfo, 0, sizeof(shinfo));
	uk_time_init(&shinfo);
	return 0;
}

static void test_now_follows_each_virtual_update(void **state)
{
	struct sim_clock c;

	sim_clock_init(&c, SIM_CLOCK_VIRTUAL);
	sim_clock_advance_to(&c, 1000);
	sim_clock_publish(&c, vcpu_time());
	assert_int_equal(uk_now_ns(), 1000);
	assert_int_equal(uk_now_ns(), 1000);
	sim_clock_advance_to(&c, 5000);
	sim_clock_publish(&c, vcpu_time());
	assert_int_equal(uk_now_ns(), 5000);
	sim_clock_advance_to(&c, 5001);
	sim_clock_publish(&c, vcpu_time());
	assert_int_equal(uk_now_ns(), 5001);
}

static void test_a_changed_snapshot_with_a_new_version_is_read(void **state)
{
	struct vcpu_time_info *t = vcpu_time();

	/* By hand, as Xen writes it: odd version, fields, even version. */
	t->version = 2;
	t->system_time = 7000;
	assert_int_equal(uk_now_ns(), 7000);
	__atomic_store_n(&t->version, 3, __ATOMIC_SEQ_CST);
	t->system_time = 9000;
	__atomic_store_n(&t->version, 4, __ATOMIC_SEQ_CST);
	assert_int_equal(uk_now_ns(), 9000);
}

static void test_moving_time_is_read_afresh_every_call(void **state)
{
	struct sim_clock c;
	struct timespec ms = { .tv_nsec = 2000000 };
	uint64_t a, b;

	sim_clock_init(&c, SIM_CLOCK_REAL);
	sim_clock_publish(&c, vcpu_time());
	a = uk_now_ns();
	while (nanosleep(&ms, &ms) != 0)
		;
	b = uk_now_ns(); /* no update in between: the TSC moves it */
	assert_true(b >= a + 1000000);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, NULL)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_now_follows_each_virtual_update),
		T(test_a_changed_snapshot_with_a_new_version_is_read),
		T(test_moving_time_is_read_afresh_every_call),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
