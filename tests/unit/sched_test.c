/*
 * The scheduler (runtime/sched.c), tested inside a running guest.
 *
 * The runtime only runs booted, so this test is a unikernel: the shim's
 * main() boots the simulated domain and app_main runs the CMocka group in
 * the guest's main thread (128 KiB stack). Run it with --clock virtual:
 * guest time then moves only while every thread is blocked, straight to the
 * next deadline, so sleeps and timeouts end at exactly their deadline.
 *
 * Assertions are made only in the main thread: a failing CMocka assertion
 * longjmps to the runner, which must not happen from another thread's stack.
 * Worker threads record what they saw; the test checks it after joining.
 *
 * Every test gives back the guest memory it took; the teardown checks it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>
#include <xen/errno.h>

#include "runtime/include/uk/alloc.h"
#include "runtime/include/uk/boot.h"
#include "runtime/include/uk/sched.h"
#include "runtime/include/uk/time.h"

const char uk_app_name[] = "sched_test";

#define MS UK_NSEC_PER_MSEC
#define MAX_EVENTS 64

/* What the worker threads saw, in the order they saw it. */
static struct {
	unsigned int n;
	int who[MAX_EVENTS];
	uint64_t when[MAX_EVENTS];
	int rc[MAX_EVENTS];
} log_;

static void log_reset(void)
{
	memset(&log_, 0, sizeof(log_));
}

static void log_event(int who, int rc)
{
	if (log_.n < MAX_EVENTS) {
		log_.who[log_.n] = who;
		log_.when[log_.n] = uk_now_ns();
		log_.rc[log_.n] = rc;
	}
	log_.n++;
}

static void assert_order(const int *expect, unsigned int n)
{
	assert_int_equal(log_.n, n);
	for (unsigned int i = 0; i < n; i++)
		if (log_.who[i] != expect[i])
			fail_msg("event %u: thread %d ran, expected thread %d", i, log_.who[i],
				 expect[i]);
}

/* Each worker gets one of these as its argument. */
struct worker {
	int id;
	int rounds;          /* yield workers: how many times to log and yield */
	uint64_t deadline;   /* sleepers: when to wake */
	struct uk_waitq *wq; /* waiters: the queue */
	int ret;             /* what fn returns */
	struct uk_thread *self_seen;
	const char *name_seen;
};

static struct uk_thread *spawn(const char *name, uk_thread_fn fn, struct worker *w)
{
	struct uk_thread *t = uk_thread_create(name, fn, w);

	assert_non_null(t);
	return t;
}

static void join_all(struct uk_thread **t, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		uk_thread_join(t[i]);
}

static int log_once(void *arg)
{
	struct worker *w = arg;

	log_event(w->id, 0);
	return w->ret;
}

static int log_and_yield(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < w->rounds; i++) {
		log_event(w->id, 0);
		uk_yield();
	}
	return 0;
}

static int sleep_until_deadline(void *arg)
{
	struct worker *w = arg;

	uk_sleep_until(w->deadline);
	log_event(w->id, 0);
	return 0;
}

static int wait_on_queue(void *arg)
{
	struct worker *w = arg;
	int rc = uk_waitq_wait(w->wq, w->deadline);

	log_event(w->id, rc);
	return 0;
}

/* Memory before each test, to check that the test gave it all back. */
static struct uk_mem_stats baseline;

static struct uk_mem_stats mem_now(void)
{
	struct uk_mem_stats s;

	uk_mem_stats(&s);
	return s;
}

static int setup(void **state)
{
	log_reset();
	baseline = mem_now();
	return 0;
}

static int teardown(void **state)
{
	struct uk_mem_stats now;

	/* Let the scheduler reap anything that ended detached. */
	uk_yield();
	uk_yield();
	now = mem_now();
	assert_int_equal(now.pages_free, baseline.pages_free);
	assert_int_equal(now.heap_blocks, baseline.heap_blocks);
	return 0;
}

/* --- creating, running, joining --- */

