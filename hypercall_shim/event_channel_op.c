/* HYPERVISOR_event_channel_op: EVTCHNOP_* on the current domain's ports. */
#include <stdbool.h>
#include <xen/errno.h>
#include <xen/event_channel.h>

#include "hypercall_shim/shim.h"
#include "sim/hot.h"
#include "sim/report.h"

static const char *cmd_name(int cmd)
{
	switch (cmd) {
	case EVTCHNOP_bind_interdomain: return "EVTCHNOP_bind_interdomain";
	case EVTCHNOP_bind_virq: return "EVTCHNOP_bind_virq";
	case EVTCHNOP_bind_pirq: return "EVTCHNOP_bind_pirq";
	case EVTCHNOP_close: return "EVTCHNOP_close";
	case EVTCHNOP_send: return "EVTCHNOP_send";
	case EVTCHNOP_status: return "EVTCHNOP_status";
	case EVTCHNOP_alloc_unbound: return "EVTCHNOP_alloc_unbound";
	case EVTCHNOP_bind_ipi: return "EVTCHNOP_bind_ipi";
	case EVTCHNOP_bind_vcpu: return "EVTCHNOP_bind_vcpu";
	case EVTCHNOP_unmask: return "EVTCHNOP_unmask";
	case EVTCHNOP_reset: return "EVTCHNOP_reset";
	default: return "unknown";
	}
}

static long alloc_unbound(struct sim_domain *d, struct evtchn_alloc_unbound *a)
{
	/* An unprivileged domain allocates only in itself. */
	if (a->dom != DOMID_SELF && a->dom != d->domid)
		return -XEN_EPERM;
	return sim_evtchn_alloc_unbound(d, a->remote_dom, &a->port);
}

static __attribute__((noinline, cold)) long send_failed(struct sim_domain *d, evtchn_port_t port,
							long rc)
{
	sim_report_violation(d, "EVTCHNOP_send on port %u, which is %s", port,
			     !sim_evtchn_port_is_valid(d, port) ? "out of range" :
			     "not connected (closed or a VIRQ)");
	return rc;
}

/* Inline: every frame's notification; the report out of line. */
static SIM_HOT_INLINE long send_op(struct sim_domain *d, struct evtchn_send *s)
{
	long rc = sim_evtchn_send(d, s->port);

	return rc < 0 ? send_failed(d, s->port, rc) : rc;
}

/* The size of each op's argument (all are read, most written back); 0: unknown op. */
static size_t arg_size(int cmd)
{
	switch (cmd) {
	case EVTCHNOP_alloc_unbound: return sizeof(struct evtchn_alloc_unbound);
	case EVTCHNOP_bind_interdomain: return sizeof(struct evtchn_bind_interdomain);
	case EVTCHNOP_bind_virq: return sizeof(struct evtchn_bind_virq);
	case EVTCHNOP_bind_ipi: return sizeof(struct evtchn_bind_ipi);
	case EVTCHNOP_close: return sizeof(struct evtchn_close);
	case EVTCHNOP_send: return sizeof(struct evtchn_send);
	case EVTCHNOP_status: return sizeof(struct evtchn_status);
	case EVTCHNOP_bind_vcpu: return sizeof(struct evtchn_bind_vcpu);
	case EVTCHNOP_unmask: return sizeof(struct evtchn_unmask);
	case EVTCHNOP_reset: return sizeof(struct evtchn_reset);
	case EVTCHNOP_bind_pirq: return sizeof(struct evtchn_bind_pirq);
	default: return 0;
	}
}

/* Ops whose answer Xen copies back into the argument (a port, a status). */
static bool writes_back(int cmd)
{
	switch (cmd) {
	case EVTCHNOP_alloc_unbound:
	case EVTCHNOP_bind_interdomain:
	case EVTCHNOP_bind_virq:
	case EVTCHNOP_bind_ipi:
	case EVTCHNOP_status:
		return true;
	default:
		return false;
	}
}

