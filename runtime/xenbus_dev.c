/*
 * Frontend device helpers (<uk/drivers/xenbus_dev.h>): the device handle,
 * its keys read with limits, our state and the other end's, after Linux's
 * xenbus_probe_frontend.c (the device and its otherend) and
 * xenbus_client.c (xenbus_switch_state, xenbus_watch_path,
 * xenbus_frontend_closed).
 */
#include "xenbus_private.h"

#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <uk/drivers/xenbus_dev.h>

#include "uk/alloc.h"
#include "uk/console.h"
#include "uk/time.h"

/* A key's path: <dir>/<key>. */
#define KEY_PATH_MAX (XENBUS_DEV_PATH_MAX + 64)

/* Records (and, unless quiet, prints) why a call failed; returns rc. */
__attribute__((format(printf, 4, 5)))
static int dev_fail(struct xenbus_dev *dev, int rc, bool quiet, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dev->error, sizeof(dev->error), fmt, ap);
	va_end(ap);
	if (!quiet)
		uk_printf("%s\n", dev->error);
	return rc;
}

static const char *end_dir(const struct xenbus_dev *dev, enum xenbus_dev_end end)
{
	return end == XENBUS_DEV_OTHEREND ? dev->otherend : dev->nodename;
}

/* For messages: "device/vbd/7: " before a backend's key, nothing before our own. */
static const char *who(const struct xenbus_dev *dev, enum xenbus_dev_end end)
{
	return end == XENBUS_DEV_OTHEREND ? dev->nodename : "";
}

static const char *sep(enum xenbus_dev_end end)
{
	return end == XENBUS_DEV_OTHEREND ? ": " : "";
}

/* Reads <dir>/<key> into *value (uk_malloc'd); -ENOENT is recorded quietly. */
static int read_key(struct xenbus_dev *dev, enum xenbus_dev_end end, const char *key,
		    char **value)
{
	char path[KEY_PATH_MAX];
	int rc;

	if (!key)
		return dev_fail(dev, -EINVAL, false, "%s: no key given", dev->nodename);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", end_dir(dev, end), key) >= sizeof(path))
		return dev_fail(dev, -ENAMETOOLONG, false, "%s: key path too long", dev->nodename);
	if ((rc = xenbus_read(XBT_NIL, path, value, NULL)) < 0)
		return dev_fail(dev, rc, rc == -ENOENT, "%s: cannot read %s (%d)", dev->nodename,
				path, rc);
	return 0;
}

int xenbus_dev_count(const char *type)
{
	char path[16 + XENBUS_DEV_TYPE_MAX];
	char **names;
	int n;

	if (!type || strlen(type) >= XENBUS_DEV_TYPE_MAX || strchr(type, '/'))
		return -EINVAL;
	snprintf(path, sizeof(path), "device/%s", type);
	n = xenbus_directory(XBT_NIL, path, &names);
	if (n == -ENOENT)
		return 0;
	if (n >= 0)
		uk_free(names);
	return n;
}

int xenbus_dev_read_str(struct xenbus_dev *dev, enum xenbus_dev_end end, const char *key,
			char *buf, size_t size)
{
	char *value;
	size_t len;
	int rc;

	if ((rc = read_key(dev, end, key, &value)) < 0)
		return rc;
	len = strlen(value);
	if (len >= size)
		rc = dev_fail(dev, -ERANGE, false, "%s%s%s/%s is %zu bytes, at most %zu fit",
			      who(dev, end), sep(end), end_dir(dev, end), key, len,
			      size ? size - 1 : 0);
	else
		memcpy(buf, value, len + 1);
	uk_free(value);
	return rc;
}

