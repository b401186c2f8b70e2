/*
 * The xenstore ring (struct xenstore_domain_interface), guest side.
 *
 * Requests: one thread at a time writes a whole message (header, then its
 * payload pieces) into req[], waiting for room when the ring is full, and
 * notifies the daemon. Before writing, it puts a struct xb_request (on its
 * own stack) on the in-flight list; then it sleeps on the request's wait
 * queue until the reply arrives.
 *
 * Replies and watch events: the event handler consumes everything in rsp[]
 * into one reassembly buffer (header, then hdr.len <= XENSTORE_PAYLOAD_MAX
 * bytes). A complete reply is copied into a uk_malloc'd block of its exact
 * size and handed to the request with the same req_id; a watch event goes
 * to xenbus_watch.c. A corrupt stream (bad ring indexes, an over-long
 * message) breaks the store for good: every request fails with -EIO.
 */
#include "xenbus_private.h"

#include <stdio.h>
#include <string.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>

#include "platform/platform.h"
#include "uk/alloc.h"
#include "uk/console.h"
#include <uk/drivers/events.h>
#include "uk/hypercall.h"
#include "uk/sched.h"

#ifndef XSD_ERROR
#error "<xen/io/xs_wire.h> was included before <errno.h>: xsd_errors[] is missing"
#endif

struct xb_request {
	uint32_t req_id;
	bool done;
	int rc;        /* -EIO / -ENOMEM when no usable reply came */
	uint32_t type; /* of the reply */
	char *body;    /* the reply's payload, NUL-terminated after len bytes */
	uint32_t len;
	struct uk_waitq wq;
	struct xb_request *next;
};

static struct xb_ring {
	struct xenstore_domain_interface *intf;
	evtchn_port_t port;
	bool broken;
	bool writing;               /* a thread is writing a message */
	struct uk_waitq writers;    /* threads waiting for their turn to write */
	struct uk_waitq room;       /* the writer, waiting for space in req[] */
	uint32_t next_req_id;
	struct xb_request *inflight;
	/* The message being received. */
	struct xsd_sockmsg hdr;
	uint32_t hdr_got, body_got;
	char body[XENSTORE_PAYLOAD_MAX + 1];
} R;

bool xb_broken(void)
{
	return R.broken;
}

/* Fails every waiter; from now on every request fails with -EIO. */
static void ring_break(const char *why, uint32_t a, uint32_t b)
{
	R.broken = true;
	uk_printf("xenbus: the store ring is corrupt (%s: %u, %u); xenstore is unusable\n", why,
		  a, b);
	while (R.inflight) {
		struct xb_request *req = R.inflight;

		R.inflight = req->next;
		req->rc = -EIO;
		req->done = true;
		uk_waitq_wake_all(&req->wq);
	}
	uk_waitq_wake_all(&R.writers);
	uk_waitq_wake_all(&R.room);
	xb_watch_break();
}

/* ---- requests: guest -> daemon ---- */

/* Copies as much of buf as fits into req[]; returns how much that was. */
static size_t ring_put(const char *buf, size_t len)
{
	struct xenstore_domain_interface *intf = R.intf;
	XENSTORE_RING_IDX cons = __atomic_load_n(&intf->req_cons, __ATOMIC_ACQUIRE);
	XENSTORE_RING_IDX prod = __atomic_load_n(&intf->req_prod, __ATOMIC_RELAXED);
	size_t n, off, first;

	if (prod - cons > XENSTORE_RING_SIZE) {
		ring_break("request ring consumer ahead of producer", cons, prod);
		return 0;
	}
	n = XENSTORE_RING_SIZE - (prod - cons);
	if (n > len)
		n = len;
	off = MASK_XENSTORE_IDX(prod);
	first = n < XENSTORE_RING_SIZE - off ? n : XENSTORE_RING_SIZE - off;
	memcpy(&intf->req[off], buf, first);
	memcpy(&intf->req[0], buf + first, n - first);
	/* The data before the index that publishes it. */
	__atomic_store_n(&intf->req_prod, prod + (XENSTORE_RING_IDX)n, __ATOMIC_RELEASE);
	return n;
}

