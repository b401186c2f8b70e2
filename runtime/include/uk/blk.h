/*
 * Block devices for applications: the disks the toolstack gave the domain
 * (device/vbd/<N>, xl's disk= or drydock's --disk), served by blkfront, the
 * Xen PV block frontend (runtime/drivers/blkfront/), the same driver in the
 * sim build and on Xen.
 *
 * Addresses and lengths are in the device's logical sectors
 * (uk_blk_info.sector_size bytes, 512 unless the backend says otherwise).
 * Buffers may be anywhere and of any alignment. One that starts on a page
 * boundary in memory from uk_page_alloc, uk_pages_alloc or uk_malloc, and
 * whose length is whole pages, is granted to the backend in place for the time of the request, read-only
 * for a write (no copy: the fast path); any other is copied through pages
 * the driver granted once and reuses. Either way the caller must leave the
 * buffer alone until the request completes. A request larger than one ring request carries is split;
 * it completes when every part has, with the first error any part met.
 *
 * Ordering: requests in flight at the same time may complete in any order.
 * A write has reached the disk's volatile cache when it completes; it
 * survives a power cut only after a later uk_blk_flush has completed (the
 * backend's feature-flush-cache, or a barrier when only feature-barrier is
 * offered). Without either feature uk_blk_flush returns -EOPNOTSUPP.
 *
 * Errors read as what happened: -EINVAL for a range past the end, a zero
 * count, a NULL buffer; -EROFS for a write to a read-only disk; -EIO when
 * the backend answered BLKIF_RSP_ERROR; -EOPNOTSUPP for BLKIF_RSP_EOPNOTSUPP;
 * -ENOTCONN once the backend has gone or the device is closing.
 *
 * Calls that wait must be made from a thread; several threads may have
 * requests in flight on one device at once. The asynchronous form
 * (uk_blk_submit) lets one thread keep many in flight.
 */
#ifndef UK_BLK_H
#define UK_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uk/sched.h>

struct uk_blk;

struct uk_blk_info {
	uint64_t sectors;              /* capacity, in sector_size units */
	uint32_t sector_size;          /* logical sector, bytes (backend's sector-size) */
	uint32_t physical_sector_size; /* bytes (physical-sector-size; sector_size if absent) */
	bool readonly;                 /* info has VDISK_READONLY */
	bool removable;                /* info has VDISK_REMOVABLE */
	bool flush;                    /* feature-flush-cache */
	bool barrier;                  /* feature-barrier */
	unsigned int max_segments;     /* pages one ring request carries (11, or indirect) */
	unsigned int ring_pages;       /* pages of the shared ring (multi-page ring) */
};

enum uk_blk_op {
	UK_BLK_READ,
	UK_BLK_WRITE,
	UK_BLK_FLUSH,
};

struct uk_blk_req;
/*
 * Runs when req has completed (req->status is set): between threads, like an
 * event handler, or inside uk_blk_submit when a part could not be queued. It
 * must not block; it may wake threads.
 */
typedef void (*uk_blk_done_fn)(struct uk_blk_req *req, void *arg);

/*
 * An asynchronous request: filled in by the caller, owned by the driver
 * from uk_blk_submit until it completes.
 */
struct uk_blk_req {
	enum uk_blk_op op;
	uint64_t sector;        /* first sector (READ, WRITE) */
	size_t count;           /* sectors (READ, WRITE) */
	void *buf;              /* count * sector_size bytes; const for WRITE */
	uk_blk_done_fn done;    /* may be NULL: use uk_blk_wait */
	void *arg;
	int status;             /* 0 or a negative errno once done */

	/* private: */
	struct uk_blk *blk;
	unsigned int parts_left;
	bool finished;
	struct uk_waitq wq;
};

/* How many disks the toolstack gave this domain (entries under device/vbd). */
int uk_blk_count(void);
/*
 * Connects disk number index (the entries of device/vbd in ascending device
 * number: xvda before xvdb), waiting up to timeout_ns of guest time
 * (0: forever) for the backend. -ENOENT when there is no such disk,
 * -ETIMEDOUT when the backend never connects, -ENODEV when it closes.
 */
int uk_blk_open(unsigned int index, uint64_t timeout_ns, struct uk_blk **out);
void uk_blk_get_info(const struct uk_blk *blk, struct uk_blk_info *info);
/*
 * Starts req. Returns 0 (req completes later: its done runs, uk_blk_wait
 * returns), or a negative errno without starting it (-EINVAL, -EROFS,
 * -ENOTCONN, -EOPNOTSUPP for a flush the disk cannot do). Waits while the
 * ring is full.
 */
int uk_blk_submit(struct uk_blk *blk, struct uk_blk_req *req);
/* Waits until req (submitted) has completed; returns its status. */
int uk_blk_wait(struct uk_blk_req *req);
/* The blocking forms: submit and wait. */
int uk_blk_read(struct uk_blk *blk, uint64_t sector, void *buf, size_t count);
int uk_blk_write(struct uk_blk *blk, uint64_t sector, const void *buf, size_t count);
int uk_blk_flush(struct uk_blk *blk);
/*
 * Waits for the requests in flight, disconnects (Closing -> Closed), ends
 * every grant and frees the device.
 */
int uk_blk_close(struct uk_blk *blk);

#endif
