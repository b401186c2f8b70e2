/*
 * netback: the backend half of the netif protocol, as Linux's xen-netback
 * does it (drivers/net/xen-netback/xenbus.c for the handshake), with one
 * queue, one event channel, single-slot frames and receive by copy only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/xen_abi.h" /* the ring barriers, before <xen/io/netif.h> */
#include <xen/io/netif.h>
#include <xen/io/xenbus.h>
#include <xen/io/xs_wire.h>

#include "sim/domain.h"
#include "sim/backends/netback.h"
#include "sim/report.h"
#include "sim/backends/vif.h"
#include "sim/xenstored/xs_store.h"

#define NB_PAGE_SIZE 4096u
#define NB_ETH_HLEN 14u
#define NB_TX_RING_SIZE __CONST_RING_SIZE(netif_tx, NB_PAGE_SIZE)

/* How the next TX slots are read after a request the backend did not agree to. */
enum tx_chain {
	TX_CHAIN_NONE,  /* a new frame */
	TX_CHAIN_EXTRA, /* a netif_extra_info slot */
	TX_CHAIN_FRAG,  /* a further fragment (NETTXF_more_data) */
};

struct netback {
	struct vif *vif;
	struct sim_domain *dom;  /* the guest */
	struct sim_domain *dom0; /* us */
	struct xs_store *xs;
	struct xs_conn *conn;    /* dom0's client, for the watch on the frontend's state */
	struct sim_timer kick;   /* runs the handshake outside xenstored's call */
	char fe[64], be[64];     /* frontend and backend directories */
	enum xenbus_state state; /* ours, as written to be/state */

	bool connected;
	netif_tx_back_ring_t tx;
	netif_rx_back_ring_t rx;
	grant_handle_t tx_handle, rx_handle;
	bool tx_mapped, rx_mapped;
	evtchn_port_t port;      /* dom0's end of the event channel */
	bool tx_broken, rx_broken; /* a producer overran: the ring is no longer read */
	bool rx_waiting;         /* the backend was told no buffer is posted */
	bool rx_notify;          /* the frontend wrote feature-rx-notify=1 */
	enum tx_chain chain;
	bool chain_more_data;    /* the rejected head also had NETTXF_more_data */
	uint8_t tx_seen[NB_TX_RING_SIZE / 8]; /* ids consumed since the last push */
	uint8_t frame[NB_PAGE_SIZE];
};

/* --- xenstore --- */

/* Reads dir/name as an unsigned number; -ENOENT if absent, -EINVAL if not a number. */
static int xs_get_uint(struct netback *nb, const char *dir, const char *name,
		       unsigned long max, unsigned long *out)
{
	char path[128], *value, *end;
	size_t len;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((rc = xs_store_read(nb->xs, path, &value, &len)) < 0)
		return rc;
	errno = 0;
	*out = strtoul(value, &end, 10);
	rc = (!len || *end || errno || *out > max || value[0] == '-') ? -EINVAL : 0;
	free(value);
	return rc;
}

static void set_state(struct netback *nb, enum xenbus_state s)
{
	nb->state = s;
	xs_store_printf(nb->xs, nb->be, "state", "%d", (int)s);
}

