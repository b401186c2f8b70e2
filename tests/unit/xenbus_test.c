/*
 * The xenbus client (runtime/xenbus*.c) against the simulator's xenstored,
 * over the real store ring, inside a running guest.
 *
 * The runtime only runs booted, so this test is a unikernel: the shim's
 * main() boots the simulated domain (with the tree libxl writes) and
 * app_main runs the CMocka group in the guest's main thread. Run it with
 * --clock virtual, so that timeouts end at exactly their deadline.
 *
 * The guest may write below its home's "data" directory, which libxl gives
 * it; every test works in data/xbt/<test> and removes it afterwards.
 * Assertions are made only in the main thread (a failing one longjmps to
 * the runner); worker threads record what they saw. Every test gives back
 * the guest heap blocks it took: the per-test teardown checks it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <xen/errno.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>

#include "guest_heap.h"
#include "runtime/include/uk/alloc.h"
#include "runtime/include/uk/boot.h"
#include "runtime/drivers/include/uk/drivers/events.h"
#include "runtime/include/uk/hypercall.h"
#include "runtime/include/uk/sched.h"
#include "runtime/include/uk/shutdown.h"
#include "runtime/include/uk/time.h"
#include "runtime/include/uk/xenbus.h"
#include "runtime/platform/platform.h"
#include "runtime/xenbus_private.h"

const char uk_app_name[] = "xenbus_test";

#define MS UK_NSEC_PER_MSEC
#define SEC UK_NSEC_PER_SEC

static size_t heap_blocks_before;

static int setup(void **state)
{
	xenbus_rm(XBT_NIL, "data/xbt");
	heap_blocks_before = guest_heap_blocks_settled();
	return 0;
}

static int teardown(void **state)
{
	xenbus_rm(XBT_NIL, "data/xbt");
	return guest_heap_check(heap_blocks_before);
}

/* Reads path and checks its value (and its length). */
static void assert_value(xenbus_transaction_t t, const char *path, const char *expect)
{
	char *v = NULL;
	uint32_t len = 0xdead;

	assert_int_equal(xenbus_read(t, path, &v, &len), 0);
	assert_string_equal(v, expect);
	assert_int_equal(len, strlen(expect));
	uk_free(v);
}

static void assert_missing(xenbus_transaction_t t, const char *path)
{
	char *v = NULL;

	assert_int_equal(xenbus_read(t, path, &v, NULL), -XEN_ENOENT);
	assert_null(v);
}

static domid_t own_domid(void)
{
	domid_t id = DOMID_INVALID;

	assert_int_equal(xenbus_get_domid(&id), 0);
	return id;
}

/* ---- nodes ---- */

static void write_then_read_returns_the_value(void **state)
{
	assert_int_equal(xenbus_write(XBT_NIL, "data/xbt/node", "hello"), 0);
	assert_value(XBT_NIL, "data/xbt/node", "hello");
	assert_int_equal(xenbus_write(XBT_NIL, "data/xbt/node", ""), 0);
	assert_value(XBT_NIL, "data/xbt/node", "");
}

static void read_of_missing_node_is_enoent(void **state)
{
	assert_missing(XBT_NIL, "data/xbt/no-such-node");
}

static void relative_and_absolute_paths_name_the_same_node(void **state)
{
	char *rel, *home, abs[64];
	domid_t id = own_domid();

	assert_int_equal(xenbus_read(XBT_NIL, "domid", &rel, NULL), 0);
	snprintf(abs, sizeof(abs), "/local/domain/%s/domid", rel);
	assert_value(XBT_NIL, abs, rel);
	assert_int_equal(xenbus_get_domain_path(id, &home), 0);
	snprintf(abs, sizeof(abs), "/local/domain/%s", rel);
	assert_string_equal(home, abs);
	uk_free(home);
	uk_free(rel);

	/* A write through one name is read through the other. */
	assert_int_equal(xenbus_write(XBT_NIL, "data/xbt/both", "same"), 0);
	snprintf(abs, sizeof(abs), "/local/domain/%u/data/xbt/both", id);
	assert_value(XBT_NIL, abs, "same");
}

