/*
 * Timer callbacks and event handlers run "between threads" (uk/timer.h): on
 * the scheduler's stack, 64 KiB on Xen (runtime/platform/xen/entry.S), or,
 * when a thread waits with nothing else to run, on top of that thread's
 * stack (runtime/sched.c, idle_in_place). A callback that fits the
 * scheduler's stack must fit there too: a thread waits in place only with
 * as much of its stack free, or its neighbour's memory would take the
 * callback's frames, and the runtime would panic that the thread overflowed.
 *
 * Like sched_idle_test.c, a unikernel run with --clock virtual.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "runtime/include/uk/boot.h"
#include "runtime/include/uk/sched.h"
#include "runtime/include/uk/time.h"
#include "runtime/include/uk/timer.h"
#include "runtime/sched_private.h"

const char uk_app_name[] = "sched_idle_handler_room_test";

#define MS UK_NSEC_PER_MSEC
/* A callback's frame well within Xen's 64 KiB scheduler stack. */
#define CALLBACK_FRAME (40 * 1024)

static struct {
	bool ran;
	uint8_t sum;
	uintptr_t lo, hi; /* the callback's frame buffer */
} cb;

/* Uses CALLBACK_FRAME bytes of stack, then wakes the waiter. */
static void __attribute__((noinline)) big_frame_callback(struct uk_timer *t, void *arg)
{
	volatile uint8_t buf[CALLBACK_FRAME];

	(void)t;
	for (size_t i = 0; i < sizeof(buf); i += 512)
		buf[i] = (uint8_t)i;
	cb.sum = buf[0] + buf[sizeof(buf) - 512];
	cb.lo = (uintptr_t)&buf[0];
	cb.hi = (uintptr_t)&buf[sizeof(buf) - 1];
	cb.ran = true;
	uk_waitq_wake_all(arg);
}

/* Waits for the callback with `used` bytes of this frame's stack in use. */
#define WAIT_WITH_USED(name, used)                                                         \
	static int __attribute__((noinline)) name(void)                                    \
	{                                                                                  \
		volatile uint8_t deep[used];                                               \
		struct uk_waitq wq = UK_WAITQ_INIT;                                        \
		struct uk_timer timer;                                                     \
		int rc;                                                                    \
                                                                                           \
		deep[0] = 1;                                                               \
		deep[sizeof(deep) - 1] = 1;                                                \
		uk_timer_init(&timer, big_frame_callback, &wq);                            \
		uk_timer_arm(&timer, 1 * MS);                                              \
		rc = uk_waitq_wait(&wq, 0);                                                \
		return rc + deep[0] - deep[sizeof(deep) - 1];                              \
	}
WAIT_WITH_USED(wait_shallow, 1024)
WAIT_WITH_USED(wait_96k_deep, 96 * 1024)

static void test_a_big_callback_runs_for_a_shallow_waiter(void **state)
{
	(void)state;
	memset(&cb, 0, sizeof(cb));
	assert_int_equal(wait_shallow(), 0);
	assert_true(cb.ran);
}

/* 32 KiB free: the callback's 40 KiB frame must not go on this thread's stack. */
static void test_a_big_callback_runs_for_a_waiter_96k_deep_without_overflowing_it(void **state)
{
	uintptr_t bottom = (uintptr_t)uk_thread_self()->stack;

	(void)state;
	memset(&cb, 0, sizeof(cb));
	assert_int_equal(wait_96k_deep(), 0);
	assert_true(cb.ran);
	/* On this thread's stack and past its bottom: into the memory under it. */
	assert_false(cb.lo < bottom && cb.hi >= bottom);
}

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_big_callback_runs_for_a_shallow_waiter),
		cmocka_unit_test(test_a_big_callback_runs_for_a_waiter_96k_deep_without_overflowing_it),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
