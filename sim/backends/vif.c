/*
 * The vif core: a vif made from its spec (parsed in vif_spec.c), impairment,
 * capture, counting.
 */
#include <errno.h>
#include <linux/if_ether.h> /* ETH_HLEN */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/domain.h"
#include "sim/backends/gso.h"
#include "sim/backends/netback.h"
#include "sim/xen_abi.h" /* the ring barriers, before <xen/io/netif.h> */
#include <xen/io/netif.h>
#include "sim/report.h"
#include "sim/backends/vif.h"
#include "sim/hot.h"
#include "sim/backends/vif_spec.h"
#include "sim/toolstack/device.h"
#include "sim/toolstack/lifecycle.h"
#include "traces/pcap_writer.h"

struct vif_capture {
	struct trace_writer *w;
	bool failed; /* a write failed: said once */
};

/* --- capture --- */

/* Says, once, that a write failed (rc: its negative errno) and why. */
static void capture_failed(struct vif *v, int rc)
{
	struct vif_capture *c = v->capture;

	if (c->failed)
		return;
	c->failed = true;
	sim_log("vif%u: writing capture file %s failed: %s; the capture is incomplete",
		v->index, trace_writer_path(c->w), strerror(-rc));
}

static void capture_write(struct vif *v, const uint8_t *frame, size_t len)
{
	int rc;

	v->dom->capture_pending = true;
	rc = trace_writer_write(v->capture->w, sim_now_ns(v->dom->sim), frame, len);
	if (rc < 0)
		capture_failed(v, rc);
}

/* Every frame passes here: without capture= it costs one test. */
static inline void capture(struct vif *v, const uint8_t *frame, size_t len)
{
	if (v->capture)
		capture_write(v, frame, len);
}

static int capture_open(struct vif *v, char *err, size_t errlen)
{
	struct vif_capture *c = calloc(1, sizeof(*c));
	int rc;

	if (!c)
		return -ENOMEM;
	if ((rc = trace_writer_open(&c->w, v->cfg.capture, err, errlen)) < 0) {
		free(c);
		return rc;
	}
	v->capture = c;
	return 0;
}

void vif_finish(struct vif *v)
{
	if (v->ops->finish)
		v->ops->finish(v);
}

void vif_flush(struct vif *v)
{
	int rc;

	if (v->capture && (rc = trace_writer_flush(v->capture->w)) < 0)
		capture_failed(v, rc);
}

void vif_flush_in_signal(struct vif *v)
{
	struct vif_capture *c = v->capture;

	if (c)
		trace_writer_flush_in_signal(c->w);
}

static void capture_close(struct vif *v)
{
	struct vif_capture *c = v->capture;

	if (!c)
		return;
	vif_flush(v);
	/* Out of a signal handler's reach (vif_flush_in_signal) before it is freed. */
	v->capture = NULL;
	atomic_signal_fence(memory_order_seq_cst);
	trace_writer_close(c->w);
	free(c);
}

/* --- vifs --- */

/* The toolstack adds the device (libxl's part), then netback takes it. */
static int vif_add_device(struct vif *v)
{
	char mac[18];
	int rc;

	vif_format_mac(v->cfg.mac, mac);
	if ((rc = sim_device_add_vif(v->dom, v->index, mac, v->cfg.mtu)) < 0)
		return rc;
	if ((rc = netback_create(v, &v->netback)) < 0)
		sim_device_remove(v->dom, "vif", v->index);
	return rc;
}

/* Xen's OUI, as libxl; then the domain id (top bit clear, as libxl) and the index. */
static void default_mac(uint8_t mac[6], domid_t domid, unsigned int index)
{
	mac[0] = 0x00;
	mac[1] = 0x16;
	mac[2] = 0x3e;
	mac[3] = (uint8_t)((domid >> 8) & 0x7f);
	mac[4] = (uint8_t)(domid & 0xff);
	mac[5] = (uint8_t)index;
}

/* --- impairment --- */

/* Counts netback's answer rc for a len-byte frame to the guest; returns rc. */
static inline int delivered(struct vif *v, int rc, size_t len)
{
	if (rc < 0) {
		v->stats.to_guest_dropped++;
		return rc;
	}
	v->stats.to_guest_frames++;
	v->stats.to_guest_bytes += len;
	return 0;
}

