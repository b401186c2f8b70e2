/*
 * xs_store.c: the store and its connections' lifetimes, quota defaults,
 * flow control, and the direct (toolstack) API.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/xenstored/xs_internal.h"

void xs_quota_defaults(struct xs_quota *q)
{
	/* xenstored 4.17: quota_nb_entry_per_domain, quota_nb_watch_per_domain,
	 * quota_max_transaction, quota_max_entry_size, quota_nb_perms_per_node,
	 * quota_max_path_len, quota_trans_nodes, quota_req_outstanding. */
	q->nodes_per_domain = 1000;
	q->watches_per_domain = 128;
	q->transactions_per_domain = 10;
	q->node_size = 2048;
	q->perms_per_node = 5;
	q->path_len = XENSTORE_REL_PATH_MAX;
	q->transaction_nodes = 1024;
	q->outstanding_requests = 20;
}

static int special_init(struct xs_perms *p)
{
	static const struct xs_perm dom0_only = { 0, XS_STORE_PERM_NONE };
	const struct xs_perms src = { (struct xs_perm *)&dom0_only, 1 };

	return xs_perms_dup(p, &src);
}

int xs_store_create(struct xs_store **out, const struct xs_quota *q)
{
	struct xs_store *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s)
		return -ENOMEM;
	if (q)
		s->q = *q;
	else
		xs_quota_defaults(&s->q);
	if (xs_table_init(&s->nodes) || special_init(&s->special_intro) ||
	    special_init(&s->special_release) || xs_tree_init(s)) {
		xs_store_destroy(s);
		return -ENOMEM;
	}
	*out = s;
	return 0;
}

void xs_store_destroy(struct xs_store *s)
{
	if (!s)
		return;
	while (s->conns)
		xs_conn_destroy(s->conns);
	if (s->nodes.buckets)
		xs_table_free(&s->nodes);
	xs_perms_free(&s->special_intro);
	xs_perms_free(&s->special_release);
	xs_domains_free(s);
	free(s);
}

struct xs_conn *xs_conn_create(struct xs_store *s, domid_t domid,
                               xs_send_fn send, void *arg)
{
	struct xs_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->s = s;
	c->domid = domid;
	c->send = send;
	c->arg = arg;
	c->next_tx_id = 1;
	c->next = s->conns;
	s->conns = c;
	s->nconns++;
	return c;
}

void xs_conn_destroy(struct xs_conn *c)
{
	struct xs_conn **pp;

	if (!c)
		return;
	xs_watch_remove_all(c);
	while (c->txs)
		xs_tx_end(c->txs, false);
	for (pp = &c->s->conns; *pp != c; pp = &(*pp)->next)
		;
	*pp = c->next;
	c->s->nconns--;
	free(c);
}

domid_t xs_conn_domid(const struct xs_conn *c)
{
	return c->domid;
}

bool xs_conn_may_read(const struct xs_conn *c)
{
	return c->domid == 0 || c->outstanding < c->s->q.outstanding_requests;
}

void xs_conn_sent(struct xs_conn *c)
{
	if (c->outstanding)
		c->outstanding--;
}

void xs_conn_send(struct xs_conn *c, uint32_t type, uint32_t req_id,
                  uint32_t tx_id, const char *payload, size_t len)
{
	struct xsd_sockmsg hdr = { type, req_id, tx_id, (uint32_t)len };

	/* As xenstored's send_reply: a reply that cannot fit a message is E2BIG. */
	if (len > XENSTORE_PAYLOAD_MAX && type != XS_WATCH_EVENT) {
		hdr.type = XS_ERROR;
		hdr.len = sizeof("E2BIG");
		payload = "E2BIG";
	}
	c->outstanding++;
	if (c->send)
		c->send(c, &hdr, payload, c->arg);
}

void xs_store_counts(const struct xs_store *s, struct xs_counts *out)
{
	out->nodes = s->nodes.count;
	out->watches = s->nwatches;
	out->transactions = s->ntx;
	out->conns = s->nconns;
}

/* The direct API acts as dom0 outside any transaction. */
static int direct_ctx(struct xs_store *s, const char *path, struct xs_ctx *c)
{
	*c = (struct xs_ctx){ s, NULL, 0, NULL };
	return path ? xs_path_check(c, path) : -EINVAL;
}

int xs_store_write(struct xs_store *s, const char *path, const char *value,
                   size_t len)
{
	struct xs_ctx c;
	int err = direct_ctx(s, path, &c);

	if (!err && len > XENSTORE_PAYLOAD_MAX)
		err = -E2BIG;
	return err ? err : xs_tree_write(&c, path, value, len);
}

int xs_store_read(struct xs_store *s, const char *path, char **value,
                  size_t *len)
{
	struct xs_ctx c;
	struct xs_node *n;
	int err = direct_ctx(s, path, &c);

	*value = NULL;
	*len = 0;
	if (!err)
		err = xs_tree_get(&c, path, XS_STORE_PERM_READ, &n);
	if (err)
		return err;
	*value = malloc(n->len + 1);
	if (!*value)
		return -ENOMEM;
	if (n->len)
		memcpy(*value, n->value, n->len);
	(*value)[n->len] = '\0';
	*len = n->len;
	return 0;
}

int xs_store_mkdir(struct xs_store *s, const char *path)
{
	struct xs_ctx c;
	int err = direct_ctx(s, path, &c);

	return err ? err : xs_tree_mkdir(&c, path);
}

int xs_store_rm(struct xs_store *s, const char *path)
{
	struct xs_ctx c;
	int err = direct_ctx(s, path, &c);

	return err ? err : xs_tree_rm(&c, path);
}

int xs_store_set_perms(struct xs_store *s, const char *path,
                       const struct xs_perm *perms, unsigned n)
{
	struct xs_ctx c;
	struct xs_perms p = { (struct xs_perm *)perms, n };
	struct xs_perms *special;
	int err;

	if (!perms || !n)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++)
		if (perms[i].perms & ~XS_STORE_PERM_BOTH)
			return -EINVAL;
	special = path ? xs_special_perms(s, path) : NULL;
	if (special) {
		struct xs_perms fresh;

		if (xs_perms_dup(&fresh, &p))
			return -ENOMEM;
		xs_perms_free(special);
		*special = fresh;
		return 0;
	}
	err = direct_ctx(s, path, &c);
	return err ? err : xs_tree_set_perms(&c, path, &p);
}

int xs_store_printf(struct xs_store *s, const char *dir, const char *name,
                    const char *fmt, ...)
{
	char path[XENSTORE_ABS_PATH_MAX + 1], value[XENSTORE_PAYLOAD_MAX];
	va_list ap;
	int n, m;

	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	va_start(ap, fmt);
	m = vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(path) || m < 0 || (size_t)m >= sizeof(value))
		return -E2BIG;
	return xs_store_write(s, path, value, (size_t)m);
}
