/*
 * xs_tree.c: reading and changing the tree as one client sees it, inside or
 * outside a transaction, with xenstored's permission and quota rules.
 *
 * Outside a transaction a change goes straight into the committed table and
 * fires watches at once.  Inside one, every node touched is first copied
 * into the transaction's overlay (xs_tx_slot), changes stay there, and watch
 * events are kept until commit.
 */
#include <stdlib.h>
#include <string.h>

#include "sim/xenstored/xs_internal.h"

/* The node at path as c sees it, recording the access in a transaction. */
static int lookup(struct xs_ctx *c, const char *path, struct xs_node **out)
{
	int err = 0;
	struct xs_node *n;

	if (c->tx) {
		n = xs_tx_slot(c->tx, c->s, path, &err);
		if (!n)
			return err;
		if (n->deleted)
			return -ENOENT;
	} else {
		n = xs_table_find(&c->s->nodes, path);
		if (!n)
			return -ENOENT;
	}
	*out = n;
	return 0;
}

/* As lookup, without recording: for deciding who may see a watch event. */
static const struct xs_node *peek(const struct xs_ctx *c, const char *path)
{
	const struct xs_node *n = NULL;

	if (c->tx)
		n = xs_table_find(&c->tx->overlay, path);
	if (n)
		return n->deleted ? NULL : n;
	return xs_table_find(&c->s->nodes, path);
}

static void mark_changed(struct xs_ctx *c, struct xs_node *n)
{
	n->generation = ++c->s->generation;
	n->modified = true;
}

void xs_tree_account(struct xs_store *s, domid_t owner, int delta)
{
	struct xs_domain *d = xs_domain_get(s, owner);

	if (d)
		d->nbentry += delta;
}

/* Owned-node accounting: committed at once, or kept in the transaction for
 * the client's own quota until commit (which re-accounts from the nodes). */
static void account(struct xs_ctx *c, domid_t owner, int delta)
{
	if (!c->tx)
		xs_tree_account(c->s, owner, delta);
	else if (owner == c->domid)
		c->tx->own_delta += delta;
}

/*
 * If access fails, say ENOENT only when the nearest existing ancestor would
 * grant the access, so that a client learns nothing about nodes it may not
 * see (xenstored's errno_from_parents()).
 */
static int errno_from_parents(struct xs_ctx *c, const char *path, int err,
                              unsigned want)
{
	char *p = strdup(path);
	struct xs_node *n = NULL;
	bool oom = !p;

	while (p && strcmp(p, "/") != 0) {
		char *parent = xs_path_parent(p);

		free(p);
		p = parent;
		oom = !p;
		if (p && lookup(c, p, &n) == 0)
			break;
		n = NULL;
	}
	free(p);
	if (oom)
		return -ENOMEM;
	if (n && (xs_perms_for(c, &n->perms) & want))
		return err;
	return -EACCES;
}

int xs_tree_get(struct xs_ctx *c, const char *path, unsigned want,
                struct xs_node **out)
{
	int err = lookup(c, path, out);

	if (!err && (xs_perms_for(c, &(*out)->perms) & want) != want)
		err = -EACCES;
	if (err == -ENOENT || err == -EACCES)
		err = errno_from_parents(c, path, err, want);
	return err;
}

static int event(struct xs_ctx *c, const char *path, bool exact,
                 const struct xs_perms *node, const struct xs_perms *old)
{
	const struct xs_node *parent = NULL;

	if (strcmp(path, "/") != 0) {
		char *pp = xs_path_parent(path);

		if (!pp)
			return -ENOMEM;
		parent = peek(c, pp);
		free(pp);
	}
	return xs_event_record(c, path, exact, node,
	                       parent ? &parent->perms : NULL, old);
}

static bool too_big(const struct xs_ctx *c, size_t size)
{
	return !xs_ctx_privileged(c) && size >= c->s->q.node_size;
}

static int owned_nodes(const struct xs_ctx *c)
{
	const struct xs_domain *d = xs_domain_find(c->s, c->domid);

	return (d ? d->nbentry : 0) + (c->tx ? c->tx->own_delta : 0);
}

