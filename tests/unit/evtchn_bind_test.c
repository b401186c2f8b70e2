/*
 * Binding event channels (sim/evtchn.c): EVTCHNOP_alloc_unbound,
 * EVTCHNOP_bind_interdomain and EVTCHNOP_bind_virq, with Xen's error codes.
 * (evtchn_fixture.h: the fixture.)
 */
#include "evtchn_fixture.h"

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
		T(test_bind_virq_gives_a_virq_port_that_raise_virq_raises),
		T(test_raise_of_an_unbound_virq_does_nothing),
		T(test_bind_virq_twice_is_eexist),
		T(test_bind_virq_after_close_binds_again),
		T(test_bind_virq_out_of_range_is_einval),
		T(test_bind_virq_timer_on_vcpu_1_is_enoent),
		T(test_bind_global_virq_on_vcpu_1_is_einval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
