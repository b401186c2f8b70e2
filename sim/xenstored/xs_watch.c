/*
 * xs_watch.c: watches and their events, as xenstored sends them.  A change
 * of a node reaches every watch on that node or an ancestor (or, for nodes
 * removed below an rm'd one, only watches on exactly that node), of every
 * client that may read the node or its parent (or, for XS_SET_PERMS, could
 * read it under the old permissions).  @introduceDomain and @releaseDomain
 * reach dom0 clients and those the special node's permissions let read.
 */
#include <stdlib.h>
#include <string.h>

#include "sim/xenstored/xs_internal.h"

static void notify(struct xs_conn *conn, const struct xs_watch *w,
                   const char *path)
{
	size_t pl, tl;
	char *buf;

	if (w->rel_prefix && strlen(path) > w->rel_prefix)
		path += w->rel_prefix;
	pl = strlen(path) + 1;
	tl = strlen(w->token) + 1;
	if (pl + tl > XENSTORE_PAYLOAD_MAX)
		return; /* xenstored drops over-long events too */
	buf = malloc(pl + tl);
	if (!buf)
		return;
	memcpy(buf, path, pl);
	memcpy(buf + pl, w->token, tl);
	xs_conn_send(conn, XS_WATCH_EVENT, 0, 0, buf, pl + tl);
	free(buf);
}

static size_t domain_watches(const struct xs_store *s, domid_t domid)
{
	size_t n = 0;

	for (const struct xs_conn *c = s->conns; c; c = c->next)
		if (c->domid == domid)
			n += c->nwatches;
	return n;
}

/* Canonical form of a watch path from the wire, or NULL (errno in *err). */
static char *watch_path(struct xs_conn *conn, const char *path, int *err)
{
	struct xs_ctx c = { conn->s, conn, conn->domid, NULL };
	char *canon;

	*err = -EINVAL;
	if (path[0] == '@')
		return strlen(path) > XENSTORE_REL_PATH_MAX ? NULL
		                                             : strdup(path);
	canon = xs_path_canonical(conn->domid, path);
	if (canon && xs_path_check(&c, canon)) {
		free(canon);
		return NULL;
	}
	if (!canon)
		*err = -ENOMEM;
	return canon;
}

static void watch_free(struct xs_watch *w)
{
	free(w->path);
	free(w->token);
	free(w);
}

/* Registers a watch.  The caller replies, then fires it once with
 * xs_watch_fire_new(), as xenstored does. */
int xs_watch_add(struct xs_conn *conn, const char *path, const char *token)
{
	struct xs_watch *w;
	int err;
	char *canon = watch_path(conn, path, &err);

	if (!canon)
		return err;
	if (xs_watch_index_find(conn, canon, token)) {
		free(canon);
		return -EEXIST;
	}
	/* xenstored tests "count > quota": quota + 1 watches fit. */
	if (conn->domid != 0 &&
	    domain_watches(conn->s, conn->domid) >
	            conn->s->q.watches_per_domain) {
		free(canon);
		return -E2BIG;
	}
	w = calloc(1, sizeof(*w));
	if (!w || !(w->token = strdup(token))) {
		free(w);
		free(canon);
		return -ENOMEM;
	}
	w->path = canon;
	if (path[0] != '/' && path[0] != '@')
		w->rel_prefix = xs_path_domain_prefix(conn->domid) + 1;
	if (xs_watch_index_insert(conn, w) < 0) {
		watch_free(w);
		return -ENOMEM;
	}
	w->next = conn->watches;
	if (w->next)
		w->next->pprev = &w->next;
	w->pprev = &conn->watches;
	conn->watches = w;
	conn->s->nwatches++;
	return 0;
}

static void watch_unlink(struct xs_conn *conn, struct xs_watch *w)
{
	*w->pprev = w->next;
	if (w->next)
		w->next->pprev = w->pprev;
	conn->s->nwatches--;
	watch_free(w);
}

/* The first event of the watch just added (it is at the list head). */
void xs_watch_fire_new(struct xs_conn *conn)
{
	notify(conn, conn->watches, conn->watches->path);
}

