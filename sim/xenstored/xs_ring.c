/* The guest's xenstore ring, served by the simulator's xenstored. */
#include <stdlib.h>
#include <string.h>
#include <xen/hvm/params.h>

#include "sim/domain.h"
#include "sim/report.h"
#include "sim/xenstored/xs_ring.h"

struct xs_ring_msg {
	struct xs_ring_msg *next;
	size_t len;
	char data[]; /* header then payload */
};

/* A guest may leave this much unread output queued before it is cut off. */
#define XS_RING_OUT_MAX (256 * 1024)

static void drop_output(struct xs_ring *r)
{
	while (r->out_head) {
		struct xs_ring_msg *m = r->out_head;
		r->out_head = m->next;
		free(m);
	}
	r->out_tail = NULL;
	r->out_off = 0;
	r->out_queued = 0;
}

static void drop_conn(struct sim_timer *t, void *arg)
{
	struct xs_ring *r = arg;

	if (r->conn)
		xs_conn_destroy(r->conn);
	r->conn = NULL;
}

/*
 * As xenstored: the ring's error field says why, and the connection with its
 * watches and transactions is discarded — at once when we are handling this
 * ring's own requests (xs_ring_process drops it at the end), else from the
 * loop, since the store may be in the middle of sending to it. The error is
 * set first because under --strict the report ends the domain.
 */
static void violation(struct xs_ring *r, uint32_t error, const char *what, unsigned long a,
		      unsigned long b)
{
	r->intf->error = error;
	r->ignored = true;
	drop_output(r);
	if (!r->processing)
		sim_timer_start(r->dom->sim, &r->drop_timer, sim_now_ns(r->dom->sim), drop_conn, r);
	sim_report_violation(r->dom, "xenstore ring: %s (%lu, %lu); xenstored stops serving "
			     "this ring until the guest reconnects", what, a, b);
}

static void notify(struct xs_ring *r)
{
	sim_evtchn_send(sim_domain_lookup(r->dom->sim, 0), r->dom0_port);
}

/* Copies as much queued output as fits into rsp[]; returns true if any moved. */
static bool flush_output(struct xs_ring *r)
{
	struct xenstore_domain_interface *intf = r->intf;
	XENSTORE_RING_IDX cons = __atomic_load_n(&intf->rsp_cons, __ATOMIC_ACQUIRE);
	XENSTORE_RING_IDX prod = intf->rsp_prod;
	bool moved = false;

	if (r->ignored)
		return false;
	if ((XENSTORE_RING_IDX)(prod - cons) > XENSTORE_RING_SIZE) {
		violation(r, XENSTORE_ERROR_RINGIDX, "rsp_cons is behind rsp_prod by more than "
			  "the ring", cons, prod);
		return false;
	}
	while (r->out_head && (XENSTORE_RING_IDX)(prod - cons) < XENSTORE_RING_SIZE) {
		struct xs_ring_msg *m = r->out_head;
		intf->rsp[MASK_XENSTORE_IDX(prod++)] = m->data[r->out_off++];
		moved = true;
		if (r->out_off == m->len) {
			r->out_head = m->next;
			if (!r->out_head)
				r->out_tail = NULL;
			r->out_queued -= m->len;
			r->out_off = 0;
			free(m);
			xs_conn_sent(r->conn);
		}
	}
	__atomic_store_n(&intf->rsp_prod, prod, __ATOMIC_RELEASE);
	return moved;
}

static void ring_send(struct xs_conn *c, const struct xsd_sockmsg *hdr, const char *payload,
		      void *arg)
{
	struct xs_ring *r = arg;
	struct xs_ring_msg *m;

	if (r->ignored)
		return;
	if (r->out_queued + sizeof(*hdr) + hdr->len > XS_RING_OUT_MAX) {
		violation(r, XENSTORE_ERROR_COMM, "guest leaves replies unread (bytes queued, limit)",
			  r->out_queued, XS_RING_OUT_MAX);
		return;
	}
	m = malloc(sizeof(*m) + sizeof(*hdr) + hdr->len);
	if (!m) {
		sim_log("xenstore: out of memory queueing a reply for domain %u", r->dom->domid);
		xs_conn_sent(c); /* it will never leave: don't count it as outstanding */
		return;
	}
	m->next = NULL;
	m->len = sizeof(*hdr) + hdr->len;
	memcpy(m->data, hdr, sizeof(*hdr));
	if (hdr->len) /* an empty value comes with payload NULL */
		memcpy(m->data + sizeof(*hdr), payload, hdr->len);
	if (r->out_tail)
		r->out_tail->next = m;
	else
		r->out_head = m;
	r->out_tail = m;
	r->out_queued += m->len;
	/* A watch event caused by another client: deliver it now. */
	if (!r->processing && flush_output(r))
		notify(r);
}

