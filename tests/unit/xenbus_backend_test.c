/*
 * The backend device helpers (sim/backends/xenbus_backend.c) on a device
 * the toolstack added (sim/toolstack/device.c): a block-like device "vbd"
 * with one ring-ref and an event-channel, as a blkback would have, driven
 * by a frontend written here by hand through xenstore. Pins down the state
 * walk, the key limits reported as violations naming device and key, the
 * feature keys and the ring and event-channel helpers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xen/grant_table.h>
#include <xen/io/xenbus.h>
#include <xen/io/xs_wire.h>

#include "sim/backends/xenbus_backend.h"
#include "sim/domain.h"
#include "sim/sim.h"
#include "sim/toolstack/device.h"
#include "sim/xenstored/xs_store.h"
#include "sim_checks.h"
#include "sim_fixture.h"

#define FE "/local/domain/1/device/vbd/51712"
#define BE "/local/domain/0/backend/vbd/1/51712"
#define DEVID 51712u

enum { GFN_GNTTAB = 0x200, GFN_RING };
enum { REF_RING = 8 };

struct fixture {
	struct sim_fixture sf;
	struct sim *sim;
	struct sim_domain *d;
	struct xenbus_backend *be;
	/* What the device did, as a blkback would. */
	int connects, disconnects;
	int connect_result;          /* 0: read, map, bind; else fail with it */
	void *ring;
	grant_handle_t handle;
	evtchn_port_t port;          /* dom0's end */
	evtchn_port_t guest_port;
	bool gnttab_placed;
	int events;
	/* Every backend state written, in order (a dom0 watch on BE/state). */
	struct xs_conn *watcher;
	char states[32];
};

/* --- the device under test: reads its keys, maps its ring, binds its port --- */

static void dev_event(void *arg, evtchn_port_t port)
{
	struct fixture *f = arg;

	(void)port;
	f->events++;
}

static int dev_connect(struct xenbus_backend *be, void *arg)
{
	struct fixture *f = arg;
	unsigned long ref, port;
	int rc;

	f->connects++;
	if (f->connect_result)
		return f->connect_result;
	if ((rc = xenbus_backend_need_uint(be, "ring-ref", UINT32_MAX, &ref)) < 0 ||
	    (rc = xenbus_backend_need_uint(be, "event-channel", UINT32_MAX, &port)) < 0 ||
	    (rc = xenbus_backend_map_ring(be, "ring-ref", ref, &f->ring, &f->handle)) < 0)
		return rc;
	if ((rc = xenbus_backend_bind_evtchn(be, "event-channel", port, dev_event, f,
					     &f->port)) < 0) {
		xenbus_backend_unmap_ring(be, f->handle);
		return rc;
	}
	return 0;
}

static void dev_disconnect(struct xenbus_backend *be, void *arg)
{
	struct fixture *f = arg;

	f->disconnects++;
	xenbus_backend_unbind_evtchn(be, f->port);
	xenbus_backend_unmap_ring(be, f->handle);
	f->ring = NULL;
}

static const struct xenbus_backend_ops dev_ops = {
	.connect = dev_connect,
	.disconnect = dev_disconnect,
};

static const struct xenbus_backend_feature dev_features[] = {
	{ "feature-flush-cache", 1 },
	{ "feature-discard", 0 },
};

/* --- fixture --- */

static void xs_put(struct fixture *f, const char *path, const char *value)
{
	sim_xs_put(f->sim, path, value);
}

static char *xs_get(struct fixture *f, const char *path)
{
	return sim_xs_get(f->sim, path);
}

static void assert_xs(struct fixture *f, const char *path, const char *want)
{
	sim_xs_assert(f->sim, path, want);
}

/* Appends each state the backend writes to f->states ("2", then "24" ...). */
static void on_state_event(struct xs_conn *c, const struct xsd_sockmsg *hdr, const char *payload,
			   void *arg)
{
	struct fixture *f = arg;
	char *state;
	size_t n = strlen(f->states);

	(void)c;
	(void)payload;
	if (hdr->type != XS_WATCH_EVENT || !(state = xs_get(f, BE "/state")))
		return;
	if (n + 1 < sizeof(f->states) && strcmp(state, "1") != 0) {
		f->states[n] = state[0];
		f->states[n + 1] = '\0';
	}
	free(state);
}