/* The frontend's directory, as libxl__device_generic_add and set_xenstore_nic write it. */
static int write_frontend(struct netback *nb, const char *mac)
{
	const struct vif *v = nb->vif;
	struct xs_perm fe_perms[2] = { { nb->dom->domid, XS_STORE_PERM_NONE },
				       { 0, XS_STORE_PERM_READ } };
	struct xs_perm ro_perms[2] = { { 0, XS_STORE_PERM_NONE },
				       { nb->dom->domid, XS_STORE_PERM_READ } };
	char path[128];
	int rc;

	xs_store_rm(nb->xs, nb->fe);
	if ((rc = xs_store_mkdir(nb->xs, nb->fe)) < 0 ||
	    (rc = xs_store_set_perms(nb->xs, nb->fe, fe_perms, 2)) < 0 ||
	    (rc = xs_store_printf(nb->xs, nb->fe, "backend", "%s", nb->be)) < 0 ||
	    (rc = xs_store_printf(nb->xs, nb->fe, "backend-id", "0")) < 0 ||
	    (rc = xs_store_printf(nb->xs, nb->fe, "state", "%d", XenbusStateInitialising)) < 0 ||
	    (rc = xs_store_printf(nb->xs, nb->fe, "handle", "%u", v->index)) < 0 ||
	    (rc = xs_store_printf(nb->xs, nb->fe, "mac", "%s", mac)) < 0 ||
	    (rc = xs_store_printf(nb->xs, nb->fe, "trusted", "1")) < 0 ||
	    (rc = xs_store_printf(nb->xs, nb->fe, "mtu", "%u", v->cfg.mtu)) < 0)
		return rc;
	/* mtu is the toolstack's word: the guest may read it, not change it. */
	snprintf(path, sizeof(path), "%s/mtu", nb->fe);
	return xs_store_set_perms(nb->xs, path, ro_perms, 2);
}

/* The backend's directory: libxl's entries, then what netback_probe adds. */
static int write_backend(struct netback *nb, const char *mac)
{
	const struct vif *v = nb->vif;
	struct xs_perm be_perms[2] = { { 0, XS_STORE_PERM_NONE },
				       { nb->dom->domid, XS_STORE_PERM_READ } };
	static const char *const features[][2] = {
		{ "feature-sg", "0" },        { "feature-gso-tcpv4", "0" },
		{ "feature-gso-tcpv6", "0" }, { "feature-rx-copy", "1" },
		{ "feature-rx-flip", "0" },   { "feature-rx-notify", "1" },
		{ "feature-split-event-channels", "0" },
	};
	int rc;

	xs_store_rm(nb->xs, nb->be);
	if ((rc = xs_store_mkdir(nb->xs, nb->be)) < 0 ||
	    (rc = xs_store_set_perms(nb->xs, nb->be, be_perms, 2)) < 0 ||
	    (rc = xs_store_printf(nb->xs, nb->be, "frontend", "%s", nb->fe)) < 0 ||
	    (rc = xs_store_printf(nb->xs, nb->be, "frontend-id", "%u", nb->dom->domid)) < 0 ||
	    (rc = xs_store_printf(nb->xs, nb->be, "online", "1")) < 0 ||
	    (rc = xs_store_printf(nb->xs, nb->be, "state", "%d", XenbusStateInitialising)) < 0 ||
	    (rc = xs_store_printf(nb->xs, nb->be, "mac", "%s", mac)) < 0 ||
	    (rc = xs_store_printf(nb->xs, nb->be, "handle", "%u", v->index)) < 0 ||
	    (rc = xs_store_printf(nb->xs, nb->be, "type", "vif")) < 0)
		return rc;
	/* libxl writes the backend's mtu only when it is not the default. */
	if (v->cfg.mtu != 1500 && (rc = xs_store_printf(nb->xs, nb->be, "mtu", "%u", v->cfg.mtu)) < 0)
		return rc;
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++)
		if ((rc = xs_store_printf(nb->xs, nb->be, features[i][0], "%s", features[i][1])) < 0)
			return rc;
	return 0;
}

/* --- rings --- */

static bool id_test_and_set(uint8_t *bits, unsigned int id)
{
	bool was = bits[id / 8] & (1u << (id % 8));

	bits[id / 8] |= (uint8_t)(1u << (id % 8));
	return was;
}

static bool guest_running(const struct netback *nb)
{
	return nb->dom->state == SIM_DOMAIN_RUNNING;
}

static void tx_respond(struct netback *nb, uint16_t id, int16_t status)
{
	netif_tx_response_t *rsp = RING_GET_RESPONSE(&nb->tx, nb->tx.rsp_prod_pvt);

	rsp->id = id;
	rsp->status = status;
	nb->tx.rsp_prod_pvt++;
}

