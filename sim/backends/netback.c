/*
 * netback: the backend half of the netif protocol, as Linux's xen-netback
 * does it (drivers/net/xen-netback/xenbus.c for the handshake, which the
 * backend device helpers of xenbus_backend.c walk), with one queue, one
 * event channel and receive by copy only: into single slots, or with the
 * frontend's feature-sg, feature-gso-tcpv4 and checksum offload over
 * several slots (NETRXF_more_data), a GSO extra and NETRXF_csum_blank /
 * NETRXF_data_validated, as xenvif_rx_skb gives them (the same responses
 * for a frame the TAP backend read straight into the posted pages:
 * netback_rx_direct.c). The transmit side (multi-slot frames, GSO, blank checksums) is netback_tx.c.
 */
#include <errno.h>
#include <linux/if_ether.h> /* ETH_HLEN */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/xen_abi.h" /* the ring barriers, before <xen/io/netif.h> */
#include <xen/io/netif.h>
#include <xen/io/xenbus.h>

#include "sim/backends/netback.h"
#include "sim/backends/netback_private.h"
#include "sim/backends/vif.h"
#include "sim/backends/xenbus_backend.h"
#include "sim/domain.h"
#include "sim/gnttab.h"
#include "sim/hot.h"
#include "sim/report.h"

/*
 * Receive buffers the guest has posted and we have not used; 0 also for a
 * broken ring. Inline: each frame asks twice (rx_ready, then the delivery).
 */
static SIM_HOT_INLINE unsigned int rx_room(struct netback *nb)
{
	RING_IDX prod = __atomic_load_n(&nb->rx.sring->req_prod, __ATOMIC_ACQUIRE);

	if (nb->rx_broken)
		return 0;
	if (RING_REQUEST_PROD_OVERFLOW(&nb->rx, prod)) {
		sim_report_violation(nb->dom, "vif%u RX ring: req_prod %u is %u slots ahead of "
				     "the last response %u, more than the ring's %u; netback "
				     "stops filling this ring", nb->vif->index, prod,
				     prod - nb->rx.rsp_prod_pvt, nb->rx.rsp_prod_pvt,
				     RING_SIZE(&nb->rx));
		nb->rx_broken = true;
		return 0;
	}
	return prod - nb->rx.req_cons;
}

/* Slots the next frame may need: a 64 KiB GSO frame's when the frontend takes them. */
static unsigned int rx_need(const struct netback *nb)
{
	return nb->rx_off.gso ? NB_RX_MAX_SLOTS : 1;
}

/* One response in its request's slot, as Linux netfront expects; pushed later. */
static void rx_put(struct netback *nb, uint16_t id, uint16_t flags, int16_t status)
{
	netif_rx_response_t *rsp = RING_GET_RESPONSE(&nb->rx, nb->rx.rsp_prod_pvt);

	rsp->id = id;
	rsp->offset = 0;
	rsp->flags = flags;
	rsp->status = status;
	nb->rx.rsp_prod_pvt++;
}

/* The GSO extra in the slot after the frame's first (xenvif_rx_extra_slot). */
static void rx_put_gso(struct netback *nb, uint16_t gso_size)
{
	netif_extra_info_t *x = (netif_extra_info_t *)RING_GET_RESPONSE(&nb->rx,
									 nb->rx.rsp_prod_pvt);

	memset(x, 0, sizeof(*x));
	x->type = XEN_NETIF_EXTRA_TYPE_GSO;
	x->u.gso.size = gso_size;
	x->u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
	nb->rx.rsp_prod_pvt++;
}

static SIM_HOT_INLINE void rx_push(struct netback *nb)
{
	int notify;

	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&nb->rx, notify);
	if (notify)
		xenbus_backend_notify(nb->xb, nb->port);
}

/* Copies the data slots' parts of frame; false (reported) when a request or a copy fails. */
static SIM_HOT_INLINE bool rx_copy(struct netback *nb, const netif_rx_request_t *req,
				   unsigned int n, unsigned int extra_at, RING_IDX first,
				   const uint8_t *frame, size_t len)
{
	size_t off = 0;

	for (unsigned int i = 0; i < n; i++) {
		unsigned int slot = (first + i) & (RING_SIZE(&nb->rx) - 1);
		size_t chunk = len - off < SIM_PAGE_SIZE ? len - off : SIM_PAGE_SIZE;
		int16_t st;

		if (req[i].id >= RING_SIZE(&nb->rx)) {
			sim_report_violation(nb->dom, "vif%u RX slot %u: request id %u is beyond "
					     "the ring's %u ids", nb->vif->index, slot, req[i].id,
					     RING_SIZE(&nb->rx));
			return false;
		}
		if (i == extra_at)
			continue; /* its buffer stays unused */
		st = sim_gnttab_copy_to(nb->dom, 0, req[i].gref, 0, frame + off, (uint16_t)chunk);
		if (st != GNTST_okay) {
			sim_report_violation(nb->dom, "vif%u RX slot %u (id %u): grant copy to ref "
					     "%u failed with %s", nb->vif->index, slot, req[i].id,
					     req[i].gref, sim_gnttab_status_name(st));
			return false;
		}
		off += chunk;
	}
	return true;
}

