/*
 * Frontend device helpers (<uk/drivers/xenbus_dev.h>), part one: the device
 * handle and its keys, read with limits and written, after Linux's
 * xenbus_probe_frontend.c (the device and its otherend) and xenbus_read_unsigned.
 * The states are in xenbus_dev_state.c.
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

int xb_dev_fail(struct xenbus_dev *dev, int rc, bool quiet, const char *fmt, ...)
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
	char path[XB_DEV_KEY_PATH_MAX];
	int rc;

	if (!key)
		return xb_dev_fail(dev, -EINVAL, false, "%s: no key given", dev->nodename);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", end_dir(dev, end), key) >= sizeof(path))
		return xb_dev_fail(dev, -ENAMETOOLONG, false, "%s: key path too long", dev->nodename);
	if ((rc = xenbus_read(XBT_NIL, path, value, NULL)) < 0)
		return xb_dev_fail(dev, rc, rc == -ENOENT, "%s: cannot read %s (%d)", dev->nodename,
				path, rc);
	return 0;
}

static bool type_valid(const char *type)
{
	return type && strlen(type) < XENBUS_DEV_TYPE_MAX && !strchr(type, '/');
}

/* A device's entry under device/<type> is its decimal device number. */
static bool devid_of(const char *name, unsigned int *id)
{
	unsigned long v;

	if (xenbus_parse_uint(name, UINT32_MAX, &v) < 0)
		return false;
	*id = (unsigned int)v;
	return true;
}

/* The entries of device/<type> (uk_malloc'd); 0 entries when it is absent. */
static int list_devices(const char *type, char ***names)
{
	char path[16 + XENBUS_DEV_TYPE_MAX];
	int n;

	snprintf(path, sizeof(path), "device/%s", type);
	n = xenbus_directory(XBT_NIL, path, names);
	if (n == -ENOENT) {
		*names = NULL;
		return 0;
	}
	return n;
}

int xenbus_dev_count(const char *type)
{
	char **names;
	unsigned int id;
	int n, count = 0;

	if (!type_valid(type))
		return -EINVAL;
	if ((n = list_devices(type, &names)) <= 0)
		return n;
	for (int i = 0; i < n; i++)
		count += devid_of(names[i], &id);
	uk_free(names);
	return count;
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
		rc = xb_dev_fail(dev, -ERANGE, false, "%s%s%s/%s is %zu bytes, at most %zu fit",
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
		xb_dev_fail(dev, rc, false, "%s%s%s/%s \"%.32s\" is not a decimal number",
			 who(dev, end), sep(end), end_dir(dev, end), key, value);
	else if (rc == -ERANGE)
		xb_dev_fail(dev, rc, false, "%s%s%s/%s \"%.32s\" is outside %" PRIu64 "..%" PRIu64,
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
		xb_dev_fail(dev, rc, false, "%s%s%s/%s \"%.32s\" is not a MAC address",
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
		return xb_dev_fail(dev, -EINVAL, false, "%s: empty backend path", dev->nodename);
	rc = xenbus_dev_read_uint(dev, XENBUS_DEV_SELF, "backend-id", 0, DOMID_FIRST_RESERVED - 1,
				  &id);
	if (rc == -ENOENT)
		return xb_dev_fail(dev, -EINVAL, false, "%s: no backend-id", dev->nodename);
	if (rc == 0)
		dev->otherend_id = (domid_t)id;
	return rc;
}

static void dev_reset(struct xenbus_dev *dev)
{
	memset(dev, 0, sizeof(*dev));
	uk_waitq_init(&dev->wq);
	dev->state = XenbusStateUnknown;
	dev->otherend_state = XenbusStateUnknown;
}

int xenbus_dev_init(struct xenbus_dev *dev, const char *type, unsigned int id)
{
	if (!dev || !type)
		return -EINVAL;
	dev_reset(dev);
	if (!type_valid(type))
		return xb_dev_fail(dev, -EINVAL, false, "xenbus_dev: bad device type \"%.32s\"", type);
	dev->id = id;
	snprintf(dev->nodename, sizeof(dev->nodename), "device/%s/%u", type, id);
	return read_backend(dev);
}

/*
 * The device number with exactly n smaller ones under device/<type>;
 * entries that are not device numbers do not count. -ENOENT when there
 * are n or fewer devices.
 */
static int nth_devid(const char *type, char **names, int count, unsigned int n,
		     unsigned int *out)
{
	for (int i = 0; i < count; i++) {
		unsigned int id, other, below = 0;

		if (!devid_of(names[i], &id)) {
			uk_printf("xenbus_dev: device/%s/%.32s is not a device number; skipped\n",
				  type, names[i]);
			continue;
		}
		for (int j = 0; j < count; j++)
			below += devid_of(names[j], &other) && other < id;
		if (below == n) {
			*out = id;
			return 0;
		}
	}
	return -ENOENT;
}

int xenbus_dev_init_nth(struct xenbus_dev *dev, const char *type, unsigned int n)
{
	unsigned int id = 0;
	char **names;
	int count, rc;

	if (!dev || !type)
		return -EINVAL;
	if (!type_valid(type)) {
		dev_reset(dev);
		return xb_dev_fail(dev, -EINVAL, false, "xenbus_dev: bad device type \"%.32s\"", type);
	}
	if ((count = list_devices(type, &names)) < 0) {
		dev_reset(dev);
		return xb_dev_fail(dev, count, false, "xenbus_dev: cannot list device/%s (%d)", type,
				   count);
	}
	rc = count ? nth_devid(type, names, count, n, &id) : -ENOENT;
	uk_free(names);
	if (rc < 0) {
		dev_reset(dev);
		return xb_dev_fail(dev, rc, true, "xenbus_dev: no %s number %u under device/%s",
				   type, n, type);
	}
	return xenbus_dev_init(dev, type, id);
}

int xenbus_dev_write_str(struct xenbus_dev *dev, xenbus_transaction_t t, const char *key,
			 const char *value)
{
	char path[XB_DEV_KEY_PATH_MAX];
	int rc;

	if (!key || !value)
		return -EINVAL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dev->nodename, key) >= sizeof(path))
		return xb_dev_fail(dev, -ENAMETOOLONG, false, "%s: key path too long", dev->nodename);
	/* -EAGAIN ends a transaction that xenbus_transaction_retry redoes: not worth a line. */
	if ((rc = xenbus_write(t, path, value)) < 0)
		return xb_dev_fail(dev, rc, rc == -EAGAIN, "%s: cannot write %s (%d)", dev->nodename,
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
