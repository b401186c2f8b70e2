/*
 * netfront transmit: a frame is copied into a free pre-granted buffer page
 * and described by one netif_tx_request_t (offset 0, no flags, id = the
 * buffer's index); the backend copies it out and answers with the same id,
 * which gives the buffer back. Responses are reclaimed by senders and by the
 * receive thread; a sender finding the ring full waits for the event.
 *
 * TX responses raise no event unless a sender waits: only tx_wait_slot
 * moves rsp_event (RING_FINAL_CHECK_FOR_RESPONSES), and the reclaim leaves
 * it behind. A send takes the responses in once free buffers or slots fall
 * below half the ring (netfront_tx_reclaim_if_low), half a ring of them at
 * once, so a frame sent costs the guest no event, no wake-up of the
 * receive thread and no look at the responses of its own. Linux's
 * xennet_tx_buf_gc asks for an event every half ring instead; it has no
 * other point where it looks. A response's error counts (tx_errors) when
 * it is taken in; netfront_stats takes them in first.
 *
 * A TSO frame (netfront_try_send_tso) takes one buffer per page of it,
 * chained with NETTXF_more_data; the first request's size is the whole
 * frame's and is followed by a XEN_NETIF_EXTRA_TYPE_GSO slot, which the
 * backend answers with NETIF_RSP_NULL (xennet_start_xmit, xennet_make_txreqs).
 */
#include <errno.h>
#include <string.h>

#include <uk/console.h>

#include "netfront_private.h"

void netfront_tx_init(struct netfront *nf)
{
	nf->tx_nr_free = 0;
	for (unsigned int i = NET_TX_RING_SIZE; i-- > 0;)
		nf->tx_free[nf->tx_nr_free++] = (uint16_t)i;
}

static void tx_complete(struct netfront *nf, const netif_tx_response_t *rsp)
{
	struct netfront_buf *b = rsp->id < NET_TX_RING_SIZE ? &nf->tx_bufs[rsp->id] : NULL;

	if (rsp->status == NETIF_RSP_NULL)
		return; /* the answer to an extra-info slot: no buffer, no id */
	if (!b || !b->busy) {
		if (nf->tx_unknown_ids++ == 0)
			uk_printf("netfront %u: TX response for unknown id %u (status %d)\n",
				  nf->index, (unsigned int)rsp->id, (int)rsp->status);
		return;
	}
	b->busy = false;
	nf->tx_free[nf->tx_nr_free++] = rsp->id;
	if (rsp->status != NETIF_RSP_OKAY)
		nf->stats.tx_errors++; /* NETIF_RSP_ERROR, NETIF_RSP_DROPPED (or worse) */
}

void netfront_tx_reclaim_answered(struct netfront *nf)
{
	unsigned int before = nf->tx_nr_free;
	int more;

	do {
		RING_IDX prod = __atomic_load_n(&nf->tx.sring->rsp_prod, __ATOMIC_ACQUIRE);
		RING_IDX cons = nf->tx.rsp_cons;

		if (netfront_ring_overrun(nf, "TX", prod, cons, nf->tx.req_prod_pvt))
			return;
		for (; cons != prod; cons++) {
			netif_tx_response_t rsp = *RING_GET_RESPONSE(&nf->tx, cons);

			/* Checks apply to our copy: don't let the compiler re-read shared memory. */
			__asm__ volatile("" ::: "memory");
			tx_complete(nf, &rsp);
		}
		nf->tx.rsp_cons = cons;
		/* No RING_FINAL_CHECK: only a waiting sender asks for an event (tx_wait_slot). */
		more = RING_HAS_UNCONSUMED_RESPONSES(&nf->tx);
	} while (more);
	if (nf->tx_nr_free != before)
		uk_waitq_wake_all(&nf->tx_wq);
}

/* Waits for a free ring slot and buffer; -ENOTCONN once the device is unusable. */
static int tx_wait_slot(struct netfront *nf)
{
	bool waited = false;
	int more;

	for (;;) {
		if (!netfront_usable(nf))
			return -ENOTCONN;
		netfront_tx_reclaim_if_low(nf);
		if (!RING_FULL(&nf->tx) && nf->tx_nr_free > 0)
			return 0;
		if (!waited) {
			nf->stats.tx_ring_full++;
			waited = true;
		}
		/* Ask for an event on the next response, unless one came meanwhile. */
		RING_FINAL_CHECK_FOR_RESPONSES(&nf->tx, more);
		if (more)
			continue;
		uk_waitq_wait(&nf->tx_wq, 0);
	}
}

