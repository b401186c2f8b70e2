/*
 * xs_store_test: the xenstored core, driven as clients drive it, with real
 * wire messages through xs_conn_handle() and replies captured from the send
 * callback.  Each test is named for the behaviour it pins down.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim/xenstored/xs_store.h"

#define MAX_MSGS 512

struct msg {
	struct xsd_sockmsg hdr;
	char *payload; /* NUL added after hdr.len bytes */
};

struct rec {
	struct msg m[MAX_MSGS];
	size_t n;
};

struct fx {
	struct xs_store *s;
	struct xs_conn *dom0, *g1, *g2;
	struct rec r0, r1, r2;
	uint32_t next_req;
};

static void rec_clear(struct rec *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->m[i].payload);
	r->n = 0;
}

static void rec_send(struct xs_conn *c, const struct xsd_sockmsg *hdr,
                     const char *payload, void *arg)
{
	struct rec *r = arg;
	struct msg *m;

	assert_true(r->n < MAX_MSGS);
	m = &r->m[r->n++];
	m->hdr = *hdr;
	m->payload = malloc(hdr->len + 1);
	assert_non_null(m->payload);
	memcpy(m->payload, payload, hdr->len);
	m->payload[hdr->len] = '\0';
}

static struct rec *rec_of(struct fx *f, struct xs_conn *c)
{
	return c == f->dom0 ? &f->r0 : c == f->g1 ? &f->r1 : &f->r2;
}

/* Sends one request; returns its reply (the first non-event message). */
static const struct msg *req(struct fx *f, struct xs_conn *c, uint32_t type,
                             uint32_t tx, const char *payload, size_t len)
{
	struct rec *r = rec_of(f, c);
	struct xsd_sockmsg hdr = { type, ++f->next_req, tx, (uint32_t)len };

	rec_clear(r);
	xs_conn_handle(c, &hdr, payload);
	for (size_t i = 0; i < r->n; i++)
		if (r->m[i].hdr.type != XS_WATCH_EVENT) {
			assert_int_equal(r->m[i].hdr.req_id, hdr.req_id);
			assert_int_equal(r->m[i].hdr.tx_id, tx);
			return &r->m[i];
		}
	fail_msg("no reply to request type %u", type);
	return NULL;
}

/* A request whose payload is the given strings, each with its NUL. */
static const struct msg *reqv(struct fx *f, struct xs_conn *c, uint32_t type,
                              uint32_t tx, int nargs, ...)
{
	static char buf[XENSTORE_PAYLOAD_MAX];
	size_t len = 0;
	va_list ap;

	va_start(ap, nargs);
	for (int i = 0; i < nargs; i++) {
		const char *a = va_arg(ap, const char *);

		memcpy(buf + len, a, strlen(a) + 1);
		len += strlen(a) + 1;
	}
	va_end(ap);
	return req(f, c, type, tx, buf, len);
}

static const struct msg *xwrite(struct fx *f, struct xs_conn *c, uint32_t tx,
                                const char *path, const char *value)
{
	static char buf[XENSTORE_PAYLOAD_MAX];
	size_t pl = strlen(path) + 1, vl = strlen(value);

	memcpy(buf, path, pl);
	memcpy(buf + pl, value, vl);
	return req(f, c, XS_WRITE, tx, buf, pl + vl);
}

#define XREAD(f, c, tx, p) reqv(f, c, XS_READ, tx, 1, p)

static void assert_ok(const struct msg *m)
{
	if (m->hdr.type == XS_ERROR)
		fail_msg("unexpected error %s", m->payload);
	assert_string_equal(m->payload, "OK");
}

static void assert_error(const struct msg *m, const char *err)
{
	assert_int_equal(m->hdr.type, XS_ERROR);
	assert_int_equal(m->hdr.len, strlen(err) + 1);
	assert_string_equal(m->payload, err);
}

static void assert_value(const struct msg *m, const char *v)
{
	assert_int_equal(m->hdr.type, XS_READ);
	assert_int_equal(m->hdr.len, strlen(v));
	assert_memory_equal(m->payload, v, strlen(v));
}

