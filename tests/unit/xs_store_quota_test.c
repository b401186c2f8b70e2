/*
 * xenstored's quotas, as xenstored's defaults: nodes, watches, transactions,
 * node size, permissions, path length, outstanding requests.
 * (xs_store_fixture.h: the fixture.)
 */
#include "xs_store_fixture.h"

/* ---- quotas ---- */

static void reset_with(void **state, const struct xs_quota *q)
{
	teardown(state);
	setup_quota(state, q);
}

static void test_quota_defaults_are_xenstored_ones(void **state)
{
	struct xs_quota q;

	xs_quota_defaults(&q);
	assert_int_equal(q.nodes_per_domain, 1000);
	assert_int_equal(q.watches_per_domain, 128);
	assert_int_equal(q.transactions_per_domain, 10);
	assert_int_equal(q.node_size, 2048);
	assert_int_equal(q.perms_per_node, 5);
	assert_int_equal(q.path_len, XENSTORE_REL_PATH_MAX);
	assert_int_equal(q.transaction_nodes, 1024);
	assert_int_equal(q.outstanding_requests, 20);
}

static void test_quota_nodes_per_domain_gives_enospc(void **state)
{
	struct xs_quota q;
	struct fx *f;

	xs_quota_defaults(&q);
	q.nodes_per_domain = 5; /* its home counts as one */
	reset_with(state, &q);
	f = *state;
	assert_error(xwrite(f, f->g1, 0, "a/b/c/d/e", "v"), "ENOSPC");
	assert_error(XREAD(f, f->g1, 0, "a"), "ENOENT"); /* nothing half-made */
	assert_ok(xwrite(f, f->g1, 0, "a/b/c/d", "v"));
	assert_error(xwrite(f, f->g1, 0, "e", "v"), "ENOSPC");
	assert_ok(reqv(f, f->g1, XS_RM, 0, 1, "a/b/c/d"));
	assert_ok(xwrite(f, f->g1, 0, "e", "v"));
	/* dom0 has no quota. */
	for (int i = 0; i < 10; i++) {
		char p[32];

		snprintf(p, sizeof(p), "/tool/n%d", i);
		assert_ok(xwrite(f, f->dom0, 0, p, ""));
	}
}

static void test_quota_watches_gives_e2big(void **state)
{
	struct xs_quota q;
	struct fx *f;
	char tok[16];

	xs_quota_defaults(&q);
	q.watches_per_domain = 3;
	reset_with(state, &q);
	f = *state;
	/* xenstored admits quota + 1 ("count > quota" before adding). */
	for (int i = 0; i < 4; i++) {
		snprintf(tok, sizeof(tok), "t%d", i);
		assert_ok(reqv(f, f->g1, XS_WATCH, 0, 2, "x", tok));
	}
	assert_error(reqv(f, f->g1, XS_WATCH, 0, 2, "x", "over"), "E2BIG");
	assert_ok(reqv(f, f->dom0, XS_WATCH, 0, 2, "/x", "dom0"));
}

static void test_quota_transactions_gives_enospc(void **state)
{
	struct xs_quota q;
	struct fx *f;

	xs_quota_defaults(&q);
	q.transactions_per_domain = 2;
	reset_with(state, &q);
	f = *state;
	for (int i = 0; i < 3; i++)
		tx_start(f, f->g1);
	assert_error(req(f, f->g1, XS_TRANSACTION_START, 0, "", 1), "ENOSPC");
}

static void test_quota_node_size_gives_enospc(void **state)
{
	struct fx *f = *state;
	static char big[2100];

	/* 24-byte record header + 8 per permission + value: below 2048. */
	memset(big, 'x', 2015);
	assert_ok(xwrite(f, f->g1, 0, "v", big));
	memset(big, 'x', 2016);
	assert_error(xwrite(f, f->g1, 0, "v", big), "ENOSPC");
	assert_error(xwrite(f, f->g1, 0, "w", big), "ENOSPC");
	assert_ok(xwrite(f, f->dom0, 0, "/local/domain/1/v", big));
}

static void test_quota_perms_per_node_gives_enospc(void **state)
{
	struct fx *f = *state;

	assert_ok(xwrite(f, f->g1, 0, "p", ""));
	assert_ok(reqv(f, f->g1, XS_SET_PERMS, 0, 6, "p", "n1", "r2", "r3",
	               "r4", "r5"));
	assert_error(reqv(f, f->g1, XS_SET_PERMS, 0, 7, "p", "n1", "r2", "r3",
	                  "r4", "r5", "r6"), "ENOSPC");
}

static void test_quota_path_length_gives_einval(void **state)
{
	struct xs_quota q;
	struct fx *f;

	xs_quota_defaults(&q);
	q.path_len = 10; /* not counting "/local/domain/<id>/" */
	reset_with(state, &q);
	f = *state;
	assert_ok(xwrite(f, f->g1, 0, "0123456789", ""));
	assert_error(xwrite(f, f->g1, 0, "0123456789a", ""), "EINVAL");
	assert_ok(xwrite(f, f->dom0, 0, "/local/domain/1/0123456789a", ""));
}

static void test_path_longer_than_abs_max_gives_einval(void **state)
{
	struct fx *f = *state;
	static char p[XENSTORE_ABS_PATH_MAX + 2];

	memset(p, 'a', sizeof(p) - 1);
	p[0] = '/';
	assert_error(XREAD(f, f->dom0, 0, p), "EINVAL");
}

static void test_quota_transaction_nodes_gives_enospc(void **state)
{
	struct xs_quota q;
	struct fx *f;
	uint32_t tx;

	xs_quota_defaults(&q);
	q.transaction_nodes = 4;
	reset_with(state, &q);
	f = *state;
	tx = tx_start(f, f->g1);
	assert_ok(xwrite(f, f->g1, tx, "a", ""));
	assert_ok(xwrite(f, f->g1, tx, "b", ""));
	assert_ok(xwrite(f, f->g1, tx, "c", ""));
	assert_error(xwrite(f, f->g1, tx, "d", ""), "ENOSPC");
}

static void test_quota_outstanding_requests_stops_reading(void **state)
{
	struct fx *f = *state;

	for (int i = 0; i < 19; i++)
		XREAD(f, f->g1, 0, "x");
	assert_true(xs_conn_may_read(f->g1));
	XREAD(f, f->g1, 0, "x");
	assert_false(xs_conn_may_read(f->g1));
	xs_conn_sent(f->g1);
	assert_true(xs_conn_may_read(f->g1));
	for (int i = 0; i < 30; i++)
		XREAD(f, f->dom0, 0, "/x");
	assert_true(xs_conn_may_read(f->dom0));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_quota_defaults_are_xenstored_ones),
		T(test_quota_nodes_per_domain_gives_enospc),
		T(test_quota_watches_gives_e2big),
		T(test_quota_transactions_gives_enospc),
		T(test_quota_node_size_gives_enospc),
		T(test_quota_perms_per_node_gives_enospc),
		T(test_quota_path_length_gives_einval),
		T(test_path_longer_than_abs_max_gives_einval),
		T(test_quota_transaction_nodes_gives_enospc),
		T(test_quota_outstanding_requests_stops_reading),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
