/*
 * The tap vif backend: a Linux TAP device (IFF_TAP | IFF_NO_PI), opened
 * non-blocking and watched in the simulator's own epoll set (sim/io_watch.h:
 * a frame's wake-up runs no libuv pass). Frames read from it go
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
 *
 * Offloads: unless the vif turns one of sg, gso or csum off, the device is
 * opened with IFF_VNET_HDR, so every frame carries a struct virtio_net_hdr
 * (<linux/virtio_net.h>). A guest's 64 KiB TCP frame is then written whole
 * with VIRTIO_NET_HDR_GSO_TCPV4 and VIRTIO_NET_HDR_F_NEEDS_CSUM and the
 * kernel segments it (or, inside the host, never needs to): one write
 * instead of forty-five, nothing cut or checksummed in between.
 * In return, TUNSETOFFLOAD says what the kernel may hand us, following
 * what the connected frontend takes on receive (netback_rx_offloads):
 * TUN_F_CSUM for blank checksums (VIRTIO_NET_HDR_F_NEEDS_CSUM), with
 * TUN_F_TSO4 for whole 64 KiB TCP/IPv4 segments (VIRTIO_NET_HDR_GSO_TCPV4),
 * which netback gives the guest over several slots with a GSO extra; 0
 * while nothing is connected. A frame that still comes with an offload the
 * frontend no longer takes is checksummed or cut here (vif_deliver_offload).
 *
 * With the header, a frame over a page (a GSO segment) is read with readv
 * straight into the pages of the guest's posted RX buffers when nothing
 * else needs it first (vif_rx_direct.h); so are the frames after it until a
 * small one comes.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include "sim/domain.h"
#include "sim/io_watch.h"
#include "sim/report.h"
#include "sim/backends/gso.h"
#include "sim/backends/netback.h"
#include "sim/backends/vif.h"
#include "sim/backends/vif_rx_direct.h"

#define TAP_FRAME_MAX GSO_MAX_FRAME
#define TAP_VNET_HLEN sizeof(struct virtio_net_hdr)
#define TAP_IFNAME_MAX (IFNAMSIZ - 1)
/*
 * A frame up to this size goes to a device with virtio-net headers in one
 * write(2), copied behind its header, rather than a two-part writev(2):
 * about 40 ns less per ping on this VM (bench/README.md, bench-ping-cost),
 * where the copy costs less than the kernel's import of a second iovec.
 */
#define TAP_WRITE_COPY_MAX 256

struct tap {
	struct vif *vif;
	int fd;
	struct sim_io_watch watch;
	bool polling;
	bool read_failed, write_failed; /* said once */
	uint64_t tx_dropped;
	bool vnet;         /* IFF_VNET_HDR: each frame behind a virtio_net_hdr */
	bool offload_ok;   /* TUNSETOFFLOAD works */
	unsigned int offload; /* TUN_F_* last set */
	bool bad_hdr_said;
	/* Reading up to EAGAIN at each wake-up (see tap_readable). */
	bool burst;
	unsigned int wakes_single; /* wake-ups that read one frame since the last probe */
	struct vif_rx_direct direct; /* reading large frames into the guest's pages */
	uint8_t out[TAP_VNET_HLEN + TAP_WRITE_COPY_MAX]; /* a small frame behind its header */
	uint8_t buf[TAP_VNET_HLEN + TAP_FRAME_MAX];
};

static void tap_poll(struct tap *t, bool on);

/* The TUN_F_* offloads the connected frontend takes on receive. */
static unsigned int tap_rx_offload_wanted(struct tap *t)
{
	bool sg, gso, csum;

	/* RX impairment works on wire frames: the kernel cuts them better than gso.c. */
	if (!t->offload_ok || t->vif->impair[IMPAIR_RX])
		return 0;
	netback_rx_offloads(t->vif->netback, &sg, &gso, &csum);
	return (csum ? TUN_F_CSUM : 0) | (csum && gso ? TUN_F_TSO4 : 0);
}

