/*
 * xenstored's tree (sim/xenstored): reads, writes, paths, permissions.
 * (xs_store_fixture.h: the fixture.)
 */
#include "xs_store_fixture.h"

/* ---- the tree ---- */

static void test_store_starts_with_xenstored_layout(void **state)
{
	struct fx *f = *state;
	const struct msg *m = reqv(f, f->dom0, XS_DIRECTORY, 0, 1, "/");

	assert_int_equal(m->hdr.len, sizeof("local\0tool"));
	assert_memory_equal(m->payload, "local\0tool", sizeof("local\0tool"));
	assert_ok(reqv(f, f->dom0, XS_MKDIR, 0, 1, "/local/domain"));
}

static void test_read_of_missing_node_gives_enoent(void **state)
{
	struct fx *f = *state;

	assert_error(XREAD(f, f->g1, 0, "nothing"), "ENOENT");
	assert_error(XREAD(f, f->dom0, 0, "/no/such"), "ENOENT");
}

static void test_read_where_parents_unreadable_gives_eacces(void **state)
{
	struct fx *f = *state;

	/* Nothing about dom2's home may leak to dom1, not even ENOENT. */
	assert_error(XREAD(f, f->g1, 0, "/local/domain/2/x"), "EACCES");
	assert_error(XREAD(f, f->g1, 0, "/local/domain/2"), "EACCES");
}

static void test_write_creates_missing_parents(void **state)
{
	struct fx *f = *state;

	assert_ok(xwrite(f, f->g1, 0, "a/b/c", "v"));
	assert_value(XREAD(f, f->g1, 0, "a/b/c"), "v");
	assert_value(XREAD(f, f->g1, 0, "a/b"), "");
	assert_value(XREAD(f, f->g1, 0, "a"), "");
}

static void test_values_are_binary_safe(void **state)
{
	struct fx *f = *state;
	const char payload[] = "/v\0a\0b\xff";
	const struct msg *m;

	assert_ok(req(f, f->dom0, XS_WRITE, 0, payload, sizeof(payload) - 1));
	m = XREAD(f, f->dom0, 0, "/v");
	assert_int_equal(m->hdr.len, 4);
	assert_memory_equal(m->payload, "a\0b\xff", 4);
}

static void test_relative_and_absolute_paths_are_the_same_node(void **state)
{
	struct fx *f = *state;

	assert_ok(xwrite(f, f->g1, 0, "name", "rel"));
	assert_value(XREAD(f, f->g1, 0, "/local/domain/1/name"), "rel");
	assert_ok(xwrite(f, f->g1, 0, "/local/domain/1/name", "abs"));
	assert_value(XREAD(f, f->g1, 0, "name"), "abs");
}

static void test_new_node_is_owned_by_creator_and_inherits_acl(void **state)
{
	struct fx *f = *state;
	struct xs_perm p[2] = { { 0, XS_STORE_PERM_READ },
	                        { 1, XS_STORE_PERM_WRITE } };
	const struct msg *m;

	assert_int_equal(xs_store_mkdir(f->s, "/shared"), 0);
	assert_int_equal(xs_store_set_perms(f->s, "/shared", p, 2), 0);
	assert_ok(xwrite(f, f->g1, 0, "/shared/mine", "x"));
	m = reqv(f, f->g1, XS_GET_PERMS, 0, 1, "/shared/mine");
	assert_int_equal(m->hdr.type, XS_GET_PERMS);
	assert_int_equal(m->hdr.len, sizeof("r1\0w1"));
	assert_memory_equal(m->payload, "r1\0w1", sizeof("r1\0w1"));
	/* dom2 may read (default r), not write. */
	assert_value(XREAD(f, f->g2, 0, "/shared/mine"), "x");
	assert_error(xwrite(f, f->g2, 0, "/shared/mine", "y"), "EACCES");
}

static void test_forbidden_write_gives_eacces(void **state)
{
	struct fx *f = *state;
	uint32_t tx;

	assert_error(xwrite(f, f->g1, 0, "/local/domain/2/x", "v"), "EACCES");
	assert_error(xwrite(f, f->g1, 0, "/tool/x", "v"), "EACCES");
	assert_error(reqv(f, f->g1, XS_RM, 0, 1, "/local/domain/2"), "EACCES");
	tx = tx_start(f, f->g1);
	assert_error(xwrite(f, f->g1, tx, "/local/domain/2/x", "v"), "EACCES");
	assert_error(reqv(f, f->g1, XS_MKDIR, tx, 1, "/tool/y"), "EACCES");
	assert_ok(tx_end(f, f->g1, tx, "T"));
	assert_error(XREAD(f, f->dom0, 0, "/local/domain/2/x"), "ENOENT");
}

static void test_guest_may_not_give_a_node_away(void **state)
{
	struct fx *f = *state;

	assert_ok(xwrite(f, f->g1, 0, "x", ""));
	assert_error(reqv(f, f->g1, XS_SET_PERMS, 0, 3, "x", "n2", "r1"),
	             "EPERM");
	assert_ok(reqv(f, f->g1, XS_SET_PERMS, 0, 3, "x", "n1", "r2"));
	assert_value(XREAD(f, f->g2, 0, "/local/domain/1/x"), "");
}

