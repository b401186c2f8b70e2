/*
 * blkback's image I/O, in libuv's thread pool so the loop never waits on the
 * disk. The grant copies stay on the loop: a write's data is gathered from
 * the guest before its work is queued, a read's data scattered to the guest
 * after. Small requests taken off the ring together go to one pool thread as
 * a batch: handing each to the pool alone costs more than the read.
 *
 * Order, as Linux's blkback keeps it for REQ_PREFLUSH: a flush (or barrier)
 * starts only when everything before it has completed, and nothing after it
 * starts until it has. A request whose sectors overlap those of one still
 * in the pool (either a write) waits for it, as the block layer would not
 * reorder them, so the image ends the same on every run. Under the virtual
 * clock, guest time stands still while the pool works (sim_io_begin), and
 * responses are held until the device's pool work is all done, then pushed
 * in request order, so the guest sees the same answers at the same points
 * on every run, whichever pool thread finished first.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/backends/blkback_private.h"
#include "sim/backends/xenbus_backend.h"
#include "sim/domain.h"
#include "sim/gnttab.h"
#include "sim/report.h"

/* Spare bb_io kept: a ring's worth of requests needs no allocation. */
#define BB_MAX_SPARE 64u

struct bb_io *blkback_io_new(struct blkback *bb)
{
	struct bb_io *io = bb->spare;

	if (io) {
		bb->spare = io->next;
		bb->nspare--;
	} else if (!(io = malloc(sizeof(*io)))) {
		return NULL;
	}
	/* Everything but the arrays, which nseg and nmapped bound. */
	memset(io, 0, offsetof(struct bb_io, seg));
	io->bb = bb;
	io->generation = bb->generation;
	return io;
}

/* xen_blkbk_unmap: the segments' pages, once the I/O is over. */
static void unmap(struct bb_io *io)
{
	while (io->nmapped > 0)
		sim_gnttab_unmap(io->bb->dom, io->handle[--io->nmapped]);
}

/*
 * xen_blkbk_map: each segment's page, writable for a read (the disk writes
 * it), read-only for a write, with the checks of GNTTABOP_map_grant_ref.
 */
bool blkback_io_map(struct blkback *bb, struct bb_io *io)
{
	for (unsigned int i = 0; i < io->nseg; i++) {
		const struct blkif_request_segment *s = &io->seg[i];
		void *page;

		if (sim_gnttab_map(bb->dom, 0, s->gref, io->op == BLKIF_OP_WRITE, &page,
				   &io->handle[i]) != GNTST_okay) {
			unmap(io);
			return false;
		}
		io->nmapped++;
		io->iov[i].iov_base = (uint8_t *)page + s->first_sect * BLKBACK_SECTOR;
		io->iov[i].iov_len = (size_t)(s->last_sect - s->first_sect + 1) * BLKBACK_SECTOR;
	}
	return true;
}

void blkback_io_free(struct bb_io *io)
{
	struct blkback *bb;

	if (!io)
		return;
	bb = io->bb;
	unmap(io);
	free(io->data);
	free(io->old);
	if (bb->nspare >= BB_MAX_SPARE) {
		free(io);
		return;
	}
	io->next = bb->spare;
	bb->spare = io;
	bb->nspare++;
}

void blkback_io_free_spares(struct blkback *bb)
{
	while (bb->spare) {
		struct bb_io *io = bb->spare;

		bb->spare = io->next;
		free(io);
	}
	bb->nspare = 0;
}

