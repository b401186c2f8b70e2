/*
 * Event channels: Xen's port states, checks and error codes
 * (xen/common/event_channel.c), and 2-level delivery into shared_info.
 */
#include <stdlib.h>
#include <xen/errno.h>

#include "sim/domain.h"
#include "sim/hot.h"
#include "sim/report.h"
#include "sim/sim_private.h"

#define BITS_PER_WORD (sizeof(xen_ulong_t) * 8)

int sim_evtchn_table_init(struct sim_evtchn_table *t, unsigned int nr_ports)
{
	t->ports = calloc(nr_ports + 1, sizeof(*t->ports));
	if (!t->ports)
		return -XEN_ENOMEM;
	t->nr_ports = nr_ports + 1;
	/* Port 0 is never handed out (Xen's ECS_RESERVED). */
	t->ports[0].state = EVTCHNSTAT_closed;
	for (unsigned int i = 0; i < NR_VIRQS; i++)
		t->virq_port[i] = 0;
	return 0;
}

void sim_evtchn_table_fini(struct sim_evtchn_table *t)
{
	free(t->ports);
	t->ports = NULL;
	t->nr_ports = 0;
}

static bool port_is_valid(const struct sim_domain *d, evtchn_port_t port)
{
	return port != 0 && port < d->evtchn.nr_ports;
}

bool sim_evtchn_port_is_valid(const struct sim_domain *d, evtchn_port_t port)
{
	return port_is_valid(d, port);
}

static struct sim_evtchn *chn(struct sim_domain *d, evtchn_port_t port)
{
	return &d->evtchn.ports[port];
}

static int get_free_port(struct sim_domain *d)
{
	for (evtchn_port_t p = 1; p < d->evtchn.nr_ports; p++)
		if (chn(d, p)->state == EVTCHNSTAT_closed)
			return (int)p;
	return -XEN_ENOSPC;
}

/* Per-vCPU VIRQs may be bound on any vCPU, global ones only on vCPU 0. */
static bool virq_is_global(uint32_t virq)
{
	switch (virq) {
	case VIRQ_TIMER:
	case VIRQ_DEBUG:
	case VIRQ_XENOPROF:
	case VIRQ_XENPMU:
		return false;
	default:
		return true;
	}
}

static bool bit_test_and_set(xen_ulong_t *words, unsigned int bit)
{
	xen_ulong_t m = (xen_ulong_t)1 << (bit % BITS_PER_WORD);
	return __atomic_fetch_or(&words[bit / BITS_PER_WORD], m, __ATOMIC_SEQ_CST) & m;
}

static bool bit_test(const xen_ulong_t *words, unsigned int bit)
{
	xen_ulong_t w = __atomic_load_n(&words[bit / BITS_PER_WORD], __ATOMIC_SEQ_CST);
	return w & ((xen_ulong_t)1 << (bit % BITS_PER_WORD));
}

static bool bit_test_and_clear(xen_ulong_t *words, unsigned int bit)
{
	xen_ulong_t m = (xen_ulong_t)1 << (bit % BITS_PER_WORD);
	return __atomic_fetch_and(&words[bit / BITS_PER_WORD], ~m, __ATOMIC_SEQ_CST) & m;
}

static void bit_clear(xen_ulong_t *words, unsigned int bit)
{
	xen_ulong_t m = (xen_ulong_t)1 << (bit % BITS_PER_WORD);
	__atomic_fetch_and(&words[bit / BITS_PER_WORD], ~m, __ATOMIC_SEQ_CST);
}

/* Xen's evtchn_2l_set_pending followed by vcpu_mark_events_pending (inline: every frame's). */
static SIM_HOT_INLINE void set_pending_2l(struct sim_domain *d, evtchn_port_t port)
{
	struct shared_info *s = d->shared_info;
	struct vcpu_info *v = &s->vcpu_info[0];

	if (bit_test_and_set(s->evtchn_pending, port))
		return;
	if (!bit_test(s->evtchn_mask, port) &&
	    !bit_test_and_set(&v->evtchn_pending_sel, port / BITS_PER_WORD))
		__atomic_store_n(&v->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST);
}

/* Inlined into sim_evtchn_send, which every frame's notification takes. */
static SIM_HOT_INLINE void port_raise(struct sim_domain *d, evtchn_port_t port)
{
	if (!port_is_valid(d, port))
		return;
	if (d->shared_info) {
		if (d->state == SIM_DOMAIN_RUNNING)
			set_pending_2l(d, port);
		return;
	}
	struct sim_evtchn *c = chn(d, port);
	if (c->handler)
		c->handler(c->handler_arg, port);
}

