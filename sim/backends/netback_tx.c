/*
 * netback's transmit side, as Linux's xen-netback/netback.c takes frames
 * (xenvif_tx_build_gops, xenvif_count_requests, xenvif_get_extras): a
 * frame is one request, or with feature-sg a chain of them linked by
 * NETTXF_more_data whose first request's size is the whole frame's; with
 * feature-gso-tcpv4 a NETTXF_extra_info request is followed by a
 * XEN_NETIF_EXTRA_TYPE_GSO slot (answered NETIF_RSP_NULL in place). The
 * slots are grant-copied into one buffer; a frame with NETTXF_csum_blank
 * gets its checksum filled and a GSO frame is cut into segments of the
 * given size (gso.c), so every vif backend and the capture see frames as
 * they would go on a wire.
 *
 * A frontend's mistakes are protocol violations (sim/report.h), answered
 * with NETIF_RSP_ERROR for each of the frame's requests: a chain longer
 * than NB_MAX_FRAME_SLOTS, a first size smaller than the rest, a GSO size
 * of 0 or a type other than TCPv4, a GSO size whose segments would not fit
 * the MTU, an unknown extra type, a blank checksum
 * in a frame that is not TCP/UDP over IPv4. A chain that runs past the
 * requests produced (more_data on the last one) is what Linux calls fatal
 * (xenvif_fatal_tx_err): netback stops reading the ring.
 */
#include <linux/if_ether.h> /* ETH_HLEN */
#include <stdio.h>
#include <string.h>

#include "sim/backends/netback_private.h"
#include "sim/backends/vif.h"
#include "sim/gnttab.h"
#include "sim/hot.h"
#include "sim/report.h"

/* One frame's slots, read from the ring and checked once. */
struct tx_frame {
	netif_tx_request_t req[NB_MAX_FRAME_SLOTS];
	unsigned int nr_req;
	unsigned int nr_extra;        /* extra-info slots after the first request */
	RING_IDX first;               /* ring index of the first request */
	uint16_t gso_size;            /* 0: no GSO */
	bool bad;                     /* reported: answer every request with an error */
};

#define VIOLATION(nb, idx, fmt, ...)                                                      \
	sim_report_violation((nb)->dom, "vif%u TX slot %u: " fmt, (nb)->vif->index,         \
			     slot_of(idx), ##__VA_ARGS__)

static bool id_test_and_set(uint64_t *bits, unsigned int id)
{
	uint64_t m = (uint64_t)1 << (id % 64);
	bool was = bits[id / 64] & m;

	bits[id / 64] |= m;
	return was;
}

static unsigned int slot_of(RING_IDX idx)
{
	return idx & (NB_TX_RING_SIZE - 1);
}

static void tx_respond(struct netback *nb, uint16_t id, int16_t status)
{
	netif_tx_response_t *rsp = RING_GET_RESPONSE(&nb->tx, nb->tx.rsp_prod_pvt);

	rsp->id = id;
	rsp->status = status;
	nb->tx.rsp_prod_pvt++;
}

/* An extra slot overlays a request: its answer is NETIF_RSP_NULL in place. */
static void tx_respond_null(struct netback *nb)
{
	RING_GET_RESPONSE(&nb->tx, nb->tx.rsp_prod_pvt)->status = NETIF_RSP_NULL;
	nb->tx.rsp_prod_pvt++;
}

static void tx_push(struct netback *nb)
{
	int notify;

	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&nb->tx, notify);
	memset(nb->tx_seen, 0, sizeof(nb->tx_seen));
	if (notify)
		xenbus_backend_notify(nb->xb, nb->port);
}

/* Checks one data request's id and buffer; false after reporting what is wrong. */
static SIM_HOT_INLINE bool tx_check_slot(struct netback *nb, const netif_tx_request_t *req,
					 uint16_t size, RING_IDX idx)
{
	unsigned int slot = slot_of(idx);

	if (req->id >= NB_TX_RING_SIZE) {
		sim_report_violation(nb->dom, "vif%u TX slot %u: request id %u is beyond the "
				     "ring's %u ids", nb->vif->index, slot, req->id,
				     (unsigned int)NB_TX_RING_SIZE);
		return false;
	}
	if (id_test_and_set(nb->tx_seen, req->id)) {
		sim_report_violation(nb->dom, "vif%u TX slot %u: request id %u is already in "
				     "use by an unanswered request", nb->vif->index, slot, req->id);
		return false;
	}
	if ((unsigned int)req->offset + size > SIM_PAGE_SIZE) {
		sim_report_violation(nb->dom, "vif%u TX slot %u (id %u): offset %u + size %u "
				     "crosses the end of the granted page", nb->vif->index, slot,
				     req->id, req->offset, size);
		return false;
	}
	return true;
}

