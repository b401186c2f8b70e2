/*
 * The frontend device helpers (runtime/xenbus_dev.c, xenbus_dev_state.c) against the
 * simulator's xenstored, inside a booted guest.
 *
 * The runtime only runs booted, so this test is a unikernel (see
 * xenbus_test.c): app_main runs the CMocka group in the guest's main
 * thread. The device is a block device, device/vbd/<id>, with a backend
 * directory under /local/domain/0/backend/vbd, both made as libxl makes
 * them (the guest owns its directory and may read the backend's). The test
 * plays the backend through the simulator's store (xs_store_*, dom0's
 * access), from the main thread or from a "backend" guest thread that acts
 * after a delay. Run it with --clock virtual: waits then end at exactly
 * their deadline, and a delayed backend acts at exactly its time.
 *
 * Assertions are made only in the main thread. Every test gives back the
 * guest heap blocks it took: the per-test teardown checks it.
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

#include "hypercall_shim/shim.h"
#include "guest_heap.h"
#include "runtime/drivers/include/uk/drivers/xenbus_dev.h"
#include "runtime/include/uk/alloc.h"
#include "runtime/include/uk/boot.h"
#include "runtime/include/uk/sched.h"
#include "runtime/include/uk/time.h"
#include "runtime/include/uk/xenbus.h"
#include "sim/sim.h"
#include "sim/xenstored/xs_store.h"

const char uk_app_name[] = "xenbus_dev_test";

#define MS UK_NSEC_PER_MSEC
#define SEC UK_NSEC_PER_SEC
#define VBD 7

static char fe_dir[64], be_dir[64];

/* --- the backend's side, through dom0's access to the store --- */

static struct xs_store *store(void)
{
	return sim_xenstore(shim_current()->sim);
}

static void store_write(const char *dir, const char *key, const char *value)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	assert_int_equal(xs_store_write(store(), path, value, strlen(value)), 0);
}

/* The value of dir/key, or "" when absent (into a static buffer). */
static const char *store_read(const char *dir, const char *key)
{
	static char buf[64];
	char path[128], *v;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	if (xs_store_read(store(), path, &v, &len) < 0)
		return "";
	snprintf(buf, sizeof(buf), "%s", v);
	free(v);
	return buf;
}

/* device/vbd/<VBD> and its backend directory, the backend in state be_state. */
static void fake_vbd(const char *be_state)
{
	domid_t domid = shim_current()->domid;
	const struct xs_perm fe_perms[2] = { { domid, XS_STORE_PERM_NONE },
					     { 0, XS_STORE_PERM_READ } };
	const struct xs_perm be_perms[2] = { { 0, XS_STORE_PERM_NONE },
					     { domid, XS_STORE_PERM_READ } };

	snprintf(fe_dir, sizeof(fe_dir), "/local/domain/%u/device/vbd/%u", domid, VBD);
	snprintf(be_dir, sizeof(be_dir), "/local/domain/0/backend/vbd/%u/%u", domid, VBD);
	assert_int_equal(xs_store_mkdir(store(), fe_dir), 0);
	assert_int_equal(xs_store_set_perms(store(), fe_dir, fe_perms, 2), 0);
	assert_int_equal(xs_store_mkdir(store(), be_dir), 0);
	assert_int_equal(xs_store_set_perms(store(), be_dir, be_perms, 2), 0);
	store_write(fe_dir, "backend", be_dir);
	store_write(fe_dir, "backend-id", "0");
	store_write(be_dir, "state", be_state);
}

static void fake_vbd_remove(void)
{
	xs_store_rm(store(), fe_dir);
	xs_store_rm(store(), be_dir);
}

/* A backend thread: after delay_ns, writes value to be_dir/key (or removes be_dir). */
struct later {
	uint64_t delay_ns;
	const char *key, *value; /* key NULL: remove the backend's directory */
};

static int backend_later(void *arg)
{
	const struct later *l = arg;
	char path[128];

	uk_sleep_ns(l->delay_ns);
	if (!l->key)
		return xs_store_rm(store(), be_dir);
	snprintf(path, sizeof(path), "%s/%s", be_dir, l->key);
	return xs_store_write(store(), path, l->value, strlen(l->value));
}

