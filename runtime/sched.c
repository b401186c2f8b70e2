/*
 * Cooperative threads and the idle loop. The scheduler runs on the boot
 * stack: every thread switches back to it, and it dispatches events, runs
 * the timers that are due (a waiting thread's deadline is one of them),
 * runs the next thread, or arms Xen's timer for the earliest deadline and
 * blocks the vCPU. A thread that waits while no other can run does those
 * passes itself, on its own stack, and needs no switch when it is the
 * first woken (idle_in_place): so a thread's stack high-water mark includes
 * event handlers and timers that ran while it waited.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <valgrind/valgrind.h>
#include <xen/xen.h>

#include "platform/platform.h"
#include "uk/alloc.h"
#include "uk/console.h"
#include "uk/exit.h"
#include "uk/hypercall.h"
#include "uk/sched.h"
#include "uk/time.h"
#include "uk/timer.h"
#include "sched_private.h"
#include "timer_private.h"

#define STACK_ORDER 5 /* 2^5 pages = UK_THREAD_STACK_SIZE */
#define STACK_CANARY 0x5354414b43414e59ULL /* "STAKCANY": overwritten = overflow */
/* A new stack is filled with this, so gdb's `uk threads` finds the high-water mark. */
#define STACK_FILL 0xa5

_Static_assert((UK_PAGE_SIZE << STACK_ORDER) == UK_THREAD_STACK_SIZE, "stack order");

void uk_ctx_switch(uint64_t *save_rsp, const uint64_t *load_rsp);

static struct sched {
	uint64_t rsp;                   /* the scheduler's own context */
	struct uk_thread *current;      /* NULL while the scheduler runs */
	struct uk_thread *run_head, *run_tail;
	struct uk_thread *all;          /* every live thread, for debuggers */
	struct uk_thread *dead;         /* ended and detached: freed by the scheduler */
	uint64_t armed;                 /* deadline given to set_timer_op, 0 = none */
	unsigned int nr_threads;
	unsigned int last_id;           /* the id of the latest thread created */
} S;

struct uk_thread *uk_thread_self(void)
{
	return S.current;
}

const char *uk_thread_name(const struct uk_thread *t)
{
	return t ? t->name : "scheduler";
}

static void runq_push(struct uk_thread *t)
{
	t->state = UK_THREAD_RUNNABLE;
	t->next_run = NULL;
	if (S.run_tail)
		S.run_tail->next_run = t;
	else
		S.run_head = t;
	S.run_tail = t;
}

static struct uk_thread *runq_pop(void)
{
	struct uk_thread *t = S.run_head;

	if (t) {
		S.run_head = t->next_run;
		if (!S.run_head)
			S.run_tail = NULL;
	}
	return t;
}

static void wait_timed_out(struct uk_timer *timer, void *arg);
static bool idle_in_place(struct uk_thread *self);

static void check_stack(struct uk_thread *t)
{
	if (*(uint64_t *)t->stack != STACK_CANARY)
		uk_panic("thread '%s' overflowed its %lu-byte stack", t->name,
			 (unsigned long)UK_THREAD_STACK_SIZE);
}

/* The calling thread gives the CPU back to the scheduler. */
static void switch_to_scheduler(void)
{
	struct uk_thread *self = S.current;

	if (!self)
		uk_panic("a blocking call was made outside a thread (from an event handler?)");
	uk_ctx_switch(&self->rsp, &S.rsp);
}

static _Noreturn void thread_start(void)
{
	struct uk_thread *t = S.current;

	uk_thread_exit(t->fn(t->arg));
}

/* Lays out a new stack so that the first switch "returns" into thread_start. */
static void init_stack(struct uk_thread *t)
{
	uint64_t *top = (uint64_t *)((uint8_t *)t->stack + UK_THREAD_STACK_SIZE);

	memset(t->stack, STACK_FILL, UK_THREAD_STACK_SIZE);
	*(uint64_t *)t->stack = STACK_CANARY;
	*--top = 0;                        /* thread_start's return address: none */
	*--top = (uint64_t)thread_start;  /* where uk_ctx_switch's ret lands */
	for (int i = 0; i < 6; i++)
		*--top = 0;                /* rbp rbx r12 r13 r14 r15 */
	t->rsp = (uint64_t)top;
}

struct uk_thread *uk_thread_create(const char *name, uk_thread_fn fn, void *arg)
{
	struct uk_thread *t = uk_calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->stack = uk_page_alloc(STACK_ORDER);
	if (!t->stack) {
		uk_free(t);
		return NULL;
	}
	/* valgrind takes the lowest and the highest byte of the stack. */
	t->stack_id = VALGRIND_STACK_REGISTER(t->stack,
					      (uint8_t *)t->stack + UK_THREAD_STACK_SIZE - 1);
	snprintf(t->name, sizeof(t->name), "%s", name ? name : "thread");
	t->id = ++S.last_id;
	t->fn = fn;
	t->arg = arg;
	uk_waitq_init(&t->joiners);
	uk_timer_init(&t->timeout, wait_timed_out, t);
	init_stack(t);
	t->next_all = S.all;
	S.all = t;
	S.nr_threads++;
	runq_push(t);
	return t;
}

