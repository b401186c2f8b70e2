/*
 * A hash table from small fixed-size keys (addresses, flow tuples) to a
 * 64-bit value, for trace statistics and comparison. Open addressing,
 * grows at half full. Host code; internal to traces/.
 */
#ifndef TRACES_KEYTAB_H
#define TRACES_KEYTAB_H

#include <stddef.h>
#include <stdint.h>

#define TRACE_KEY_LEN 16 /* shorter keys are zero-padded by the caller */

struct trace_keytab_entry {
	uint8_t key[TRACE_KEY_LEN];
	uint64_t value;
	int used;
};

struct trace_keytab {
	struct trace_keytab_entry *e;
	size_t cap, nr;
};

/* An empty table; 0 or -ENOMEM. */
int trace_keytab_init(struct trace_keytab *t);
void trace_keytab_free(struct trace_keytab *t);
/* The entry of key, or NULL. */
struct trace_keytab_entry *trace_keytab_find(const struct trace_keytab *t, const uint8_t *key);
/* The entry of key, added with value 0 if new (*added set); NULL when out of memory. */
struct trace_keytab_entry *trace_keytab_get(struct trace_keytab *t, const uint8_t *key,
					    int *added);

#endif
