/*
 * capture=FILE for a disk: a text log, one line per request blkback takes
 * off the ring and one per response it puts back, stamped with guest time,
 * so a user can read what a frontend asked and what it got (docs/block.md):
 *
 *   # drydock vbd capture 1: vbd xvda, image disk.img, 2048 sectors of 512 bytes
 *   0.001234567 req slot 0 id 7 write sectors 16+8 segs 1
 *   0.001234567 req slot 1 id 8 op 5 segs 1 sector 0 refused
 *   0.001240000 rsp id 7 write okay
 *   0.001240000 powercut write 4: 3 unflushed, 1 kept, 1 lost, 1 torn
 *
 * Times are seconds.nanoseconds of guest time; a request's sectors are
 * FIRST+COUNT in 512-byte sectors; statuses are okay, error, eopnotsupp
 * (BLKIF_RSP_*) or the number.
 *
 * The lines are whole records of a trace_recbuf (traces/recbuf.h), as a vif
 * capture's frames are: they reach the file when the buffer fills, when the
 * simulator's loop goes idle (blkback_flush, with the vifs' captures), at
 * exit, and from a second SIGINT/SIGTERM's handler (blkback_flush_in_signal),
 * so no line is lost to a stdio buffer or cut in half on disk. The domain
 * lists the disks that log (disk_logs) for those flushes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/backends/blkback_private.h"
#include "sim/domain.h"
#include "sim/report.h"
#include "sim/sim.h"
#include "traces/recbuf.h"

/*
 * Room reserved for a line before it is formatted: all but the header (which
 * names the image, a path of any length) fit; a longer line is formatted
 * again into room of its own size. Only a line longer than the buffer (none:
 * a path is at most PATH_MAX) would be cut, its newline kept; a note's text
 * (blkback_capture_note, ours and short) is cut at BB_CAPTURE_LINE.
 */
#define BB_CAPTURE_LINE 256
#define BB_CAPTURE_BUFFER (64 * 1024)

struct blkback_capture {
	struct trace_recbuf rb; /* the lines not yet on disk; rb.fd is the file */
	bool failed;            /* a write failed: said once */
};

/* "write", or "op N" for an operation without a name (in tmp). */
static const char *op_text(uint8_t op, char tmp[8])
{
	switch (op) {
	case BLKIF_OP_READ: return "read";
	case BLKIF_OP_WRITE: return "write";
	case BLKIF_OP_WRITE_BARRIER: return "barrier";
	case BLKIF_OP_FLUSH_DISKCACHE: return "flush";
	case BLKIF_OP_DISCARD: return "discard";
	case BLKIF_OP_INDIRECT: return "indirect";
	default:
		snprintf(tmp, 8, "op %u", op);
		return tmp;
	}
}

/* Says, once, that a write failed (rc: its negative errno) and why. */
static void say_failed(struct blkback *bb, struct blkback_capture *c, int rc)
{
	if (c->failed)
		return;
	c->failed = true;
	sim_log("%s: writing capture file %s failed: %s; the log is incomplete", bb->name,
		bb->cfg.capture, strerror(-rc));
}

/* Appends one line: what fmt says, then a newline. */
static void append(struct blkback *bb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void append(struct blkback *bb, const char *fmt, ...)
{
	struct blkback_capture *c = bb->capture;
	char *line = (char *)trace_recbuf_reserve(&c->rb, BB_CAPTURE_LINE);
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, BB_CAPTURE_LINE, fmt, ap);
	va_end(ap);
	if (n > BB_CAPTURE_LINE - 1) {
		/* Uncommitted, the first try is dropped: the line again, with room for all of it. */
		size_t room = (size_t)n + 1 < BB_CAPTURE_BUFFER ? (size_t)n + 1 : BB_CAPTURE_BUFFER;

		line = (char *)trace_recbuf_reserve(&c->rb, room);
		va_start(ap, fmt);
		n = vsnprintf(line, room, fmt, ap);
		va_end(ap);
		if (n > (int)room - 1)
			n = (int)room - 1;
	}
	if (n < 0)
		n = 0;
	line[n++] = '\n';
	trace_recbuf_commit(&c->rb, (size_t)n);
	bb->dom->capture_pending = true;
	if (c->rb.error)
		say_failed(bb, c, c->rb.error);
}

/* Guest time now, as the seconds and nanoseconds that begin each line. */
static void now(struct blkback *bb, unsigned long long *sec, unsigned long long *ns)
{
	uint64_t t = sim_now_ns(bb->dom->sim);

	*sec = t / 1000000000u;
	*ns = t % 1000000000u;
}

/* Makes bb's log one of those its domain flushes; -ENOSPC when all slots are taken. */
static int list_in_domain(struct blkback *bb)
{
	for (unsigned int i = 0; i < SIM_MAX_DISKS; i++)
		if (!bb->dom->disk_logs[i]) {
			bb->dom->disk_logs[i] = bb;
			return 0;
		}
	return -ENOSPC;
}

static void unlist_from_domain(struct blkback *bb)
{
	for (unsigned int i = 0; i < SIM_MAX_DISKS; i++)
		if (bb->dom->disk_logs[i] == bb)
			bb->dom->disk_logs[i] = NULL;
	/* Out of a signal handler's reach before the log is freed. */
	atomic_signal_fence(memory_order_seq_cst);
}