static void test_threads_run_in_creation_order(void **state)
{
	struct worker w[4] = { { .id = 0 }, { .id = 1 }, { .id = 2 }, { .id = 3 } };
	struct uk_thread *t[4];
	static const int expect[] = { 0, 1, 2, 3 };

	for (int i = 0; i < 4; i++)
		t[i] = spawn("worker", log_once, &w[i]);
	/* Created, not yet run: creating does not switch threads. */
	assert_int_equal(log_.n, 0);
	join_all(t, 4);
	assert_order(expect, 4);
}

static void test_yield_round_robins_between_threads(void **state)
{
	struct worker w[3] = { { .id = 0, .rounds = 3 }, { .id = 1, .rounds = 3 },
			       { .id = 2, .rounds = 3 } };
	struct uk_thread *t[3];
	static const int expect[] = { 0, 1, 2, 0, 1, 2, 0, 1, 2 };

	for (int i = 0; i < 3; i++)
		t[i] = spawn("rr", log_and_yield, &w[i]);
	join_all(t, 3);
	assert_order(expect, 9);
}

static void test_yield_lets_every_other_runnable_thread_run_once(void **state)
{
	struct worker w[2] = { { .id = 0, .rounds = 5 }, { .id = 1, .rounds = 5 } };
	struct uk_thread *t[2];
	static const int expect[] = { 0, 1 };

	t[0] = spawn("a", log_and_yield, &w[0]);
	t[1] = spawn("b", log_and_yield, &w[1]);
	uk_yield();
	/* Each ran once and yielded; the main thread was next. */
	assert_order(expect, 2);
	uk_yield();
	assert_int_equal(log_.n, 4);
	join_all(t, 2);
	assert_int_equal(log_.n, 10);
}

static void test_yield_with_no_other_thread_returns_at_once(void **state)
{
	uint64_t before = uk_now_ns();

	uk_yield();
	assert_int_equal(uk_now_ns(), before);
	assert_int_equal(log_.n, 0);
}

static void test_join_returns_the_threads_return_value(void **state)
{
	struct worker a = { .id = 0, .ret = 42 }, b = { .id = 1, .ret = -5 };
	struct uk_thread *ta = spawn("a", log_once, &a), *tb = spawn("b", log_once, &b);

	assert_int_equal(uk_thread_join(ta), 42);
	assert_int_equal(uk_thread_join(tb), -5);
}

static bool ran_past_exit;

static void exit_from_deep_inside(int status)
{
	uk_thread_exit(status);
}

static int call_thread_exit(void *arg)
{
	struct worker *w = arg;

	exit_from_deep_inside(w->ret);
	ran_past_exit = true;
	return -1;
}

static void test_join_returns_the_status_given_to_uk_thread_exit(void **state)
{
	struct worker w = { .ret = 7 };
	struct uk_thread *t = spawn("exiter", call_thread_exit, &w);

	ran_past_exit = false;
	assert_int_equal(uk_thread_join(t), 7);
	assert_false(ran_past_exit);
}

static void test_join_of_an_ended_thread_returns_its_status(void **state)
{
	struct worker w = { .id = 0, .ret = 3 };
	struct uk_thread *t = spawn("quick", log_once, &w);

	uk_yield();
	assert_int_equal(log_.n, 1); /* it has ended */
	assert_int_equal(uk_thread_join(t), 3);
}

static int note_self(void *arg)
{
	struct worker *w = arg;

	w->self_seen = uk_thread_self();
	w->name_seen = uk_thread_name(uk_thread_self());
	return 0;
}

static void test_thread_self_and_name_identify_the_running_thread(void **state)
{
	struct worker w = { 0 };
	struct uk_thread *t = spawn("named-worker", note_self, &w);
	char name[32];

	assert_string_equal(uk_thread_name(t), "named-worker");
	/* The name lives in the thread; copy it before join frees the thread. */
	uk_yield();
	assert_ptr_equal(w.self_seen, t);
	strcpy(name, w.name_seen);
	assert_string_equal(name, "named-worker");
	assert_ptr_not_equal(uk_thread_self(), t);
	uk_thread_join(t);
}

