/*
 * blkback: the device, the handshake and the ring, as Linux's xen-blkback
 * does it (drivers/block/xen-blkback/xenbus.c for the keys, blkback.c's
 * __do_block_io_op for the ring). The checks of each request are
 * blkback_request.c's, the file I/O blkback_io.c's.
 */
#include <errno.h>
#include <stddef.h>
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

/*
 * The ring's entries. Xen's backend maps the ring's pages into one virtual
 * area (xenbus_map_ring_valloc); here each page is read where it is in
 * guest RAM, so an entry is reached by its byte offset in the shared area,
 * and one that straddles two pages (112-byte entries do) is copied in two.
 */
static size_t entry_offset(const struct blkback *bb, RING_IDX i)
{
	return offsetof(blkif_sring_t, ring) +
	       (size_t)(i & (RING_SIZE(&bb->ring) - 1)) * sizeof(union blkif_sring_entry);
}

static void ring_read(const struct blkback *bb, size_t off, void *dst, size_t len)
{
	for (size_t n; len > 0; off += n, len -= n, dst = (uint8_t *)dst + n) {
		n = SIM_PAGE_SIZE - off % SIM_PAGE_SIZE < len ? SIM_PAGE_SIZE - off % SIM_PAGE_SIZE
							       : len;
		memcpy(dst, bb->ring_page[off / SIM_PAGE_SIZE] + off % SIM_PAGE_SIZE, n);
	}
}

static void ring_write(struct blkback *bb, size_t off, const void *src, size_t len)
{
	for (size_t n; len > 0; off += n, len -= n, src = (const uint8_t *)src + n) {
		n = SIM_PAGE_SIZE - off % SIM_PAGE_SIZE < len ? SIM_PAGE_SIZE - off % SIM_PAGE_SIZE
							       : len;
		memcpy(bb->ring_page[off / SIM_PAGE_SIZE] + off % SIM_PAGE_SIZE, src, n);
	}
}

/* RING_COPY_REQUEST: a copy, which the checks then read; the guest may change the slot. */
static void copy_request(const struct blkback *bb, RING_IDX i, blkif_request_t *req)
{
	ring_read(bb, entry_offset(bb, i), req, sizeof(*req));
	__asm__ volatile("" ::: "memory");
}

void blkback_respond(struct blkback *bb, uint64_t id, uint8_t operation, int16_t status)
{
	blkif_response_t rsp = { .id = id, .operation = operation, .status = status };

	if (!bb->connected || bb->broken)
		return;
	blkback_capture_response(bb, id, operation, status);
	ring_write(bb, entry_offset(bb, bb->ring.rsp_prod_pvt), &rsp, sizeof(rsp));
	bb->ring.rsp_prod_pvt++;
	if (status != BLKIF_RSP_OKAY)
		bb->stats.errors++;
	if (!bb->hold_push)
		blkback_push_responses(bb);
}

/* What blkback_respond wrote, made visible, and one event if the guest asked for it. */
void blkback_push_responses(struct blkback *bb)
{
	int notify;

	if (!bb->connected || bb->broken)
		return;
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&bb->ring, notify);
	if (notify)
		xenbus_backend_notify(bb->xb, bb->port);
}

/* --- the ring --- */

/* __do_block_io_op: every request the guest produced, then ask for an event. */
static void notified(void *arg, evtchn_port_t port)
{
	struct blkback *bb = arg;
	int more;

	if (!bb->connected || bb->broken || !xenbus_backend_connected(bb->xb))
		return;
	bb->hold_push++; /* the pass's answers (refusals, cached reads), then one event */
	do {
		RING_IDX prod = __atomic_load_n(&bb->ring.sring->req_prod, __ATOMIC_ACQUIRE);

		if (RING_REQUEST_PROD_OVERFLOW(&bb->ring, prod)) {
			sim_report_violation(bb->dom, "%s ring: req_prod %u is %u slots ahead of the "
					     "last response %u, more than the ring's %u; blkback "
					     "stops reading this ring", bb->name, prod,
					     prod - bb->ring.rsp_prod_pvt, bb->ring.rsp_prod_pvt,
					     RING_SIZE(&bb->ring));
			bb->broken = true;
			break;
		}
		while (bb->ring.req_cons != prod && bb->connected) {
			RING_IDX i = bb->ring.req_cons++;
			blkif_request_t req;

			copy_request(bb, i, &req);
			blkback_dispatch(bb, &req, i % RING_SIZE(&bb->ring));
		}
		blkback_io_kick(bb);
		if (!bb->connected)
			break;
		RING_FINAL_CHECK_FOR_REQUESTS(&bb->ring, more);
	} while (more);
	bb->hold_push--;
	blkback_push_responses(bb);
}

static void unmap_ring(struct blkback *bb)
{
	while (bb->nr_ring_pages > 0)
		xenbus_backend_unmap_ring(bb->xb, bb->ring_handles[--bb->nr_ring_pages]);
}

/*
 * read_per_ring_refs: ring-ref, or ring-page-order and ring-ref0..N-1, each
 * page mapped wherever the guest has it (Xen allows any pages; entries are
 * reached through ring_page[], see entry_offset).
 */
static int map_ring(struct blkback *bb)
{
	unsigned long order = 0, ref;
	char key[24];
	void *page;
	int rc = xenbus_backend_read_uint(bb->xb, "ring-page-order", bb->cfg.ring_order, &order);

	if (rc == -EINVAL)
		return rc; /* reported: beyond what we offered, or not a number */
	for (unsigned int i = 0; i < (1u << order); i++) {
		if (rc == -ENOENT)
			snprintf(key, sizeof(key), "ring-ref");
		else
			snprintf(key, sizeof(key), "ring-ref%u", i);
		if (xenbus_backend_need_uint(bb->xb, key, UINT32_MAX, &ref) < 0 ||
		    xenbus_backend_map_ring(bb->xb, key, ref, &page, &bb->ring_handles[i]) < 0) {
			unmap_ring(bb);
			return -EINVAL;
		}
		bb->ring_page[bb->nr_ring_pages++] = page;
	}
	/* The indexes are in page 0; RING_SIZE counts the entries of all the pages. */
	BACK_RING_INIT(&bb->ring, (blkif_sring_t *)bb->ring_page[0], (1u << order) * SIM_PAGE_SIZE);
	return 0;
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
	blkback_io_free_spares(bb);
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
