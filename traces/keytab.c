/* A hash table from fixed-size keys to counters (keytab.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "traces/keytab.h"

#define KEYTAB_INITIAL 64 /* a power of 2 */

/* FNV-1a over the key. */
static size_t key_hash(const uint8_t *key)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < TRACE_KEY_LEN; i++)
		h = (h ^ key[i]) * 0x100000001b3ull;
	return (size_t)h;
}

static struct trace_keytab_entry *slot(const struct trace_keytab *t, const uint8_t *key)
{
	size_t i = key_hash(key) & (t->cap - 1);

	while (t->e[i].used && memcmp(t->e[i].key, key, TRACE_KEY_LEN))
		i = (i + 1) & (t->cap - 1);
	return &t->e[i];
}

int trace_keytab_init(struct trace_keytab *t)
{
	t->nr = 0;
	t->cap = KEYTAB_INITIAL;
	t->e = calloc(t->cap, sizeof(*t->e));
	return t->e ? 0 : -ENOMEM;
}

void trace_keytab_free(struct trace_keytab *t)
{
	free(t->e);
	t->e = NULL;
	t->cap = t->nr = 0;
}

struct trace_keytab_entry *trace_keytab_find(const struct trace_keytab *t, const uint8_t *key)
{
	struct trace_keytab_entry *e = slot(t, key);

	return e->used ? e : NULL;
}

static int grow(struct trace_keytab *t)
{
	struct trace_keytab old = *t;

	t->e = calloc(old.cap * 2, sizeof(*t->e));
	if (!t->e) {
		*t = old;
		return -ENOMEM;
	}
	t->cap = old.cap * 2;
	for (size_t i = 0; i < old.cap; i++)
		if (old.e[i].used)
			*slot(t, old.e[i].key) = old.e[i];
	free(old.e);
	return 0;
}

struct trace_keytab_entry *trace_keytab_get(struct trace_keytab *t, const uint8_t *key,
					    int *added)
{
	struct trace_keytab_entry *e = slot(t, key);

	*added = 0;
	if (e->used)
		return e;
	if (2 * (t->nr + 1) > t->cap) {
		if (grow(t) < 0)
			return NULL;
		e = slot(t, key);
	}
	memcpy(e->key, key, TRACE_KEY_LEN);
	e->value = 0;
	e->used = 1;
	t->nr++;
	*added = 1;
	return e;
}