/* The RX path's far end: the guest's ring. */
static SIM_HOT_INLINE int deliver_now(struct vif *v, const uint8_t *frame, size_t len)
{
	capture(v, frame, len);
	return delivered(v, netback_deliver(v->netback, frame, len), len);
}

/* The TX path's far end: the backend. */
static void transmit_now(struct vif *v, const uint8_t *frame, size_t len)
{
	capture(v, frame, len);
	v->ops->transmit(v, frame, len);
}

static int impair_rx_pass(void *arg, const uint8_t *frame, size_t len)
{
	return deliver_now(arg, frame, len);
}

static bool impair_rx_ready(void *arg)
{
	return vif_rx_ready(arg);
}

/* The last held frame reached the guest: an input that ended meanwhile ends now. */
static void impair_rx_drained(void *arg)
{
	struct vif *v = arg;

	if (!v->input_ending)
		return;
	v->input_ending = false;
	sim_lifecycle_input_ended(v->dom, &v->linger, v->input_linger_ns);
}

static int impair_tx_pass(void *arg, const uint8_t *frame, size_t len)
{
	transmit_now(arg, frame, len);
	return 0;
}

/* The paths of the directions the spec impairs, seeded from --seed and the index. */
static int impair_open(struct vif *v, char *err, size_t errlen)
{
	const struct impair_out outs[IMPAIR_NR_DIRS] = {
		[IMPAIR_RX] = { impair_rx_pass, impair_rx_ready, impair_rx_drained, v },
		[IMPAIR_TX] = { impair_tx_pass, NULL, NULL, v },
	};
	struct impair_stats *stats[IMPAIR_NR_DIRS] = {
		[IMPAIR_RX] = &v->stats.to_guest_impair,
		[IMPAIR_TX] = &v->stats.from_guest_impair,
	};
	struct impair_params p[IMPAIR_NR_DIRS];
	uint64_t seed = sim_config(v->dom->sim)->seed;
	int rc = impair_params_parse(&v->cfg, p, err, errlen);

	for (int dir = 0; rc > 0 && dir < IMPAIR_NR_DIRS; dir++) {
		if (!impair_params_active(&p[dir]))
			continue;
		if (impair_path_create(&v->impair[dir], v->dom->sim, &p[dir], seed, v->index,
				       (enum impair_dir)dir, &outs[dir], stats[dir]) < 0) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
	}
	return rc < 0 ? rc : 0;
}

static void impair_close(struct vif *v)
{
	for (int dir = 0; dir < IMPAIR_NR_DIRS; dir++) {
		impair_path_destroy(v->impair[dir]);
		v->impair[dir] = NULL;
	}
}

static void vif_free(struct vif *v)
{
	impair_close(v);
	capture_close(v);
	vif_config_free(&v->cfg);
	free(v);
}

int vif_create(struct sim_domain *d, unsigned int index, struct vif_config *cfg,
	       struct vif **out, char *err, size_t errlen)
{
	const struct vif_backend_ops *ops = vif_backend_find(cfg->backend);
	struct vif *v;
	int rc;

	if (!ops) {
		vif_backend_unknown(cfg->backend, (int)strlen(cfg->backend), err, errlen);
		return -EINVAL;
	}
	if (index >= SIM_MAX_VIFS || d->vifs[index]) {
		snprintf(err, errlen, "vif%u: %s", index, index >= SIM_MAX_VIFS ?
			 "a domain has at most 8 vifs" : "the domain already has this vif");
		return index >= SIM_MAX_VIFS ? -E2BIG : -EEXIST;
	}
	if (!(v = calloc(1, sizeof(*v)))) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	v->dom = d;
	v->index = index;
	v->ops = ops;
	v->cfg = *cfg;
	memset(cfg, 0, sizeof(*cfg)); /* ours now */
	if (!v->cfg.mtu)
		v->cfg.mtu = VIF_MTU_DEFAULT;
	if (!v->cfg.mac_given)
		default_mac(v->cfg.mac, d->domid, index);
	if ((v->cfg.capture && (rc = capture_open(v, err, errlen)) < 0) ||
	    (rc = impair_open(v, err, errlen)) < 0) {
		vif_free(v);
		return rc;
	}
	if ((rc = ops->open(v, &v->cfg, err, errlen)) < 0) {
		vif_free(v);
		return rc;
	}
	if ((rc = vif_add_device(v)) < 0) {
		snprintf(err, errlen, "vif%u: cannot write its xenstore entries: %s", index,
			 strerror(-rc));
		ops->close(v);
		vif_free(v);
		return rc;
	}
	d->vifs[index] = v;
	d->nr_vifs++;
	*out = v;
	return 0;
}

