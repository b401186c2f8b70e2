/*
 * blkfront's xenstore side, on the frontend device helpers, as Linux's
 * xen-blkfront does it (talk_to_blkback, blkfront_connect):
 *
 *   frontend Initialising -> backend InitWait (max-ring-page-order and
 *   feature-max-indirect-segments written) -> frontend publishes
 *   ring-ref (or ring-page-order and ring-ref0..N-1), event-channel and
 *   protocol in one transaction -> frontend Initialised -> backend Connected
 *   (sectors, info, sector-size, physical-sector-size, feature-flush-cache,
 *   feature-barrier written) -> frontend reads them -> frontend Connected.
 *
 * Disconnecting: Closing, Closed behind the backend (xenbus_dev_close).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <xen/io/protocols.h>

#include <uk/console.h>

#include "blkfront_private.h"

/* A disk's sector count cannot exceed what 64-bit byte offsets reach. */
#define MAX_SECTORS (UINT64_MAX / 4096)

/* The index-th device under device/vbd, in ascending devid order. */
int blkfront_xs_find(struct uk_blk *b)
{
	int rc = xenbus_dev_init_nth(&b->dev, "vbd", b->index);

	if (rc == 0)
		b->devid = b->dev.id;
	return rc;
}

/* The watch callback (xenbus thread): a backend that leaves stops the device. */
static void backend_changed(struct xenbus_dev *dev, void *arg)
{
	struct uk_blk *b = arg;
	XenbusState st = dev->otherend_state;

	if (b->connected && !b->closing && !b->backend_gone &&
	    (st == XenbusStateClosing || st == XenbusStateClosed || st == XenbusStateUnknown)) {
		uk_printf("blkfront %u: backend left (state %d)\n", b->index, (int)st);
		b->backend_gone = true;
		blkfront_wake_all(b);
	}
}

static int connect_failed(struct uk_blk *b, int rc)
{
	uk_printf("blkfront %u: backend %s %s (state %d)\n", b->index, b->dev.otherend,
		  rc == -ETIMEDOUT ? "did not connect in time" : "is closing",
		  (int)b->dev.otherend_state);
	return rc;
}

/* Up to InitWait, then what the backend offers for the ring and the segments. */
int blkfront_xs_negotiate(struct uk_blk *b, uint64_t deadline_ns)
{
	XenbusState ours = xenbus_dev_read_state(&b->dev);
	unsigned int fail = ours == XenbusStateClosing || ours == XenbusStateClosed
				    ? 0 : XENBUS_DEV_LEAVING;
	uint64_t order = 0, segs = 0;
	int rc;

	if ((rc = xenbus_dev_watch_otherend(&b->dev, backend_changed, b)) < 0 ||
	    (rc = xenbus_dev_switch_state(&b->dev, XenbusStateInitialising)) < 0)
		return rc;
	rc = xenbus_dev_wait_otherend(&b->dev, XENBUS_STATE_BIT(XenbusStateInitWait), fail,
				      deadline_ns);
	if (rc < 0)
		return connect_failed(b, rc);
	rc = xenbus_dev_read_uint(&b->dev, XENBUS_DEV_OTHEREND, "max-ring-page-order", 0, 16,
				  &order);
	if (rc < 0 && rc != -ENOENT)
		return rc;
	b->ring_order = order > BLKFRONT_MAX_RING_ORDER ? BLKFRONT_MAX_RING_ORDER
							: (unsigned int)order;
	rc = xenbus_dev_read_uint(&b->dev, XENBUS_DEV_OTHEREND, "feature-max-indirect-segments",
				  0, UINT32_MAX, &segs);
	if (rc < 0 && rc != -ENOENT)
		return rc;
	b->indirect = segs > BLKIF_MAX_SEGMENTS_PER_REQUEST;
	b->max_segs = !b->indirect ? BLKIF_MAX_SEGMENTS_PER_REQUEST
		      : segs > BLKFRONT_MAX_INDIRECT_SEGS ? BLKFRONT_MAX_INDIRECT_SEGS
							   : (unsigned int)segs;
	return 0;
}

