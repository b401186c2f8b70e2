/*
 * What the xs_store_<feature>_test.c files share: the xenstored core, driven
 * as clients drive it, with real wire messages through xs_conn_handle() and
 * replies captured from the send callback; dom0 and guests 1 and 2 connected.
 * Each test file includes this header once, hence the static inline helpers.
 */
#ifndef TESTS_UNIT_XS_STORE_FIXTURE_H
#define TESTS_UNIT_XS_STORE_FIXTURE_H

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

static inline void rec_clear(struct rec *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->m[i].payload);
	r->n = 0;
}

static inline void rec_send(struct xs_conn *c, const struct xsd_sockmsg *hdr,
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

static inline struct rec *rec_of(struct fx *f, struct xs_conn *c)
{
	return c == f->dom0 ? &f->r0 : c == f->g1 ? &f->r1 : &f->r2;
}

/* Sends one request; returns its reply (the first non-event message). */
static inline const struct msg *req(struct fx *f, struct xs_conn *c, uint32_t type,
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
static inline const struct msg *reqv(struct fx *f, struct xs_conn *c, uint32_t type,
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

static inline const struct msg *xwrite(struct fx *f, struct xs_conn *c, uint32_t tx,
                                const char *path, const char *value)
{
	static char buf[XENSTORE_PAYLOAD_MAX];
	size_t pl = strlen(path) + 1, vl = strlen(value);

	memcpy(buf, path, pl);
	memcpy(buf + pl, value, vl);
	return req(f, c, XS_WRITE, tx, buf, pl + vl);
}

#define XREAD(f, c, tx, p) reqv(f, c, XS_READ, tx, 1, p)

static inline void assert_ok(const struct msg *m)
{
	if (m->hdr.type == XS_ERROR)
		fail_msg("unexpected error %s", m->payload);
	assert_string_equal(m->payload, "OK");
}

static inline void assert_error(const struct msg *m, const char *err)
{
	assert_int_equal(m->hdr.type, XS_ERROR);
	assert_int_equal(m->hdr.len, strlen(err) + 1);
	assert_string_equal(m->payload, err);
}

static inline void assert_value(const struct msg *m, const char *v)
{
	assert_int_equal(m->hdr.type, XS_READ);
	assert_int_equal(m->hdr.len, strlen(v));
	assert_memory_equal(m->payload, v, strlen(v));
}

/* How many events for (path, token) the client got since its last request. */
static inline int events(const struct rec *r, const char *path, const char *token)
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

static inline int all_events(const struct rec *r)
{
	int n = 0;

	for (size_t i = 0; i < r->n; i++)
		n += r->m[i].hdr.type == XS_WATCH_EVENT;
	return n;
}

static inline uint32_t tx_start(struct fx *f, struct xs_conn *c)
{
	const struct msg *m = req(f, c, XS_TRANSACTION_START, 0, "", 1);

	assert_int_equal(m->hdr.type, XS_TRANSACTION_START);
	return (uint32_t)strtoul(m->payload, NULL, 10);
}

static inline const struct msg *tx_end(struct fx *f, struct xs_conn *c, uint32_t tx,
                                const char *how)
{
	return reqv(f, c, XS_TRANSACTION_END, tx, 1, how);
}

/* The toolstack gives a guest its home directory, as libxl does. */
static inline void give_home(struct fx *f, domid_t domid)
{
	char path[32];
	struct xs_perm p = { domid, XS_STORE_PERM_NONE };

	snprintf(path, sizeof(path), "/local/domain/%u", (unsigned)domid);
	assert_int_equal(xs_domain_introduce(f->s, domid), 0);
	assert_int_equal(xs_store_mkdir(f->s, path), 0);
	assert_int_equal(xs_store_set_perms(f->s, path, &p, 1), 0);
}

static inline int setup_quota(void **state, const struct xs_quota *q)
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

static inline int setup(void **state)
{
	return setup_quota(state, NULL);
}

static inline int teardown(void **state)
{
	struct fx *f = *state;

	xs_store_destroy(f->s);
	rec_clear(&f->r0);
	rec_clear(&f->r1);
	rec_clear(&f->r2);
	free(f);
	return 0;
}

#endif
