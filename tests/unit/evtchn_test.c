/*
 * The simulator's event channels (sim/evtchn.c) against Xen's semantics and
 * error codes (xen/common/event_channel.c and event_2l.c, Xen 4.17).
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

static int setup(void **state)
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

static int teardown(void **state)
{
	struct fixture *f = *state;

	sim_fixture_destroy(&f->sf);
	return 0;
}

/* --- helpers --- */

static struct evtchn_status status_of(struct sim_domain *d, evtchn_port_t port)
{
	struct evtchn_status st;

	memset(&st, 0xee, sizeof(st));
	st.dom = DOMID_SELF;
	st.port = port;
	assert_int_equal(sim_evtchn_status(d, &st), 0);
	return st;
}

static uint32_t state_of(struct sim_domain *d, evtchn_port_t port)
{
	return status_of(d, port).status;
}

/* The lowest port EVTCHNOP_status reports closed: what get_free_port picks. */
static evtchn_port_t lowest_closed_port(struct sim_domain *d)
{
	for (evtchn_port_t p = 1; p < d->evtchn.nr_ports; p++)
		if (state_of(d, p) == EVTCHNSTAT_closed)
			return p;
	fail_msg("no closed port left");
	return 0;
}

static bool test_word_bit(const xen_ulong_t *words, unsigned int bit)
{
	return (words[bit / WORD_BITS] >> (bit % WORD_BITS)) & 1;
}

static bool is_pending(struct sim_domain *d, evtchn_port_t port)
{
	return test_word_bit(d->shared_info->evtchn_pending, port);
}

static bool selector_set(struct sim_domain *d, evtchn_port_t port)
{
	return (d->shared_info->vcpu_info[0].evtchn_pending_sel >> (port / WORD_BITS)) & 1;
}

static bool upcall_pending(struct sim_domain *d)
{
	return d->shared_info->vcpu_info[0].evtchn_upcall_pending != 0;
}

static void mask(struct sim_domain *d, evtchn_port_t port)
{
	d->shared_info->evtchn_mask[port / WORD_BITS] |= (xen_ulong_t)1 << (port % WORD_BITS);
}

/* What a guest's demultiplexer does: take the upcall flag and the selector. */
static void guest_takes_upcall(struct sim_domain *d)
{
	d->shared_info->vcpu_info[0].evtchn_upcall_pending = 0;
	d->shared_info->vcpu_info[0].evtchn_pending_sel = 0;
}

/* ... and then clears each port it handles. */
static void guest_clears_all_pending(struct sim_domain *d)
{
	guest_takes_upcall(d);
	memset(d->shared_info->evtchn_pending, 0, sizeof(d->shared_info->evtchn_pending));
}

static evtchn_port_t alloc_unbound(struct sim_domain *d, domid_t remote)
{
	evtchn_port_t p = 0;

	assert_int_equal(sim_evtchn_alloc_unbound(d, remote, &p), 0);
	return p;
}