/* Inside the transaction: the ring, the event channel, the ABI. */
static int publish(xenbus_transaction_t t, void *arg)
{
	struct uk_blk *b = arg;
	struct xenbus_dev *dev = &b->dev;
	char key[16];
	int rc;

	if (b->ring_order == 0) {
		rc = xenbus_dev_write_uint(dev, t, "ring-ref", b->ring_refs[0]);
	} else {
		rc = xenbus_dev_write_uint(dev, t, "ring-page-order", b->ring_order);
		for (unsigned int i = 0; rc == 0 && i < (1u << b->ring_order); i++) {
			snprintf(key, sizeof(key), "ring-ref%u", i);
			rc = xenbus_dev_write_uint(dev, t, key, b->ring_refs[i]);
		}
	}
	if (rc < 0 || (rc = xenbus_dev_write_uint(dev, t, "event-channel", b->port)) < 0)
		return rc;
	return xenbus_dev_write_str(dev, t, "protocol", XEN_IO_PROTO_ABI_NATIVE);
}

int blkfront_xs_connect(struct uk_blk *b, uint64_t deadline_ns)
{
	int rc;

	b->rings_published = true;
	if ((rc = xenbus_transaction_retry(publish, b, XENBUS_DEV_PUBLISH_TRIES)) < 0) {
		uk_printf("blkfront %u: publishing the ring failed (%d)\n", b->index, rc);
		return rc;
	}
	if ((rc = xenbus_dev_switch_state(&b->dev, XenbusStateInitialised)) < 0)
		return rc;
	rc = xenbus_dev_wait_otherend(&b->dev, XENBUS_STATE_BIT(XenbusStateConnected),
				      XENBUS_DEV_LEAVING, deadline_ns);
	if (rc < 0)
		return connect_failed(b, rc);
	if ((rc = blkfront_xs_read_geometry(b)) < 0)
		return rc;
	if ((rc = xenbus_dev_switch_state(&b->dev, XenbusStateConnected)) < 0)
		return rc;
	b->connected = true;
	return 0;
}

static bool power_of_two(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* blkfront_connect's reads: what the disk is, once the backend is Connected. */
int blkfront_xs_read_geometry(struct uk_blk *b)
{
	struct uk_blk_info *in = &b->info;
	uint64_t v;
	int rc;

	if ((rc = xenbus_dev_read_uint(&b->dev, XENBUS_DEV_OTHEREND, "sectors", 0, MAX_SECTORS,
				       &in->sectors)) < 0)
		return rc;
	rc = xenbus_dev_read_uint(&b->dev, XENBUS_DEV_OTHEREND, "sector-size", 512, 65536, &v);
	if (rc < 0 || !power_of_two(v)) {
		uk_printf("blkfront %u: backend's sector-size is missing or not a power of two\n",
			  b->index);
		return rc < 0 ? rc : -EINVAL;
	}
	in->sector_size = (uint32_t)v;
	rc = xenbus_dev_read_uint(&b->dev, XENBUS_DEV_OTHEREND, "physical-sector-size", 512,
				  65536, &v);
	if (rc < 0 && rc != -ENOENT)
		return rc;
	in->physical_sector_size = rc == -ENOENT ? in->sector_size : (uint32_t)v;
	if ((rc = xenbus_dev_read_uint(&b->dev, XENBUS_DEV_OTHEREND, "info", 0, UINT32_MAX,
				       &v)) < 0 && rc != -ENOENT)
		return rc;
	in->readonly = rc == 0 && (v & VDISK_READONLY);
	in->removable = rc == 0 && (v & VDISK_REMOVABLE);
	if ((rc = xenbus_dev_read_feature(&b->dev, "feature-flush-cache", &in->flush)) < 0 ||
	    (rc = xenbus_dev_read_feature(&b->dev, "feature-barrier", &in->barrier)) < 0)
		return rc;
	in->max_segments = b->max_segs;
	in->ring_pages = 1u << b->ring_order;
	return 0;
}

void blkfront_xs_disconnect(struct uk_blk *b)
{
	if (b->dev_ready)
		xenbus_dev_close(&b->dev, b->rings_published,
				 uk_now_ns() + BLKFRONT_CLOSE_TIMEOUT_NS);
}