/* The whole frame's size (the first request's) against what it may be. */
static SIM_HOT_INLINE bool tx_check_size(struct netback *nb, const struct tx_frame *f)
{
	unsigned int max = f->gso_size ? GSO_MAX_FRAME : nb->vif->cfg.mtu + ETH_HLEN;
	unsigned int total = f->req[0].size, rest = 0;

	for (unsigned int i = 1; i < f->nr_req; i++)
		rest += f->req[i].size;
	if (total < ETH_HLEN || total > max) {
		sim_report_violation(nb->dom, "vif%u TX slot %u (id %u): frame of %u bytes; a "
				     "frame is %u to %u bytes (%s)", nb->vif->index,
				     slot_of(f->first), f->req[0].id, total, ETH_HLEN, max,
				     f->gso_size ? "a 64 KiB GSO frame" : "MTU + Ethernet header");
		return false;
	}
	if (rest > total || total - rest > SIM_PAGE_SIZE) {
		sim_report_violation(nb->dom, "vif%u TX slot %u (id %u): the frame's size %u "
				     "does not match its %u slots (%u bytes after the first)",
				     nb->vif->index, slot_of(f->first), f->req[0].id, total,
				     f->nr_req, rest);
		return false;
	}
	return true;
}

/* A GSO extra (xenvif_set_skb_gso): TCPv4 only, a segment size above 0. */
static bool tx_check_gso(struct netback *nb, const netif_extra_info_t *x, RING_IDX idx,
			 struct tx_frame *f)
{
	if (!nb->off.gso) {
		VIOLATION(nb, idx, "a GSO extra, but this backend does not offer GSO "
			  "(feature-gso-tcpv4=0)");
		return false;
	}
	if (x->u.gso.type != XEN_NETIF_GSO_TYPE_TCPV4) {
		VIOLATION(nb, idx, "GSO type %u; this backend offers TCPv4 (%u) only",
			  x->u.gso.type, XEN_NETIF_GSO_TYPE_TCPV4);
		return false;
	}
	if (x->u.gso.size == 0) {
		VIOLATION(nb, idx, "GSO size 0 (the segment size must be above 0)");
		return false;
	}
	f->gso_size = x->u.gso.size;
	return true;
}

/*
 * Reads the extra slots after the first request. Returns false when the
 * chain runs past prod (fatal); f->bad when one is wrong.
 */
static bool tx_read_extras(struct netback *nb, struct tx_frame *f, RING_IDX prod)
{
	RING_IDX idx = f->first + 1;
	netif_extra_info_t x;

	do {
		if (idx == prod) {
			sim_report_violation(nb->dom, "vif%u TX slot %u (id %u): NETTXF_extra_info "
					     "or XEN_NETIF_EXTRA_FLAG_MORE, but no further request "
					     "was produced; netback stops reading this ring",
					     nb->vif->index, slot_of(f->first), f->req[0].id);
			return false;
		}
		memcpy(&x, (const void *)RING_GET_REQUEST(&nb->tx, idx), sizeof(x));
		if (!f->bad && x.type == XEN_NETIF_EXTRA_TYPE_GSO)
			f->bad = !tx_check_gso(nb, &x, idx, f);
		else if (!f->bad) {
			VIOLATION(nb, idx, "extra info of type %u, which this backend does not "
				  "take", x.type);
			f->bad = true;
		}
		idx++;
		f->nr_extra++;
	} while (x.flags & XEN_NETIF_EXTRA_FLAG_MORE);
	return true;
}

