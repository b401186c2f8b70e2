/*
 * The tap vif backend: a Linux TAP device (IFF_TAP | IFF_NO_PI), opened
 * non-blocking and watched with a libuv poll handle. Frames read from it go
 * to the guest; while the guest has no receive buffer posted, reading stops
 * (frames wait in the kernel's queue) until it posts more. Frames from the
 * guest are written to it; when the device cannot take one (full queue, link
 * down) the frame is dropped, never waited for.
 *
 * The device must exist: TUNSETIFF as root would make a transient TAP of
 * that name, with no address or bridge, that vanishes at exit, so traffic
 * would silently go nowhere. tap_open looks the name up first and refuses
 * a missing one, saying how to make it. With create=1 the backend makes the
 * device itself, owned by this process and gone at its exit: what Xen's
 * netback does for a vif (vif<domid>.<n>), and what an xl.cfg's bridge= uses
 * (the toolstack then adds it to the bridge, as vif-bridge does). Names are
 * checked at parse time by the kernel's own rules (dev_valid_name in
 * net/core/dev.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include "sim/domain.h"
#include "sim/report.h"
#include "sim/backends/vif.h"

#define TAP_FRAME_MAX 65536
#define TAP_IFNAME_MAX (IFNAMSIZ - 1)

struct tap {
	struct vif *vif;
	int fd;
	uv_poll_t poll;
	bool polling;
	bool read_failed, write_failed; /* said once */
	uint64_t tx_dropped;
	uint8_t buf[TAP_FRAME_MAX];
};

static void tap_poll(struct tap *t, bool on);

/* Reads until the device is empty, or until the guest has nowhere to put a frame. */
static void tap_readable(uv_poll_t *h, int status, int events)
{
	struct tap *t = h->data;

	if (status < 0) {
		sim_log("tap %s: poll failed: %s; no more frames from it", t->vif->cfg.arg,
			uv_strerror(status));
		tap_poll(t, false);
		return;
	}
	for (;;) {
		if (!vif_rx_ready(t->vif) && vif_connected(t->vif)) {
			tap_poll(t, false); /* resumed by tap_rx_ready */
			return;
		}
		ssize_t n = read(t->fd, t->buf, sizeof(t->buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			if (!t->read_failed)
				sim_log("tap %s: read failed: %s; no more frames from it",
					t->vif->cfg.arg, n < 0 ? strerror(errno) : "end of file");
			t->read_failed = true;
			tap_poll(t, false);
			return;
		}
		vif_deliver(t->vif, t->buf, (size_t)n);
	}
}

static void tap_poll(struct tap *t, bool on)
{
	if (on == t->polling || t->read_failed)
		return;
	t->polling = on;
	if (on)
		uv_poll_start(&t->poll, UV_READABLE, tap_readable);
	else
		uv_poll_stop(&t->poll);
}

static void tap_rx_ready(struct vif *v)
{
	tap_poll(v->backend, true);
}

/* Why the kernel would refuse name (Linux's dev_valid_name), or NULL. */
static const char *tap_name_problem(const char *name)
{
	if (!*name)
		return "is empty";
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return "may not be '.' or '..'";
	for (const char *c = name; *c; c++) {
		if (*c == '/')
			return "may not contain '/'";
		if (*c == ':')
			return "may not contain ':'";
		if (*c == ' ' || (*c >= '\t' && *c <= '\r'))
			return "may not contain a space or other white space";
	}
	return NULL;
}

/* At parse time: an interface name the kernel can take. */
static int tap_check(const struct vif_config *cfg, char *err, size_t errlen)
{
	const char *why = tap_name_problem(cfg->arg);

	if (strlen(cfg->arg) > TAP_IFNAME_MAX) {
		snprintf(err, errlen, "interface name '%s' is longer than %u characters", cfg->arg,
			 TAP_IFNAME_MAX);
		return -EINVAL;
	}
	if (why) {
		snprintf(err, errlen, "interface name '%s' %s", cfg->arg, why);
		return -EINVAL;
	}
	const char *c = vif_config_get(cfg, "create");
	if (c && strcmp(c, "0") && strcmp(c, "1")) {
		snprintf(err, errlen, "tap: create=%s: expected 0 or 1", c);
		return -EINVAL;
	}
	return 0;
}

/* 0 if an interface named ifname exists in this network namespace, else -errno. */
static int tap_exists(const char *ifname)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = 0;

	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(s, SIOCGIFINDEX, &ifr) < 0)
		rc = -errno;
	close(s);
	return rc;
}

