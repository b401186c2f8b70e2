/*
 * The guest's side of one domain's xenstore ring, played by a host-side
 * test as docs/misc/xenstore-ring.txt describes it: bytes into req[] at
 * req_prod, replies off rsp[] at rsp_cons, and "notify" as EVTCHNOP_send on
 * the store port would (xenstored answers inside that call). The ring page
 * and port are those the toolstack gave the domain (HVM_PARAM_STORE_PFN,
 * HVM_PARAM_STORE_EVTCHN). CMocka asserts fail the running test where the
 * guest's own rules are broken (a request that does not fit).
 */
#ifndef TESTS_SUPPORT_XS_RING_GUEST_H
#define TESTS_SUPPORT_XS_RING_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/io/xs_wire.h>

#include "sim/domain.h"

struct xs_ring_guest {
	struct sim_domain *d;
	struct xenstore_domain_interface *intf;
	evtchn_port_t port;
};

/* A reply or watch event as the guest reads it off the ring. */
struct xs_ring_reply {
	struct xsd_sockmsg hdr;
	char payload[XENSTORE_PAYLOAD_MAX + 1]; /* NUL added after hdr.len bytes */
};

/* 0, or -1 when d has no store ring page (not built by the toolstack). */
int xs_ring_guest_init(struct xs_ring_guest *g, struct sim_domain *d);
XENSTORE_RING_IDX xs_ring_guest_req_free(const struct xs_ring_guest *g);
XENSTORE_RING_IDX xs_ring_guest_rsp_unread(const struct xs_ring_guest *g);
/* Writes n request bytes at req_prod (they must fit) and publishes them. */
void xs_ring_guest_put_bytes(struct xs_ring_guest *g, const void *p, size_t n);
/* Writes one request (header and payload, which must fit) without notifying. */
void xs_ring_guest_put_request(struct xs_ring_guest *g, uint32_t type, uint32_t req_id,
			       const void *payload, size_t len);
void xs_ring_guest_notify(struct xs_ring_guest *g);
/* Takes one whole message off rsp[] if there is one (without notifying). */
bool xs_ring_guest_get_reply(struct xs_ring_guest *g, struct xs_ring_reply *r);

#endif
