/*
 * xs_tx_events.c: the watch events a transaction keeps until commit, one per
 * (path, exact), in the order first recorded, and indexed so that an rm of
 * a subtree of n nodes inside a transaction costs n lookups, not n^2/2
 * string compares (xenstored keeps one entry per changed node as well).
 */
#include <stdlib.h>
#include <string.h>

#include "sim/xenstored/xs_internal.h"

#define XS_TX_EVENTS_MIN 16

/* FNV-1a over the path and the exact flag. */
static size_t hash_event(const char *path, bool exact)
{
	size_t h = 2166136261u;

	for (const char *p = path; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return (h ^ (exact ? 1u : 2u)) * 16777619u;
}

static struct xs_event **bucket(const struct xs_tx *tx, const char *path, bool exact)
{
	return &tx->ehash[hash_event(path, exact) & (tx->ehash_size - 1)];
}

struct xs_event *xs_tx_event_find(const struct xs_tx *tx, const char *path, bool exact)
{
	if (!tx->ehash)
		return NULL;
	for (struct xs_event *e = *bucket(tx, path, exact); e; e = e->hnext)
		if (e->exact == exact && !strcmp(e->path, path))
			return e;
	return NULL;
}

/* Rebuilds the index twice as large, from the list. */
static int grow(struct xs_tx *tx)
{
	size_t size = tx->ehash_size ? tx->ehash_size * 2 : XS_TX_EVENTS_MIN;
	struct xs_event **table = calloc(size, sizeof(*table));

	if (!table)
		return -ENOMEM;
	free(tx->ehash);
	tx->ehash = table;
	tx->ehash_size = size;
	for (struct xs_event *e = tx->events; e; e = e->next) {
		struct xs_event **b = bucket(tx, e->path, e->exact);

		e->hnext = *b;
		*b = e;
	}
	return 0;
}

int xs_tx_event_add(struct xs_tx *tx, struct xs_event *e)
{
	struct xs_event **b;

	if (tx->nevents >= tx->ehash_size && grow(tx) < 0)
		return -ENOMEM;
	b = bucket(tx, e->path, e->exact);
	e->hnext = *b;
	*b = e;
	e->next = NULL;
	*tx->events_tail = e;
	tx->events_tail = &e->next;
	tx->nevents++;
	return 0;
}

void xs_tx_events_free(struct xs_tx *tx)
{
	while (tx->events) {
		struct xs_event *e = tx->events;

		tx->events = e->next;
		xs_event_free(e);
	}
	tx->events_tail = &tx->events;
	free(tx->ehash);
	tx->ehash = NULL;
	tx->ehash_size = tx->nevents = 0;
}
