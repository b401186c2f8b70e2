/*
 * --disk SPEC in xl's disk syntax (xl-disk-configuration.txt) and the
 * image's checks: what libxl's disk parser (libxlu_disk_l.l) accepts of it,
 * for raw images, plus drydock's own keys (blkback.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/fs.h>

#include "sim/backends/blkback.h"
#include "sim/parse.h"

#define SPEC_MAX 4096

/* Disk letters "a".."z", "aa".. (bijective base 26), as Linux names them. */
static int disk_index(const char *s, size_t n, unsigned int *out)
{
	unsigned int v = 0;

	if (n == 0 || n > 3)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < 'a' || s[i] > 'z')
			return -EINVAL;
		v = v * 26 + (unsigned int)(s[i] - 'a' + 1);
	}
	*out = v - 1;
	return 0;
}

/* libxl__device_disk_dev_number: xvdX, hdX (a-d) and sdX, with an optional partition 1-15. */
int blkback_vdev_to_devid(const char *vdev, unsigned int *devid)
{
	const char *p = vdev;
	size_t letters;
	unsigned int disk, part = 0;

	if (!strncmp(p, "xvd", 3) || !strncmp(p, "hd", 2) || !strncmp(p, "sd", 2))
		p += p[0] == 'x' ? 3 : 2;
	else
		return -EINVAL;
	letters = strspn(p, "abcdefghijklmnopqrstuvwxyz");
	if (disk_index(p, letters, &disk) < 0)
		return -EINVAL;
	if (p[letters]) {
		uint64_t v;
		if (p[letters] == '0' || sim_parse_u64(p + letters, 15, &v) < 0 || v < 1)
			return -EINVAL;
		part = (unsigned int)v;
	}
	if (vdev[0] == 'x')
		*devid = disk < 16 ? (202u << 8) | (disk << 4) | part
				   : (1u << 28) | (disk << 8) | part;
	else if (vdev[0] == 'h' && disk < 4)
		*devid = ((disk < 2 ? 3u : 22u) << 8) | ((disk & 1) << 6) | part;
	else if (vdev[0] == 's' && disk < 16)
		*devid = (8u << 8) | (disk << 4) | part;
	else
		return -EINVAL;
	return 0;
}

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Writes the one-line reason into err and returns rc. */
static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

static int parse_bool(const char *key, const char *v, bool *out, char *err, size_t errlen)
{
	if (strcmp(v, "0") && strcmp(v, "1"))
		return fail(err, errlen, -EINVAL, "%s takes 0 or 1, not '%s'", key, v);
	*out = v[0] == '1';
	return 0;
}

static int parse_uint(const char *key, const char *v, unsigned long long max,
		      unsigned long long *out, char *err, size_t errlen)
{
	uint64_t n = 0;
	int rc = sim_parse_u64(v, max, &n);

	*out = n;
	return rc < 0 ? fail(err, errlen, -EINVAL, "bad %s '%s'", key, v) : 0;
}

static int set_format(const char *v, char *err, size_t errlen)
{
	if (!*v || !strcmp(v, "raw"))
		return 0;
	return fail(err, errlen, -EINVAL, "format '%s' is not supported: drydock serves raw "
		    "images only (format=raw)", v);
}

static int set_access(struct blkback_config *cfg, const char *v, char *err, size_t errlen)
{
	if (!*v || !strcmp(v, "w") || !strcmp(v, "rw"))
		cfg->readonly = false;
	else if (!strcmp(v, "r") || !strcmp(v, "ro"))
		cfg->readonly = true;
	else
		return fail(err, errlen, -EINVAL, "bad access '%s': r, ro, w or rw", v);
	return 0;
}

static int set_vdev(struct blkback_config *cfg, const char *v, char *err, size_t errlen)
{
	if (strlen(v) >= sizeof(cfg->vdev) || blkback_vdev_to_devid(v, &cfg->devid) < 0)
		return fail(err, errlen, -EINVAL, "bad vdev '%s': a disk name as xvda, xvdb1, "
			    "hda or sdb", v);
	strcpy(cfg->vdev, v);
	return 0;
}

static int set_target(struct blkback_config *cfg, const char *v, char *err, size_t errlen)
{
	free(cfg->target);
	if (!(cfg->target = strdup(v)))
		return fail(err, errlen, -ENOMEM, "out of memory");
	return 0;
}

static int set_powercut(struct blkback_config *cfg, const char *v, char *err, size_t errlen)
{
	unsigned long long n;

	cfg->powercut = true;
	if (!strcmp(v, "random")) {
		cfg->powercut_random = true;
		return 0;
	}
	if (parse_uint("powercut", v, UINT64_MAX, &n, err, errlen) < 0 || n == 0)
		return fail(err, errlen, -EINVAL, "powercut takes a write number from 1, or "
			    "'random', not '%s'", v);
	cfg->powercut_at = n;
	return 0;
}