/* Reads the data requests after the first (more_data); false when past prod (fatal). */
static bool tx_read_frags(struct netback *nb, struct tx_frame *f, RING_IDX prod)
{
	RING_IDX idx = f->first + 1 + f->nr_extra;
	netif_tx_request_t req = f->req[0];

	while (req.flags & NETTXF_more_data) {
		if (idx == prod) {
			sim_report_violation(nb->dom, "vif%u TX slot %u (id %u): NETTXF_more_data "
					     "on the last request produced; the frame runs past the "
					     "ring's requests, netback stops reading this ring",
					     nb->vif->index, slot_of(idx - 1), req.id);
			return false;
		}
		RING_COPY_REQUEST(&nb->tx, idx, &req);
		if (f->nr_req == NB_MAX_FRAME_SLOTS && !f->bad) {
			sim_report_violation(nb->dom, "vif%u TX slot %u (id %u): a frame of more "
					     "than %u slots", nb->vif->index, slot_of(f->first),
					     f->req[0].id, NB_MAX_FRAME_SLOTS);
			f->bad = true;
		}
		if (f->nr_req < NB_MAX_FRAME_SLOTS)
			f->req[f->nr_req] = req;
		f->nr_req++; /* beyond the array: counted, answered from the ring */
		idx++;
	}
	return true;
}

/* Answers the frame's requests, extras in place after the first. */
static void tx_answer(struct netback *nb, const struct tx_frame *f, int16_t status)
{
	RING_IDX idx = f->first;

	tx_respond(nb, f->req[0].id, status);
	for (unsigned int i = 0; i < f->nr_extra; i++)
		tx_respond_null(nb);
	idx += 1 + f->nr_extra;
	for (unsigned int i = 1; i < f->nr_req; i++, idx++) {
		netif_tx_request_t req;

		if (i < NB_MAX_FRAME_SLOTS)
			req = f->req[i];
		else
			RING_COPY_REQUEST(&nb->tx, idx, &req);
		tx_respond(nb, req.id, status);
	}
}

static bool tx_copy_failed(struct netback *nb, const netif_tx_request_t *r, RING_IDX idx,
			   int16_t st)
{
	sim_report_violation(nb->dom, "vif%u TX slot %u (id %u): grant copy from ref %u failed "
			     "with %s", nb->vif->index, slot_of(idx), r->id, r->gref,
			     sim_gnttab_status_name(st));
	return false;
}

/* Grant-copies every slot into nb->frame; false after reporting a failed copy. */
static bool tx_copy(struct netback *nb, const struct tx_frame *f)
{
	unsigned int total = f->req[0].size, rest = 0, at = 0;
	RING_IDX idx = f->first;

	for (unsigned int i = 1; i < f->nr_req; i++)
		rest += f->req[i].size;
	for (unsigned int i = 0; i < f->nr_req; i++) {
		const netif_tx_request_t *r = &f->req[i];
		uint16_t n = i == 0 ? (uint16_t)(total - rest) : r->size;
		int16_t st = sim_gnttab_copy_from(nb->dom, 0, r->gref, r->offset, nb->frame + at, n);

		if (st != GNTST_okay)
			return tx_copy_failed(nb, r, idx, st);
		at += n;
		idx += 1 + (i == 0 ? f->nr_extra : 0);
	}
	return true;
}

/* The assembled frame to the vif, once its offload flags are known to fit it. */
static SIM_HOT_INLINE bool tx_hand_over(struct netback *nb, const struct tx_frame *f)
{
	size_t len = f->req[0].size, l4, payload;
	bool blank = f->req[0].flags & NETTXF_csum_blank;

	if (blank && !nb->off.csum) {
		sim_report_violation(nb->dom, "vif%u TX slot %u (id %u): NETTXF_csum_blank, but "
				     "this backend wrote feature-no-csum-offload=1",
				     nb->vif->index, slot_of(f->first), f->req[0].id);
		return false;
	}
	if (f->gso_size && gso_tcp_offsets(nb->frame, len, &l4, &payload) < 0) {
		sim_report_violation(nb->dom, "vif%u TX slot %u (id %u): a GSO frame of %zu bytes "
				     "that is not TCP over IPv4, or is truncated", nb->vif->index,
				     slot_of(f->first), f->req[0].id, len);
		return false;
	}
	/* Each segment goes on as a wire frame: headers + gso_size must fit the MTU. */
	if (f->gso_size && (len < payload + f->gso_size ? len : payload + f->gso_size) >
				   nb->vif->cfg.mtu + ETH_HLEN) {
		sim_report_violation(nb->dom, "vif%u TX slot %u (id %u): GSO size %u makes "
				     "segments of up to %zu bytes, over the MTU %u + Ethernet "
				     "header", nb->vif->index, slot_of(f->first), f->req[0].id,
				     f->gso_size, payload + f->gso_size, nb->vif->cfg.mtu);
		return false;
	}
	/* Linux's checksum_setup: a blank checksum needs a TCP or UDP header to fill. */
	if (blank && !f->gso_size && gso_csum_fill(nb->frame, len) < 0) {
		sim_report_violation(nb->dom, "vif%u TX slot %u (id %u): NETTXF_csum_blank on a "
				     "frame that is not TCP or UDP over IPv4, or is truncated",
				     nb->vif->index, slot_of(f->first), f->req[0].id);
		return false;
	}
	if (f->gso_size)
		vif_from_guest_offload(nb->vif, nb->frame, len, f->gso_size, blank);
	else
		vif_from_guest(nb->vif, nb->frame, len);
	return true;
}

