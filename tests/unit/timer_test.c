/*
 * Callback timers (runtime/timer.c, <uk/timer.h>), tested inside a running
 * guest, like sched_test: app_main runs the CMocka group in the main
 * thread. Run it with --clock virtual: guest time moves only while every
 * thread is blocked, straight to the next deadline, so a timer fires at
 * exactly its deadline and the times below are exact.
 *
 * Callbacks run in the scheduler, outside any thread: they only record
 * what they saw; the main thread asserts afterwards.
 *
 * Every test gives back the memory it took and leaves no timer armed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>
#include <xen/errno.h>
#include <xen/sched.h>

#include "runtime/include/uk/alloc.h"
#include "runtime/include/uk/boot.h"
#include "runtime/include/uk/console.h"
#include "runtime/include/uk/hypercall.h"
#include "runtime/include/uk/sched.h"
#include "runtime/include/uk/time.h"
#include "runtime/include/uk/timer.h"
#include "runtime/timer_private.h"

const char uk_app_name[] = "timer_test";

#define MS UK_NSEC_PER_MSEC
#define MAX_EVENTS 64
#define MANY 10000

/* What callbacks and threads saw, in the order they saw it. */
static struct {
	unsigned int n;
	int who[MAX_EVENTS];
	uint64_t when[MAX_EVENTS];
	bool in_thread[MAX_EVENTS];
} log_;

static void log_event(int who)
{
	if (log_.n < MAX_EVENTS) {
		log_.who[log_.n] = who;
		log_.when[log_.n] = uk_now_ns();
		log_.in_thread[log_.n] = uk_thread_self() != NULL;
	}
	log_.n++;
}

static void assert_log(const int *who, const uint64_t *when, unsigned int n)
{
	assert_int_equal(log_.n, n);
	for (unsigned int i = 0; i < n; i++) {
		if (log_.who[i] != who[i])
			fail_msg("event %u: %d ran, expected %d", i, log_.who[i], who[i]);
		if (when && log_.when[i] != when[i])
			fail_msg("event %u (%d): at %llu ns, expected %llu", i, who[i],
				 (unsigned long long)log_.when[i], (unsigned long long)when[i]);
	}
}

/* A timer's callback logs the int its argument points at. */
static void log_fn(struct uk_timer *t, void *arg)
{
	log_event(*(int *)arg);
}

