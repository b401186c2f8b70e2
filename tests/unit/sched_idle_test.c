/*
 * A thread that waits while no other thread can run runs the scheduler's
 * idle passes itself, on its own stack, and goes on at once when it is the
 * first thread woken (runtime/sched.c, idle_in_place). These tests pin down
 * that nothing else changes: timers and events still run in scheduler
 * context, a thread woken before it runs first, and a thread deep in its
 * stack waits through the scheduler as before.
 *
 * Like sched_test.c, a unikernel run with --clock virtual; assertions only
 * in the main thread, workers record what they saw.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>
#include <errno.h>

#include "runtime/include/uk/alloc.h"
#include "runtime/include/uk/boot.h"
#include "runtime/include/uk/sched.h"
#include "runtime/include/uk/time.h"
#include "runtime/include/uk/timer.h"

const char uk_app_name[] = "sched_idle_test";

#define MS UK_NSEC_PER_MSEC

static struct {
	unsigned int n;
	int who[8];
} order;

static void record(int who)
{
	if (order.n < 8)
		order.who[order.n] = who;
	order.n++;
}

static struct uk_waitq main_wq = UK_WAITQ_INIT, worker_wq = UK_WAITQ_INIT;

static int worker_waits_then_records(void *arg)
{
	(void)arg;
	uk_waitq_wait(&worker_wq, 0);
	record(2);
	return 0;
}

/* A timer callback: wakes the worker first, then the main thread. */
static void wake_worker_then_main(struct uk_timer *t, void *arg)
{
	(void)t;
	(void)arg;
	uk_waitq_wake_all(&worker_wq);
	uk_waitq_wake_all(&main_wq);
}

static void test_a_thread_woken_before_the_waiter_runs_before_it(void **state)
{
	struct uk_thread *w = uk_thread_create("worker", worker_waits_then_records, NULL);
	struct uk_timer timer;

	assert_non_null(w);
	memset(&order, 0, sizeof(order));
	uk_yield(); /* the worker runs and waits */
	uk_timer_init(&timer, wake_worker_then_main, NULL);
	uk_timer_arm(&timer, 5 * MS);
	/* Nobody else can run: this thread idles in place until the timer. */
	assert_int_equal(uk_waitq_wait(&main_wq, 0), 0);
	record(1);
	assert_int_equal(order.n, 2);
	assert_int_equal(order.who[0], 2); /* woken first, so ran first */
	assert_int_equal(order.who[1], 1);
	uk_thread_join(w);
}

static struct {
	bool ran;
	struct uk_thread *self;
} seen;

static void note_context(struct uk_timer *t, void *arg)
{
	(void)t;
	seen.ran = true;
	seen.self = uk_thread_self();
	uk_waitq_wake_all(arg);
}

static void test_a_timer_runs_in_scheduler_context_while_the_only_thread_waits(void **state)
{
	struct uk_waitq wq = UK_WAITQ_INIT;
	struct uk_timer timer;
	uint64_t t0 = uk_now_ns();

	memset(&seen, 0, sizeof(seen));
	uk_timer_init(&timer, note_context, &wq);
	uk_timer_arm(&timer, 3 * MS);
	assert_int_equal(uk_waitq_wait(&wq, 0), 0);
	assert_true(seen.ran);
	assert_null(seen.self); /* scheduler context: no current thread */
	assert_non_null(uk_thread_self());
	assert_int_equal(uk_now_ns() - t0, 3 * MS);
}

/* Waits with most of the stack in use: the scheduler's switch, not an idle in place. */
static int __attribute__((noinline)) wait_deep(uint64_t deadline)
{
	volatile uint8_t deep[112 * 1024];

	deep[0] = 1;
	deep[sizeof(deep) - 1] = 1;
	return uk_waitq_wait(&main_wq, deadline) + deep[0] - deep[sizeof(deep) - 1];
}

static void test_a_thread_deep_in_its_stack_waits_and_times_out_on_time(void **state)
{
	uint64_t t0 = uk_now_ns();

	assert_int_equal(wait_deep(t0 + 7 * MS), -ETIMEDOUT);
	assert_int_equal(uk_now_ns() - t0, 7 * MS);
}

