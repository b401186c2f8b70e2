/*
 * Sending on event channels (sim/evtchn.c): EVTCHNOP_send, and 2-level
 * delivery into shared_info with EVTCHNOP_unmask.
 * (evtchn_fixture.h: the fixture.)
 */
#include "evtchn_fixture.h"

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

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
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
		T(test_raise_of_unmasked_port_sets_pending_selector_and_upcall),
		T(test_raise_of_masked_port_sets_only_pending),
		T(test_unmask_of_pending_port_sets_selector_and_upcall),
		T(test_unmask_of_idle_port_raises_nothing),
		T(test_unmask_of_unmasked_pending_port_raises_no_upcall),
		T(test_unmask_of_out_of_range_port_is_einval),
		T(test_raise_of_pending_port_does_not_set_upcall_again),
		T(test_raise_of_second_port_in_a_selected_word_sets_no_upcall),
		T(test_raise_on_a_shut_down_domain_is_dropped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