/* Tells the kernel what it may hand us now (see the top). */
static void tap_rx_offload_sync(struct tap *t)
{
	unsigned int want = tap_rx_offload_wanted(t);

	if (want == t->offload)
		return;
	if (ioctl(t->fd, TUNSETOFFLOAD, (unsigned long)want) < 0) {
		sim_log("tap %s: TUNSETOFFLOAD %#x failed: %s; frames come whole and checksummed",
			t->vif->cfg.arg, want, strerror(errno));
		t->offload_ok = false;
		return;
	}
	t->offload = want;
}

/* A frame read behind its virtio-net header, to the guest. */
static void tap_deliver_vnet(struct tap *t, uint8_t *frame, size_t len)
{
	struct virtio_net_hdr h;
	bool blank = false, valid;
	uint16_t gso_size = 0;

	memcpy(&h, t->buf, sizeof(h));
	valid = (h.flags & VIRTIO_NET_HDR_F_DATA_VALID) != 0;
	if (h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		/* netif's csum_blank says nothing of where: TCP/UDP over IPv4 only. */
		blank = gso_is_l4_ip4(frame, len);
		if (!blank && gso_csum_at(frame, len, h.csum_start, h.csum_offset) < 0)
			goto bad;
	}
	if (h.gso_type == VIRTIO_NET_HDR_GSO_TCPV4 && h.gso_size)
		gso_size = h.gso_size;
	else if (h.gso_type != VIRTIO_NET_HDR_GSO_NONE)
		goto bad;
	vif_deliver_offload(t->vif, frame, len, gso_size, blank, valid);
	return;
bad:
	if (!t->bad_hdr_said)
		sim_log("tap %s: a frame with a virtio-net header we did not ask for (flags %#x, "
			"gso type %#x, checksum at %u+%u of %zu bytes) dropped", t->vif->cfg.arg,
			h.flags, h.gso_type, h.csum_start, h.csum_offset, len);
	t->bad_hdr_said = true;
	t->vif->stats.to_guest_dropped++;
}

/*
 * Wake-ups in a row that read one frame and leave the rest to the next
 * wake-up, before one reads to EAGAIN again to see whether frames now come
 * in bursts.
 */
#define TAP_SINGLE_WAKES_MAX 8

/*
 * Whether this wake-up reads until the device is empty. Reading to EAGAIN
 * costs a read(2) that finds nothing, which for one frame per wake-up (a
 * ping, a request and its answer) is one system call in three; the poll is
 * level-triggered, so a frame left in the queue wakes the loop again at
 * once. Frames that come in bursts (a window of datagrams) are read to
 * EAGAIN, one guest wake-up for all of them; one wake-up in
 * TAP_SINGLE_WAKES_MAX reads to EAGAIN to find out whether they do.
 */
static bool tap_read_all(struct tap *t)
{
	if (t->burst || ++t->wakes_single >= TAP_SINGLE_WAKES_MAX) {
		t->wakes_single = 0;
		return true;
	}
	return false;
}

/* Stops reading the device for good, saying why once ("read failed: ..."). */
static void tap_read_end(struct tap *t, const char *what, const char *why)
{
	if (!t->read_failed)
		sim_log("tap %s: %s: %s; no more frames from it", t->vif->cfg.arg, what, why);
	sim_io_watch_stop(&t->watch);
	t->polling = false;
	t->read_failed = true;
}

/* Reads until the device is empty (or one frame, see tap_read_all), or until
 * the guest has nowhere to put a frame. */