void sim_evtchn_raise(struct sim_domain *d, evtchn_port_t port)
{
	port_raise(d, port);
}

bool sim_evtchn_is_pending(struct sim_domain *d, evtchn_port_t port)
{
	return d->shared_info && port < d->evtchn.nr_ports &&
	       bit_test(d->shared_info->evtchn_pending, port);
}

void sim_evtchn_raise_virq(struct sim_domain *d, uint32_t virq)
{
	if (virq < NR_VIRQS && d->evtchn.virq_port[virq])
		sim_evtchn_raise(d, d->evtchn.virq_port[virq]);
}

int sim_evtchn_set_handler(struct sim_domain *dom0, evtchn_port_t port, sim_evtchn_handler_fn fn,
			   void *arg)
{
	if (!port_is_valid(dom0, port) || dom0->shared_info)
		return -XEN_EINVAL;
	chn(dom0, port)->handler = fn;
	chn(dom0, port)->handler_arg = arg;
	return 0;
}

int sim_evtchn_alloc_unbound(struct sim_domain *d, domid_t remote, evtchn_port_t *port)
{
	int p = get_free_port(d);

	if (p < 0)
		return p;
	*chn(d, p) = (struct sim_evtchn){
		.state = EVTCHNSTAT_unbound,
		.remote_dom = remote == DOMID_SELF ? d->domid : remote,
	};
	*port = (evtchn_port_t)p;
	return 0;
}

int sim_evtchn_bind_interdomain(struct sim_domain *d, domid_t remote_dom,
				evtchn_port_t remote_port, evtchn_port_t *local)
{
	struct sim_domain *rd;
	struct sim_evtchn *rc;
	int lp;

	if (remote_dom == DOMID_SELF)
		remote_dom = d->domid;
	if (!(rd = sim_domain_lookup(d->sim, remote_dom)))
		return -XEN_ESRCH;
	if ((lp = get_free_port(d)) < 0)
		return lp;
	if (!port_is_valid(rd, remote_port))
		return -XEN_EINVAL;
	rc = chn(rd, remote_port);
	if (rc->state != EVTCHNSTAT_unbound || rc->remote_dom != d->domid)
		return -XEN_EINVAL;
	*chn(d, lp) = (struct sim_evtchn){
		.state = EVTCHNSTAT_interdomain,
		.remote_dom = remote_dom,
		.remote_port = remote_port,
		.peer = rd,
	};
	rc->state = EVTCHNSTAT_interdomain;
	rc->remote_port = (evtchn_port_t)lp;
	rc->peer = d;
	*local = (evtchn_port_t)lp;
	/* Notifications sent to the unbound port were lost: Xen raises the new port. */
	sim_evtchn_raise(d, (evtchn_port_t)lp);
	return 0;
}

int sim_evtchn_bind_virq(struct sim_domain *d, uint32_t virq, uint32_t vcpu, evtchn_port_t *port)
{
	int p;

	if (virq >= NR_VIRQS)
		return -XEN_EINVAL;
	if (virq_is_global(virq) && vcpu != 0)
		return -XEN_EINVAL;
	if (vcpu != 0)
		return -XEN_ENOENT;
	if (d->evtchn.virq_port[virq])
		return -XEN_EEXIST;
	if ((p = get_free_port(d)) < 0)
		return p;
	*chn(d, p) = (struct sim_evtchn){ .state = EVTCHNSTAT_virq, .virq = virq };
	d->evtchn.virq_port[virq] = (evtchn_port_t)p;
	*port = (evtchn_port_t)p;
	return 0;
}

int sim_evtchn_bind_ipi(struct sim_domain *d, uint32_t vcpu, evtchn_port_t *port)
{
	int p;

	if (vcpu != 0)
		return -XEN_ENOENT;
	if ((p = get_free_port(d)) < 0)
		return p;
	*chn(d, p) = (struct sim_evtchn){ .state = EVTCHNSTAT_ipi };
	*port = (evtchn_port_t)p;
	return 0;
}

