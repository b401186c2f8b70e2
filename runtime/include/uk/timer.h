/*
 * Callback timers on guest time (uk_now_ns), run by the scheduler without a
 * thread of their own. A timer is a struct the caller owns and embeds (in a
 * connection, an ARP entry, ...): arming and cancelling allocate nothing and
 * cost O(log n) in the number of armed timers.
 *
 * Callbacks run between threads, like event handlers: never inside a thread,
 * so they must not block (no uk_sleep_ns, no uk_waitq_wait, no blocking send).
 * They may arm, re-arm or cancel any timer (their own included), wake wait
 * queues and send without blocking. A callback has 64 KiB of stack (the
 * scheduler's on Xen; a waiting thread's, when it runs the callbacks in
 * place, has at least that much free). A timer whose deadline has passed runs
 * once, as soon as the scheduler next gets control; timers due at the same
 * guest time run in the order they were armed, so runs repeat exactly.
 */
#ifndef UK_TIMER_H
#define UK_TIMER_H

#include <stdbool.h>
#include <stdint.h>

struct uk_timer;

typedef void (*uk_timer_fn)(struct uk_timer *t, void *arg);

struct uk_timer {
	/* Private to runtime/timer.c; zero (uk_timer_init) means not armed. */
	uint64_t deadline_ns;
	uint64_t period_ns;
	uint64_t seq;
	uint32_t heap_index;
	uk_timer_fn fn;
	void *arg;
};

/* Prepares t to call fn(t, arg); t is not armed. */
void uk_timer_init(struct uk_timer *t, uk_timer_fn fn, void *arg);
/*
 * Arms t to fire once at guest time deadline_ns (already past: at the next
 * chance). Re-arms it if it was armed: the old deadline is forgotten.
 */
void uk_timer_arm_at(struct uk_timer *t, uint64_t deadline_ns);
/* The same, ns from now (saturating at the end of time). */
void uk_timer_arm(struct uk_timer *t, uint64_t ns);
/*
 * Arms t to fire every period_ns (> 0), first period_ns from now. A periodic
 * timer is re-armed before its callback runs, for the first multiple of
 * period_ns after the deadline it fired for that is still ahead, so it
 * keeps its phase. Periods missed while the guest was kept from the
 * scheduler (a long hypercall, a thread that does not yield) are skipped:
 * one callback per wake, never one per missed period. The callback may
 * cancel it.
 */
void uk_timer_arm_periodic(struct uk_timer *t, uint64_t period_ns);
/* Disarms t; nothing happens if it was not armed. t may then be freed. */
void uk_timer_cancel(struct uk_timer *t);
bool uk_timer_armed(const struct uk_timer *t);
/* The deadline t is armed for (UINT64_MAX when not armed). */
uint64_t uk_timer_deadline(const struct uk_timer *t);

#endif