/*
 * A backend that follows the frontend's Closing and Closed (as netback and
 * blkback do), checking every 10 ms, until it has reached Closed.
 */
static int backend_follower(void *arg)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/state", be_dir);
	for (int i = 0; i < 100; i++) {
		const char *fe = store_read(fe_dir, "state");

		if (strcmp(fe, "5") == 0 || strcmp(fe, "6") == 0) {
			char st[2] = { fe[0], '\0' };

			if (xs_store_write(store(), path, st, 1) < 0)
				return -1;
			if (st[0] == '6')
				return 0;
		}
		uk_sleep_ns(10 * MS);
	}
	return -1;
}

static struct xenbus_dev dev;

static void init_dev(void)
{
	assert_int_equal(xenbus_dev_init(&dev, "vbd", VBD), 0);
}

/* --- per test: a fresh device, and no guest heap block left behind --- */

static size_t heap_blocks_before;

static int setup(void **state)
{
	memset(&dev, 0, sizeof(dev));
	fake_vbd("1");
	heap_blocks_before = guest_heap_blocks_settled();
	return 0;
}

static int teardown(void **state)
{
	/* A test that failed half-way: its watch goes, and the device with it. */
	xenbus_dev_close(&dev, false, 0);
	fake_vbd_remove();
	return guest_heap_check(heap_blocks_before);
}

/* --- the device handle --- */

static void test_count_is_the_number_of_devices_of_the_type(void **state)
{
	assert_int_equal(xenbus_dev_count("vbd"), 1);
	assert_int_equal(xenbus_dev_count("no-such-type"), 0);
	assert_int_equal(xenbus_dev_count("a/b/../../c-type-name-too-long"), -EINVAL);
}

static void test_init_finds_the_backend_and_its_domain(void **state)
{
	store_write(fe_dir, "backend-id", "3");
	init_dev();
	assert_string_equal(dev.nodename, "device/vbd/7");
	assert_string_equal(dev.otherend, be_dir);
	assert_int_equal(dev.otherend_id, 3);
	assert_int_equal(dev.otherend_state, XenbusStateUnknown);
}

static void test_init_of_a_missing_device_is_enoent(void **state)
{
	assert_int_equal(xenbus_dev_init(&dev, "vbd", VBD + 1), -ENOENT);
	assert_non_null(strstr(dev.error, "device/vbd/8/backend"));
}

static void test_init_refuses_a_backend_id_beyond_the_domain_ids(void **state)
{
	store_write(fe_dir, "backend-id", "32752"); /* DOMID_FIRST_RESERVED */
	assert_int_equal(xenbus_dev_init(&dev, "vbd", VBD), -ERANGE);
	assert_non_null(strstr(dev.error, "backend-id \"32752\" is outside 0..32751"));
	store_write(fe_dir, "backend-id", "dom0");
	assert_int_equal(xenbus_dev_init(&dev, "vbd", VBD), -EINVAL);
	assert_non_null(strstr(dev.error, "not a decimal number"));
}

static void test_init_refuses_a_backend_path_that_does_not_fit(void **state)
{
	char longpath[XENBUS_DEV_PATH_MAX + 2];

	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	store_write(fe_dir, "backend", longpath);
	assert_int_equal(xenbus_dev_init(&dev, "vbd", VBD), -ERANGE);
	assert_non_null(strstr(dev.error, "backend is 257 bytes, at most 255 fit"));
}

/*
 * device/vbd/<name> beside the fixture's device/vbd/7, as libxl makes one,
 * its backend the fixture's backend (the directory's path, into dir).
 */
static void fake_extra_vbd(const char *name, char *dir, size_t size)
{
	domid_t domid = shim_current()->domid;
	const struct xs_perm perms[2] = { { domid, XS_STORE_PERM_NONE },
					  { 0, XS_STORE_PERM_READ } };

	snprintf(dir, size, "/local/domain/%u/device/vbd/%s", domid, name);
	assert_int_equal(xs_store_mkdir(store(), dir), 0);
	assert_int_equal(xs_store_set_perms(store(), dir, perms, 2), 0);
	store_write(dir, "backend", be_dir);
	store_write(dir, "backend-id", "0");
}