static void tx_push(struct netback *nb)
{
	int notify;

	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&nb->tx, notify);
	memset(nb->tx_seen, 0, sizeof(nb->tx_seen));
	if (notify)
		sim_evtchn_send(nb->dom0, nb->port);
}

/* Checks one TX request (a frame's only slot); returns NETIF_RSP_OKAY or the error to answer. */
static int16_t tx_check(struct netback *nb, const netif_tx_request_t *req, unsigned int slot)
{
	unsigned int max = nb->vif->cfg.mtu + NB_ETH_HLEN;

	if (req->id >= NB_TX_RING_SIZE) {
		sim_report_violation(nb->dom, "vif%u TX slot %u: request id %u is beyond the "
				     "ring's %u ids", nb->vif->index, slot, req->id,
				     (unsigned int)NB_TX_RING_SIZE);
		return NETIF_RSP_ERROR;
	}
	if (id_test_and_set(nb->tx_seen, req->id)) {
		sim_report_violation(nb->dom, "vif%u TX slot %u: request id %u is already in "
				     "use by an unanswered request", nb->vif->index, slot, req->id);
		return NETIF_RSP_ERROR;
	}
	if (req->size < NB_ETH_HLEN || req->size > max) {
		sim_report_violation(nb->dom, "vif%u TX slot %u (id %u): frame of %u bytes; a "
				     "frame is %u to %u bytes (MTU %u + Ethernet header)",
				     nb->vif->index, slot, req->id, req->size, NB_ETH_HLEN, max,
				     nb->vif->cfg.mtu);
		return NETIF_RSP_ERROR;
	}
	if ((unsigned int)req->offset + req->size > NB_PAGE_SIZE) {
		sim_report_violation(nb->dom, "vif%u TX slot %u (id %u): offset %u + size %u "
				     "crosses the end of the granted page", nb->vif->index, slot,
				     req->id, req->offset, req->size);
		return NETIF_RSP_ERROR;
	}
	return NETIF_RSP_OKAY;
}

/* A request the backend never offered to handle: answer it and skip its other slots. */
static void tx_reject_chain(struct netback *nb, const netif_tx_request_t *req, unsigned int slot)
{
	sim_report_violation(nb->dom, "vif%u TX slot %u (id %u): flags %#x ask for %s, which "
			     "this backend does not offer (feature-sg=0, feature-gso-*=0)",
			     nb->vif->index, slot, req->id, req->flags,
			     (req->flags & NETTXF_extra_info) ? "extra info slots"
							      : "a multi-slot frame");
	tx_respond(nb, req->id, NETIF_RSP_ERROR);
	nb->chain_more_data = req->flags & NETTXF_more_data;
	nb->chain = (req->flags & NETTXF_extra_info) ? TX_CHAIN_EXTRA : TX_CHAIN_FRAG;
}

