/*
 * blkfront: opening and closing a disk (<uk/blk.h>). The xenstore handshake
 * is in blkfront_xenbus.c, the granted pages in blkfront_grants.c, the
 * requests in blkfront_io.c and the responses in blkfront_rsp.c.
 *
 * Open: find the disk, go to InitWait, learn what the backend offers (ring
 * order, indirect segments), allocate and grant the ring, allocate the
 * event channel, publish, wait for Connected and read the geometry. Close
 * waits for the requests in flight, then undoes it in reverse order.
 */
#include <errno.h>
#include <string.h>

#include <uk/console.h>

#include "blkfront_private.h"

int uk_blk_count(void)
{
	return xenbus_dev_count("vbd");
}

static struct uk_blk *blk_alloc(unsigned int index)
{
	struct uk_blk *b = uk_calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->index = index;
	uk_waitq_init(&b->slot_wq);
	uk_waitq_init(&b->idle_wq);
	return b;
}

/* Undoes whatever part of open happened; frees b. */
static void blk_teardown(struct uk_blk *b)
{
	b->closing = true;
	while (b->inflight > 0 && !b->broken && !b->backend_gone)
		uk_waitq_wait(&b->idle_wq, 0);
	blkfront_wake_all(b);
	/* Submitters waiting for a slot see closing and leave; b must outlive them. */
	while (b->users > 0)
		uk_waitq_wait(&b->idle_wq, 0);
	if (b->port_bound)
		evtchn_unbind(b->port);
	blkfront_xs_disconnect(b);
	if (b->port_bound) {
		evtchn_close(b->port);
		b->port_bound = false;
	}
	blkfront_release_all(b);
	uk_free(b);
}

static int blk_setup(struct uk_blk *b, uint64_t deadline_ns)
{
	int rc;

	if ((rc = blkfront_xs_find(b)) < 0)
		return rc;
	b->dev_ready = true;
	if ((rc = blkfront_xs_negotiate(b, deadline_ns)) < 0)
		return rc;
	if ((rc = blkfront_ring_alloc(b)) < 0 || (rc = blkfront_slots_alloc(b)) < 0) {
		uk_printf("blkfront %u: no memory or grants for the ring (%d)\n", b->index, rc);
		return rc;
	}
	if ((rc = evtchn_alloc_unbound(b->dev.otherend_id, blkfront_event, b, &b->port)) < 0) {
		uk_printf("blkfront %u: no event channel (%d)\n", b->index, rc);
		return rc;
	}
	b->port_bound = true;
	return blkfront_xs_connect(b, deadline_ns);
}

int uk_blk_open(unsigned int index, uint64_t timeout_ns, struct uk_blk **out)
{
	uint64_t deadline = timeout_ns ? uk_deadline_after(timeout_ns) : 0;
	struct uk_blk *b;
	int rc;

	if (!out)
		return -EINVAL;
	if (!(b = blk_alloc(index)))
		return -ENOMEM;
	if ((rc = blk_setup(b, deadline)) < 0) {
		blk_teardown(b);
		return rc;
	}
	*out = b;
	return 0;
}

int uk_blk_close(struct uk_blk *b)
{
	if (!b)
		return -EINVAL;
	blk_teardown(b);
	return 0;
}

void uk_blk_get_info(const struct uk_blk *b, struct uk_blk_info *info)
{
	*info = b->info;
}