static long do_op(struct sim_domain *d, int cmd, void *arg)
{
	size_t size = arg_size(cmd);

	if (!size)
		return -XEN_ENOSYS;
	/* Xen's copy_from_guest, then copy_to_guest for the ops that answer in the struct. */
	if (sim_domain_guest_access(d, arg, size, writes_back(cmd), cmd_name(cmd)))
		return -XEN_EFAULT;
	switch (cmd) {
	case EVTCHNOP_alloc_unbound:
		return alloc_unbound(d, arg);
	case EVTCHNOP_bind_interdomain: {
		struct evtchn_bind_interdomain *b = arg;
		return sim_evtchn_bind_interdomain(d, b->remote_dom, b->remote_port, &b->local_port);
	}
	case EVTCHNOP_bind_virq: {
		struct evtchn_bind_virq *b = arg;
		return sim_evtchn_bind_virq(d, b->virq, b->vcpu, &b->port);
	}
	case EVTCHNOP_bind_ipi: {
		struct evtchn_bind_ipi *b = arg;
		return sim_evtchn_bind_ipi(d, b->vcpu, &b->port);
	}
	case EVTCHNOP_close:
		return sim_evtchn_close(d, ((struct evtchn_close *)arg)->port);
	case EVTCHNOP_send:
		return send_op(d, arg);
	case EVTCHNOP_status:
		return sim_evtchn_status(d, arg);
	case EVTCHNOP_bind_vcpu: {
		struct evtchn_bind_vcpu *b = arg;
		return sim_evtchn_bind_vcpu(d, b->port, b->vcpu);
	}
	case EVTCHNOP_unmask:
		return sim_evtchn_unmask(d, ((struct evtchn_unmask *)arg)->port);
	case EVTCHNOP_reset: {
		struct evtchn_reset *r = arg;
		if (r->dom != DOMID_SELF && r->dom != d->domid)
			return -XEN_EPERM;
		return sim_evtchn_reset(d);
	}
	case EVTCHNOP_bind_pirq:
		return -XEN_EPERM; /* no physical IRQs for a PVH domU */
	default:
		return -XEN_ENOSYS;
	}
}

/* The port an operation names, for the trace line (arg has passed the check). */
static long port_of(int cmd, const void *arg, long rc)
{
	if (rc == -XEN_EFAULT || rc == -XEN_ENOSYS)
		return -1;
	switch (cmd) {
	case EVTCHNOP_send: return ((const struct evtchn_send *)arg)->port;
	case EVTCHNOP_close: return ((const struct evtchn_close *)arg)->port;
	case EVTCHNOP_unmask: return ((const struct evtchn_unmask *)arg)->port;
	case EVTCHNOP_alloc_unbound: return ((const struct evtchn_alloc_unbound *)arg)->port;
	case EVTCHNOP_bind_virq: return ((const struct evtchn_bind_virq *)arg)->port;
	case EVTCHNOP_bind_ipi: return ((const struct evtchn_bind_ipi *)arg)->port;
	case EVTCHNOP_bind_interdomain:
		return ((const struct evtchn_bind_interdomain *)arg)->local_port;
	default: return -1;
	}
}

/* The rest of HYPERVISOR_event_channel_op: tracing, and every op but an untraced send. */
static __attribute__((noinline)) long event_channel_op_full(struct sim_domain *d, int cmd,
							    void *arg)
{
	long rc = do_op(d, cmd, arg);
	char e[24];

	if (shim_tracing())
		shim_trace("event_channel_op(%s, port=%ld) = %s", cmd_name(cmd), port_of(cmd, arg, rc),
			   shim_strerror(rc, e));
	return rc;
}

long shim_event_channel_op(int cmd, void *arg)
{
	struct sim_domain *d = shim_current();

	/* Every frame's notification: checked first, without the frame of the rest. */
	if (cmd == EVTCHNOP_send && !shim_tracing())
		return sim_domain_guest_access(d, arg, sizeof(struct evtchn_send), false,
					       "EVTCHNOP_send") ? -XEN_EFAULT : send_op(d, arg);
	return event_channel_op_full(d, cmd, arg);
}
