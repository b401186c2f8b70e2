/*
 * blkfront's requests: a uk_blk_req is split into ring requests of at most
 * max_segs pages each (blkif_queue_rw_req in Linux), its data granted in
 * place when the part is whole pages of allocator memory, else copied
 * through pool pages, and completed when every part has answered
 * (blkfront_rsp.c). A part of more than 11 segments goes as
 * BLKIF_OP_INDIRECT, its segments on the slot's indirect page.
 */
#include <errno.h>
#include <string.h>

#include <uk/console.h>

#include "blkfront_private.h"

/* Bytes per logical sector, and logical sectors to blkif's 512-byte ones. */
static uint64_t ring_sector(const struct uk_blk *b, uint64_t sector)
{
	return sector * (b->info.sector_size / BLKFRONT_SECTOR);
}

/* Waits for a free slot; -ENOTCONN once the device is unusable. */
static int slot_wait(struct uk_blk *b)
{
	for (;;) {
		if (!blkfront_usable(b))
			return -ENOTCONN;
		if (b->nr_free > 0 && !RING_FULL(&b->ring))
			return 0;
		uk_waitq_wait(&b->slot_wq, 0);
	}
}

/* Takes the pages for bytes of data (copying a write's data in); false without memory. */
static bool slot_fill(struct uk_blk *b, struct blkfront_shadow *s, const uint8_t *src,
		      size_t bytes)
{
	struct blkfront_page **tail = &s->pages;

	for (size_t off = 0; off < bytes; off += UK_PAGE_SIZE) {
		struct blkfront_page *p = blkfront_page_get(b);
		size_t n = bytes - off < UK_PAGE_SIZE ? bytes - off : UK_PAGE_SIZE;

		if (!p)
			return false;
		*tail = p;
		tail = &p->next;
		if (src)
			memcpy(p->page, src + off, n);
	}
	return true;
}

/* Segment i of a part of `bytes`: the whole page but for a short last one. */
static void seg_fill(struct blkif_request_segment *seg, grant_ref_t gref, size_t bytes_left)
{
	size_t n = bytes_left < UK_PAGE_SIZE ? bytes_left : UK_PAGE_SIZE;

	seg->gref = gref;
	seg->first_sect = 0;
	seg->last_sect = (uint8_t)(n / BLKFRONT_SECTOR - 1);
}

static unsigned int part_segs(size_t bytes)
{
	return (unsigned int)((bytes + UK_PAGE_SIZE - 1) / UK_PAGE_SIZE);
}

/* Writes the ring request for slot id; false when no indirect page could be had. */
static bool ring_put(struct uk_blk *b, struct blkfront_shadow *s, uint16_t id, uint64_t sector)
{
	blkif_request_t *rq = RING_GET_REQUEST(&b->ring, b->ring.req_prod_pvt);
	unsigned int nseg = part_segs(s->bytes);
	struct blkif_request_segment *segs = rq->seg;
	size_t left = s->bytes;

	if (nseg > BLKIF_MAX_SEGMENTS_PER_REQUEST) {
		blkif_request_indirect_t *ind = (blkif_request_indirect_t *)rq;
		struct blkfront_page *ip = blkfront_indirect_page(b, s);

		if (!ip)
			return false;
		memset(ind, 0, sizeof(*ind));
		ind->operation = BLKIF_OP_INDIRECT;
		ind->indirect_op = s->inner_op;
		ind->nr_segments = (uint16_t)nseg;
		ind->id = id;
		ind->sector_number = sector;
		ind->handle = (blkif_vdev_t)b->devid;
		ind->indirect_grefs[0] = ip->gref;
		segs = ip->page;
	} else {
		rq->operation = s->op;
		rq->nr_segments = (uint8_t)nseg;
		rq->handle = (blkif_vdev_t)b->devid;
		rq->id = id;
		rq->sector_number = sector;
	}
	unsigned int i = 0;
	for (struct blkfront_page *p = s->pages; p && i < nseg; p = p->next, i++) {
		seg_fill(&segs[i], p->gref, left);
		left -= left < UK_PAGE_SIZE ? left : UK_PAGE_SIZE;
	}
	for (i = 0; i < s->ndirect && i < nseg; i++) {
		seg_fill(&segs[i], s->direct[i], left);
		left -= left < UK_PAGE_SIZE ? left : UK_PAGE_SIZE;
	}
	return true;
}

static void ring_push(struct uk_blk *b)
{
	int notify;

	b->ring.req_prod_pvt++;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&b->ring, notify);
	if (notify)
		evtchn_send(b->port);
}

/*
 * A part of whole pages of the allocator's RAM goes without a copy: the
 * caller's pages are granted for it (read-only for a write). Whole pages
 * only, so the backend is never handed memory beyond the buffer.
 */
static bool direct(struct uk_blk *b, struct blkfront_shadow *s, const uint8_t *buf,
		   size_t bytes, uint8_t op)
{
	return bytes > 0 && (uintptr_t)buf % UK_PAGE_SIZE == 0 && bytes % UK_PAGE_SIZE == 0 &&
	       uk_page_owns(buf, bytes) &&
	       blkfront_direct_grant(b, s, buf, bytes, op == BLKIF_OP_WRITE);
}

