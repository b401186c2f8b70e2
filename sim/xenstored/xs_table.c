/*
 * xs_table.c: nodes keyed by absolute path (xenstored keeps them in TDB the
 * same way), and the small operations on one node record.
 */
#include <stdlib.h>
#include <string.h>

#include "sim/xenstored/xs_internal.h"

/* On-disk record header of xenstored (struct xs_tdb_record_hdr), and the
 * size of one struct xs_permissions: node size quotas count these. */
#define XS_RECORD_HDR_SIZE 24u
#define XS_RECORD_PERM_SIZE 8u

static size_t hash_path(const char *p)
{
	size_t h = 5381;

	while (*p)
		h = h * 33 + (unsigned char)*p++;
	return h;
}

int xs_table_init(struct xs_table *t)
{
	t->nbuckets = 64;
	t->count = 0;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	return t->buckets ? 0 : -ENOMEM;
}

void xs_table_free(struct xs_table *t)
{
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct xs_node *n = t->buckets[i], *next;

		for (; n; n = next) {
			next = n->hnext;
			xs_node_free(n);
		}
	}
	free(t->buckets);
	t->buckets = NULL;
	t->count = t->nbuckets = 0;
}

struct xs_node *xs_table_find(const struct xs_table *t, const char *path)
{
	struct xs_node *n = t->buckets[hash_path(path) & (t->nbuckets - 1)];

	while (n && strcmp(n->path, path) != 0)
		n = n->hnext;
	return n;
}

/* Doubling keeps chains short; failure to grow is harmless. */
static void table_grow(struct xs_table *t)
{
	size_t nb = t->nbuckets * 2;
	struct xs_node **b = calloc(nb, sizeof(*b));

	if (!b)
		return;
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct xs_node *n = t->buckets[i], *next;

		for (; n; n = next) {
			size_t h = hash_path(n->path) & (nb - 1);

			next = n->hnext;
			n->hnext = b[h];
			b[h] = n;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = nb;
}

int xs_table_insert(struct xs_table *t, struct xs_node *n)
{
	size_t h;

	if (t->count >= t->nbuckets * 2)
		table_grow(t);
	h = hash_path(n->path) & (t->nbuckets - 1);
	n->hnext = t->buckets[h];
	t->buckets[h] = n;
	t->count++;
	return 0;
}

struct xs_node *xs_table_remove(struct xs_table *t, const char *path)
{
	struct xs_node **pp = &t->buckets[hash_path(path) & (t->nbuckets - 1)];

	for (; *pp; pp = &(*pp)->hnext) {
		struct xs_node *n = *pp;

		if (strcmp(n->path, path) == 0) {
			*pp = n->hnext;
			n->hnext = NULL;
			t->count--;
			return n;
		}
	}
	return NULL;
}

struct xs_node *xs_node_new(const char *path)
{
	struct xs_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->path = strdup(path);
	if (!n->path) {
		free(n);
		return NULL;
	}
	n->generation = n->base_gen = XS_NO_GENERATION;
	return n;
}

/* Drops the contents, keeping path and bookkeeping. */
void xs_node_clear(struct xs_node *n)
{
	free(n->value);
	free(n->children);
	xs_perms_free(&n->perms);
	n->value = n->children = NULL;
	n->len = n->childlen = 0;
}

void xs_node_free(struct xs_node *n)
{
	if (!n)
		return;
	xs_node_clear(n);
	free(n->path);
	free(n);
}

static int dup_bytes(char **dst, const char *src, size_t len)
{
	*dst = NULL;
	if (!len)
		return 0;
	*dst = malloc(len);
	if (!*dst)
		return -ENOMEM;
	memcpy(*dst, src, len);
	return 0;
}

/* Copies contents and generation; dst's previous contents are dropped. */
int xs_node_copy(struct xs_node *dst, const struct xs_node *src)
{
	struct xs_node tmp = { 0 };

	if (dup_bytes(&tmp.value, src->value, src->len) ||
	    dup_bytes(&tmp.children, src->children, src->childlen) ||
	    xs_perms_dup(&tmp.perms, &src->perms)) {
		xs_node_clear(&tmp);
		return -ENOMEM;
	}
	xs_node_clear(dst);
	dst->value = tmp.value;
	dst->len = src->len;
	dst->children = tmp.children;
	dst->childlen = src->childlen;
	dst->perms = tmp.perms;
	dst->generation = src->generation;
	return 0;
}

int xs_node_set_value(struct xs_node *n, const char *value, size_t len)
{
	char *v;

	if (dup_bytes(&v, value, len))
		return -ENOMEM;
	free(n->value);
	n->value = v;
	n->len = (uint32_t)len;
	return 0;
}

size_t xs_node_size(const struct xs_node *n)
{
	return XS_RECORD_HDR_SIZE + n->perms.n * XS_RECORD_PERM_SIZE +
	       n->len + n->childlen;
}

/* Children stay sorted so that XS_DIRECTORY answers do not depend on the
 * order of creation. */
int xs_children_add(struct xs_node *n, const char *name)
{
	size_t nl = strlen(name) + 1, off = 0;
	char *c;

	while (off < n->childlen && strcmp(n->children + off, name) < 0)
		off += strlen(n->children + off) + 1;
	if (off < n->childlen && strcmp(n->children + off, name) == 0)
		return 0;
	c = realloc(n->children, n->childlen + nl);
	if (!c)
		return -ENOMEM;
	memmove(c + off + nl, c + off, n->childlen - off);
	memcpy(c + off, name, nl);
	n->children = c;
	n->childlen += (uint32_t)nl;
	return 0;
}

void xs_children_del(struct xs_node *n, const char *name)
{
	size_t off = 0;

	while (off < n->childlen) {
		size_t l = strlen(n->children + off) + 1;

		if (strcmp(n->children + off, name) == 0) {
			memmove(n->children + off, n->children + off + l,
			        n->childlen - off - l);
			n->childlen -= (uint32_t)l;
			return;
		}
		off += l;
	}
}
