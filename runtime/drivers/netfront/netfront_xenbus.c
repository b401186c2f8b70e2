/*
 * netfront's xenstore side, on the frontend device helpers
 * (<uk/drivers/xenbus_dev.h>): the vif's configuration (device/vif/<i>:
 * backend, backend-id, mac, mtu) and the XenbusState handshake as Linux's
 * xen-netfront does it:
 *
 *   frontend Initialising -> backend InitWait (its features are written)
 *   -> frontend publishes rings, event channel and features in one
 *   transaction -> frontend Connected -> backend Connected.
 *
 * and to disconnect: frontend Closing -> backend Closing (or Closed) ->
 * frontend Closed -> backend Closed (xenbus_dev_close). The watch on the
 * backend's state, whose callback runs in the xenbus thread, stays for the
 * whole life of the device and notices a backend that leaves.
 */
#include <errno.h>

#include <uk/console.h>
#include <uk/time.h>

#include "netfront_private.h"

/* Optional; we never send or expect more than a 1500-byte payload. */
static int read_mtu(struct netfront *nf)
{
	uint64_t mtu;
	int rc = xenbus_dev_read_uint(&nf->dev, XENBUS_DEV_SELF, "mtu", NETFRONT_MIN_MTU, 65535,
				      &mtu);

	nf->mtu = NETFRONT_DEFAULT_MTU;
	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return -EINVAL; /* the helper said why */
	if (mtu > NETFRONT_DEFAULT_MTU)
		uk_printf("netfront %u: mtu %lu, using %u\n", nf->index, (unsigned long)mtu,
			  nf->mtu);
	else
		nf->mtu = (unsigned int)mtu;
	return 0;
}

int netfront_xs_read_config(struct netfront *nf)
{
	int rc;

	if ((rc = xenbus_dev_init(&nf->dev, "vif", nf->index)) < 0)
		return rc; /* -ENOENT: no such vif */
	nf->dev_ready = true;
	if ((rc = xenbus_dev_read_mac(&nf->dev, XENBUS_DEV_SELF, "mac", nf->mac)) < 0) {
		if (rc == -ENOENT)
			uk_printf("netfront %u: no mac\n", nf->index);
		return rc;
	}
	return read_mtu(nf);
}

/* The watch callback (xenbus thread): a backend that leaves stops the device. */
static void backend_changed(struct xenbus_dev *dev, void *arg)
{
	struct netfront *nf = arg;
	XenbusState st = dev->otherend_state;

	if (nf->connected && !nf->closing && !nf->backend_gone &&
	    (st == XenbusStateClosing || st == XenbusStateClosed || st == XenbusStateUnknown)) {
		uk_printf("netfront %u: backend left (state %d)\n", nf->index, (int)st);
		nf->backend_gone = true;
		netfront_wake_all(nf);
	}
}

/* Inside the transaction: everything the backend needs to connect. */
static int publish(xenbus_transaction_t t, void *arg)
{
	struct netfront *nf = arg;
	struct xenbus_dev *dev = &nf->dev;
	int rc;

	if ((rc = xenbus_dev_write_uint(dev, t, "tx-ring-ref", nf->tx_ring_page.gref)) < 0 ||
	    (rc = xenbus_dev_write_uint(dev, t, "rx-ring-ref", nf->rx_ring_page.gref)) < 0 ||
	    (rc = xenbus_dev_write_uint(dev, t, "event-channel", nf->port)) < 0 ||
	    (rc = xenbus_dev_write_uint(dev, t, "request-rx-copy", 1)) < 0 ||
	    (rc = xenbus_dev_write_uint(dev, t, "feature-rx-notify", 1)) < 0)
		return rc;
	/* Without receive offloads the caller checks every checksum: ask for full ones. */
	if (!nf->off.rx)
		return xenbus_dev_write_uint(dev, t, "feature-no-csum-offload", 1);
	/* xennet_fix_features' keys: multi-slot, 64 KiB TCP frames, blank checksums. */
	if ((rc = xenbus_dev_write_uint(dev, t, "feature-sg", 1)) < 0 ||
	    (rc = xenbus_dev_write_uint(dev, t, "feature-gso-tcpv4", 1)) < 0)
		return rc;
	return xenbus_dev_write_uint(dev, t, "feature-no-csum-offload", 0);
}