/* Inline into netfront_try_send, the per-datagram sender: no call, no second stack frame. */
static inline __attribute__((always_inline)) void tx_push(struct netfront *nf, const void *frame,
						     size_t len)
{
	uint16_t id = nf->tx_free[--nf->tx_nr_free];
	struct netfront_buf *b = &nf->tx_bufs[id];
	netif_tx_request_t *req = RING_GET_REQUEST(&nf->tx, nf->tx.req_prod_pvt);
	int notify;

	memcpy(b->page, frame, len);
	b->busy = true;
	req->gref = b->gref;
	req->offset = 0;
	req->flags = 0;
	req->id = id;
	req->size = (uint16_t)len;
	nf->tx.req_prod_pvt++;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&nf->tx, notify);
	if (notify)
		evtchn_send(nf->port);
	nf->stats.tx_frames++;
	nf->stats.tx_bytes += len;
}

int netfront_try_send(struct netfront *nf, const void *frame, size_t len)
{
	if (!nf || !frame)
		return -EINVAL;
	if (len < ETH_HLEN || len > NETFRONT_MAX_FRAME ||
	    len > nf->mtu + ETH_HLEN)
		return -EMSGSIZE;
	if (!netfront_usable(nf))
		return -ENOTCONN;
	netfront_tx_reclaim_if_low(nf);
	if (RING_FULL(&nf->tx) || nf->tx_nr_free == 0) {
		nf->stats.tx_ring_full++;
		return -ENOBUFS;
	}
	tx_push(nf, frame, len);
	return 0;
}

int netfront_send(struct netfront *nf, const void *frame, size_t len)
{
	int rc;

	if (!nf || !frame)
		return -EINVAL;
	if (len < ETH_HLEN || len > NETFRONT_MAX_FRAME ||
	    len > nf->mtu + ETH_HLEN)
		return -EMSGSIZE;
	nf->users++;
	if ((rc = tx_wait_slot(nf)) == 0)
		tx_push(nf, frame, len);
	if (--nf->users == 0)
		uk_waitq_wake_all(&nf->idle_wq);
	return rc;
}

/* Queues one slot of a frame: up to a page of it in a free buffer (not yet pushed). */
static void tx_queue_slot(struct netfront *nf, const uint8_t *data, size_t n, uint16_t size,
			  uint16_t flags)
{
	uint16_t id = nf->tx_free[--nf->tx_nr_free];
	struct netfront_buf *b = &nf->tx_bufs[id];
	netif_tx_request_t *req = RING_GET_REQUEST(&nf->tx, nf->tx.req_prod_pvt++);

	memcpy(b->page, data, n);
	b->busy = true;
	req->gref = b->gref;
	req->offset = 0;
	req->flags = flags;
	req->id = id;
	req->size = size;
}

/* The GSO extra after the first request: TCPv4 segments of gso_size bytes. */
static void tx_queue_gso(struct netfront *nf, uint16_t gso_size)
{
	netif_extra_info_t x = { .type = XEN_NETIF_EXTRA_TYPE_GSO, .flags = 0 };

	x.u.gso.size = gso_size;
	x.u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
	x.u.gso.pad = 0;
	x.u.gso.features = 0;
	memcpy((void *)RING_GET_REQUEST(&nf->tx, nf->tx.req_prod_pvt++), &x, sizeof(x));
}

int netfront_try_send_tso(struct netfront *nf, const void *frame, size_t len, uint16_t gso_size)
{
	const uint8_t *p = frame;
	unsigned int pages, slots;
	uint16_t first = NETTXF_csum_blank | NETTXF_data_validated;
	int notify;

	if (!nf || !frame)
		return -EINVAL;
	if (!nf->off.tso_max)
		return -EOPNOTSUPP;
	if (len < ETH_HLEN || len > nf->off.tso_max)
		return -EMSGSIZE;
	if (!netfront_usable(nf))
		return -ENOTCONN;
	pages = (unsigned int)((len + UK_PAGE_SIZE - 1) / UK_PAGE_SIZE);
	slots = pages + (gso_size ? 1 : 0);
	netfront_tx_reclaim_if_low(nf);
	if (RING_FREE_REQUESTS(&nf->tx) < slots || nf->tx_nr_free < pages) {
		nf->stats.tx_ring_full++;
		return -ENOBUFS;
	}
	for (unsigned int i = 0; i < pages; i++) {
		size_t off = (size_t)i * UK_PAGE_SIZE, n = len - off;
		uint16_t flags = (uint16_t)(i == 0 ? first | (gso_size ? NETTXF_extra_info : 0) : 0);

		if (n > UK_PAGE_SIZE)
			n = UK_PAGE_SIZE;
		if (i + 1 < pages)
			flags |= NETTXF_more_data;
		tx_queue_slot(nf, p + off, n, (uint16_t)(i == 0 ? len : n), flags);
		if (i == 0 && gso_size)
			tx_queue_gso(nf, gso_size);
	}
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&nf->tx, notify);
	if (notify)
		evtchn_send(nf->port);
	nf->stats.tx_frames++;
	nf->stats.tx_bytes += len;
	return 0;
}