static void thread_free(struct uk_thread *t)
{
	for (struct uk_thread **pp = &S.all; *pp; pp = &(*pp)->next_all) {
		if (*pp == t) {
			*pp = t->next_all;
			break;
		}
	}
	S.nr_threads--;
	VALGRIND_STACK_DEREGISTER(t->stack_id);
	uk_page_free(t->stack, STACK_ORDER);
	uk_free(t);
}

_Noreturn void uk_thread_exit(int status)
{
	struct uk_thread *self = S.current;

	if (!self)
		uk_panic("uk_thread_exit called outside a thread");
	self->status = status;
	self->state = UK_THREAD_EXITED;
	uk_waitq_wake_all(&self->joiners);
	if (self->detached) {
		self->next_run = S.dead;
		S.dead = self;
	}
	switch_to_scheduler();
	uk_panic("an ended thread was scheduled again");
}

int uk_thread_join(struct uk_thread *t)
{
	int status;

	if (t == S.current)
		uk_panic("thread '%s' tried to join itself", t->name);
	if (t->detached)
		uk_panic("thread '%s' is detached and cannot be joined", t->name);
	while (t->state != UK_THREAD_EXITED)
		uk_waitq_wait(&t->joiners, 0);
	status = t->status;
	thread_free(t);
	return status;
}

void uk_thread_detach(struct uk_thread *t)
{
	if (t->detached)
		return;
	t->detached = true;
	if (t->state == UK_THREAD_EXITED) {
		t->next_run = S.dead;
		S.dead = t;
	}
}

void uk_yield(void)
{
	if (!S.current)
		return;
	runq_push(S.current);
	switch_to_scheduler();
}

void uk_waitq_init(struct uk_waitq *wq)
{
	wq->head = wq->tail = NULL;
}

bool uk_waitq_empty(const struct uk_waitq *wq)
{
	return wq->head == NULL;
}

static void waitq_remove(struct uk_waitq *wq, struct uk_thread *t)
{
	struct uk_thread *prev = NULL;

	for (struct uk_thread *p = wq->head; p; prev = p, p = p->next_wait) {
		if (p != t)
			continue;
		if (prev)
			prev->next_wait = p->next_wait;
		else
			wq->head = p->next_wait;
		if (wq->tail == p)
			wq->tail = prev;
		return;
	}
}

/* Ends a thread's wait, with the result its wait call returns. */
static void wake(struct uk_thread *t, int result)
{
	if (t->waitq)
		waitq_remove(t->waitq, t);
	/* Most waits have no deadline: no call then (a timeout is never periodic). */
	if (t->timeout.heap_index)
		uk_timer_cancel(&t->timeout);
	t->waitq = NULL;
	t->wait_result = result;
	runq_push(t);
}

/* A waiting thread's deadline passed (its timeout timer, run by the scheduler). */
static void wait_timed_out(struct uk_timer *timer, void *arg)
{
	wake(arg, -ETIMEDOUT);
}

int uk_waitq_wait(struct uk_waitq *wq, uint64_t deadline_ns)
{
	struct uk_thread *self = S.current;

	if (!self)
		uk_panic("uk_waitq_wait called outside a thread (from an event handler?)");
	self->state = UK_THREAD_BLOCKED;
	self->waitq = wq;
	self->next_wait = NULL;
	if (wq) {
		if (wq->tail)
			wq->tail->next_wait = self;
		else
			wq->head = self;
		wq->tail = self;
	}
	if (deadline_ns)
		uk_timer_arm_at(&self->timeout, deadline_ns);
	if (!idle_in_place(self))
		switch_to_scheduler();
	return self->wait_result;
}

void uk_waitq_wake_one(struct uk_waitq *wq)
{
	if (wq->head)
		wake(wq->head, 0);
}

/* uk_waitq_wake_all's work: each waiter taken off the head, without waitq_remove's search. */
void uk_waitq_wake_waiters(struct uk_waitq *wq)
{
	struct uk_thread *t;

	while ((t = wq->head)) {
		wq->head = t->next_wait;
		if (!wq->head)
			wq->tail = NULL;
		t->waitq = NULL;
		wake(t, 0);
	}
}

void uk_sleep_until(uint64_t deadline_ns)
{
	if (deadline_ns == 0)
		deadline_ns = 1;
	while (uk_now_ns() < deadline_ns)
		uk_waitq_wait(NULL, deadline_ns);
}

