/*
 * vif backends as plug-ins (sim/backends/vif.c, vif_table.h) and the
 * toolstack's power-off policy (sim/toolstack/lifecycle.c): specs are
 * checked against what each backend's ops declare (its argument, its keys
 * and whether they repeat), and a backend added with one file and one line
 * (the test-only loopback backend, tests/unit/vif_loopback.c and
 * vif_loopback_table.c) is parsed, opened, fed and powered off like the
 * simulator's own.
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

#include "sim/backends/vif.h"
#include "sim/domain.h"
#include "sim/sim.h"
#include "sim/toolstack/lifecycle.h"
#include "sim/xenstored/xs_store.h"
#include "traces/pcap_reader.h"
#include "netif_front.h"
#include "sim_checks.h"
#include "sim_fixture.h"
#include "vif_loopback.h"

#define SHUTDOWN_KEY "/local/domain/1/control/shutdown"

/* --- specs, checked from the tables --- */

static void a_backend_in_the_table_is_accepted_with_its_keys(void **state)
{
	struct vif_config cfg;

	(void)state;
	vif_spec_parse_ok("loopback", &cfg);
	assert_string_equal(cfg.backend, "loopback");
	assert_null(cfg.arg);
	vif_config_free(&cfg);
	vif_spec_parse_ok("loopback,frames=3,mtu=576", &cfg);
	assert_string_equal(vif_config_get(&cfg, "frames"), "3");
	assert_int_equal(cfg.mtu, 576);
	vif_config_free(&cfg);
}

static void the_list_of_valid_backends_comes_from_the_table(void **state)
{
	(void)state;
	vif_spec_refused("bogus", "unknown vif backend 'bogus' (valid: tap=IFNAME, user, "
			 "pcap=FILE, null or loopback)");
}

static void an_unknown_key_is_named_with_the_keys_the_backend_takes(void **state)
{
	(void)state;
	vif_spec_refused("loopback,linger=1", "unknown key 'linger' for vif backend 'loopback' "
			 "(keys: mac, mtu, capture, capture-gso, sg, gso, csum, frames)");
	vif_spec_refused("user,linger=1", "unknown key 'linger' for vif backend 'user' (keys: "
			 "mac, mtu, capture, capture-gso, sg, gso, csum, hostfwd)");
	vif_spec_refused("pcap=in.pcap,hostfwd=tcp::1-:1", "unknown key 'hostfwd' for vif "
			 "backend 'pcap' (keys: mac, mtu, capture, capture-gso, sg, gso, csum, "
			 "linger, gap, as, progress, tcp, report, tcp_deadline, tcp_mss)");
	vif_spec_refused("tap=dd0,frames=1",
			 "(keys: mac, mtu, capture, capture-gso, sg, gso, csum, create)");
}

static void a_key_that_does_not_repeat_is_refused_the_second_time(void **state)
{
	(void)state;
	vif_spec_refused("pcap=in.pcap,linger=1,linger=2", "key 'linger' is given twice; vif "
			 "backend 'pcap' takes it once");
	vif_spec_refused("loopback,frames=1,frames=2", "key 'frames' is given twice");
	vif_spec_refused("null,mac=00:16:3e:00:00:01,mac=00:16:3e:00:00:02", "key 'mac' is given "
			 "twice");
	vif_spec_refused("null,mtu=1500,mtu=576", "key 'mtu' is given twice");
	vif_spec_refused("null,capture=a,capture=b", "key 'capture' is given twice");
}

static void a_key_that_repeats_is_kept_each_time(void **state)
{
	struct vif_config cfg;

	(void)state;
	vif_spec_parse_ok("user,hostfwd=tcp::1-:1,hostfwd=tcp::2-:2,hostfwd=udp::3-:3", &cfg);
	assert_int_equal(cfg.nr_keys, 3);
	assert_string_equal(cfg.keys[2].value, "udp::3-:3");
	vif_config_free(&cfg);
}

static void the_argument_is_as_the_backend_declares(void **state)
{
	(void)state;
	vif_spec_refused("loopback=x", "vif backend 'loopback' takes no '=x'");
	vif_spec_refused("pcap", "vif backend 'pcap' needs a file: pcap=FILE");
	vif_spec_refused("tap=", "vif backend 'tap' needs an interface name: tap=IFNAME");
	/* The backend's own check runs at parse time. */
	vif_spec_refused("loopback,frames=0", "loopback: frames=0: expected a count from 1");
}

/* --- a simulator with domain 1 --- */

struct fixture {
	struct sim_fixture sf;
	struct sim *sim;
	struct sim_domain *d;
	char capture[64];
};

static int setup(void **state)
{
	static struct fixture f;
	struct sim_fixture_options o = { .bare = true, .console_to_stdout = true };
	int fd;

	memset(&f, 0, sizeof(f));
	if (sim_fixture_create(&f.sf, &o) < 0)
		return -1;
	f.sim = f.sf.sim;
	f.d = f.sf.guest[0];
	strcpy(f.capture, "/tmp/vif_plugin_test.XXXXXX");
	if ((fd = mkstemp(f.capture)) < 0)
		return -1;
	close(fd);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sim_fixture_destroy(&f->sf);
	return unlink(f->capture);
}

static struct vif *make_vif(struct fixture *f, unsigned int index, const char *spec)
{
	return vif_spec_create(f->d, index, spec);
}

static void from_guest(struct vif *v, uint8_t fill)
{
	uint8_t frame[60];

	memset(frame, fill, sizeof(frame));
	vif_from_guest(v, frame, sizeof(frame));
}