static void directory_lists_children(void **state)
{
	static const char *const want[] = { "alpha", "beta", "gamma" };
	char path[64], **names;
	bool seen[3] = { false };

	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "data/xbt/dir/%s", want[i]);
		assert_int_equal(xenbus_write(XBT_NIL, path, want[i]), 0);
	}
	assert_int_equal(xenbus_directory(XBT_NIL, "data/xbt/dir", &names), 3);
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			if (strcmp(names[i], want[j]) == 0)
				seen[j] = true;
	assert_null(names[3]);
	assert_true(seen[0] && seen[1] && seen[2]);
	uk_free(names);
	assert_int_equal(xenbus_directory(XBT_NIL, "data/xbt/no-such-dir", &names), -XEN_ENOENT);
}

static void mkdir_creates_an_empty_node_and_rm_removes_it(void **state)
{
	char **names;

	assert_int_equal(xenbus_mkdir(XBT_NIL, "data/xbt/made/below"), 0);
	assert_value(XBT_NIL, "data/xbt/made", "");
	assert_int_equal(xenbus_directory(XBT_NIL, "data/xbt/made/below", &names), 0);
	assert_null(names[0]);
	uk_free(names);
	assert_int_equal(xenbus_rm(XBT_NIL, "data/xbt/made"), 0);
	assert_missing(XBT_NIL, "data/xbt/made/below");
	assert_missing(XBT_NIL, "data/xbt/made");
}

static void perms_set_are_the_perms_read_back(void **state)
{
	domid_t id = own_domid();
	struct xenbus_perm set[2] = { { id, 'n' }, { 0, 'r' } };
	struct xenbus_perm got[4];

	assert_int_equal(xenbus_write(XBT_NIL, "data/xbt/perm", "p"), 0);
	assert_int_equal(xenbus_get_perms(XBT_NIL, "data/xbt/perm", got, 4), 1);
	assert_int_equal(got[0].domid, id); /* a new node is its creator's */
	assert_int_equal(xenbus_set_perms(XBT_NIL, "data/xbt/perm", set, 2), 0);
	memset(got, 0, sizeof(got));
	assert_int_equal(xenbus_get_perms(XBT_NIL, "data/xbt/perm", got, 4), 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(got[i].domid, set[i].domid);
		assert_int_equal(got[i].perm, set[i].perm);
	}
	/* Fewer slots than entries: the count is still the node's. */
	memset(got, 0, sizeof(got));
	assert_int_equal(xenbus_get_perms(XBT_NIL, "data/xbt/perm", got, 1), 2);
	assert_int_equal(got[1].domid, 0);
	assert_int_equal(got[1].perm, 0);
	/* The letters are checked before anything is sent. */
	set[1].perm = 'x';
	assert_int_equal(xenbus_set_perms(XBT_NIL, "data/xbt/perm", set, 2), -XEN_EINVAL);
}

static void write_outside_home_owned_by_dom0_is_eacces(void **state)
{
	assert_int_equal(xenbus_write(XBT_NIL, "/tool/xbt", "x"), -XEN_EACCES);
	assert_int_equal(xenbus_write(XBT_NIL, "/local/domain/0/xbt", "x"), -XEN_EACCES);
	/* Our home itself is read-only to us, as libxl sets it up. */
	assert_int_equal(xenbus_write(XBT_NIL, "xbt", "x"), -XEN_EACCES);
}

