/*
 * blkback: the device, the handshake and the ring, as Linux's xen-blkback
 * does it (drivers/block/xen-blkback/xenbus.c for the keys, blkback.c's
 * __do_block_io_op and dispatch_rw_block_io for the requests and their
 * checks). The file I/O is blkback_io.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xen/io/protocols.h>

#include "sim/backends/blkback_private.h"
#include "sim/backends/xenbus_backend.h"
#include "sim/domain.h"
#include "sim/gnttab.h"
#include "sim/report.h"
#include "sim/toolstack/device.h"

/* --- responses --- */

void blkback_respond(struct blkback *bb, uint64_t id, uint8_t operation, int16_t status)
{
	blkif_response_t *rsp;
	int notify;

	if (!bb->connected || bb->broken)
		return;
	blkback_capture_response(bb, id, operation, status);
	rsp = RING_GET_RESPONSE(&bb->ring, bb->ring.rsp_prod_pvt);
	rsp->id = id;
	rsp->operation = operation;
	rsp->status = status;
	bb->ring.rsp_prod_pvt++;
	if (status != BLKIF_RSP_OKAY)
		bb->stats.errors++;
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&bb->ring, notify);
	if (notify)
		xenbus_backend_notify(bb->xb, bb->port);
}

/* --- checks of one request (dispatch_rw_block_io) --- */

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
static void dispatch(struct blkback *bb, const blkif_request_t *req, unsigned int slot)
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
	if (!(io = blkback_io_new(bb, (size_t)nseg * BB_PAGE_SIZE))) {
		blkback_respond(bb, req->id, req->operation, BLKIF_RSP_ERROR);
		return;
	}
	io->id = req->id;
	io->operation = req->operation;
	io->slot = slot;
	io->op = nseg == 0 ? BLKIF_OP_FLUSH_DISKCACHE : op;
	io->flush = flush;
	io->nseg = nseg;
	if (req->operation == BLKIF_OP_INDIRECT)
		rc = read_indirect(bb, ind, slot, io);
	else
		memcpy(io->seg, req->seg, nseg * sizeof(req->seg[0]));
	if (rc == 0)
		rc = check_segs(bb, io, req->operation == BLKIF_OP_INDIRECT ? ind->sector_number
									     : req->sector_number, slot);
	if (rc == 0)
		blkback_capture_request(bb, io);
	else
		blkback_capture_refused(bb, req, slot);
	if (rc == 0 && io->op == BLKIF_OP_WRITE)
		rc = gather(bb, io);
	if (rc < 0) {
		blkback_respond(bb, io->id, io->operation, BLKIF_RSP_ERROR);
		blkback_io_free(io);
		return;
	}
	blkback_io_submit(bb, io);
}

/* --- the ring --- */

/* __do_block_io_op: every request the guest produced, then ask for an event. */
static void notified(void *arg, evtchn_port_t port)
{
	struct blkback *bb = arg;
	int more;

	if (!bb->connected || bb->broken || !xenbus_backend_connected(bb->xb))
		return;
	do {
		RING_IDX prod = __atomic_load_n(&bb->ring.sring->req_prod, __ATOMIC_ACQUIRE);

		if (RING_REQUEST_PROD_OVERFLOW(&bb->ring, prod)) {
			sim_report_violation(bb->dom, "%s ring: req_prod %u is %u slots ahead of the "
					     "last response %u, more than the ring's %u; blkback "
					     "stops reading this ring", bb->name, prod,
					     prod - bb->ring.rsp_prod_pvt, bb->ring.rsp_prod_pvt,
					     RING_SIZE(&bb->ring));
			bb->broken = true;
			return;
		}
		while (bb->ring.req_cons != prod && bb->connected) {
			RING_IDX i = bb->ring.req_cons++;
			blkif_request_t req;

			RING_COPY_REQUEST(&bb->ring, i, &req); /* check a copy: the guest may change it */
			dispatch(bb, &req, i % RING_SIZE(&bb->ring));
		}
		blkback_io_kick(bb);
		if (!bb->connected)
			return;
		RING_FINAL_CHECK_FOR_REQUESTS(&bb->ring, more);
	} while (more);
}