/* Consumes one slot of a rejected chain, answered as Linux answers such slots. */
static void tx_skip(struct netback *nb, RING_IDX idx)
{
	if (nb->chain == TX_CHAIN_EXTRA) {
		netif_extra_info_t extra;
		/* An extra slot overlays a request: its answer is NETIF_RSP_NULL in place. */
		memcpy(&extra, (const void *)RING_GET_REQUEST(&nb->tx, idx), sizeof(extra));
		RING_GET_RESPONSE(&nb->tx, nb->tx.rsp_prod_pvt)->status = NETIF_RSP_NULL;
		nb->tx.rsp_prod_pvt++;
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

/* One frame: checked, copied out through the grant table, handed to the vif. */
static void tx_one(struct netback *nb, RING_IDX idx)
{
	unsigned int slot = idx & (NB_TX_RING_SIZE - 1);
	netif_tx_request_t req;
	int16_t st;

	RING_COPY_REQUEST(&nb->tx, idx, &req); /* the guest may change the slot: check a copy */
	if (req.flags & (NETTXF_more_data | NETTXF_extra_info)) {
		tx_reject_chain(nb, &req, slot);
		return;
	}
	if ((st = tx_check(nb, &req, slot)) != NETIF_RSP_OKAY) {
		tx_respond(nb, req.id, st);
		return;
	}
	st = sim_gnttab_copy_from(nb->dom, 0, req.gref, req.offset, nb->frame, req.size);
	if (st != GNTST_okay) {
		sim_report_violation(nb->dom, "vif%u TX slot %u (id %u): grant copy from ref %u "
				     "failed with %s", nb->vif->index, slot, req.id, req.gref,
				     sim_gnttab_status_name(st));
		tx_respond(nb, req.id, NETIF_RSP_ERROR);
		return;
	}
	vif_from_guest(nb->vif, nb->frame, req.size);
	tx_respond(nb, req.id, NETIF_RSP_OKAY);
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
	       guest_running(nb)) {
		RING_IDX idx = nb->tx.req_cons++;
		if (nb->chain == TX_CHAIN_NONE)
			tx_one(nb, idx);
		else
			tx_skip(nb, idx);
	}
	return true;
}

static void tx_process(struct netback *nb)
{
	int more;

	if (!nb->connected || nb->tx_broken)
		return;
	do {
		bool ok = tx_batch(nb);
		tx_push(nb);
		if (!ok || !guest_running(nb))
			return;
		RING_FINAL_CHECK_FOR_REQUESTS(&nb->tx, more);
	} while (more);
}

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
		sim_evtchn_send(nb->dom0, nb->port);
}