void vif_destroy(struct vif *v)
{
	if (!v)
		return;
	if (v->dom->vifs[v->index] == v) {
		v->dom->vifs[v->index] = NULL;
		v->dom->nr_vifs--;
	}
	sim_timer_stop(v->dom->sim, &v->linger);
	impair_close(v); /* frames it still holds are dropped, as a link going down drops them */
	netback_destroy(v->netback);
	/* As libxl removes a device: both directories go. */
	sim_device_remove(v->dom, "vif", v->index);
	v->ops->close(v);
	vif_free(v);
}

int vif_deliver(struct vif *v, const uint8_t *frame, size_t len)
{
	if (len > v->cfg.mtu + ETH_HLEN || len < ETH_HLEN) {
		capture(v, frame, len);
		if (len < ETH_HLEN)
			v->stats.to_guest_dropped++;
		else
			v->stats.oversized_dropped++;
		return -EMSGSIZE;
	}
	if (v->impair[IMPAIR_RX])
		return impair_path_input(v->impair[IMPAIR_RX], frame, len);
	return deliver_now(v, frame, len);
}

bool vif_connected(const struct vif *v)
{
	return netback_connected(v->netback);
}

bool vif_has_input(struct vif *v)
{
	/* Only an input that ends (pcap) waits for its held frames: a live one never ends. */
	return v->ops->has_input &&
	       (v->ops->has_input(v) || impair_path_held(v->impair[IMPAIR_RX]) > 0);
}

void vif_input_ended(struct vif *v, uint64_t linger_ns)
{
	if (impair_path_held(v->impair[IMPAIR_RX]) > 0) {
		/* impair_rx_drained ends it once the last held frame has reached the guest. */
		v->input_ending = true;
		v->input_linger_ns = linger_ns;
		return;
	}
	sim_lifecycle_input_ended(v->dom, &v->linger, linger_ns);
}

bool vif_rx_ready(struct vif *v)
{
	return netback_rx_ready(v->netback);
}

void vif_from_guest(struct vif *v, const uint8_t *frame, size_t len)
{
	v->stats.from_guest_frames++;
	v->stats.from_guest_bytes += len;
	if (v->impair[IMPAIR_TX])
		impair_path_input(v->impair[IMPAIR_TX], frame, len);
	else
		transmit_now(v, frame, len);
}

static void segment_from_guest(void *arg, const uint8_t *frame, size_t len)
{
	vif_from_guest(arg, frame, len);
}

static void segment_captured(void *arg, const uint8_t *frame, size_t len)
{
	capture(arg, frame, len);
}

/* A segment of a GSO frame the capture already holds whole: counted, to the backend. */
static void segment_uncaptured(void *arg, const uint8_t *frame, size_t len)
{
	struct vif *v = arg;

	v->stats.from_guest_frames++;
	v->stats.from_guest_bytes += len;
	v->ops->transmit(v, frame, len);
}

void vif_from_guest_offload(struct vif *v, uint8_t *frame, size_t len, uint16_t gso_size,
			    bool csum_blank)
{
	/* capture-gso=whole: the frame as the guest sent it (with TX impairment: its segments). */
	bool whole = v->cfg.capture_gso_whole && !v->impair[IMPAIR_TX];

	/*
	 * Bytes of a GSO frame after the IPv4 total length are not the
	 * datagram's: the kernel (behind a TAP) would segment and checksum them
	 * as payload, so they go no further, as Linux's ip_rcv trims them
	 * (pskb_trim_rcsum).
	 */
	if (gso_size && len >= 14 + 20 && frame[12] == 0x08 && frame[13] == 0x00) {
		size_t total = (size_t)frame[16] << 8 | frame[17];

		if (total >= 20 && 14 + total < len)
			len = 14 + total;
	}

	if (gso_size && csum_blank && v->tx_offload && v->ops->transmit_gso &&
	    !v->impair[IMPAIR_TX]) {
		v->stats.from_guest_frames++;
		v->stats.from_guest_bytes += len;
		if (v->capture && whole)
			capture(v, frame, len);
		else if (v->capture)
			gso_segment(frame, len, gso_size, segment_captured, v);
		v->ops->transmit_gso(v, frame, len, gso_size);
		return;
	}
	if (gso_size && whole) {
		capture(v, frame, len);
		gso_segment(frame, len, gso_size, segment_uncaptured, v);
		return;
	}
	if (gso_size) {
		gso_segment(frame, len, gso_size, segment_from_guest, v);
		return;
	}
	if (csum_blank)
		gso_csum_fill(frame, len);
	vif_from_guest(v, frame, len);
}