static void test_thread_name_is_truncated_to_31_bytes(void **state)
{
	struct worker w = { 0 };
	struct uk_thread *t = spawn("a-thread-name-that-is-much-longer-than-31-bytes",
				    log_once, &w);

	assert_int_equal(strlen(uk_thread_name(t)), 31);
	assert_memory_equal(uk_thread_name(t), "a-thread-name-that-is-much-long", 31);
	uk_thread_join(t);
}

/* --- sleeping (virtual clock) --- */

static void test_sleep_ns_wakes_at_exactly_the_deadline(void **state)
{
	uint64_t t0 = uk_now_ns();

	uk_sleep_ns(5 * MS);
	assert_int_equal(uk_now_ns() - t0, 5 * MS);
	uk_sleep_ns(1);
	assert_int_equal(uk_now_ns() - t0, 5 * MS + 1);
}

static void test_sleep_until_a_passed_deadline_returns_at_once(void **state)
{
	uint64_t t0 = uk_now_ns();

	uk_sleep_until(t0);
	uk_sleep_ns(0);
	assert_int_equal(uk_now_ns(), t0);
}

static void test_sleepers_wake_in_deadline_order(void **state)
{
	uint64_t t0 = uk_now_ns();
	struct worker w[3] = { { .id = 0, .deadline = t0 + 30 * MS },
			       { .id = 1, .deadline = t0 + 10 * MS },
			       { .id = 2, .deadline = t0 + 20 * MS } };
	struct uk_thread *t[3];
	static const int expect[] = { 1, 2, 0 };

	for (int i = 0; i < 3; i++)
		t[i] = spawn("sleeper", sleep_until_deadline, &w[i]);
	join_all(t, 3);
	assert_order(expect, 3);
	assert_int_equal(log_.when[0], t0 + 10 * MS);
	assert_int_equal(log_.when[1], t0 + 20 * MS);
	assert_int_equal(log_.when[2], t0 + 30 * MS);
}

static void test_sleepers_with_the_same_deadline_wake_in_the_order_they_slept(void **state)
{
	uint64_t t0 = uk_now_ns();
	struct worker w[3] = { { .id = 0, .deadline = t0 + MS },
			       { .id = 1, .deadline = t0 + MS },
			       { .id = 2, .deadline = t0 + MS } };
	struct uk_thread *t[3];
	static const int expect[] = { 0, 1, 2 };

	for (int i = 0; i < 3; i++)
		t[i] = spawn("sleeper", sleep_until_deadline, &w[i]);
	join_all(t, 3);
	assert_order(expect, 3);
	assert_int_equal(log_.when[2], t0 + MS);
}

static void test_other_threads_run_while_one_sleeps(void **state)
{
	uint64_t t0 = uk_now_ns();
	struct worker sleeper = { .id = 0, .deadline = t0 + 10 * MS };
	struct worker busy = { .id = 1, .rounds = 3 };
	struct uk_thread *t[2];
	static const int expect[] = { 1, 1, 1, 0 };

	t[0] = spawn("sleeper", sleep_until_deadline, &sleeper);
	t[1] = spawn("busy", log_and_yield, &busy);
	join_all(t, 2);
	assert_order(expect, 4);
	/* Virtual time stood still while a thread could run. */
	assert_int_equal(log_.when[2], t0);
	assert_int_equal(log_.when[3], t0 + 10 * MS);
}

static int sleep_almost_forever(void *arg)
{
	struct worker *w = arg;

	uk_sleep_ns(UINT64_MAX - 5);
	log_event(w->id, 0);
	return 0;
}

/*
 * Its sleeper never wakes and cannot be woken, so this test keeps its stack:
 * it runs last, and its teardown does not count memory.
 */
