/*
 * netfront's xenstore side: the vif's configuration (device/vif/<i>:
 * backend, backend-id, mac, mtu) and the XenbusState handshake as Linux's
 * xen-netfront does it:
 *
 *   frontend Initialising -> backend InitWait (its features are written)
 *   -> frontend publishes rings, event channel and features in one
 *   transaction -> frontend Connected -> backend Connected.
 *
 * and to disconnect: frontend Closing -> backend Closing (or Closed) ->
 * frontend Closed -> backend Closed. A watch on <backend>/state, whose
 * callback runs in the xenbus thread, keeps nf->be_state current for the
 * whole life of the device and notices a backend that leaves.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uk/console.h>
#include <uk/time.h>

#include "netfront_private.h"

#define STATE_BIT(s) (1u << (s))
#define XS_TRIES 16

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "aa:bb:cc:dd:ee:ff", exactly. */
static int parse_mac(const char *s, uint8_t mac[6])
{
	if (strlen(s) != 17)
		return -EINVAL;
	for (unsigned int i = 0; i < 6; i++) {
		int hi = hex_digit(s[3 * i]), lo = hex_digit(s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* Reads dir/key. */
static int read_key(const char *dir, const char *key, char **value)
{
	char path[320];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, key) >= sizeof(path))
		return -ENAMETOOLONG;
	return xenbus_read(XBT_NIL, path, value, NULL);
}

static int read_uint(const char *dir, const char *key, unsigned long max, unsigned long *out)
{
	char *value;
	int rc = read_key(dir, key, &value);

	if (rc < 0)
		return rc;
	rc = xenbus_parse_uint(value, max, out);
	uk_free(value);
	return rc;
}

static int write_key(xenbus_transaction_t t, const struct netfront *nf, const char *key,
		     unsigned long value)
{
	char path[64], v[16];

	snprintf(path, sizeof(path), "%s/%s", nf->fe_path, key);
	snprintf(v, sizeof(v), "%lu", value);
	return xenbus_write(t, path, v);
}

static int read_backend_path(struct netfront *nf)
{
	char *value;
	size_t len;
	int rc = read_key(nf->fe_path, "backend", &value);

	if (rc < 0)
		return rc; /* -ENOENT: no such vif */
	len = strlen(value);
	if (len == 0 || len >= sizeof(nf->be_path)) {
		uk_printf("netfront %u: unusable backend path (%zu bytes)\n", nf->index, len);
		rc = -EINVAL;
	} else {
		memcpy(nf->be_path, value, len + 1);
	}
	uk_free(value);
	return rc;
}

static int read_mac(struct netfront *nf)
{
	char *value;
	int rc = read_key(nf->fe_path, "mac", &value);

	if (rc < 0) {
		uk_printf("netfront %u: no mac (%d)\n", nf->index, rc);
		return rc;
	}
	if ((rc = parse_mac(value, nf->mac)) < 0)
		uk_printf("netfront %u: bad mac \"%s\"\n", nf->index, value);
	uk_free(value);
	return rc;
}

/* Optional; we never send or expect more than a 1500-byte payload. */
static int read_mtu(struct netfront *nf)
{
	unsigned long mtu;
	int rc = read_uint(nf->fe_path, "mtu", 65535, &mtu);

	nf->mtu = NETFRONT_DEFAULT_MTU;
	if (rc == -ENOENT)
		return 0;
	if (rc < 0 || mtu < NETFRONT_MIN_MTU) {
		uk_printf("netfront %u: bad mtu\n", nf->index);
		return -EINVAL;
	}
	if (mtu > NETFRONT_DEFAULT_MTU)
		uk_printf("netfront %u: mtu %lu, using %u\n", nf->index, mtu, nf->mtu);
	else
		nf->mtu = (unsigned int)mtu;
	return 0;
}

int netfront_xs_read_config(struct netfront *nf)
{
	unsigned long id;
	int rc;

	if ((rc = read_backend_path(nf)) < 0)
		return rc;
	if ((rc = read_uint(nf->fe_path, "backend-id", DOMID_FIRST_RESERVED - 1, &id)) < 0) {
		uk_printf("netfront %u: no usable backend-id (%d)\n", nf->index, rc);
		return rc;
	}
	nf->backend_id = (domid_t)id;
	if ((rc = read_mac(nf)) < 0)
		return rc;
	return read_mtu(nf);
}

static int write_state(struct netfront *nf, XenbusState state)
{
	int rc = write_key(XBT_NIL, nf, "state", (unsigned long)state);

	if (rc < 0)
		uk_printf("netfront %u: writing state %d failed (%d)\n", nf->index, (int)state, rc);
	else
		nf->state_written = true;
	return rc;
}

/* The watch callback (xenbus thread): records the backend's state. */
static void backend_changed(struct xenbus_watch *w, const char *path, void *arg)
{
	struct netfront *nf = arg;
	unsigned long st;

	if (read_uint(nf->be_path, "state", XenbusStateReconfigured, &st) < 0)
		st = XenbusStateUnknown; /* gone, or garbage: no usable backend */
	nf->be_state = (int)st;
	if (nf->connected && !nf->closing && !nf->backend_gone &&
	    (st == XenbusStateClosing || st == XenbusStateClosed || st == XenbusStateUnknown)) {
		uk_printf("netfront %u: backend left (state %lu)\n", nf->index, st);
		nf->backend_gone = true;
		netfront_wake_all(nf);
	}
	uk_waitq_wake_all(&nf->state_wq);
}

/*
 * Waits until the backend's state is in ok (a mask of STATE_BIT), or in
 * fail (-ENODEV), or the deadline passes (-ETIMEDOUT).
 */
static int wait_backend(struct netfront *nf, unsigned int ok, unsigned int fail,
			uint64_t deadline_ns)
{
	for (;;) {
		unsigned int bit = STATE_BIT(nf->be_state);

		if (ok & bit)
			return 0;
		if (fail & bit)
			return -ENODEV;
		if (uk_waitq_wait(&nf->state_wq, deadline_ns) == -ETIMEDOUT) {
			bit = STATE_BIT(nf->be_state);
			return (ok & bit) ? 0 : (fail & bit) ? -ENODEV : -ETIMEDOUT;
		}
	}
}

/* Inside the transaction: everything the backend needs to connect. */
static int publish(xenbus_transaction_t t, void *arg)
{
	struct netfront *nf = arg;
	int rc;

	if ((rc = write_key(t, nf, "tx-ring-ref", nf->tx_ring_page.gref)) < 0 ||
	    (rc = write_key(t, nf, "rx-ring-ref", nf->rx_ring_page.gref)) < 0 ||
	    (rc = write_key(t, nf, "event-channel", nf->port)) < 0 ||
	    (rc = write_key(t, nf, "request-rx-copy", 1)) < 0 ||
	    (rc = write_key(t, nf, "feature-rx-notify", 1)) < 0)
		return rc;
	/* We fill in every checksum and check none we receive: ask for full ones. */
	return write_key(t, nf, "feature-no-csum-offload", 1);
}

static int check_rx_copy(struct netfront *nf)
{
	unsigned long v = 0;

	if (read_uint(nf->be_path, "feature-rx-copy", 1, &v) < 0 || v != 1) {
		uk_printf("netfront %u: backend cannot copy received frames (no feature-rx-copy)\n",
			  nf->index);
		return -ENODEV;
	}
	return 0;
}

/* Our previous state: Closing/Closed means a backend may still be closing from it. */
static bool reconnecting(struct netfront *nf)
{
	unsigned long st;

	return read_uint(nf->fe_path, "state", XenbusStateReconfigured, &st) == 0 &&
	       (st == XenbusStateClosing || st == XenbusStateClosed);
}

static int watch_backend(struct netfront *nf)
{
	char path[300];
	int rc;

	nf->be_state = XenbusStateUnknown;
	snprintf(path, sizeof(path), "%s/state", nf->be_path);
	rc = xenbus_watch_add(&nf->be_watch, path, backend_changed, nf);
	if (rc < 0) {
		uk_printf("netfront %u: cannot watch %s (%d)\n", nf->index, path, rc);
		return rc;
	}
	nf->watching = true;
	return 0;
}

int netfront_xs_connect(struct netfront *nf, uint64_t deadline_ns)
{
	const unsigned int gone = STATE_BIT(XenbusStateClosing) | STATE_BIT(XenbusStateClosed);
	/* A backend still closing from our last connection comes back to InitWait. */
	unsigned int fail = reconnecting(nf) ? 0 : gone;
	int rc;

	if ((rc = watch_backend(nf)) < 0 || (rc = write_state(nf, XenbusStateInitialising)) < 0)
		return rc;
	rc = wait_backend(nf, STATE_BIT(XenbusStateInitWait) | STATE_BIT(XenbusStateConnected),
			  fail, deadline_ns);
	if (rc < 0)
		goto fail;
	if ((rc = check_rx_copy(nf)) < 0)
		return rc;
	/* From here on the backend may map the rings. */
	nf->rings_published = true;
	if ((rc = xenbus_transaction_retry(publish, nf, XS_TRIES)) < 0) {
		uk_printf("netfront %u: publishing the rings failed (%d)\n", nf->index, rc);
		return rc;
	}
	if ((rc = write_state(nf, XenbusStateConnected)) < 0)
		return rc;
	rc = wait_backend(nf, STATE_BIT(XenbusStateConnected), gone, deadline_ns);
	if (rc < 0)
		goto fail;
	nf->connected = true;
	return 0;
fail:
	uk_printf("netfront %u: backend %s %s (state %d)\n", nf->index, nf->be_path,
		  rc == -ETIMEDOUT ? "did not connect in time" : "is closing", nf->be_state);
	return rc;
}

/*
 * Closing, then Closed, each time waiting for the backend to follow (it
 * unmaps the rings when it sees Closed). Without published rings there is
 * nothing to wait for.
 */
void netfront_xs_disconnect(struct netfront *nf)
{
	const unsigned int closed = STATE_BIT(XenbusStateClosed) | STATE_BIT(XenbusStateUnknown);
	uint64_t deadline = uk_now_ns() + NETFRONT_CLOSE_TIMEOUT_NS;

	/* The backend's directory is gone: the toolstack unplugged the device. */
	if (nf->backend_gone && nf->be_state == XenbusStateUnknown)
		nf->state_written = false;
	if (nf->state_written && nf->rings_published) {
		write_state(nf, XenbusStateClosing);
		if (wait_backend(nf, closed | STATE_BIT(XenbusStateClosing), 0, deadline) < 0)
			uk_printf("netfront %u: backend did not close (state %d)\n", nf->index,
				  nf->be_state);
	}
	if (nf->state_written) {
		write_state(nf, XenbusStateClosed);
		if (nf->rings_published && wait_backend(nf, closed, 0, deadline) < 0)
			uk_printf("netfront %u: backend did not reach Closed (state %d)\n",
				  nf->index, nf->be_state);
	}
	if (nf->watching) {
		xenbus_watch_remove(&nf->be_watch);
		nf->watching = false;
	}
}
