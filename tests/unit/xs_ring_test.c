/*
 * xs_ring_test: xenstored's end of a guest's xenstore ring (sim/xenstored/xs_ring.c),
 * driven by this test acting as the guest - a careful one, a clumsy one and
 * a hostile one - as docs/misc/xenstore-ring.txt describes the protocol.
 *
 * Each test gets a fresh simulator (virtual clock, console on /dev/null)
 * with two guest domains of 4 MiB, 1 ("one") and 2 ("two"). The test plays
 * the guest directly on the domain's ring page (HVM_PARAM_STORE_PFN, a
 * struct xenstore_domain_interface) and "notifies" with EVTCHNOP_send on the
 * guest's store port (HVM_PARAM_STORE_EVTCHN), as the hypercall shim would:
 * xenstored answers synchronously inside that call. The domains' shared_info
 * is the simulator's own page (no guest placed one), where xenstored's
 * notifications show up as the store port's pending bit.
 *
 * Protocol violations are reported on stderr; the tests that cause them
 * capture stderr and check what it says.
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
#include <xen/sched.h>
#include <xen/xen.h>

#include "sim/domain.h"
#include "sim/evtchn.h"
#include "sim/sim.h"
#include "sim/xenstored/xs_store.h"
#include "sim_checks.h"
#include "sim_fixture.h"
#include "xs_ring_guest.h"

#define WORD_BITS (sizeof(xen_ulong_t) * 8)

struct fixture {
	struct sim_fixture sf;
	struct sim *sim;
	struct xs_ring_guest g1, g2;
};

/* --- fixture --- */

static int setup_with(void **state, bool strict)
{
	static struct fixture f;
	struct sim_fixture_options o = { .guests = 2, .strict = strict };

	memset(&f, 0, sizeof(f));
	if (sim_fixture_create(&f.sf, &o) < 0)
		return -1;
	f.sim = f.sf.sim;
	if (xs_ring_guest_init(&f.g1, f.sf.guest[0]) < 0 ||
	    xs_ring_guest_init(&f.g2, f.sf.guest[1]) < 0)
		return -1;
	*state = &f;
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, false);
}

static int setup_strict(void **state)
{
	return setup_with(state, true);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sim_fixture_destroy(&f->sf);
	return 0;
}

/* --- the guest's side of the ring --- */

/* Whether xenstored signalled the guest's store port; clears the signal. */
static bool take_event(struct xs_ring_guest *g)
{
	struct shared_info *s = g->d->shared_info;
	xen_ulong_t bit = (xen_ulong_t)1 << (g->port % WORD_BITS);
	bool pending = s->evtchn_pending[g->port / WORD_BITS] & bit;

	s->evtchn_pending[g->port / WORD_BITS] &= ~bit;
	s->vcpu_info[0].evtchn_pending_sel = 0;
	s->vcpu_info[0].evtchn_upcall_pending = 0;
	return pending;
}

/* One request, notified, and its reply, which must come at once. */
static void transact(struct xs_ring_guest *g, uint32_t type, uint32_t req_id, const void *payload,
		     size_t len, struct xs_ring_reply *r)
{
	xs_ring_guest_put_request(g, type, req_id, payload, len);
	xs_ring_guest_notify(g);
	assert_true(xs_ring_guest_get_reply(g, r));
	assert_int_equal(r->hdr.req_id, req_id);
	assert_int_equal(xs_ring_guest_rsp_unread(g), 0);
	take_event(g);
}

static void assert_reply(const struct xs_ring_reply *r, uint32_t type, uint32_t req_id,
			 const char *payload, size_t len)
{
	assert_int_equal(r->hdr.type, type);
	assert_int_equal(r->hdr.req_id, req_id);
	assert_int_equal(r->hdr.len, len);
	assert_memory_equal(r->payload, payload, len);
}

/* XS_WATCH (payload "path\0token"): its reply, then the firing on registration. */
static void add_watch(struct xs_ring_guest *g, const char *payload, size_t len)
{
	struct xs_ring_reply r;

	xs_ring_guest_put_request(g, XS_WATCH, 1000, payload, len);
	xs_ring_guest_notify(g);
	assert_true(xs_ring_guest_get_reply(g, &r));
	assert_reply(&r, XS_WATCH, 1000, "OK", 3);
	assert_true(xs_ring_guest_get_reply(g, &r));
	assert_int_equal(r.hdr.type, XS_WATCH_EVENT);
	assert_int_equal(xs_ring_guest_rsp_unread(g), 0);
	take_event(g);
}

