/*
 * What the tests of the simulator's event channels (sim/evtchn.c) share
 * (evtchn_<feature>_test.c): each checks Xen's semantics and error codes
 * (xen/common/event_channel.c and event_2l.c, Xen 4.17).
 *
 * Each test gets a fresh simulator (virtual clock) with two guest domains,
 * 1 and 2, of 4 MiB each, and calls the sim_evtchn_* functions directly, as
 * the hypercall shim does. A new domain already owns two ports, set up the
 * way libxl does it: the xenstore port (unbound for dom0) and the console
 * port (bound by the console backend in dom0). The tests do not rely on
 * their numbers; they find free ports with EVTCHNOP_status.
 *
 * Bits appear in the domain's shared_info (d->shared_info): evtchn_pending
 * and evtchn_mask, and vCPU 0's evtchn_pending_sel and evtchn_upcall_pending.
 */
/* Each test file includes this header once, hence the static inline helpers. */
#ifndef TESTS_UNIT_EVTCHN_FIXTURE_H
#define TESTS_UNIT_EVTCHN_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <xen/errno.h>
#include <xen/event_channel.h>
#include <xen/sched.h>
#include <xen/xen.h>

#include "sim/domain.h"
#include "sim/evtchn.h"
#include "sim/sim.h"
#include "sim_fixture.h"

#define WORD_BITS (sizeof(xen_ulong_t) * 8)

struct fixture {
	struct sim_fixture sf;
	struct sim *sim;
	struct sim_domain *dom0; /* the simulator's backends */
	struct sim_domain *d;    /* guest, domid 1 */
	struct sim_domain *d2;   /* guest, domid 2 */
};

static inline int setup(void **state)
{
	static struct fixture f;
	struct sim_fixture_options o = { .guests = 2, .console_to_stdout = true };

	if (sim_fixture_create(&f.sf, &o) < 0)
		return -1;
	f.sim = f.sf.sim;
	f.dom0 = f.sf.dom0;
	f.d = f.sf.guest[0];
	f.d2 = f.sf.guest[1];
	*state = &f;
	return 0;
}

static inline int teardown(void **state)
{
	struct fixture *f = *state;

	sim_fixture_destroy(&f->sf);
	return 0;
}

/* --- helpers --- */

static inline struct evtchn_status status_of(struct sim_domain *d, evtchn_port_t port)
{
	struct evtchn_status st;

	memset(&st, 0xee, sizeof(st));
	st.dom = DOMID_SELF;
	st.port = port;
	assert_int_equal(sim_evtchn_status(d, &st), 0);
	return st;
}

static inline uint32_t state_of(struct sim_domain *d, evtchn_port_t port)
{
	return status_of(d, port).status;
}

/* The lowest port EVTCHNOP_status reports closed: what get_free_port picks. */
static inline evtchn_port_t lowest_closed_port(struct sim_domain *d)
{
	for (evtchn_port_t p = 1; p < d->evtchn.nr_ports; p++)
		if (state_of(d, p) == EVTCHNSTAT_closed)
			return p;
	fail_msg("no closed port left");
	return 0;
}

static inline bool test_word_bit(const xen_ulong_t *words, unsigned int bit)
{
	return (words[bit / WORD_BITS] >> (bit % WORD_BITS)) & 1;
}

static inline bool is_pending(struct sim_domain *d, evtchn_port_t port)
{
	return test_word_bit(d->shared_info->evtchn_pending, port);
}

static inline bool selector_set(struct sim_domain *d, evtchn_port_t port)
{
	return (d->shared_info->vcpu_info[0].evtchn_pending_sel >> (port / WORD_BITS)) & 1;
}

static inline bool upcall_pending(struct sim_domain *d)
{
	return d->shared_info->vcpu_info[0].evtchn_upcall_pending != 0;
}

static inline void mask(struct sim_domain *d, evtchn_port_t port)
{
	d->shared_info->evtchn_mask[port / WORD_BITS] |= (xen_ulong_t)1 << (port % WORD_BITS);
}

/* What a guest's demultiplexer does: take the upcall flag and the selector. */
static inline void guest_takes_upcall(struct sim_domain *d)
{
	d->shared_info->vcpu_info[0].evtchn_upcall_pending = 0;
	d->shared_info->vcpu_info[0].evtchn_pending_sel = 0;
}

/* ... and then clears each port it handles. */
static inline void guest_clears_all_pending(struct sim_domain *d)
{
	guest_takes_upcall(d);
	memset(d->shared_info->evtchn_pending, 0, sizeof(d->shared_info->evtchn_pending));
}

static inline evtchn_port_t alloc_unbound(struct sim_domain *d, domid_t remote)
{
	evtchn_port_t p = 0;

	assert_int_equal(sim_evtchn_alloc_unbound(d, remote, &p), 0);
	return p;
}

/* A channel between a's port *pa and b's port *pb; b binds to a's unbound port. */
static inline void connect_channel(struct sim_domain *a, evtchn_port_t *pa, struct sim_domain *b,
		    evtchn_port_t *pb)
{
	*pa = alloc_unbound(a, b->domid);
	assert_int_equal(sim_evtchn_bind_interdomain(b, a->domid, *pa, pb), 0);
}

struct handler_log {
	unsigned int calls;
	evtchn_port_t port;
	void *arg;
};

static inline void record_handler(void *arg, evtchn_port_t port)
{
	struct handler_log *log = arg;

	log->calls++;
	log->port = port;
	log->arg = arg;
}

#endif
