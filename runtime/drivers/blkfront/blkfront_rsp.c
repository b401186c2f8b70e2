/*
 * blkfront's responses (blkif_interrupt in Linux), consumed in the event
 * handler: read data is copied out to the caller's buffer (or, granted in
 * place, its grants revoked), the pages go back to the pool and the slot to the free stack, and a request completes with
 * its last part. A backend that overruns the ring or leaves fails what is
 * in flight with -ENOTCONN.
 */
#include <errno.h>
#include <string.h>

#include <uk/console.h>

#include "blkfront_private.h"

static void req_complete(struct uk_blk_req *req)
{
	req->finished = true;
	uk_waitq_wake_all(&req->wq);
	if (req->done)
		req->done(req, req->arg);
}

/* One part has ended with status rc; the request completes with its last part. */
void blkfront_req_part_done(struct uk_blk_req *req, int rc)
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
void blkfront_slot_release(struct uk_blk *b, struct blkfront_shadow *s, uint16_t id)
{
	blkfront_direct_end(b, s);
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
	unsigned int unrevoked = b->unrevoked;

	if (!s || !s->busy) {
		if (b->unknown_ids++ == 0)
			uk_printf("blkfront %u: response for unknown id %lu (status %d)\n", b->index,
				  (unsigned long)rsp->id, (int)rsp->status);
		return;
	}
	req = s->req;
	if (s->ndirect && !blkfront_direct_end(b, s)) {
		/* The backend answered yet still maps the caller's page: it may write it yet. */
		if (unrevoked == 0)
			uk_printf("blkfront %u: the backend still maps a page of a request it "
				  "answered; the request fails, and the grant is ended once the "
				  "backend lets go\n", b->index);
		rc = -EIO;
	}
	if (rc == 0 && req->op == UK_BLK_READ)
		copy_out(s);
	if (rc < 0)
		uk_printf("blkfront %u: %s of %zu bytes failed with status %d (%d)\n", b->index,
			  req->op == UK_BLK_READ ? "read" : req->op == UK_BLK_WRITE ? "write" : "flush",
			  s->bytes, (int)rsp->status, rc);
	blkfront_slot_release(b, s, (uint16_t)rsp->id);
	blkfront_req_part_done(req, rc);
}

/* Every request in flight ends with rc: the backend went away or broke the ring. */
static void fail_inflight(struct uk_blk *b, int rc)
{
	for (unsigned int i = 0; b->shadow && i < b->ring_size; i++) {
		struct blkfront_shadow *s = &b->shadow[i];

		if (s->busy) {
			struct uk_blk_req *req = s->req;

			blkfront_slot_release(b, s, (uint16_t)i);
			blkfront_req_part_done(req, rc);
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
	if (b->nr_unrevoked)
		blkfront_unrevoked_retry(b); /* the backend may have let go of a kept page */
}