/* "one" is what the toolstack wrote to /local/domain/1/name. */
static void assert_reads_its_name(struct xs_ring_guest *g, uint32_t req_id)
{
	struct xs_ring_reply r;

	transact(g, XS_READ, req_id, "name", 5, &r);
	assert_reply(&r, XS_READ, req_id, g->d->name, strlen(g->d->name));
}

/* --- a well-behaved guest --- */

static void test_ring_advertises_reconnection_and_error_reporting(void **state)
{
	struct fixture *f = *state;
	struct xenstore_domain_interface *intf = f->g1.intf;

	assert_true(intf->server_features & XENSTORE_SERVER_FEATURE_RECONNECTION);
	assert_true(intf->server_features & XENSTORE_SERVER_FEATURE_ERROR);
	assert_int_equal(intf->connection, XENSTORE_CONNECTED);
	assert_int_equal(intf->error, XENSTORE_ERROR_NONE);
}

static void test_reply_is_signalled_on_the_store_port(void **state)
{
	struct fixture *f = *state;
	struct xs_ring_reply r;

	xs_ring_guest_put_request(&f->g1, XS_READ, 7, "name", 5);
	assert_false(take_event(&f->g1));
	xs_ring_guest_notify(&f->g1);
	assert_true(take_event(&f->g1));
	assert_true(xs_ring_guest_get_reply(&f->g1, &r));
	assert_reply(&r, XS_READ, 7, "one", 3);
	/* A notification with nothing to do is not answered. */
	xs_ring_guest_notify(&f->g1);
	assert_false(take_event(&f->g1));
}

static void test_request_written_one_byte_at_a_time_gets_exactly_one_reply(void **state)
{
	struct fixture *f = *state;
	struct xsd_sockmsg hdr = { .type = XS_READ, .req_id = 42, .len = 5 };
	char bytes[sizeof(hdr) + 5];
	struct xs_ring_reply r;

	memcpy(bytes, &hdr, sizeof(hdr));
	memcpy(bytes + sizeof(hdr), "name", 5);
	for (size_t i = 0; i < sizeof(bytes); i++) {
		assert_int_equal(xs_ring_guest_rsp_unread(&f->g1), 0);
		xs_ring_guest_put_bytes(&f->g1, &bytes[i], 1);
		xs_ring_guest_notify(&f->g1);
		/* Every byte is consumed as it comes, whole message or not. */
		assert_int_equal(f->g1.intf->req_cons, f->g1.intf->req_prod);
	}
	assert_true(xs_ring_guest_get_reply(&f->g1, &r));
	assert_reply(&r, XS_READ, 42, "one", 3);
	xs_ring_guest_notify(&f->g1);
	assert_int_equal(xs_ring_guest_rsp_unread(&f->g1), 0);
	assert_int_equal(f->g1.d->violations, 0);
}

static void test_request_split_across_the_ring_wrap_is_understood(void **state)
{
	struct fixture *f = *state;
	struct xenstore_domain_interface *intf = f->g1.intf;

	/* Guests must not assume the indexes start at 0 (xenstore-ring.txt). */
	intf->req_cons = intf->req_prod = XENSTORE_RING_SIZE - 4;
	intf->rsp_cons = intf->rsp_prod = XENSTORE_RING_SIZE - 4;
	/* The 16-byte header straddles req[1023] and req[0]; the reply rsp[] too. */
	assert_reads_its_name(&f->g1, 1);
	assert_int_equal(intf->req_cons, XENSTORE_RING_SIZE - 4 + sizeof(struct xsd_sockmsg) + 5);
	assert_reads_its_name(&f->g1, 2);
	assert_int_equal(f->g1.d->violations, 0);
}

static void test_indexes_wrapping_past_2_to_the_32_are_understood(void **state)
{
	struct fixture *f = *state;
	struct xenstore_domain_interface *intf = f->g1.intf;

	intf->req_cons = intf->req_prod = UINT32_MAX - 7;
	intf->rsp_cons = intf->rsp_prod = UINT32_MAX - 7;
	assert_reads_its_name(&f->g1, 1);
	assert_true(intf->req_prod < 64 && intf->rsp_prod < 64);
	assert_reads_its_name(&f->g1, 2);
	assert_int_equal(intf->error, XENSTORE_ERROR_NONE);
	assert_int_equal(f->g1.d->violations, 0);
}