static const int ids[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
#define ID(i) ((void *)&ids[i])

static struct uk_mem_stats baseline;
static unsigned int baseline_timers;

static int setup(void **state)
{
	memset(&log_, 0, sizeof(log_));
	uk_mem_stats(&baseline);
	baseline_timers = uk_timer_count();
	return 0;
}

static int teardown(void **state)
{
	struct uk_mem_stats now;

	uk_yield(); /* let the scheduler reap what ended detached */
	uk_mem_stats(&now);
	assert_int_equal(uk_timer_count(), baseline_timers);
	assert_int_equal(now.heap_blocks, baseline.heap_blocks);
	assert_int_equal(now.pages_free, baseline.pages_free);
	return 0;
}

/* --- one-shot timers --- */

static void test_timers_fire_in_deadline_order_at_exactly_their_deadline(void **state)
{
	struct uk_timer t[3];
	uint64_t t0 = uk_now_ns();

	for (int i = 0; i < 3; i++)
		uk_timer_init(&t[i], log_fn, ID(i));
	uk_timer_arm(&t[0], 30 * MS);
	uk_timer_arm(&t[1], 10 * MS);
	uk_timer_arm_at(&t[2], t0 + 20 * MS);
	uk_sleep_ns(50 * MS);
	assert_log((int[]){ 1, 2, 0 }, (uint64_t[]){ t0 + 10 * MS, t0 + 20 * MS, t0 + 30 * MS },
		   3);
	for (int i = 0; i < 3; i++)
		assert_false(uk_timer_armed(&t[i]));
}

static void test_timers_with_equal_deadlines_fire_in_the_order_they_were_armed(void **state)
{
	struct uk_timer t[6];
	uint64_t at = uk_now_ns() + 5 * MS;
	static const int order[] = { 3, 0, 5, 1, 4, 2 };

	for (int i = 0; i < 6; i++)
		uk_timer_init(&t[i], log_fn, ID(i));
	for (int i = 0; i < 6; i++)
		uk_timer_arm_at(&t[order[i]], at);
	uk_sleep_ns(10 * MS);
	assert_log(order, NULL, 6);
}

static void test_a_cancelled_timer_never_fires_and_may_be_freed(void **state)
{
	struct uk_timer *t = uk_malloc(sizeof(*t));
	struct uk_timer kept;

	assert_non_null(t);
	uk_timer_init(t, log_fn, ID(1));
	uk_timer_init(&kept, log_fn, ID(2));
	uk_timer_arm(t, 5 * MS);
	uk_timer_arm(&kept, 10 * MS);
	uk_timer_cancel(t);
	assert_false(uk_timer_armed(t));
	uk_timer_cancel(t); /* twice: harmless */
	memset(t, 0xa5, sizeof(*t));
	uk_free(t);
	uk_sleep_ns(20 * MS);
	assert_log((int[]){ 2 }, NULL, 1);
}

static void test_cancelling_a_timer_that_was_never_armed_does_nothing(void **state)
{
	struct uk_timer t;

	uk_timer_init(&t, log_fn, ID(0));
	uk_timer_cancel(&t);
	assert_false(uk_timer_armed(&t));
	assert_int_equal(uk_timer_count(), baseline_timers);
}

static void test_rearming_forgets_the_old_deadline(void **state)
{
	struct uk_timer a, b;
	uint64_t t0 = uk_now_ns();

	uk_timer_init(&a, log_fn, ID(0));
	uk_timer_init(&b, log_fn, ID(1));
	uk_timer_arm(&a, 10 * MS);
	uk_timer_arm(&b, 20 * MS);
	uk_timer_arm(&a, 30 * MS); /* later */
	uk_timer_arm(&b, 5 * MS);  /* earlier */
	assert_int_equal(uk_timer_deadline(&a), t0 + 30 * MS);
	uk_sleep_ns(40 * MS);
	assert_log((int[]){ 1, 0 }, (uint64_t[]){ t0 + 5 * MS, t0 + 30 * MS }, 2);
}

static void test_a_rearmed_timer_goes_behind_others_with_the_same_deadline(void **state)
{
	struct uk_timer t[3];
	uint64_t at = uk_now_ns() + 5 * MS;

	for (int i = 0; i < 3; i++) {
		uk_timer_init(&t[i], log_fn, ID(i));
		uk_timer_arm_at(&t[i], at);
	}
	uk_timer_arm_at(&t[0], at);
	uk_sleep_ns(10 * MS);
	assert_log((int[]){ 1, 2, 0 }, NULL, 3);
}

static void test_a_passed_deadline_fires_at_the_next_chance_without_time_passing(void **state)
{
	struct uk_timer t;
	uint64_t t0 = uk_now_ns();

	uk_timer_init(&t, log_fn, ID(4));
	uk_timer_arm_at(&t, 0);
	assert_int_equal(log_.n, 0); /* not from inside the arming call */
	uk_yield();
	assert_log((int[]){ 4 }, (uint64_t[]){ t0 }, 1);
	assert_int_equal(uk_now_ns(), t0);
}

static void test_deadline_and_armed_report_the_state(void **state)
{
	struct uk_timer t;
	uint64_t t0 = uk_now_ns();

	uk_timer_init(&t, log_fn, ID(0));
	assert_false(uk_timer_armed(&t));
	assert_int_equal(uk_timer_deadline(&t), UINT64_MAX);
	uk_timer_arm(&t, 7 * MS);
	assert_true(uk_timer_armed(&t));
	assert_int_equal(uk_timer_deadline(&t), t0 + 7 * MS);
	uk_timer_arm(&t, UINT64_MAX); /* saturates at the end of time */
	assert_int_equal(uk_timer_deadline(&t), UINT64_MAX);
	assert_true(uk_timer_armed(&t));
	uk_timer_cancel(&t);
	assert_int_equal(uk_timer_deadline(&t), UINT64_MAX);
}

/* --- callbacks --- */

static void test_callbacks_run_outside_any_thread(void **state)
{
	struct uk_timer t;

	uk_timer_init(&t, log_fn, ID(0));
	uk_timer_arm(&t, MS);
	uk_sleep_ns(2 * MS);
	assert_int_equal(log_.n, 1);
	assert_false(log_.in_thread[0]);
}

struct self_rearm {
	struct uk_timer t;
	int left;
};

static void rearm_fn(struct uk_timer *t, void *arg)
{
	struct self_rearm *s = arg;

	log_event(s->left);
	if (--s->left > 0)
		uk_timer_arm(t, 3 * MS);
}

static void test_a_callback_can_rearm_its_own_timer(void **state)
{
	struct self_rearm s = { .left = 3 };
	uint64_t t0 = uk_now_ns();

	uk_timer_init(&s.t, rearm_fn, &s);
	uk_timer_arm(&s.t, MS);
	uk_sleep_ns(20 * MS);
	assert_log((int[]){ 3, 2, 1 }, (uint64_t[]){ t0 + MS, t0 + 4 * MS, t0 + 7 * MS }, 3);
	assert_false(uk_timer_armed(&s.t));
}

/* Cancels every timer of the array it is given, its own first. */
static struct uk_timer cancel_set[3];

static void cancel_all_fn(struct uk_timer *t, void *arg)
{
	log_event(*(int *)arg);
	for (int i = 0; i < 3; i++)
		uk_timer_cancel(&cancel_set[i]);
}

static void test_a_callback_can_cancel_timers_due_at_the_same_time(void **state)
{
	uint64_t at = uk_now_ns() + MS;

	for (int i = 0; i < 3; i++) {
		uk_timer_init(&cancel_set[i], cancel_all_fn, ID(i));
		uk_timer_arm_at(&cancel_set[i], at);
	}
	uk_sleep_ns(5 * MS);
	assert_log((int[]){ 0 }, NULL, 1);
}

static void wake_fn(struct uk_timer *t, void *arg)
{
	log_event(100);
	uk_waitq_wake_one(arg);
}

static int wait_forever(void *arg)
{
	int rc = uk_waitq_wait(arg, 0);

	log_event(rc == 0 ? 1 : -1);
	return 0;
}

static void test_a_callback_wakes_a_waiting_thread_at_its_deadline(void **state)
{
	struct uk_waitq wq;
	struct uk_timer t;
	struct uk_thread *th;
	uint64_t t0 = uk_now_ns();

	uk_waitq_init(&wq);
	th = uk_thread_create("waiter", wait_forever, &wq);
	assert_non_null(th);
	uk_timer_init(&t, wake_fn, &wq);
	uk_timer_arm(&t, 8 * MS);
	uk_thread_join(th);
	assert_log((int[]){ 100, 1 }, (uint64_t[]){ t0 + 8 * MS, t0 + 8 * MS }, 2);
}

/* --- periodic timers --- */

struct periodic {
	struct uk_timer t;
	int fired, stop_after;
	uint64_t deadline_seen[8];
};

static void periodic_fn(struct uk_timer *t, void *arg)
{
	struct periodic *p = arg;

	if (p->fired < 8)
		p->deadline_seen[p->fired] = uk_timer_deadline(t);
	log_event(p->fired++);
	if (p->fired == p->stop_after)
		uk_timer_cancel(t);
}

static void test_a_periodic_timer_keeps_its_phase_and_can_cancel_itself(void **state)
{
	struct periodic p = { .stop_after = 4 };
	uint64_t t0 = uk_now_ns();

	uk_timer_init(&p.t, periodic_fn, &p);
	uk_timer_arm_periodic(&p.t, 10 * MS);
	/* The main thread wakes at odd times: the timer's phase does not move. */
	uk_sleep_ns(13 * MS);
	uk_sleep_ns(7 * MS);
	uk_sleep_ns(100 * MS);
	assert_log((int[]){ 0, 1, 2, 3 },
		   (uint64_t[]){ t0 + 10 * MS, t0 + 20 * MS, t0 + 30 * MS, t0 + 40 * MS }, 4);
	/* Re-armed before its callback ran: the callback saw the next deadline. */
	assert_int_equal(p.deadline_seen[0], t0 + 20 * MS);
	assert_false(uk_timer_armed(&p.t));
}

static void test_a_periodic_timer_stops_when_cancelled_from_a_thread(void **state)
{
	struct periodic p = { .stop_after = -1 };

	uk_timer_init(&p.t, periodic_fn, &p);
	uk_timer_arm_periodic(&p.t, 10 * MS);
	uk_sleep_ns(35 * MS);
	uk_timer_cancel(&p.t);
	uk_sleep_ns(100 * MS);
	assert_int_equal(p.fired, 3);
}

static void test_arming_a_periodic_timer_once_makes_it_one_shot(void **state)
{
	struct periodic p = { .stop_after = -1 };

	uk_timer_init(&p.t, periodic_fn, &p);
	uk_timer_arm_periodic(&p.t, 10 * MS);
	uk_timer_arm(&p.t, 5 * MS);
	uk_sleep_ns(100 * MS);
	assert_int_equal(p.fired, 1);
	assert_false(uk_timer_armed(&p.t));
}

/*
 * Keeps the guest from its scheduler until deadline_ns: a SCHEDOP_poll on
 * a port nothing signals is one long hypercall, during which guest time
 * moves and no timer can run.
 */
static void block_without_timers_until(uint64_t deadline_ns)
{
	evtchn_port_t port = 0;
	struct sched_poll poll = { .nr_ports = 1, .timeout = deadline_ns };

	set_xen_guest_handle(poll.ports, &port);
	assert_int_equal(HYPERVISOR_sched_op(SCHEDOP_poll, &poll), 0);
	assert_int_equal(uk_now_ns(), deadline_ns);
}

static void test_a_late_periodic_timer_runs_once_then_keeps_its_phase(void **state)
{
	struct periodic p = { .stop_after = 4 };
	uint64_t t0 = uk_now_ns();

	uk_timer_init(&p.t, periodic_fn, &p);
	uk_timer_arm_periodic(&p.t, 10 * MS);
	block_without_timers_until(t0 + 105 * MS); /* ten periods missed */
	uk_sleep_until(t0 + 200 * MS);
	/* Once for the ten missed periods, then on the old phase again. */
	assert_log((int[]){ 0, 1, 2, 3 },
		   (uint64_t[]){ t0 + 105 * MS, t0 + 110 * MS, t0 + 120 * MS, t0 + 130 * MS }, 4);
	assert_int_equal(p.deadline_seen[0], t0 + 110 * MS);
	assert_false(uk_timer_armed(&p.t));
}

/* --- timers and sleeping threads --- */

static int sleeper(void *arg)
{
	int id = *(int *)arg;

	uk_sleep_ns((uint64_t)id * MS);
	log_event(id);
	return 0;
}

/*
 * Under --clock virtual: threads sleeping until 2 and 3 ms, timers at 1, 2
 * and 4 ms. Each fires at exactly its time; at 2 ms the timer's callback
 * runs in the scheduler before the thread its deadline woke.
 */
static void test_timers_and_sleeping_threads_interleave_in_deadline_order(void **state)
{
	struct uk_thread *th[2];
	struct uk_timer t[3];
	uint64_t t0 = uk_now_ns();

	th[0] = uk_thread_create("sleep-2", sleeper, ID(2));
	th[1] = uk_thread_create("sleep-3", sleeper, ID(3));
	assert_non_null(th[0]);
	assert_non_null(th[1]);
	uk_yield(); /* both are asleep now */
	uk_timer_init(&t[0], log_fn, ID(1));
	uk_timer_init(&t[1], log_fn, ID(5));
	uk_timer_init(&t[2], log_fn, ID(4));
	uk_timer_arm_at(&t[0], t0 + MS);
	uk_timer_arm_at(&t[1], t0 + 2 * MS);
	uk_timer_arm_at(&t[2], t0 + 4 * MS);
	uk_thread_join(th[0]);
	uk_thread_join(th[1]);
	uk_sleep_until(t0 + 10 * MS);
	assert_log((int[]){ 1, 5, 2, 3, 4 },
		   (uint64_t[]){ t0 + MS, t0 + 2 * MS, t0 + 2 * MS, t0 + 3 * MS, t0 + 4 * MS }, 5);
}

static void test_a_timer_wakes_the_vcpu_when_no_thread_sleeps(void **state)
{
	struct uk_waitq wq;
	struct uk_timer t;
	uint64_t t0 = uk_now_ns();

	/* The main thread waits with no deadline: only the timer can end it. */
	uk_waitq_init(&wq);
	uk_timer_init(&t, wake_fn, &wq);
	uk_timer_arm(&t, 250 * MS);
	assert_int_equal(uk_waitq_wait(&wq, 0), 0);
	assert_int_equal(uk_now_ns(), t0 + 250 * MS);
}

/* --- many timers --- */

static struct uk_timer many[MANY];
static int many_fired[MANY];
static unsigned int many_n;

static void many_fn(struct uk_timer *t, void *arg)
{
	many_fired[many_n++] = (int)(t - many);
}

/* Deadline of timer i: 1..97 ms, many timers sharing each (97 is prime). */
static uint64_t many_deadline(uint64_t t0, int i)
{
	return t0 + (uint64_t)((i * 7919) % 97 + 1) * MS;
}

/*
 * 10,000 timers armed in a scrambled order, a third cancelled and a third
 * re-armed: the rest fire in (deadline, arming) order, each once, and the
 * heap gives back what it grew by. (O(log n) shows as this test's speed;
 * it asserts on order, not on time.)
 */
static void test_ten_thousand_timers_armed_and_cancelled_fire_in_order(void **state)
{
	uint64_t t0 = uk_now_ns();
	unsigned int expected = 0;

	many_n = 0;
	for (int i = 0; i < MANY; i++) {
		uk_timer_init(&many[i], many_fn, NULL);
		uk_timer_arm_at(&many[i], many_deadline(t0, i));
	}
	assert_int_equal(uk_timer_count(), baseline_timers + MANY);
	for (int i = 0; i < MANY; i += 3)
		uk_timer_cancel(&many[i]);
	for (int i = 1; i < MANY; i += 3)
		uk_timer_arm_at(&many[i], many_deadline(t0, i)); /* same time, arming order anew */
	for (int i = 0; i < MANY; i++)
		expected += i % 3 != 0;
	uk_sleep_ns(200 * MS);
	assert_int_equal(many_n, expected);
	for (unsigned int k = 1; k < many_n; k++) {
		int a = many_fired[k - 1], b = many_fired[k];
		uint64_t da = many_deadline(t0, a), db = many_deadline(t0, b);
		/* Within one deadline: every i%3==2 timer (armed once) before the re-armed ones. */
		int ra = a % 3 == 1, rb = b % 3 == 1;

		if (da > db || (da == db && (ra > rb || (ra == rb && a > b))))
			fail_msg("timer %d fired before timer %d", a, b);
	}
	for (unsigned int k = 0; k < many_n; k++)
		assert_int_not_equal(many_fired[k] % 3, 0);
}

/*
 * "grow-failure" (a run of its own, with --mem 4): with the heap exhausted,
 * arming past the heap's static slots cannot grow it. The timer must not be
 * dropped silently: the domain panics, naming the count (CTest checks the
 * message). Returns only if no panic came.
 */
static struct uk_timer hog_timers[256];

static int grow_failure(void)
{
	void *hog = NULL, *p;
	unsigned int blocks = 0;

	while ((p = uk_malloc(4096))) {
		*(void **)p = hog;
		hog = p;
		blocks++;
	}
	uk_printf("timer_test: heap exhausted after %u blocks; arming timers\n", blocks);
	for (unsigned int i = 0; i < 256; i++) {
		uk_timer_init(&hog_timers[i], log_fn, ID(0));
		uk_timer_arm(&hog_timers[i], UK_NSEC_PER_SEC);
	}
	uk_printf("timer_test: 256 timers armed without memory and no panic\n");
	return 1;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int app_main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "grow-failure"))
		return grow_failure();
	const struct CMUnitTest tests[] = {
		T(test_timers_fire_in_deadline_order_at_exactly_their_deadline),
		T(test_timers_with_equal_deadlines_fire_in_the_order_they_were_armed),
		T(test_a_cancelled_timer_never_fires_and_may_be_freed),
		T(test_cancelling_a_timer_that_was_never_armed_does_nothing),
		T(test_rearming_forgets_the_old_deadline),
		T(test_a_rearmed_timer_goes_behind_others_with_the_same_deadline),
		T(test_a_passed_deadline_fires_at_the_next_chance_without_time_passing),
		T(test_deadline_and_armed_report_the_state),
		T(test_callbacks_run_outside_any_thread),
		T(test_a_callback_can_rearm_its_own_timer),
		T(test_a_callback_can_cancel_timers_due_at_the_same_time),
		T(test_a_callback_wakes_a_waiting_thread_at_its_deadline),
		T(test_a_periodic_timer_keeps_its_phase_and_can_cancel_itself),
		T(test_a_periodic_timer_stops_when_cancelled_from_a_thread),
		T(test_arming_a_periodic_timer_once_makes_it_one_shot),
		T(test_a_late_periodic_timer_runs_once_then_keeps_its_phase),
		T(test_timers_and_sleeping_threads_interleave_in_deadline_order),
		T(test_a_timer_wakes_the_vcpu_when_no_thread_sleeps),
		T(test_ten_thousand_timers_armed_and_cancelled_fire_in_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
