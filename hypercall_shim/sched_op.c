/* HYPERVISOR_sched_op: yield, block, poll, shutdown. */
#include <stdbool.h>
#include <xen/errno.h>
#include <xen/sched.h>

#include "hypercall_shim/shim.h"

static const char *cmd_name(int cmd)
{
	switch (cmd) {
	case SCHEDOP_yield: return "SCHEDOP_yield";
	case SCHEDOP_block: return "SCHEDOP_block";
	case SCHEDOP_shutdown: return "SCHEDOP_shutdown";
	case SCHEDOP_poll: return "SCHEDOP_poll";
	case SCHEDOP_remote_shutdown: return "SCHEDOP_remote_shutdown";
	case SCHEDOP_shutdown_code: return "SCHEDOP_shutdown_code";
	case SCHEDOP_watchdog: return "SCHEDOP_watchdog";
	case SCHEDOP_pin_override: return "SCHEDOP_pin_override";
	default: return "unknown";
	}
}

#define POLL_MAX_PORTS 128

/* The ports of a SCHEDOP_poll, copied once: the guest's array may change. */
struct poll_ports {
	evtchn_port_t port[POLL_MAX_PORTS];
	unsigned int n;
};

static bool any_port_pending(struct sim_domain *d, void *arg)
{
	const struct poll_ports *pp = arg;

	for (unsigned int i = 0; i < pp->n; i++)
		if (sim_evtchn_is_pending(d, pp->port[i]))
			return true;
	return false;
}

/* Xen's do_poll: wait until one of the ports is pending or the timeout passes. */
static long sched_poll(struct sim_domain *d, struct sched_poll *p)
{
	struct poll_ports pp;

	if (sim_domain_guest_access(d, p, sizeof(*p), false, "SCHEDOP_poll argument"))
		return -XEN_EFAULT;
	if (p->nr_ports > POLL_MAX_PORTS)
		return -XEN_EINVAL;
	pp.n = p->nr_ports;
	if (sim_domain_guest_access(d, p->ports.p, pp.n * sizeof(evtchn_port_t), false,
				    "SCHEDOP_poll ports"))
		return -XEN_EFAULT;
	/* Xen's do_poll refuses a port beyond the table (port 0 is allowed). */
	for (unsigned int i = 0; i < pp.n; i++)
		if ((pp.port[i] = p->ports.p[i]) && !sim_evtchn_port_is_valid(d, pp.port[i]))
			return -XEN_EINVAL;
	sim_run_until(d->sim, d, p->timeout, any_port_pending, &pp);
	return 0;
}

static long shutdown_op(struct sim_domain *d, struct sched_shutdown *s)
{
	if (sim_domain_guest_access(d, s, sizeof(*s), false, "SCHEDOP_shutdown argument"))
		return -XEN_EFAULT;
	/* Traced before it happens: in the executable the call does not return. */
	if (shim_tracing())
		shim_trace("sched_op(SCHEDOP_shutdown, reason=%u)", s->reason);
	/* The shim's on_shutdown hook ends the process: this returns only in tests. */
	sim_domain_shutdown(d, s->reason);
	return 0;
}

static long do_sched_op(struct sim_domain *d, int cmd, void *arg)
{
	switch (cmd) {
	case SCHEDOP_yield:
		sim_poll(d->sim);
		return 0;
	case SCHEDOP_block:
		sim_run_until_event(d->sim, d);
		return 0;
	case SCHEDOP_poll:
		return sched_poll(d, arg);
	case SCHEDOP_shutdown:
		return shutdown_op(d, arg);
	case SCHEDOP_shutdown_code:
		/* Remembered by Xen for a later shutdown; we have nothing to remember it for. */
		return sim_domain_guest_access(d, arg, sizeof(struct sched_shutdown), false,
					       "SCHEDOP_shutdown_code argument");
	case SCHEDOP_remote_shutdown:
	case SCHEDOP_watchdog:
	case SCHEDOP_pin_override:
		return -XEN_EPERM;
	default:
		return -XEN_ENOSYS;
	}
}

/* The rest of HYPERVISOR_sched_op: tracing, and every op but an untraced block. */
static __attribute__((noinline)) long sched_op_full(struct sim_domain *d, int cmd, void *arg)
{
	char e[24];

	if (shim_tracing()) {
		if (cmd == SCHEDOP_block || cmd == SCHEDOP_yield || cmd == SCHEDOP_poll)
			shim_trace("sched_op(%s) ...", cmd_name(cmd));
	}
	long rc = do_sched_op(d, cmd, arg);
	if (shim_tracing())
		shim_trace("sched_op(%s) = %s", cmd_name(cmd), shim_strerror(rc, e));
	return rc;
}

long shim_sched_op(int cmd, void *arg)
{
	struct sim_domain *d = shim_current();

	/* A guest's idle wait, once per wake-up: checked first, without the frame of the rest. */
	if (cmd == SCHEDOP_block && !shim_tracing()) {
		sim_run_until_event(d->sim, d);
		return 0;
	}
	return sched_op_full(d, cmd, arg);
}