/*
 * A frame in one slot without a GSO extra, the common case: what
 * netback_deliver_offload does for it, without its loops over slots.
 * Inline in both delivery calls: no call and register saves between.
 */
static SIM_HOT_INLINE int rx_single(struct netback *nb, const uint8_t *frame, size_t len,
				   uint16_t flags)
{
	netif_rx_request_t req;
	RING_IDX first;

	if (!nb->connected || nb->rx_broken || !netback_guest_running(nb))
		return -ENOTCONN;
	if (flags && !nb->rx_off.csum)
		return -EMSGSIZE; /* the vif only gives what the frontend takes: not reached */
	if (rx_room(nb) < 1)
		return nb->rx_broken ? -ENOTCONN : -ENOBUFS;
	first = nb->rx.req_cons;
	RING_COPY_REQUEST(&nb->rx, nb->rx.req_cons++, &req);
	if (!rx_copy(nb, &req, 1, 1, first, frame, len)) {
		rx_put(nb, req.id, 0, NETIF_RSP_ERROR);
		rx_push(nb);
		return -ENOBUFS;
	}
	rx_put(nb, req.id, flags, (int16_t)len);
	rx_push(nb);
	return 0;
}

unsigned int netback_rx_room(struct netback *nb)
{
	return rx_room(nb);
}

void netback_rx_respond(struct netback *nb, const netif_rx_request_t *req, unsigned int n,
			unsigned int extra_at, size_t len, uint16_t gso_size, uint16_t flags)
{
	size_t off = 0;

	for (unsigned int i = 0; i < n; i++) {
		size_t chunk = len - off < SIM_PAGE_SIZE ? len - off : SIM_PAGE_SIZE;
		uint16_t f = i == 0 ? flags : 0;

		if (i == extra_at) {
			rx_put_gso(nb, gso_size);
			continue;
		}
		if (off + chunk < len)
			f |= NETRXF_more_data;
		if (i == 0 && gso_size)
			f |= NETRXF_extra_info;
		rx_put(nb, req[i].id, f, (int16_t)chunk);
		off += chunk;
	}
	rx_push(nb);
}

int netback_deliver_offload(struct netback *nb, const uint8_t *frame, size_t len,
			    uint16_t gso_size, uint16_t flags)
{
	netif_rx_request_t req[NB_RX_MAX_SLOTS] = { 0 }; /* all n filled; GCC cannot tell */
	unsigned int data = len ? (unsigned int)((len + SIM_PAGE_SIZE - 1) / SIM_PAGE_SIZE) : 1;
	unsigned int n = data + (gso_size ? 1 : 0), extra_at = gso_size ? 1 : n;
	RING_IDX first;

	if (len <= SIM_PAGE_SIZE && !gso_size)
		return rx_single(nb, frame, len, flags);
	if (!nb->connected || nb->rx_broken || !netback_guest_running(nb))
		return -ENOTCONN;
	if (len > GSO_MAX_FRAME || (data > 1 && !nb->rx_off.sg) || (gso_size && !nb->rx_off.gso) ||
	    (flags && !nb->rx_off.csum))
		return -EMSGSIZE; /* the vif only gives what the frontend takes: not reached */
	if (rx_room(nb) < n)
		return nb->rx_broken ? -ENOTCONN : -ENOBUFS;
	first = nb->rx.req_cons;
	for (unsigned int i = 0; i < n; i++)
		RING_COPY_REQUEST(&nb->rx, nb->rx.req_cons++, &req[i]);
	if (!rx_copy(nb, req, n, extra_at, first, frame, len)) {
		for (unsigned int i = 0; i < n; i++)
			rx_put(nb, req[i].id, 0, NETIF_RSP_ERROR);
		rx_push(nb);
		return -ENOBUFS;
	}
	netback_rx_respond(nb, req, n, extra_at, len, gso_size, flags);
	return 0;
}