static void test_several_requests_in_one_notification_are_answered_in_order(void **state)
{
	struct fixture *f = *state;
	struct xs_ring_guest *g = &f->g1;
	struct xs_ring_reply r;

	xs_ring_guest_put_request(g, XS_READ, 1, "name", 5);
	xs_ring_guest_put_request(g, XS_READ, 2, "no-such-node", 13);
	xs_ring_guest_put_request(g, XS_WRITE, 3, "data\0hello", 10);
	xs_ring_guest_put_request(g, XS_READ, 4, "data", 5);
	xs_ring_guest_put_request(g, XS_DIRECTORY, 5, "/local/domain/1/data", 21);
	xs_ring_guest_notify(g);
	assert_true(take_event(g));

	assert_true(xs_ring_guest_get_reply(g, &r));
	assert_reply(&r, XS_READ, 1, "one", 3);
	assert_true(xs_ring_guest_get_reply(g, &r));
	assert_reply(&r, XS_ERROR, 2, "ENOENT", 7);
	assert_true(xs_ring_guest_get_reply(g, &r));
	assert_reply(&r, XS_WRITE, 3, "OK", 3);
	assert_true(xs_ring_guest_get_reply(g, &r));
	assert_reply(&r, XS_READ, 4, "hello", 5);
	assert_true(xs_ring_guest_get_reply(g, &r));
	assert_int_equal(r.hdr.type, XS_DIRECTORY);
	assert_int_equal(r.hdr.req_id, 5);
	assert_false(xs_ring_guest_get_reply(g, &r));
}

static void test_request_of_exactly_the_payload_limit_is_accepted(void **state)
{
	struct fixture *f = *state;
	struct xs_ring_guest *g = &f->g1;
	struct xsd_sockmsg hdr = { .type = XS_WRITE, .req_id = 9, .len = XENSTORE_PAYLOAD_MAX };
	static char msg[sizeof(hdr) + XENSTORE_PAYLOAD_MAX];
	size_t sent = 0;
	struct xs_ring_reply r;

	memcpy(msg, &hdr, sizeof(hdr));
	memcpy(msg + sizeof(hdr), "data", 5);
	memset(msg + sizeof(hdr) + 5, 'x', XENSTORE_PAYLOAD_MAX - 5);
	/* Bigger than the ring: send what fits, notify, repeat. */
	while (sent < sizeof(msg)) {
		size_t n = sizeof(msg) - sent;
		if (n > xs_ring_guest_req_free(g))
			n = xs_ring_guest_req_free(g);
		xs_ring_guest_put_bytes(g, msg + sent, n);
		xs_ring_guest_notify(g);
		sent += n;
	}
	/* A value this size is over the node-size quota: an error reply, not a violation. */
	assert_true(xs_ring_guest_get_reply(g, &r));
	assert_int_equal(r.hdr.req_id, 9);
	assert_int_equal(r.hdr.type, XS_ERROR);
	assert_int_equal(g->intf->error, XENSTORE_ERROR_NONE);
	assert_int_equal(g->d->violations, 0);
	assert_reads_its_name(g, 10);
}