int xs_watch_remove(struct xs_conn *conn, const char *path, const char *token)
{
	struct xs_watch **pp, *w;
	char *canon = path[0] == '@' ? strdup(path)
	                             : xs_path_canonical(conn->domid, path);

	if (!canon)
		return -ENOMEM;
	pp = xs_watch_index_find(conn, canon, token);
	free(canon);
	if (!pp)
		return -ENOENT;
	w = *pp;
	xs_watch_index_remove(conn, w);
	watch_unlink(conn, w);
	return 0;
}

void xs_watch_remove_all(struct xs_conn *conn)
{
	while (conn->watches)
		watch_unlink(conn, conn->watches);
	xs_watch_index_free(conn);
}

static bool may_read(const struct xs_ctx *c, const struct xs_perms *p)
{
	return p->p && (xs_perms_for(c, p) & XS_STORE_PERM_READ);
}

static bool permitted(struct xs_conn *conn, const struct xs_event *e)
{
	struct xs_ctx c = { conn->s, conn, conn->domid, NULL };

	return may_read(&c, &e->old) || may_read(&c, &e->node) ||
	       may_read(&c, &e->parent);
}

void xs_event_fire(struct xs_store *s, const struct xs_event *e)
{
	for (struct xs_conn *conn = s->conns; conn; conn = conn->next) {
		if (conn->released || !permitted(conn, e))
			continue;
		for (struct xs_watch *w = conn->watches; w; w = w->next) {
			bool hit = e->exact ? strcmp(e->path, w->path) == 0
			                    : xs_path_is_child(e->path, w->path);
			if (hit)
				notify(conn, w, e->path);
		}
	}
}

void xs_event_free(struct xs_event *e)
{
	free(e->path);
	xs_perms_free(&e->node);
	xs_perms_free(&e->parent);
	xs_perms_free(&e->old);
	free(e);
}

/*
 * A transaction that changes a node again keeps one event for it, as
 * xenstored keeps one entry per node: rewriting a node 10^5 times must not
 * queue 10^5 events. The newest permissions decide who sees it.
 */
static int tx_event_update(struct xs_event *e, const struct xs_perms *node,
			   const struct xs_perms *parent)
{
	struct xs_perms n, p;

	if (xs_perms_dup(&n, node))
		return -ENOMEM;
	if (xs_perms_dup(&p, parent)) {
		xs_perms_free(&n);
		return -ENOMEM;
	}
	xs_perms_free(&e->node);
	xs_perms_free(&e->parent);
	e->node = n;
	e->parent = p;
	return 0;
}

int xs_event_record(struct xs_ctx *c, const char *path, bool exact,
                    const struct xs_perms *node, const struct xs_perms *parent,
                    const struct xs_perms *old)
{
	struct xs_event *e;

	if (c->tx && (e = xs_tx_event_find(c->tx, path, exact)))
		return tx_event_update(e, node, parent);
	if (!(e = calloc(1, sizeof(*e))))
		return -ENOMEM;

	if (!e)
		return -ENOMEM;
	e->exact = exact;
	e->path = strdup(path);
	if (!e->path || xs_perms_dup(&e->node, node) ||
	    xs_perms_dup(&e->parent, parent) || xs_perms_dup(&e->old, old)) {
		xs_event_free(e);
		return -ENOMEM;
	}
	if (c->tx) {
		if (xs_tx_event_add(c->tx, e) < 0) {
			xs_event_free(e);
			return -ENOMEM;
		}
		return 0;
	}
	xs_event_fire(c->s, e);
	xs_event_free(e);
	return 0;
}

void xs_watch_fire_special(struct xs_store *s, const char *name)
{
	const struct xs_perms *perms = xs_special_perms(s, name);

	for (struct xs_conn *conn = s->conns; conn; conn = conn->next) {
		struct xs_ctx c = { s, conn, conn->domid, NULL };

		if (conn->released || !may_read(&c, perms))
			continue;
		for (struct xs_watch *w = conn->watches; w; w = w->next)
			if (strcmp(w->path, name) == 0)
				notify(conn, w, name);
	}
}
