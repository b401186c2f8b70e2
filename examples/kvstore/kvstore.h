/*
 * kvstore: a small log-structured key-value store on a drydock disk.
 *
 * The disk holds a log of records, one 512-byte sector each, from sector 0:
 * magic, sequence number (0, 1, 2, ... without gaps), key and value
 * lengths, a CRC-32 of the whole sector, then the key and the value. A put
 * appends one record and flushes the disk before it answers, so an answered
 * put survives a power cut. Recovery reads the log from the start and stops
 * at the first sector that is not the next record (wrong magic, sequence or
 * CRC: the end of the log, or a torn or lost write that was never answered);
 * the latest record of a key is its value.
 */
#ifndef KVSTORE_H
#define KVSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uk/blk.h>

#define KV_KEY_MAX 64
#define KV_VALUE_MAX 400
#define KV_MAX_KEYS 4096

struct kv_entry {
	char key[KV_KEY_MAX + 1];
	char value[KV_VALUE_MAX + 1];
};

struct kvstore {
	struct uk_blk *disk;
	struct uk_blk_info info;
	uint64_t next_sector; /* where the next record goes */
	uint32_t next_seq;
	struct kv_entry *entries; /* KV_MAX_KEYS of them */
	unsigned int nr_entries;
};

/* Opens disk 0 and recovers the log. 0 or a negative errno (said on the console). */
int kv_open(struct kvstore *kv);
/* Appends key=value and makes it durable; -ENOSPC when the log or the table is full. */
int kv_put(struct kvstore *kv, const char *key, const char *value);
/* The value of key, or NULL. */
const char *kv_get(const struct kvstore *kv, const char *key);
void kv_close(struct kvstore *kv);

#endif
