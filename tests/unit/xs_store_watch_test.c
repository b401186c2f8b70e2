/*
 * xenstored's watches: what fires, for whom, with which token.
 * (xs_store_fixture.h: the fixture.)
 */
#include "xs_store_fixture.h"

/* ---- watches ---- */

static void test_watch_fires_on_registration(void **state)
{
	struct fx *f = *state;
	const struct msg *m = reqv(f, f->g1, XS_WATCH, 0, 2, "/local/domain/1/x",
	                           "tok");

	assert_ok(m);
	/* The reply first, then the event. */
	assert_int_equal(f->r1.m[0].hdr.type, XS_WATCH);
	assert_int_equal(events(&f->r1, "/local/domain/1/x", "tok"), 1);
	assert_int_equal(f->r1.m[1].hdr.type, XS_WATCH_EVENT);
}

static void test_watch_fires_for_node_and_descendants(void **state)
{
	struct fx *f = *state;

	assert_ok(reqv(f, f->g1, XS_WATCH, 0, 2, "/local/domain/1/a", "t"));
	xwrite(f, f->g1, 0, "a/b/c", "v");
	assert_int_equal(events(&f->r1, "/local/domain/1/a/b/c", "t"), 1);
	xwrite(f, f->g1, 0, "other", "v");
	assert_int_equal(all_events(&f->r1), 0);
	reqv(f, f->g1, XS_MKDIR, 0, 1, "a/d");
	assert_int_equal(events(&f->r1, "/local/domain/1/a/d", "t"), 1);
}

static void test_relative_watch_gets_relative_paths(void **state)
{
	struct fx *f = *state;

	assert_ok(reqv(f, f->g1, XS_WATCH, 0, 2, "dev", "rel"));
	assert_int_equal(events(&f->r1, "dev", "rel"), 1);
	xwrite(f, f->g1, 0, "dev/x", "1");
	assert_int_equal(events(&f->r1, "dev/x", "rel"), 1);
}

static void test_duplicate_watch_gives_eexist(void **state)
{
	struct fx *f = *state;

	assert_ok(reqv(f, f->g1, XS_WATCH, 0, 2, "x", "t"));
	assert_error(reqv(f, f->g1, XS_WATCH, 0, 2, "x", "t"), "EEXIST");
	assert_error(reqv(f, f->g1, XS_WATCH, 0, 2, "/local/domain/1/x", "t"),
	             "EEXIST");
	assert_ok(reqv(f, f->g1, XS_WATCH, 0, 2, "x", "t2"));
}

static void test_second_unwatch_gives_enoent(void **state)
{
	struct fx *f = *state;

	assert_ok(reqv(f, f->g1, XS_WATCH, 0, 2, "x", "t"));
	assert_ok(reqv(f, f->g1, XS_UNWATCH, 0, 2, "x", "t"));
	assert_error(reqv(f, f->g1, XS_UNWATCH, 0, 2, "x", "t"), "ENOENT");
	xwrite(f, f->g1, 0, "x", "v");
	assert_int_equal(all_events(&f->r1), 0);
}

static void test_rm_of_subtree_fires_watches(void **state)
{
	struct fx *f = *state;

	assert_ok(xwrite(f, f->g1, 0, "t/a/b", "v"));
	reqv(f, f->g1, XS_WATCH, 0, 2, "/local/domain/1", "up");
	reqv(f, f->g1, XS_WATCH, 0, 2, "/local/domain/1/t", "on");
	reqv(f, f->g1, XS_WATCH, 0, 2, "/local/domain/1/t/a/b", "in");
	reqv(f, f->g1, XS_WATCH, 0, 2, "/local/domain/1/t/zz", "missing");
	assert_ok(reqv(f, f->g1, XS_RM, 0, 1, "t"));
	assert_int_equal(events(&f->r1, "/local/domain/1/t", "up"), 1);
	assert_int_equal(events(&f->r1, "/local/domain/1/t", "on"), 1);
	assert_int_equal(events(&f->r1, "/local/domain/1/t/a/b", "in"), 1);
	assert_int_equal(all_events(&f->r1), 3);
	assert_error(XREAD(f, f->g1, 0, "t/a"), "ENOENT");
}

static void test_watch_fires_only_for_clients_that_may_read(void **state)
{
	struct fx *f = *state;

	/* dom2 watches dom1's home; it may not read there. */
	reqv(f, f->g2, XS_WATCH, 0, 2, "/local/domain/1", "spy");
	reqv(f, f->dom0, XS_WATCH, 0, 2, "/local/domain/1", "tools");
	xwrite(f, f->g1, 0, "secret", "v");
	assert_int_equal(events(&f->r0, "/local/domain/1/secret", "tools"), 1);
	rec_clear(&f->r2);
	xwrite(f, f->g1, 0, "secret", "w");
	assert_int_equal(all_events(&f->r2), 0);
	/* Once dom1 lets dom2 read, dom2 sees changes. */
	reqv(f, f->g1, XS_SET_PERMS, 0, 3, "secret", "n1", "r2");
	assert_int_equal(events(&f->r2, "/local/domain/1/secret", "spy"), 1);
}

static void test_special_watches_fire_on_introduce_and_release(void **state)
{
	struct fx *f = *state;

	assert_ok(reqv(f, f->dom0, XS_WATCH, 0, 2, "@introduceDomain", "in"));
	assert_ok(reqv(f, f->dom0, XS_WATCH, 0, 2, "@releaseDomain", "out"));
	assert_ok(reqv(f, f->g1, XS_WATCH, 0, 2, "@releaseDomain", "g"));
	rec_clear(&f->r0);
	rec_clear(&f->r1);
	assert_int_equal(xs_domain_introduce(f->s, 7), 0);
	assert_int_equal(events(&f->r0, "@introduceDomain", "in"), 1);
	assert_int_equal(xs_domain_introduce(f->s, 7), -EEXIST);
	assert_int_equal(xs_domain_release(f->s, 7), 0);
	assert_int_equal(events(&f->r0, "@releaseDomain", "out"), 1);
	/* The special nodes belong to dom0 with no access for others. */
	assert_int_equal(events(&f->r1, "@releaseDomain", "g"), 0);
	assert_int_equal(xs_domain_release(f->s, 7), -ENOENT);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_watch_fires_on_registration),
		T(test_watch_fires_for_node_and_descendants),
		T(test_relative_watch_gets_relative_paths),
		T(test_duplicate_watch_gives_eexist),
		T(test_second_unwatch_gives_enoent),
		T(test_rm_of_subtree_fires_watches),
		T(test_watch_fires_only_for_clients_that_may_read),
		T(test_special_watches_fire_on_introduce_and_release),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
