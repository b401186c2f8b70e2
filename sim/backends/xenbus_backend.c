/*
 * The backend half of the xenbus handshake (xenbus_backend.h): Linux's
 * xenbus_probe_backend.c (the watch on the other end, its path), the state
 * walk of xen-netback's set_backend_state, and xenbus_client.c's ring and
 * event-channel helpers, on the simulator's xenstore, grant table and
 * event channels.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xen/io/xs_wire.h>

#include "sim/backends/xenbus_backend.h"
#include "sim/domain.h"
#include "sim/gnttab.h"
#include "sim/parse.h"
#include "sim/report.h"
#include "sim/sim.h"
#include "sim/xenstored/xs_store.h"

#define XB_PATH_MAX 128
#define XB_NUMBER_MAX 20 /* digits of a 64-bit number */

struct xenbus_backend {
	struct sim_domain *dom;  /* the guest */
	struct sim_domain *dom0; /* us */
	struct xs_store *xs;
	struct xs_conn *conn;    /* dom0's client, for the watch on the frontend's state */
	struct sim_timer kick;   /* runs the walk outside xenstored's call */
	const struct xenbus_backend_ops *ops;
	void *arg;
	char name[32];           /* "vif0" */
	char fe[XB_PATH_MAX], be[XB_PATH_MAX];
	enum xenbus_state state; /* ours, as written to be/state */
	bool connected;
};

/* --- keys --- */