int xenbus_dev_read_uint(struct xenbus_dev *dev, enum xenbus_dev_end end, const char *key,
			 uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long v = 0;
	char *value;
	int rc;

	if ((rc = read_key(dev, end, key, &value)) < 0)
		return rc;
	rc = xenbus_parse_uint(value, ULONG_MAX, &v);
	if (rc == 0 && (v < min || v > max))
		rc = -ERANGE;
	if (rc == -EINVAL)
		dev_fail(dev, rc, false, "%s%s%s/%s \"%.32s\" is not a decimal number",
			 who(dev, end), sep(end), end_dir(dev, end), key, value);
	else if (rc == -ERANGE)
		dev_fail(dev, rc, false, "%s%s%s/%s \"%.32s\" is outside %" PRIu64 "..%" PRIu64,
			 who(dev, end), sep(end), end_dir(dev, end), key, value, min, max);
	else
		*out = v;
	uk_free(value);
	return rc;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "aa:bb:cc:dd:ee:ff", exactly. */
static int parse_mac(const char *s, uint8_t mac[6])
{
	if (strlen(s) != 17)
		return -EINVAL;
	for (unsigned int i = 0; i < 6; i++) {
		int hi = hex_digit(s[3 * i]), lo = hex_digit(s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int xenbus_dev_read_mac(struct xenbus_dev *dev, enum xenbus_dev_end end, const char *key,
			uint8_t mac[6])
{
	uint8_t m[6];
	char *value;
	int rc;

	if ((rc = read_key(dev, end, key, &value)) < 0)
		return rc;
	if ((rc = parse_mac(value, m)) < 0)
		dev_fail(dev, rc, false, "%s%s%s/%s \"%.32s\" is not a MAC address",
			 who(dev, end), sep(end), end_dir(dev, end), key, value);
	else
		memcpy(mac, m, 6);
	uk_free(value);
	return rc;
}

int xenbus_dev_read_feature(struct xenbus_dev *dev, const char *key, bool *on)
{
	uint64_t v;
	int rc = xenbus_dev_read_uint(dev, XENBUS_DEV_OTHEREND, key, 0, 1, &v);

	if (rc == -ENOENT) {
		*on = false;
		return 0;
	}
	if (rc == -ERANGE)
		rc = -EINVAL; /* a flag is 0 or 1: anything else is not a flag */
	if (rc == 0)
		*on = v == 1;
	return rc;
}

static int read_backend(struct xenbus_dev *dev)
{
	uint64_t id;
	int rc;

	rc = xenbus_dev_read_str(dev, XENBUS_DEV_SELF, "backend", dev->otherend,
				 sizeof(dev->otherend));
	if (rc < 0)
		return rc; /* -ENOENT: no such device */
	if (dev->otherend[0] == '\0')
		return dev_fail(dev, -EINVAL, false, "%s: empty backend path", dev->nodename);
	rc = xenbus_dev_read_uint(dev, XENBUS_DEV_SELF, "backend-id", 0, DOMID_FIRST_RESERVED - 1,
				  &id);
	if (rc == -ENOENT)
		return dev_fail(dev, -EINVAL, false, "%s: no backend-id", dev->nodename);
	if (rc == 0)
		dev->otherend_id = (domid_t)id;
	return rc;
}

int xenbus_dev_init(struct xenbus_dev *dev, const char *type, unsigned int id)
{
	if (!dev || !type)
		return -EINVAL;
	memset(dev, 0, sizeof(*dev));
	uk_waitq_init(&dev->wq);
	dev->state = XenbusStateUnknown;
	dev->otherend_state = XenbusStateUnknown;
	if (strlen(type) >= XENBUS_DEV_TYPE_MAX || strchr(type, '/'))
		return dev_fail(dev, -EINVAL, false, "xenbus_dev: bad device type \"%.32s\"", type);
	snprintf(dev->nodename, sizeof(dev->nodename), "device/%s/%u", type, id);
	return read_backend(dev);
}

int xenbus_dev_write_str(struct xenbus_dev *dev, xenbus_transaction_t t, const char *key,
			 const char *value)
{
	char path[KEY_PATH_MAX];
	int rc;

	if (!key || !value)
		return -EINVAL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dev->nodename, key) >= sizeof(path))
		return dev_fail(dev, -ENAMETOOLONG, false, "%s: key path too long", dev->nodename);
	/* -EAGAIN ends a transaction that xenbus_transaction_retry redoes: not worth a line. */
	if ((rc = xenbus_write(t, path, value)) < 0)
		return dev_fail(dev, rc, rc == -EAGAIN, "%s: cannot write %s (%d)", dev->nodename,
				path, rc);
	return 0;
}

int xenbus_dev_write_uint(struct xenbus_dev *dev, xenbus_transaction_t t, const char *key,
			  uint64_t value)
{
	char v[24];

	snprintf(v, sizeof(v), "%" PRIu64, value);
	return xenbus_dev_write_str(dev, t, key, v);
}

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
	char path[KEY_PATH_MAX];
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
	char path[KEY_PATH_MAX];
	int rc;

	if (dev->watching)
		return -EBUSY;
	dev->fn = fn;
	dev->arg = arg;
	snprintf(path, sizeof(path), "%s/state", dev->otherend);
	if ((rc = xenbus_watch_add(&dev->watch, path, otherend_changed, dev)) < 0)
		return dev_fail(dev, rc, false, "%s: cannot watch %s (%d)", dev->nodename, path,
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
		return dev_fail(dev, -EINVAL, false, "%s: waiting without a watch on %s",
				dev->nodename, dev->otherend);
	while ((rc = otherend_verdict(dev, want, fail)) > 0) {
		if (uk_waitq_wait(&dev->wq, deadline_ns) == -ETIMEDOUT &&
		    (rc = otherend_verdict(dev, want, fail)) > 0)
			return dev_fail(dev, -ETIMEDOUT, true, "%s: backend %s still in state %d",
					dev->nodename, dev->otherend, (int)dev->otherend_state);
	}
	if (rc == -ENODEV)
		dev_fail(dev, rc, true, "%s: backend %s is %s (state %d)", dev->nodename,
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