static void large_value_round_trips_across_the_ring(void **state)
{
	/* 2000 bytes: two wraps of the 1024-byte rings, within xenstored's node quota. */
	static char big[2001];
	char *v;
	uint32_t len;

	for (size_t i = 0; i < sizeof(big) - 1; i++)
		big[i] = (char)('a' + i % 26);
	big[sizeof(big) - 1] = '\0';
	for (int round = 0; round < 3; round++) {
		big[0] = (char)('A' + round);
		assert_int_equal(xenbus_write(XBT_NIL, "data/xbt/big", big), 0);
		assert_int_equal(xenbus_read(XBT_NIL, "data/xbt/big", &v, &len), 0);
		assert_int_equal(len, sizeof(big) - 1);
		assert_memory_equal(v, big, sizeof(big));
		uk_free(v);
	}
}

static void value_over_the_node_quota_is_enospc_and_the_ring_stays_in_step(void **state)
{
	/* 3000 bytes cross the ring in pieces; xenstored's 2048-byte node quota refuses them. */
	static char big[3001];

	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(xenbus_write(XBT_NIL, "data/xbt/huge", big), -XEN_ENOSPC);
	assert_missing(XBT_NIL, "data/xbt/huge");
	assert_int_equal(xenbus_write(XBT_NIL, "data/xbt/after", "fine"), 0);
	assert_value(XBT_NIL, "data/xbt/after", "fine");
}

static void request_over_the_payload_limit_is_e2big_before_sending(void **state)
{
	static char big[XENSTORE_PAYLOAD_MAX + 1];

	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(xenbus_write(XBT_NIL, "data/xbt/toolong", big), -XEN_E2BIG);
	assert_int_equal(xenbus_write(XBT_NIL, "data/xbt/after", "fine"), 0);
	assert_value(XBT_NIL, "data/xbt/after", "fine");
}

/* ---- transactions ---- */

static void transaction_write_is_invisible_outside_until_commit(void **state)
{
	xenbus_transaction_t t;

	assert_int_equal(xenbus_transaction_start(&t), 0);
	assert_int_not_equal(t, XBT_NIL);
	assert_int_equal(xenbus_write(t, "data/xbt/tx", "inside"), 0);
	assert_value(t, "data/xbt/tx", "inside");
	assert_missing(XBT_NIL, "data/xbt/tx");
	assert_int_equal(xenbus_transaction_end(t, false), 0);
	assert_value(XBT_NIL, "data/xbt/tx", "inside");
}

static void aborted_transaction_leaves_no_trace(void **state)
{
	xenbus_transaction_t t;

	assert_int_equal(xenbus_transaction_start(&t), 0);
	assert_int_equal(xenbus_write(t, "data/xbt/tx", "inside"), 0);
	assert_int_equal(xenbus_transaction_end(t, true), 0);
	assert_missing(XBT_NIL, "data/xbt/tx");
	/* The id is gone: using it again is ENOENT. */
	assert_int_equal(xenbus_write(t, "data/xbt/tx", "late"), -XEN_ENOENT);
}

static void second_of_two_conflicting_commits_gets_eagain(void **state)
{
	xenbus_transaction_t t1, t2;

	assert_int_equal(xenbus_write(XBT_NIL, "data/xbt/n", "0"), 0);
	assert_int_equal(xenbus_transaction_start(&t1), 0);
	assert_int_equal(xenbus_transaction_start(&t2), 0);
	assert_int_not_equal(t1, t2);
	assert_value(t1, "data/xbt/n", "0");
	assert_value(t2, "data/xbt/n", "0");
	assert_int_equal(xenbus_write(t1, "data/xbt/n", "1"), 0);
	assert_int_equal(xenbus_write(t2, "data/xbt/n", "2"), 0);
	assert_int_equal(xenbus_transaction_end(t1, false), 0);
	assert_int_equal(xenbus_transaction_end(t2, false), -XEN_EAGAIN);
	assert_value(XBT_NIL, "data/xbt/n", "1");
}

struct increment {
	unsigned int calls;
	bool interfere; /* change the node behind the transaction's back, once */
};