/* Reads dir/key into a malloc'd string: 0, -ENOENT, or the store's error. */
static int xb_read(struct xenbus_backend *be, const char *dir, const char *key, char **value,
		   size_t *len)
{
	char path[XB_PATH_MAX + 64];

	if (snprintf(path, sizeof(path), "%s/%s", dir, key) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	return xs_store_read(be->xs, path, value, len);
}

/* A decimal number from 0 to max, nothing else (no sign, no blanks). */
static int xb_parse_uint(const char *s, size_t len, unsigned long max, unsigned long *out)
{
	uint64_t v;

	if (len > XB_NUMBER_MAX || sim_parse_u64_n(s, len, max, &v) < 0)
		return -EINVAL;
	*out = (unsigned long)v;
	return 0;
}

int xenbus_backend_read_uint(struct xenbus_backend *be, const char *key, unsigned long max,
			     unsigned long *out)
{
	char *value;
	size_t len;
	int rc = xb_read(be, be->fe, key, &value, &len);

	if (rc < 0)
		return rc;
	rc = xb_parse_uint(value, len, max, out);
	if (rc < 0)
		sim_report_violation(be->dom, "%s: %s/%s is '%.*s', not a number up to %lu",
				     be->name, be->fe, key, len > 32 ? 32 : (int)len, value, max);
	free(value);
	return rc;
}

int xenbus_backend_need_uint(struct xenbus_backend *be, const char *key, unsigned long max,
			     unsigned long *out)
{
	int rc = xenbus_backend_read_uint(be, key, max, out);

	if (rc == -ENOENT)
		sim_report_violation(be->dom, "%s: the frontend connected without writing %s/%s",
				     be->name, be->fe, key);
	return rc;
}

int xenbus_backend_read_str(struct xenbus_backend *be, const char *key, char *buf,
			    size_t size)
{
	char *value;
	size_t len;
	int rc = xb_read(be, be->fe, key, &value, &len);

	if (rc < 0)
		return rc;
	if (len >= size || memchr(value, '\0', len)) {
		sim_report_violation(be->dom, "%s: %s/%s is %zu bytes%s; at most %zu are "
				     "allowed", be->name, be->fe, key, len,
				     memchr(value, '\0', len) ? " with a NUL" : "", size - 1);
		free(value);
		return -E2BIG;
	}
	memcpy(buf, value, len + 1);
	free(value);
	return (int)len;
}

int xenbus_backend_printf(struct xenbus_backend *be, const char *key, const char *fmt, ...)
{
	char value[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(value))
		return -E2BIG;
	return xs_store_printf(be->xs, be->be, key, "%s", value);
}

/* The frontend's state; gone or garbage reads as Closed (Linux's XenbusStateUnknown). */
static enum xenbus_state xb_frontend_state(struct xenbus_backend *be)
{
	unsigned long s;
	char *value;
	size_t len;

	if (xb_read(be, be->fe, "state", &value, &len) < 0)
		return XenbusStateClosed;
	if (xb_parse_uint(value, len, XenbusStateReconfigured, &s) < 0)
		s = XenbusStateClosed;
	free(value);
	return (enum xenbus_state)s;
}

/* --- rings and event channels --- */

int xenbus_backend_map_ring(struct xenbus_backend *be, const char *key, unsigned long ref,
			    void **page, grant_handle_t *handle)
{
	int16_t st = GNTST_bad_gntref;

	if (ref <= UINT32_MAX)
		st = sim_gnttab_map(be->dom, 0, (grant_ref_t)ref, false, page, handle);
	if (st != GNTST_okay) {
		sim_report_violation(be->dom, "%s: cannot map %s %lu for the backend: %s",
				     be->name, key, ref, sim_gnttab_status_name(st));
		return -EINVAL;
	}
	return 0;
}

void xenbus_backend_unmap_ring(struct xenbus_backend *be, grant_handle_t handle)
{
	sim_gnttab_unmap(be->dom, handle);
}

int xenbus_backend_bind_evtchn(struct xenbus_backend *be, const char *key, unsigned long port,
			       sim_evtchn_handler_fn fn, void *arg, evtchn_port_t *local)
{
	int rc = port > UINT32_MAX ? -EINVAL :
		 sim_evtchn_bind_interdomain(be->dom0, be->dom->domid, (evtchn_port_t)port,
					     local);

	if (rc < 0) {
		sim_report_violation(be->dom, "%s: cannot bind %s %lu for the backend (Xen "
				     "error %d): it must be unbound and allocated for dom0",
				     be->name, key, port, -rc);
		return rc;
	}
	sim_evtchn_set_handler(be->dom0, *local, fn, arg);
	return 0;
}

void xenbus_backend_unbind_evtchn(struct xenbus_backend *be, evtchn_port_t local)
{
	sim_evtchn_close(be->dom0, local);
}

void xenbus_backend_notify(struct xenbus_backend *be, evtchn_port_t local)
{
	sim_evtchn_send(be->dom0, local);
}

/* --- the state walk --- */

static void xb_set_state(struct xenbus_backend *be, enum xenbus_state s)
{
	be->state = s;
	xs_store_printf(be->xs, be->be, "state", "%d", (int)s);
}

static void xb_disconnect(struct xenbus_backend *be)
{
	if (!be->connected)
		return;
	be->connected = false;
	be->ops->disconnect(be, be->arg);
}

/*
 * Linux netback's set_backend_state: walks to the wanted state by the
 * shortest path of Initialising -> InitWait -> Connected, Connected ->
 * Closing -> Closed, Closed -> InitWait, writing every state on the way.
 */
static void xb_walk(struct xenbus_backend *be, enum xenbus_state want)
{
	while (be->state != want) {
		switch (be->state) {
		case XenbusStateInitWait:
			if (want != XenbusStateConnected) {
				xb_set_state(be, XenbusStateClosing);
			} else if (be->ops->connect(be, be->arg) < 0) {
				/* xenbus_dev_fatal: the device goes to Closing. */
				xb_set_state(be, XenbusStateClosing);
				return;
			} else {
				be->connected = true;
				xb_set_state(be, XenbusStateConnected);
			}
			break;
		case XenbusStateConnected:
			xb_disconnect(be);
			xb_set_state(be, XenbusStateClosing);
			break;
		case XenbusStateClosing:
			xb_set_state(be, XenbusStateClosed);
			break;
		case XenbusStateClosed:
			xb_set_state(be, want == XenbusStateClosing ? XenbusStateClosing
								 : XenbusStateInitWait);
			break;
		default:
			xb_set_state(be, XenbusStateInitWait);
			break;
		}
	}
}

/* netback's frontend_changed (blkback's is the same for these states). */
static void xb_frontend_changed(struct sim_timer *t, void *arg)
{
	struct xenbus_backend *be = arg;

	(void)t;
	switch (xb_frontend_state(be)) {
	case XenbusStateInitialising:
		xb_walk(be, XenbusStateInitWait);
		break;
	case XenbusStateInitialised:
	case XenbusStateConnected:
		/* Linux netback waits for Connected; Initialised with the keys written is as good. */
		xb_walk(be, XenbusStateConnected);
		break;
	case XenbusStateClosing:
	case XenbusStateClosed:
		/* Unmap and unbind, then Closing and Closed at once (frontends wait for either). */
		xb_walk(be, XenbusStateClosed);
		break;
	default:
		break;
	}
}

/* Watch events: handled from a timer due now, outside the store's call. */
static void xb_xs_reply(struct xs_conn *c, const struct xsd_sockmsg *hdr, const char *payload,
			void *arg)
{
	struct xenbus_backend *be = arg;

	(void)c;
	if (hdr->type == XS_WATCH_EVENT)
		sim_timer_start(be->dom->sim, &be->kick, sim_now_ns(be->dom->sim),
				xb_frontend_changed, be);
	else if (hdr->type == XS_ERROR)
		sim_log("%s: xenstore refused the backend's watch: %.*s", be->name,
			(int)hdr->len, payload);
}

/* XS_WATCH on the frontend's state: the one message the backend builds for xenstored. */
static int xb_watch_frontend(struct xenbus_backend *be)
{
	char payload[XB_PATH_MAX + 32];
	int n = snprintf(payload, sizeof(payload), "%s/state%c%s", be->fe, '\0', be->name);
	struct xsd_sockmsg hdr = { .type = XS_WATCH, .req_id = 1, .len = (uint32_t)n + 1 };

	be->conn = xs_conn_create(be->xs, 0, xb_xs_reply, be);
	if (!be->conn)
		return -ENOMEM;
	xs_conn_handle(be->conn, &hdr, payload);
	return 0;
}

/* The frontend's path, from the backend's `frontend` (xenbus_read_otherend_details). */
static int xb_read_frontend_path(struct xenbus_backend *be)
{
	char *value;
	size_t len;
	int rc = xb_read(be, be->be, "frontend", &value, &len);

	if (rc < 0)
		return rc;
	if (len == 0 || len >= sizeof(be->fe) || memchr(value, '\0', len))
		rc = -EINVAL;
	else
		memcpy(be->fe, value, len + 1);
	free(value);
	return rc;
}

static int xb_publish_features(struct xenbus_backend *be,
			       const struct xenbus_backend_feature *features, size_t n)
{
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++)
		rc = xenbus_backend_printf(be, features[i].key, "%u", features[i].value);
	return rc;
}

