/*
 * xenstored's end of a guest's xenstore ring (struct
 * xenstore_domain_interface): requests are reassembled from req[] however
 * the guest splits them, handed to the store, and replies and watch events
 * are written to rsp[], queued while the ring is full. A corrupt ring or an
 * oversized message is a protocol violation: the ring's error field is set
 * and the connection (its watches, transactions and queued replies) is
 * discarded; the ring is served again only after the guest asks to
 * reconnect (XENSTORE_RECONNECT, docs/misc/xenstore-ring.txt), which also
 * clears the error field.
 */
#ifndef SIM_XS_RING_H
#define SIM_XS_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/io/xs_wire.h>

#include "sim/sim.h"
#include "sim/xenstored/xs_store.h"

struct sim_domain;
struct xs_ring_msg;

struct xs_ring {
	struct sim_domain *dom;
	struct xs_store *store;
	struct xs_conn *conn;
	struct xenstore_domain_interface *intf;
	evtchn_port_t dom0_port;
	/* The request being reassembled. */
	struct xsd_sockmsg hdr;
	size_t have;                     /* bytes of header + payload so far */
	char payload[XENSTORE_PAYLOAD_MAX];
	/* Output not yet in the ring, oldest first. */
	struct xs_ring_msg *out_head, *out_tail;
	size_t out_off;                  /* bytes of out_head already written */
	size_t out_queued;
	bool ignored;                    /* after a protocol violation */
	bool processing;                 /* inside xs_ring_process: notify once at the end */
	struct sim_timer drop_timer;     /* drops the connection after a violation */
	uint64_t requests;
};

/* Connects the store to d's ring page and event channel (guest ports from its HVM params). */
int xs_ring_connect(struct xs_ring *r, struct xs_store *store, struct sim_domain *d);
void xs_ring_disconnect(struct xs_ring *r);
/* Reads what requests the ring holds and writes what replies fit (on every notification). */
void xs_ring_process(struct xs_ring *r);

#endif