static void test_replies_that_do_not_fit_are_queued_until_the_guest_consumes(void **state)
{
	struct fixture *f = *state;
	struct xs_ring_guest *g = &f->g1;
	enum { VALUE = 1000, READS = 4 };
	char write[5 + VALUE], value[VALUE];
	unsigned int got = 0, rounds = 0;
	struct xs_ring_reply r;

	for (size_t i = 0; i < VALUE; i++)
		value[i] = (char)('a' + i % 26);
	memcpy(write, "data", 5);
	memcpy(write + 5, value, VALUE);
	transact(g, XS_WRITE, 1, write, sizeof(write), &r);
	assert_reply(&r, XS_WRITE, 1, "OK", 3);

	/* Four 1016-byte replies for a 1024-byte ring, the guest reading none yet. */
	for (uint32_t i = 0; i < READS; i++)
		xs_ring_guest_put_request(g, XS_READ, 100 + i, "data", 5);
	xs_ring_guest_notify(g);
	assert_true(take_event(g));
	assert_int_equal(xs_ring_guest_rsp_unread(g), XENSTORE_RING_SIZE);
	assert_int_equal(g->intf->req_cons, g->intf->req_prod);
	/* Notifying again without consuming changes nothing. */
	xs_ring_guest_notify(g);
	assert_int_equal(xs_ring_guest_rsp_unread(g), XENSTORE_RING_SIZE);

	while (got < READS) {
		assert_true(rounds++ < 2 * READS);
		while (xs_ring_guest_get_reply(g, &r)) {
			assert_reply(&r, XS_READ, 100 + got, value, VALUE);
			got++;
		}
		/* The guest took what it could: tell xenstored there is room. */
		xs_ring_guest_notify(g);
		if (got < READS)
			assert_true(take_event(g));
	}
	assert_int_equal(xs_ring_guest_rsp_unread(g), 0);
	assert_int_equal(g->d->violations, 0);
}

static void test_watch_event_from_another_client_is_delivered_at_once(void **state)
{
	struct fixture *f = *state;
	struct xs_ring_guest *g = &f->g1;
	struct xs_ring_reply r;

	add_watch(g, "data\0tok", 9);

	/* The toolstack writes: the event reaches the ring without a guest notify. */
	assert_int_equal(xs_store_write(sim_xenstore(f->sim), "/local/domain/1/data", "x", 1), 0);
	assert_true(take_event(g));
	assert_true(xs_ring_guest_get_reply(g, &r));
	assert_int_equal(r.hdr.type, XS_WATCH_EVENT);
	/* Relative to the domain's home, as the watch was registered (xenstored). */
	assert_int_equal(r.hdr.len, 9);
	assert_memory_equal(r.payload, "data\0tok\0", 9);
}

/* --- a guest that breaks the protocol --- */

/* The ring is dead to xenstored; the domain, the store and other rings are not. */
static void assert_ring_ignored_rest_alive(struct fixture *f)
{
	struct xs_ring_guest *g = &f->g1;
	XENSTORE_RING_IDX rsp_prod = g->intf->rsp_prod;
	char *value = NULL;
	size_t len;

	take_event(g); /* whatever the offending notification caused */
	xs_ring_guest_put_request(g, XS_READ, 77, "name", 5);
	xs_ring_guest_notify(g);
	assert_int_equal(g->intf->rsp_prod, rsp_prod);
	assert_false(take_event(g));

	assert_false(sim_domain_is_shut_down(g->d));
	assert_int_equal(xs_store_read(sim_xenstore(f->sim), "/local/domain/1/name", &value, &len),
			 0);
	assert_string_equal(value, "one");
	free(value);
	assert_reads_its_name(&f->g2, 1);
	assert_int_equal(f->g2.d->violations, 0);
}

static void test_oversized_message_is_a_protocol_error_and_the_ring_is_ignored(void **state)
{
	struct fixture *f = *state;
	struct xs_ring_guest *g = &f->g1;
	struct xsd_sockmsg hdr = { .type = XS_READ, .req_id = 1, .len = XENSTORE_PAYLOAD_MAX + 1 };
	struct stderr_capture c;

	stderr_capture_start(&c);
	xs_ring_guest_put_bytes(g, &hdr, sizeof(hdr));
	xs_ring_guest_notify(g);
	stderr_capture_end(&c);
	assert_ring_ignored_rest_alive(f);

	assert_int_equal(g->intf->error, XENSTORE_ERROR_PROTO);
	assert_int_equal(g->d->violations, 1);
	assert_non_null(strstr(c.text, "protocol violation by domain 1 (one)"));
	assert_non_null(strstr(c.text, "XENSTORE_PAYLOAD_MAX"));
	assert_non_null(strstr(c.text, "4097"));
}