/* Queues one part: bytes of req at buf_off, to ring sector `sector`. */
static int part_submit(struct uk_blk *b, struct uk_blk_req *req, uint8_t op, size_t buf_off,
		       size_t bytes, uint64_t sector)
{
	struct blkfront_shadow *s;
	uint16_t id;
	int rc;

	if ((rc = slot_wait(b)) < 0)
		return rc;
	id = b->free_ids[--b->nr_free];
	s = &b->shadow[id];
	s->busy = true;
	s->req = req;
	s->inner_op = op;
	s->op = part_segs(bytes) > BLKIF_MAX_SEGMENTS_PER_REQUEST ? BLKIF_OP_INDIRECT : op;
	s->buf_off = buf_off;
	s->bytes = bytes;
	s->pages = NULL;
	b->inflight++;
	if (!direct(b, s, (const uint8_t *)req->buf + buf_off, bytes, op) &&
	    !slot_fill(b, s, op == BLKIF_OP_WRITE ? (const uint8_t *)req->buf + buf_off : NULL,
		       bytes)) {
		s->req = NULL;
		blkfront_slot_release(b, s, id);
		return -ENOMEM;
	}
	if (!ring_put(b, s, id, sector)) {
		s->req = NULL;
		blkfront_slot_release(b, s, id);
		return -ENOMEM;
	}
	ring_push(b);
	return 0;
}

static int flush_op(const struct uk_blk *b)
{
	if (b->info.flush)
		return BLKIF_OP_FLUSH_DISKCACHE;
	if (b->info.barrier)
		return BLKIF_OP_WRITE_BARRIER;
	return -EOPNOTSUPP;
}

static int req_check(struct uk_blk *b, struct uk_blk_req *req)
{
	if (!b || !req || req->op > UK_BLK_FLUSH)
		return -EINVAL;
	if (!blkfront_usable(b))
		return -ENOTCONN;
	if (req->op == UK_BLK_FLUSH)
		return flush_op(b) < 0 ? -EOPNOTSUPP : 0;
	if (!req->buf || req->count == 0 || req->sector >= b->info.sectors ||
	    req->count > b->info.sectors - req->sector ||
	    req->count > SIZE_MAX / b->info.sector_size)
		return -EINVAL;
	if (req->op == UK_BLK_WRITE && b->info.readonly)
		return -EROFS;
	return 0;
}

static void req_init(struct uk_blk *b, struct uk_blk_req *req, unsigned int parts)
{
	req->blk = b;
	req->status = 0;
	req->finished = false;
	req->parts_left = parts + 1; /* one for the submitter, until every part is queued */
	uk_waitq_init(&req->wq);
}

static int submit(struct uk_blk *b, struct uk_blk_req *req)
{
	size_t total, chunk, off;
	uint8_t op;
	int rc;

	if (req->op == UK_BLK_FLUSH) {
		req_init(b, req, 1);
		if ((rc = part_submit(b, req, (uint8_t)flush_op(b), 0, 0, 0)) < 0)
			blkfront_req_part_done(req, rc);
		blkfront_req_part_done(req, 0);
		return 0;
	}
	op = req->op == UK_BLK_READ ? BLKIF_OP_READ : BLKIF_OP_WRITE;
	total = req->count * b->info.sector_size;
	chunk = (size_t)b->max_segs * UK_PAGE_SIZE;
	req_init(b, req, (unsigned int)((total + chunk - 1) / chunk));
	for (off = 0; off < total; off += chunk) {
		size_t n = total - off < chunk ? total - off : chunk;
		uint64_t sector = ring_sector(b, req->sector) + off / BLKFRONT_SECTOR;

		if ((rc = part_submit(b, req, op, off, n, sector)) < 0) {
			/* This part and every later one end here, with rc. */
			for (size_t rest = off; rest < total; rest += chunk)
				blkfront_req_part_done(req, rc);
			break;
		}
	}
	blkfront_req_part_done(req, 0);
	return 0;
}

int uk_blk_submit(struct uk_blk *b, struct uk_blk_req *req)
{
	int rc;

	if ((rc = req_check(b, req)) < 0)
		return rc;
	b->users++;
	rc = submit(b, req);
	if (--b->users == 0 && b->closing)
		uk_waitq_wake_all(&b->idle_wq);
	return rc;
}

int uk_blk_wait(struct uk_blk_req *req)
{
	while (!req->finished)
		uk_waitq_wait(&req->wq, 0);
	return req->status;
}

static int blk_sync(struct uk_blk *b, enum uk_blk_op op, uint64_t sector, void *buf,
		    size_t count)
{
	struct uk_blk_req req = { .op = op, .sector = sector, .count = count, .buf = buf };
	int rc = uk_blk_submit(b, &req);

	return rc < 0 ? rc : uk_blk_wait(&req);
}

int uk_blk_read(struct uk_blk *b, uint64_t sector, void *buf, size_t count)
{
	return blk_sync(b, UK_BLK_READ, sector, buf, count);
}

int uk_blk_write(struct uk_blk *b, uint64_t sector, const void *buf, size_t count)
{
	return blk_sync(b, UK_BLK_WRITE, sector, (void *)buf, count);
}

int uk_blk_flush(struct uk_blk *b)
{
	return blk_sync(b, UK_BLK_FLUSH, 0, NULL, 0);
}