/* Reads data/xbt/n in t and writes it back plus one. */
static int increment(xenbus_transaction_t t, void *arg)
{
	struct increment *inc = arg;
	char *v, next[16];
	int rc;

	inc->calls++;
	if ((rc = xenbus_read(t, "data/xbt/n", &v, NULL)) < 0)
		return rc;
	snprintf(next, sizeof(next), "%d", v[0] - '0' + 1);
	uk_free(v);
	if (inc->interfere) {
		inc->interfere = false;
		if ((rc = xenbus_write(XBT_NIL, "data/xbt/n", "5")) < 0)
			return rc;
	}
	return xenbus_write(t, "data/xbt/n", next);
}

static int fail_with_eperm(xenbus_transaction_t t, void *arg)
{
	int rc = xenbus_write(t, "data/xbt/n", "9");

	return rc < 0 ? rc : -XEN_EPERM;
}

static void transaction_retry_redoes_a_conflicting_transaction(void **state)
{
	struct increment inc = { 0, true };

	assert_int_equal(xenbus_write(XBT_NIL, "data/xbt/n", "1"), 0);
	assert_int_equal(xenbus_transaction_retry(increment, &inc, 5), 0);
	assert_int_equal(inc.calls, 2);
	assert_value(XBT_NIL, "data/xbt/n", "6");

	/* Conflicting every time: gives up after max_tries with EAGAIN. */
	inc.calls = 0;
	inc.interfere = true;
	assert_int_equal(xenbus_transaction_retry(increment, &inc, 1), -XEN_EAGAIN);
	assert_int_equal(inc.calls, 1);

	/* fn's error aborts the transaction and is returned. */
	assert_int_equal(xenbus_transaction_retry(fail_with_eperm, NULL, 5), -XEN_EPERM);
	assert_value(XBT_NIL, "data/xbt/n", "5");
}

/* ---- watches ---- */

static void assert_event(struct xenbus_watch *w, const char *expect)
{
	char *path = NULL;

	assert_int_equal(xenbus_watch_wait(w, &path, uk_now_ns() + SEC), 0);
	assert_string_equal(path, expect);
	uk_free(path);
}

static void watch_fires_on_registration_and_on_write_below(void **state)
{
	struct xenbus_watch w;
	char *path = NULL;

	assert_int_equal(xenbus_mkdir(XBT_NIL, "data/xbt/watched"), 0);
	assert_int_equal(xenbus_watch_add(&w, "data/xbt/watched", NULL, NULL), 0);
	assert_event(&w, "data/xbt/watched");
	assert_int_equal(xenbus_write(XBT_NIL, "data/xbt/watched/child", "x"), 0);
	assert_event(&w, "data/xbt/watched/child");
	assert_int_equal(xenbus_write(XBT_NIL, "data/xbt/elsewhere", "x"), 0);
	assert_int_equal(xenbus_watch_wait(&w, &path, uk_now_ns() + 10 * MS), -XEN_ETIMEDOUT);
	assert_int_equal(xenbus_watch_remove(&w), 0);
}

static void watch_wait_times_out_at_its_deadline(void **state)
{
	struct xenbus_watch w;
	uint64_t deadline;
	char *path = NULL;

	assert_int_equal(xenbus_watch_add(&w, "data/xbt/quiet", NULL, NULL), 0);
	assert_event(&w, "data/xbt/quiet");
	deadline = uk_now_ns() + 50 * MS;
	assert_int_equal(xenbus_watch_wait(&w, &path, deadline), -XEN_ETIMEDOUT);
	assert_null(path);
	assert_true(uk_now_ns() >= deadline);
	assert_int_equal(xenbus_watch_remove(&w), 0);
}

static void removed_watch_drops_its_events_and_cannot_be_waited_on(void **state)
{
	struct xenbus_watch w;
	char *path = NULL;

	assert_int_equal(xenbus_watch_add(&w, "data/xbt/gone", NULL, NULL), 0);
	assert_int_equal(xenbus_write(XBT_NIL, "data/xbt/gone", "x"), 0);
	assert_int_equal(xenbus_watch_remove(&w), 0);
	assert_int_equal(xenbus_watch_wait(&w, &path, uk_now_ns() + 10 * MS), -XEN_ENOENT);
	assert_int_equal(xenbus_watch_remove(&w), -XEN_ENOENT);
}

