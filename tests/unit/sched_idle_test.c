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
	volatile uint8_t deep[96 * 1024];

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

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_thread_woken_before_the_waiter_runs_before_it),
		cmocka_unit_test(test_a_timer_runs_in_scheduler_context_while_the_only_thread_waits),
		cmocka_unit_test(test_a_thread_deep_in_its_stack_waits_and_times_out_on_time),
		cmocka_unit_test(test_a_waiter_with_a_deadline_woken_first_by_another_thread_gets_0),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
