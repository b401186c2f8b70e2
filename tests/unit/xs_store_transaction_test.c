/*
 * xenstored's transactions: isolation, commit, conflicts (EAGAIN), watches
 * on commit, no nesting.
 * (xs_store_fixture.h: the fixture.)
 */
#include "xs_store_fixture.h"

/* ---- transactions ---- */

static void test_transaction_is_isolated_until_commit(void **state)
{
	struct fx *f = *state;
	uint32_t tx = tx_start(f, f->g1);

	assert_true(tx != 0);
	assert_ok(xwrite(f, f->g1, tx, "k", "inside"));
	assert_value(XREAD(f, f->g1, tx, "k"), "inside");
	assert_error(XREAD(f, f->g1, 0, "k"), "ENOENT");
	assert_error(XREAD(f, f->dom0, 0, "/local/domain/1/k"), "ENOENT");
	assert_ok(tx_end(f, f->g1, tx, "T"));
	assert_value(XREAD(f, f->dom0, 0, "/local/domain/1/k"), "inside");
}

static void test_aborted_transaction_changes_nothing(void **state)
{
	struct fx *f = *state;
	uint32_t tx = tx_start(f, f->g1);

	assert_ok(xwrite(f, f->g1, tx, "k", "v"));
	assert_ok(tx_end(f, f->g1, tx, "F"));
	assert_error(XREAD(f, f->g1, 0, "k"), "ENOENT");
	assert_error(XREAD(f, f->g1, tx, "k"), "ENOENT"); /* tx id gone */
}

static void test_conflicting_commit_gives_eagain(void **state)
{
	struct fx *f = *state;
	uint32_t tx;

	assert_ok(xwrite(f, f->g1, 0, "k", "0"));
	tx = tx_start(f, f->g1);
	assert_value(XREAD(f, f->g1, tx, "k"), "0");
	assert_ok(xwrite(f, f->g1, tx, "k", "tx"));
	assert_ok(xwrite(f, f->dom0, 0, "/local/domain/1/k", "other"));
	assert_error(tx_end(f, f->g1, tx, "T"), "EAGAIN");
	assert_value(XREAD(f, f->g1, 0, "k"), "other");
}

static void test_commit_fails_when_a_listed_directory_changed(void **state)
{
	struct fx *f = *state;
	uint32_t tx;

	assert_ok(xwrite(f, f->g1, 0, "dir/a", ""));
	tx = tx_start(f, f->g1);
	reqv(f, f->g1, XS_DIRECTORY, tx, 1, "dir");
	assert_ok(xwrite(f, f->dom0, 0, "/local/domain/1/dir/b", ""));
	assert_error(tx_end(f, f->g1, tx, "T"), "EAGAIN");
}

static void test_non_conflicting_concurrent_commit_succeeds(void **state)
{
	struct fx *f = *state;
	uint32_t tx;

	assert_ok(xwrite(f, f->g1, 0, "d/mine", "0"));
	assert_ok(xwrite(f, f->g1, 0, "d/theirs", "0"));
	tx = tx_start(f, f->g1);
	assert_value(XREAD(f, f->g1, tx, "d/mine"), "0");
	assert_ok(xwrite(f, f->g1, tx, "d/mine", "1"));
	/* Changes elsewhere, even next door, do not conflict. */
	assert_ok(xwrite(f, f->dom0, 0, "/local/domain/1/d/theirs", "1"));
	assert_ok(xwrite(f, f->dom0, 0, "/tool/unrelated", "1"));
	assert_ok(tx_end(f, f->g1, tx, "T"));
	assert_value(XREAD(f, f->g1, 0, "d/mine"), "1");
	assert_value(XREAD(f, f->g1, 0, "d/theirs"), "1");
}

static void test_watches_fire_only_on_commit(void **state)
{
	struct fx *f = *state;
	uint32_t tx;

	reqv(f, f->dom0, XS_WATCH, 0, 2, "/local/domain/1", "w");
	tx = tx_start(f, f->g1);
	rec_clear(&f->r0);
	assert_ok(xwrite(f, f->g1, tx, "k", "v"));
	assert_int_equal(all_events(&f->r0), 0);
	assert_ok(tx_end(f, f->g1, tx, "T"));
	assert_int_equal(events(&f->r0, "/local/domain/1/k", "w"), 1);
	rec_clear(&f->r0);
	tx = tx_start(f, f->g1);
	assert_ok(xwrite(f, f->g1, tx, "k", "again"));
	assert_ok(tx_end(f, f->g1, tx, "F"));
	assert_int_equal(all_events(&f->r0), 0);
}

