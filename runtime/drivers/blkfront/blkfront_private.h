/*
 * blkfront's private state and the helpers its files share. One struct
 * uk_blk per disk; nothing is global.
 *
 * Pages (each granted to the backend once, revoked once at close):
 *   - the shared ring, 1 << ring_order pages (max-ring-page-order);
 *   - data pages, taken from a pool that grows on demand up to ring_size *
 *     max_segments pages and never shrinks (grant reuse, as Linux's
 *     persistent grants: the caller's buffer is copied in and out, so it may
 *     be anywhere). A free ring slot therefore always finds enough pages;
 *   - or, for a part that is whole pages of the allocator's RAM, the
 *     caller's own pages, granted for the time of the
 *     part and revoked at its response (blkif_queue_rw_req without
 *     persistent grants): the data is not copied at all;
 *   - with indirect descriptors, one page of segments per ring slot,
 *     granted read-only the first time the slot needs it.
 * Request ids are slot indexes into shadow[]: a response's id names its
 * slot; an id out of range or of an idle slot is the backend's mistake,
 * counted and reported once.
 *
 * Who runs what: requests are put on the ring by the threads that submit
 * them; responses are consumed in the event handler (scheduler context),
 * which copies read data out, completes requests and wakes waiters. Threads
 * are cooperative and the handler runs between them, so no locks.
 */
#ifndef BLKFRONT_PRIVATE_H
#define BLKFRONT_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/grant_table.h>
#include <uk/drivers/ring.h> /* the ring barriers, before <xen/io/blkif.h> */
#include <xen/io/blkif.h>
#include <xen/io/xenbus.h>

#include <uk/alloc.h>
#include <uk/blk.h>
#include <uk/drivers/events.h>
#include <uk/drivers/xenbus_dev.h>
#include <uk/sched.h>
#include <uk/time.h>

/* blkif's sector: sector_number, first_sect and last_sect count 512 bytes. */
#define BLKFRONT_SECTOR 512u
#define BLKFRONT_SECTORS_PER_PAGE (UK_PAGE_SIZE / BLKFRONT_SECTOR)
/* Grant references a direct part leaves free for everything else. */
#define BLKFRONT_DIRECT_RESERVE 256u
/* The largest ring we ask for: 4 pages, 128 slots. */
#define BLKFRONT_MAX_RING_ORDER 2
#define BLKFRONT_MAX_RING_PAGES (1u << BLKFRONT_MAX_RING_ORDER)
/* Segments per indirect request we use at most: one page of descriptors holds 512. */
#define BLKFRONT_MAX_INDIRECT_SEGS 256u
#define BLKFRONT_SEGS_PER_INDIRECT_PAGE (UK_PAGE_SIZE / sizeof(struct blkif_request_segment))
/* How long close waits for the backend, in guest time. */
#define BLKFRONT_CLOSE_TIMEOUT_NS (5 * UK_NSEC_PER_SEC)

/* One granted page. */
struct blkfront_page {
	void *page;
	grant_ref_t gref;
	struct blkfront_page *next; /* in the free pool, or in a slot's list */
};

/* A ring slot: one ring request, a part of a struct uk_blk_req. */
struct blkfront_shadow {
	bool busy;
	struct uk_blk_req *req;
	uint8_t op;                   /* BLKIF_OP_* as sent (INDIRECT's inner op in inner_op) */
	uint8_t inner_op;
	size_t buf_off;               /* where this part's data sits in req->buf */
	size_t bytes;
	struct blkfront_page *pages;  /* data pages, in order */
	grant_ref_t *direct;          /* or the caller's pages' grants (max_segs of room) */
	unsigned int ndirect;         /* granted in direct[] now */
	struct blkfront_page *indirect; /* this slot's page of segments, or NULL */
};

struct uk_blk {
	unsigned int index;
	unsigned int devid;                 /* device/vbd/<devid> */
	struct xenbus_dev dev;
	bool dev_ready;                     /* close goes through xenbus_dev_close */
	struct uk_blk_info info;