/* Writes all of buf, waiting for the daemon to make room. */
static int ring_write(const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		size_t n = ring_put(p, len);

		if (R.broken)
			return -EIO;
		p += n;
		len -= n;
		if (len > 0) {
			/* Full: let the daemon read, and wait for its notification. */
			evtchn_send(R.port);
			uk_waitq_wait(&R.room, 0);
		}
	}
	return 0;
}

static int writer_acquire(void)
{
	while (R.writing && !R.broken)
		uk_waitq_wait(&R.writers, 0);
	if (R.broken)
		return -EIO;
	R.writing = true;
	return 0;
}

static void writer_release(void)
{
	R.writing = false;
	uk_waitq_wake_one(&R.writers);
}

/* Writes one whole message; req is in flight before its first byte leaves. */
static void send_request(struct xb_request *req, const struct xsd_sockmsg *hdr,
			 const struct xb_iov *iov, unsigned int n)
{
	req->next = R.inflight;
	R.inflight = req;
	/* A failure breaks the ring, which completes req with -EIO. */
	if (ring_write(hdr, sizeof(*hdr)) < 0)
		return;
	for (unsigned int i = 0; i < n; i++)
		if (ring_write(iov[i].base, iov[i].len) < 0)
			return;
	evtchn_send(R.port);
}

/* xsd_errors[] names -> negative errno; unknown names are -EINVAL. */
static int error_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
		if (strcmp(name, xsd_errors[i].errstring) == 0)
			return -xsd_errors[i].errnum;
	return -EINVAL;
}

/* Turns a completed request into the caller's result. */
static int take_reply(struct xb_request *req, uint32_t type, char **reply, uint32_t *len)
{
	int rc = 0;

	if (req->rc < 0)
		return req->rc;
	if (req->type == XS_ERROR) {
		rc = error_from_name(req->body);
	} else if (req->type != type) {
		uk_printf("xenbus: reply of type %u to a request of type %u\n", req->type, type);
		rc = -EIO;
	} else if (reply) {
		*reply = req->body;
		if (len)
			*len = req->len;
		return 0;
	}
	uk_free(req->body);
	return rc;
}

int xb_talk(uint32_t type, xenbus_transaction_t t, const struct xb_iov *iov, unsigned int n,
	    char **reply, uint32_t *len)
{
	struct xb_request req = { 0 };
	struct xsd_sockmsg hdr = { .type = type, .tx_id = t };
	size_t total = 0;
	int rc;

	if (!R.intf || R.broken)
		return -EIO;
	for (unsigned int i = 0; i < n; i++)
		total += iov[i].len;
	if (total > XENSTORE_PAYLOAD_MAX)
		return -E2BIG;
	hdr.len = (uint32_t)total;
	if ((rc = writer_acquire()) < 0)
		return rc;
	hdr.req_id = req.req_id = R.next_req_id++;
	uk_waitq_init(&req.wq);
	send_request(&req, &hdr, iov, n);
	writer_release();
	while (!req.done)
		uk_waitq_wait(&req.wq, 0);
	return take_reply(&req, type, reply, len);
}

/* ---- replies and watch events: daemon -> guest, in the event handler ---- */

static void deliver_reply(void)
{
	struct xb_request **pp = &R.inflight;
	struct xb_request *req;

	while (*pp && (*pp)->req_id != R.hdr.req_id)
		pp = &(*pp)->next;
	if (!(req = *pp)) {
		uk_printf("xenbus: dropping a reply (type %u) to unknown request %u\n", R.hdr.type,
			  R.hdr.req_id);
		return;
	}
	*pp = req->next;
	req->type = R.hdr.type;
	req->len = R.hdr.len;
	req->body = uk_malloc(R.hdr.len + 1);
	if (req->body)
		memcpy(req->body, R.body, R.hdr.len + 1);
	else
		req->rc = -ENOMEM;
	req->done = true;
	uk_waitq_wake_all(&req->wq);
}

