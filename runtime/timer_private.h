/*
 * What the scheduler (sched.c) needs of the timers (timer.c), beyond
 * <uk/timer.h>. Also used by host harnesses that run the stack without a
 * booted guest (tests/fuzz, tests/robustness): they call uk_timer_run_due
 * as the scheduler would.
 */
#ifndef UK_TIMER_PRIVATE_H
#define UK_TIMER_PRIVATE_H

#include <stdint.h>

/*
 * Runs every timer due at now_ns (deadline <= now_ns) that was armed before
 * the call, earliest first, equal deadlines in arming order; periodic ones
 * are re-armed before their callback. Returns how many ran.
 */
unsigned int uk_timer_run_due(uint64_t now_ns);
/* The earliest deadline of an armed timer, UINT64_MAX when none is armed. */
uint64_t uk_timer_next_deadline(void);
/* How many timers are armed. */
unsigned int uk_timer_count(void);

#endif