static void absolute_watch_reports_absolute_paths(void **state)
{
	struct xenbus_watch w;
	char abs[64], child[80];

	snprintf(abs, sizeof(abs), "/local/domain/%u/data/xbt/abs", own_domid());
	snprintf(child, sizeof(child), "%s/c", abs);
	assert_int_equal(xenbus_watch_add(&w, abs, NULL, NULL), 0);
	assert_event(&w, abs);
	assert_int_equal(xenbus_write(XBT_NIL, "data/xbt/abs/c", "x"), 0);
	assert_event(&w, child);
	assert_int_equal(xenbus_watch_remove(&w), 0);
}

struct seen {
	unsigned int n;
	char path[4][64];
	char thread[4][32];
};

static void record(struct xenbus_watch *w, const char *path, void *arg)
{
	struct seen *s = arg;

	if (s->n < 4) {
		snprintf(s->path[s->n], sizeof(s->path[0]), "%s", path);
		snprintf(s->thread[s->n], sizeof(s->thread[0]), "%s",
			 uk_thread_name(uk_thread_self()));
	}
	s->n++;
}

static void wait_for_calls(const struct seen *s, unsigned int n)
{
	uint64_t deadline = uk_now_ns() + SEC;

	while (s->n < n && uk_now_ns() < deadline)
		uk_sleep_ns(MS);
}

static void watch_callbacks_run_in_order_in_the_xenbus_thread(void **state)
{
	struct xenbus_watch w;
	struct seen s = { 0 };

	assert_int_equal(xenbus_watch_add(&w, "data/xbt/cb", record, &s), 0);
	assert_int_equal(xenbus_write(XBT_NIL, "data/xbt/cb/one", "1"), 0);
	assert_int_equal(xenbus_write(XBT_NIL, "data/xbt/cb/two", "2"), 0);
	wait_for_calls(&s, 3);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.path[0], "data/xbt/cb");
	assert_string_equal(s.path[1], "data/xbt/cb/one");
	assert_string_equal(s.path[2], "data/xbt/cb/two");
	for (int i = 0; i < 3; i++)
		assert_string_equal(s.thread[i], "xenbus");
	/* A watch with a callback has no queue to wait on. */
	char *path;
	assert_int_equal(xenbus_watch_wait(&w, &path, 0), -XEN_EINVAL);
	assert_int_equal(xenbus_watch_remove(&w), 0);
}

/* ---- the ring, seen from the daemon's side ---- */

static uint64_t store_param(uint32_t index)
{
	struct xen_hvm_param p = { .domid = DOMID_SELF, .index = index };

	assert_int_equal(HYPERVISOR_hvm_op(HVMOP_get_param, &p), 0);
	return p.value;
}

static evtchn_port_t store_port(void)
{
	return (evtchn_port_t)store_param(HVM_PARAM_STORE_EVTCHN);
}

/* Puts bytes into rsp[] as a daemon would (a fake reply or a corrupt stream). */
static void inject(const void *buf, size_t len)
{
	struct xenstore_domain_interface *intf =
		uk_platform_phys_to_virt(store_param(HVM_PARAM_STORE_PFN) << 12);
	XENSTORE_RING_IDX prod = intf->rsp_prod;

	assert_true(len <= XENSTORE_RING_SIZE - (prod - intf->rsp_cons));
	for (size_t i = 0; i < len; i++)
		intf->rsp[MASK_XENSTORE_IDX(prod++)] = ((const char *)buf)[i];
	__atomic_store_n(&intf->rsp_prod, prod, __ATOMIC_RELEASE);
}

/* ---- many threads at once ---- */

#define WORKERS 8
#define PAIRS 50

struct worker {
	int id;
	int wrong;     /* answers that were not this thread's own */
	int first_rc;  /* the first error, if any */
	bool done;
};