static void test_invalid_paths_give_einval(void **state)
{
	struct fx *f = *state;

	assert_error(XREAD(f, f->dom0, 0, "/a//b"), "EINVAL");
	assert_error(XREAD(f, f->dom0, 0, "/a/"), "EINVAL");
	assert_error(XREAD(f, f->dom0, 0, "/a b"), "EINVAL");
	assert_error(XREAD(f, f->dom0, 0, "@releaseDomain"), "EINVAL");
	assert_error(XREAD(f, f->g1, 0, ""), "EINVAL");
	assert_error(xwrite(f, f->dom0, 0, "/a/b.c", "v"), "EINVAL");
}

static void test_directory_is_sorted(void **state)
{
	struct fx *f = *state;
	const struct msg *m;
	const char want[] = "alpha\0mid\0zeta";

	assert_ok(xwrite(f, f->g1, 0, "d/zeta", ""));
	assert_ok(xwrite(f, f->g1, 0, "d/alpha", ""));
	assert_ok(xwrite(f, f->g1, 0, "d/mid", ""));
	m = reqv(f, f->g1, XS_DIRECTORY, 0, 1, "d");
	assert_int_equal(m->hdr.type, XS_DIRECTORY);
	assert_int_equal(m->hdr.len, sizeof(want));
	assert_memory_equal(m->payload, want, sizeof(want));
	m = reqv(f, f->g1, XS_DIRECTORY, 0, 1, "d/mid");
	assert_int_equal(m->hdr.len, 0);
}

static void test_directory_part_pages_with_generation(void **state)
{
	struct fx *f = *state;
	const struct msg *m;
	char name[80], gen[32];
	size_t got = 0, off = 0;
	int rounds = 0;

	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "/big/%060d", i);
		assert_int_equal(xs_store_write(f->s, name, "", 0), 0);
	}
	for (;;) {
		char offs[16];

		snprintf(offs, sizeof(offs), "%zu", off);
		m = reqv(f, f->dom0, XS_DIRECTORY_PART, 0, 2, "/big", offs);
		assert_int_equal(m->hdr.type, XS_DIRECTORY_PART);
		assert_true(m->hdr.len <= XENSTORE_PAYLOAD_MAX);
		if (rounds++ == 0)
			strcpy(gen, m->payload);
		assert_string_equal(m->payload, gen);
		size_t gl = strlen(gen) + 1;
		const char *p = m->payload + gl, *end = m->payload + m->hdr.len;
		while (p < end && *p) {
			got++;
			off += strlen(p) + 1;
			p += strlen(p) + 1;
		}
		if (p < end && !*p && p + 1 == end)
			break; /* the empty string: end of the list */
	}
	assert_int_equal(got, 100);
	assert_true(rounds > 1);
	/* A change of the children changes the generation. */
	assert_int_equal(xs_store_write(f->s, "/big/new", "", 0), 0);
	m = reqv(f, f->dom0, XS_DIRECTORY_PART, 0, 2, "/big", "0");
	assert_string_not_equal(m->payload, gen);
}

static void test_directory_longer_than_the_payload_max_gives_e2big(void **state)
{
	struct fx *f = *state;
	char path[64];
	size_t total = 0;
	const struct msg *m;

	/* 300 children of 19 bytes each with their NUL: 5700 bytes of listing. */
	for (int i = 0; i < 300; i++) {
		snprintf(path, sizeof(path), "/local/domain/1/d/child-number-%05d", i);
		assert_int_equal(xs_store_write(f->s, path, "", 0), 0);
		total += strlen(strrchr(path, '/') + 1) + 1;
	}
	assert_true(total > XENSTORE_PAYLOAD_MAX);
	m = reqv(f, f->g1, XS_DIRECTORY, 0, 1, "d");
	assert_error(m, "E2BIG");
	m = reqv(f, f->dom0, XS_DIRECTORY, 0, 1, "/local/domain/1/d");
	assert_error(m, "E2BIG");
	/* The paged form still lists it. */
	m = reqv(f, f->g1, XS_DIRECTORY_PART, 0, 2, "d", "0");
	assert_int_equal(m->hdr.type, XS_DIRECTORY_PART);
	assert_true(m->hdr.len <= XENSTORE_PAYLOAD_MAX);
}

static void test_rm_of_missing_node_with_parent_succeeds(void **state)
{
	struct fx *f = *state;

	assert_ok(reqv(f, f->g1, XS_RM, 0, 1, "nothing"));
	assert_error(reqv(f, f->g1, XS_RM, 0, 1, "no/thing"), "ENOENT");
	assert_error(reqv(f, f->dom0, XS_RM, 0, 1, "/"), "EINVAL");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_store_starts_with_xenstored_layout),
		T(test_read_of_missing_node_gives_enoent),
		T(test_read_where_parents_unreadable_gives_eacces),
		T(test_write_creates_missing_parents),
		T(test_values_are_binary_safe),
		T(test_relative_and_absolute_paths_are_the_same_node),
		T(test_new_node_is_owned_by_creator_and_inherits_acl),
		T(test_forbidden_write_gives_eacces),
		T(test_guest_may_not_give_a_node_away),
		T(test_invalid_paths_give_einval),
		T(test_directory_is_sorted),
		T(test_directory_part_pages_with_generation),
		T(test_directory_longer_than_the_payload_max_gives_e2big),
		T(test_rm_of_missing_node_with_parent_succeeds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