/* KEY=VALUE; 1 when key is not a disk key (then the item may be positional). */
static int parse_key(struct blkback_config *cfg, const char *key, const char *v, char *err,
		     size_t errlen)
{
	unsigned long long n;

	if (!strcmp(key, "format"))
		return set_format(v, err, errlen);
	if (!strcmp(key, "vdev"))
		return set_vdev(cfg, v, err, errlen);
	if (!strcmp(key, "access"))
		return set_access(cfg, v, err, errlen);
	if (!strcmp(key, "devtype")) {
		if (strcmp(v, "cdrom") && strcmp(v, "disk"))
			return fail(err, errlen, -EINVAL, "bad devtype '%s': disk or cdrom", v);
		cfg->cdrom = !strcmp(v, "cdrom");
		cfg->readonly |= cfg->cdrom;
		return 0;
	}
	if (!strcmp(key, "flush"))
		return parse_bool(key, v, &cfg->flush, err, errlen);
	if (!strcmp(key, "barrier"))
		return parse_bool(key, v, &cfg->barrier, err, errlen);
	if (!strcmp(key, "indirect")) {
		if (parse_uint(key, v, 256, &n, err, errlen) < 0 || (n > 0 && n < 12))
			return fail(err, errlen, -EINVAL, "indirect takes 0 (off) or 12 to 256 "
				    "segments, not '%s'", v);
		cfg->indirect = (unsigned int)n;
		return 0;
	}
	if (!strcmp(key, "ring-order")) {
		if (parse_uint(key, v, BLKBACK_MAX_RING_ORDER, &n, err, errlen) < 0)
			return fail(err, errlen, -EINVAL, "ring-order takes 0 to 4, not '%s'", v);
		cfg->ring_order = (unsigned int)n;
		return 0;
	}
	if (!strcmp(key, "powercut"))
		return set_powercut(cfg, v, err, errlen);
	if (!strcmp(key, "capture")) {
		free(cfg->capture);
		if (!*v || !(cfg->capture = strdup(v)))
			return fail(err, errlen, -EINVAL, "capture takes a file name");
		return 0;
	}
	return fail(err, errlen, -EINVAL, "unknown disk key '%s' (keys: target, format, vdev, "
		    "access, devtype, flush, barrier, indirect, ring-order, powercut, capture)", key);
}

/* The Nth positional item: target, format, vdev, access. */
static int parse_positional(struct blkback_config *cfg, unsigned int n, const char *v,
			    char *err, size_t errlen)
{
	switch (n) {
	case 0:
		return *v ? set_target(cfg, v, err, errlen) : 0;
	case 1:
		return set_format(v, err, errlen);
	case 2:
		return *v ? set_vdev(cfg, v, err, errlen) : 0;
	case 3:
		return set_access(cfg, v, err, errlen);
	default:
		return fail(err, errlen, -EINVAL, "too many positional items at '%s' (TARGET,"
			    "FORMAT,VDEV,ACCESS)", v);
	}
}

static int parse_items(struct blkback_config *cfg, char *s, char *err, size_t errlen)
{
	unsigned int pos = 0;
	int rc;

	for (char *item = s; item;) {
		char *comma, *eq;

		/* target= takes the rest of the spec, commas and all, as xl's does. */
		if (!strncmp(item, "target=", 7))
			return set_target(cfg, item + 7, err, errlen);
		if ((comma = strchr(item, ',')))
			*comma = '\0';
		if ((eq = strchr(item, '='))) {
			*eq = '\0';
			rc = parse_key(cfg, item, eq + 1, err, errlen);
		} else {
			rc = parse_positional(cfg, pos++, item, err, errlen);
		}
		if (rc < 0)
			return rc;
		item = comma ? comma + 1 : NULL;
	}
	return 0;
}

/* The image: open, a regular file or block device of whole sectors. */
static int open_image(struct blkback_config *cfg, char *err, size_t errlen)
{
	struct stat st;
	uint64_t size;

	cfg->fd = open(cfg->target, (cfg->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (cfg->fd < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot open image '%s'%s: %s", cfg->target,
			 cfg->readonly ? "" : " for writing (access=ro to share it read-only)",
			 strerror(e));
		return -e;
	}
	if (fstat(cfg->fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)))
		return fail(err, errlen, -EINVAL, "image '%s' is not a regular file or block "
			    "device", cfg->target);
	size = (uint64_t)st.st_size;
	if (S_ISBLK(st.st_mode) && ioctl(cfg->fd, BLKGETSIZE64, &size) < 0)
		return fail(err, errlen, -EINVAL, "cannot read the size of '%s'", cfg->target);
	if (size == 0 || size % BLKBACK_SECTOR) {
		snprintf(err, errlen, "image '%s' is %llu bytes: a disk is a whole, non-zero "
			 "number of %u-byte sectors", cfg->target, (unsigned long long)size,
			 BLKBACK_SECTOR);
		return -EINVAL;
	}
	cfg->sectors = size / BLKBACK_SECTOR;
	return 0;
}

int blkback_config_parse(struct blkback_config *cfg, const char *spec, char *err, size_t errlen)
{
	char buf[SPEC_MAX];
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	cfg->fd = -1;
	cfg->flush = cfg->barrier = true;
	cfg->indirect = BLKBACK_DEFAULT_INDIRECT;
	cfg->ring_order = BLKBACK_MAX_RING_ORDER;
	if (strlen(spec) >= sizeof(buf))
		return fail(err, errlen, -EINVAL, "spec longer than %d bytes", SPEC_MAX - 1);
	strcpy(buf, spec);
	if ((rc = parse_items(cfg, buf, err, errlen)) < 0)
		goto out;
	rc = -EINVAL;
	if (!cfg->target) {
		fail(err, errlen, rc, "no image: TARGET or target=FILE");
		goto out;
	}
	if (!cfg->vdev[0]) {
		fail(err, errlen, rc, "no vdev: the disk's name, as vdev=xvda");
		goto out;
	}
	if ((rc = open_image(cfg, err, errlen)) < 0)
		goto out;
	return 0;
out:
	blkback_config_free(cfg);
	return rc;
}

void blkback_config_free(struct blkback_config *cfg)
{
	free(cfg->target);
	free(cfg->capture);
	cfg->target = cfg->capture = NULL;
	if (cfg->fd >= 0)
		close(cfg->fd);
	cfg->fd = -1;
}