/* A request the backend never offered to handle: answer it and skip its other slots. */
static void tx_reject_chain(struct netback *nb, const netif_tx_request_t *req, unsigned int slot)
{
	sim_report_violation(nb->dom, "vif%u TX slot %u (id %u): flags %#x ask for %s, which "
			     "this backend does not offer (feature-sg=%d, feature-gso-tcpv4=%d)",
			     nb->vif->index, slot, req->id, req->flags,
			     (req->flags & NETTXF_extra_info) ? "extra info slots"
							      : "a multi-slot frame",
			     nb->off.sg, nb->off.gso);
	tx_respond(nb, req->id, NETIF_RSP_ERROR);
	nb->chain_more_data = req->flags & NETTXF_more_data;
	nb->chain = (req->flags & NETTXF_extra_info) ? TX_CHAIN_EXTRA : TX_CHAIN_FRAG;
}

/* Consumes one slot of a rejected chain, answered as Linux answers such slots. */
static void tx_skip(struct netback *nb, RING_IDX idx)
{
	if (nb->chain == TX_CHAIN_EXTRA) {
		netif_extra_info_t extra;

		memcpy(&extra, (const void *)RING_GET_REQUEST(&nb->tx, idx), sizeof(extra));
		tx_respond_null(nb);
		if (!(extra.flags & XEN_NETIF_EXTRA_FLAG_MORE))
			nb->chain = nb->chain_more_data ? TX_CHAIN_FRAG : TX_CHAIN_NONE;
		return;
	}
	netif_tx_request_t req;
	RING_COPY_REQUEST(&nb->tx, idx, &req);
	tx_respond(nb, req.id, NETIF_RSP_ERROR);
	if (!(req.flags & NETTXF_more_data))
		nb->chain = TX_CHAIN_NONE;
}

/* Whether every request of the frame checks out; reports the first that does not. */
static bool tx_check_frame(struct netback *nb, const struct tx_frame *f)
{
	RING_IDX idx = f->first;
	unsigned int rest = 0;

	for (unsigned int i = 1; i < f->nr_req; i++)
		rest += f->req[i].size;
	for (unsigned int i = 0; i < f->nr_req; i++) {
		/* The first request's size is the frame's; its slot holds what the rest do not. */
		uint16_t size = i == 0 && rest <= f->req[0].size ? (uint16_t)(f->req[0].size - rest)
								 : f->req[i].size;

		if (!tx_check_slot(nb, &f->req[i], size, idx))
			return false;
		idx += 1 + (i == 0 ? f->nr_extra : 0);
	}
	return tx_check_size(nb, f);
}

/*
 * The common frame, one request and no extras: the checks tx_check_frame,
 * tx_copy and tx_answer make for it, without their loops over slots.
 */
static void tx_single(struct netback *nb, const struct tx_frame *f)
{
	const netif_tx_request_t *r = &f->req[0];
	int16_t st;
	bool ok = tx_check_slot(nb, r, r->size, f->first) && tx_check_size(nb, f);

	if (ok && (st = sim_gnttab_copy_from(nb->dom, 0, r->gref, r->offset, nb->frame,
					     r->size)) != GNTST_okay)
		ok = tx_copy_failed(nb, r, f->first, st);
	ok = ok && tx_hand_over(nb, f);
	tx_respond(nb, r->id, ok ? NETIF_RSP_OKAY : NETIF_RSP_ERROR);
}