/* A channel between a's port *pa and b's port *pb; b binds to a's unbound port. */
static void connect_channel(struct sim_domain *a, evtchn_port_t *pa, struct sim_domain *b,
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

static void record_handler(void *arg, evtchn_port_t port)
{
	struct handler_log *log = arg;

	log->calls++;
	log->port = port;
	log->arg = arg;
}

/* --- EVTCHNOP_alloc_unbound --- */

static void test_alloc_unbound_gives_the_lowest_free_port(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t first = lowest_closed_port(f->d);
	evtchn_port_t a = alloc_unbound(f->d, 0);
	evtchn_port_t b = alloc_unbound(f->d, 0);
	evtchn_port_t c = alloc_unbound(f->d, 0);

	assert_int_equal(a, first);
	assert_int_equal(b, first + 1);
	assert_int_equal(c, first + 2);
	/* A hole left by a close is filled first. */
	assert_int_equal(sim_evtchn_close(f->d, b), 0);
	assert_int_equal(alloc_unbound(f->d, 0), b);
}

static void test_alloc_unbound_never_gives_port_0(void **state)
{
	struct fixture *f = *state;

	/* Close everything the domain owns: port 0 is still not handed out. */
	assert_int_equal(sim_evtchn_reset(f->d), 0);
	assert_int_equal(lowest_closed_port(f->d), 1);
	assert_int_equal(alloc_unbound(f->d, 0), 1);
}

static void test_alloc_unbound_records_the_remote_domain(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p = alloc_unbound(f->d, 7);
	struct evtchn_status st = status_of(f->d, p);

	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(st.u.unbound.dom, 7);
}

static void test_alloc_unbound_for_domid_self_means_the_caller(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p = alloc_unbound(f->d, DOMID_SELF);

	assert_int_equal(status_of(f->d, p).u.unbound.dom, f->d->domid);
}

static void test_port_exhaustion_is_enospc(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p = 0, last = 0;
	unsigned int n = 0;
	int rc;

	while ((rc = sim_evtchn_alloc_unbound(f->d, 0, &p)) == 0) {
		last = p;
		if (++n > SIM_DOMAIN_MAX_EVTCHNS)
			fail_msg("more ports than the domain's limit");
	}
	assert_int_equal(rc, -XEN_ENOSPC);
	/* libxl's max_event_channels (1023): ports 1..1023 are usable. */
	assert_int_equal(last, SIM_DOMAIN_MAX_EVTCHNS);
	assert_int_equal(sim_evtchn_bind_virq(f->d, VIRQ_TIMER, 0, &p), -XEN_ENOSPC);
	/* Other ops that need a port fail the same way. */
	assert_int_equal(sim_evtchn_bind_ipi(f->d, 0, &p), -XEN_ENOSPC);
	/* A closed port is free again. */
	assert_int_equal(sim_evtchn_close(f->d, 500), 0);
	assert_int_equal(alloc_unbound(f->d, 0), 500);
}

/* --- EVTCHNOP_bind_interdomain --- */

static void test_bind_interdomain_connects_both_ends(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p1, p2;
	struct evtchn_status s1, s2;

	connect_channel(f->d, &p1, f->d2, &p2);
	s1 = status_of(f->d, p1);
	s2 = status_of(f->d2, p2);
	assert_int_equal(s1.status, EVTCHNSTAT_interdomain);
	assert_int_equal(s1.u.interdomain.dom, 2);
	assert_int_equal(s1.u.interdomain.port, p2);
	assert_int_equal(s2.status, EVTCHNSTAT_interdomain);
	assert_int_equal(s2.u.interdomain.dom, 1);
	assert_int_equal(s2.u.interdomain.port, p1);
}

static void test_bind_interdomain_gives_the_lowest_free_local_port(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t expect = lowest_closed_port(f->d2), p1, p2;

	connect_channel(f->d, &p1, f->d2, &p2);
	assert_int_equal(p2, expect);
}

static void test_bind_interdomain_raises_the_new_local_port(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p1, p2;

	guest_clears_all_pending(f->d);
	guest_clears_all_pending(f->d2);
	connect_channel(f->d, &p1, f->d2, &p2);
	/* Notifications sent while the port was unbound were lost: Xen raises the new port. */
	assert_true(is_pending(f->d2, p2));
	assert_true(selector_set(f->d2, p2));
	assert_true(upcall_pending(f->d2));
	/* ... and only that one: the remote end is not raised. */
	assert_false(is_pending(f->d, p1));
	assert_false(upcall_pending(f->d));
}

static void test_bind_interdomain_to_a_closed_port_is_einval(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t closed = lowest_closed_port(f->d), p;

	assert_int_equal(sim_evtchn_bind_interdomain(f->d2, 1, closed, &p), -XEN_EINVAL);
	assert_int_equal(sim_evtchn_bind_interdomain(f->d2, 1, 0, &p), -XEN_EINVAL);
	assert_int_equal(sim_evtchn_bind_interdomain(f->d2, 1, 100000, &p), -XEN_EINVAL);
}

static void test_bind_interdomain_to_a_bound_port_is_einval(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p1, p2, p;

	connect_channel(f->d, &p1, f->d2, &p2);
	/* Already interdomain: a second bind to the same port fails. */
	assert_int_equal(sim_evtchn_bind_interdomain(f->d2, 1, p1, &p), -XEN_EINVAL);
	assert_int_equal(status_of(f->d, p1).u.interdomain.port, p2);
}

static void test_bind_interdomain_to_a_virq_port_is_einval(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t v, p;

	assert_int_equal(sim_evtchn_bind_virq(f->d, VIRQ_TIMER, 0, &v), 0);
	assert_int_equal(sim_evtchn_bind_interdomain(f->d2, 1, v, &p), -XEN_EINVAL);
}

static void test_bind_interdomain_to_a_port_unbound_for_another_domain_is_einval(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t for_dom0 = alloc_unbound(f->d, 0), p;
	evtchn_port_t before = lowest_closed_port(f->d2);

	assert_int_equal(sim_evtchn_bind_interdomain(f->d2, 1, for_dom0, &p), -XEN_EINVAL);
	assert_int_equal(state_of(f->d, for_dom0), EVTCHNSTAT_unbound);
	/* The failed bind took no local port. */
	assert_int_equal(lowest_closed_port(f->d2), before);
}

static void test_bind_interdomain_to_a_nonexistent_domain_is_esrch(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p;

	assert_int_equal(sim_evtchn_bind_interdomain(f->d, 42, 1, &p), -XEN_ESRCH);
}

static void test_bind_interdomain_with_domid_self_binds_a_loopback(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t a = alloc_unbound(f->d, DOMID_SELF), b;

	assert_int_equal(sim_evtchn_bind_interdomain(f->d, DOMID_SELF, a, &b), 0);
	assert_int_equal(status_of(f->d, a).u.interdomain.port, b);
	assert_int_equal(status_of(f->d, b).u.interdomain.port, a);
	assert_int_equal(status_of(f->d, b).u.interdomain.dom, f->d->domid);
}

/* --- EVTCHNOP_send --- */

static void test_send_on_interdomain_port_raises_the_peer(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p1, p2;

	connect_channel(f->d, &p1, f->d2, &p2);
	guest_clears_all_pending(f->d);
	guest_clears_all_pending(f->d2);
	assert_int_equal(sim_evtchn_send(f->d2, p2), 0);
	assert_true(is_pending(f->d, p1));
	assert_true(selector_set(f->d, p1));
	assert_true(upcall_pending(f->d));
	/* The sender's own port is not raised. */
	assert_false(is_pending(f->d2, p2));
	assert_false(upcall_pending(f->d2));
}

static void test_send_to_a_dom0_port_calls_its_handler(void **state)
{
	struct fixture *f = *state;
	struct handler_log log = { 0 };
	evtchn_port_t back, front;

	connect_channel(f->dom0, &back, f->d, &front);
	assert_int_equal(sim_evtchn_set_handler(f->dom0, back, record_handler, &log), 0);
	assert_int_equal(sim_evtchn_send(f->d, front), 0);
	assert_int_equal(log.calls, 1);
	assert_int_equal(log.port, back);
	assert_ptr_equal(log.arg, &log);
	assert_int_equal(sim_evtchn_send(f->d, front), 0);
	assert_int_equal(log.calls, 2);
}

static void test_send_from_dom0_raises_the_guest_port(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t back, front;

	connect_channel(f->dom0, &back, f->d, &front);
	guest_clears_all_pending(f->d);
	assert_int_equal(sim_evtchn_send(f->dom0, back), 0);
	assert_true(is_pending(f->d, front));
	assert_true(upcall_pending(f->d));
}

static void test_set_handler_on_a_guest_port_is_einval(void **state)
{
	struct fixture *f = *state;
	struct handler_log log = { 0 };
	evtchn_port_t p = alloc_unbound(f->d, 0);

	assert_int_equal(sim_evtchn_set_handler(f->d, p, record_handler, &log), -XEN_EINVAL);
	assert_int_equal(sim_evtchn_set_handler(f->dom0, 0, record_handler, &log), -XEN_EINVAL);
}

static void test_send_on_unbound_port_is_silently_dropped(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p = alloc_unbound(f->d, 2);

	guest_clears_all_pending(f->d);
	guest_clears_all_pending(f->d2);
	assert_int_equal(sim_evtchn_send(f->d, p), 0);
	assert_false(is_pending(f->d, p));
	assert_false(upcall_pending(f->d));
	assert_false(upcall_pending(f->d2));
}

static void test_send_on_ipi_port_raises_it_locally(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p;

	assert_int_equal(sim_evtchn_bind_ipi(f->d, 0, &p), 0);
	guest_clears_all_pending(f->d);
	assert_int_equal(sim_evtchn_send(f->d, p), 0);
	assert_true(is_pending(f->d, p));
	assert_true(upcall_pending(f->d));
}

static void test_send_on_closed_port_is_einval(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t never_used = lowest_closed_port(f->d);
	evtchn_port_t p = alloc_unbound(f->d, 0);

	assert_int_equal(sim_evtchn_close(f->d, p), 0);
	assert_int_equal(sim_evtchn_send(f->d, p), -XEN_EINVAL);
	assert_int_equal(sim_evtchn_send(f->d, never_used + 1), -XEN_EINVAL);
}

static void test_send_on_virq_port_is_einval(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p;

	assert_int_equal(sim_evtchn_bind_virq(f->d, VIRQ_TIMER, 0, &p), 0);
	guest_clears_all_pending(f->d);
	assert_int_equal(sim_evtchn_send(f->d, p), -XEN_EINVAL);
	assert_false(is_pending(f->d, p));
}

static void test_send_on_port_0_is_einval(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(sim_evtchn_send(f->d, 0), -XEN_EINVAL);
	assert_int_equal(sim_evtchn_send(f->dom0, 0), -XEN_EINVAL);
}

static void test_send_on_out_of_range_port_is_einval(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(sim_evtchn_send(f->d, SIM_DOMAIN_MAX_EVTCHNS + 1), -XEN_EINVAL);
	assert_int_equal(sim_evtchn_send(f->d, WORD_BITS * WORD_BITS), -XEN_EINVAL);
	assert_int_equal(sim_evtchn_send(f->d, 0xffffffffu), -XEN_EINVAL);
}

/* --- EVTCHNOP_close --- */

static void test_close_of_closed_port_is_einval(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p = alloc_unbound(f->d, 0);

	assert_int_equal(sim_evtchn_close(f->d, p), 0);
	assert_int_equal(state_of(f->d, p), EVTCHNSTAT_closed);
	assert_int_equal(sim_evtchn_close(f->d, p), -XEN_EINVAL);
}

static void test_close_of_port_0_or_out_of_range_is_einval(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(sim_evtchn_close(f->d, 0), -XEN_EINVAL);
	assert_int_equal(sim_evtchn_close(f->d, SIM_DOMAIN_MAX_EVTCHNS + 1), -XEN_EINVAL);
	assert_int_equal(sim_evtchn_close(f->d, 0xffffffffu), -XEN_EINVAL);
}

static void test_close_puts_the_peer_back_to_unbound(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p1, p2, again;
	struct evtchn_status st;

	connect_channel(f->d, &p1, f->d2, &p2);
	assert_int_equal(sim_evtchn_close(f->d2, p2), 0);
	assert_int_equal(state_of(f->d2, p2), EVTCHNSTAT_closed);
	st = status_of(f->d, p1);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	/* Waiting for the domain that closed, which may bind again. */
	assert_int_equal(st.u.unbound.dom, f->d2->domid);
	assert_int_equal(sim_evtchn_bind_interdomain(f->d2, 1, p1, &again), 0);
	assert_int_equal(state_of(f->d, p1), EVTCHNSTAT_interdomain);
}

static void test_send_after_peer_closed_is_dropped(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p1, p2;

	connect_channel(f->d, &p1, f->d2, &p2);
	assert_int_equal(sim_evtchn_close(f->d2, p2), 0);
	guest_clears_all_pending(f->d2);
	assert_int_equal(sim_evtchn_send(f->d, p1), 0);
	assert_false(is_pending(f->d2, p2));
	assert_false(upcall_pending(f->d2));
}

static void test_close_clears_the_ports_pending_bit(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p;

	assert_int_equal(sim_evtchn_bind_ipi(f->d, 0, &p), 0);
	assert_int_equal(sim_evtchn_send(f->d, p), 0);
	assert_true(is_pending(f->d, p));
	assert_int_equal(sim_evtchn_close(f->d, p), 0);
	/* Xen's evtchn_free clears it, so a rebind does not see a stale event. */
	assert_false(is_pending(f->d, p));
}

/* --- EVTCHNOP_bind_virq --- */

static void test_bind_virq_gives_a_virq_port_that_raise_virq_raises(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t expect = lowest_closed_port(f->d), p;
	struct evtchn_status st;

	assert_int_equal(sim_evtchn_bind_virq(f->d, VIRQ_TIMER, 0, &p), 0);
	assert_int_equal(p, expect);
	st = status_of(f->d, p);
	assert_int_equal(st.status, EVTCHNSTAT_virq);
	assert_int_equal(st.u.virq, VIRQ_TIMER);
	assert_int_equal(st.vcpu, 0);
	guest_clears_all_pending(f->d);
	sim_evtchn_raise_virq(f->d, VIRQ_TIMER);
	assert_true(is_pending(f->d, p));
	assert_true(upcall_pending(f->d));
}

static void test_raise_of_an_unbound_virq_does_nothing(void **state)
{
	struct fixture *f = *state;

	guest_clears_all_pending(f->d);
	sim_evtchn_raise_virq(f->d, VIRQ_TIMER);
	sim_evtchn_raise_virq(f->d, NR_VIRQS);
	assert_false(upcall_pending(f->d));
	for (unsigned int w = 0; w < WORD_BITS; w++)
		assert_int_equal(f->d->shared_info->evtchn_pending[w], 0);
}

static void test_bind_virq_twice_is_eexist(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p, q;

	assert_int_equal(sim_evtchn_bind_virq(f->d, VIRQ_TIMER, 0, &p), 0);
	assert_int_equal(sim_evtchn_bind_virq(f->d, VIRQ_TIMER, 0, &q), -XEN_EEXIST);
	/* A different VIRQ is fine, and the same VIRQ in another domain. */
	assert_int_equal(sim_evtchn_bind_virq(f->d, VIRQ_CONSOLE, 0, &q), 0);
	assert_int_equal(sim_evtchn_bind_virq(f->d2, VIRQ_TIMER, 0, &q), 0);
}

static void test_bind_virq_after_close_binds_again(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p, q;

	assert_int_equal(sim_evtchn_bind_virq(f->d, VIRQ_TIMER, 0, &p), 0);
	assert_int_equal(sim_evtchn_close(f->d, p), 0);
	assert_int_equal(sim_evtchn_bind_virq(f->d, VIRQ_TIMER, 0, &q), 0);
	assert_int_equal(q, p);
}

static void test_bind_virq_out_of_range_is_einval(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p;

	assert_int_equal(sim_evtchn_bind_virq(f->d, NR_VIRQS, 0, &p), -XEN_EINVAL);
	assert_int_equal(sim_evtchn_bind_virq(f->d, 0xffffffffu, 0, &p), -XEN_EINVAL);
}

static void test_bind_virq_timer_on_vcpu_1_is_enoent(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p;

	/* VIRQ_TIMER is per-vCPU, but the domain has no vCPU 1. */
	assert_int_equal(sim_evtchn_bind_virq(f->d, VIRQ_TIMER, 1, &p), -XEN_ENOENT);
}

static void test_bind_global_virq_on_vcpu_1_is_einval(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p;

	/* Global VIRQs bind on vCPU 0 only (and are moved with bind_vcpu). */
	assert_int_equal(sim_evtchn_bind_virq(f->d, VIRQ_CONSOLE, 1, &p), -XEN_EINVAL);
	assert_int_equal(sim_evtchn_bind_virq(f->d, VIRQ_DOM_EXC, 1, &p), -XEN_EINVAL);
}

/* --- 2-level delivery, EVTCHNOP_unmask --- */

static void test_raise_of_unmasked_port_sets_pending_selector_and_upcall(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p = 130; /* in selector word 2 */

	guest_clears_all_pending(f->d);
	sim_evtchn_raise(f->d, p);
	assert_true(is_pending(f->d, p));
	assert_int_equal(f->d->shared_info->vcpu_info[0].evtchn_pending_sel,
			 (xen_ulong_t)1 << (p / WORD_BITS));
	assert_true(upcall_pending(f->d));
}

static void test_raise_of_masked_port_sets_only_pending(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p = 70;

	guest_clears_all_pending(f->d);
	mask(f->d, p);
	sim_evtchn_raise(f->d, p);
	assert_true(is_pending(f->d, p));
	assert_false(selector_set(f->d, p));
	assert_false(upcall_pending(f->d));
}

static void test_unmask_of_pending_port_sets_selector_and_upcall(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p = 70;

	guest_clears_all_pending(f->d);
	mask(f->d, p);
	sim_evtchn_raise(f->d, p);
	assert_int_equal(sim_evtchn_unmask(f->d, p), 0);
	assert_false(test_word_bit(f->d->shared_info->evtchn_mask, p));
	assert_true(is_pending(f->d, p));
	assert_true(selector_set(f->d, p));
	assert_true(upcall_pending(f->d));
}

static void test_unmask_of_idle_port_raises_nothing(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p = 70;

	guest_clears_all_pending(f->d);
	mask(f->d, p);
	assert_int_equal(sim_evtchn_unmask(f->d, p), 0);
	assert_false(test_word_bit(f->d->shared_info->evtchn_mask, p));
	assert_false(selector_set(f->d, p));
	assert_false(upcall_pending(f->d));
}

/*
 * Xen's evtchn_2l_unmask acts only when the mask bit was set
 * (guest_test_and_clear_bit on evtchn_mask comes first): unmasking a port
 * that is not masked raises no upcall, even if the port is pending and its
 * selector bit was already taken by the guest.
 */
static void test_unmask_of_unmasked_pending_port_raises_no_upcall(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p = 70;

	guest_clears_all_pending(f->d);
	sim_evtchn_raise(f->d, p);
	guest_takes_upcall(f->d); /* the guest is about to handle it */
	assert_int_equal(sim_evtchn_unmask(f->d, p), 0);
	assert_false(selector_set(f->d, p));
	assert_false(upcall_pending(f->d));
}

static void test_unmask_of_out_of_range_port_is_einval(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(sim_evtchn_unmask(f->d, 0xffffffffu), -XEN_EINVAL);
	assert_int_equal(sim_evtchn_unmask(f->d, SIM_DOMAIN_MAX_EVTCHNS + 1), -XEN_EINVAL);
}

static void test_raise_of_pending_port_does_not_set_upcall_again(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p = 5;

	guest_clears_all_pending(f->d);
	sim_evtchn_raise(f->d, p);
	assert_true(upcall_pending(f->d));
	/* The guest took the upcall but has not yet cleared the port. */
	guest_takes_upcall(f->d);
	sim_evtchn_raise(f->d, p);
	/* 2-level: the port was already pending, so nothing more is flagged. */
	assert_true(is_pending(f->d, p));
	assert_false(selector_set(f->d, p));
	assert_false(upcall_pending(f->d));
}

static void test_raise_of_second_port_in_a_selected_word_sets_no_upcall(void **state)
{
	struct fixture *f = *state;

	guest_clears_all_pending(f->d);
	sim_evtchn_raise(f->d, 5);
	/* The guest cleared only upcall_pending; the word's selector bit is still set. */
	f->d->shared_info->vcpu_info[0].evtchn_upcall_pending = 0;
	sim_evtchn_raise(f->d, 6);
	assert_true(is_pending(f->d, 6));
	assert_false(upcall_pending(f->d));
}

static void test_raise_on_a_shut_down_domain_is_dropped(void **state)
{
	struct fixture *f = *state;

	guest_clears_all_pending(f->d);
	sim_domain_shutdown(f->d, SHUTDOWN_poweroff);
	sim_evtchn_raise(f->d, 5);
	assert_false(is_pending(f->d, 5));
	assert_false(upcall_pending(f->d));
}

/* --- EVTCHNOP_status --- */

static void test_status_reports_closed(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p = lowest_closed_port(f->d);
	struct evtchn_status st = status_of(f->d, p);

	assert_int_equal(st.status, EVTCHNSTAT_closed);
	assert_int_equal(state_of(f->d, SIM_DOMAIN_MAX_EVTCHNS), EVTCHNSTAT_closed);
}

static void test_status_reports_unbound_with_its_remote_domain(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p = alloc_unbound(f->d, 2);
	struct evtchn_status st = status_of(f->d, p);

	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(st.u.unbound.dom, 2);
	assert_int_equal(st.vcpu, 0);
}

static void test_status_reports_interdomain_with_its_peer(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t back, front;
	struct evtchn_status st;

	connect_channel(f->dom0, &back, f->d, &front);
	st = status_of(f->d, front);
	assert_int_equal(st.status, EVTCHNSTAT_interdomain);
	assert_int_equal(st.u.interdomain.dom, 0);
	assert_int_equal(st.u.interdomain.port, back);
}

static void test_status_reports_virq_with_its_number(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p;
	struct evtchn_status st;

	assert_int_equal(sim_evtchn_bind_virq(f->d, VIRQ_CONSOLE, 0, &p), 0);
	st = status_of(f->d, p);
	assert_int_equal(st.status, EVTCHNSTAT_virq);
	assert_int_equal(st.u.virq, VIRQ_CONSOLE);
}

static void test_status_reports_ipi(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p;

	assert_int_equal(sim_evtchn_bind_ipi(f->d, 0, &p), 0);
	assert_int_equal(state_of(f->d, p), EVTCHNSTAT_ipi);
}

static void test_status_accepts_own_domid(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p = alloc_unbound(f->d, 0);
	struct evtchn_status st = { .dom = 1, .port = p };

	assert_int_equal(sim_evtchn_status(f->d, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
}

static void test_status_of_another_domain_is_eperm(void **state)
{
	struct fixture *f = *state;
	struct evtchn_status st = { .dom = 2, .port = 1 };

	/* XSM_TARGET: a domU may not look at another (existing) domain's ports. */
	assert_int_equal(sim_evtchn_status(f->d, &st), -XEN_EPERM);
}

static void test_status_of_out_of_range_port_is_einval(void **state)
{
	struct fixture *f = *state;
	struct evtchn_status st = { .dom = DOMID_SELF, .port = 0xffffffffu };

	assert_int_equal(sim_evtchn_status(f->d, &st), -XEN_EINVAL);
}

/*
 * Port 0 is a valid port in Xen (ECS_RESERVED, inside the first bucket), and
 * evtchn_status reports ECS_FREE and ECS_RESERVED alike as closed.
 */
static void test_status_of_port_0_reports_closed(void **state)
{
	struct fixture *f = *state;
	struct evtchn_status st = { .dom = DOMID_SELF, .port = 0 };

	assert_int_equal(sim_evtchn_status(f->d, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_closed);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_alloc_unbound_gives_the_lowest_free_port),
		T(test_alloc_unbound_never_gives_port_0),
		T(test_alloc_unbound_records_the_remote_domain),
		T(test_alloc_unbound_for_domid_self_means_the_caller),
		T(test_port_exhaustion_is_enospc),
		T(test_bind_interdomain_connects_both_ends),
		T(test_bind_interdomain_gives_the_lowest_free_local_port),
		T(test_bind_interdomain_raises_the_new_local_port),
		T(test_bind_interdomain_to_a_closed_port_is_einval),
		T(test_bind_interdomain_to_a_bound_port_is_einval),
		T(test_bind_interdomain_to_a_virq_port_is_einval),
		T(test_bind_interdomain_to_a_port_unbound_for_another_domain_is_einval),
		T(test_bind_interdomain_to_a_nonexistent_domain_is_esrch),
		T(test_bind_interdomain_with_domid_self_binds_a_loopback),
		T(test_send_on_interdomain_port_raises_the_peer),
		T(test_send_to_a_dom0_port_calls_its_handler),
		T(test_send_from_dom0_raises_the_guest_port),
		T(test_set_handler_on_a_guest_port_is_einval),
		T(test_send_on_unbound_port_is_silently_dropped),
		T(test_send_on_ipi_port_raises_it_locally),
		T(test_send_on_closed_port_is_einval),
		T(test_send_on_virq_port_is_einval),
		T(test_send_on_port_0_is_einval),
		T(test_send_on_out_of_range_port_is_einval),
		T(test_close_of_closed_port_is_einval),
		T(test_close_of_port_0_or_out_of_range_is_einval),
		T(test_close_puts_the_peer_back_to_unbound),
		T(test_send_after_peer_closed_is_dropped),
		T(test_close_clears_the_ports_pending_bit),
		T(test_bind_virq_gives_a_virq_port_that_raise_virq_raises),
		T(test_raise_of_an_unbound_virq_does_nothing),
		T(test_bind_virq_twice_is_eexist),
		T(test_bind_virq_after_close_binds_again),
		T(test_bind_virq_out_of_range_is_einval),
		T(test_bind_virq_timer_on_vcpu_1_is_enoent),
		T(test_bind_global_virq_on_vcpu_1_is_einval),
		T(test_raise_of_unmasked_port_sets_pending_selector_and_upcall),
		T(test_raise_of_masked_port_sets_only_pending),
		T(test_unmask_of_pending_port_sets_selector_and_upcall),
		T(test_unmask_of_idle_port_raises_nothing),
		T(test_unmask_of_unmasked_pending_port_raises_no_upcall),
		T(test_unmask_of_out_of_range_port_is_einval),
		T(test_raise_of_pending_port_does_not_set_upcall_again),
		T(test_raise_of_second_port_in_a_selected_word_sets_no_upcall),
		T(test_raise_on_a_shut_down_domain_is_dropped),
		T(test_status_reports_closed),
		T(test_status_reports_unbound_with_its_remote_domain),
		T(test_status_reports_interdomain_with_its_peer),
		T(test_status_reports_virq_with_its_number),
		T(test_status_reports_ipi),
		T(test_status_accepts_own_domid),
		T(test_status_of_another_domain_is_eperm),
		T(test_status_of_out_of_range_port_is_einval),
		T(test_status_of_port_0_reports_closed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
