/*
 * Event channels, 2-level ABI (a driver header: runtime/drivers/include,
 * not seen by applications).  Ports are Xen's; pending and mask bits live in
 * shared_info. Handlers run from the scheduler between threads (never inside
 * a thread), one at a time; a handler may wake threads but must not block.
 *
 * All functions return 0 or a negative Xen error number (<errno.h>).
 */
#ifndef UK_DRIVERS_EVENTS_H
#define UK_DRIVERS_EVENTS_H

#include <stdint.h>
#include <xen/xen.h>
#include <xen/event_channel.h>

typedef void (*evtchn_handler_t)(evtchn_port_t port, void *arg);

/* Binds VIRQ virq on vCPU 0 to a new port with handler h (unmasked). */
int evtchn_bind_virq(uint32_t virq, evtchn_handler_t h, void *arg, evtchn_port_t *port);
/* A new port that domain remote may bind to (EVTCHNOP_alloc_unbound). */
int evtchn_alloc_unbound(domid_t remote, evtchn_handler_t h, void *arg, evtchn_port_t *port);
/* Connects a new local port to remote_port of domain remote. */
int evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port, evtchn_handler_t h,
			    void *arg, evtchn_port_t *port);
/* Installs h for a port set up by someone else (console, xenstore) and unmasks it. */
int evtchn_bind(evtchn_port_t port, evtchn_handler_t h, void *arg);
/* Removes the handler and masks the port, without closing it. */
void evtchn_unbind(evtchn_port_t port);
int evtchn_send(evtchn_port_t port);
/* Unbinds and closes (EVTCHNOP_close). */
int evtchn_close(evtchn_port_t port);
void evtchn_mask(evtchn_port_t port);
/* Unmasks; an event that arrived while masked is delivered afterwards. */
void evtchn_unmask(evtchn_port_t port);
/* Clears a pending event without running its handler. */
void evtchn_clear(evtchn_port_t port);

#endif
