/*
 * Callback timers (<uk/timer.h>): one binary min-heap of armed timers keyed
 * by (deadline, seq), seq being a counter taken at every arming, so timers
 * due at the same time run in the order they were armed (libuv's timer heap,
 * keyed by timeout and start_id, does the same; Linux's hrtimers keep a
 * timerqueue per clock for the same job). The heap holds
 * pointers; each timer remembers its slot (heap_index, 1-based, 0 = not
 * armed), so cancelling and re-arming are O(log n) with no search.
 *
 * The heap's first TIMER_STATIC_SLOTS slots are static (booting and small
 * guests allocate nothing); beyond, the array doubles with uk_malloc and
 * goes back to the static slots once few timers are left, so memory a burst
 * of timers took is given back. A failure to grow cannot drop a timer: the
 * arming call has no way to say so, and a lost timeout hangs its owner, so
 * it stops the domain with a panic naming the count.
 *
 * The scheduler (sched.c) runs what is due (uk_timer_run_due) and arms
 * Xen's timer for uk_timer_next_deadline; sleeping threads are timers too.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "uk/alloc.h"
#include "uk/exit.h"
#include "uk/time.h"
#include "uk/timer.h"
#include "timer_private.h"

#define TIMER_STATIC_SLOTS 64

static struct uk_timer *static_slots[TIMER_STATIC_SLOTS];

static struct {
	struct uk_timer **slot; /* slot[0 .. n): the heap, 0-based */
	uint32_t n, cap;
	uint64_t next_seq;
} H = { static_slots, 0, TIMER_STATIC_SLOTS, 1 };

static bool before(const struct uk_timer *a, const struct uk_timer *b)
{
	return a->deadline_ns < b->deadline_ns ||
	       (a->deadline_ns == b->deadline_ns && a->seq < b->seq);
}

static void place(struct uk_timer *t, uint32_t i)
{
	H.slot[i] = t;
	t->heap_index = i + 1;
}

static void sift_up(uint32_t i)
{
	struct uk_timer *t = H.slot[i];

	while (i > 0) {
		uint32_t parent = (i - 1) / 2;

		if (!before(t, H.slot[parent]))
			break;
		place(H.slot[parent], i);
		i = parent;
	}
	place(t, i);
}

static void sift_down(uint32_t i)
{
	struct uk_timer *t = H.slot[i];

	for (;;) {
		uint32_t child = 2 * i + 1;

		if (child >= H.n)
			break;
		if (child + 1 < H.n && before(H.slot[child + 1], H.slot[child]))
			child++;
		if (!before(H.slot[child], t))
			break;
		place(H.slot[child], i);
		i = child;
	}
	place(t, i);
}

/* Moves the heap to an array of cap slots (the static one when it fits). */
static int heap_resize(uint32_t cap)
{
	struct uk_timer **slot = static_slots;

	if (cap > TIMER_STATIC_SLOTS && !(slot = uk_malloc(cap * sizeof(*slot))))
		return -ENOMEM;
	memcpy(slot, H.slot, H.n * sizeof(*slot));
	if (H.slot != static_slots)
		uk_free(H.slot);
	H.slot = slot;
	H.cap = cap > TIMER_STATIC_SLOTS ? cap : TIMER_STATIC_SLOTS;
	return 0;
}

static void heap_insert(struct uk_timer *t)
{
	if (H.n == H.cap) {
		if (H.cap > UINT32_MAX / 2 / sizeof(struct uk_timer *) ||
		    heap_resize(H.cap * 2) < 0)
			uk_panic("timers: no memory to arm timer %u (the heap cannot grow "
				 "past %u slots)", (unsigned int)H.n + 1, (unsigned int)H.cap);
	}
	H.slot[H.n] = t;
	sift_up(H.n++);
}