static void test_init_nth_takes_devices_in_ascending_number_order_skipping_other_names(
	void **state)
{
	char d3[64], d12[64], cdrom[64];

	fake_extra_vbd("12", d12, sizeof(d12));
	fake_extra_vbd("cdrom", cdrom, sizeof(cdrom));
	fake_extra_vbd("3", d3, sizeof(d3));
	assert_int_equal(xenbus_dev_count("vbd"), 3);
	assert_int_equal(xenbus_dev_init_nth(&dev, "vbd", 0), 0);
	assert_string_equal(dev.nodename, "device/vbd/3");
	assert_int_equal(dev.id, 3);
	assert_string_equal(dev.otherend, be_dir);
	assert_int_equal(xenbus_dev_init_nth(&dev, "vbd", 1), 0);
	assert_string_equal(dev.nodename, "device/vbd/7");
	assert_int_equal(dev.id, VBD);
	assert_int_equal(xenbus_dev_init_nth(&dev, "vbd", 2), 0);
	assert_string_equal(dev.nodename, "device/vbd/12");
	assert_int_equal(xenbus_dev_init_nth(&dev, "vbd", 3), -ENOENT);
	assert_non_null(strstr(dev.error, "no vbd number 3"));
	xs_store_rm(store(), d3);
	xs_store_rm(store(), d12);
	xs_store_rm(store(), cdrom);
}

/*
 * The one entry under device/vbd is not a device number: there is no disk
 * 0 (blkfront's old search took device/vbd/0 for it), and none is counted.
 */
static void test_init_nth_with_only_a_name_that_is_not_a_number_is_enoent(void **state)
{
	char cdrom[64];

	xs_store_rm(store(), fe_dir);
	fake_extra_vbd("cdrom", cdrom, sizeof(cdrom));
	assert_int_equal(xenbus_dev_count("vbd"), 0);
	assert_int_equal(xenbus_dev_init_nth(&dev, "vbd", 0), -ENOENT);
	assert_non_null(strstr(dev.error, "no vbd number 0 under device/vbd"));
	assert_string_equal(dev.nodename, "");
	xs_store_rm(store(), cdrom);
	assert_int_equal(xenbus_dev_init_nth(&dev, "vbd", 0), -ENOENT);
	assert_int_equal(xenbus_dev_init_nth(&dev, "a/b", 0), -EINVAL);
}

/* --- keys --- */

static void test_read_str_copies_a_value_that_fits_and_refuses_a_longer_one(void **state)
{
	char buf[8];

	init_dev();
	store_write(be_dir, "mode", "w");
	store_write(be_dir, "type", "phy-long");
	assert_int_equal(xenbus_dev_read_str(&dev, XENBUS_DEV_OTHEREND, "mode", buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "w");
	strcpy(buf, "intact");
	assert_int_equal(xenbus_dev_read_str(&dev, XENBUS_DEV_OTHEREND, "type", buf, sizeof(buf)),
			 -ERANGE);
	assert_string_equal(buf, "intact");
	assert_non_null(strstr(dev.error, "/type is 8 bytes, at most 7 fit"));
}

static void test_read_of_a_missing_key_is_enoent_and_names_it(void **state)
{
	uint64_t v = 99;

	init_dev();
	assert_int_equal(xenbus_dev_read_uint(&dev, XENBUS_DEV_OTHEREND, "sectors", 0, UINT64_MAX,
					      &v),
			 -ENOENT);
	assert_int_equal(v, 99);
	assert_non_null(strstr(dev.error, "/sectors"));
}

static void test_read_uint_takes_the_whole_range_and_refuses_beyond_it(void **state)
{
	uint64_t v = 0;

	init_dev();
	store_write(be_dir, "sectors", "18446744073709551615");
	assert_int_equal(xenbus_dev_read_uint(&dev, XENBUS_DEV_OTHEREND, "sectors", 0, UINT64_MAX,
					      &v),
			 0);
	assert_true(v == UINT64_MAX);
	store_write(be_dir, "sectors", "18446744073709551616");
	assert_int_equal(xenbus_dev_read_uint(&dev, XENBUS_DEV_OTHEREND, "sectors", 0, UINT64_MAX,
					      &v),
			 -ERANGE);
	store_write(be_dir, "sector-size", "511");
	assert_int_equal(xenbus_dev_read_uint(&dev, XENBUS_DEV_OTHEREND, "sector-size", 512,
					      4096, &v),
			 -ERANGE);
	assert_non_null(strstr(dev.error, "sector-size \"511\" is outside 512..4096"));
	store_write(be_dir, "sector-size", "4097");
	assert_int_equal(xenbus_dev_read_uint(&dev, XENBUS_DEV_OTHEREND, "sector-size", 512,
					      4096, &v),
			 -ERANGE);
	store_write(be_dir, "sector-size", "4096");
	assert_int_equal(xenbus_dev_read_uint(&dev, XENBUS_DEV_OTHEREND, "sector-size", 512,
					      4096, &v),
			 0);
	assert_int_equal(v, 4096);
}

static void test_read_uint_refuses_what_is_not_a_decimal_number(void **state)
{
	static const char *const bad[] = { "", "-1", "+1", " 1", "1 ", "0x10", "12a", "1.5" };
	uint64_t v = 7;

	init_dev();
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		store_write(fe_dir, "ring-page-order", bad[i]);
		assert_int_equal(xenbus_dev_read_uint(&dev, XENBUS_DEV_SELF, "ring-page-order", 0,
						      10, &v),
				 -EINVAL);
		assert_non_null(strstr(dev.error, "is not a decimal number"));
	}
	assert_int_equal(v, 7);
}