/* One line that says what to do about a device that cannot be opened. */
static int open_error(const char *ifname, int e, bool attaching, char *err, size_t errlen)
{
	if (!attaching && (e == ENOENT || e == ENODEV || e == ENXIO))
		snprintf(err, errlen, "cannot open TAP device %s: no /dev/net/tun (load the tun "
			 "module: modprobe tun)", ifname);
	else if (e == EPERM || e == EACCES)
		snprintf(err, errlen, "cannot open TAP device %s: permission denied (run as "
			 "root, or create it for your user: ip tuntap add dev %s mode tap user "
			 "$USER)", ifname, ifname);
	else if (attaching && e == EBUSY)
		snprintf(err, errlen, "cannot open TAP device %s: it is in use by another "
			 "process", ifname);
	else if (attaching && e == ENODEV)
		snprintf(err, errlen, "cannot open TAP device %s: no network interface of that "
			 "name (drydock does not create one: ip tuntap add dev %s mode tap user "
			 "$USER)", ifname, ifname);
	else if (attaching && e == EINVAL)
		snprintf(err, errlen, "cannot open TAP device %s: the interface exists and is not "
			 "a TAP device (or was made with other flags than tap, no packet info)",
			 ifname);
	else
		snprintf(err, errlen, "cannot open TAP device %s: %s %s", ifname,
			 attaching ? "TUNSETIFF:" : "/dev/net/tun:", strerror(e));
	return -e;
}

/* create=1: make the device if it is missing (see the top). */
static bool tap_create(const struct vif_config *cfg)
{
	const char *c = vif_config_get(cfg, "create");

	return c && !strcmp(c, "1");
}

static int tap_open(struct vif *v, const struct vif_config *cfg, char *err, size_t errlen)
{
	struct tap *t = calloc(1, sizeof(*t));
	struct ifreq ifr;
	int rc;

	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	t->vif = v;
	if ((t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0) {
		rc = open_error(cfg->arg, errno, false, err, errlen);
		free(t);
		return rc;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", cfg->arg);
	/* Looked up first: TUNSETIFF would make a missing one (see the top). */
	rc = tap_create(cfg) ? 0 : tap_exists(cfg->arg);
	if (rc < 0 || ioctl(t->fd, TUNSETIFF, &ifr) < 0) {
		rc = open_error(cfg->arg, rc < 0 ? -rc : errno, true, err, errlen);
		close(t->fd);
		free(t);
		return rc;
	}
	if ((rc = uv_poll_init(sim_loop(v->dom->sim), &t->poll, t->fd)) < 0) {
		snprintf(err, errlen, "cannot watch TAP device %s: %s", cfg->arg, uv_strerror(rc));
		close(t->fd);
		free(t);
		return rc;
	}
	t->poll.data = t;
	v->backend = t;
	tap_poll(t, true);
	return 0;
}

static void tap_transmit(struct vif *v, const uint8_t *frame, size_t len)
{
	struct tap *t = v->backend;
	ssize_t n;

	do
		n = write(t->fd, frame, len);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)len)
		return;
	t->tx_dropped++;
	/* A full queue or a link that is down drops frames, as a wire would. */
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS ||
		      errno == EIO))
		return;
	if (!t->write_failed)
		sim_log("tap %s: writing a %zu-byte frame failed: %s", v->cfg.arg, len,
			n < 0 ? strerror(errno) : "short write");
	t->write_failed = true;
}

static void tap_free(uv_handle_t *h)
{
	free(h->data);
}

static void tap_close(struct vif *v)
{
	struct tap *t = v->backend;

	if (!t)
		return;
	if (t->tx_dropped)
		sim_log("tap %s: %llu frames from the guest were dropped (device busy or down)",
			v->cfg.arg, (unsigned long long)t->tx_dropped);
	uv_poll_stop(&t->poll);
	close(t->fd);
	/* The handle's memory must outlive the loop's last look at it. */
	uv_close((uv_handle_t *)&t->poll, tap_free);
	v->backend = NULL;
}

static const struct vif_backend_key tap_keys[] = {
	{ "create", false }, /* create=1: make a missing device, owned by this process */
	{ NULL, false },
};

const struct vif_backend_ops vif_tap_ops = {
	.name = "tap",
	.arg = "IFNAME",
	.arg_what = "an interface name",
	.keys = tap_keys,
	.live = true,
	.check = tap_check,
	.open = tap_open,
	.transmit = tap_transmit,
	.close = tap_close,
	.rx_ready = tap_rx_ready,
};