void uk_sleep_ns(uint64_t ns)
{
	uk_sleep_until(uk_deadline_after(ns));
}

static void reap_dead(void)
{
	while (S.dead) {
		struct uk_thread *t = S.dead;
		S.dead = t->next_run;
		thread_free(t);
	}
}

/*
 * Xen treats a set_timer_op deadline more than 2^50 ns ahead as bogus and
 * fires in 100 ms instead; far deadlines are armed in steps of this.
 */
#define TIMER_MAX_AHEAD_NS (UINT64_C(1) << 40)

/* Arms the Xen timer for the earliest deadline, next (only when it changed). */
static void arm_timer(uint64_t now, uint64_t next)
{
	uint64_t want = next == UINT64_MAX ? 0 : next;

	if (want && want - now > TIMER_MAX_AHEAD_NS && want > now)
		want = now + TIMER_MAX_AHEAD_NS;

	if (want != S.armed) {
		HYPERVISOR_set_timer_op(want);
		S.armed = want;
	}
}

static void run(struct uk_thread *t)
{
	S.current = t;
	uk_ctx_switch(&S.rsp, &t->rsp);
	S.current = NULL;
	check_stack(t);
}

/*
 * One pass of the idle loop, in scheduler context (S.current NULL): events
 * dispatched, due timers run, ended threads freed; then, when no thread is
 * runnable, Xen's timer armed and the vCPU blocked until the next event.
 */
static inline __attribute__((always_inline)) void sched_pass(void)
{
	uint64_t now, next;

	evtchn_dispatch();
	/*
	 * One clock read per pass, and the timer heap entered only when
	 * its first deadline is due (most passes run a woken thread).
	 * Time passes while callbacks run: a deadline reached meanwhile is
	 * armed below as already due, and Xen fires it at once.
	 */
	now = uk_now_ns();
	next = uk_timer_next_deadline();
	if (next <= now) {
		uk_timer_run_due(now);
		next = uk_timer_next_deadline();
	}
	reap_dead();
	if (S.run_head)
		return;
	if (S.nr_threads == 0)
		uk_panic("no threads left to run");
	/* A callback armed a timer that is due already: run it, do not block. */
	if (next <= now)
		return;
	arm_timer(now, next);
	if (!evtchn_pending())
		uk_platform_block();
}

_Noreturn void uk_sched_run(void)
{
	for (;;) {
		struct uk_thread *t;

		sched_pass();
		if ((t = runq_pop()))
			run(t);
	}
}

/*
 * A thread that blocks with no other thread runnable runs the idle loop's
 * passes itself, on its own stack, instead of switching to the scheduler
 * and back (two context switches per wait): true when it was the first
 * thread woken, and so runs on at once, as the scheduler would have run
 * it. False (nothing done, or another thread to run first) leaves the
 * switch to the scheduler, which carries on from there. Event handlers
 * and timers run in scheduler context as ever (S.current NULL: a blocking
 * call there still panics). Only with IDLE_IN_PLACE_STACK_MIN free, for
 * the frames of the handlers, the timers and the block on top of the
 * thread's.
 *
 * Those are only the guest's own frames: in the sim build the hypercalls
 * run the simulator on a stack of its own (hypercall_shim/stack_switch.S;
 * before, SCHEDOP_block through libslirp took 80 KiB here). The deepest
 * pass measured took 5,575 bytes (echo answering from its receive handler,
 * in the httpd, echo and unit tests with the stack painted), but an
 * application's handler or timer may take all the scheduler's stack gives
 * it: 64 KiB on Xen (runtime/platform/xen/entry.S, BOOT_STACK_SIZE). A
 * thread idles in place only with that much free, so whatever fits the
 * scheduler's stack fits on top of the thread's (with 16 KiB, a 40 KiB
 * callback wrote into the memory under a thread 96 KiB deep).
 */
#define IDLE_IN_PLACE_STACK_MIN (64 * 1024)
_Static_assert(IDLE_IN_PLACE_STACK_MIN < UK_THREAD_STACK_SIZE, "a shallow waiter idles in place");

static bool idle_in_place(struct uk_thread *self)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);

	if (S.run_head || sp - (uintptr_t)self->stack < IDLE_IN_PLACE_STACK_MIN)
		return false;
	S.current = NULL;
	do
		sched_pass();
	while (!S.run_head);
	S.current = self;
	check_stack(self);
	if (S.run_head != self)
		return false;
	runq_pop();
	return true;
}

void uk_sched_timer_event(evtchn_port_t port, void *arg)
{
	/* Xen's single-shot timer is spent: the next deadline needs arming. */
	S.armed = 0;
}