/* How many events for (path, token) the client got since its last request. */
static int events(const struct rec *r, const char *path, const char *token)
{
	int n = 0;

	for (size_t i = 0; i < r->n; i++) {
		const struct msg *m = &r->m[i];

		if (m->hdr.type == XS_WATCH_EVENT &&
		    strcmp(m->payload, path) == 0 &&
		    strcmp(m->payload + strlen(path) + 1, token) == 0)
			n++;
	}
	return n;
}

static int all_events(const struct rec *r)
{
	int n = 0;

	for (size_t i = 0; i < r->n; i++)
		n += r->m[i].hdr.type == XS_WATCH_EVENT;
	return n;
}

static uint32_t tx_start(struct fx *f, struct xs_conn *c)
{
	const struct msg *m = req(f, c, XS_TRANSACTION_START, 0, "", 1);

	assert_int_equal(m->hdr.type, XS_TRANSACTION_START);
	return (uint32_t)strtoul(m->payload, NULL, 10);
}

static const struct msg *tx_end(struct fx *f, struct xs_conn *c, uint32_t tx,
                                const char *how)
{
	return reqv(f, c, XS_TRANSACTION_END, tx, 1, how);
}

/* The toolstack gives a guest its home directory, as libxl does. */
static void give_home(struct fx *f, domid_t domid)
{
	char path[32];
	struct xs_perm p = { domid, XS_STORE_PERM_NONE };

	snprintf(path, sizeof(path), "/local/domain/%u", (unsigned)domid);
	assert_int_equal(xs_domain_introduce(f->s, domid), 0);
	assert_int_equal(xs_store_mkdir(f->s, path), 0);
	assert_int_equal(xs_store_set_perms(f->s, path, &p, 1), 0);
}

static int setup_quota(void **state, const struct xs_quota *q)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(xs_store_create(&f->s, q), 0);
	give_home(f, 1);
	give_home(f, 2);
	f->dom0 = xs_conn_create(f->s, 0, rec_send, &f->r0);
	f->g1 = xs_conn_create(f->s, 1, rec_send, &f->r1);
	f->g2 = xs_conn_create(f->s, 2, rec_send, &f->r2);
	assert_non_null(f->g2);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_quota(state, NULL);
}

static int teardown(void **state)
{
	struct fx *f = *state;

	xs_store_destroy(f->s);
	rec_clear(&f->r0);
	rec_clear(&f->r1);
	rec_clear(&f->r2);
	free(f);
	return 0;
}

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

/* ---- malformed requests ---- */

static void test_payload_without_nul_gives_einval(void **state)
{
	struct fx *f = *state;

	assert_error(req(f, f->g1, XS_READ, 0, "abc", 3), "EINVAL");
	assert_error(req(f, f->g1, XS_READ, 0, "a\0b\0", 4), "EINVAL");
	assert_error(req(f, f->g1, XS_WRITE, 0, "abc", 3), "EINVAL");
	assert_error(req(f, f->g1, XS_MKDIR, 0, NULL, 0), "EINVAL");
	assert_error(req(f, f->g1, XS_WATCH, 0, "x\0t", 3), "EINVAL");
	assert_error(req(f, f->g1, XS_WATCH, 0, "x\0t\0u\0", 6), "EINVAL");
	assert_error(req(f, f->g1, XS_DIRECTORY_PART, 0, "x\0", 2), "EINVAL");
	assert_error(req(f, f->g1, XS_TRANSACTION_END, 0, "T", 1), "EINVAL");
	assert_error(req(f, f->dom0, XS_GET_DOMAIN_PATH, 0, "1x\0", 3),
	             "EINVAL");
}

