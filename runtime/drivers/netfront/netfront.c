/*
 * netfront: opening and closing a vif, and what is shared by the transmit
 * and receive halves (netfront_tx.c, netfront_rx.c). The xenstore
 * handshake is in netfront_xenbus.c, the granted pages in netfront_grants.c.
 *
 * Open: read the configuration, allocate and grant the rings and buffers,
 * post every RX buffer, allocate the event channel, do the handshake, then
 * start the receive thread. Close undoes it in the reverse order, waiting
 * for the backend to let go of the pages before it frees them.
 */
#include <errno.h>
#include <string.h>

#include <uk/console.h>
#include <uk/exit.h>
#include <uk/time.h>

#include "netfront_private.h"

int netfront_count(void)
{
	return xenbus_dev_count("vif");
}

void netfront_wake_all(struct netfront *nf)
{
	uk_waitq_wake_all(&nf->rx_wq);
	uk_waitq_wake_all(&nf->tx_wq);
	uk_waitq_wake_all(&nf->recv_wq);
}

void netfront_ring_overran(struct netfront *nf, const char *ring, RING_IDX rsp_prod,
			   RING_IDX rsp_cons, RING_IDX req_prod_pvt)
{
	if (!nf->broken)
		uk_printf("netfront %u: backend overran the %s ring (rsp_prod %u, rsp_cons %u, "
			  "req_prod %u); device stopped\n",
			  nf->index, ring, rsp_prod, rsp_cons, req_prod_pvt);
	nf->broken = true;
	netfront_wake_all(nf);
}

static struct netfront *netfront_alloc(unsigned int index)
{
	struct netfront *nf = uk_calloc(1, sizeof(*nf));

	if (!nf)
		return NULL;
	nf->index = index;
	uk_waitq_init(&nf->tx_wq);
	uk_waitq_init(&nf->rx_wq);
	uk_waitq_init(&nf->recv_wq);
	uk_waitq_init(&nf->idle_wq);
	return nf;
}

/* Undoes whatever part of open happened; frees nf. */
static void netfront_teardown(struct netfront *nf)
{
	nf->closing = true;
	netfront_wake_all(nf);
	while (nf->users > 0)
		uk_waitq_wait(&nf->idle_wq, 0);
	netfront_rx_stop(nf);
	netfront_xs_disconnect(nf);
	if (nf->port_bound) {
		evtchn_close(nf->port);
		nf->port_bound = false;
	}
	netfront_bufs_release(nf);
	netfront_rxq_free(nf);
	uk_free(nf->rx_frame);
	uk_free(nf);
}

static int netfront_setup(struct netfront *nf, uint64_t deadline_ns)
{
	int rc;

	if ((rc = netfront_xs_read_config(nf)) < 0)
		return rc;
	if ((rc = netfront_bufs_alloc(nf)) < 0) {
		uk_printf("netfront %u: no memory or grants for the rings (%d)\n", nf->index, rc);
		return rc;
	}
	netfront_tx_init(nf);
	netfront_rx_post_all(nf);
	if ((rc = evtchn_alloc_unbound(nf->dev.otherend_id, netfront_event, nf, &nf->port)) < 0) {
		uk_printf("netfront %u: no event channel (%d)\n", nf->index, rc);
		return rc;
	}
	nf->port_bound = true;
	if ((rc = netfront_xs_connect(nf, deadline_ns)) < 0)
		return rc;
	if ((rc = netfront_rx_start(nf)) < 0)
		return rc;
	/* As Linux does: a kick, in case the backend waits for one. */
	evtchn_send(nf->port);
	return 0;
}

static int open_vif(unsigned int index, uint64_t timeout_ns, bool rx_offload,
		    struct netfront **out)
{
	uint64_t deadline = timeout_ns ? uk_deadline_after(timeout_ns) : 0;
	struct netfront *nf;
	int rc;

	if (!out)
		return -EINVAL;
	if (!(nf = netfront_alloc(index)))
		return -ENOMEM;
	/* Multi-slot and GSO frames are joined here before the callback sees them. */
	if (rx_offload && !(nf->rx_frame = uk_malloc(NETFRONT_MAX_GSO_RX_FRAME))) {
		netfront_teardown(nf);
		return -ENOMEM;
	}
	nf->off.rx = rx_offload;
	if ((rc = netfront_setup(nf, deadline)) < 0) {
		netfront_teardown(nf);
		return rc;
	}
	*out = nf;
	return 0;
}

int netfront_open(unsigned int index, uint64_t timeout_ns, struct netfront **out)
{
	return open_vif(index, timeout_ns, false, out);
}

int netfront_open_rx_offload(unsigned int index, uint64_t timeout_ns, struct netfront **out)
{
	return open_vif(index, timeout_ns, true, out);
}

int netfront_close(struct netfront *nf)
{
	if (!nf)
		return -EINVAL;
	/* Its holder would call into the freed device next (a use after free). */
	if (nf->holder)
		uk_panic("netfront_close: vif %u is still held by %s", nf->index, nf->holder);
	/* The receive callback cannot wait for its own thread to end. */
	if (nf->rx_thread && uk_thread_self() == nf->rx_thread)
		return -EDEADLK;
	netfront_teardown(nf);
	return 0;
}

int netfront_set_holder(struct netfront *nf, const char *holder)
{
	/* A second holder would take over the first's callbacks, and let go under it. */
	if (holder && nf->holder)
		return -EBUSY;
	nf->holder = holder;
	return 0;
}

void netfront_set_rx(struct netfront *nf, netfront_rx_fn fn, void *arg)
{
	nf->rx_in_event = false;
	nf->rx_fn = fn;
	nf->rx_flags_fn = NULL;
	nf->rx_sg_fn = NULL;
	nf->rx_arg = arg;
}

void netfront_set_rx_flags(struct netfront *nf, netfront_rx_flags_fn fn, void *arg)
{
	nf->rx_in_event = false;
	nf->rx_fn = NULL;
	nf->rx_flags_fn = fn;
	nf->rx_sg_fn = NULL;
	nf->rx_arg = arg;
}

void netfront_set_rx_nonblocking(struct netfront *nf, netfront_rx_flags_fn fn, void *arg)
{
	netfront_set_rx_flags(nf, fn, arg);
	nf->rx_in_event = true;
	/* Responses that came before: the next event finds them, or the thread, if awake. */
}

void netfront_set_rx_sg(struct netfront *nf, netfront_rx_sg_fn fn)
{
	nf->rx_sg_fn = nf->rx_flags_fn ? fn : NULL;
}

void netfront_mac(const struct netfront *nf, uint8_t mac[6])
{
	memcpy(mac, nf->mac, 6);
}

void netfront_offloads(const struct netfront *nf, struct netfront_offloads *off)
{
	*off = nf->off;
}

unsigned int netfront_mtu(const struct netfront *nf)
{
	return nf->mtu;
}

void netfront_stats(struct netfront *nf, struct netfront_stats *stats)
{
	netfront_tx_reclaim(nf); /* the errors of answered frames counted */
	*stats = nf->stats;
}