int xenbus_backend_create(struct sim_domain *d, const char *type, unsigned int devid,
			  const struct xenbus_backend_feature *features, size_t n,
			  const struct xenbus_backend_ops *ops, void *arg,
			  struct xenbus_backend **out)
{
	struct xenbus_backend *be = calloc(1, sizeof(*be));
	int rc;

	if (!be)
		return -ENOMEM;
	be->dom = d;
	be->dom0 = sim_domain_lookup(d->sim, 0);
	be->xs = sim_xenstore(d->sim);
	be->ops = ops;
	be->arg = arg;
	be->state = XenbusStateInitialising;
	snprintf(be->name, sizeof(be->name), "%s%u", type, devid);
	snprintf(be->be, sizeof(be->be), "/local/domain/0/backend/%s/%u/%u", type, d->domid,
		 devid);
	if ((rc = xb_read_frontend_path(be)) < 0 ||
	    (rc = xb_publish_features(be, features, n)) < 0 ||
	    (rc = xb_watch_frontend(be)) < 0) {
		xenbus_backend_destroy(be);
		return rc;
	}
	xb_walk(be, XenbusStateInitWait);
	*out = be;
	return 0;
}

void xenbus_backend_destroy(struct xenbus_backend *be)
{
	if (!be)
		return;
	if (be->conn)
		xs_conn_destroy(be->conn);
	sim_timer_stop(be->dom->sim, &be->kick);
	xb_disconnect(be);
	free(be);
}

const char *xenbus_backend_name(const struct xenbus_backend *be)
{
	return be->name;
}

enum xenbus_state xenbus_backend_state(const struct xenbus_backend *be)
{
	return be->state;
}

bool xenbus_backend_connected(const struct xenbus_backend *be)
{
	return be->connected;
}

const char *xenbus_backend_frontend_path(const struct xenbus_backend *be)
{
	return be->fe;
}

const char *xenbus_backend_path(const struct xenbus_backend *be)
{
	return be->be;
}

struct sim_domain *xenbus_backend_guest(const struct xenbus_backend *be)
{
	return be->dom;
}