int sim_evtchn_close(struct sim_domain *d, evtchn_port_t port)
{
	struct sim_evtchn *c;

	if (!port_is_valid(d, port))
		return -XEN_EINVAL;
	c = chn(d, port);
	switch (c->state) {
	case EVTCHNSTAT_closed:
		return -XEN_EINVAL;
	case EVTCHNSTAT_virq:
		d->evtchn.virq_port[c->virq] = 0;
		break;
	case EVTCHNSTAT_interdomain: {
		/* The peer's end goes back to unbound, waiting for us again. */
		struct sim_domain *rd = sim_domain_lookup(d->sim, c->remote_dom);
		struct sim_evtchn *r = rd && port_is_valid(rd, c->remote_port)
					       ? chn(rd, c->remote_port) : NULL;
		/* As Xen: only a peer still connected to this very port goes back to unbound. */
		if (r && r->state == EVTCHNSTAT_interdomain && r->remote_dom == d->domid &&
		    r->remote_port == port) {
			r->state = EVTCHNSTAT_unbound;
			r->remote_dom = d->domid;
			r->remote_port = 0;
			r->peer = NULL;
		}
		break;
	}
	default:
		break;
	}
	if (d->shared_info)
		bit_clear(d->shared_info->evtchn_pending, port);
	*c = (struct sim_evtchn){ .state = EVTCHNSTAT_closed };
	return 0;
}

int sim_evtchn_send(struct sim_domain *d, evtchn_port_t port)
{
	struct sim_evtchn *c;

	if (!port_is_valid(d, port))
		return -XEN_EINVAL;
	c = chn(d, port);
	switch (c->state) {
	case EVTCHNSTAT_interdomain:
		if (c->peer)
			port_raise(c->peer, c->remote_port);
		return 0;
	case EVTCHNSTAT_ipi:
		port_raise(d, port);
		return 0;
	case EVTCHNSTAT_unbound:
		/* Xen drops it silently: the peer has not bound yet. */
		return 0;
	default:
		return -XEN_EINVAL;
	}
}

int sim_evtchn_status(struct sim_domain *d, struct evtchn_status *st)
{
	struct sim_evtchn *c;

	if (st->dom != DOMID_SELF && st->dom != d->domid)
		return sim_domain_lookup(d->sim, st->dom) ? -XEN_EPERM : -XEN_ESRCH;
	/* Port 0 exists (reserved) and reports closed, as in Xen. */
	if (st->port >= d->evtchn.nr_ports)
		return -XEN_EINVAL;
	c = chn(d, st->port);
	st->status = c->state;
	st->vcpu = c->vcpu;
	switch (c->state) {
	case EVTCHNSTAT_unbound:
		st->u.unbound.dom = c->remote_dom;
		break;
	case EVTCHNSTAT_interdomain:
		st->u.interdomain.dom = c->remote_dom;
		st->u.interdomain.port = c->remote_port;
		break;
	case EVTCHNSTAT_virq:
		st->u.virq = c->virq;
		break;
	default:
		break;
	}
	return 0;
}

int sim_evtchn_bind_vcpu(struct sim_domain *d, evtchn_port_t port, uint32_t vcpu)
{
	struct sim_evtchn *c;

	if (vcpu != 0)
		return -XEN_ENOENT;
	if (!port_is_valid(d, port))
		return -XEN_EINVAL;
	c = chn(d, port);
	switch (c->state) {
	case EVTCHNSTAT_virq:
		return virq_is_global(c->virq) ? 0 : -XEN_EINVAL;
	case EVTCHNSTAT_unbound:
	case EVTCHNSTAT_interdomain:
		return 0;
	default:
		return -XEN_EINVAL;
	}
}

int sim_evtchn_unmask(struct sim_domain *d, evtchn_port_t port)
{
	struct shared_info *s = d->shared_info;
	struct vcpu_info *v = &s->vcpu_info[0];

	if (!port_is_valid(d, port))
		return -XEN_EINVAL;
	/* Xen's evtchn_2l_unmask: only an event that came in while masked is raised now. */
	if (bit_test_and_clear(s->evtchn_mask, port) && bit_test(s->evtchn_pending, port) &&
	    !bit_test_and_set(&v->evtchn_pending_sel, port / BITS_PER_WORD))
		__atomic_store_n(&v->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST);
	return 0;
}

void sim_evtchn_close_ports_of_peer(struct sim_domain *d, domid_t peer)
{
	for (evtchn_port_t p = 1; p < d->evtchn.nr_ports; p++) {
		struct sim_evtchn *c = chn(d, p);
		if ((c->state == EVTCHNSTAT_interdomain || c->state == EVTCHNSTAT_unbound) &&
		    c->remote_dom == peer)
			sim_evtchn_close(d, p);
	}
}

int sim_evtchn_reset(struct sim_domain *d)
{
	for (evtchn_port_t p = 1; p < d->evtchn.nr_ports; p++)
		if (chn(d, p)->state != EVTCHNSTAT_closed)
			sim_evtchn_close(d, p);
	return 0;
}
