/*
 * blkfront's requests: a uk_blk_req is split into ring requests of at most
 * max_segs pages each (blkif_queue_rw_req in Linux), its data copied
 * through pool pages, and completed when every part has answered. A part of
 * more than 11 segments goes as BLKIF_OP_INDIRECT, its segments on the
 * slot's indirect page. Responses are consumed in the event handler
 * (blkif_interrupt): read data is copied out, the pages go back to the pool
 * and the slot to the free stack.
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

static void req_complete(struct uk_blk_req *req)
{
	req->finished = true;
	uk_waitq_wake_all(&req->wq);
	if (req->done)
		req->done(req, req->arg);
}

/* One part has ended with status rc; the request completes with its last part. */
static void req_part_done(struct uk_blk_req *req, int rc)
{
	if (rc < 0 && req->status == 0)
		req->status = rc;
	if (--req->parts_left == 0)
		req_complete(req);
}

static int rsp_errno(int16_t status)
{
	switch (status) {
	case BLKIF_RSP_OKAY:
		return 0;
	case BLKIF_RSP_EOPNOTSUPP:
		return -EOPNOTSUPP;
	default:
		return -EIO;
	}
}

/* Gives a slot back: its pages to the pool, its id to the free stack. */
static void slot_release(struct uk_blk *b, struct blkfront_shadow *s, uint16_t id)
{
	while (s->pages) {
		struct blkfront_page *p = s->pages;

		s->pages = p->next;
		blkfront_page_put(b, p);
	}
	s->busy = false;
	s->req = NULL;
	b->free_ids[b->nr_free++] = id;
	if (--b->inflight == 0)
		uk_waitq_wake_all(&b->idle_wq);
	uk_waitq_wake_one(&b->slot_wq);
}

/* A read's data, from the pages to the caller's buffer. */
static void copy_out(struct blkfront_shadow *s)
{
	uint8_t *dst = (uint8_t *)s->req->buf + s->buf_off;
	size_t left = s->bytes;

	for (struct blkfront_page *p = s->pages; p && left; p = p->next) {
		size_t n = left < UK_PAGE_SIZE ? left : UK_PAGE_SIZE;

		memcpy(dst, p->page, n);
		dst += n;
		left -= n;
	}
}

static void rsp_handle(struct uk_blk *b, const blkif_response_t *rsp)
{
	struct blkfront_shadow *s = rsp->id < b->ring_size ? &b->shadow[rsp->id] : NULL;
	struct uk_blk_req *req;
	int rc = rsp_errno(rsp->status);

	if (!s || !s->busy) {
		if (b->unknown_ids++ == 0)
			uk_printf("blkfront %u: response for unknown id %lu (status %d)\n", b->index,
				  (unsigned long)rsp->id, (int)rsp->status);
		return;
	}
	req = s->req;
	if (rc == 0 && req->op == UK_BLK_READ)
		copy_out(s);
	if (rc < 0)
		uk_printf("blkfront %u: %s of %zu bytes failed with status %d\n", b->index,
			  req->op == UK_BLK_READ ? "read" : req->op == UK_BLK_WRITE ? "write" : "flush",
			  s->bytes, (int)rsp->status);
	slot_release(b, s, (uint16_t)rsp->id);
	req_part_done(req, rc);
}

/* Every request in flight ends with rc: the backend went away or broke the ring. */
static void fail_inflight(struct uk_blk *b, int rc)
{
	for (unsigned int i = 0; b->shadow && i < b->ring_size; i++) {
		struct blkfront_shadow *s = &b->shadow[i];

		if (s->busy) {
			struct uk_blk_req *req = s->req;

			slot_release(b, s, (uint16_t)i);
			req_part_done(req, rc);
		}
	}
}

void blkfront_wake_all(struct uk_blk *b)
{
	if (b->backend_gone || b->broken)
		fail_inflight(b, -ENOTCONN);
	uk_waitq_wake_all(&b->slot_wq);
	uk_waitq_wake_all(&b->idle_wq);
}

static bool ring_overrun(struct uk_blk *b, RING_IDX prod)
{
	if ((RING_IDX)(prod - b->ring.rsp_cons) <= (RING_IDX)(b->ring.req_prod_pvt - b->ring.rsp_cons))
		return false;
	uk_printf("blkfront %u: backend overran the ring (rsp_prod %u, rsp_cons %u, req_prod %u); "
		  "device stopped\n", b->index, prod, b->ring.rsp_cons, b->ring.req_prod_pvt);
	b->broken = true;
	blkfront_wake_all(b);
	return true;
}

/* Scheduler context: consumes every response there is (blkif_interrupt). */
void blkfront_event(evtchn_port_t port, void *arg)
{
	struct uk_blk *b = arg;
	int more;

	if (!b->connected || b->broken)
		return;
	do {
		RING_IDX prod = __atomic_load_n(&b->ring.sring->rsp_prod, __ATOMIC_ACQUIRE);

		if (ring_overrun(b, prod))
			return;
		while (b->ring.rsp_cons != prod) {
			blkif_response_t rsp = *RING_GET_RESPONSE(&b->ring, b->ring.rsp_cons);

			/* Checks apply to our copy: don't let the compiler re-read shared memory. */
			__asm__ volatile("" ::: "memory");
			b->ring.rsp_cons++;
			rsp_handle(b, &rsp);
		}
		RING_FINAL_CHECK_FOR_RESPONSES(&b->ring, more);
	} while (more);
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
static void seg_fill(struct blkif_request_segment *seg, const struct blkfront_page *p,
		     size_t bytes_left)
{
	size_t n = bytes_left < UK_PAGE_SIZE ? bytes_left : UK_PAGE_SIZE;

	seg->gref = p->gref;
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
		seg_fill(&segs[i], p, left);
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
	if (!slot_fill(b, s, op == BLKIF_OP_WRITE ? (const uint8_t *)req->buf + buf_off : NULL,
		       bytes) ||
	    !ring_put(b, s, id, sector)) {
		s->req = NULL;
		slot_release(b, s, id);
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
			req_part_done(req, rc);
		req_part_done(req, 0);
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
				req_part_done(req, rc);
			break;
		}
	}
	req_part_done(req, 0);
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