int netback_deliver(struct netback *nb, const uint8_t *frame, size_t len)
{
	netif_rx_request_t req;
	unsigned int slot;
	int16_t st;

	if (!nb->connected || nb->rx_broken || !guest_running(nb))
		return -ENOTCONN;
	if (len > NB_PAGE_SIZE)
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

	if (!nb->connected || !guest_running(nb)) {
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

	tx_process(nb);
	if (nb->rx_waiting && nb->connected && rx_has_buffer(nb)) {
		nb->rx_waiting = false;
		if (nb->vif->ops->rx_ready)
			nb->vif->ops->rx_ready(nb->vif);
	}
}

/* --- the handshake --- */

static void unmap_rings(struct netback *nb)
{
	if (nb->tx_mapped)
		sim_gnttab_unmap(nb->dom, nb->tx_handle);
	if (nb->rx_mapped)
		sim_gnttab_unmap(nb->dom, nb->rx_handle);
	nb->tx_mapped = nb->rx_mapped = false;
}

static void disconnect(struct netback *nb)
{
	if (nb->port) {
		sim_evtchn_close(nb->dom0, nb->port);
		nb->port = 0;
	}
	unmap_rings(nb);
	nb->connected = false;
}

/* Maps one ring page writable, as dom0. */
static int map_ring(struct netback *nb, const char *name, unsigned long ref, void **page,
		    grant_handle_t *handle, bool *mapped)
{
	int16_t st = sim_gnttab_map(nb->dom, 0, (grant_ref_t)ref, false, page, handle);

	if (st != GNTST_okay) {
		sim_report_violation(nb->dom, "vif%u: cannot map %s %lu for netback: %s",
				     nb->vif->index, name, ref, sim_gnttab_status_name(st));
		return -EINVAL;
	}
	*mapped = true;
	return 0;
}

/* Reads a frontend key netback needs; reports the frontend's mistake. */
static int need_uint(struct netback *nb, const char *name, unsigned long max,
		     unsigned long *out)
{
	int rc = xs_get_uint(nb, nb->fe, name, max, out);

	if (rc == -ENOENT)
		sim_report_violation(nb->dom, "vif%u: the frontend connected without writing "
				     "%s/%s", nb->vif->index, nb->fe, name);
	else if (rc < 0)
		sim_report_violation(nb->dom, "vif%u: %s/%s is not a number up to %lu",
				     nb->vif->index, nb->fe, name, max);
	return rc;
}

/* What the frontend asked for that this backend did not offer. */
static int check_frontend_features(struct netback *nb)
{
	unsigned long v;

	if (xs_get_uint(nb, nb->fe, "request-rx-copy", 1, &v) < 0 || v != 1) {
		sim_report_violation(nb->dom, "vif%u: the frontend did not write "
				     "request-rx-copy=1; netback only copies into posted "
				     "buffers (feature-rx-flip=0), so the vif stays unconnected",
				     nb->vif->index);
		return -EOPNOTSUPP;
	}
	if (xs_get_uint(nb, nb->fe, "multi-queue-num-queues", 65535, &v) == 0 && v != 1) {
		sim_report_violation(nb->dom, "vif%u: the frontend asked for %lu queues; netback "
				     "offers one (no multi-queue-max-queues)", nb->vif->index, v);
		return -EOPNOTSUPP;
	}
	nb->rx_notify = xs_get_uint(nb, nb->fe, "feature-rx-notify", 1, &v) == 0 && v == 1;
	return 0;
}

/* connect() of Linux netback: read the frontend's keys, map, bind. */
static int connect_rings(struct netback *nb)
{
	unsigned long tx_ref, rx_ref, port;
	void *tx_page, *rx_page;
	int rc;

	if ((rc = check_frontend_features(nb)) < 0 ||
	    (rc = need_uint(nb, "tx-ring-ref", UINT32_MAX, &tx_ref)) < 0 ||
	    (rc = need_uint(nb, "rx-ring-ref", UINT32_MAX, &rx_ref)) < 0 ||
	    (rc = need_uint(nb, "event-channel", UINT32_MAX, &port)) < 0)
		return rc;
	if ((rc = map_ring(nb, "tx-ring-ref", tx_ref, &tx_page, &nb->tx_handle,
			   &nb->tx_mapped)) < 0 ||
	    (rc = map_ring(nb, "rx-ring-ref", rx_ref, &rx_page, &nb->rx_handle,
			   &nb->rx_mapped)) < 0) {
		unmap_rings(nb);
		return rc;
	}
	BACK_RING_INIT(&nb->tx, (netif_tx_sring_t *)tx_page, NB_PAGE_SIZE);
	BACK_RING_INIT(&nb->rx, (netif_rx_sring_t *)rx_page, NB_PAGE_SIZE);
	rc = sim_evtchn_bind_interdomain(nb->dom0, nb->dom->domid, (evtchn_port_t)port,
					 &nb->port);
	if (rc < 0) {
		sim_report_violation(nb->dom, "vif%u: cannot bind event-channel %lu for netback "
				     "(Xen error %d): it must be unbound and allocated for dom0",
				     nb->vif->index, port, -rc);
		nb->port = 0;
		unmap_rings(nb);
		return rc;
	}
	sim_evtchn_set_handler(nb->dom0, nb->port, notified, nb);
	nb->tx_broken = nb->rx_broken = false;
	nb->chain = TX_CHAIN_NONE;
	memset(nb->tx_seen, 0, sizeof(nb->tx_seen));
	nb->connected = true;
	return 0;
}

/*
 * Linux netback's set_backend_state: walks to the wanted state by the
 * shortest path of Initialising -> InitWait -> Connected, Connected ->
 * Closing -> Closed, Closed -> InitWait, writing every state on the way.
 */
static void set_backend_state(struct netback *nb, enum xenbus_state want)
{
	while (nb->state != want) {
		switch (nb->state) {
		case XenbusStateInitWait:
			if (want == XenbusStateConnected) {
				if (connect_rings(nb) < 0) {
					/* xenbus_dev_fatal: the device goes to Closing. */
					set_state(nb, XenbusStateClosing);
					return;
				}
				set_state(nb, XenbusStateConnected);
				/* What the guest queued before the bind raised nothing: look now. */
				notified(nb, nb->port);
			} else {
				set_state(nb, XenbusStateClosing);
			}
			break;
		case XenbusStateConnected:
			disconnect(nb);
			set_state(nb, XenbusStateClosing);
			break;
		case XenbusStateClosing:
			set_state(nb, XenbusStateClosed);
			break;
		case XenbusStateClosed:
			set_state(nb, want == XenbusStateClosing ? XenbusStateClosing
								 : XenbusStateInitWait);
			break;
		default:
			set_state(nb, XenbusStateInitWait);
			break;
		}
	}
}

/* The frontend's state changed (or the watch fired for another reason). */
static void frontend_changed(struct sim_timer *t, void *arg)
{
	struct netback *nb = arg;
	unsigned long fe_state;

	if (xs_get_uint(nb, nb->fe, "state", 255, &fe_state) < 0)
		fe_state = XenbusStateClosed; /* gone or garbage: as Linux's Unknown */
	switch (fe_state) {
	case XenbusStateInitialising:
		set_backend_state(nb, XenbusStateInitWait);
		break;
	case XenbusStateInitialised:
	case XenbusStateConnected:
		/* Linux waits for Connected; Initialised with the keys written is as good. */
		set_backend_state(nb, XenbusStateConnected);
		break;
	case XenbusStateClosing:
		/* Unmap and unbind, then Closing and Closed at once (frontends wait for either). */
		set_backend_state(nb, XenbusStateClosed);
		break;
	case XenbusStateClosed:
		set_backend_state(nb, XenbusStateClosed);
		break;
	default:
		break;
	}
}

/* Watch events: handled from a timer due now, outside the store's call. */
static void xs_reply(struct xs_conn *c, const struct xsd_sockmsg *hdr, const char *payload,
		     void *arg)
{
	struct netback *nb = arg;

	if (hdr->type == XS_WATCH_EVENT)
		sim_timer_start(nb->dom->sim, &nb->kick, sim_now_ns(nb->dom->sim),
				frontend_changed, nb);
	else if (hdr->type == XS_ERROR)
		sim_log("vif%u: xenstore refused netback's watch: %.*s", nb->vif->index,
			(int)hdr->len, payload);
}

static int watch_frontend(struct netback *nb)
{
	char payload[128];
	int n = snprintf(payload, sizeof(payload), "%s/state%cnetback", nb->fe, '\0');
	struct xsd_sockmsg hdr = { .type = XS_WATCH, .req_id = 1, .len = (uint32_t)n + 1 };

	nb->conn = xs_conn_create(nb->xs, 0, xs_reply, nb);
	if (!nb->conn)
		return -ENOMEM;
	xs_conn_handle(nb->conn, &hdr, payload);
	return 0;
}

int netback_create(struct vif *v, struct netback **out)
{
	struct netback *nb = calloc(1, sizeof(*nb));
	char mac[18];
	int rc;

	if (!nb)
		return -ENOMEM;
	nb->vif = v;
	nb->dom = v->dom;
	nb->dom0 = sim_domain_lookup(v->dom->sim, 0);
	nb->xs = sim_xenstore(v->dom->sim);
	nb->state = XenbusStateInitialising;
	snprintf(nb->fe, sizeof(nb->fe), "/local/domain/%u/device/vif/%u", nb->dom->domid,
		 v->index);
	snprintf(nb->be, sizeof(nb->be), "/local/domain/0/backend/vif/%u/%u", nb->dom->domid,
		 v->index);
	vif_format_mac(v->cfg.mac, mac);
	if ((rc = write_frontend(nb, mac)) < 0 || (rc = write_backend(nb, mac)) < 0 ||
	    (rc = watch_frontend(nb)) < 0) {
		netback_destroy(nb);
		return rc;
	}
	set_backend_state(nb, XenbusStateInitWait);
	*out = nb;
	return 0;
}

void netback_destroy(struct netback *nb)
{
	if (!nb)
		return;
	if (nb->conn)
		xs_conn_destroy(nb->conn);
	sim_timer_stop(nb->dom->sim, &nb->kick);
	disconnect(nb);
	/* As libxl removes a device: both directories go. */
	xs_store_rm(nb->xs, nb->be);
	xs_store_rm(nb->xs, nb->fe);
	free(nb);
}

bool netback_connected(const struct netback *nb)
{
	return nb->connected;
}