static void watch_backend_state(struct fixture *f)
{
	static const char payload[] = BE "/state\0t";
	struct xsd_sockmsg hdr = { .type = XS_WATCH, .req_id = 1, .len = sizeof(payload) };

	f->watcher = xs_conn_create(sim_xenstore(f->sim), 0, on_state_event, f);
	xs_conn_handle(f->watcher, &hdr, payload);
	f->states[0] = '\0'; /* a watch fires once when set */
}

static int setup(void **state)
{
	static struct fixture f;
	struct sim_fixture_options o = { .bare = true, .console_to_stdout = true };
	struct sim_device_key fe[] = { { "virtual-device", "51712", false },
				       { "device-type", "disk", true } };
	struct sim_device_key be[] = { { "params", "/tmp/disk.img", false } };
	struct sim_device dev = { .type = "vbd", .devid = DEVID, .frontend = fe,
				  .backend = be, .nr_frontend = 2, .nr_backend = 1 };

	memset(&f, 0, sizeof(f));
	if (sim_fixture_create(&f.sf, &o) < 0)
		return -1;
	f.sim = f.sf.sim;
	f.d = f.sf.guest[0];
	if (sim_device_add(f.d, &dev) < 0)
		return -1;
	watch_backend_state(&f);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	xenbus_backend_destroy(f->be);
	xs_conn_destroy(f->watcher);
	sim_fixture_destroy(&f->sf);
	return 0;
}

static void backend_start(struct fixture *f)
{
	assert_int_equal(xenbus_backend_create(f->d, "vbd", DEVID, dev_features, 2, &dev_ops, f,
					       &f->be), 0);
	sim_poll(f->sim);
}

static void front_state(struct fixture *f, enum xenbus_state s)
{
	char v[4];

	snprintf(v, sizeof(v), "%d", (int)s);
	xs_put(f, FE "/state", v);
	sim_poll(f->sim); /* the backend answers from the loop */
}

/* A granted ring page and an unbound port for dom0, as a frontend sets them up. */
static void front_publish_ring(struct fixture *f)
{
	char v[16];

	if (!f->gnttab_placed)
		assert_int_equal(sim_gnttab_place_frame(f->d, 0, GFN_GNTTAB), 0);
	f->gnttab_placed = true;
	sim_fixture_grant(f->d, GFN_GNTTAB, REF_RING, GFN_RING, false);
	assert_int_equal(sim_evtchn_alloc_unbound(f->d, 0, &f->guest_port), 0);
	snprintf(v, sizeof(v), "%d", REF_RING);
	xs_put(f, FE "/ring-ref", v);
	snprintf(v, sizeof(v), "%u", f->guest_port);
	xs_put(f, FE "/event-channel", v);
}

/* --- the handshake --- */

static void backend_publishes_its_features_then_waits_in_initwait(void **state)
{
	struct fixture *f = *state;

	backend_start(f);
	assert_xs(f, BE "/feature-flush-cache", "1");
	assert_xs(f, BE "/feature-discard", "0");
	assert_xs(f, BE "/state", "2");
	assert_string_equal(f->states, "2");
	assert_int_equal(xenbus_backend_state(f->be), XenbusStateInitWait);
	assert_string_equal(xenbus_backend_name(f->be), "vbd51712");
	assert_string_equal(xenbus_backend_frontend_path(f->be), FE);
	assert_string_equal(xenbus_backend_path(f->be), BE);
	assert_int_equal(f->connects, 0);
}

static void a_device_the_toolstack_did_not_add_is_refused(void **state)
{
	struct fixture *f = *state;
	struct xenbus_backend *be = NULL;

	assert_int_equal(xenbus_backend_create(f->d, "vbd", 5, NULL, 0, &dev_ops, f, &be),
			 -ENOENT);
	assert_null(be);
}

static void toolstack_writes_both_directories_pointing_at_each_other(void **state)
{
	struct fixture *f = *state;

	assert_xs(f, FE "/backend", BE);
	assert_xs(f, FE "/backend-id", "0");
	assert_xs(f, FE "/state", "1");
	assert_xs(f, FE "/virtual-device", "51712");
	assert_xs(f, BE "/frontend", FE);
	assert_xs(f, BE "/frontend-id", "1");
	assert_xs(f, BE "/online", "1");
	assert_xs(f, BE "/params", "/tmp/disk.img");
	sim_device_remove(f->d, "vbd", DEVID);
	assert_null(xs_get(f, FE));
	assert_null(xs_get(f, BE));
}

