/*
 * For guest tests that check something leaves the memory under a deep
 * thread alone (guest_deep_libc_test, sim_signal_stack_test): the calling
 * thread goes down in small frames to DEEP_STACK_LEFT bytes above its
 * stack's bottom, paints what lies below all but DEEP_STACK_ROOM bytes under
 * that frame (room for the call's own frames), makes the call, and looks at
 * the paint and at runtime/sched.c's canary.
 */
#ifndef TESTS_UNIT_DEEP_STACK_H
#define TESTS_UNIT_DEEP_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "runtime/include/uk/sched.h"
#include "runtime/sched_private.h"

#define DEEP_STACK_LEFT (3 * 1024) /* of the thread's stack left at the call */
#define DEEP_STACK_ROOM 256        /* under the frame, for the call's own: not painted */
#define DEEP_STACK_PAINT 0x5a
#define DEEP_STACK_CANARY 8 /* runtime/sched.c's STACK_CANARY, at the stack's lowest address */

/* What the deep call found, to print once back up (printf needs more stack). */
struct deep_stack_found {
	size_t painted;
	bool paint_intact, canary_intact;
};

static bool deep_stack_all(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* Paints what lies under this frame, calls fn, then looks at the paint. */
static __attribute__((noinline)) int deep_stack_call_here(void (*fn)(void), struct deep_stack_found *f)
{
	uint8_t *base = uk_thread_self()->stack;
	uint8_t *sp = __builtin_frame_address(0);
	uint64_t canary;

	f->painted = (size_t)(sp - DEEP_STACK_ROOM - (base + DEEP_STACK_CANARY));
	memcpy(&canary, base, sizeof(canary));
	memset(base + DEEP_STACK_CANARY, DEEP_STACK_PAINT, f->painted);
	fn();
	f->paint_intact = deep_stack_all(base + DEEP_STACK_CANARY, f->painted, DEEP_STACK_PAINT);
	f->canary_intact = memcmp(&canary, base, sizeof(canary)) == 0;
	/* Put back, or the next switch panics for an overflow the guest did not make. */
	memcpy(base, &canary, sizeof(canary));
	return 0;
}

/* Takes small frames down to DEEP_STACK_LEFT above the stack's bottom, then calls fn. */
static __attribute__((noinline)) int deep_stack_run(void (*fn)(void), struct deep_stack_found *f)
{
	volatile uint8_t frame[128];
	uint8_t *base = uk_thread_self()->stack;

	frame[0] = 1;
	if ((uint8_t *)__builtin_frame_address(0) - base > DEEP_STACK_LEFT)
		return deep_stack_run(fn, f) + frame[0] - 1;
	return deep_stack_call_here(fn, f) + frame[0] - 1;
}

#endif