int netback_deliver(struct netback *nb, const uint8_t *frame, size_t len)
{
	if (len > SIM_PAGE_SIZE)
		return -EMSGSIZE;
	return rx_single(nb, frame, len, 0);
}

void netback_rx_offloads(const struct netback *nb, bool *sg, bool *gso, bool *csum)
{
	*sg = nb->connected && nb->rx_off.sg;
	*gso = nb->connected && nb->rx_off.gso;
	*csum = nb->connected && nb->rx_off.csum;
}

bool netback_rx_ready(struct netback *nb)
{
	unsigned int need = rx_need(nb);

	if (!nb->connected || !netback_guest_running(nb)) {
		nb->rx_waiting = true; /* rx_ready when it connects with buffers posted */
		return false;
	}
	if (rx_room(nb) >= need)
		return true;
	if (nb->rx_broken)
		return false;
	if (!nb->rx_notify)
		return true; /* it would never say: the backend must not wait for it */
	/* Ask for a notification once enough buffers are posted (feature-rx-notify). */
	nb->rx.sring->req_event = nb->rx.req_cons + need;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (rx_room(nb) >= need)
		return true;
	nb->rx_waiting = true;
	return false;
}

/* netback_notified's RX part: buffers posted while the vif waits for them. */
void netback_rx_posted(struct netback *nb)
{
	if (nb->rx_waiting && nb->connected && rx_room(nb) >= rx_need(nb)) {
		nb->rx_waiting = false;
		vif_rx_resume(nb->vif);
	}
}

/* --- the handshake (xenbus_backend.c walks the states) --- */

static void unmap_rings(struct netback *nb)
{
	if (nb->tx_mapped)
		xenbus_backend_unmap_ring(nb->xb, nb->tx_handle);
	if (nb->rx_mapped)
		xenbus_backend_unmap_ring(nb->xb, nb->rx_handle);
	nb->tx_mapped = nb->rx_mapped = false;
}

static void nb_disconnect(struct xenbus_backend *xb, void *arg)
{
	struct netback *nb = arg;

	(void)xb;
	if (nb->port) {
		xenbus_backend_unbind_evtchn(nb->xb, nb->port);
		nb->port = 0;
	}
	unmap_rings(nb);
	nb->connected = false;
	nb->rx_off = (struct nb_offload){ 0 };
}

/* A frontend feature key: 0 or 1, def when absent; -EINVAL (reported) otherwise. */
static int frontend_flag(struct netback *nb, const char *key, bool def, bool *on)
{
	unsigned long v;
	int rc = xenbus_backend_read_uint(nb->xb, key, 1, &v);

	if (rc == -EINVAL)
		return rc;
	*on = rc == 0 ? v == 1 : def;
	return 0;
}

/*
 * What the frontend takes on receive (Linux's read_xenbus_vif_flags):
 * feature-sg, feature-gso-tcpv4 (with sg: many slots) and checksum offload
 * unless feature-no-csum-offload=1 (on when absent, <xen/io/netif.h>), each
 * only if this vif offers it too (sg=0, gso=0, csum=0 switch both ways off).
 */
static int read_frontend_offloads(struct netback *nb)
{
	bool sg, gso, no_csum;
	int rc;

	if ((rc = frontend_flag(nb, "feature-sg", false, &sg)) < 0 ||
	    (rc = frontend_flag(nb, "feature-gso-tcpv4", false, &gso)) < 0 ||
	    (rc = frontend_flag(nb, "feature-no-csum-offload", false, &no_csum)) < 0)
		return rc;
	nb->rx_off.sg = sg && nb->off.sg;
	nb->rx_off.csum = !no_csum && nb->off.csum;
	nb->rx_off.gso = gso && nb->rx_off.sg && nb->rx_off.csum && nb->off.gso;
	return 0;
}

/* What the frontend asked for that this backend did not offer (connect_data_rings' checks). */
static int check_frontend_features(struct netback *nb)
{
	unsigned long v;
	int rc = xenbus_backend_read_uint(nb->xb, "request-rx-copy", 1, &v);

	if (rc == -EINVAL)
		return rc; /* reported */
	if (rc < 0 || v != 1) {
		sim_report_violation(nb->dom, "vif%u: the frontend did not write "
				     "request-rx-copy=1; netback only copies into posted "
				     "buffers (feature-rx-flip=0), so the vif stays unconnected",
				     nb->vif->index);
		return -EOPNOTSUPP;
	}
	rc = xenbus_backend_read_uint(nb->xb, "multi-queue-num-queues", 65535, &v);
	if (rc == -EINVAL)
		return rc;
	if (rc == 0 && v != 1) {
		sim_report_violation(nb->dom, "vif%u: the frontend asked for %lu queues; netback "
				     "offers one (no multi-queue-max-queues)", nb->vif->index, v);
		return -EOPNOTSUPP;
	}
	rc = xenbus_backend_read_uint(nb->xb, "feature-rx-notify", 1, &v);
	if (rc == -EINVAL)
		return rc;
	nb->rx_notify = rc == 0 && v == 1;
	return read_frontend_offloads(nb);
}