/* The end of the last whole line in buf[0, n): a log's records are lines. */
static size_t whole_lines(const uint8_t *buf, size_t n)
{
	while (n > 0 && buf[n - 1] != '\n')
		n--;
	return n;
}

int blkback_capture_open(struct blkback *bb, char *err, size_t errlen)
{
	struct blkback_capture *c = calloc(1, sizeof(*c));
	int fd, rc;

	if (!c || trace_recbuf_init(&c->rb, BB_CAPTURE_BUFFER, whole_lines) < 0) {
		free(c);
		snprintf(err, errlen, "%s: cannot write capture file '%s': out of memory",
			 bb->cfg.vdev, bb->cfg.capture);
		return -ENOMEM;
	}
	if ((fd = open(bb->cfg.capture, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot write capture file '%s': %s", bb->cfg.vdev,
			 bb->cfg.capture, strerror(-rc));
		goto fail;
	}
	if ((rc = list_in_domain(bb)) < 0) {
		snprintf(err, errlen, "%s: capture file '%s': domain %u has %d disks logging already",
			 bb->cfg.vdev, bb->cfg.capture, bb->dom->domid, SIM_MAX_DISKS);
		close(fd);
		goto fail;
	}
	trace_recbuf_attach(&c->rb, fd);
	/* Whole before a signal handler can reach it (blkback_flush_in_signal). */
	atomic_signal_fence(memory_order_seq_cst);
	bb->capture = c;
	append(bb, "# drydock vbd capture 1: %s, image %s, %llu sectors of %u bytes", bb->name,
	       bb->cfg.target, (unsigned long long)bb->cfg.sectors, BLKBACK_SECTOR);
	return 0;
fail:
	trace_recbuf_free(&c->rb);
	free(c);
	return rc;
}

void blkback_flush(struct blkback *bb)
{
	int rc;

	if (bb->capture && (rc = trace_recbuf_flush(&bb->capture->rb)) < 0)
		say_failed(bb, bb->capture, rc);
}

void blkback_flush_in_signal(struct blkback *bb)
{
	if (bb->capture)
		trace_recbuf_flush_in_signal(&bb->capture->rb);
}

void blkback_capture_close(struct blkback *bb)
{
	struct blkback_capture *c = bb->capture;

	if (!c)
		return;
	blkback_flush(bb);
	unlist_from_domain(bb);
	bb->capture = NULL;
	if (close(c->rb.fd) < 0)
		say_failed(bb, c, -errno);
	trace_recbuf_free(&c->rb);
	free(c);
}

void blkback_capture_request(struct blkback *bb, const struct bb_io *io)
{
	unsigned long long s, ns;
	char tmp[8], sectors[48] = "";

	if (!bb->capture)
		return;
	now(bb, &s, &ns);
	if (io->len)
		snprintf(sectors, sizeof(sectors), " sectors %llu+%zu",
			 (unsigned long long)(io->offset / BLKBACK_SECTOR), io->len / BLKBACK_SECTOR);
	append(bb, "%llu.%09llu req slot %u id %llu %s%s segs %u%s", s, ns, io->slot,
	       (unsigned long long)io->id,
	       op_text(io->operation == BLKIF_OP_INDIRECT ? io->op : io->operation, tmp), sectors,
	       io->nseg, io->operation == BLKIF_OP_INDIRECT ? " indirect" : "");
}

void blkback_capture_refused(struct blkback *bb, const blkif_request_t *req, unsigned int slot)
{
	unsigned long long s, ns;
	char tmp[8];

	if (!bb->capture)
		return;
	now(bb, &s, &ns);
	append(bb, "%llu.%09llu req slot %u id %llu %s segs %u sector %llu refused", s, ns, slot,
	       (unsigned long long)req->id, op_text(req->operation, tmp), req->nr_segments,
	       (unsigned long long)req->sector_number);
}

void blkback_capture_response(struct blkback *bb, uint64_t id, uint8_t operation,
			      int16_t status)
{
	unsigned long long s, ns;
	char tmp[8], st[8];
	const char *what = status == BLKIF_RSP_OKAY ? "okay" :
			   status == BLKIF_RSP_ERROR ? "error" :
			   status == BLKIF_RSP_EOPNOTSUPP ? "eopnotsupp" : NULL;

	if (!bb->capture)
		return;
	now(bb, &s, &ns);
	if (!what) {
		snprintf(st, sizeof(st), "%d", status);
		what = st;
	}
	append(bb, "%llu.%09llu rsp id %llu %s %s", s, ns, (unsigned long long)id,
	       op_text(operation, tmp), what);
}

void blkback_capture_note(struct blkback *bb, const char *fmt, ...)
{
	unsigned long long s, ns;
	char text[BB_CAPTURE_LINE];
	va_list ap;

	if (!bb->capture)
		return;
	now(bb, &s, &ns);
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	append(bb, "%llu.%09llu %s", s, ns, text);
	blkback_flush(bb); /* a note (a power cut) comes just before the end */
}
