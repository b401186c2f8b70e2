/*
 * xenstored's domains, control messages and direct API.
 * (xs_store_fixture.h: the fixture.)
 */
#include "xs_store_fixture.h"

/* ---- domains, control, direct API ---- */

static void test_domain_requests_from_dom0(void **state)
{
	struct fx *f = *state;
	const struct msg *m;

	m = reqv(f, f->g1, XS_GET_DOMAIN_PATH, 0, 1, "5");
	assert_string_equal(m->payload, "/local/domain/5");
	assert_string_equal(
	        reqv(f, f->dom0, XS_IS_DOMAIN_INTRODUCED, 0, 1, "5")->payload,
	        "F");
	reqv(f, f->dom0, XS_WATCH, 0, 2, "@introduceDomain", "i");
	assert_ok(reqv(f, f->dom0, XS_INTRODUCE, 0, 3, "5", "1234", "7"));
	assert_int_equal(events(&f->r0, "@introduceDomain", "i"), 1);
	assert_string_equal(
	        reqv(f, f->dom0, XS_IS_DOMAIN_INTRODUCED, 0, 1, "5")->payload,
	        "T");
	assert_ok(reqv(f, f->dom0, XS_RESUME, 0, 1, "5"));
	assert_ok(reqv(f, f->dom0, XS_SET_TARGET, 0, 2, "5", "1"));
	assert_ok(reqv(f, f->dom0, XS_RELEASE, 0, 1, "5"));
	assert_error(reqv(f, f->dom0, XS_RELEASE, 0, 1, "5"), "ENOENT");
	assert_error(reqv(f, f->dom0, XS_CONTROL, 0, 1, "live-update"),
	             "EINVAL");
	assert_ok(reqv(f, f->dom0, XS_CONTROL, 0, 2, "print", "hello"));
}

static void test_set_target_lets_a_domain_act_for_another(void **state)
{
	struct fx *f = *state;

	assert_error(xwrite(f, f->g2, 0, "/local/domain/1/dm", "x"), "EACCES");
	assert_ok(reqv(f, f->dom0, XS_SET_TARGET, 0, 2, "2", "1"));
	assert_ok(xwrite(f, f->g2, 0, "/local/domain/1/dm", "x"));
}

static void test_released_domain_is_cut_off(void **state)
{
	struct fx *f = *state;
	struct xsd_sockmsg hdr = { XS_READ, 1, 0, 2 };
	struct xs_counts c;

	reqv(f, f->g1, XS_WATCH, 0, 2, "x", "t");
	tx_start(f, f->g1);
	assert_int_equal(xs_domain_release(f->s, 1), 0);
	xs_store_counts(f->s, &c);
	assert_int_equal(c.watches, 0);
	assert_int_equal(c.transactions, 0);
	rec_clear(&f->r1);
	xs_conn_handle(f->g1, &hdr, "x");
	assert_int_equal(f->r1.n, 0);
}

static void test_direct_api_reads_and_writes_as_dom0(void **state)
{
	struct fx *f = *state;
	char *v;
	size_t len;
	struct xs_perm bad = { 0, 8 };

	reqv(f, f->g1, XS_WATCH, 0, 2, "control", "c");
	rec_clear(&f->r1);
	assert_int_equal(xs_store_write(f->s, "/local/domain/1/control/shutdown",
	                                "poweroff", 8), 0);
	assert_int_equal(events(&f->r1, "control/shutdown", "c"), 1);
	assert_int_equal(xs_store_read(f->s, "/local/domain/1/control/shutdown",
	                               &v, &len), 0);
	assert_int_equal(len, 8);
	assert_string_equal(v, "poweroff");
	free(v);
	assert_int_equal(xs_store_read(f->s, "rel", &v, &len), -EINVAL);
	assert_int_equal(xs_store_rm(f->s, "/local/domain/1/control"), 0);
	assert_int_equal(xs_store_read(f->s, "/local/domain/1/control", &v,
	                               &len), -ENOENT);
	assert_int_equal(xs_store_set_perms(f->s, "/tool", &bad, 1), -EINVAL);
}

static void test_nothing_leaks_after_conns_are_destroyed(void **state)
{
	struct fx *f = *state;
	struct xs_counts before, after;

	xs_store_counts(f->s, &before);
	assert_int_equal(before.conns, 3);
	reqv(f, f->g1, XS_WATCH, 0, 2, "x", "t");
	reqv(f, f->g2, XS_WATCH, 0, 2, "@releaseDomain", "t");
	uint32_t tx = tx_start(f, f->g1);
	xwrite(f, f->g1, tx, "in/tx", "v");
	tx_start(f, f->g2);
	xwrite(f, f->g1, 0, "tmp/a/b", "v");
	xs_store_counts(f->s, &after);
	assert_int_equal(after.watches, 2);
	assert_int_equal(after.transactions, 2);
	assert_int_equal(after.nodes, before.nodes + 3);
	assert_ok(reqv(f, f->g1, XS_RM, 0, 1, "tmp"));
	xs_conn_destroy(f->g1);
	xs_conn_destroy(f->g2);
	f->g1 = f->g2 = NULL;
	xs_store_counts(f->s, &after);
	assert_int_equal(after.watches, 0);
	assert_int_equal(after.transactions, 0);
	assert_int_equal(after.conns, 1);
	assert_int_equal(after.nodes, before.nodes);
	assert_int_equal(xs_store_read(f->s, "/local/domain/1/in", &(char *){0},
	                               &(size_t){0}), -ENOENT);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_domain_requests_from_dom0),
		T(test_set_target_lets_a_domain_act_for_another),
		T(test_released_domain_is_cut_off),
		T(test_direct_api_reads_and_writes_as_dom0),
		T(test_nothing_leaks_after_conns_are_destroyed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