	bool rings_published;
	bool connected;
	bool backend_gone;
	bool broken;                        /* the backend overran the ring */
	bool closing;

	/* The ring and event channel. */
	unsigned int ring_order;
	void *ring_page;                    /* 1 << ring_order contiguous pages */
	grant_ref_t ring_refs[BLKFRONT_MAX_RING_PAGES];
	unsigned int nr_ring_granted;
	blkif_front_ring_t ring;
	unsigned int ring_size;
	evtchn_port_t port;
	bool port_bound;

	/* Slots. */
	struct blkfront_shadow *shadow;     /* ring_size of them */
	uint16_t *free_ids;                 /* a stack of idle slots */
	unsigned int nr_free;
	struct uk_waitq slot_wq;            /* submitters waiting for a slot */

	/* The data page pool. */
	struct blkfront_page *pool;
	unsigned int pool_pages, pool_max;
	unsigned int max_segs;              /* per ring request */
	bool indirect;                      /* max_segs > 11: BLKIF_OP_INDIRECT */

	unsigned int inflight;              /* busy slots */
	unsigned int users;                 /* threads inside uk_blk_submit */
	struct uk_waitq idle_wq;            /* close waits for inflight == 0 and users == 0 */
	uint64_t unknown_ids;
	unsigned int unrevoked;             /* direct grants the backend kept mapped, ever */
	/* Those still granted: ended once the backend lets go (blkfront_unrevoked_retry). */
	grant_ref_t *unrevoked_refs;
	unsigned int nr_unrevoked, unrevoked_cap;
};

static inline bool blkfront_usable(const struct uk_blk *b)
{
	return b->connected && !b->closing && !b->backend_gone && !b->broken;
}

/* blkfront_xenbus.c */
int blkfront_xs_find(struct uk_blk *b);
int blkfront_xs_negotiate(struct uk_blk *b, uint64_t deadline_ns);
int blkfront_xs_connect(struct uk_blk *b, uint64_t deadline_ns);
int blkfront_xs_read_geometry(struct uk_blk *b);
void blkfront_xs_disconnect(struct uk_blk *b);

/* blkfront_grants.c */
int blkfront_ring_alloc(struct uk_blk *b);
int blkfront_slots_alloc(struct uk_blk *b);
/* A data page from the pool (granting a new one when none is free), or NULL. */
struct blkfront_page *blkfront_page_get(struct uk_blk *b);
void blkfront_page_put(struct uk_blk *b, struct blkfront_page *p);
struct blkfront_page *blkfront_indirect_page(struct uk_blk *b, struct blkfront_shadow *s);
/*
 * Grants the backend the caller's pages [buf, buf + bytes) (buf page-aligned
 * in the allocator's RAM) into s->direct; false, nothing granted, when the
 * references would run low: the part is then copied through the pool.
 */
bool blkfront_direct_grant(struct uk_blk *b, struct blkfront_shadow *s, const void *buf,
			   size_t bytes, bool readonly);
/*
 * Revokes s's direct grants; false when the backend still maps one: that
 * reference is kept in unrevoked_refs and ended at a later retry.
 */
bool blkfront_direct_end(struct uk_blk *b, struct blkfront_shadow *s);
/* Ends the kept references the backend no longer maps; how many are left. */
unsigned int blkfront_unrevoked_retry(struct uk_blk *b);
/* Revokes every grant (retrying while the backend maps one) and frees what it may. */
void blkfront_release_all(struct uk_blk *b);

/* blkfront_rsp.c */
void blkfront_event(evtchn_port_t port, void *arg);
/* Wakes every waiter; fails what is in flight once the backend has gone or broke the ring. */
void blkfront_wake_all(struct uk_blk *b);
/* One part of req has ended with rc (0 or -errno); the request completes with its last. */
void blkfront_req_part_done(struct uk_blk_req *req, int rc);
/* Gives slot id back: its pages to the pool, its id to the free stack. */
void blkfront_slot_release(struct uk_blk *b, struct blkfront_shadow *s, uint16_t id);

#endif
