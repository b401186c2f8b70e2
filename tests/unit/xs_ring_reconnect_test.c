/*
 * xs_ring_reconnect_test: a guest whose xenstore ring was cut off for a
 * protocol violation gets it back with the reconnect handshake of Xen's
 * docs/misc/xenstore-ring.txt: it sets connection = XENSTORE_RECONNECT and
 * notifies; xenstored empties both queues, drops the connection's watches
 * and transactions, clears the error indicator, sets connection =
 * XENSTORE_CONNECTED and notifies back. (xs_ring_test.c covers the ring
 * itself; this file only the way back from an error.)
 *
 * One simulator per test (virtual clock, console on /dev/null) with domain 1
 * ("one"); the test plays the guest on its ring page and notifies with the
 * store port, as the hypercall shim would.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xen/event_channel.h>
#include <xen/hvm/params.h>
#include <xen/io/xs_wire.h>
#include <xen/xen.h>

#include "sim/domain.h"
#include "sim/evtchn.h"
#include "sim/sim.h"
#include "sim/xenstored/xs_store.h"
#include "sim_fixture.h"
#include "xs_ring_guest.h"

struct fixture {
	struct sim_fixture sf;
	struct sim *sim;
	struct sim_domain *d;
	struct xs_ring_guest g;
	struct xenstore_domain_interface *intf; /* g's */
	int saved_stderr;
};

static int setup(void **state)
{
	static struct fixture f;
	struct sim_fixture_options o = { 0 };

	memset(&f, 0, sizeof(f));
	if (sim_fixture_create(&f.sf, &o) < 0)
		return -1;
	f.sim = f.sf.sim;
	f.d = f.sf.guest[0];
	if (xs_ring_guest_init(&f.g, f.d) < 0)
		return -1;
	f.intf = f.g.intf;
	/* The violations these tests commit are reported on stderr: keep it quiet. */
	fflush(stderr);
	f.saved_stderr = dup(STDERR_FILENO);
	dup2(f.sf.console_fd, STDERR_FILENO); /* /dev/null */
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	fflush(stderr);
	dup2(f->saved_stderr, STDERR_FILENO);
	close(f->saved_stderr);
	sim_fixture_destroy(&f->sf);
	return 0;
}

/* XS_READ of "name" is answered with "one", and nothing else is on the ring. */
static void assert_reads_its_name(struct fixture *f, uint32_t req_id)
{
	struct xs_ring_reply r;

	xs_ring_guest_put_request(&f->g, XS_READ, req_id, "name", 5);
	xs_ring_guest_notify(&f->g);
	assert_true(xs_ring_guest_get_reply(&f->g, &r));
	assert_int_equal(r.hdr.type, XS_READ);
	assert_int_equal(r.hdr.req_id, req_id);
	assert_string_equal(r.payload, "one");
	assert_int_equal(xs_ring_guest_rsp_unread(&f->g), 0);
}

/* An XS_READ that gets no answer: the ring is not served. */
static void assert_ignored(struct fixture *f, uint32_t req_id)
{
	XENSTORE_RING_IDX cons = f->intf->req_cons;

	xs_ring_guest_put_request(&f->g, XS_READ, req_id, "name", 5);
	xs_ring_guest_notify(&f->g);
	assert_int_equal(f->intf->req_cons, cons);
	assert_int_equal(xs_ring_guest_rsp_unread(&f->g), 0);
}

static void reconnect(struct fixture *f)
{
	__atomic_store_n(&f->intf->connection, XENSTORE_RECONNECT, __ATOMIC_RELEASE);
	xs_ring_guest_notify(&f->g);
	assert_int_equal(__atomic_load_n(&f->intf->connection, __ATOMIC_ACQUIRE),
			 XENSTORE_CONNECTED);
}

static void test_reconnect_after_a_protocol_error_serves_the_ring_again(void **state)
{
	struct fixture *f = *state;
	struct xsd_sockmsg huge = { .type = XS_READ, .req_id = 1, .len = XENSTORE_PAYLOAD_MAX + 1 };

	xs_ring_guest_put_bytes(&f->g, &huge, sizeof(huge));
	xs_ring_guest_notify(&f->g);
	assert_int_equal(f->intf->error, XENSTORE_ERROR_PROTO);
	/* Without a reconnect the guest stays cut off. */
	f->intf->req_cons = f->intf->req_prod;
	assert_ignored(f, 2);

	reconnect(f);
	assert_int_equal(f->intf->error, XENSTORE_ERROR_NONE);
	assert_int_equal(f->intf->req_cons, f->intf->req_prod);
	assert_int_equal(xs_ring_guest_rsp_unread(&f->g), 0);
	assert_reads_its_name(f, 3);
	assert_int_equal(f->d->violations, 1);
}

static void test_reconnect_after_a_ring_index_error_resets_the_indexes(void **state)
{
	struct fixture *f = *state;

	f->intf->req_prod = f->intf->req_cons + XENSTORE_RING_SIZE + 1;
	xs_ring_guest_notify(&f->g);
	assert_int_equal(f->intf->error, XENSTORE_ERROR_RINGIDX);

	reconnect(f);
	assert_int_equal(f->intf->error, XENSTORE_ERROR_NONE);
	assert_int_equal(f->intf->req_prod, f->intf->req_cons);
	assert_int_equal(f->intf->rsp_prod, f->intf->rsp_cons);
	assert_reads_its_name(f, 1);
}

/*
 * A violation found while another client's write fires this guest's watch
 * drops the connection later, from the loop; a reconnect in between must not
 * have its fresh connection dropped by that pending drop.
 */
static void test_reconnect_cancels_the_drop_of_the_connection_it_replaces(void **state)
{
	struct fixture *f = *state;
	struct xs_store *xs = sim_xenstore(f->sim);
	struct xs_counts before, after;
	struct xs_ring_reply r;

	xs_store_counts(xs, &before);
	xs_ring_guest_put_request(&f->g, XS_WATCH, 1, "data\0tok", 9);
	xs_ring_guest_notify(&f->g);
	while (xs_ring_guest_get_reply(&f->g, &r))
		;
	f->intf->rsp_cons = f->intf->rsp_prod + 1;
	assert_int_equal(xs_store_write(xs, "/local/domain/1/data", "x", 1), 0);
	assert_int_equal(f->intf->error, XENSTORE_ERROR_RINGIDX);

	reconnect(f);
	sim_poll(f->sim); /* the pending drop would run here */
	xs_store_counts(xs, &after);
	assert_int_equal(after.conns, before.conns);
	assert_int_equal(after.watches, before.watches);
	assert_reads_its_name(f, 2);
	/* And the new connection is served after the loop ran on. */
	sim_poll(f->sim);
	assert_reads_its_name(f, 3);
}

/* Only the guest sets XENSTORE_RECONNECT, and any time: a reconnect with no
 * error before it is served the same way and leaves no violation. */
static void test_reconnect_on_a_healthy_ring_is_no_violation(void **state)
{
	struct fixture *f = *state;

	assert_reads_its_name(f, 1);
	reconnect(f);
	assert_reads_its_name(f, 2);
	assert_int_equal(f->intf->error, XENSTORE_ERROR_NONE);
	assert_int_equal(f->d->violations, 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_reconnect_after_a_protocol_error_serves_the_ring_again),
		T(test_reconnect_after_a_ring_index_error_resets_the_indexes),
		T(test_reconnect_cancels_the_drop_of_the_connection_it_replaces),
		T(test_reconnect_on_a_healthy_ring_is_no_violation),
	};

	return cmocka_run_group_tests_name("xs_ring_reconnect", tests, NULL, NULL);
}