/* May c create nmiss nodes (miss[0] = path, deepest first) under top? */
static int check_create(const struct xs_ctx *c, const struct xs_node *top,
                        char **miss, unsigned nmiss, size_t len)
{
	struct xs_node probe = { .perms = top->perms };

	if (xs_ctx_privileged(c))
		return 0;
	if ((long)owned_nodes(c) + nmiss > (long)c->s->q.nodes_per_domain)
		return -ENOSPC;
	if (too_big(c, xs_node_size(top) +
	                   strlen(xs_path_basename(miss[nmiss - 1])) + 1))
		return -ENOSPC;
	for (unsigned i = 0; i < nmiss; i++) {
		probe.len = i ? 0 : (uint32_t)len;
		probe.childlen = i ? (uint32_t)strlen(
		                         xs_path_basename(miss[i - 1])) + 1 : 0;
		if (too_big(c, xs_node_size(&probe)))
			return -ENOSPC;
	}
	return 0;
}

static struct xs_node *new_node(struct xs_ctx *c, const char *path, int *err)
{
	struct xs_node *n;

	if (c->tx) {
		n = xs_tx_slot(c->tx, c->s, path, err);
		if (n)
			n->deleted = false;
		return n;
	}
	n = xs_node_new(path);
	if (!n) {
		*err = -ENOMEM;
		return NULL;
	}
	xs_table_insert(&c->s->nodes, n);
	return n;
}

/* Creates miss[nmiss-1] .. miss[0] below top; each inherits its parent's
 * permissions, but an unprivileged creator owns what it creates. */
static int build(struct xs_ctx *c, struct xs_node *parent, char **miss,
                 unsigned nmiss, const char *value, size_t len)
{
	int err = 0;

	for (unsigned i = nmiss; i-- > 0;) {
		struct xs_node *n;

		if (xs_children_add(parent, xs_path_basename(miss[i])))
			return -ENOMEM;
		mark_changed(c, parent);
		n = new_node(c, miss[i], &err);
		if (!n || xs_perms_dup(&n->perms, &parent->perms))
			return err ? err : -ENOMEM;
		if (!xs_ctx_privileged(c))
			n->perms.p[0].id = c->domid;
		if (i == 0 && xs_node_set_value(n, value, len))
			return -ENOMEM;
		mark_changed(c, n);
		account(c, n->perms.p[0].id, 1);
		parent = n;
	}
	return 0;
}

static int create(struct xs_ctx *c, const char *path, const char *value,
                  size_t len)
{
	size_t depth = 1;
	unsigned nmiss = 0;
	char **miss, *p = strdup(path);
	struct xs_node *top;
	int err = -ENOMEM;

	for (const char *q = path; *q; q++)
		depth += *q == '/';
	miss = calloc(depth, sizeof(*miss));
	while (p && miss) {
		err = lookup(c, p, &top);
		if (err != -ENOENT)
			break;
		miss[nmiss++] = p;
		p = xs_path_parent(p);
		err = -ENOMEM;
	}
	free(p);
	if (!err)
		err = check_create(c, top, miss, nmiss, len);
	if (!err) {
		err = build(c, top, miss, nmiss, value, len);
		if (err && c->tx)
			c->tx->failed = true;
	}
	for (unsigned i = 0; miss && i < nmiss; i++)
		free(miss[i]);
	free(miss);
	return err;
}

int xs_tree_write(struct xs_ctx *c, const char *path, const char *value,
                  size_t len)
{
	struct xs_node *n;
	int err = xs_tree_get(c, path, XS_STORE_PERM_WRITE, &n);

	if (err == -ENOENT) {
		err = create(c, path, value, len);
	} else if (!err) {
		struct xs_node probe = { .perms = n->perms,
		                         .len = (uint32_t)len,
		                         .childlen = n->childlen };

		if (too_big(c, xs_node_size(&probe)))
			return -ENOSPC;
		err = xs_node_set_value(n, value, len);
		if (!err)
			mark_changed(c, n);
	}
	if (err)
		return err;
	return event(c, path, false, &peek(c, path)->perms, NULL);
}