static int worker(void *arg)
{
	struct worker *wk = arg;
	char path[64], value[32], *got;

	snprintf(path, sizeof(path), "data/xbt/conc/t%d", wk->id);
	for (int j = 0; j < PAIRS; j++) {
		int rc;

		snprintf(value, sizeof(value), "thread %d pair %d", wk->id, j);
		if ((rc = xenbus_write(XBT_NIL, path, value)) == 0 &&
		    (rc = xenbus_read(XBT_NIL, path, &got, NULL)) == 0) {
			wk->wrong += strcmp(got, value) != 0;
			uk_free(got);
		}
		if (rc < 0 && wk->first_rc == 0)
			wk->first_rc = rc;
	}
	wk->done = true;
	return 0;
}

static bool all_done(const struct worker *wk)
{
	for (int i = 0; i < WORKERS; i++)
		if (!wk[i].done)
			return false;
	return true;
}

static void concurrent_requests_get_their_own_replies(void **state)
{
	struct worker wk[WORKERS];
	struct uk_thread *t[WORKERS];
	evtchn_port_t port = store_port();
	unsigned int rounds = 0;

	for (int i = 0; i < WORKERS; i++) {
		wk[i] = (struct worker){ .id = i };
		t[i] = uk_thread_create("xbt-worker", worker, &wk[i]);
		assert_non_null(t[i]);
	}
	/*
	 * The simulated daemon answers at once; holding the replies back (the
	 * port masked) while every worker sends puts all 8 requests in flight,
	 * whose replies then arrive together and must be matched by req_id.
	 */
	while (!all_done(wk)) {
		evtchn_mask(port);
		uk_yield();
		evtchn_unmask(port);
		uk_yield();
		rounds++;
	}
	for (int i = 0; i < WORKERS; i++)
		assert_int_equal(uk_thread_join(t[i]), 0);
	for (int i = 0; i < WORKERS; i++) {
		assert_int_equal(wk[i].first_rc, 0);
		assert_int_equal(wk[i].wrong, 0);
	}
	/* One round per write or read of each worker: they really were in flight together. */
	assert_true(rounds <= 2 * PAIRS + 2);
}

static void reply_to_an_unknown_request_is_dropped(void **state)
{
	struct xsd_sockmsg fake = { .type = XS_READ, .req_id = 0xfeedf00d, .len = 4 };

	inject(&fake, sizeof(fake));
	inject("junk", 4);
	/* The next real reply comes after it and still finds its request. */
	assert_int_equal(xenbus_write(XBT_NIL, "data/xbt/after", "fine"), 0);
	assert_value(XBT_NIL, "data/xbt/after", "fine");
}

/* ---- watch queues ---- */

static void slow_watch_reader_keeps_the_newest_256_events(void **state)
{
	struct xenbus_watch w;
	char path[64], *got;
	unsigned int n = 0;

	assert_int_equal(xenbus_watch_add(&w, "data/xbt/flood", NULL, NULL), 0);
	/* The registration event and 300 writes: 301 events, 45 too many. */
	for (int i = 0; i < 300; i++) {
		snprintf(path, sizeof(path), "data/xbt/flood/%d", i);
		assert_int_equal(xenbus_write(XBT_NIL, path, "x"), 0);
	}
	assert_int_equal(w.pending, 256);
	while (xenbus_watch_wait(&w, &got, uk_now_ns() + 10 * MS) == 0) {
		snprintf(path, sizeof(path), "data/xbt/flood/%u", 44 + n);
		assert_string_equal(got, path);
		uk_free(got);
		n++;
	}
	assert_int_equal(n, 256);
	assert_int_equal(xenbus_watch_remove(&w), 0);
}

/* ---- control/shutdown ---- */

