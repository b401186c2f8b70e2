/*
 * blkback's state and what its files share: blkback.c (the device, the
 * handshake, the ring), blkback_request.c (the checks of each request),
 * blkback_spec.c (--disk), blkback_capture.c (capture=), blkback_io.c (the
 * image in the thread pool, request order, flush) and blkback_powercut.c
 * (the volatile write cache and the cut).
 */
#ifndef SIM_BLKBACK_PRIVATE_H
#define SIM_BLKBACK_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/uio.h>
#include <uv.h>

#include "sim/xen_abi.h" /* the ring barriers, SIM_PAGE_SIZE: before <xen/io/blkif.h> */
#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/io/blkif.h>

#include "sim/backends/blkback.h"

#define BB_SECTORS_PER_PAGE ((unsigned int)(SIM_PAGE_SIZE / BLKBACK_SECTOR))
#define BB_MAX_SEGS 256u /* the most feature-max-indirect-segments may say */
/* Requests of this many bytes together make one piece of pool work at most. */
#define BB_BATCH_BYTES (128u * 1024)
#define BB_SEGS_PER_INDIRECT_PAGE \
	((unsigned int)(SIM_PAGE_SIZE / sizeof(struct blkif_request_segment)))

struct blkback_wcache;

/* One request on its way through the thread pool. */
struct bb_io {
	struct blkback *bb;
	uv_work_t work;
	struct bb_io *next;        /* waiting (queue), or answered and held (virtual clock) */
	struct bb_io *batch;       /* the next of the same piece of pool work */
	struct bb_io *run_next;    /* started and not yet done: bb->running */
	uint64_t seq;              /* taken off the ring as the seq-th request */
	int16_t status;            /* the response, once done */
	uint64_t id;               /* the guest's, echoed in the response */
	uint8_t operation;         /* as in the request, echoed */
	uint8_t op;                /* what to do: BLKIF_OP_READ, _WRITE, _FLUSH_DISKCACHE */
	bool flush;                /* fdatasync (after the data, if any) */
	unsigned int slot;         /* ring slot, for reports */
	unsigned int generation;   /* bb->generation when queued: a stale one is not answered */
	uint64_t offset;           /* bytes into the image */
	size_t len;
	/*
	 * Where the data is: the guest's pages mapped (nmapped > 0, the I/O goes
	 * straight to or from them, as Linux's blkback maps them), else a copy
	 * of len bytes in data, gathered and scattered by grant copy.
	 */
	uint8_t *data;
	unsigned int nmapped;
	uint8_t *old;              /* powercut: what the write replaced */
	unsigned int nseg;
	int result;                /* 0 or -errno from the worker */
	bool short_io;             /* the image ended early: changed underneath */
	/* The arrays last: a new bb_io is zeroed up to seg (nseg, nmapped bound them). */
	struct blkif_request_segment seg[BB_MAX_SEGS];
	struct iovec iov[BB_MAX_SEGS];
	grant_handle_t handle[BB_MAX_SEGS];
};

struct blkback {
	struct sim_domain *dom;
	struct xenbus_backend *xb;
	struct blkback_config cfg;
	char name[24];             /* "vbd xvda" for reports */

	bool connected;
	unsigned int generation;   /* bumped at each disconnect */
	blkif_back_ring_t ring;    /* its sring is page 0: the indexes; entries via ring_page */
	unsigned int nr_ring_pages;
	uint8_t *ring_page[1u << BLKBACK_MAX_RING_ORDER]; /* each where the guest has it */
	grant_handle_t ring_handles[1u << BLKBACK_MAX_RING_ORDER];
	evtchn_port_t port;
	bool broken;               /* the producer overran: the ring is no longer read */

	/* blkback_io.c */
	unsigned int inflight;     /* in the thread pool */
	bool barrier_running;      /* a flush is in the pool: the rest waits */
	struct bb_io *queue_head, *queue_tail;
	struct bb_io *running;     /* started, not done: a request overlapping one waits */
	struct bb_io *held;        /* done, answered in request order (virtual clock) */
	uint64_t next_seq;
	struct bb_io *open_batch, *open_tail; /* started, not yet handed to the pool */
	size_t open_bytes;
	bool serial;               /* powercut: one request at a time */
	struct bb_io *spare;       /* freed bb_io kept for the next request */
	unsigned int nspare;
	unsigned int hold_push;    /* responses written, pushed at blkback_push_responses */
	bool no_nowait;            /* the image's file system refused RWF_NOWAIT */
	uint64_t reads_now;        /* reads the page cache answered on the loop, no pool trip */

	struct blkback_wcache *wcache; /* powercut only */
	struct blkback_capture *capture; /* capture=FILE (blkback_capture.c) */
	struct blkback_stats stats;
};

/*
 * blkback.c: the response for a request, pushed at once, or with the rest
 * at blkback_push_responses when hold_push is set (a batch's answers, one
 * event for all of them, as Linux's make_response/notify pair per batch).
 */
void blkback_respond(struct blkback *bb, uint64_t id, uint8_t operation, int16_t status);
void blkback_push_responses(struct blkback *bb);

/* blkback_request.c: one request copied off the ring, checked, then started. */
void blkback_dispatch(struct blkback *bb, const blkif_request_t *req, unsigned int slot);

/* blkback_io.c */
struct bb_io *blkback_io_new(struct blkback *bb);
/*
 * Maps io's segments for its I/O (a write's read-only); false, nothing left
 * mapped, when one cannot be: io then goes through a buffer and grant
 * copies, which check (and report) each segment as before.
 */
bool blkback_io_map(struct blkback *bb, struct bb_io *io);
/* Unmaps, frees its buffers, keeps io for the next request. */
void blkback_io_free(struct bb_io *io);
/* Frees the kept ones (destroy). */
void blkback_io_free_spares(struct blkback *bb);
/* Starts io (into the batch being formed), or queues it behind a flush in progress. */
void blkback_io_submit(struct blkback *bb, struct bb_io *io);
/* Hands the batch being formed to the pool: after a pass over the ring. */
void blkback_io_kick(struct blkback *bb);
/* Runs the loop until nothing is in the thread pool (destroy only). */
void blkback_io_drain(struct blkback *bb);

/* blkback_capture.c: a line per request and per response (docs/block.md). */
int blkback_capture_open(struct blkback *bb, char *err, size_t errlen);
void blkback_capture_close(struct blkback *bb);
void blkback_capture_request(struct blkback *bb, const struct bb_io *io);
void blkback_capture_refused(struct blkback *bb, const blkif_request_t *req, unsigned int slot);
void blkback_capture_response(struct blkback *bb, uint64_t id, uint8_t operation,
			      int16_t status);
void blkback_capture_note(struct blkback *bb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* blkback_powercut.c */
int blkback_wcache_create(struct blkback *bb);
void blkback_wcache_destroy(struct blkback *bb);
/* A write completed (io->old holds what it replaced): kept as unflushed, maybe the cut. */
void blkback_wcache_wrote(struct blkback *bb, struct bb_io *io);
/* A flush completed: every write before it is durable. */
void blkback_wcache_flushed(struct blkback *bb);

#endif
