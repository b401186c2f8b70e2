/*
 * netfront receive: every RX buffer page is posted (netif_rx_request_t, id
 * = the buffer's index, gref = its grant) and the backend copies frames
 * into them. The vif's receive thread, woken by the event handler, consumes
 * the responses: a frame goes to the receive callback (called right there,
 * the data valid only during the call) or to a bounded queue for
 * netfront_recv; then the buffer is posted again with the same grant.
 * Frames over several slots (NETRXF_more_data) and extra-info slots are
 * never asked for (netfront writes no feature-sg and no feature-gso-tcpv4:
 * the offloads are for sending only, netfront_tx.c): they are counted as
 * errors and their buffers reposted.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <uk/console.h>

#include "netfront_private.h"

#define RX_MASK(i) ((i) & (NET_RX_RING_SIZE - 1))

/* Puts buffer id on the ring (not yet pushed). */
static void rx_post(struct netfront *nf, uint16_t id)
{
	RING_IDX i = nf->rx.req_prod_pvt++;
	netif_rx_request_t *req = RING_GET_REQUEST(&nf->rx, i);

	req->id = id;
	req->pad = 0;
	req->gref = nf->rx_bufs[id].gref;
	nf->rx_bufs[id].busy = true;
	nf->rx_slot_id[RX_MASK(i)] = id;
}

static void rx_push(struct netfront *nf)
{
	int notify;

	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&nf->rx, notify);
	if (notify)
		evtchn_send(nf->port);
}

/* Before the backend connects: fill the ring; it reads it when it connects. */
void netfront_rx_post_all(struct netfront *nf)
{
	for (unsigned int id = 0; id < NET_RX_RING_SIZE; id++)
		rx_post(nf, (uint16_t)id);
	RING_PUSH_REQUESTS(&nf->rx);
}

static void rxq_push(struct netfront *nf, const uint8_t *data, size_t len)
{
	struct netfront_qframe *f;

	if (nf->q_len >= NETFRONT_RXQ_MAX || !(f = uk_malloc(sizeof(*f) + len))) {
		nf->stats.rx_dropped++;
		return;
	}
	f->next = NULL;
	f->len = len;
	memcpy(f->data, data, len);
	if (nf->q_tail)
		nf->q_tail->next = f;
	else
		nf->q_head = f;
	nf->q_tail = f;
	nf->q_len++;
	uk_waitq_wake_one(&nf->recv_wq);
}

void netfront_rxq_free(struct netfront *nf)
{
	while (nf->q_head) {
		struct netfront_qframe *f = nf->q_head;

		nf->q_head = f->next;
		uk_free(f);
	}
	nf->q_tail = NULL;
	nf->q_len = 0;
}

/* A response's id names a posted buffer, or the backend made a mistake. */
static struct netfront_buf *rx_buf(struct netfront *nf, uint16_t id, int16_t status)
{
	if (id < NET_RX_RING_SIZE && nf->rx_bufs[id].busy)
		return &nf->rx_bufs[id];
	if (nf->rx_unknown_ids++ == 0)
		uk_printf("netfront %u: RX response for unknown id %u (status %d)\n", nf->index,
			  (unsigned int)id, (int)status);
	return NULL;
}

/* Whether a single-slot frame's response describes a frame we can use. */
static bool rx_valid(const netif_rx_response_t *rsp)
{
	return rsp->status >= ETH_HLEN && rsp->status <= NETFRONT_MAX_FRAME &&
	       (size_t)rsp->offset + (size_t)rsp->status <= UK_PAGE_SIZE;
}

static void rx_deliver(struct netfront *nf, const uint8_t *data, size_t len)
{
	nf->stats.rx_frames++;
	nf->stats.rx_bytes += len;
	if (nf->rx_fn)
		nf->rx_fn(nf, data, len, nf->rx_arg);
	else
		rxq_push(nf, data, len);
}

/* An extra-info slot overlays the response: its buffer is the one posted in that slot. */
static void rx_extra(struct netfront *nf, const netif_rx_response_t *rsp, RING_IDX slot)
{
	const netif_extra_info_t *extra = (const netif_extra_info_t *)rsp;
	uint16_t id = nf->rx_slot_id[RX_MASK(slot)];

	nf->rx_in_extra = (extra->flags & XEN_NETIF_EXTRA_FLAG_MORE) != 0;
	if (nf->rx_bufs[id].busy) {
		nf->rx_bufs[id].busy = false;
		rx_post(nf, id);
	}
}