static void test_req_prod_more_than_a_ring_ahead_is_a_ring_index_error(void **state)
{
	struct fixture *f = *state;
	struct xs_ring_guest *g = &f->g1;
	struct stderr_capture c;

	stderr_capture_start(&c);
	g->intf->req_prod = g->intf->req_cons + XENSTORE_RING_SIZE + 1;
	xs_ring_guest_notify(g);
	stderr_capture_end(&c);
	/* Put the indexes back as a sane guest would have them: still ignored. */
	g->intf->req_prod = g->intf->req_cons;
	assert_ring_ignored_rest_alive(f);

	assert_int_equal(g->intf->error, XENSTORE_ERROR_RINGIDX);
	assert_int_equal(g->d->violations, 1);
	assert_non_null(strstr(c.text, "req_prod"));
}

static void test_rsp_cons_moved_past_rsp_prod_is_a_ring_index_error(void **state)
{
	struct fixture *f = *state;
	struct xs_ring_guest *g = &f->g1;
	struct stderr_capture c;

	assert_reads_its_name(g, 1);
	stderr_capture_start(&c);
	g->intf->rsp_cons = g->intf->rsp_prod + 1;
	xs_ring_guest_put_request(g, XS_READ, 2, "name", 5);
	xs_ring_guest_notify(g);
	stderr_capture_end(&c);
	assert_int_equal(g->intf->rsp_cons, g->intf->rsp_prod + 1); /* nothing written */
	g->intf->rsp_cons = g->intf->rsp_prod;
	assert_ring_ignored_rest_alive(f);

	assert_int_equal(g->intf->error, XENSTORE_ERROR_RINGIDX);
	assert_int_equal(g->d->violations, 1);
	assert_non_null(strstr(c.text, "rsp_cons"));
}

static void test_strict_mode_shuts_down_a_domain_that_breaks_the_ring(void **state)
{
	struct fixture *f = *state;
	struct xs_ring_guest *g = &f->g1;
	struct xsd_sockmsg hdr = { .type = XS_READ, .req_id = 1, .len = UINT32_MAX };
	struct stderr_capture c;

	stderr_capture_start(&c);
	xs_ring_guest_put_bytes(g, &hdr, sizeof(hdr));
	xs_ring_guest_notify(g);
	stderr_capture_end(&c);

	assert_true(sim_domain_is_shut_down(g->d));
	assert_int_equal(g->d->shutdown_reason, SHUTDOWN_crash);
	assert_int_equal(g->intf->error, XENSTORE_ERROR_PROTO);
	assert_non_null(strstr(c.text, "protocol violation by domain 1 (one)"));
	/* The other domain is not punished for it. */
	assert_false(sim_domain_is_shut_down(f->g2.d));
	assert_reads_its_name(&f->g2, 1);
}

/* --- reconnection (XENSTORE_SERVER_FEATURE_RECONNECTION) --- */

static void test_reconnect_resets_the_ring_and_drops_the_connections_watches(void **state)
{
	struct fixture *f = *state;
	struct xs_ring_guest *g = &f->g1;
	struct xenstore_domain_interface *intf = g->intf;
	struct xsd_sockmsg half = { .type = XS_READ, .req_id = 5, .len = 5 };
	struct xs_counts before, after;

	xs_store_counts(sim_xenstore(f->sim), &before);
	add_watch(g, "data\0tok", 9);
	xs_store_counts(sim_xenstore(f->sim), &after);
	assert_int_equal(after.watches, before.watches + 1);

	/* Half a request in flight, then the guest asks to start afresh. */
	xs_ring_guest_put_bytes(g, &half, sizeof(half));
	xs_ring_guest_notify(g);
	intf->connection = XENSTORE_RECONNECT;
	xs_ring_guest_notify(g);

	assert_int_equal(intf->connection, XENSTORE_CONNECTED);
	assert_true(take_event(g));
	assert_int_equal(intf->req_cons, intf->req_prod);
	assert_int_equal(intf->rsp_cons, intf->rsp_prod);
	xs_store_counts(sim_xenstore(f->sim), &after);
	assert_int_equal(after.watches, before.watches);
	assert_int_equal(after.conns, before.conns);

	/* The watch is gone: a change does not reach the ring. */
	assert_int_equal(xs_store_write(sim_xenstore(f->sim), "/local/domain/1/data", "x", 1), 0);
	assert_int_equal(xs_ring_guest_rsp_unread(g), 0);
	/* The half request was dropped: a new one starts on a message boundary. */
	assert_reads_its_name(g, 6);
	assert_int_equal(intf->error, XENSTORE_ERROR_NONE);
	assert_int_equal(g->d->violations, 0);
}