/* Takes available request bytes; returns true when a whole message is in. */
static bool take_bytes(struct xs_ring *r, XENSTORE_RING_IDX *cons, XENSTORE_RING_IDX prod)
{
	char *hdr = (char *)&r->hdr;

	while (*cons != prod) {
		char c = r->intf->req[MASK_XENSTORE_IDX((*cons)++)];
		if (r->have < sizeof(r->hdr)) {
			hdr[r->have++] = c;
			if (r->have == sizeof(r->hdr) && r->hdr.len > XENSTORE_PAYLOAD_MAX) {
				violation(r, XENSTORE_ERROR_PROTO, "message longer than "
					  "XENSTORE_PAYLOAD_MAX (length, limit)", r->hdr.len,
					  XENSTORE_PAYLOAD_MAX);
				return false;
			}
		} else {
			r->payload[r->have++ - sizeof(r->hdr)] = c;
		}
		if (r->have >= sizeof(r->hdr) && r->have == sizeof(r->hdr) + r->hdr.len)
			return true;
	}
	return false;
}

/* Reads and handles whole requests while the store accepts them. */
static bool read_requests(struct xs_ring *r)
{
	struct xenstore_domain_interface *intf = r->intf;
	bool consumed = false;

	while (!r->ignored && xs_conn_may_read(r->conn)) {
		XENSTORE_RING_IDX cons = intf->req_cons;
		XENSTORE_RING_IDX prod = __atomic_load_n(&intf->req_prod, __ATOMIC_ACQUIRE);
		bool whole;

		if ((XENSTORE_RING_IDX)(prod - cons) > XENSTORE_RING_SIZE) {
			violation(r, XENSTORE_ERROR_RINGIDX, "req_prod is ahead of req_cons by "
				  "more than the ring", cons, prod);
			break;
		}
		if (cons == prod)
			break;
		whole = take_bytes(r, &cons, prod);
		__atomic_store_n(&intf->req_cons, cons, __ATOMIC_RELEASE);
		consumed = true;
		if (!whole)
			continue;
		r->have = 0;
		r->requests++;
		xs_conn_handle(r->conn, &r->hdr, r->payload);
	}
	return consumed;
}

/*
 * The guest asked to reconnect (XENSTORE_RECONNECT): start afresh on a
 * packet boundary, as docs/misc/xenstore-ring.txt promises: half-read
 * requests and unsent replies dropped, both queues emptied, the connection's
 * watches and transactions discarded. A ring cut off for a violation is
 * served again, with its error indicator cleared ("0: no error, connection
 * is valid"); the violation itself stays counted and reported.
 */
static bool reconnect(struct xs_ring *r)
{
	sim_timer_stop(r->dom->sim, &r->drop_timer);
	if (r->conn)
		xs_conn_destroy(r->conn);
	drop_output(r);
	r->conn = xs_conn_create(r->store, r->dom->domid, ring_send, r);
	if (!r->conn) {
		sim_log("xenstore: out of memory reconnecting domain %u", r->dom->domid);
		return false;
	}
	r->have = 0;
	r->ignored = false;
	r->intf->req_cons = r->intf->req_prod = 0;
	r->intf->rsp_cons = r->intf->rsp_prod = 0;
	r->intf->error = XENSTORE_ERROR_NONE;
	__atomic_store_n(&r->intf->connection, XENSTORE_CONNECTED, __ATOMIC_RELEASE);
	return true;
}

void xs_ring_process(struct xs_ring *r)
{
	bool activity = false;

	if (__atomic_load_n(&r->intf->connection, __ATOMIC_ACQUIRE) == XENSTORE_RECONNECT) {
		if (!reconnect(r))
			return;
		activity = true;
	}
	if (r->ignored || !r->conn) {
		if (activity)
			notify(r);
		return;
	}
	r->processing = true;
	/* Alternate: replies make room for more requests' replies. */
	for (;;) {
		bool moved = flush_output(r);
		bool read = read_requests(r);
		moved |= flush_output(r);
		activity |= moved || read;
		if (!moved && !read)
			break;
	}
	r->processing = false;
	/* A violation while processing left the connection for us to drop. */
	if (r->ignored)
		drop_conn(NULL, r);
	if (activity)
		notify(r);
}

static void ring_notified(void *arg, evtchn_port_t port)
{
	xs_ring_process(arg);
}

int xs_ring_connect(struct xs_ring *r, struct xs_store *store, struct sim_domain *d)
{
	struct sim_domain *dom0 = sim_domain_lookup(d->sim, 0);
	int rc;

	memset(r, 0, sizeof(*r));
	r->dom = d;
	r->store = store;
	r->intf = sim_domain_gfn_to_page(d, d->hvm_param[HVM_PARAM_STORE_PFN]);
	if (!r->intf)
		return -EINVAL;
	r->intf->server_features = XENSTORE_SERVER_FEATURE_RECONNECTION |
				   XENSTORE_SERVER_FEATURE_ERROR;
	r->conn = xs_conn_create(store, d->domid, ring_send, r);
	if (!r->conn)
		return -ENOMEM;
	rc = sim_evtchn_bind_interdomain(dom0, d->domid,
					 (evtchn_port_t)d->hvm_param[HVM_PARAM_STORE_EVTCHN],
					 &r->dom0_port);
	if (rc < 0)
		return rc;
	return sim_evtchn_set_handler(dom0, r->dom0_port, ring_notified, r);
}

void xs_ring_disconnect(struct xs_ring *r)
{
	sim_timer_stop(r->dom->sim, &r->drop_timer);
	drop_output(r);
	if (r->conn)
		xs_conn_destroy(r->conn);
	r->conn = NULL;
}
