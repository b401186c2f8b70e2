/*
 * netback: the backend half of the netif protocol, as Linux's xen-netback
 * does it (drivers/net/xen-netback/xenbus.c for the handshake, which the
 * backend device helpers of xenbus_backend.c walk), with one queue, one
 * event channel and receive by copy only, into single-slot frames. The
 * transmit side (multi-slot frames, GSO, blank checksums) is netback_tx.c.
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
#include "sim/report.h"

/* Whether the guest has a receive buffer posted; false also for a broken ring. */
static bool rx_has_buffer(struct netback *nb)
{
	RING_IDX prod = __atomic_load_n(&nb->rx.sring->req_prod, __ATOMIC_ACQUIRE);

	if (nb->rx_broken)
		return false;
	if (RING_REQUEST_PROD_OVERFLOW(&nb->rx, prod)) {
		sim_report_violation(nb->dom, "vif%u RX ring: req_prod %u is %u slots ahead of "
				     "the last response %u, more than the ring's %u; netback "
				     "stops filling this ring", nb->vif->index, prod,
				     prod - nb->rx.rsp_prod_pvt, nb->rx.rsp_prod_pvt,
				     RING_SIZE(&nb->rx));
		nb->rx_broken = true;
		return false;
	}
	return nb->rx.req_cons != prod;
}

static void rx_respond(struct netback *nb, uint16_t id, int16_t status)
{
	netif_rx_response_t *rsp = RING_GET_RESPONSE(&nb->rx, nb->rx.rsp_prod_pvt);
	int notify;

	/* The response goes in its request's slot, as Linux netfront expects. */
	rsp->id = id;
	rsp->offset = 0;
	rsp->flags = 0; /* checksums not validated: the guest checks them */
	rsp->status = status;
	nb->rx.rsp_prod_pvt++;
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&nb->rx, notify);
	if (notify)
		xenbus_backend_notify(nb->xb, nb->port);
}

int netback_deliver(struct netback *nb, const uint8_t *frame, size_t len)
{
	netif_rx_request_t req;
	unsigned int slot;
	int16_t st;

	if (!nb->connected || nb->rx_broken || !netback_guest_running(nb))
		return -ENOTCONN;
	if (len > SIM_PAGE_SIZE)
		return -EMSGSIZE;
	if (!rx_has_buffer(nb))
		return nb->rx_broken ? -ENOTCONN : -ENOBUFS;
	slot = nb->rx.req_cons & (RING_SIZE(&nb->rx) - 1);
	RING_COPY_REQUEST(&nb->rx, nb->rx.req_cons, &req);
	nb->rx.req_cons++;
	if (req.id >= RING_SIZE(&nb->rx)) {
		sim_report_violation(nb->dom, "vif%u RX slot %u: request id %u is beyond the "
				     "ring's %u ids", nb->vif->index, slot, req.id,
				     RING_SIZE(&nb->rx));
		rx_respond(nb, req.id, NETIF_RSP_ERROR);
		return -ENOBUFS;
	}
	st = sim_gnttab_copy_to(nb->dom, 0, req.gref, 0, frame, (uint16_t)len);
	if (st != GNTST_okay) {
		sim_report_violation(nb->dom, "vif%u RX slot %u (id %u): grant copy to ref %u "
				     "failed with %s", nb->vif->index, slot, req.id, req.gref,
				     sim_gnttab_status_name(st));
		rx_respond(nb, req.id, NETIF_RSP_ERROR);
		return -ENOBUFS;
	}
	rx_respond(nb, req.id, (int16_t)len);
	return 0;
}

bool netback_rx_ready(struct netback *nb)
{
	int more;

	if (!nb->connected || !netback_guest_running(nb)) {
		nb->rx_waiting = true; /* rx_ready when it connects with buffers posted */
		return false;
	}
	if (rx_has_buffer(nb))
		return true;
	if (nb->rx_broken)
		return false;
	if (!nb->rx_notify)
		return true; /* it would never say: the backend must not wait for it */
	/* Ask for a notification on the next posted buffer (feature-rx-notify). */
	RING_FINAL_CHECK_FOR_REQUESTS(&nb->rx, more);
	if (more)
		return true;
	nb->rx_waiting = true;
	return false;
}

/* The guest notified: TX requests, or RX buffers posted. */
static void notified(void *arg, evtchn_port_t port)
{
	struct netback *nb = arg;

	netback_tx_process(nb);
	if (nb->rx_waiting && nb->connected && rx_has_buffer(nb)) {
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
	return 0;
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
	if ((rc = xenbus_backend_bind_evtchn(xb, "event-channel", port, notified, nb,
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
	notified(nb, nb->port);
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