static void test_read_mac_takes_either_case_and_refuses_anything_else(void **state)
{
	static const char *const bad[] = { "00:16:3e:00:01", "00:16:3e:00:01:0g",
					   "00-16-3e-00-01-05", "00:16:3e:00:01:05:", "" };
	const uint8_t expect[6] = { 0x00, 0x16, 0x3e, 0xab, 0xCD, 0x05 };
	uint8_t mac[6] = { 0 }, untouched[6] = { 1, 2, 3, 4, 5, 6 };

	init_dev();
	store_write(fe_dir, "mac", "00:16:3e:ab:CD:05");
	assert_int_equal(xenbus_dev_read_mac(&dev, XENBUS_DEV_SELF, "mac", mac), 0);
	assert_memory_equal(mac, expect, 6);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(mac, untouched, 6);
		store_write(fe_dir, "mac", bad[i]);
		assert_int_equal(xenbus_dev_read_mac(&dev, XENBUS_DEV_SELF, "mac", mac), -EINVAL);
		assert_memory_equal(mac, untouched, 6);
		assert_non_null(strstr(dev.error, "is not a MAC address"));
	}
}

static void test_a_feature_is_off_when_absent_and_must_be_0_or_1(void **state)
{
	bool on = true;

	init_dev();
	assert_int_equal(xenbus_dev_read_feature(&dev, "feature-flush-cache", &on), 0);
	assert_false(on);
	store_write(be_dir, "feature-flush-cache", "1");
	assert_int_equal(xenbus_dev_read_feature(&dev, "feature-flush-cache", &on), 0);
	assert_true(on);
	store_write(be_dir, "feature-flush-cache", "0");
	assert_int_equal(xenbus_dev_read_feature(&dev, "feature-flush-cache", &on), 0);
	assert_false(on);
	store_write(be_dir, "feature-flush-cache", "2");
	assert_int_equal(xenbus_dev_read_feature(&dev, "feature-flush-cache", &on), -EINVAL);
	store_write(be_dir, "feature-flush-cache", "yes");
	assert_int_equal(xenbus_dev_read_feature(&dev, "feature-flush-cache", &on), -EINVAL);
}

static int publish(xenbus_transaction_t t, void *arg)
{
	int rc;

	if ((rc = xenbus_dev_write_uint(&dev, t, "ring-ref", 4242)) < 0)
		return rc;
	return xenbus_dev_write_str(&dev, t, "protocol", "x86_64-abi");
}

static void test_keys_written_in_a_transaction_appear_together(void **state)
{
	init_dev();
	assert_int_equal(xenbus_transaction_retry(publish, NULL, 4), 0);
	assert_string_equal(store_read(fe_dir, "ring-ref"), "4242");
	assert_string_equal(store_read(fe_dir, "protocol"), "x86_64-abi");
}