static void tap_readable(struct sim_io_watch *w, int status, int events)
{
	struct tap *t = w->data;
	bool all;
	unsigned int frames = 0;

	if (status < 0) {
		/* EPOLLERR: the interface went away (tun_chr_poll). */
		tap_read_end(t, "the device reports an error", strerror(-status));
		return;
	}
	all = tap_read_all(t);
	tap_rx_offload_sync(t);
	for (;;) {
		if (frames && !all)
			return; /* the poll wakes the loop again for the rest */
		if (!vif_rx_ready(t->vif) && vif_connected(t->vif)) {
			tap_poll(t, false); /* resumed by tap_rx_ready */
			return;
		}
		bool given = false;
		ssize_t n = t->offload_ok ? vif_rx_direct_read(t->vif, &t->direct, t->fd, t->buf,
							       sizeof(t->buf), &given)
					  : read(t->fd, t->buf, sizeof(t->buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			t->burst = frames > 1;
			return;
		}
		if (n <= 0) {
			tap_read_end(t, "read failed", n < 0 ? strerror(errno) : "end of file");
			return;
		}
		frames++;
		if (given)
			continue; /* read into the guest's buffers and answered */
		if (t->vnet && (size_t)n <= TAP_VNET_HLEN)
			continue; /* a header without a frame: nothing to deliver */
		if (t->vnet && t->offload_ok) {
			tap_deliver_vnet(t, t->buf + TAP_VNET_HLEN, (size_t)n - TAP_VNET_HLEN);
			continue;
		}
		vif_deliver(t->vif, t->buf + (t->vnet ? TAP_VNET_HLEN : 0),
			    (size_t)n - (t->vnet ? TAP_VNET_HLEN : 0));
	}
}

static void tap_poll(struct tap *t, bool on)
{
	if (on == t->polling || t->read_failed)
		return;
	t->polling = on;
	if (!on) {
		sim_io_watch_stop(&t->watch);
		return;
	}
	int rc = sim_io_watch_start(&t->watch, SIM_IO_READABLE, tap_readable);
	if (rc < 0)
		tap_read_end(t, "cannot watch the device", strerror(-rc));
}

static void tap_rx_ready(struct vif *v)
{
	tap_rx_offload_sync(v->backend);
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

/*
 * The virtio-net header on the attached device: its size, and no offloads
 * towards us. When the kernel refuses, the device stays IFF_VNET_HDR with a
 * zero header on each frame and no GSO frame goes to it.
 */
static void tap_vnet_setup(struct tap *t, struct vif *v, const struct vif_config *cfg)
{
	int hlen = (int)TAP_VNET_HLEN;

	/*
	 * A device that outlives its reader (persistent) keeps the offloads the
	 * last one set: without a header to say so, blank checksums and 64 KiB
	 * segments would come our way. None until a frontend takes them.
	 */
	if (!t->vnet) {
		ioctl(t->fd, TUNSETOFFLOAD, 0);
		return;
	}
	if (ioctl(t->fd, TUNSETVNETHDRSZ, &hlen) < 0 || ioctl(t->fd, TUNSETOFFLOAD, 0) < 0) {
		sim_log("tap %s: no offloads (virtio-net header: %s); frames are cut here",
			cfg->arg, strerror(errno));
		return;
	}
	v->tx_offload = true;
	t->offload_ok = true;
}

/* Whether the vif keeps every offload on (then the device takes virtio-net headers). */
static bool tap_wants_vnet(const struct vif_config *cfg)
{
	return !cfg->no_sg && !cfg->no_gso && !cfg->no_csum;
}

/* TUNSETIFF; a kernel that refuses IFF_VNET_HDR gets the device without it. 0 or -errno. */
static int tap_attach(struct tap *t, struct ifreq *ifr, const char *name)
{
	if (ioctl(t->fd, TUNSETIFF, ifr) == 0)
		return 0;
	if (!t->vnet || errno != EINVAL)
		return -errno;
	t->vnet = false;
	ifr->ifr_flags = (short)(ifr->ifr_flags & ~IFF_VNET_HDR);
	if (ioctl(t->fd, TUNSETIFF, ifr) < 0)
		return -errno;
	sim_log("tap %s: no virtio-net header (IFF_VNET_HDR refused); frames are cut here", name);
	return 0;
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
	t->vnet = tap_wants_vnet(cfg);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (t->vnet ? IFF_VNET_HDR : 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", cfg->arg);
	/* Looked up first: TUNSETIFF would make a missing one (see the top). */
	rc = tap_create(cfg) ? 0 : tap_exists(cfg->arg);
	if (rc == 0)
		rc = tap_attach(t, &ifr, cfg->arg);
	if (rc < 0) {
		rc = open_error(cfg->arg, -rc, true, err, errlen);
		close(t->fd);
		free(t);
		return rc;
	}
	sim_io_watch_init(v->dom->sim, &t->watch, t->fd);
	t->watch.data = t;
	if ((rc = sim_io_watch_start(&t->watch, SIM_IO_READABLE, tap_readable)) < 0) {
		snprintf(err, errlen, "cannot watch TAP device %s: %s", cfg->arg, strerror(-rc));
		close(t->fd);
		free(t);
		return rc;
	}
	t->polling = true;
	v->backend = t;
	tap_vnet_setup(t, v, cfg);
	return 0;
}

/* One write(2) or writev(2) of the frame, behind hdr with virtio-net headers. */
static ssize_t tap_write_once(struct tap *t, const struct virtio_net_hdr *hdr,
			      const uint8_t *frame, size_t len)
{
	struct iovec iov[2] = { { (void *)hdr, TAP_VNET_HLEN }, { (void *)frame, len } };

	if (!t->vnet)
		return write(t->fd, frame, len);
	if (len > TAP_WRITE_COPY_MAX)
		return writev(t->fd, iov, 2);
	memcpy(t->out, hdr, TAP_VNET_HLEN);
	memcpy(t->out + TAP_VNET_HLEN, frame, len);
	return write(t->fd, t->out, TAP_VNET_HLEN + len);
}

/* Writes one frame, behind hdr when the device takes virtio-net headers. */
static void tap_write(struct vif *v, const struct virtio_net_hdr *hdr, const uint8_t *frame,
		      size_t len)
{
	struct tap *t = v->backend;
	size_t want = len + (t->vnet ? TAP_VNET_HLEN : 0);
	ssize_t n;

	do
		n = tap_write_once(t, hdr, frame, len);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)want)
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

static void tap_transmit(struct vif *v, const uint8_t *frame, size_t len)
{
	const struct virtio_net_hdr none = { .gso_type = VIRTIO_NET_HDR_GSO_NONE };

	tap_write(v, &none, frame, len);
}

/* A GSO frame (vif.h): the kernel fills the checksum and cuts it (virtio_net_hdr_to_skb). */
static void tap_transmit_gso(struct vif *v, const uint8_t *frame, size_t len, uint16_t gso_size)
{
	struct virtio_net_hdr h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				    .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
				    .gso_size = gso_size, .csum_offset = 16 };
	size_t l4, payload;

	if (gso_tcp_offsets(frame, len, &l4, &payload) < 0)
		return; /* netback checked it: not reached */
	h.csum_start = (uint16_t)l4;
	h.hdr_len = (uint16_t)payload;
	if (len - payload <= gso_size)
		h.gso_type = VIRTIO_NET_HDR_GSO_NONE; /* one segment: only the checksum to fill */
	tap_write(v, &h, frame, len);
}

static void tap_close(struct vif *v)
{
	struct tap *t = v->backend;

	if (!t)
		return;
	if (t->tx_dropped)
		sim_log("tap %s: %llu frames from the guest were dropped (device busy or down)",
			v->cfg.arg, (unsigned long long)t->tx_dropped);
	sim_io_watch_close(&t->watch); /* before the fd is closed, as epoll wants */
	if (t->offload)
		ioctl(t->fd, TUNSETOFFLOAD, 0); /* the next reader of a persistent device may not take them */
	close(t->fd);
	free(t);
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
	.transmit_gso = tap_transmit_gso,
	.close = tap_close,
	.rx_ready = tap_rx_ready,
};