static void test_a_sleep_past_the_end_of_time_does_not_wrap_around(void **state)
{
	static struct worker w = { .id = 0 };
	struct uk_thread *t;
	uint64_t t0;

	uk_sleep_ns(MS); /* now > 5 ns: now + (UINT64_MAX - 5) would wrap */
	t0 = uk_now_ns();
	assert_true(t0 > 5);
	t = spawn("sleeper", sleep_almost_forever, &w);
	uk_thread_detach(t);
	uk_sleep_ns(10 * UK_NSEC_PER_SEC);
	/* Still asleep; and its far deadline did not disturb ours. */
	assert_int_equal(log_.n, 0);
	assert_int_equal(uk_now_ns(), t0 + 10 * UK_NSEC_PER_SEC);
}

static int teardown_leaving_a_sleeper(void **state)
{
	uk_yield();
	return 0;
}

/* --- wait queues --- */

static void test_waitq_wait_times_out_at_exactly_the_deadline(void **state)
{
	struct uk_waitq wq = UK_WAITQ_INIT;
	uint64_t t0 = uk_now_ns();

	assert_int_equal(uk_waitq_wait(&wq, t0 + 5 * MS), -XEN_ETIMEDOUT);
	assert_int_equal(uk_now_ns(), t0 + 5 * MS);
	/* The timed-out waiter has left the queue. */
	assert_true(uk_waitq_empty(&wq));
}

static void test_waitq_wait_with_a_passed_deadline_times_out_at_once(void **state)
{
	struct uk_waitq wq = UK_WAITQ_INIT;
	uint64_t t0 = uk_now_ns();

	uk_sleep_ns(MS);
	assert_int_equal(uk_waitq_wait(&wq, t0), -XEN_ETIMEDOUT);
	assert_int_equal(uk_now_ns(), t0 + MS);
	assert_true(uk_waitq_empty(&wq));
}

static struct uk_waitq shared_wq;

static int wake_one_after_1ms(void *arg)
{
	uk_sleep_ns(MS);
	uk_waitq_wake_one(&shared_wq);
	return 0;
}

static void test_waitq_wait_returns_0_when_woken_before_the_deadline(void **state)
{
	uint64_t t0 = uk_now_ns();
	struct uk_thread *t;

	uk_waitq_init(&shared_wq);
	t = spawn("waker", wake_one_after_1ms, NULL);
	assert_int_equal(uk_waitq_wait(&shared_wq, t0 + 10 * MS), 0);
	assert_int_equal(uk_now_ns(), t0 + MS);
	assert_true(uk_waitq_empty(&shared_wq));
	uk_thread_join(t);
	/* The abandoned deadline does not cut a later sleep short. */
	uk_sleep_ns(20 * MS);
	assert_int_equal(uk_now_ns(), t0 + 21 * MS);
}

static int wake_one_now(void *arg)
{
	uk_waitq_wake_one(&shared_wq);
	return 0;
}

static void test_waitq_wake_with_no_waiter_is_not_remembered(void **state)
{
	uint64_t t0 = uk_now_ns();
	struct uk_thread *t;

	uk_waitq_init(&shared_wq);
	t = spawn("early-waker", wake_one_now, NULL);
	uk_thread_join(t);
	assert_true(uk_waitq_empty(&shared_wq));
	assert_int_equal(uk_waitq_wait(&shared_wq, t0 + MS), -XEN_ETIMEDOUT);
}

static void test_waitq_wake_one_wakes_the_longest_waiter_first(void **state)
{
	struct uk_waitq wq = UK_WAITQ_INIT;
	struct worker w[3] = { { .id = 0, .wq = &wq }, { .id = 1, .wq = &wq },
			       { .id = 2, .wq = &wq } };
	struct uk_thread *t[3];

	for (int i = 0; i < 3; i++)
		t[i] = spawn("waiter", wait_on_queue, &w[i]);
	uk_yield(); /* all three are waiting now, 0 the longest */
	assert_false(uk_waitq_empty(&wq));
	assert_int_equal(log_.n, 0);
	for (unsigned int i = 0; i < 3; i++) {
		uk_waitq_wake_one(&wq);
		uk_yield();
		assert_int_equal(log_.n, i + 1);
		assert_int_equal(log_.who[i], (int)i);
		assert_int_equal(log_.rc[i], 0);
	}
	assert_true(uk_waitq_empty(&wq));
	join_all(t, 3);
}