static void heap_remove(struct uk_timer *t)
{
	uint32_t i = t->heap_index - 1;
	struct uk_timer *last = H.slot[--H.n];

	t->heap_index = 0;
	if (i != H.n) {
		place(last, i);
		if (i > 0 && before(last, H.slot[(i - 1) / 2]))
			sift_up(i);
		else
			sift_down(i);
	}
	/*
	 * Shrinking to more than the static slots takes a new array from
	 * uk_malloc; if that fails the heap stays in its larger array, which
	 * still holds every timer, and a later removal tries again.
	 */
	if (H.slot != static_slots && H.n <= H.cap / 4)
		(void)heap_resize(H.cap / 2 > TIMER_STATIC_SLOTS ? H.cap / 2 : TIMER_STATIC_SLOTS);
}

void uk_timer_init(struct uk_timer *t, uk_timer_fn fn, void *arg)
{
	memset(t, 0, sizeof(*t));
	t->fn = fn;
	t->arg = arg;
}

/* (Re-)arms t for deadline with a new seq: it goes behind equal deadlines. */
static void arm(struct uk_timer *t, uint64_t deadline_ns)
{
	bool was_armed = t->heap_index != 0;
	uint64_t old = t->deadline_ns;

	t->deadline_ns = deadline_ns;
	t->seq = H.next_seq++;
	if (!was_armed)
		heap_insert(t);
	else if (deadline_ns < old)
		sift_up(t->heap_index - 1);
	else
		sift_down(t->heap_index - 1);
}

void uk_timer_arm_at(struct uk_timer *t, uint64_t deadline_ns)
{
	t->period_ns = 0;
	arm(t, deadline_ns);
}

void uk_timer_arm(struct uk_timer *t, uint64_t ns)
{
	uk_timer_arm_at(t, uk_deadline_after(ns));
}

void uk_timer_arm_periodic(struct uk_timer *t, uint64_t period_ns)
{
	if (period_ns == 0)
		uk_panic("uk_timer_arm_periodic: a period of 0 ns would fire forever");
	t->period_ns = period_ns;
	arm(t, uk_deadline_after(period_ns));
}

void uk_timer_cancel(struct uk_timer *t)
{
	if (t->heap_index)
		heap_remove(t);
	t->period_ns = 0;
}

bool uk_timer_armed(const struct uk_timer *t)
{
	return t->heap_index != 0;
}

uint64_t uk_timer_deadline(const struct uk_timer *t)
{
	return t->heap_index ? t->deadline_ns : UINT64_MAX;
}

uint64_t uk_timer_next_deadline(void)
{
	return H.n ? H.slot[0]->deadline_ns : UINT64_MAX;
}

unsigned int uk_timer_count(void)
{
	return H.n;
}

/*
 * The first deadline on t's phase after now_ns (t being due), or 0 when
 * that is past the end of time. Periods missed while the guest was kept
 * from the scheduler are stepped over at once, not run one by one:
 * Linux's hrtimer_forward, next = deadline + period * ((now - deadline) /
 * period + 1), computed so it cannot wrap.
 */
static uint64_t periodic_next(const struct uk_timer *t, uint64_t now_ns)
{
	uint64_t missed = (now_ns - t->deadline_ns) / t->period_ns;
	uint64_t room = (UINT64_MAX - t->deadline_ns) / t->period_ns;

	if (missed >= room)
		return 0;
	return t->deadline_ns + t->period_ns * (missed + 1);
}

/*
 * Only timers armed before the pass began run in it: a callback that arms
 * a timer for "now" gets it run on the scheduler's next pass, after the
 * threads it woke, instead of looping here.
 */
unsigned int uk_timer_run_due(uint64_t now_ns)
{
	uint64_t limit = H.next_seq;
	unsigned int ran = 0;

	while (H.n && H.slot[0]->deadline_ns <= now_ns && H.slot[0]->seq < limit) {
		struct uk_timer *t = H.slot[0];

		if (t->period_ns) {
			uint64_t next = periodic_next(t, now_ns);

			if (next == 0)
				uk_timer_cancel(t);
			else
				arm(t, next);
		} else {
			heap_remove(t);
		}
		t->fn(t, t->arg);
		ran++;
	}
	return ran;
}
