/*
 * EVTCHNOP_status (sim/evtchn.c): what each kind of port reports, and who
 * may ask.
 * (evtchn_fixture.h: the fixture.)
 */
#include "evtchn_fixture.h"

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
