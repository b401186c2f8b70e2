/*
 * The event channels' runtime-internal side (runtime/events.c): what boot,
 * the scheduler and the platform call. Drivers use <uk/drivers/events.h>.
 */
#ifndef UK_EVENTS_PRIVATE_H
#define UK_EVENTS_PRIVATE_H

#include "drivers/include/uk/drivers/events.h"

/* Takes the 2-level bitmaps of s; every port starts masked. */
void evtchn_init(struct shared_info *s);
/* True when any event is pending for the vCPU (evtchn_upcall_pending). */
int evtchn_pending(void);
/* Runs the handlers of every pending, unmasked port; returns how many ran. */
unsigned int evtchn_dispatch(void);

#endif