/* One response, already consumed from the ring; reposts its buffer. */
static void rx_handle(struct netfront *nf, const netif_rx_response_t *rsp, RING_IDX slot)
{
	struct netfront_buf *b;
	bool more = (rsp->flags & NETRXF_more_data) != 0;

	if (nf->rx_in_extra) {
		rx_extra(nf, rsp, slot);
		return;
	}
	if (!(b = rx_buf(nf, rsp->id, rsp->status))) {
		/* A bad id: repost the buffer posted in this slot, or the ring shrinks for good. */
		uint16_t posted = nf->rx_slot_id[RX_MASK(slot)];
		nf->rx_in_extra = (rsp->flags & NETRXF_extra_info) != 0;
		if (nf->rx_bufs[posted].busy) {
			nf->rx_bufs[posted].busy = false;
			rx_post(nf, posted);
		}
		return;
	}
	b->busy = false;
	nf->rx_in_extra = (rsp->flags & NETRXF_extra_info) != 0;
	if (nf->rx_skip_frags) {
		nf->rx_skip_frags = more; /* the rest of a frame already counted */
	} else if (more || nf->rx_in_extra || !rx_valid(rsp)) {
		nf->stats.rx_errors++;
		nf->rx_skip_frags = more;
	} else {
		/* The callback may block or send; the buffer stays ours until it returns. */
		rx_deliver(nf, (const uint8_t *)b->page + rsp->offset, (size_t)rsp->status);
	}
	rx_post(nf, rsp->id);
}

/* Consumes every RX response there is, until told to stop or the ring breaks. */
static void rx_consume(struct netfront *nf)
{
	int more;

	do {
		RING_IDX prod = __atomic_load_n(&nf->rx.sring->rsp_prod, __ATOMIC_ACQUIRE);

		if (netfront_ring_overrun(nf, "RX", prod, nf->rx.rsp_cons, nf->rx.req_prod_pvt))
			return;
		while (nf->rx.rsp_cons != prod && !nf->rx_stop && !nf->broken) {
			RING_IDX slot = nf->rx.rsp_cons++;
			netif_rx_response_t rsp = *RING_GET_RESPONSE(&nf->rx, slot);

			/* Checks apply to our copy: don't let the compiler re-read shared memory. */
			__asm__ volatile("" ::: "memory");
			rx_handle(nf, &rsp, slot);
			/* Per frame: a callback that blocks must not starve the backend. */
			rx_push(nf);
		}
		if (nf->rx_stop || nf->broken)
			return;
		RING_FINAL_CHECK_FOR_RESPONSES(&nf->rx, more);
	} while (more);
}

static int rx_thread(void *arg)
{
	struct netfront *nf = arg;

	while (!nf->rx_stop) {
		if (nf->connected && !nf->broken) {
			netfront_tx_reclaim(nf);
			rx_consume(nf);
		}
		if (nf->rx_stop)
			break;
		if (!nf->broken && (RING_HAS_UNCONSUMED_RESPONSES(&nf->rx) ||
				    RING_HAS_UNCONSUMED_RESPONSES(&nf->tx)))
			continue;
		uk_waitq_wait(&nf->rx_wq, 0);
	}
	return 0;
}

int netfront_rx_start(struct netfront *nf)
{
	char name[32];

	snprintf(name, sizeof(name), "netfront-rx%u", nf->index);
	nf->rx_stop = false;
	if (!(nf->rx_thread = uk_thread_create(name, rx_thread, nf)))
		return -ENOMEM;
	return 0;
}

void netfront_rx_stop(struct netfront *nf)
{
	if (!nf->rx_thread)
		return;
	nf->rx_stop = true;
	uk_waitq_wake_all(&nf->rx_wq);
	uk_thread_join(nf->rx_thread);
	nf->rx_thread = NULL;
}

int netfront_recv(struct netfront *nf, void *buf, size_t size, uint64_t deadline_ns)
{
	int rc;

	if (!nf || (!buf && size))
		return -EINVAL;
	nf->users++;
	for (;;) {
		struct netfront_qframe *f = nf->q_head;

		if (f) {
			size_t n = f->len < size ? f->len : size;

			if (!(nf->q_head = f->next))
				nf->q_tail = NULL;
			nf->q_len--;
			memcpy(buf, f->data, n);
			uk_free(f);
			rc = (int)n;
			break;
		}
		if (!netfront_usable(nf)) {
			rc = -ENOTCONN;
			break;
		}
		if (uk_waitq_wait(&nf->recv_wq, deadline_ns) == -ETIMEDOUT && !nf->q_head) {
			rc = -ETIMEDOUT;
			break;
		}
	}
	if (--nf->users == 0)
		uk_waitq_wake_all(&nf->idle_wq);
	return rc;
}