static void frontend_initialised_connects_and_closing_walks_to_closed(void **state)
{
	struct fixture *f = *state;

	backend_start(f);
	front_publish_ring(f);
	front_state(f, XenbusStateInitialised);
	assert_int_equal(f->connects, 1);
	assert_true(xenbus_backend_connected(f->be));
	assert_non_null(f->ring);
	assert_xs(f, BE "/state", "4");
	/* The guest's notification reaches the device's handler. */
	assert_int_equal(sim_evtchn_send(f->d, f->guest_port), 0);
	assert_int_equal(f->events, 1);
	front_state(f, XenbusStateClosing);
	assert_int_equal(f->disconnects, 1);
	assert_false(xenbus_backend_connected(f->be));
	assert_string_equal(f->states, "2456");
	assert_int_equal(f->d->violations, 0);
}

static void a_frontend_back_at_initialising_gets_initwait_and_reconnects(void **state)
{
	struct fixture *f = *state;

	backend_start(f);
	front_publish_ring(f);
	front_state(f, XenbusStateConnected);
	front_state(f, XenbusStateClosed);
	front_state(f, XenbusStateInitialising);
	assert_xs(f, BE "/state", "2");
	front_publish_ring(f); /* its old port was closed with the connection */
	front_state(f, XenbusStateConnected);
	assert_string_equal(f->states, "245624");
	assert_int_equal(f->connects, 2);
	assert_int_equal(f->disconnects, 1);
}

static void a_failed_connect_leaves_the_backend_closing(void **state)
{
	struct fixture *f = *state;

	f->connect_result = -EOPNOTSUPP;
	backend_start(f);
	front_state(f, XenbusStateConnected);
	assert_xs(f, BE "/state", "5");
	assert_false(xenbus_backend_connected(f->be));
	assert_int_equal(f->disconnects, 0);
}

static void destroy_while_connected_disconnects(void **state)
{
	struct fixture *f = *state;

	backend_start(f);
	front_publish_ring(f);
	front_state(f, XenbusStateConnected);
	assert_true(xenbus_backend_connected(f->be));
	xenbus_backend_destroy(f->be);
	f->be = NULL;
	assert_int_equal(f->disconnects, 1);
	/* The directories are the toolstack's: they stay until it removes the device. */
	assert_xs(f, BE "/frontend", FE);
}

static void garbage_in_the_frontend_state_reads_as_closed(void **state)
{
	struct fixture *f = *state;

	backend_start(f);
	xs_put(f, FE "/state", "x4");
	sim_poll(f->sim);
	assert_xs(f, BE "/state", "6");
	assert_string_equal(f->states, "256");
	assert_int_equal(f->connects, 0);
}

/* --- key limits --- */