static void unmap_ring(struct blkback *bb)
{
	while (bb->nr_ring_pages > 0)
		xenbus_backend_unmap_ring(bb->xb, bb->ring_handles[--bb->nr_ring_pages]);
}

/* read_per_ring_refs: ring-ref, or ring-page-order and ring-ref0..N-1, mapped contiguously. */
static int map_ring(struct blkback *bb)
{
	unsigned long order = 0, ref;
	char key[24];
	void *first = NULL, *page;
	int rc = xenbus_backend_read_uint(bb->xb, "ring-page-order", bb->cfg.ring_order, &order);

	if (rc == -EINVAL)
		return rc; /* reported: beyond what we offered, or not a number */
	for (unsigned int i = 0; i < (1u << order); i++) {
		if (rc == -ENOENT)
			snprintf(key, sizeof(key), "ring-ref");
		else
			snprintf(key, sizeof(key), "ring-ref%u", i);
		if (xenbus_backend_need_uint(bb->xb, key, UINT32_MAX, &ref) < 0 ||
		    xenbus_backend_map_ring(bb->xb, key, ref, &page, &bb->ring_handles[i]) < 0)
			goto fail;
		bb->nr_ring_pages++;
		if (!first)
			first = page;
		if (page != (uint8_t *)first + i * BB_PAGE_SIZE) {
			sim_report_violation(bb->dom, "%s: %s is not the page after ring-ref0's in "
					     "guest memory; drydock's blkback needs a multi-page "
					     "ring's pages contiguous", bb->name, key);
			goto fail;
		}
	}
	BACK_RING_INIT(&bb->ring, (blkif_sring_t *)first, (1u << order) * BB_PAGE_SIZE);
	return 0;
fail:
	unmap_ring(bb);
	return -EINVAL;
}

static int check_protocol(struct blkback *bb)
{
	char proto[32];
	int rc = xenbus_backend_read_str(bb->xb, "protocol", proto, sizeof(proto));

	if (rc == -ENOENT || (rc >= 0 && !strcmp(proto, XEN_IO_PROTO_ABI_NATIVE)))
		return 0;
	if (rc >= 0)
		sim_report_violation(bb->dom, "%s: protocol '%s'; this backend speaks %s only",
				     bb->name, proto, XEN_IO_PROTO_ABI_NATIVE);
	return -EINVAL;
}

/* What connect() writes before Connected: the disk, as the frontend reads it. */
static int publish_disk(struct blkback *bb)
{
	unsigned int info = (bb->cfg.readonly ? VDISK_READONLY : 0) |
			    (bb->cfg.cdrom ? VDISK_CDROM | VDISK_REMOVABLE : 0);
	int rc;

	if ((rc = xenbus_backend_printf(bb->xb, "sectors", "%llu",
					(unsigned long long)bb->cfg.sectors)) < 0 ||
	    (rc = xenbus_backend_printf(bb->xb, "info", "%u", info)) < 0 ||
	    (rc = xenbus_backend_printf(bb->xb, "sector-size", "%u", BLKBACK_SECTOR)) < 0 ||
	    (rc = xenbus_backend_printf(bb->xb, "physical-sector-size", "%u", BLKBACK_SECTOR)) < 0 ||
	    (rc = xenbus_backend_printf(bb->xb, "feature-flush-cache", "%d", bb->cfg.flush)) < 0)
		return rc;
	return xenbus_backend_printf(bb->xb, "feature-barrier", "%d", bb->cfg.barrier);
}