/* A watcher that only counts: thousands of events would overflow a struct rec. */
struct counter {
	unsigned int events, replies;
};

static void count_send(struct xs_conn *c, const struct xsd_sockmsg *hdr,
                       const char *payload, void *arg)
{
	struct counter *n = arg;

	if (hdr->type == XS_WATCH_EVENT)
		n->events++;
	else
		n->replies++;
	xs_conn_sent(c);
}

static void test_rewriting_a_node_in_a_transaction_fires_one_event_on_commit(void **state)
{
	struct fx *f = *state;
	struct counter n = { 0 };
	struct xs_conn *w = xs_conn_create(f->s, 0, count_send, &n);
	struct xsd_sockmsg hdr = { XS_WATCH, 1, 0, sizeof("/local/domain/1/x\0t") };
	struct xs_counts before, after;
	uint32_t tx;

	assert_non_null(w);
	xs_conn_handle(w, &hdr, "/local/domain/1/x\0t");
	assert_int_equal(n.events, 1); /* the one on registration */
	n.events = 0;
	xs_store_counts(f->s, &before);
	tx = tx_start(f, f->g1);
	for (int i = 0; i < 10000; i++)
		assert_ok(xwrite(f, f->g1, tx, "x", i % 2 ? "odd" : "even"));
	assert_int_equal(n.events, 0);
	assert_ok(tx_end(f, f->g1, tx, "T"));
	assert_int_equal(n.events, 1);
	assert_value(XREAD(f, f->g1, 0, "x"), "odd");
	/* Nothing left over: the transaction is gone, one node more. */
	xs_store_counts(f->s, &after);
	assert_int_equal(after.transactions, 0);
	assert_int_equal(after.nodes, before.nodes + 1);
	assert_int_equal(after.watches, before.watches);
	xs_conn_destroy(w);
}

static void test_rm_in_transaction_is_invisible_until_commit(void **state)
{
	struct fx *f = *state;
	uint32_t tx;

	assert_ok(xwrite(f, f->g1, 0, "r/s", "v"));
	tx = tx_start(f, f->g1);
	assert_ok(reqv(f, f->g1, XS_RM, tx, 1, "r"));
	assert_error(XREAD(f, f->g1, tx, "r/s"), "ENOENT");
	assert_value(XREAD(f, f->g1, 0, "r/s"), "v");
	assert_ok(tx_end(f, f->g1, tx, "T"));
	assert_error(XREAD(f, f->g1, 0, "r/s"), "ENOENT");
	assert_error(XREAD(f, f->g1, 0, "r"), "ENOENT");
}

static void test_delete_then_recreate_in_one_transaction(void **state)
{
	struct fx *f = *state;
	uint32_t tx;
	const struct msg *m;

	assert_ok(xwrite(f, f->g1, 0, "n/old", "1"));
	tx = tx_start(f, f->g1);
	assert_ok(reqv(f, f->g1, XS_RM, tx, 1, "n"));
	assert_ok(xwrite(f, f->g1, tx, "n/new", "2"));
	assert_ok(tx_end(f, f->g1, tx, "T"));
	assert_value(XREAD(f, f->g1, 0, "n/new"), "2");
	assert_error(XREAD(f, f->g1, 0, "n/old"), "ENOENT");
	m = reqv(f, f->g1, XS_DIRECTORY, 0, 1, "n");
	assert_int_equal(m->hdr.len, sizeof("new"));
}

static void test_nested_transaction_start_gives_ebusy(void **state)
{
	struct fx *f = *state;
	uint32_t tx = tx_start(f, f->g1);

	assert_error(req(f, f->g1, XS_TRANSACTION_START, tx, "", 1), "EBUSY");
	assert_error(tx_end(f, f->g1, 0, "T"), "ENOENT");
	assert_error(tx_end(f, f->g1, tx, "X"), "EINVAL");
	assert_ok(tx_end(f, f->g1, tx, "F"));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_transaction_is_isolated_until_commit),
		T(test_aborted_transaction_changes_nothing),
		T(test_conflicting_commit_gives_eagain),
		T(test_commit_fails_when_a_listed_directory_changed),
		T(test_non_conflicting_concurrent_commit_succeeds),
		T(test_watches_fire_only_on_commit),
		T(test_rewriting_a_node_in_a_transaction_fires_one_event_on_commit),
		T(test_rm_in_transaction_is_invisible_until_commit),
		T(test_delete_then_recreate_in_one_transaction),
		T(test_nested_transaction_start_gives_ebusy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