static bool never(struct sim_domain *d, void *arg)
{
	(void)d;
	(void)arg;
	return false;
}

/*
 * Runs the simulator to guest time t (ns after the start); then what the
 * toolstack asked of the guest in control/shutdown, or NULL (the key is
 * there from the start, empty, for the guest to watch).
 */
static char *shutdown_at(struct fixture *f, uint64_t t)
{
	char *value;
	size_t len;

	sim_run_until(f->sim, f->d, t, never, NULL);
	if (xs_store_read(sim_xenstore(f->sim), SHUTDOWN_KEY, &value, &len) < 0)
		return NULL;
	if (len == 0) {
		free(value);
		return NULL;
	}
	return value;
}

static void the_loopback_backend_reflects_each_frame_to_the_guest(void **state)
{
	struct fixture *f = *state;
	char spec[128], err[256];
	struct trace_reader *r;
	const uint8_t *frame;
	size_t len;
	uint64_t ts;
	struct vif *v;

	snprintf(spec, sizeof(spec), "loopback,capture=%s", f->capture);
	v = make_vif(f, 0, spec);
	from_guest(v, 0xa5);
	/* Captured on the way out and on the way back; the unconnected guest drops it. */
	assert_int_equal(v->stats.from_guest_frames, 1);
	assert_int_equal(v->stats.to_guest_dropped, 1);
	vif_flush(v);
	assert_int_equal(trace_reader_open(f->capture, &r, err, sizeof(err)), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(trace_reader_next(r, &frame, &len, &ts), 1);
		assert_int_equal(len, 60);
		assert_int_equal(frame[59], 0xa5);
	}
	assert_int_equal(trace_reader_next(r, &frame, &len, &ts), 0);
	trace_reader_close(r);
}

static void the_guest_is_powered_off_linger_after_the_last_input_ends(void **state)
{
	struct fixture *f = *state;
	struct vif *one = make_vif(f, 0, "loopback,frames=1");
	struct vif *two = make_vif(f, 1, "loopback,frames=2");
	uint64_t t0 = sim_now_ns(f->sim);

	assert_true(sim_lifecycle_domain_has_input(f->d));
	from_guest(one, 1);
	assert_false(vif_has_input(one));
	/* vif1 still has input: the linger of vif0 ends without a power-off. */
	assert_null(shutdown_at(f, t0 + 2 * LOOPBACK_LINGER_NS));
	from_guest(two, 2);
	from_guest(two, 3);
	assert_false(sim_lifecycle_domain_has_input(f->d));
	uint64_t t1 = sim_now_ns(f->sim);
	assert_null(shutdown_at(f, t1 + LOOPBACK_LINGER_NS - 1));
	char *how = shutdown_at(f, t1 + LOOPBACK_LINGER_NS);
	assert_non_null(how);
	assert_string_equal(how, "poweroff");
	free(how);
}

static void a_domain_without_input_is_not_powered_off(void **state)
{
	struct fixture *f = *state;

	make_vif(f, 0, "null");
	make_vif(f, 1, "loopback");
	assert_false(sim_lifecycle_domain_has_input(f->d));
	assert_null(shutdown_at(f, sim_now_ns(f->sim) + 10 * LOOPBACK_LINGER_NS));
}

static void vif_added(void *arg)
{
	sim_lifecycle_vif_added(arg, "SPEC");
}

static void warned_about(struct fixture *f, const struct vif_backend_ops *ops, char *said,
			 size_t size)
{
	struct vif v = { .dom = f->d, .ops = ops };

	stderr_capture_run(said, size, vif_added, &v);
}

static void a_live_backend_under_the_virtual_clock_is_warned_about(void **state)
{
	struct fixture *f = *state;
	const struct vif_backend_ops *loopback = NULL;
	struct vif_backend_ops live;
	char said[512];

	for (size_t i = 0; vif_backends[i]; i++)
		if (!strcmp(vif_backends[i]->name, "loopback"))
			loopback = vif_backends[i];
	assert_non_null(loopback);
	warned_about(f, loopback, said, sizeof(said));
	assert_string_equal(said, "");
	live = *loopback;
	live.live = true;
	warned_about(f, &live, said, sizeof(said));
	assert_non_null(strstr(said, "--vif SPEC with --clock virtual"));
}

int main(void)
{
	const struct CMUnitTest parse[] = {
		cmocka_unit_test(a_backend_in_the_table_is_accepted_with_its_keys),
		cmocka_unit_test(the_list_of_valid_backends_comes_from_the_table),
		cmocka_unit_test(an_unknown_key_is_named_with_the_keys_the_backend_takes),
		cmocka_unit_test(a_key_that_does_not_repeat_is_refused_the_second_time),
		cmocka_unit_test(a_key_that_repeats_is_kept_each_time),
		cmocka_unit_test(the_argument_is_as_the_backend_declares),
	};
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest plugin[] = {
		T(the_loopback_backend_reflects_each_frame_to_the_guest),
		T(the_guest_is_powered_off_linger_after_the_last_input_ends),
		T(a_domain_without_input_is_not_powered_off),
		T(a_live_backend_under_the_virtual_clock_is_warned_about),
	};
#undef T
	int failed = cmocka_run_group_tests_name("vif specs from the tables", parse, NULL, NULL);
	failed += cmocka_run_group_tests_name("a backend added by one file and one line", plugin,
					      NULL, NULL);
	return failed;
}