/* A frame of several slots or with extras (f holds its first request); out of line. */
static __attribute__((noinline)) bool tx_multi(struct netback *nb, struct tx_frame *f,
					       RING_IDX prod)
{
	bool ok;

	if (((f->req[0].flags & NETTXF_extra_info) && !tx_read_extras(nb, f, prod)) ||
	    !tx_read_frags(nb, f, prod)) {
		nb->tx_broken = true;
		return false;
	}
	nb->tx.req_cons += 1 + f->nr_extra + (f->nr_req - 1);
	ok = !f->bad && f->nr_req <= NB_MAX_FRAME_SLOTS && tx_check_frame(nb, f) &&
	     tx_copy(nb, f) && tx_hand_over(nb, f);
	tx_answer(nb, f, ok ? NETIF_RSP_OKAY : NETIF_RSP_ERROR);
	return true;
}

/*
 * One frame starting at req_cons: read, checked, copied out, handed over,
 * answered. Returns false when the frame runs past prod (the ring is broken).
 * Inline in tx_batch's loop, the multi-slot case out of line: the common
 * frame saves and restores no registers of its own.
 */
static SIM_HOT_INLINE bool tx_one(struct netback *nb, RING_IDX prod)
{
	/* Not zeroed whole: req[] is filled as far as nr_req says, per frame. */
	struct tx_frame f;

	f.first = nb->tx.req_cons;
	f.nr_req = 1;
	f.nr_extra = 0;
	f.gso_size = 0;
	f.bad = false;

	RING_COPY_REQUEST(&nb->tx, f.first, &f.req[0]); /* the guest may change it: a copy */
	if (((f.req[0].flags & NETTXF_more_data) && !nb->off.sg) ||
	    ((f.req[0].flags & NETTXF_extra_info) && !nb->off.gso)) {
		nb->tx.req_cons++;
		tx_reject_chain(nb, &f.req[0], slot_of(f.first));
		return true;
	}
	if (!(f.req[0].flags & (NETTXF_more_data | NETTXF_extra_info))) {
		nb->tx.req_cons++;
		tx_single(nb, &f);
		return true;
	}
	return tx_multi(nb, &f, prod);
}

/* Consumes what the guest produced; false when the producer overran the ring. */
static bool tx_batch(struct netback *nb)
{
	RING_IDX prod = __atomic_load_n(&nb->tx.sring->req_prod, __ATOMIC_ACQUIRE);

	if (RING_REQUEST_PROD_OVERFLOW(&nb->tx, prod)) {
		sim_report_violation(nb->dom, "vif%u TX ring: req_prod %u is %u slots ahead of "
				     "the last response %u, more than the ring's %u; netback "
				     "stops reading this ring", nb->vif->index, prod,
				     prod - nb->tx.rsp_prod_pvt, nb->tx.rsp_prod_pvt,
				     (unsigned int)NB_TX_RING_SIZE);
		nb->tx_broken = true;
		return false;
	}
	while (nb->tx.req_cons != prod && !RING_REQUEST_CONS_OVERFLOW(&nb->tx, nb->tx.req_cons) &&
	       netback_guest_running(nb)) {
		if (nb->chain != TX_CHAIN_NONE)
			tx_skip(nb, nb->tx.req_cons++);
		else if (!tx_one(nb, prod))
			return false;
	}
	return true;
}

/* Inline in netback_notified, the event channel's handler: no call between. */
static SIM_HOT_INLINE void tx_process(struct netback *nb)
{
	int more;

	if (!nb->connected || nb->tx_broken)
		return;
	do {
		bool ok = tx_batch(nb);
		tx_push(nb);
		if (!ok || !netback_guest_running(nb))
			return;
		/*
		 * RING_FINAL_CHECK_FOR_REQUESTS without its first look: tx_batch
		 * consumed up to the producer it read, and answered each request,
		 * so there is nothing unconsumed before req_event is set.
		 */
		nb->tx.sring->req_event = nb->tx.req_cons + 1;
		xen_mb();
		more = RING_HAS_UNCONSUMED_REQUESTS(&nb->tx);
	} while (more);
}

/*
 * The guest notified: TX requests, or RX buffers posted (netback.c's part,
 * out of line, only while the vif waits for them).
 */
void netback_notified(void *arg, evtchn_port_t port)
{
	struct netback *nb = arg;

	(void)port;
	tx_process(nb);
	if (nb->rx_waiting)
		netback_rx_posted(nb);
}