static void message_complete(void)
{
	R.body[R.hdr.len] = '\0';
	if (R.hdr.type == XS_WATCH_EVENT)
		xb_watch_event(R.body, R.hdr.len);
	else
		deliver_reply();
	R.hdr_got = R.body_got = 0;
}

/* Takes up to avail bytes of the message being received; returns how many. */
static size_t rx_feed(const char *p, size_t avail)
{
	size_t n;

	if (R.hdr_got < sizeof(R.hdr)) {
		n = sizeof(R.hdr) - R.hdr_got;
		n = n < avail ? n : avail;
		memcpy((char *)&R.hdr + R.hdr_got, p, n);
		R.hdr_got += (uint32_t)n;
		if (R.hdr_got < sizeof(R.hdr))
			return n;
		if (R.hdr.len > XENSTORE_PAYLOAD_MAX) {
			ring_break("message longer than XENSTORE_PAYLOAD_MAX", R.hdr.len,
				   XENSTORE_PAYLOAD_MAX);
			return n;
		}
	} else {
		n = R.hdr.len - R.body_got;
		n = n < avail ? n : avail;
		memcpy(R.body + R.body_got, p, n);
		R.body_got += (uint32_t)n;
	}
	if (R.body_got == R.hdr.len)
		message_complete();
	return n;
}

static void ring_read(void)
{
	struct xenstore_domain_interface *intf = R.intf;
	XENSTORE_RING_IDX cons = __atomic_load_n(&intf->rsp_cons, __ATOMIC_RELAXED);
	XENSTORE_RING_IDX prod = __atomic_load_n(&intf->rsp_prod, __ATOMIC_ACQUIRE);
	XENSTORE_RING_IDX start = cons;

	if (prod - cons > XENSTORE_RING_SIZE) {
		ring_break("reply ring producer overran its consumer", cons, prod);
		return;
	}
	while (cons != prod && !R.broken) {
		size_t off = MASK_XENSTORE_IDX(cons);
		size_t avail = prod - cons;

		if (avail > XENSTORE_RING_SIZE - off)
			avail = XENSTORE_RING_SIZE - off;
		cons += (XENSTORE_RING_IDX)rx_feed(&intf->rsp[off], avail);
	}
	if (cons == start)
		return;
	/* Done reading the bytes before handing their slots back. */
	__atomic_store_n(&intf->rsp_cons, cons, __ATOMIC_RELEASE);
	evtchn_send(R.port);
}

static void xenbus_event(evtchn_port_t port, void *arg)
{
	/* The daemon may have consumed requests: a waiting writer retries. */
	uk_waitq_wake_all(&R.room);
	if (!R.broken)
		ring_read();
}

int xenbus_init(void)
{
	uint64_t pfn, evtchn;
	int rc;

	if (R.intf)
		return -EBUSY;
	if ((rc = uk_hvm_get_param(HVM_PARAM_STORE_PFN, &pfn)) < 0 ||
	    (rc = uk_hvm_get_param(HVM_PARAM_STORE_EVTCHN, &evtchn)) < 0)
		return rc;
	if (pfn == 0 || evtchn == 0)
		return -ENODEV; /* the toolstack gave us no store */
	uk_waitq_init(&R.writers);
	uk_waitq_init(&R.room);
	R.intf = uk_platform_phys_to_virt(pfn << UK_PAGE_SHIFT);
	R.port = (evtchn_port_t)evtchn;
	if ((rc = evtchn_bind(R.port, xenbus_event, NULL)) < 0) {
		R.intf = NULL;
		return rc;
	}
	if ((rc = xb_watch_thread_start()) < 0) {
		evtchn_unbind(R.port);
		R.intf = NULL;
		return rc;
	}
	/* Anything the daemon sent before we listened. */
	ring_read();
	return 0;
}
