/*
 * kvstore's log on the disk (kvstore.h): records, recovery and puts.
 *
 * Built twice: as kvstore, and as kvstore_broken (kvstore_log_broken.c
 * defines KVSTORE_BROKEN_NO_FLUSH), whose put answers without flushing, the
 * classic storage bug that drydock's power-cut loop exists to catch.
 */
#include <errno.h>
#include <string.h>

#include <uk.h>

#include "kvstore.h"

#define KV_MAGIC 0x3152564bu /* "KVR1" */
#define KV_SECTOR 512u
#define KV_OPEN_TIMEOUT_NS (10 * UK_NSEC_PER_SEC)

struct kv_record {
	uint32_t magic;
	uint32_t seq;
	uint16_t klen, vlen;
	uint32_t crc;
	char data[KV_SECTOR - 16];
};
_Static_assert(sizeof(struct kv_record) == KV_SECTOR, "a record is one sector");

/* CRC-32 (IEEE), bit by bit: records are few and small. */
static uint32_t crc32(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint32_t c = 0xffffffffu;

	while (n--) {
		c ^= *b++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & -(c & 1));
	}
	return ~c;
}

static uint32_t record_crc(struct kv_record *r)
{
	uint32_t saved = r->crc, c;

	r->crc = 0;
	c = crc32(r, sizeof(*r));
	r->crc = saved;
	return c;
}

static bool record_valid(struct kv_record *r, uint32_t seq)
{
	return r->magic == KV_MAGIC && r->seq == seq && r->klen >= 1 && r->klen <= KV_KEY_MAX &&
	       r->vlen <= KV_VALUE_MAX && r->klen + r->vlen <= sizeof(r->data) &&
	       r->crc == record_crc(r);
}

static struct kv_entry *find(const struct kvstore *kv, const char *key)
{
	for (unsigned int i = 0; i < kv->nr_entries; i++)
		if (!strcmp(kv->entries[i].key, key))
			return &kv->entries[i];
	return NULL;
}

/* In memory: the latest value of key. */
static int remember(struct kvstore *kv, const char *key, size_t klen, const char *value,
		    size_t vlen)
{
	char k[KV_KEY_MAX + 1];
	struct kv_entry *e;

	memcpy(k, key, klen);
	k[klen] = '\0';
	if (!(e = find(kv, k))) {
		if (kv->nr_entries == KV_MAX_KEYS)
			return -ENOSPC;
		e = &kv->entries[kv->nr_entries++];
		memcpy(e->key, k, klen + 1);
	}
	memcpy(e->value, value, vlen);
	e->value[vlen] = '\0';
	return 0;
}

/* Reads records until the first that is not the next one. */
static int recover(struct kvstore *kv)
{
	struct kv_record r;
	int rc;

	while (kv->next_sector < kv->info.sectors) {
		if ((rc = uk_blk_read(kv->disk, kv->next_sector, &r, 1)) < 0) {
			uk_printf("kvstore: reading sector %lu failed: %d\n",
				  (unsigned long)kv->next_sector, rc);
			return rc;
		}
		if (!record_valid(&r, kv->next_seq))
			break;
		if ((rc = remember(kv, r.data, r.klen, r.data + r.klen, r.vlen)) < 0)
			return rc;
		kv->next_sector++;
		kv->next_seq++;
	}
	uk_printf("kvstore: recovered %u records, %u keys\n", kv->next_seq, kv->nr_entries);
	return 0;
}

int kv_open(struct kvstore *kv)
{
	int rc;

	memset(kv, 0, sizeof(*kv));
	if (!(kv->entries = uk_calloc(KV_MAX_KEYS, sizeof(*kv->entries))))
		return -ENOMEM;
	if ((rc = uk_blk_open(0, KV_OPEN_TIMEOUT_NS, &kv->disk)) < 0) {
		uk_printf("kvstore: no disk 0 (%d): give the unikernel --disk IMAGE,raw,xvda,rw\n",
			  rc);
		kv_close(kv);
		return rc;
	}
	uk_blk_get_info(kv->disk, &kv->info);
	if (kv->info.sector_size != KV_SECTOR || kv->info.readonly) {
		uk_printf("kvstore: the disk must be writable with 512-byte sectors\n");
		kv_close(kv);
		return -EINVAL;
	}
	if ((rc = recover(kv)) < 0)
		kv_close(kv);
	return rc;
}

int kv_put(struct kvstore *kv, const char *key, const char *value)
{
	size_t klen = strlen(key), vlen = strlen(value);
	struct kv_record r;
	int rc;

	if (klen < 1 || klen > KV_KEY_MAX || vlen > KV_VALUE_MAX)
		return -EINVAL;
	if (kv->next_sector >= kv->info.sectors)
		return -ENOSPC;
	memset(&r, 0, sizeof(r));
	r.magic = KV_MAGIC;
	r.seq = kv->next_seq;
	r.klen = (uint16_t)klen;
	r.vlen = (uint16_t)vlen;
	memcpy(r.data, key, klen);
	memcpy(r.data + klen, value, vlen);
	r.crc = record_crc(&r);
	if ((rc = uk_blk_write(kv->disk, kv->next_sector, &r, 1)) < 0)
		return rc;
#ifndef KVSTORE_BROKEN_NO_FLUSH
	/* Durable before we answer: the whole point. */
	if ((rc = uk_blk_flush(kv->disk)) < 0)
		return rc;
#endif
	kv->next_sector++;
	kv->next_seq++;
	return remember(kv, key, klen, value, vlen);
}

const char *kv_get(const struct kvstore *kv, const char *key)
{
	const struct kv_entry *e = find(kv, key);

	return e ? e->value : NULL;
}

void kv_close(struct kvstore *kv)
{
	if (kv->disk)
		uk_blk_close(kv->disk);
	uk_free(kv->entries);
	kv->disk = NULL;
	kv->entries = NULL;
}