static void test_writing_the_backends_keys_is_refused(void **state)
{
	char path[128];

	init_dev();
	snprintf(path, sizeof(path), "%s/state", be_dir);
	assert_int_equal(xenbus_write(XBT_NIL, path, "4"), -EACCES);
	assert_string_equal(store_read(be_dir, "state"), "1");
}

/* --- states --- */

static void test_a_state_switch_is_visible_in_xenstore(void **state)
{
	init_dev();
	assert_int_equal(xenbus_dev_switch_state(&dev, XenbusStateInitialising), 0);
	assert_string_equal(store_read(fe_dir, "state"), "1");
	assert_int_equal(xenbus_dev_read_state(&dev), XenbusStateInitialising);
	assert_int_equal(xenbus_dev_switch_state(&dev, XenbusStateConnected), 0);
	assert_string_equal(store_read(fe_dir, "state"), "4");
	assert_int_equal(dev.state, XenbusStateConnected);
	assert_true(dev.state_published);
}

static void test_watch_makes_the_backend_state_current_at_once(void **state)
{
	init_dev();
	store_write(be_dir, "state", "2");
	assert_int_equal(xenbus_dev_watch_otherend(&dev, NULL, NULL), 0);
	assert_int_equal(dev.otherend_state, XenbusStateInitWait);
	assert_int_equal(xenbus_dev_watch_otherend(&dev, NULL, NULL), -EBUSY);
}

static void test_wait_returns_when_the_backend_reaches_the_state(void **state)
{
	struct later l = { 50 * MS, "state", "2" };
	struct uk_thread *t;
	uint64_t start;

	init_dev();
	assert_int_equal(xenbus_dev_watch_otherend(&dev, NULL, NULL), 0);
	assert_non_null(t = uk_thread_create("backend", backend_later, &l));
	start = uk_now_ns();
	assert_int_equal(xenbus_dev_wait_otherend(&dev, XENBUS_STATE_BIT(XenbusStateInitWait),
						  XENBUS_DEV_LEAVING, uk_now_ns() + SEC),
			 0);
	assert_int_equal(uk_now_ns() - start, 50 * MS);
	assert_int_equal(uk_thread_join(t), 0);
}

static void test_wait_times_out_at_its_deadline(void **state)
{
	uint64_t start;

	init_dev();
	assert_int_equal(xenbus_dev_watch_otherend(&dev, NULL, NULL), 0);
	start = uk_now_ns();
	assert_int_equal(xenbus_dev_wait_otherend(&dev, XENBUS_STATE_BIT(XenbusStateConnected),
						  XENBUS_DEV_LEAVING, start + 200 * MS),
			 -ETIMEDOUT);
	assert_int_equal(uk_now_ns() - start, 200 * MS);
	assert_non_null(strstr(dev.error, "still in state 1"));
}

/* The backend goes to state after 50 ms: the wait ends then, not at its deadline. */
static void assert_wait_fails_when_backend_goes_to(const char *value)
{
	struct later l = { 50 * MS, value ? "state" : NULL, value };
	struct uk_thread *t;
	uint64_t start;

	assert_int_equal(xenbus_dev_watch_otherend(&dev, NULL, NULL), 0);
	assert_non_null(t = uk_thread_create("backend", backend_later, &l));
	start = uk_now_ns();
	assert_int_equal(xenbus_dev_wait_otherend(&dev, XENBUS_STATE_BIT(XenbusStateConnected),
						  XENBUS_DEV_LEAVING, start + SEC),
			 -ENODEV);
	assert_int_equal(uk_now_ns() - start, 50 * MS);
	assert_int_equal(uk_thread_join(t), 0);
}

static void test_wait_fails_when_the_backend_is_closing(void **state)
{
	init_dev();
	assert_wait_fails_when_backend_goes_to("5");
	assert_non_null(strstr(dev.error, "is closing (state 5)"));
}

static void test_wait_fails_when_the_backend_is_closed(void **state)
{
	init_dev();
	assert_wait_fails_when_backend_goes_to("6");
	assert_non_null(strstr(dev.error, "is closing (state 6)"));
}