static void test_a_waiter_with_a_deadline_woken_first_by_another_thread_gets_0(void **state)
{
	struct uk_timer timer;
	uint64_t t0 = uk_now_ns();

	uk_timer_init(&timer, wake_worker_then_main, NULL);
	uk_timer_arm(&timer, 2 * MS);
	assert_int_equal(uk_waitq_wait(&main_wq, t0 + 10 * MS), 0);
	assert_int_equal(uk_now_ns() - t0, 2 * MS);
	/* The deadline's timer was cancelled: a later wait is not cut short by it. */
	assert_int_equal(uk_waitq_wait(&main_wq, t0 + 20 * MS), -ETIMEDOUT);
	assert_int_equal(uk_now_ns() - t0, 20 * MS);
}

/* Where a timer callback's frame was: on the waiting thread's stack, or the scheduler's. */
static uintptr_t callback_at;

static void note_stack(struct uk_timer *t, void *arg)
{
	volatile uint8_t here = 0;

	(void)t;
	callback_at = (uintptr_t)&here + here;
	uk_waitq_wake_all(arg);
}

/* Waits for a timer 1 ms on with `used` bytes of this frame's stack in use. */
#define WAIT_WITH_USED(name, used)                                                         \
	static uintptr_t __attribute__((noinline)) name(void)                              \
	{                                                                                  \
		volatile uint8_t deep[used];                                               \
		struct uk_waitq wq = UK_WAITQ_INIT;                                        \
		struct uk_timer timer;                                                     \
                                                                                           \
		deep[0] = 1;                                                               \
		deep[sizeof(deep) - 1] = 1;                                                \
		uk_timer_init(&timer, note_stack, &wq);                                    \
		uk_timer_arm(&timer, 1 * MS);                                              \
		assert_int_equal(uk_waitq_wait(&wq, 0), 0);                                \
		return (uintptr_t)&deep[0] + deep[0] - deep[sizeof(deep) - 1];             \
	}
WAIT_WITH_USED(wait_shallow, 1024)
WAIT_WITH_USED(wait_40k_deep, 40 * 1024)
WAIT_WITH_USED(wait_112k_deep, 112 * 1024)

/* Whether the callback ran within a thread stack's reach of `mine` (a local of the waiter's). */
static bool callback_on_stack_of(uintptr_t mine)
{
	return (mine > callback_at ? mine - callback_at : callback_at - mine) <
	       UK_THREAD_STACK_SIZE;
}

static void test_a_shallow_waiter_runs_the_callbacks_on_its_own_stack(void **state)
{
	uintptr_t mine = wait_shallow();

	assert_true(callback_on_stack_of(mine));
}

/*
 * An idle pass in place runs only the guest's handlers and timers on the
 * thread's stack (the simulator's block runs on its own stack,
 * hypercall_shim/stack_switch.S): a thread with 40 KiB in use idles in
 * place too, which it did not while the block needed about 80 KiB there.
 */
static void test_a_waiter_40k_deep_runs_the_callbacks_on_its_own_stack(void **state)
{
	uintptr_t mine = wait_40k_deep();

	assert_true(callback_on_stack_of(mine));
}

/*
 * With less than runtime/sched.c's IDLE_IN_PLACE_STACK_MIN (64 KiB) free, a
 * waiter waits through the scheduler, or the pass could write below its stack.
 */
static void test_a_waiter_with_less_than_the_idle_passs_room_free_waits_through_the_scheduler(
	void **state)
{
	uintptr_t mine = wait_112k_deep();

	assert_false(callback_on_stack_of(mine));
}

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_thread_woken_before_the_waiter_runs_before_it),
		cmocka_unit_test(test_a_timer_runs_in_scheduler_context_while_the_only_thread_waits),
		cmocka_unit_test(test_a_thread_deep_in_its_stack_waits_and_times_out_on_time),
		cmocka_unit_test(test_a_waiter_with_a_deadline_woken_first_by_another_thread_gets_0),
		cmocka_unit_test(test_a_shallow_waiter_runs_the_callbacks_on_its_own_stack),
		cmocka_unit_test(test_a_waiter_40k_deep_runs_the_callbacks_on_its_own_stack),
		cmocka_unit_test(
			test_a_waiter_with_less_than_the_idle_passs_room_free_waits_through_the_scheduler),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
