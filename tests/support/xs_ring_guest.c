/* The guest's side of a xenstore ring, for host-side tests (see xs_ring_guest.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <xen/hvm/params.h>

#include "sim/evtchn.h"
#include "xs_ring_guest.h"

int xs_ring_guest_init(struct xs_ring_guest *g, struct sim_domain *d)
{
	g->d = d;
	g->intf = sim_domain_gfn_to_page(d, d->hvm_param[HVM_PARAM_STORE_PFN]);
	g->port = (evtchn_port_t)d->hvm_param[HVM_PARAM_STORE_EVTCHN];
	return g->intf ? 0 : -1;
}

XENSTORE_RING_IDX xs_ring_guest_req_free(const struct xs_ring_guest *g)
{
	return XENSTORE_RING_SIZE - (g->intf->req_prod - g->intf->req_cons);
}

XENSTORE_RING_IDX xs_ring_guest_rsp_unread(const struct xs_ring_guest *g)
{
	return g->intf->rsp_prod - g->intf->rsp_cons;
}

void xs_ring_guest_put_bytes(struct xs_ring_guest *g, const void *p, size_t n)
{
	struct xenstore_domain_interface *intf = g->intf;
	XENSTORE_RING_IDX prod = intf->req_prod;

	assert_true(n <= xs_ring_guest_req_free(g));
	for (size_t i = 0; i < n; i++)
		intf->req[MASK_XENSTORE_IDX(prod++)] = ((const char *)p)[i];
	__atomic_store_n(&intf->req_prod, prod, __ATOMIC_RELEASE);
}

void xs_ring_guest_put_request(struct xs_ring_guest *g, uint32_t type, uint32_t req_id,
			       const void *payload, size_t len)
{
	struct xsd_sockmsg hdr = { .type = type, .req_id = req_id, .len = (uint32_t)len };

	xs_ring_guest_put_bytes(g, &hdr, sizeof(hdr));
	xs_ring_guest_put_bytes(g, payload, len);
}

void xs_ring_guest_notify(struct xs_ring_guest *g)
{
	assert_int_equal(sim_evtchn_send(g->d, g->port), 0);
}

bool xs_ring_guest_get_reply(struct xs_ring_guest *g, struct xs_ring_reply *r)
{
	struct xenstore_domain_interface *intf = g->intf;
	XENSTORE_RING_IDX cons = intf->rsp_cons;
	char *hdr = (char *)&r->hdr;

	if (xs_ring_guest_rsp_unread(g) < sizeof(r->hdr))
		return false;
	for (size_t i = 0; i < sizeof(r->hdr); i++)
		hdr[i] = intf->rsp[MASK_XENSTORE_IDX(cons + i)];
	assert_true(r->hdr.len <= XENSTORE_PAYLOAD_MAX);
	if (xs_ring_guest_rsp_unread(g) < sizeof(r->hdr) + r->hdr.len)
		return false;
	cons += sizeof(r->hdr);
	for (size_t i = 0; i < r->hdr.len; i++)
		r->payload[i] = intf->rsp[MASK_XENSTORE_IDX(cons++)];
	r->payload[r->hdr.len] = '\0';
	__atomic_store_n(&intf->rsp_cons, cons, __ATOMIC_RELEASE);
	return true;
}