static void test_wait_fails_when_the_backend_directory_is_removed(void **state)
{
	init_dev();
	assert_wait_fails_when_backend_goes_to(NULL);
	assert_non_null(strstr(dev.error, "is gone"));
}

static void test_wait_for_closed_succeeds_when_closed_is_wanted(void **state)
{
	init_dev();
	store_write(be_dir, "state", "6");
	assert_int_equal(xenbus_dev_watch_otherend(&dev, NULL, NULL), 0);
	assert_int_equal(xenbus_dev_wait_otherend(&dev, XENBUS_STATE_BIT(XenbusStateClosed),
						  XENBUS_DEV_LEAVING, uk_now_ns() + SEC),
			 0);
}

static void test_wait_without_a_watch_is_einval(void **state)
{
	init_dev();
	assert_int_equal(xenbus_dev_wait_otherend(&dev, XENBUS_STATE_BIT(XenbusStateConnected),
						  0, uk_now_ns() + SEC),
			 -EINVAL);
}

/* --- the watch callback --- */

struct seen_states {
	unsigned int n;
	XenbusState st[16];
};

static void record_state(struct xenbus_dev *d, void *arg)
{
	struct seen_states *s = arg;

	if (s->n < 16)
		s->st[s->n++] = d->otherend_state;
}

static void test_the_watch_callback_sees_every_backend_state_in_order(void **state)
{
	static const char *const walk[] = { "2", "4", "5", "6" };
	struct seen_states seen = { 0 };

	init_dev();
	assert_int_equal(xenbus_dev_watch_otherend(&dev, record_state, &seen), 0);
	uk_sleep_ns(10 * MS);
	assert_int_equal(seen.n, 1); /* the watch's first firing */
	assert_int_equal(seen.st[0], XenbusStateInitialising);
	for (unsigned int i = 0; i < 4; i++) {
		store_write(be_dir, "state", walk[i]);
		uk_sleep_ns(10 * MS);
	}
	assert_int_equal(seen.n, 5);
	assert_int_equal(seen.st[1], XenbusStateInitWait);
	assert_int_equal(seen.st[2], XenbusStateConnected);
	assert_int_equal(seen.st[3], XenbusStateClosing);
	assert_int_equal(seen.st[4], XenbusStateClosed);
	/* Garbage and removal read as Unknown. */
	store_write(be_dir, "state", "banana");
	uk_sleep_ns(10 * MS);
	assert_int_equal(seen.n, 6);
	assert_int_equal(seen.st[5], XenbusStateUnknown);
}

static void test_no_callback_runs_after_close(void **state)
{
	struct seen_states seen = { 0 };

	init_dev();
	assert_int_equal(xenbus_dev_watch_otherend(&dev, record_state, &seen), 0);
	uk_sleep_ns(10 * MS);
	assert_int_equal(xenbus_dev_close(&dev, false, 0), 0);
	store_write(be_dir, "state", "4");
	uk_sleep_ns(10 * MS);
	assert_int_equal(seen.n, 1);
}

/* --- closing --- */

static void test_close_walks_closing_then_closed_behind_the_backend(void **state)
{
	struct uk_thread *t;

	init_dev();
	store_write(be_dir, "state", "4");
	assert_int_equal(xenbus_dev_watch_otherend(&dev, NULL, NULL), 0);
	assert_int_equal(xenbus_dev_switch_state(&dev, XenbusStateConnected), 0);
	assert_non_null(t = uk_thread_create("backend", backend_follower, NULL));
	assert_int_equal(xenbus_dev_close(&dev, true, uk_now_ns() + SEC), 0);
	assert_int_equal(uk_thread_join(t), 0);
	assert_string_equal(store_read(fe_dir, "state"), "6");
	assert_string_equal(store_read(be_dir, "state"), "6");
	assert_int_equal(dev.state, XenbusStateClosed);
}