/* pread/pwrite all of it; -EIO and short_io when the image ends early. */
static int rw_all(struct bb_io *io, int fd, uint8_t *buf, bool write)
{
	size_t done = 0;

	while (done < io->len) {
		ssize_t n = write ? pwrite(fd, buf + done, io->len - done, (off_t)(io->offset + done))
				  : pread(fd, buf + done, io->len - done, (off_t)(io->offset + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0) {
			io->short_io = true;
			return -EIO;
		}
		done += (size_t)n;
	}
	return 0;
}

/* preadv/pwritev over the mapped pages; io->iov is used up. -EIO and short_io as rw_all. */
static int rw_iov(struct bb_io *io, int fd, bool write)
{
	struct iovec *iov = io->iov;
	unsigned int n = io->nmapped;
	uint64_t pos = io->offset;

	while (n > 0) {
		ssize_t got = write ? pwritev(fd, iov, (int)n, (off_t)pos)
				    : preadv(fd, iov, (int)n, (off_t)pos);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		if (got == 0) {
			io->short_io = true;
			return -EIO;
		}
		pos += (uint64_t)got;
		for (; n > 0 && (size_t)got >= iov->iov_len; n--, iov++)
			got -= (ssize_t)iov->iov_len;
		if (n > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + got;
			iov->iov_len -= (size_t)got;
		}
	}
	return 0;
}

/* The data: straight to or from the guest's mapped pages, else io's buffer. */
static int rw_data(struct bb_io *io, int fd, bool write)
{
	return io->nmapped ? rw_iov(io, fd, write) : rw_all(io, fd, io->data, write);
}

/*
 * A pool thread: only the file, io's own buffers and the guest pages io
 * has mapped (the guest leaves them alone until the response), never the
 * simulator.
 */
static void work(uv_work_t *w)
{
	struct bb_io *io = w->data;
	int fd = io->bb->cfg.fd;

	io->result = 0;
	if (io->op == BLKIF_OP_READ) {
		io->result = rw_data(io, fd, false);
	} else if (io->op == BLKIF_OP_WRITE) {
		/* Power-cut testing keeps what the write replaces, to undo it at the cut. */
		if (io->old)
			io->result = rw_all(io, fd, io->old, false);
		if (io->result == 0)
			io->result = rw_data(io, fd, true);
	}
	if (io->result == 0 && io->flush && fdatasync(fd) < 0)
		io->result = -errno;
}

/* A read's data, to the guest's pages by grant copy. */
static int scatter(struct blkback *bb, struct bb_io *io)
{
	size_t off = 0;

	for (unsigned int i = 0; i < io->nseg; i++) {
		const struct blkif_request_segment *s = &io->seg[i];
		uint16_t n = (uint16_t)((s->last_sect - s->first_sect + 1) * BLKBACK_SECTOR);
		int16_t st = sim_gnttab_copy_to(bb->dom, 0, s->gref,
						(uint16_t)(s->first_sect * BLKBACK_SECTOR),
						io->data + off, n);

		if (st != GNTST_okay) {
			sim_report_violation(bb->dom, "%s slot %u (id %llu): segment %u: grant copy "
					     "to ref %u failed with %s%s", bb->name, io->slot,
					     (unsigned long long)io->id, i, s->gref,
					     sim_gnttab_status_name(st),
					     st == GNTST_general_error
						     ? " (a read needs a writable grant)" : "");
			return -EINVAL;
		}
		off += n;
	}
	return 0;
}

/* io and a request in the pool touch a common sector, and one of them writes. */
static bool overlaps_running(const struct blkback *bb, const struct bb_io *io)
{
	for (const struct bb_io *r = bb->running; r; r = r->run_next)
		if ((r->op == BLKIF_OP_WRITE || io->op == BLKIF_OP_WRITE) &&
		    io->offset < r->offset + r->len && r->offset < io->offset + io->len)
			return true;
	return false;
}

static bool can_start(const struct blkback *bb, const struct bb_io *io)
{
	return !bb->barrier_running && !(io->flush && bb->inflight > 0) &&
	       !(bb->serial && bb->inflight > 0) && !overlaps_running(bb, io);
}

static void running_remove(struct blkback *bb, struct bb_io *io)
{
	for (struct bb_io **p = &bb->running; *p; p = &(*p)->run_next)
		if (*p == io) {
			*p = io->run_next;
			return;
		}
}

static void done(uv_work_t *w, int status);

/* A pool thread: the requests of one batch, in order. */
static void work_batch(uv_work_t *w)
{
	for (struct bb_io *io = w->data; io; io = io->batch)
		work(&io->work);
}

/* Queues the batch being formed as one piece of pool work. */
void blkback_io_kick(struct blkback *bb)
{
	struct bb_io *lead = bb->open_batch;

	if (!lead)
		return;
	bb->open_batch = bb->open_tail = NULL;
	bb->open_bytes = 0;
	sim_io_begin(bb->dom->sim);
	if (uv_queue_work(sim_loop(bb->dom->sim), &lead->work, work_batch, done) < 0) {
		for (struct bb_io *io = lead; io; io = io->batch)
			io->result = -EIO;
		done(&lead->work, 0);
	}
}

/*
 * Starts io: into the batch being formed, which one pool thread works
 * through, when both are small reads or writes (a handoff to the pool costs
 * more than a page-cache read), else into a batch of its own. A flush goes
 * alone and at once.
 */
static void start(struct blkback *bb, struct bb_io *io)
{
	io->work.data = io;
	io->batch = NULL;
	io->run_next = bb->running;
	bb->running = io;
	if (io->flush)
		bb->barrier_running = true;
	bb->inflight++;
	if (bb->inflight > bb->stats.max_inflight)
		bb->stats.max_inflight = bb->inflight;
	if (bb->open_batch && !io->flush && bb->open_bytes + io->len <= BB_BATCH_BYTES) {
		bb->open_tail->batch = io;
		bb->open_tail = io;
		bb->open_bytes += io->len;
		return;
	}
	blkback_io_kick(bb);
	bb->open_batch = bb->open_tail = io;
	bb->open_bytes = io->len;
	if (io->flush)
		blkback_io_kick(bb);
}

static void pump(struct blkback *bb)
{
	while (bb->queue_head && can_start(bb, bb->queue_head)) {
		struct bb_io *io = bb->queue_head;

		if (!(bb->queue_head = io->next))
			bb->queue_tail = NULL;
		io->next = NULL;
		start(bb, io);
	}
	blkback_io_kick(bb);
}

static bool read_now(struct blkback *bb, struct bb_io *io);

void blkback_io_submit(struct blkback *bb, struct bb_io *io)
{
	io->seq = bb->next_seq++;
	if (!bb->queue_head && can_start(bb, io) && read_now(bb, io))
		return;
	if (bb->serial && io->op == BLKIF_OP_WRITE && io->len && !(io->old = malloc(io->len))) {
		blkback_respond(bb, io->id, io->operation, BLKIF_RSP_ERROR);
		blkback_io_free(io);
		return;
	}
	if (!bb->queue_head && can_start(bb, io)) {
		start(bb, io);
		return;
	}
	if (bb->queue_tail)
		bb->queue_tail->next = io;
	else
		bb->queue_head = io;
	bb->queue_tail = io;
}

static void count(struct blkback *bb, const struct bb_io *io)
{
	if (io->op == BLKIF_OP_READ) {
		bb->stats.reads++;
		bb->stats.sectors_read += io->len / BLKBACK_SECTOR;
	} else if (io->op == BLKIF_OP_WRITE) {
		bb->stats.writes++;
		bb->stats.sectors_written += io->len / BLKBACK_SECTOR;
	}
	if (io->flush)
		bb->stats.flushes++;
}

/* The loop again: the response's status; the pages reached, the stats counted. */
static int16_t finish(struct blkback *bb, struct bb_io *io)
{
	int16_t st = BLKIF_RSP_OKAY;

	if (io->result < 0) {
		sim_log("%s: %s of %zu bytes at byte %llu of '%s' failed: %s", bb->name,
			io->op == BLKIF_OP_READ ? "read" : io->op == BLKIF_OP_WRITE ? "write" : "flush",
			io->len, (unsigned long long)io->offset, bb->cfg.target,
			io->short_io ? "the image is shorter than when it was opened (changed "
				       "underneath?)" : strerror(-io->result));
		st = BLKIF_RSP_ERROR;
	} else if (io->op == BLKIF_OP_READ && !io->nmapped && scatter(bb, io) < 0) {
		st = BLKIF_RSP_ERROR;
	}
	unmap(io); /* before the response: the guest may end its grants then */
	if (st == BLKIF_RSP_OKAY)
		count(bb, io);
	if (bb->wcache && st == BLKIF_RSP_OKAY && io->op == BLKIF_OP_WRITE)
		blkback_wcache_wrote(bb, io); /* may cut the power: the guest stops here */
	if (bb->wcache && st == BLKIF_RSP_OKAY && io->flush)
		blkback_wcache_flushed(bb);
	return st;
}

/* Answers the guest, unless it disconnected or stopped meanwhile. */
static void answer(struct blkback *bb, struct bb_io *io)
{
	if (io->generation == bb->generation && bb->connected &&
	    bb->dom->state == SIM_DOMAIN_RUNNING)
		blkback_respond(bb, io->id, io->operation, io->status);
}

/* Virtual clock: keeps an answered io until the pool is idle, in request order. */
static void hold(struct blkback *bb, struct bb_io *io)
{
	struct bb_io **p = &bb->held;

	free(io->data); /* only the response is left to give */
	io->data = NULL;
	while (*p && (*p)->seq < io->seq)
		p = &(*p)->next;
	io->next = *p;
	*p = io;
}

/* The pool is idle: every held response, in request order. */
static void release_held(struct blkback *bb)
{
	struct bb_io *io;

	while ((io = bb->held)) {
		bb->held = io->next;
		answer(bb, io);
		blkback_io_free(io);
	}
}

static bool virtual_clock(const struct blkback *bb)
{
	return sim_config(bb->dom->sim)->clock == SIM_CLOCK_VIRTUAL;
}

static void done(uv_work_t *w, int status)
{
	struct bb_io *io = w->data, *next;
	struct blkback *bb = io->bb;

	sim_io_end(bb->dom->sim);
	bb->hold_push++; /* the batch's answers, then one event */
	for (; io; io = next) {
		next = io->batch;
		bb->inflight--;
		running_remove(bb, io);
		if (io->flush)
			bb->barrier_running = false;
		if (status < 0 && io->result == 0)
			io->result = -EIO;
		if (io->generation != bb->generation || !bb->connected) {
			blkback_io_free(io);
			continue;
		}
		io->status = finish(bb, io);
		if (virtual_clock(bb)) {
			hold(bb, io);
			continue;
		}
		answer(bb, io);
		blkback_io_free(io);
	}
	pump(bb);
	if (bb->inflight == 0 && !bb->queue_head)
		release_held(bb);
	bb->hold_push--;
	blkback_push_responses(bb);
}

/*
 * A read the page cache holds, done at once on the loop: preadv2 with
 * RWF_NOWAIT returns EAGAIN (or less) rather than wait for the disk, so the
 * loop never blocks, and a cached read skips the thread pool's round trip,
 * which costs more than the read. Whatever it cannot do whole goes to the
 * pool as before. Never under the virtual clock: the answer would reach
 * the guest inside its notify hypercall or at its next block depending on
 * what the host's page cache held, and a run must repeat exactly.
 */
static bool read_now(struct blkback *bb, struct bb_io *io)
{
	ssize_t n;

	if (io->op != BLKIF_OP_READ || !io->nmapped || bb->no_nowait || io->flush ||
	    virtual_clock(bb))
		return false;
	n = preadv2(bb->cfg.fd, io->iov, (int)io->nmapped, (off_t)io->offset, RWF_NOWAIT);
	if (n < 0 && (errno == EOPNOTSUPP || errno == ENOSYS || errno == EINVAL))
		bb->no_nowait = true; /* an old kernel or a file system without it */
	if (n != (ssize_t)io->len)
		return false;
	bb->reads_now++;
	io->result = 0;
	io->status = finish(bb, io);
	answer(bb, io);
	blkback_io_free(io);
	return true;
}

void blkback_io_drain(struct blkback *bb)
{
	blkback_io_kick(bb);
	while (bb->inflight > 0 || bb->queue_head) {
		if (bb->inflight == 0) {
			/* Nothing running yet something queued: it cannot wait for anything. */
			pump(bb);
			continue;
		}
		uv_run(sim_loop(bb->dom->sim), UV_RUN_ONCE);
	}
}