static void frontend_numbers_within_their_range_are_read(void **state)
{
	struct fixture *f = *state;
	unsigned long v = 0;

	backend_start(f);
	xs_put(f, FE "/ring-ref", "4294967295");
	assert_int_equal(xenbus_backend_read_uint(f->be, "ring-ref", UINT32_MAX, &v), 0);
	assert_int_equal(v, 4294967295UL);
	xs_put(f, FE "/ring-ref", "0");
	assert_int_equal(xenbus_backend_read_uint(f->be, "ring-ref", 0, &v), 0);
	assert_int_equal(v, 0);
	xs_put(f, FE "/feature-persistent", "1");
	assert_int_equal(xenbus_backend_read_uint(f->be, "feature-persistent", 1, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(f->d->violations, 0);
}

static void a_digit_above_a_small_maximum_is_out_of_range(void **state)
{
	struct fixture *f = *state;
	unsigned long v = 0;

	backend_start(f);
	xs_put(f, FE "/feature-persistent", "7");
	assert_int_equal(xenbus_backend_read_uint(f->be, "feature-persistent", 1, &v), -EINVAL);
	xs_put(f, FE "/feature-persistent", "10");
	assert_int_equal(xenbus_backend_read_uint(f->be, "feature-persistent", 9, &v), -EINVAL);
	assert_int_equal(f->d->violations, 2);
}

/* What read_bad_number writes to ring-ref before reading it (for stderr_capture_run). */
struct read_call {
	struct fixture *f;
	const char *value;
};

static void read_bad_number(void *arg)
{
	struct read_call *c = arg;
	unsigned long v;

	xs_put(c->f, FE "/ring-ref", c->value);
	assert_int_equal(xenbus_backend_read_uint(c->f->be, "ring-ref", UINT32_MAX, &v), -EINVAL);
}

static void a_number_out_of_range_or_malformed_is_a_violation_naming_device_and_key(void **state)
{
	static const char *const bad[] = { "4294967296", "-1", "+1", " 1", "1 ", "0x10", "",
					   "99999999999999999999999" };
	struct fixture *f = *state;
	char said[1024];

	backend_start(f);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct read_call call = { f, bad[i] };

		stderr_capture_run(said, sizeof(said), read_bad_number, &call);
		if (!strstr(said, "vbd51712: " FE "/ring-ref is '"))
			fail_msg("'%s': the report '%s' names no device and key", bad[i], said);
		assert_int_equal(f->d->violations, (int)i + 1);
	}
}

static void an_absent_key_is_enoent_and_a_violation_only_where_needed(void **state)
{
	struct fixture *f = *state;
	unsigned long v;
	char buf[8];

	backend_start(f);
	assert_int_equal(xenbus_backend_read_uint(f->be, "feature-persistent", 1, &v), -ENOENT);
	assert_int_equal(xenbus_backend_read_str(f->be, "protocol", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(f->d->violations, 0);
	assert_int_equal(xenbus_backend_need_uint(f->be, "ring-ref", UINT32_MAX, &v), -ENOENT);
	assert_int_equal(f->d->violations, 1);
}

static void read_long_string(void *arg)
{
	struct fixture *f = arg;
	char buf[12];

	xs_put(f, FE "/protocol", "x86_64-abi-and-more");
	assert_int_equal(xenbus_backend_read_str(f->be, "protocol", buf, sizeof(buf)), -E2BIG);
}

static void a_string_longer_than_its_limit_is_a_violation(void **state)
{
	struct fixture *f = *state;
	char buf[12], said[512];

	backend_start(f);
	xs_put(f, FE "/protocol", "x86_64-abi");
	assert_int_equal(xenbus_backend_read_str(f->be, "protocol", buf, sizeof(buf)), 10);
	assert_string_equal(buf, "x86_64-abi");
	stderr_capture_run(said, sizeof(said), read_long_string, f);
	assert_non_null(strstr(said, "vbd51712: " FE "/protocol is 19 bytes; at most 11"));
	assert_int_equal(f->d->violations, 1);
}

/* --- rings and event channels --- */

static void an_ungranted_ring_is_a_violation_and_the_backend_goes_closing(void **state)
{
	struct fixture *f = *state;

	backend_start(f);
	front_publish_ring(f);
	xs_put(f, FE "/ring-ref", "9"); /* never granted */
	front_state(f, XenbusStateConnected);
	assert_int_equal(f->d->violations, 1);
	assert_xs(f, BE "/state", "5");
	assert_false(xenbus_backend_connected(f->be));
}

static void a_port_not_offered_to_dom0_is_a_violation(void **state)
{
	struct fixture *f = *state;

	backend_start(f);
	front_publish_ring(f);
	xs_put(f, FE "/event-channel", "77");
	front_state(f, XenbusStateConnected);
	assert_int_equal(f->d->violations, 1);
	assert_xs(f, BE "/state", "5");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest handshake[] = {
		T(backend_publishes_its_features_then_waits_in_initwait),
		T(a_device_the_toolstack_did_not_add_is_refused),
		T(toolstack_writes_both_directories_pointing_at_each_other),
		T(frontend_initialised_connects_and_closing_walks_to_closed),
		T(a_frontend_back_at_initialising_gets_initwait_and_reconnects),
		T(a_failed_connect_leaves_the_backend_closing),
		T(destroy_while_connected_disconnects),
		T(garbage_in_the_frontend_state_reads_as_closed),
	};
	const struct CMUnitTest keys[] = {
		T(frontend_numbers_within_their_range_are_read),
		T(a_digit_above_a_small_maximum_is_out_of_range),
		T(a_number_out_of_range_or_malformed_is_a_violation_naming_device_and_key),
		T(an_absent_key_is_enoent_and_a_violation_only_where_needed),
		T(a_string_longer_than_its_limit_is_a_violation),
	};
	const struct CMUnitTest rings[] = {
		T(an_ungranted_ring_is_a_violation_and_the_backend_goes_closing),
		T(a_port_not_offered_to_dom0_is_a_violation),
	};
#undef T
	int failed = cmocka_run_group_tests_name("xenbus_backend handshake", handshake, NULL, NULL);
	failed += cmocka_run_group_tests_name("xenbus_backend keys", keys, NULL, NULL);
	failed += cmocka_run_group_tests_name("xenbus_backend rings", rings, NULL, NULL);
	return failed;
}