static void test_waitq_wake_one_wakes_exactly_one(void **state)
{
	struct uk_waitq wq = UK_WAITQ_INIT;
	struct worker w[2] = { { .id = 0, .wq = &wq }, { .id = 1, .wq = &wq } };
	struct uk_thread *t[2];

	for (int i = 0; i < 2; i++)
		t[i] = spawn("waiter", wait_on_queue, &w[i]);
	uk_yield();
	uk_waitq_wake_one(&wq);
	uk_yield();
	uk_yield();
	assert_int_equal(log_.n, 1);
	assert_false(uk_waitq_empty(&wq));
	uk_waitq_wake_one(&wq);
	join_all(t, 2);
}

static void test_waitq_wake_all_wakes_every_waiter(void **state)
{
	struct uk_waitq wq = UK_WAITQ_INIT;
	struct worker w[3] = { { .id = 0, .wq = &wq }, { .id = 1, .wq = &wq },
			       { .id = 2, .wq = &wq } };
	struct uk_thread *t[3];
	static const int expect[] = { 0, 1, 2 };

	for (int i = 0; i < 3; i++)
		t[i] = spawn("waiter", wait_on_queue, &w[i]);
	uk_yield();
	uk_waitq_wake_all(&wq);
	assert_true(uk_waitq_empty(&wq));
	uk_yield();
	assert_order(expect, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(log_.rc[i], 0);
	join_all(t, 3);
}

static void test_waitq_wake_all_also_wakes_waiters_with_a_deadline(void **state)
{
	struct uk_waitq wq = UK_WAITQ_INIT;
	uint64_t t0 = uk_now_ns();
	struct worker w[2] = { { .id = 0, .wq = &wq, .deadline = t0 + 50 * MS },
			       { .id = 1, .wq = &wq } };
	struct uk_thread *t[2];

	for (int i = 0; i < 2; i++)
		t[i] = spawn("waiter", wait_on_queue, &w[i]);
	uk_yield();
	uk_waitq_wake_all(&wq);
	join_all(t, 2);
	assert_int_equal(log_.n, 2);
	assert_int_equal(log_.rc[0], 0);
	assert_int_equal(log_.rc[1], 0);
	/* Woken at once, not at its deadline. */
	assert_int_equal(log_.when[0], t0);
	assert_int_equal(uk_now_ns(), t0);
}

/* --- memory --- */

static void test_a_detached_thread_is_freed_when_it_ends(void **state)
{
	struct worker w = { .id = 0 };
	struct uk_thread *t;
	struct uk_mem_stats during;

	t = spawn("detached", log_once, &w);
	uk_thread_detach(t);
	during = mem_now();
	assert_true(during.pages_free < baseline.pages_free);
	uk_yield(); /* it runs and ends */
	uk_yield(); /* the scheduler frees it */
	assert_int_equal(log_.n, 1);
	assert_int_equal(mem_now().pages_free, baseline.pages_free);
	assert_int_equal(mem_now().heap_blocks, baseline.heap_blocks);
}

static void test_detaching_an_ended_thread_frees_it(void **state)
{
	struct worker w = { .id = 0 };
	struct uk_thread *t = spawn("ended", log_once, &w);

	uk_yield();
	assert_int_equal(log_.n, 1);
	assert_true(mem_now().pages_free < baseline.pages_free);
	uk_thread_detach(t);
	uk_yield();
	assert_int_equal(mem_now().pages_free, baseline.pages_free);
	assert_int_equal(mem_now().heap_blocks, baseline.heap_blocks);
}

static void test_join_frees_the_thread(void **state)
{
	struct worker w = { .id = 0 };
	struct uk_thread *t = spawn("joined", log_once, &w);

	/* Its stack (and perhaps a fresh heap slab for its structure). */
	assert_true(baseline.pages_free - mem_now().pages_free >=
		    UK_THREAD_STACK_SIZE / UK_PAGE_SIZE);
	uk_thread_join(t);
	assert_int_equal(mem_now().pages_free, baseline.pages_free);
	assert_int_equal(mem_now().heap_blocks, baseline.heap_blocks);
}

#define MAX_THREADS 2048

static void test_thread_create_returns_null_when_memory_runs_out(void **state)
{
	static struct uk_thread *t[MAX_THREADS];
	static struct worker w[MAX_THREADS];
	unsigned int n = 0;

	while (n < MAX_THREADS) {
		w[n] = (struct worker){ .id = (int)n, .ret = (int)n };
		if (!(t[n] = uk_thread_create("hog", log_once, &w[n])))
			break;
		n++;
	}
	assert_in_range(n, 1, MAX_THREADS - 1);
	/* Everything created still runs and ends normally. */
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(uk_thread_join(t[i]), (int)i);
	assert_int_equal(log_.n, n);
	/* And with the memory back, creating works again. */
	t[0] = spawn("again", log_once, &w[0]);
	uk_thread_join(t[0]);
}

#define STACK_ORDER 5 /* UK_THREAD_STACK_SIZE in pages, as a buddy order */

static void test_thread_create_returns_null_without_a_stack_and_frees_the_rest(void **state)
{
	static void *blocks[8192];
	unsigned int n = 0;
	struct worker w = { 0 };
	struct uk_thread *t;

	/* Take every block a stack could use; small pages remain for the heap. */
	while (n < 8192 && (blocks[n] = uk_page_alloc(STACK_ORDER)))
		n++;
	assert_in_range(n, 1, 8191);
	t = uk_thread_create("no-stack", log_once, &w);
	assert_null(t);
	/* The thread structure it allocated first went back to the heap. */
	assert_int_equal(mem_now().heap_blocks, baseline.heap_blocks);
	for (unsigned int i = 0; i < n; i++)
		uk_page_free(blocks[i], STACK_ORDER);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_threads_run_in_creation_order),
		T(test_yield_round_robins_between_threads),
		T(test_yield_lets_every_other_runnable_thread_run_once),
		T(test_yield_with_no_other_thread_returns_at_once),
		T(test_join_returns_the_threads_return_value),
		T(test_join_returns_the_status_given_to_uk_thread_exit),
		T(test_join_of_an_ended_thread_returns_its_status),
		T(test_thread_self_and_name_identify_the_running_thread),
		T(test_thread_name_is_truncated_to_31_bytes),
		T(test_sleep_ns_wakes_at_exactly_the_deadline),
		T(test_sleep_until_a_passed_deadline_returns_at_once),
		T(test_sleepers_wake_in_deadline_order),
		T(test_sleepers_with_the_same_deadline_wake_in_the_order_they_slept),
		T(test_other_threads_run_while_one_sleeps),
		T(test_waitq_wait_times_out_at_exactly_the_deadline),
		T(test_waitq_wait_with_a_passed_deadline_times_out_at_once),
		T(test_waitq_wait_returns_0_when_woken_before_the_deadline),
		T(test_waitq_wake_with_no_waiter_is_not_remembered),
		T(test_waitq_wake_one_wakes_the_longest_waiter_first),
		T(test_waitq_wake_one_wakes_exactly_one),
		T(test_waitq_wake_all_wakes_every_waiter),
		T(test_waitq_wake_all_also_wakes_waiters_with_a_deadline),
		T(test_a_detached_thread_is_freed_when_it_ends),
		T(test_detaching_an_ended_thread_frees_it),
		T(test_join_frees_the_thread),
		T(test_thread_create_returns_null_when_memory_runs_out),
		T(test_thread_create_returns_null_without_a_stack_and_frees_the_rest),
		/* Last: it leaves a thread asleep until the end of time. */
		cmocka_unit_test_setup_teardown(test_a_sleep_past_the_end_of_time_does_not_wrap_around,
						setup, teardown_leaving_a_sleeper),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