static int map_rings(struct netback *nb, unsigned long tx_ref, unsigned long rx_ref)
{
	void *tx_page, *rx_page;

	if (xenbus_backend_map_ring(nb->xb, "tx-ring-ref", tx_ref, &tx_page,
				    &nb->tx_handle) < 0)
		return -EINVAL;
	nb->tx_mapped = true;
	if (xenbus_backend_map_ring(nb->xb, "rx-ring-ref", rx_ref, &rx_page,
				    &nb->rx_handle) < 0) {
		unmap_rings(nb);
		return -EINVAL;
	}
	nb->rx_mapped = true;
	BACK_RING_INIT(&nb->tx, (netif_tx_sring_t *)tx_page, SIM_PAGE_SIZE);
	BACK_RING_INIT(&nb->rx, (netif_rx_sring_t *)rx_page, SIM_PAGE_SIZE);
	return 0;
}

/* connect() of Linux netback: read the frontend's keys, map, bind. */
static int nb_connect(struct xenbus_backend *xb, void *arg)
{
	struct netback *nb = arg;
	unsigned long tx_ref, rx_ref, port;
	int rc;

	if ((rc = check_frontend_features(nb)) < 0 ||
	    (rc = xenbus_backend_need_uint(xb, "tx-ring-ref", UINT32_MAX, &tx_ref)) < 0 ||
	    (rc = xenbus_backend_need_uint(xb, "rx-ring-ref", UINT32_MAX, &rx_ref)) < 0 ||
	    (rc = xenbus_backend_need_uint(xb, "event-channel", UINT32_MAX, &port)) < 0 ||
	    (rc = map_rings(nb, tx_ref, rx_ref)) < 0)
		return rc;
	if ((rc = xenbus_backend_bind_evtchn(xb, "event-channel", port, netback_notified, nb,
					     &nb->port)) < 0) {
		nb->port = 0;
		unmap_rings(nb);
		return rc;
	}
	nb->tx_broken = nb->rx_broken = false;
	nb->chain = TX_CHAIN_NONE;
	memset(nb->tx_seen, 0, sizeof(nb->tx_seen));
	nb->connected = true;
	/* What the guest queued before the bind raised nothing: look now. */
	netback_notified(nb, nb->port);
	return 0;
}

static const struct xenbus_backend_ops nb_ops = {
	.connect = nb_connect,
	.disconnect = nb_disconnect,
};

int netback_create(struct vif *v, struct netback **out)
{
	struct netback *nb = calloc(1, sizeof(*nb));
	int rc;

	if (!nb)
		return -ENOMEM;
	nb->vif = v;
	nb->dom = v->dom;
	nb->off = (struct nb_offload){ .sg = !v->cfg.no_sg, .gso = !v->cfg.no_gso,
				       .csum = !v->cfg.no_csum };
	/* Linux's netback_probe: GSO needs scatter-gather (a 64 KiB frame is many slots). */
	if (!nb->off.sg)
		nb->off.gso = false;
	/* What netback_probe publishes; one queue, receive by copy. */
	const struct xenbus_backend_feature features[] = {
		{ "feature-sg", nb->off.sg },
		{ "feature-gso-tcpv4", nb->off.gso },
		{ "feature-gso-tcpv6", 0 },
		{ "feature-no-csum-offload", !nb->off.csum },
		{ "feature-rx-copy", 1 },
		{ "feature-rx-flip", 0 },
		{ "feature-rx-notify", 1 },
		{ "feature-split-event-channels", 0 },
	};
	rc = xenbus_backend_create(v->dom, "vif", v->index, features,
				   sizeof(features) / sizeof(features[0]), &nb_ops, nb, &nb->xb);
	if (rc < 0) {
		free(nb);
		return rc;
	}
	*out = nb;
	return 0;
}

void netback_destroy(struct netback *nb)
{
	if (!nb)
		return;
	xenbus_backend_destroy(nb->xb); /* disconnects */
	free(nb);
}

bool netback_connected(const struct netback *nb)
{
	return nb->connected;
}