static void segment_to_guest(void *arg, const uint8_t *frame, size_t len)
{
	vif_deliver(arg, frame, len);
}

/* Captures a frame with a blank checksum as the wire carries it: filled. */
static void capture_filled(struct vif *v, const uint8_t *frame, size_t len)
{
	uint8_t copy[SIM_PAGE_SIZE];

	if (!v->capture)
		return;
	if (len > sizeof(copy)) {
		capture(v, frame, len);
		return;
	}
	memcpy(copy, frame, len);
	gso_csum_fill(copy, len);
	capture(v, copy, len);
}

/* A frame the frontend takes as it is: captured as the wire would carry it, then given. */
static int deliver_offload_now(struct vif *v, const uint8_t *frame, size_t len,
			       uint16_t gso_size, uint16_t flags)
{
	if (gso_size && v->capture && !v->cfg.capture_gso_whole) {
		/* Segments past GSO_MAX_SEGMENT (a host TAP's jumbo gso_size): the frame whole. */
		if (gso_segment(frame, len, gso_size, segment_captured, v) < 0)
			capture(v, frame, len);
	} else if ((flags & NETRXF_csum_blank) && !gso_size && !v->cfg.capture_gso_whole)
		capture_filled(v, frame, len);
	else
		capture(v, frame, len);
	return delivered(v, netback_deliver_offload(v->netback, frame, len, gso_size, flags), len);
}

/* vif_deliver_offload of a frame with a flag or a GSO size. */
static __attribute__((noinline)) int deliver_flagged(struct vif *v, uint8_t *frame, size_t len,
						     uint16_t gso_size, bool csum_blank,
						     bool data_valid)
{
	/* sg alone changes nothing here: a frame within the MTU fits one page. */
	bool sg, gso, csum, impaired = v->impair[IMPAIR_RX] != NULL;
	uint16_t flags;

	netback_rx_offloads(v->netback, &sg, &gso, &csum);
	if (impaired) /* impairment works on wire frames, and may corrupt them */
		sg = gso = csum = false;
	if (gso_size && (!gso || !csum_blank)) {
		if (gso_segment(frame, len, gso_size, segment_to_guest, v) > 0)
			return 0;
		v->stats.to_guest_dropped++; /* not TCP/IPv4: no wire would carry it */
		return -EINVAL;
	}
	if (!gso_size && len > v->cfg.mtu + ETH_HLEN)
		return vif_deliver(v, frame, len); /* counted as oversized */
	if (csum_blank && !csum) {
		gso_csum_fill(frame, len);
		csum_blank = data_valid = false;
	}
	flags = (uint16_t)((csum_blank ? NETRXF_csum_blank | NETRXF_data_validated : 0) |
			   (data_valid && csum ? NETRXF_data_validated : 0));
	if (!flags && !gso_size)
		return vif_deliver(v, frame, len);
	return deliver_offload_now(v, frame, len, gso_size, flags);
}

bool vif_rx_direct_allowed(const struct vif *v)
{
	return !v->capture && !v->impair[IMPAIR_RX];
}

int vif_deliver_offload(struct vif *v, uint8_t *frame, size_t len, uint16_t gso_size,
			bool csum_blank, bool data_valid)
{
	/*
	 * A wire frame without offload flags, what a TAP mostly reads, is what
	 * deliver_flagged's end gives it: tested here, without its frame.
	 */
	if (!gso_size && !csum_blank && !data_valid)
		return vif_deliver(v, frame, len);
	return deliver_flagged(v, frame, len, gso_size, csum_blank, data_valid);
}

void vif_rx_resume(struct vif *v)
{
	impair_path_resume(v->impair[IMPAIR_RX]);
	if (v->ops->rx_ready)
		v->ops->rx_ready(v);
}
