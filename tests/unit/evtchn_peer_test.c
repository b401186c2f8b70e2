/*
 * An interdomain channel's peer (sim/evtchn.c): a send reaches the peer's
 * domain through the pointer the channel keeps (as Xen's struct evtchn
 * does), so every way the peer goes away must leave no channel pointing at
 * it. Under valgrind (valgrind/evtchn_peer_test) a send through a stale
 * pointer is a read of freed memory.
 * (evtchn_fixture.h: the fixture.)
 */
#include "evtchn_fixture.h"

static void test_a_send_reaches_the_peer_bound_to_it(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p1, p2;

	connect_channel(f->d, &p1, f->d2, &p2);
	guest_clears_all_pending(f->d);
	guest_clears_all_pending(f->d2);
	assert_int_equal(sim_evtchn_send(f->d2, p2), 0);
	assert_true(is_pending(f->d, p1));
	assert_false(is_pending(f->d2, p2));
	assert_int_equal(sim_evtchn_send(f->d, p1), 0);
	assert_true(is_pending(f->d2, p2));
}

static void test_a_send_after_the_peer_domain_is_destroyed_raises_nothing(void **state)
{
	struct fixture *f = *state;
	evtchn_port_t p1, p2;
	struct evtchn_status st;

	connect_channel(f->d, &p1, f->d2, &p2);
	sim_domain_destroy(f->d2);
	f->sf.guest[1] = f->d2 = NULL;
	st = status_of(f->d, p1);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(st.u.unbound.dom, 2);
	guest_clears_all_pending(f->d);
	assert_int_equal(sim_evtchn_send(f->d, p1), 0);
	assert_false(upcall_pending(f->d));
}

static void test_dom0s_end_closes_with_the_guest_it_served(void **state)
{
	struct fixture *f = *state;
	struct handler_log log = { 0 };
	evtchn_port_t guest_port, dom0_port;

	connect_channel(f->d2, &guest_port, f->dom0, &dom0_port);
	assert_int_equal(sim_evtchn_set_handler(f->dom0, dom0_port, record_handler, &log), 0);
	assert_int_equal(sim_evtchn_send(f->d2, guest_port), 0);
	assert_int_equal(log.calls, 1);
	sim_domain_destroy(f->d2);
	f->sf.guest[1] = f->d2 = NULL;
	assert_int_equal(state_of(f->dom0, dom0_port), EVTCHNSTAT_closed);
	assert_int_equal(sim_evtchn_send(f->dom0, dom0_port), -XEN_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_send_reaches_the_peer_bound_to_it, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_a_send_after_the_peer_domain_is_destroyed_raises_nothing, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_dom0s_end_closes_with_the_guest_it_served,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