static void test_close_times_out_when_the_backend_does_not_follow(void **state)
{
	uint64_t start;

	init_dev();
	store_write(be_dir, "state", "4");
	assert_int_equal(xenbus_dev_watch_otherend(&dev, NULL, NULL), 0);
	assert_int_equal(xenbus_dev_switch_state(&dev, XenbusStateConnected), 0);
	start = uk_now_ns();
	assert_int_equal(xenbus_dev_close(&dev, true, start + 300 * MS), -ETIMEDOUT);
	assert_int_equal(uk_now_ns() - start, 300 * MS);
	assert_string_equal(store_read(fe_dir, "state"), "6"); /* Closed anyway */
}

static void test_close_without_follow_writes_closed_and_does_not_wait(void **state)
{
	uint64_t start;

	init_dev();
	assert_int_equal(xenbus_dev_watch_otherend(&dev, NULL, NULL), 0);
	assert_int_equal(xenbus_dev_switch_state(&dev, XenbusStateInitialising), 0);
	start = uk_now_ns();
	assert_int_equal(xenbus_dev_close(&dev, false, start + SEC), 0);
	assert_true(uk_now_ns() - start < 10 * MS);
	assert_string_equal(store_read(fe_dir, "state"), "6");
}

static void test_close_writes_nothing_when_no_state_was_published(void **state)
{
	init_dev();
	assert_int_equal(xenbus_dev_watch_otherend(&dev, NULL, NULL), 0);
	assert_int_equal(xenbus_dev_close(&dev, true, uk_now_ns() + SEC), 0);
	assert_string_equal(store_read(fe_dir, "state"), "");
}

static void test_close_writes_nothing_once_the_device_was_removed(void **state)
{
	init_dev();
	assert_int_equal(xenbus_dev_watch_otherend(&dev, NULL, NULL), 0);
	assert_int_equal(xenbus_dev_switch_state(&dev, XenbusStateConnected), 0);
	/* The toolstack unplugs the device: both directories go. */
	fake_vbd_remove();
	uk_sleep_ns(10 * MS);
	assert_int_equal(dev.otherend_state, XenbusStateUnknown);
	assert_int_equal(xenbus_dev_close(&dev, true, uk_now_ns() + SEC), 0);
	assert_string_equal(store_read(fe_dir, "state"), "");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_count_is_the_number_of_devices_of_the_type),
		T(test_init_finds_the_backend_and_its_domain),
		T(test_init_of_a_missing_device_is_enoent),
		T(test_init_refuses_a_backend_id_beyond_the_domain_ids),
		T(test_init_refuses_a_backend_path_that_does_not_fit),
		T(test_init_nth_takes_devices_in_ascending_number_order_skipping_other_names),
		T(test_init_nth_with_only_a_name_that_is_not_a_number_is_enoent),
		T(test_read_str_copies_a_value_that_fits_and_refuses_a_longer_one),
		T(test_read_of_a_missing_key_is_enoent_and_names_it),
		T(test_read_uint_takes_the_whole_range_and_refuses_beyond_it),
		T(test_read_uint_refuses_what_is_not_a_decimal_number),
		T(test_read_mac_takes_either_case_and_refuses_anything_else),
		T(test_a_feature_is_off_when_absent_and_must_be_0_or_1),
		T(test_keys_written_in_a_transaction_appear_together),
		T(test_writing_the_backends_keys_is_refused),
		T(test_a_state_switch_is_visible_in_xenstore),
		T(test_watch_makes_the_backend_state_current_at_once),
		T(test_wait_returns_when_the_backend_reaches_the_state),
		T(test_wait_times_out_at_its_deadline),
		T(test_wait_fails_when_the_backend_is_closing),
		T(test_wait_fails_when_the_backend_is_closed),
		T(test_wait_fails_when_the_backend_directory_is_removed),
		T(test_wait_for_closed_succeeds_when_closed_is_wanted),
		T(test_wait_without_a_watch_is_einval),
		T(test_the_watch_callback_sees_every_backend_state_in_order),
		T(test_no_callback_runs_after_close),
		T(test_close_walks_closing_then_closed_behind_the_backend),
		T(test_close_times_out_when_the_backend_does_not_follow),
		T(test_close_without_follow_writes_closed_and_does_not_wait),
		T(test_close_writes_nothing_when_no_state_was_published),
		T(test_close_writes_nothing_once_the_device_was_removed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
