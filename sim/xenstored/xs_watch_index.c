/*
 * xs_watch_index.c: a connection's watches by (path, token), so that adding
 * or removing one of 50,000 watches costs a hash lookup, not a walk of the
 * list (xenstored keeps a list and walks it; with its 128-watch quota that
 * is cheap, but dom0 clients have no quota). The list stays, in the order
 * watches were added, for firing events.
 */
#include <stdlib.h>
#include <string.h>

#include "sim/xenstored/xs_internal.h"

#define XS_WATCH_INDEX_MIN 16

/* FNV-1a over path, its NUL and token. */
static size_t hash_watch(const char *path, const char *token)
{
	size_t h = 2166136261u;

	for (const char *p = path;; p++) {
		h = (h ^ (unsigned char)*p) * 16777619u;
		if (!*p)
			break;
	}
	for (const char *p = token; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h;
}

static struct xs_watch **bucket(const struct xs_conn *conn, const char *path, const char *token)
{
	return &conn->whash[hash_watch(path, token) & (conn->whash_size - 1)];
}

struct xs_watch **xs_watch_index_find(struct xs_conn *conn, const char *path, const char *token)
{
	struct xs_watch **pp;

	if (!conn->whash)
		return NULL;
	for (pp = bucket(conn, path, token); *pp; pp = &(*pp)->hnext)
		if (!strcmp((*pp)->path, path) && !strcmp((*pp)->token, token))
			return pp;
	return NULL;
}

/* Doubles the table once it holds as many watches as buckets. */
static int grow(struct xs_conn *conn)
{
	size_t size = conn->whash_size ? conn->whash_size * 2 : XS_WATCH_INDEX_MIN;
	struct xs_watch **old = conn->whash;
	size_t old_size = conn->whash_size;

	if (!(conn->whash = calloc(size, sizeof(*conn->whash)))) {
		conn->whash = old;
		return -ENOMEM;
	}
	conn->whash_size = size;
	for (size_t i = 0; i < old_size; i++) {
		while (old[i]) {
			struct xs_watch *w = old[i], **b;

			old[i] = w->hnext;
			b = bucket(conn, w->path, w->token);
			w->hnext = *b;
			*b = w;
		}
	}
	free(old);
	return 0;
}

int xs_watch_index_insert(struct xs_conn *conn, struct xs_watch *w)
{
	struct xs_watch **b;

	if (conn->nwatches >= conn->whash_size && grow(conn) < 0)
		return -ENOMEM;
	b = bucket(conn, w->path, w->token);
	w->hnext = *b;
	*b = w;
	conn->nwatches++;
	return 0;
}

void xs_watch_index_remove(struct xs_conn *conn, struct xs_watch *w)
{
	struct xs_watch **pp = xs_watch_index_find(conn, w->path, w->token);

	if (pp) {
		*pp = w->hnext;
		conn->nwatches--;
	}
}

void xs_watch_index_free(struct xs_conn *conn)
{
	free(conn->whash);
	conn->whash = NULL;
	conn->whash_size = 0;
	conn->nwatches = 0;
}
