/*
 * xs_transaction.c: transactions as C xenstored runs them.  A transaction
 * sees the committed tree plus its own changes.  Every node it touches
 * (read, listed, written, created, deleted; a parent whose child list it
 * changes) is copied into its overlay with the generation the committed
 * node had then.  The commit succeeds only if none of those generations
 * moved meanwhile; otherwise it fails with EAGAIN and changes nothing.
 * Watch events of the transaction's changes are fired on commit only.
 */
#include <stdlib.h>
#include <string.h>

#include "sim/xenstored/xs_internal.h"

int xs_tx_start(struct xs_conn *conn, uint32_t *id)
{
	struct xs_store *s = conn->s;
	struct xs_tx *tx;

	/* xenstored tests "started > quota": quota + 1 may be open. */
	if (conn->domid != 0 && conn->ntx > s->q.transactions_per_domain)
		return -ENOSPC;
	tx = calloc(1, sizeof(*tx));
	if (!tx || xs_table_init(&tx->overlay)) {
		free(tx);
		return -ENOMEM;
	}
	/* Ids are per connection, never 0, never one in use. */
	do {
		tx->id = conn->next_tx_id++;
	} while (tx->id == 0 || xs_tx_find(conn, tx->id));
	tx->conn = conn;
	tx->events_tail = &tx->events;
	tx->next = conn->txs;
	conn->txs = tx;
	conn->ntx++;
	s->ntx++;
	*id = tx->id;
	return 0;
}

struct xs_tx *xs_tx_find(struct xs_conn *conn, uint32_t id)
{
	struct xs_tx *tx = conn->txs;

	while (tx && tx->id != id)
		tx = tx->next;
	return tx;
}

struct xs_node *xs_tx_slot(struct xs_tx *tx, struct xs_store *s,
                           const char *path, int *err)
{
	struct xs_node *n = xs_table_find(&tx->overlay, path);
	const struct xs_node *committed;

	if (n)
		return n;
	if (tx->conn->domid != 0 &&
	    tx->overlay.count >= s->q.transaction_nodes) {
		*err = -ENOSPC;
		return NULL;
	}
	n = xs_node_new(path);
	if (!n) {
		*err = -ENOMEM;
		return NULL;
	}
	committed = xs_table_find(&s->nodes, path);
	if (committed) {
		if (xs_node_copy(n, committed)) {
			xs_node_free(n);
			*err = -ENOMEM;
			return NULL;
		}
		n->base_gen = committed->generation;
	} else {
		n->deleted = true;
	}
	xs_table_insert(&tx->overlay, n);
	return n;
}

typedef int (*overlay_fn)(struct xs_store *s, struct xs_node *n);

static int overlay_each(struct xs_tx *tx, struct xs_store *s, overlay_fn fn)
{
	for (size_t i = 0; i < tx->overlay.nbuckets; i++)
		for (struct xs_node *n = tx->overlay.buckets[i]; n;
		     n = n->hnext) {
			int err = fn(s, n);

			if (err)
				return err;
		}
	return 0;
}

static int check_unchanged(struct xs_store *s, struct xs_node *n)
{
	const struct xs_node *c = xs_table_find(&s->nodes, n->path);
	uint64_t gen = c ? c->generation : XS_NO_GENERATION;

	return gen == n->base_gen ? 0 : -EAGAIN;
}

static domid_t owner(const struct xs_node *n)
{
	return n->perms.n ? n->perms.p[0].id : 0;
}

/* Moves a changed overlay node into the committed tree. */
static int write_back(struct xs_store *s, struct xs_node *n)
{
	struct xs_node *c = xs_table_find(&s->nodes, n->path);

	if (!n->modified)
		return 0;
	if (c) {
		xs_tree_account(s, owner(c), -1);
		if (n->deleted) {
			xs_table_remove(&s->nodes, c->path);
			xs_node_free(c);
			return 0;
		}
	} else {
		if (n->deleted)
			return 0;
		c = xs_node_new(n->path);
		if (!c)
			return -ENOMEM;
		xs_table_insert(&s->nodes, c);
	}
	xs_node_clear(c);
	c->value = n->value;
	c->len = n->len;
	c->children = n->children;
	c->childlen = n->childlen;
	c->perms = n->perms;
	n->value = n->children = NULL;
	n->perms.p = NULL;
	n->perms.n = 0;
	c->generation = ++s->generation;
	xs_tree_account(s, owner(c), 1);
	return 0;
}

static void tx_free(struct xs_tx *tx)
{
	struct xs_conn *conn = tx->conn;
	struct xs_tx **pp = &conn->txs;

	while (*pp != tx)
		pp = &(*pp)->next;
	*pp = tx->next;
	conn->ntx--;
	conn->s->ntx--;
	xs_tx_events_free(tx);
	xs_table_free(&tx->overlay);
	free(tx);
}

/* Ends tx (freeing it in every case); on commit fires its events. */
int xs_tx_end(struct xs_tx *tx, bool commit)
{
	struct xs_store *s = tx->conn->s;
	int err = 0;

	if (commit) {
		err = tx->failed ? -EAGAIN : overlay_each(tx, s,
		                                          check_unchanged);
		if (!err)
			err = overlay_each(tx, s, write_back);
		for (struct xs_event *e = tx->events; !err && e; e = e->next)
			xs_event_fire(s, e);
	}
	tx_free(tx);
	return err;
}