static int bb_connect(struct xenbus_backend *xb, void *arg)
{
	struct blkback *bb = arg;
	unsigned long port;
	int rc;

	if ((rc = check_protocol(bb)) < 0 ||
	    (rc = xenbus_backend_need_uint(xb, "event-channel", UINT32_MAX, &port)) < 0 ||
	    (rc = map_ring(bb)) < 0)
		return rc;
	if ((rc = xenbus_backend_bind_evtchn(xb, "event-channel", port, notified, bb,
					     &bb->port)) < 0 ||
	    (rc = publish_disk(bb)) < 0) {
		if (bb->port)
			xenbus_backend_unbind_evtchn(xb, bb->port);
		bb->port = 0;
		unmap_ring(bb);
		return rc;
	}
	bb->broken = false;
	bb->connected = true;
	notified(bb, bb->port); /* what the guest queued before the bind raised nothing */
	return 0;
}

static void bb_disconnect(struct xenbus_backend *xb, void *arg)
{
	struct blkback *bb = arg;

	if (!bb->connected)
		return;
	bb->connected = false;
	bb->generation++; /* what is still in the pool is not answered on a new ring */
	xenbus_backend_unbind_evtchn(xb, bb->port);
	bb->port = 0;
	unmap_ring(bb);
}

static const struct xenbus_backend_ops bb_ops = {
	.connect = bb_connect,
	.disconnect = bb_disconnect,
};

/* --- the device --- */

static int start_backend(struct blkback *bb)
{
	struct xenbus_backend_feature f[3];
	size_t n = 0;

	f[n++] = (struct xenbus_backend_feature){ "max-ring-page-order", bb->cfg.ring_order };
	if (bb->cfg.indirect)
		f[n++] = (struct xenbus_backend_feature){ "feature-max-indirect-segments",
							  bb->cfg.indirect };
	return xenbus_backend_create(bb->dom, "vbd", bb->cfg.devid, f, n, &bb_ops, bb, &bb->xb);
}

int blkback_create(struct sim_domain *d, struct blkback_config *cfg, struct blkback **out,
		   char *err, size_t errlen)
{
	struct blkback *bb = calloc(1, sizeof(*bb));
	int rc;

	if (!bb) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	bb->dom = d;
	bb->cfg = *cfg;
	memset(cfg, 0, sizeof(*cfg)); /* ours now */
	cfg->fd = -1;
	snprintf(bb->name, sizeof(bb->name), "vbd %s", bb->cfg.vdev);
	rc = sim_device_add_vbd(d, bb->cfg.devid, bb->cfg.vdev, bb->cfg.target, bb->cfg.readonly,
				bb->cfg.cdrom);
	if (rc < 0) {
		snprintf(err, errlen, "%s: cannot write its xenstore entries: %s", bb->cfg.vdev,
			 strerror(-rc));
		goto fail;
	}
	if (bb->cfg.capture && (rc = blkback_capture_open(bb, err, errlen)) < 0)
		goto fail_dev;
	if (bb->cfg.powercut && (rc = blkback_wcache_create(bb)) < 0) {
		snprintf(err, errlen, "%s: out of memory", bb->cfg.vdev);
		goto fail_dev;
	}
	if ((rc = start_backend(bb)) < 0) {
		snprintf(err, errlen, "%s: cannot start its backend: %s", bb->cfg.vdev,
			 strerror(-rc));
		goto fail_dev;
	}
	*out = bb;
	return 0;
fail_dev:
	sim_device_remove(d, "vbd", bb->cfg.devid);
fail:
	blkback_capture_close(bb);
	blkback_wcache_destroy(bb);
	blkback_config_free(&bb->cfg);
	free(bb);
	return rc;
}

void blkback_destroy(struct blkback *bb)
{
	if (!bb)
		return;
	blkback_io_drain(bb);
	xenbus_backend_destroy(bb->xb); /* disconnects */
	sim_device_remove(bb->dom, "vbd", bb->cfg.devid);
	blkback_capture_close(bb);
	blkback_wcache_destroy(bb);
	blkback_config_free(&bb->cfg);
	free(bb);
}

bool blkback_connected(const struct blkback *bb)
{
	return bb->connected;
}

void blkback_get_stats(const struct blkback *bb, struct blkback_stats *st)
{
	*st = bb->stats;
}
