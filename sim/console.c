/* The console backend: the guest's output ring to the host's stdout. */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>
#include <xen/io/console.h>

#include "sim/domain.h"
#include "sim/report.h"

static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* stdout is gone: the guest's output has nowhere to go */
		buf += n;
		len -= (size_t)n;
	}
}

static struct xencons_interface *ring(struct sim_console *c)
{
	return sim_domain_gfn_to_page(c->dom, c->dom->hvm_param[HVM_PARAM_CONSOLE_PFN]);
}

void sim_console_drain(struct sim_console *c)
{
	struct xencons_interface *intf;
	char buf[sizeof(intf->out)];
	XENCONS_RING_IDX cons, prod;
	size_t n = 0;

	if (!c->dom || !(intf = ring(c)))
		return;
	cons = intf->out_cons;
	prod = __atomic_load_n(&intf->out_prod, __ATOMIC_ACQUIRE);
	if ((size_t)(prod - cons) > sizeof(intf->out)) {
		/* Discard first (the contents cannot be trusted): the report may end the domain. */
		__atomic_store_n(&intf->out_cons, prod, __ATOMIC_RELEASE);
		sim_report_violation(c->dom, "console ring: out_prod %u is %u bytes ahead of "
				     "out_cons %u, more than the ring's %zu", prod, prod - cons,
				     cons, sizeof(intf->out));
		return;
	}
	while (cons != prod)
		buf[n++] = intf->out[MASK_XENCONS_IDX(cons++, intf->out)];
	__atomic_store_n(&intf->out_cons, cons, __ATOMIC_RELEASE);
	if (n) {
		write_all(c->out_fd, buf, n);
		c->bytes_out += n;
	}
}

void sim_console_drain_in_signal(struct sim_console *c)
{
	struct xencons_interface *intf;
	XENCONS_RING_IDX cons, prod;
	size_t at, n;

	if (!c->dom || !(intf = ring(c)))
		return;
	cons = intf->out_cons;
	prod = __atomic_load_n(&intf->out_prod, __ATOMIC_ACQUIRE);
	/* An overrun ring is dropped, as sim_console_drain does, but unreported: no stdio here. */
	if ((size_t)(prod - cons) > sizeof(intf->out))
		return;
	/* Straight from the ring, in at most two pieces: the guest does not run meanwhile. */
	while (cons != prod) {
		at = MASK_XENCONS_IDX(cons, intf->out);
		n = sizeof(intf->out) - at < (size_t)(prod - cons) ? sizeof(intf->out) - at
								   : (size_t)(prod - cons);
		write_all(c->out_fd, intf->out + at, n);
		cons += (XENCONS_RING_IDX)n;
	}
	__atomic_store_n(&intf->out_cons, cons, __ATOMIC_RELEASE);
}

static void console_notified(void *arg, evtchn_port_t port)
{
	struct sim_console *c = arg;

	sim_console_drain(c);
	/* Tell the guest there is room again (it may be waiting for it). */
	sim_evtchn_send(sim_domain_lookup(c->dom->sim, 0), c->dom0_port);
}

int sim_console_connect(struct sim_console *c, struct sim_domain *d, int out_fd)
{
	struct sim_domain *dom0 = sim_domain_lookup(d->sim, 0);
	int rc;

	c->dom = d;
	c->out_fd = out_fd;
	rc = sim_evtchn_bind_interdomain(dom0, d->domid, c->guest_port, &c->dom0_port);
	if (rc < 0)
		return rc;
	return sim_evtchn_set_handler(dom0, c->dom0_port, console_notified, c);
}
