/*
 * Frontend device helpers (<uk/drivers/xenbus_dev.h>), part two: our state
 * and the other end's, after Linux's xenbus_client.c (xenbus_switch_state,
 * xenbus_watch_path, xenbus_frontend_closed) and xenbus_probe.c
 * (otherend_changed).
 */
#include "xenbus_private.h"

#include <stdio.h>

#include <uk/drivers/xenbus_dev.h>

#include "uk/alloc.h"
#include "uk/console.h"

int xenbus_dev_switch_state(struct xenbus_dev *dev, XenbusState state)
{
	int rc = xenbus_dev_write_uint(dev, XBT_NIL, "state", (uint64_t)state);

	if (rc < 0)
		return rc;
	dev->state = state;
	dev->state_published = true;
	return 0;
}

/* <dir>/state as a XenbusState; XenbusStateUnknown when absent or not a state. */
static XenbusState read_state(const char *dir)
{
	char path[XB_DEV_KEY_PATH_MAX];
	unsigned long st;
	char *value;
	int rc;

	snprintf(path, sizeof(path), "%s/state", dir);
	if (xenbus_read(XBT_NIL, path, &value, NULL) < 0)
		return XenbusStateUnknown;
	rc = xenbus_parse_uint(value, XenbusStateReconfigured, &st);
	uk_free(value);
	return rc < 0 ? XenbusStateUnknown : (XenbusState)st;
}

XenbusState xenbus_dev_read_state(struct xenbus_dev *dev)
{
	return read_state(dev->nodename);
}

static void otherend_update(struct xenbus_dev *dev)
{
	XenbusState st = read_state(dev->otherend);

	dev->otherend_state = st;
	if (st != XenbusStateUnknown)
		dev->otherend_seen = true;
	uk_waitq_wake_all(&dev->wq);
}

/* The watch callback (xenbus thread), as Linux's otherend_changed. */
static void otherend_changed(struct xenbus_watch *w, const char *path, void *arg)
{
	struct xenbus_dev *dev = arg;

	otherend_update(dev);
	if (dev->fn)
		dev->fn(dev, dev->arg);
}

int xenbus_dev_watch_otherend(struct xenbus_dev *dev, xenbus_dev_otherend_fn fn, void *arg)
{
	char path[XB_DEV_KEY_PATH_MAX];
	int rc;

	if (dev->watching)
		return -EBUSY;
	dev->fn = fn;
	dev->arg = arg;
	snprintf(path, sizeof(path), "%s/state", dev->otherend);
	if ((rc = xenbus_watch_add(&dev->watch, path, otherend_changed, dev)) < 0)
		return xb_dev_fail(dev, rc, false, "%s: cannot watch %s (%d)", dev->nodename, path,
				rc);
	dev->watching = true;
	otherend_update(dev);
	return 0;
}

/* 0 when st is in want, -ENODEV when in fail or gone, 1 to go on waiting. */
static int otherend_verdict(const struct xenbus_dev *dev, unsigned int want, unsigned int fail)
{
	XenbusState st = dev->otherend_state;

	if (want & XENBUS_STATE_BIT(st))
		return 0;
	if ((fail & XENBUS_STATE_BIT(st)) || (st == XenbusStateUnknown && dev->otherend_seen))
		return -ENODEV;
	return 1;
}

int xenbus_dev_wait_otherend(struct xenbus_dev *dev, unsigned int want, unsigned int fail,
			     uint64_t deadline_ns)
{
	int rc;

	if (!dev->watching)
		return xb_dev_fail(dev, -EINVAL, false, "%s: waiting without a watch on %s",
				dev->nodename, dev->otherend);
	while ((rc = otherend_verdict(dev, want, fail)) > 0) {
		if (uk_waitq_wait(&dev->wq, deadline_ns) == -ETIMEDOUT &&
		    (rc = otherend_verdict(dev, want, fail)) > 0)
			return xb_dev_fail(dev, -ETIMEDOUT, true, "%s: backend %s still in state %d",
					dev->nodename, dev->otherend, (int)dev->otherend_state);
	}
	if (rc == -ENODEV)
		xb_dev_fail(dev, rc, true, "%s: backend %s is %s (state %d)", dev->nodename,
			 dev->otherend,
			 dev->otherend_state == XenbusStateUnknown ? "gone" : "closing",
			 (int)dev->otherend_state);
	return rc;
}

/* Publishes state and, with follow, waits for the other end to reach want. */
static int close_step(struct xenbus_dev *dev, XenbusState state, bool follow, unsigned int want,
		      uint64_t deadline_ns)
{
	int rc = xenbus_dev_switch_state(dev, state);

	if (rc < 0 || !follow)
		return rc;
	want |= XENBUS_STATE_BIT(XenbusStateUnknown); /* gone: nothing left to wait for */
	rc = xenbus_dev_wait_otherend(dev, want, 0, deadline_ns);
	if (rc == -ETIMEDOUT)
		uk_printf("%s: backend %s did not follow to state %d (it is in state %d)\n",
			  dev->nodename, dev->otherend, (int)state, (int)dev->otherend_state);
	return rc;
}

int xenbus_dev_close(struct xenbus_dev *dev, bool follow, uint64_t deadline_ns)
{
	const unsigned int closed = XENBUS_STATE_BIT(XenbusStateClosed);
	/* The toolstack removed the device: writing state would re-create its directory. */
	bool gone = dev->otherend_seen && dev->otherend_state == XenbusStateUnknown;
	int rc = 0, rc2;

	follow = follow && dev->watching;
	if (dev->state_published && !gone) {
		if (follow)
			rc = close_step(dev, XenbusStateClosing, true,
					closed | XENBUS_STATE_BIT(XenbusStateClosing), deadline_ns);
		if ((rc2 = close_step(dev, XenbusStateClosed, follow, closed, deadline_ns)) < 0 &&
		    rc == 0)
			rc = rc2;
	}
	if (dev->watching) {
		xenbus_watch_remove(&dev->watch);
		dev->watching = false;
	}
	return rc;
}
