/*
 * blkback's checks of one request, as Linux's xen-blkback makes them
 * (dispatch_rw_block_io, xen_vbd_translate, xen_blkbk_parse_indirect): each
 * failure is a protocol violation naming the disk, ring slot and request id,
 * and the request is answered BLKIF_RSP_ERROR (BLKIF_RSP_EOPNOTSUPP for an
 * operation this disk does not offer). A request that passes has its
 * segments copied and their pages mapped (xen_blkbk_map) before it goes to
 * the thread pool (blkback_io.c); when a page cannot be mapped, a write's
 * data is gathered by grant copy instead, whose checks report the segment.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/backends/blkback_private.h"
#include "sim/domain.h"
#include "sim/gnttab.h"
#include "sim/report.h"

#define VIOLATION(bb, slot, id, fmt, ...)                                                  \
	sim_report_violation((bb)->dom, "%s slot %u (id %llu): " fmt, (bb)->name, (slot),   \
			     (unsigned long long)(id), ##__VA_ARGS__)

/* The segments of an indirect request, copied from its descriptor pages. */
static int read_indirect(struct blkback *bb, const blkif_request_indirect_t *ind,
			 unsigned int slot, struct bb_io *io)
{
	unsigned int pages = (io->nseg + BB_SEGS_PER_INDIRECT_PAGE - 1) / BB_SEGS_PER_INDIRECT_PAGE;

	for (unsigned int p = 0; p < pages; p++) {
		unsigned int first = p * BB_SEGS_PER_INDIRECT_PAGE;
		unsigned int n = io->nseg - first < BB_SEGS_PER_INDIRECT_PAGE
					 ? io->nseg - first : BB_SEGS_PER_INDIRECT_PAGE;
		int16_t st = sim_gnttab_copy_from(bb->dom, 0, ind->indirect_grefs[p], 0,
						  &io->seg[first],
						  (uint16_t)(n * sizeof(io->seg[0])));

		if (st != GNTST_okay) {
			VIOLATION(bb, slot, ind->id, "copying indirect segment page %u (ref %u) "
				  "failed with %s", p, ind->indirect_grefs[p],
				  sim_gnttab_status_name(st));
			return -EINVAL;
		}
	}
	return 0;
}

/* Segment count of a read/write (direct or indirect); -EINVAL after reporting. */
static int check_nseg(struct blkback *bb, const blkif_request_t *req, unsigned int slot,
		      unsigned int *nseg)
{
	const blkif_request_indirect_t *ind = (const blkif_request_indirect_t *)req;

	if (req->operation == BLKIF_OP_INDIRECT) {
		if (!bb->cfg.indirect) {
			VIOLATION(bb, slot, req->id, "BLKIF_OP_INDIRECT, but this disk does not "
				  "offer feature-max-indirect-segments");
			return -EOPNOTSUPP;
		}
		if (ind->indirect_op != BLKIF_OP_READ && ind->indirect_op != BLKIF_OP_WRITE) {
			VIOLATION(bb, slot, req->id, "indirect_op %u: an indirect request is a "
				  "read or a write", ind->indirect_op);
			return -EINVAL;
		}
		*nseg = ind->nr_segments;
		if (*nseg == 0 || *nseg > bb->cfg.indirect) {
			VIOLATION(bb, slot, req->id, "%u segments in an indirect request; this disk "
				  "takes 1 to %u (feature-max-indirect-segments)", *nseg,
				  bb->cfg.indirect);
			return -EINVAL;
		}
		return 0;
	}
	*nseg = req->nr_segments;
	if ((*nseg == 0 && (req->operation == BLKIF_OP_READ || req->operation == BLKIF_OP_WRITE)) ||
	    *nseg > BLKIF_MAX_SEGMENTS_PER_REQUEST) {
		VIOLATION(bb, slot, req->id, "%u segments; a %s request has %s to %u",
			  *nseg, req->operation == BLKIF_OP_READ ? "read" :
			  req->operation == BLKIF_OP_WRITE ? "write" : "flush",
			  req->operation <= BLKIF_OP_WRITE ? "1" : "0",
			  BLKIF_MAX_SEGMENTS_PER_REQUEST);
		return -EINVAL;
	}
	return 0;
}

/* first_sect..last_sect of each segment, and the whole range against the disk's end. */
static int check_segs(struct blkback *bb, struct bb_io *io, uint64_t sector, unsigned int slot)
{
	uint64_t total = 0;

	for (unsigned int i = 0; i < io->nseg; i++) {
		const struct blkif_request_segment *s = &io->seg[i];

		if (s->last_sect >= BB_SECTORS_PER_PAGE || s->first_sect > s->last_sect) {
			VIOLATION(bb, slot, io->id, "segment %u: first_sect %u, last_sect %u; a "
				  "page holds sectors 0 to %u, first <= last", i, s->first_sect,
				  s->last_sect, BB_SECTORS_PER_PAGE - 1);
			return -EINVAL;
		}
		total += (uint64_t)(s->last_sect - s->first_sect + 1);
	}
	if (sector > bb->cfg.sectors || total > bb->cfg.sectors - sector) {
		VIOLATION(bb, slot, io->id, "sectors %llu to %llu are beyond the disk's end "
			  "(%llu sectors)", (unsigned long long)sector,
			  (unsigned long long)(sector + total - 1),
			  (unsigned long long)bb->cfg.sectors);
		return -EINVAL;
	}
	io->offset = sector * BLKBACK_SECTOR;
	io->len = (size_t)total * BLKBACK_SECTOR;
	return 0;
}