int xs_tree_mkdir(struct xs_ctx *c, const char *path)
{
	struct xs_node *n;
	int err = xs_tree_get(c, path, XS_STORE_PERM_WRITE, &n);

	if (err != -ENOENT)
		return err; /* existing already: fine, and no event */
	err = create(c, path, NULL, 0);
	if (err)
		return err;
	return event(c, path, false, &peek(c, path)->perms, NULL);
}

static void delete_node(struct xs_ctx *c, struct xs_node *n)
{
	domid_t owner = n->perms.n ? n->perms.p[0].id : 0;

	account(c, owner, -1);
	if (c->tx) {
		xs_node_clear(n);
		n->deleted = true;
		mark_changed(c, n);
	} else {
		xs_table_remove(&c->s->nodes, n->path);
		xs_node_free(n);
	}
}

/*
 * Deletes n and everything below it, children first.  As xenstored does,
 * the removed node's own event reaches watches on it and on its ancestors;
 * each node below reaches only watches on exactly that node.
 */
static int delete_subtree(struct xs_ctx *c, struct xs_node *n,
                          const char *root)
{
	int err = 0;

	for (size_t off = 0; !err && off < n->childlen;
	     off += strlen(n->children + off) + 1) {
		char *cp = xs_path_join(n->path, n->children + off);
		struct xs_node *child;

		err = cp ? lookup(c, cp, &child) : -ENOMEM;
		if (!err)
			err = delete_subtree(c, child, root);
		else if (err == -ENOENT)
			err = 0;
		free(cp);
	}
	if (!err)
		err = event(c, n->path, strcmp(n->path, root) != 0, &n->perms,
		            NULL);
	if (!err)
		delete_node(c, n);
	return err;
}

int xs_tree_rm(struct xs_ctx *c, const char *path)
{
	struct xs_node *n, *parent;
	char *pp;
	int err = xs_tree_get(c, path, XS_STORE_PERM_WRITE, &n);

	if (err && err != -ENOENT)
		return err;
	if (!err && strcmp(path, "/") == 0)
		return -EINVAL;
	pp = xs_path_parent(path);
	if (!pp)
		return -ENOMEM;
	if (lookup(c, pp, &parent) != 0) {
		free(pp);
		return -ENOENT;
	}
	free(pp);
	if (err == -ENOENT)
		return 0; /* gone already, and its parent exists: fine */
	err = delete_subtree(c, n, path);
	if (!err) {
		xs_children_del(parent, xs_path_basename(path));
		mark_changed(c, parent);
	} else if (c->tx) {
		c->tx->failed = true;
	}
	return err;
}

int xs_tree_set_perms(struct xs_ctx *c, const char *path,
                      const struct xs_perms *perms)
{
	struct xs_node *n;
	struct xs_perms old, fresh;
	int err = xs_tree_get(c, path,
	                      XS_STORE_PERM_WRITE | XS_STORE_PERM_OWNER, &n);

	if (err)
		return err;
	/* Unprivileged domains may not give their nodes away. */
	if (!xs_ctx_privileged(c) && perms->p[0].id != n->perms.p[0].id)
		return -EPERM;
	struct xs_node probe = { .perms = *perms, .len = n->len,
	                         .childlen = n->childlen };
	if (too_big(c, xs_node_size(&probe)))
		return -ENOSPC;
	if (xs_perms_dup(&fresh, perms))
		return -ENOMEM;
	old = n->perms;
	n->perms = fresh;
	account(c, old.p[0].id, -1);
	account(c, fresh.p[0].id, 1);
	mark_changed(c, n);
	err = event(c, path, false, &n->perms, &old);
	xs_perms_free(&old);
	return err;
}

int xs_tree_init(struct xs_store *s)
{
	static struct xs_perm none = { 0, XS_STORE_PERM_NONE };
	struct xs_perms p = { &none, 1 };
	struct xs_ctx c = { s, NULL, 0, NULL };
	struct xs_node *root = xs_node_new("/");

	if (!root || xs_perms_dup(&root->perms, &p)) {
		xs_node_free(root);
		return -ENOMEM;
	}
	root->generation = ++s->generation;
	xs_table_insert(&s->nodes, root);
	xs_tree_account(s, 0, 1);
	if (xs_tree_mkdir(&c, "/local/domain") || xs_tree_mkdir(&c, "/tool"))
		return -ENOMEM;
	return 0;
}
