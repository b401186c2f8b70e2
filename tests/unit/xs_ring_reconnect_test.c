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

#include <fcntl.h>
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
#include "sim/toolstack/toolstack.h"
#include "sim/xenstored/xs_store.h"

struct fixture {
	struct sim *sim;
	struct sim_domain *d;
	struct xenstore_domain_interface *intf;
	evtchn_port_t port;
	int devnull, saved_stderr;
};

struct reply {
	struct xsd_sockmsg hdr;
	char payload[XENSTORE_PAYLOAD_MAX + 1];
};

static int setup(void **state)
{
	static struct fixture f;
	struct sim_config sc = { .clock = SIM_CLOCK_VIRTUAL };
	struct sim_domain_config dc = { .domid = 1, .name = "one", .mem_bytes = 4 << 20 };

	memset(&f, 0, sizeof(f));
	if ((f.devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0)
		return -1;
	sc.console_fd = f.devnull;
	if (sim_create(&f.sim, &sc) < 0 || sim_toolstack_build_domain(f.sim, &dc, &f.d) < 0)
		return -1;
	f.intf = sim_domain_gfn_to_page(f.d, f.d->hvm_param[HVM_PARAM_STORE_PFN]);
	f.port = (evtchn_port_t)f.d->hvm_param[HVM_PARAM_STORE_EVTCHN];
	/* The violations these tests commit are reported on stderr: keep it quiet. */
	fflush(stderr);
	f.saved_stderr = dup(STDERR_FILENO);
	dup2(f.devnull, STDERR_FILENO);
	*state = &f;
	return f.intf ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	fflush(stderr);
	dup2(f->saved_stderr, STDERR_FILENO);
	close(f->saved_stderr);
	sim_destroy(f->sim);
	close(f->devnull);
	return 0;
}

static void put_bytes(struct fixture *f, const void *p, size_t n)
{
	XENSTORE_RING_IDX prod = f->intf->req_prod;

	assert_true(n <= XENSTORE_RING_SIZE - (prod - f->intf->req_cons));
	for (size_t i = 0; i < n; i++)
		f->intf->req[MASK_XENSTORE_IDX(prod++)] = ((const char *)p)[i];
	__atomic_store_n(&f->intf->req_prod, prod, __ATOMIC_RELEASE);
}

static void put_request(struct fixture *f, uint32_t type, uint32_t req_id, const void *payload,
			size_t len)
{
	struct xsd_sockmsg hdr = { .type = type, .req_id = req_id, .len = (uint32_t)len };

	put_bytes(f, &hdr, sizeof(hdr));
	put_bytes(f, payload, len);
}

static void notify(struct fixture *f)
{
	assert_int_equal(sim_evtchn_send(f->d, f->port), 0);
}

static XENSTORE_RING_IDX rsp_unread(const struct fixture *f)
{
	return f->intf->rsp_prod - f->intf->rsp_cons;
}

static bool get_reply(struct fixture *f, struct reply *r)
{
	XENSTORE_RING_IDX cons = f->intf->rsp_cons;

	if (rsp_unread(f) < sizeof(r->hdr))
		return false;
	for (size_t i = 0; i < sizeof(r->hdr); i++)
		((char *)&r->hdr)[i] = f->intf->rsp[MASK_XENSTORE_IDX(cons + i)];
	assert_true(r->hdr.len <= XENSTORE_PAYLOAD_MAX);
	if (rsp_unread(f) < sizeof(r->hdr) + r->hdr.len)
		return false;
	cons += sizeof(r->hdr);
	for (size_t i = 0; i < r->hdr.len; i++)
		r->payload[i] = f->intf->rsp[MASK_XENSTORE_IDX(cons++)];
	r->payload[r->hdr.len] = '\0';
	__atomic_store_n(&f->intf->rsp_cons, cons, __ATOMIC_RELEASE);
	return true;
}

/* XS_READ of "name" is answered with "one", and nothing else is on the ring. */
static void assert_reads_its_name(struct fixture *f, uint32_t req_id)
{
	struct reply r;

	put_request(f, XS_READ, req_id, "name", 5);
	notify(f);
	assert_true(get_reply(f, &r));
	assert_int_equal(r.hdr.type, XS_READ);
	assert_int_equal(r.hdr.req_id, req_id);
	assert_string_equal(r.payload, "one");
	assert_int_equal(rsp_unread(f), 0);
}

/* An XS_READ that gets no answer: the ring is not served. */
static void assert_ignored(struct fixture *f, uint32_t req_id)
{
	XENSTORE_RING_IDX cons = f->intf->req_cons;

	put_request(f, XS_READ, req_id, "name", 5);
	notify(f);
	assert_int_equal(f->intf->req_cons, cons);
	assert_int_equal(rsp_unread(f), 0);
}

static void reconnect(struct fixture *f)
{
	__atomic_store_n(&f->intf->connection, XENSTORE_RECONNECT, __ATOMIC_RELEASE);
	notify(f);
	assert_int_equal(__atomic_load_n(&f->intf->connection, __ATOMIC_ACQUIRE),
			 XENSTORE_CONNECTED);
}

static void test_reconnect_after_a_protocol_error_serves_the_ring_again(void **state)
{
	struct fixture *f = *state;
	struct xsd_sockmsg huge = { .type = XS_READ, .req_id = 1, .len = XENSTORE_PAYLOAD_MAX + 1 };

	put_bytes(f, &huge, sizeof(huge));
	notify(f);
	assert_int_equal(f->intf->error, XENSTORE_ERROR_PROTO);
	/* Without a reconnect the guest stays cut off. */
	f->intf->req_cons = f->intf->req_prod;
	assert_ignored(f, 2);

	reconnect(f);
	assert_int_equal(f->intf->error, XENSTORE_ERROR_NONE);
	assert_int_equal(f->intf->req_cons, f->intf->req_prod);
	assert_int_equal(rsp_unread(f), 0);
	assert_reads_its_name(f, 3);
	assert_int_equal(f->d->violations, 1);
}

static void test_reconnect_after_a_ring_index_error_resets_the_indexes(void **state)
{
	struct fixture *f = *state;

	f->intf->req_prod = f->intf->req_cons + XENSTORE_RING_SIZE + 1;
	notify(f);
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
	struct reply r;

	xs_store_counts(xs, &before);
	put_request(f, XS_WATCH, 1, "data\0tok", 9);
	notify(f);
	while (get_reply(f, &r))
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