static void test_bad_permission_strings_give_einval(void **state)
{
	struct fx *f = *state;

	assert_ok(xwrite(f, f->g1, 0, "p", ""));
	assert_error(reqv(f, f->g1, XS_SET_PERMS, 0, 1, "p"), "EINVAL");
	assert_error(reqv(f, f->g1, XS_SET_PERMS, 0, 2, "p", "q1"), "EINVAL");
	assert_error(reqv(f, f->g1, XS_SET_PERMS, 0, 2, "p", "r"), "EINVAL");
	assert_error(reqv(f, f->g1, XS_SET_PERMS, 0, 2, "p", "r1x"), "EINVAL");
	assert_error(reqv(f, f->g1, XS_SET_PERMS, 0, 2, "p", "r99999"),
	             "EINVAL");
	assert_error(req(f, f->g1, XS_SET_PERMS, 0, "p\0r1", 4), "EINVAL");
}

static void test_unknown_transaction_id_gives_enoent(void **state)
{
	struct fx *f = *state;

	assert_error(XREAD(f, f->g1, 999, "x"), "ENOENT");
	assert_error(xwrite(f, f->g1, 999, "x", "v"), "ENOENT");
	/* Transactions are per connection. */
	assert_error(XREAD(f, f->g2, tx_start(f, f->g1), "x"), "ENOENT");
}

static void test_unknown_type_gives_enosys(void **state)
{
	struct fx *f = *state;

	assert_error(req(f, f->g1, XS_TYPE_COUNT, 0, NULL, 0), "ENOSYS");
	assert_error(req(f, f->g1, XS_INVALID, 0, "x\0", 2), "ENOSYS");
	assert_error(req(f, f->g1, XS_WATCH_EVENT, 0, "x\0t\0", 4), "ENOSYS");
	assert_error(req(f, f->dom0, XS_ERROR, 0, NULL, 0), "ENOSYS");
}

static void test_toolstack_requests_from_guest_give_eacces(void **state)
{
	struct fx *f = *state;
	static const uint32_t types[] = { XS_INTRODUCE, XS_RELEASE,
	                                  XS_SET_TARGET, XS_RESUME, XS_CONTROL,
	                                  XS_IS_DOMAIN_INTRODUCED };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		assert_error(reqv(f, f->g1, types[i], 0, 3, "3", "0", "0"),
		             "EACCES");
}

static void test_fuzzed_requests_never_crash(void **state)
{
	struct fx *f = *state;
	static char buf[XENSTORE_PAYLOAD_MAX];
	static const char alphabet[] = "/a@\0Tr0w1-";
	unsigned seed = 12345;

	for (int i = 0; i < 20000; i++) {
		struct xs_conn *c = (i & 1) ? f->g1 : f->dom0;
		uint32_t type = (seed = seed * 1103515245 + 12345) % 28;
		size_t len = (seed >> 8) % 24;

		for (size_t j = 0; j < len; j++) {
			seed = seed * 1103515245 + 12345;
			buf[j] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		if (type == XS_RELEASE || type == XS_INTRODUCE)
			continue; /* would cut the fuzzing client off */
		req(f, c, type, (seed >> 20) % 3, buf, len);
	}
}

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
		T(test_watch_fires_on_registration),
		T(test_watch_fires_for_node_and_descendants),
		T(test_relative_watch_gets_relative_paths),
		T(test_duplicate_watch_gives_eexist),
		T(test_second_unwatch_gives_enoent),
		T(test_rm_of_subtree_fires_watches),
		T(test_watch_fires_only_for_clients_that_may_read),
		T(test_special_watches_fire_on_introduce_and_release),
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
		T(test_payload_without_nul_gives_einval),
		T(test_bad_permission_strings_give_einval),
		T(test_unknown_transaction_id_gives_enoent),
		T(test_unknown_type_gives_enosys),
		T(test_toolstack_requests_from_guest_give_eacces),
		T(test_fuzzed_requests_never_crash),
		T(test_domain_requests_from_dom0),
		T(test_set_target_lets_a_domain_act_for_another),
		T(test_released_domain_is_cut_off),
		T(test_direct_api_reads_and_writes_as_dom0),
		T(test_nothing_leaks_after_conns_are_destroyed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