/* A write's data, from the guest's pages by grant copy. */
static int gather(struct blkback *bb, struct bb_io *io)
{
	size_t off = 0;

	for (unsigned int i = 0; i < io->nseg; i++) {
		const struct blkif_request_segment *s = &io->seg[i];
		uint16_t n = (uint16_t)((s->last_sect - s->first_sect + 1) * BLKBACK_SECTOR);
		int16_t st = sim_gnttab_copy_from(bb->dom, 0, s->gref,
						  (uint16_t)(s->first_sect * BLKBACK_SECTOR),
						  io->data + off, n);

		if (st != GNTST_okay) {
			VIOLATION(bb, io->slot, io->id, "segment %u: grant copy from ref %u failed "
				  "with %s", i, s->gref, sim_gnttab_status_name(st));
			return -EINVAL;
		}
		off += n;
	}
	return 0;
}

/* The operation as blkback does it: READ, WRITE, or a flush (with data: write, then flush). */
static int classify(struct blkback *bb, const blkif_request_t *req, unsigned int slot,
		    uint8_t *op, bool *flush)
{
	uint8_t o = req->operation == BLKIF_OP_INDIRECT
			    ? ((const blkif_request_indirect_t *)req)->indirect_op : req->operation;

	*flush = false;
	switch (req->operation) {
	case BLKIF_OP_READ:
	case BLKIF_OP_WRITE:
	case BLKIF_OP_INDIRECT:
		*op = o;
		break;
	case BLKIF_OP_FLUSH_DISKCACHE:
	case BLKIF_OP_WRITE_BARRIER:
		if (!(req->operation == BLKIF_OP_FLUSH_DISKCACHE ? bb->cfg.flush : bb->cfg.barrier)) {
			VIOLATION(bb, slot, req->id, "%s, which this disk does not offer",
				  req->operation == BLKIF_OP_FLUSH_DISKCACHE ? "BLKIF_OP_FLUSH_DISKCACHE"
									      : "BLKIF_OP_WRITE_BARRIER");
			return -EOPNOTSUPP;
		}
		*op = BLKIF_OP_WRITE;
		*flush = true;
		break;
	default:
		VIOLATION(bb, slot, req->id, "operation %u is not one this disk offers (read, "
			  "write, flush, barrier, indirect)", req->operation);
		return -EOPNOTSUPP;
	}
	if (*op == BLKIF_OP_WRITE && bb->cfg.readonly &&
	    !(*flush && req->nr_segments == 0)) {
		VIOLATION(bb, slot, req->id, "a write to a read-only disk (access=ro)");
		return -EROFS;
	}
	return 0;
}

/* One request, copied off the ring: checked, then to the thread pool. */
void blkback_dispatch(struct blkback *bb, const blkif_request_t *req, unsigned int slot)
{
	const blkif_request_indirect_t *ind = (const blkif_request_indirect_t *)req;
	struct bb_io *io;
	unsigned int nseg;
	uint8_t op;
	bool flush;
	int rc;

	if ((rc = classify(bb, req, slot, &op, &flush)) < 0 ||
	    (rc = check_nseg(bb, req, slot, &nseg)) < 0) {
		blkback_capture_refused(bb, req, slot);
		blkback_respond(bb, req->id, req->operation,
				rc == -EOPNOTSUPP ? BLKIF_RSP_EOPNOTSUPP : BLKIF_RSP_ERROR);
		return;
	}
	if (!(io = blkback_io_new(bb))) {
		blkback_respond(bb, req->id, req->operation, BLKIF_RSP_ERROR);
		return;
	}
	io->id = req->id;
	io->operation = req->operation;
	io->slot = slot;
	io->op = nseg == 0 ? BLKIF_OP_FLUSH_DISKCACHE : op;
	io->flush = flush;
	io->nseg = nseg;
	if (req->operation == BLKIF_OP_INDIRECT) {
		bb->stats.indirect++;
		rc = read_indirect(bb, ind, slot, io);
	} else {
		memcpy(io->seg, req->seg, nseg * sizeof(req->seg[0]));
	}
	if (rc == 0)
		rc = check_segs(bb, io, req->operation == BLKIF_OP_INDIRECT ? ind->sector_number
									     : req->sector_number, slot);
	if (rc == 0)
		blkback_capture_request(bb, io);
	else
		blkback_capture_refused(bb, req, slot);
	if (rc == 0 && io->nseg && !blkback_io_map(bb, io)) {
		if (!(io->data = malloc(io->len)))
			rc = -ENOMEM;
		else if (io->op == BLKIF_OP_WRITE)
			rc = gather(bb, io);
	}
	if (rc < 0) {
		blkback_respond(bb, io->id, io->operation, BLKIF_RSP_ERROR);
		blkback_io_free(io);
		return;
	}
	blkback_io_submit(bb, io);
}
