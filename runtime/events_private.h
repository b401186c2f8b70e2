/*
 * The event channels' runtime-internal side (runtime/events.c): what boot,
 * the scheduler and the platform call. Drivers use <uk/drivers/events.h>.
 */
#ifndef UK_EVENTS_PRIVATE_H
#define UK_EVENTS_PRIVATE_H

#include "drivers/include/uk/drivers/events.h"

/* Takes the 2-level bitmaps of s; every port starts masked. */
void evtchn_init(struct shared_info *s);
/* evtchn_init's shared_info, for the two inline tests below. */
extern struct shared_info *evtchn_shinfo;
/* evtchn_dispatch's work once an upcall is pending (Linux's __xen_evtchn_do_upcall). */
void evtchn_dispatch_pending(void);

/*
 * True when any event is pending for the vCPU (evtchn_upcall_pending).
 * Inline, as evtchn_dispatch's test: the scheduler asks both at each pass.
 */
static inline int evtchn_pending(void)
{
	return __atomic_load_n(&evtchn_shinfo->vcpu_info[0].evtchn_upcall_pending,
			       __ATOMIC_SEQ_CST);
}

/* Runs the handlers of every pending, unmasked port. */
static inline void evtchn_dispatch(void)
{
	/* Nothing pending: no call, no registers saved. */
	if (evtchn_pending())
		evtchn_dispatch_pending();
}

#endif