static void unsupported_shutdown_request_is_cleared_and_ignored(void **state)
{
	uint64_t deadline = uk_now_ns() + SEC;
	char *v;

	assert_int_equal(xenbus_write(XBT_NIL, "control/shutdown", "reboot"), 0);
	for (;;) {
		assert_int_equal(xenbus_read(XBT_NIL, "control/shutdown", &v, NULL), 0);
		bool cleared = v[0] == '\0';
		uk_free(v);
		if (cleared)
			break;
		assert_true(uk_now_ns() < deadline);
		uk_sleep_ns(MS);
	}
}

/* ---- a corrupt stream (last: it leaves the store unusable) ---- */

struct waiter {
	struct xenbus_watch *w;
	int rc;
};

static int wait_for_event(void *arg)
{
	struct waiter *wt = arg;
	char *path = NULL;

	wt->rc = xenbus_watch_wait(wt->w, &path, 0);
	uk_free(path);
	return 0;
}

static void oversized_message_breaks_the_store_and_fails_every_waiter(void **state)
{
	struct xsd_sockmsg bad = { .type = XS_READ, .req_id = 1, .len = XENSTORE_PAYLOAD_MAX + 1 };
	struct xenbus_watch w;
	struct waiter wt = { &w, 1 };
	struct uk_thread *t;
	char *v = NULL;

	assert_int_equal(xenbus_watch_add(&w, "data/xbt/broken", NULL, NULL), 0);
	assert_event(&w, "data/xbt/broken");
	assert_non_null(t = uk_thread_create("xbt-waiter", wait_for_event, &wt));
	uk_yield();
	/* The header arrives before the reply to this read: the read fails. */
	inject(&bad, sizeof(bad));
	assert_int_equal(xenbus_read(XBT_NIL, "domid", &v, NULL), -XEN_EIO);
	assert_null(v);
	assert_int_equal(uk_thread_join(t), 0);
	assert_int_equal(wt.rc, -XEN_EIO);
	/* From now on every call fails at once, and releases what it took. */
	assert_int_equal(xenbus_write(XBT_NIL, "data/xbt/x", "x"), -XEN_EIO);
	assert_int_equal(xenbus_watch_remove(&w), -XEN_EIO);
}

static int group_setup(void **state)
{
	int rc = xenbus_init();

	/* -EBUSY: boot already connected the store. */
	if (rc < 0 && rc != -XEN_EBUSY) {
		print_error("xenbus_init: %d\n", rc);
		return -1;
	}
	rc = uk_shutdown_watch_init();
	if (rc < 0 && rc != -XEN_EBUSY) {
		print_error("uk_shutdown_watch_init: %d\n", rc);
		return -1;
	}
	return 0;
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(write_then_read_returns_the_value),
		T(read_of_missing_node_is_enoent),
		T(relative_and_absolute_paths_name_the_same_node),
		T(directory_lists_children),
		T(mkdir_creates_an_empty_node_and_rm_removes_it),
		T(perms_set_are_the_perms_read_back),
		T(write_outside_home_owned_by_dom0_is_eacces),
		T(large_value_round_trips_across_the_ring),
		T(value_over_the_node_quota_is_enospc_and_the_ring_stays_in_step),
		T(request_over_the_payload_limit_is_e2big_before_sending),
		T(transaction_write_is_invisible_outside_until_commit),
		T(aborted_transaction_leaves_no_trace),
		T(second_of_two_conflicting_commits_gets_eagain),
		T(transaction_retry_redoes_a_conflicting_transaction),
		T(watch_fires_on_registration_and_on_write_below),
		T(watch_wait_times_out_at_its_deadline),
		T(removed_watch_drops_its_events_and_cannot_be_waited_on),
		T(absolute_watch_reports_absolute_paths),
		T(watch_callbacks_run_in_order_in_the_xenbus_thread),
		T(slow_watch_reader_keeps_the_newest_256_events),
		T(concurrent_requests_get_their_own_replies),
		T(reply_to_an_unknown_request_is_dropped),
		T(unsupported_shutdown_request_is_cleared_and_ignored),
		/* Last: the store is unusable afterwards. */
		cmocka_unit_test(oversized_message_breaks_the_store_and_fails_every_waiter),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
