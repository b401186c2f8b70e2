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
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "sim/backends/blkback_private.h"
#include "sim/domain.h"
#include "sim/sim.h"

static const char *op_name(uint8_t op)
{
	switch (op) {
	case BLKIF_OP_READ: return "read";
	case BLKIF_OP_WRITE: return "write";
	case BLKIF_OP_WRITE_BARRIER: return "barrier";
	case BLKIF_OP_FLUSH_DISKCACHE: return "flush";
	case BLKIF_OP_DISCARD: return "discard";
	case BLKIF_OP_INDIRECT: return "indirect";
	default: return NULL;
	}
}

static void stamp(struct blkback *bb)
{
	uint64_t t = sim_now_ns(bb->dom->sim);

	fprintf(bb->capture, "%llu.%09llu ", (unsigned long long)(t / 1000000000u),
		(unsigned long long)(t % 1000000000u));
}

static void print_op(struct blkback *bb, uint8_t op)
{
	const char *name = op_name(op);

	if (name)
		fprintf(bb->capture, "%s", name);
	else
		fprintf(bb->capture, "op %u", op);
}

int blkback_capture_open(struct blkback *bb, char *err, size_t errlen)
{
	if (!(bb->capture = fopen(bb->cfg.capture, "w"))) {
		int e = errno;
		snprintf(err, errlen, "%s: cannot write capture file '%s': %s", bb->cfg.vdev,
			 bb->cfg.capture, strerror(e));
		return -e;
	}
	fprintf(bb->capture, "# drydock vbd capture 1: %s, image %s, %llu sectors of %u bytes\n",
		bb->name, bb->cfg.target, (unsigned long long)bb->cfg.sectors, BLKBACK_SECTOR);
	return 0;
}

void blkback_capture_close(struct blkback *bb)
{
	if (bb->capture)
		fclose(bb->capture);
	bb->capture = NULL;
}

void blkback_capture_request(struct blkback *bb, const struct bb_io *io)
{
	if (!bb->capture)
		return;
	stamp(bb);
	fprintf(bb->capture, "req slot %u id %llu ", io->slot, (unsigned long long)io->id);
	print_op(bb, io->operation == BLKIF_OP_INDIRECT ? io->op : io->operation);
	if (io->len)
		fprintf(bb->capture, " sectors %llu+%zu", (unsigned long long)(io->offset / BLKBACK_SECTOR),
			io->len / BLKBACK_SECTOR);
	fprintf(bb->capture, " segs %u%s\n", io->nseg,
		io->operation == BLKIF_OP_INDIRECT ? " indirect" : "");
}

void blkback_capture_refused(struct blkback *bb, const blkif_request_t *req, unsigned int slot)
{
	if (!bb->capture)
		return;
	stamp(bb);
	fprintf(bb->capture, "req slot %u id %llu ", slot, (unsigned long long)req->id);
	print_op(bb, req->operation);
	fprintf(bb->capture, " segs %u sector %llu refused\n", req->nr_segments,
		(unsigned long long)req->sector_number);
}

void blkback_capture_response(struct blkback *bb, uint64_t id, uint8_t operation,
			      int16_t status)
{
	if (!bb->capture)
		return;
	stamp(bb);
	fprintf(bb->capture, "rsp id %llu ", (unsigned long long)id);
	print_op(bb, operation);
	if (status == BLKIF_RSP_OKAY || status == BLKIF_RSP_ERROR || status == BLKIF_RSP_EOPNOTSUPP)
		fprintf(bb->capture, " %s\n", status == BLKIF_RSP_OKAY ? "okay" :
			status == BLKIF_RSP_ERROR ? "error" : "eopnotsupp");
	else
		fprintf(bb->capture, " %d\n", status);
}

void blkback_capture_note(struct blkback *bb, const char *fmt, ...)
{
	va_list ap;

	if (!bb->capture)
		return;
	stamp(bb);
	va_start(ap, fmt);
	vfprintf(bb->capture, fmt, ap);
	va_end(ap);
	fputc('\n', bb->capture);
	fflush(bb->capture);
}