static int check_rx_copy(struct netfront *nf)
{
	bool on = false;

	if (xenbus_dev_read_feature(&nf->dev, "feature-rx-copy", &on) < 0 || !on) {
		uk_printf("netfront %u: backend cannot copy received frames (no feature-rx-copy)\n",
			  nf->index);
		return -ENODEV;
	}
	return 0;
}

/*
 * The backend's offloads for what we send (xennet_fix_features): feature-sg,
 * feature-gso-tcpv4 (only with sg: 64 KiB is many pages) and checksum
 * offload unless it wrote feature-no-csum-offload=1 (netif.h: on if absent).
 */
static int read_offloads(struct netfront *nf)
{
	bool sg = false, gso = false, no_csum = false;
	int rc;

	if ((rc = xenbus_dev_read_feature(&nf->dev, "feature-sg", &sg)) < 0 ||
	    (rc = xenbus_dev_read_feature(&nf->dev, "feature-gso-tcpv4", &gso)) < 0 ||
	    (rc = xenbus_dev_read_feature(&nf->dev, "feature-no-csum-offload", &no_csum)) < 0)
		return rc; /* the helper said which key */
	nf->off.sg = sg;
	nf->off.csum = !no_csum;
	nf->off.tso_max = sg && gso && !no_csum ? NETFRONT_MAX_TSO_FRAME : 0;
	return 0;
}

/* Our previous state: Closing/Closed means a backend may still be closing from it. */
static bool reconnecting(struct netfront *nf)
{
	XenbusState st = xenbus_dev_read_state(&nf->dev);

	return st == XenbusStateClosing || st == XenbusStateClosed;
}

static int connect_failed(struct netfront *nf, int rc)
{
	uk_printf("netfront %u: backend %s %s (state %d)\n", nf->index, nf->dev.otherend,
		  rc == -ETIMEDOUT ? "did not connect in time" : "is closing",
		  (int)nf->dev.otherend_state);
	return rc;
}

int netfront_xs_connect(struct netfront *nf, uint64_t deadline_ns)
{
	/* A backend still closing from our last connection comes back to InitWait. */
	unsigned int fail = reconnecting(nf) ? 0 : XENBUS_DEV_LEAVING;
	int rc;

	if ((rc = xenbus_dev_watch_otherend(&nf->dev, backend_changed, nf)) < 0 ||
	    (rc = xenbus_dev_switch_state(&nf->dev, XenbusStateInitialising)) < 0)
		return rc;
	rc = xenbus_dev_wait_otherend(&nf->dev,
				      XENBUS_STATE_BIT(XenbusStateInitWait) |
					      XENBUS_STATE_BIT(XenbusStateConnected),
				      fail, deadline_ns);
	if (rc < 0)
		return connect_failed(nf, rc);
	if ((rc = check_rx_copy(nf)) < 0 || (rc = read_offloads(nf)) < 0)
		return rc;
	/* From here on the backend may map the rings. */
	nf->rings_published = true;
	if ((rc = xenbus_transaction_retry(publish, nf, XENBUS_DEV_PUBLISH_TRIES)) < 0) {
		uk_printf("netfront %u: publishing the rings failed (%d)\n", nf->index, rc);
		return rc;
	}
	if ((rc = xenbus_dev_switch_state(&nf->dev, XenbusStateConnected)) < 0)
		return rc;
	rc = xenbus_dev_wait_otherend(&nf->dev, XENBUS_STATE_BIT(XenbusStateConnected),
				      XENBUS_DEV_LEAVING, deadline_ns);
	if (rc < 0)
		return connect_failed(nf, rc);
	nf->connected = true;
	return 0;
}

/*
 * Closing, then Closed, each time waiting for the backend to follow (it
 * unmaps the rings when it sees Closed). Without published rings there is
 * nothing to wait for.
 */
void netfront_xs_disconnect(struct netfront *nf)
{
	if (nf->dev_ready)
		xenbus_dev_close(&nf->dev, nf->rings_published,
				 uk_now_ns() + NETFRONT_CLOSE_TIMEOUT_NS);
}
