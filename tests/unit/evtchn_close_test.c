/*
 * Closing event channels (sim/evtchn.c): EVTCHNOP_close, and what it does
 * to the other end.
 * (evtchn_fixture.h: the fixture.)
 */
#include "evtchn_fixture.h"

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

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_close_of_closed_port_is_einval),
		T(test_close_of_port_0_or_out_of_range_is_einval),
		T(test_close_puts_the_peer_back_to_unbound),
		T(test_send_after_peer_closed_is_dropped),
		T(test_close_clears_the_ports_pending_bit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