/* What docs/misc/xenstore-ring.txt asks of a server after an error or a reconnect. */

/* A corrupt rsp_cons is one violation, reported once. */
static void test_corrupt_rsp_cons_is_reported_once(void **state)
{
	struct fixture *f = *state;
	struct xs_ring_guest *g = &f->g1;
	struct stderr_capture c;

	assert_reads_its_name(g, 1);
	stderr_capture_start(&c);
	g->intf->rsp_cons = g->intf->rsp_prod + 1;
	xs_ring_guest_notify(g);
	stderr_capture_end(&c);
	assert_int_equal(g->d->violations, 1);
}

/* "The server will discard any ... watches and transactions associated with
 * the connection" when it sets the error indicator. */
static void test_protocol_error_discards_the_connections_watches(void **state)
{
	struct fixture *f = *state;
	struct xs_ring_guest *g = &f->g1;
	struct xsd_sockmsg hdr = { .type = XS_READ, .req_id = 1, .len = XENSTORE_PAYLOAD_MAX + 1 };
	struct xs_counts before, after;
	struct stderr_capture c;

	xs_store_counts(sim_xenstore(f->sim), &before);
	add_watch(g, "data\0tok", 9);
	stderr_capture_start(&c);
	xs_ring_guest_put_bytes(g, &hdr, sizeof(hdr));
	xs_ring_guest_notify(g);
	stderr_capture_end(&c);
	assert_int_equal(g->intf->error, XENSTORE_ERROR_PROTO);
	xs_store_counts(sim_xenstore(f->sim), &after);
	assert_int_equal(after.watches, before.watches);
}

static void test_reconnect_discards_replies_still_queued(void **state)
{
	struct fixture *f = *state;
	struct xs_ring_guest *g = &f->g1;
	char write[5 + 1000];
	struct xs_ring_reply r;

	memcpy(write, "data", 5);
	memset(write + 5, 'v', 1000);
	transact(g, XS_WRITE, 1, write, sizeof(write), &r);
	/* Two 1016-byte replies: one and a bit in the ring, the rest queued. */
	xs_ring_guest_put_request(g, XS_READ, 2, "data", 5);
	xs_ring_guest_put_request(g, XS_READ, 3, "data", 5);
	xs_ring_guest_notify(g);
	assert_int_equal(xs_ring_guest_rsp_unread(g), XENSTORE_RING_SIZE);

	g->intf->connection = XENSTORE_RECONNECT;
	xs_ring_guest_notify(g);
	assert_int_equal(g->intf->connection, XENSTORE_CONNECTED);
	/* "From the point of view of the guest, the connection has been reset on
	 * a packet boundary": the first thing on the ring is the next reply. */
	assert_int_equal(xs_ring_guest_rsp_unread(g), 0);
	assert_reads_its_name(g, 4);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define T_STRICT(fn) cmocka_unit_test_setup_teardown(fn, setup_strict, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_ring_advertises_reconnection_and_error_reporting),
		T(test_reply_is_signalled_on_the_store_port),
		T(test_request_written_one_byte_at_a_time_gets_exactly_one_reply),
		T(test_request_split_across_the_ring_wrap_is_understood),
		T(test_indexes_wrapping_past_2_to_the_32_are_understood),
		T(test_several_requests_in_one_notification_are_answered_in_order),
		T(test_request_of_exactly_the_payload_limit_is_accepted),
		T(test_replies_that_do_not_fit_are_queued_until_the_guest_consumes),
		T(test_watch_event_from_another_client_is_delivered_at_once),
		T(test_oversized_message_is_a_protocol_error_and_the_ring_is_ignored),
		T(test_req_prod_more_than_a_ring_ahead_is_a_ring_index_error),
		T(test_rsp_cons_moved_past_rsp_prod_is_a_ring_index_error),
		T_STRICT(test_strict_mode_shuts_down_a_domain_that_breaks_the_ring),
		T(test_reconnect_resets_the_ring_and_drops_the_connections_watches),
		T(test_corrupt_rsp_cons_is_reported_once),
		T(test_protocol_error_discards_the_connections_watches),
		T(test_reconnect_discards_replies_still_queued),
	};

	return cmocka_run_group_tests_name("xs_ring", tests, NULL, NULL);
}
