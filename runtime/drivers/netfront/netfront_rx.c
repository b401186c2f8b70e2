/*
 * netfront receive: every RX buffer page is posted (netif_rx_request_t, id
 * = the buffer's index, gref = its grant) and the backend copies frames
 * into them. The vif's receive thread, woken by the event handler, consumes
 * the responses (or the event handler itself, when the callback never
 * blocks: netfront_event): a frame goes to the receive callback (called right there,
 * the data valid only during the call) or to a bounded queue for
 * netfront_recv; then the buffer is posted again with the same grant.
 *
 * With receive offloads (netfront_open_rx_offload: feature-sg,
 * feature-gso-tcpv4, checksum offload) a frame may span slots
 * (NETRXF_more_data; the sizes add up, <xen/io/netif.h> "Guest receive")
 * and carry extra-info slots after its first, read as Linux's
 * xennet_get_responses and xennet_get_extras read them: joined in
 * nf->rx_frame, each buffer reposted as soon as it is copied; or, with a
 * scatter callback (netfront_set_rx_sg), handed up as the slots' pieces,
 * as Linux's netfront builds an skb of page fragments, the buffers kept
 * until the callback returns (joined after all if it declines), or until
 * netfront_rx_release when the callback lends them on (netfront_rx_keep:
 * off the ring meanwhile, chained by rx_kept_next). A frame the backend
 * got wrong is refused whole, counted in rx_errors and said once per kind.
 * Without them, a multi-slot frame or an extra is counted as an error and
 * its buffers reposted.
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

/* Inline in rx_consume's loop: the call per frame cost more than its copies elsewhere. */
static inline __attribute__((always_inline)) void
rx_deliver(struct netfront *nf, const uint8_t *data, size_t len, unsigned int flags)
{
	nf->stats.rx_frames++;
	nf->stats.rx_bytes += len;
	if (nf->rx_flags_fn)
		nf->rx_flags_fn(nf, data, len, flags, nf->rx_arg);
	else if (nf->rx_fn)
		nf->rx_fn(nf, data, len, nf->rx_arg);
	else
		rxq_push(nf, data, len);
}

/* The response's checksum flags as NETFRONT_RX_*, when we asked for them. */
static unsigned int rx_flags(const struct netfront *nf, uint16_t flags)
{
	if (!nf->off.rx)
		return 0;
	if (flags & NETRXF_csum_blank)
		return NETFRONT_RX_CSUM_VALID | NETFRONT_RX_CSUM_BLANK;
	return (flags & NETRXF_data_validated) ? NETFRONT_RX_CSUM_VALID : 0;
}

/* A whole frame in one slot: to the callback, or counted when its response is wrong. */
static inline void rx_whole(struct netfront *nf, const struct netfront_buf *b,
			    const netif_rx_response_t *rsp)
{
	/* The callback may block or send; the buffer stays ours until it returns. */
	if (rx_valid(rsp))
		rx_deliver(nf, (const uint8_t *)b->page + rsp->offset, (size_t)rsp->status,
			   rx_flags(nf, rsp->flags));
	else
		nf->stats.rx_errors++;
}

/* Why a joined frame is refused (rx_join_bad). */
enum {
	RXB_NONE,
	RXB_CHAIN,    /* more slots than a 64 KiB frame and its GSO extra take */
	RXB_SLOT,     /* a bad id, a negative size, or data past the page */
	RXB_EXTRA,    /* an extra of a type we never asked for */
	RXB_GSO_SIZE, /* a GSO size of 0 */
	RXB_GSO_TYPE, /* GSO other than TCPv4 */
	RXB_SHORT,    /* shorter than an Ethernet header */
	RXB_BIG,      /* over the MTU without GSO, or over 64 KiB with it */
	RXB_NR
};

static const char *const rxb_why[RXB_NR] = {
	[RXB_CHAIN] = "a NETRXF_more_data chain longer than " "a 64 KiB frame's slots",
	[RXB_SLOT] = "a slot with a bad id, a negative size or data past its page",
	[RXB_EXTRA] = "an extra-info slot of a type netfront did not ask for",
	[RXB_GSO_SIZE] = "a GSO extra with size 0",
	[RXB_GSO_TYPE] = "a GSO extra of another type than TCPv4",
	[RXB_SHORT] = "shorter than an Ethernet header",
	[RXB_BIG] = "over the MTU without a GSO extra, or over 64 KiB",
};

static void rx_refuse(struct netfront *nf, unsigned int why)
{
	nf->stats.rx_errors++;
	if (nf->rx_said & (1u << why))
		return;
	nf->rx_said |= 1u << why;
	uk_printf("netfront %u: refusing a received frame from the backend: %s (said once)\n",
		  nf->index, rxb_why[why]);
}

/*
 * One data slot of the frame being joined; b is NULL for a response with a
 * bad id. True when the slot's buffer is kept (handed in pieces: reposted
 * at the frame's end, rx_join_repost), false when it may go back at once.
 */
static bool rx_join_add(struct netfront *nf, const struct netfront_buf *b,
			const netif_rx_response_t *rsp)
{
	const uint8_t *data;

	if (nf->rx_join_bad)
		return false;
	if (++nf->rx_join_slots > NETFRONT_RX_MAX_SLOTS + 1) {
		nf->rx_join_bad = RXB_CHAIN;
		return false;
	}
	if (!b || rsp->status < 0 || (size_t)rsp->offset + (size_t)rsp->status > UK_PAGE_SIZE) {
		nf->rx_join_bad = RXB_SLOT;
		return false;
	}
	if (nf->rx_join_len + (size_t)rsp->status > NETFRONT_MAX_GSO_RX_FRAME) {
		nf->rx_join_bad = RXB_BIG;
		return false;
	}
	data = (const uint8_t *)b->page + rsp->offset;
	nf->rx_join_len += (size_t)rsp->status;
	if (!nf->rx_join_sg) {
		memcpy(nf->rx_frame + nf->rx_join_len - (size_t)rsp->status, data,
		       (size_t)rsp->status);
		return false;
	}
	/* rx_join_slots bounds rx_join_nr to the arrays' NETFRONT_RX_MAX_SLOTS + 1. */
	nf->rx_join_frags[nf->rx_join_nr].data = data;
	nf->rx_join_frags[nf->rx_join_nr].len = (size_t)rsp->status;
	nf->rx_join_ids[nf->rx_join_nr++] = rsp->id;
	return true;
}

/* The kept slots' buffers back on the ring, or lent on (netfront_rx_keep). */
static void rx_join_repost(struct netfront *nf)
{
	if (nf->rx_join_kept) {
		for (unsigned int i = 0; i < nf->rx_join_nr; i++) {
			nf->rx_bufs[nf->rx_join_ids[i]].kept = true;
			nf->rx_kept_next[nf->rx_join_ids[i]] =
				i + 1 < nf->rx_join_nr ? nf->rx_join_ids[i + 1] : NETFRONT_RX_KEPT_END;
		}
		nf->rx_kept_slots += nf->rx_join_nr;
		nf->rx_join_kept = false;
	} else {
		for (unsigned int i = 0; i < nf->rx_join_nr; i++)
			rx_post(nf, nf->rx_join_ids[i]);
	}
	nf->rx_join_nr = 0;
}

int netfront_rx_keep(struct netfront *nf, uint32_t *token)
{
	if (!nf->rx_in_sg || nf->rx_join_kept || !nf->rx_join_nr)
		return -EINVAL; /* not inside a scatter callback's frame */
	if (nf->rx_kept_slots + nf->rx_join_nr > NETFRONT_RX_KEEP_MAX)
		return -ENOBUFS;
	nf->rx_join_kept = true;
	*token = nf->rx_join_ids[0];
	return 0;
}

/* Reposts a kept frame (xennet_alloc_rx_buffers refilling, for pages lent out). */
void netfront_rx_release(struct netfront *nf, uint32_t token)
{
	uint16_t id = (uint16_t)token;

	if (token >= NET_RX_RING_SIZE || !nf->rx_bufs[id].kept) {
		uk_printf("netfront %u: release of a frame not kept (%u)\n", nf->index,
			  (unsigned int)token);
		return;
	}
	/* Closing or broken: the ring is not ours to write; the pages go with nf. */
	bool post = netfront_usable(nf);

	while (id != NETFRONT_RX_KEPT_END) {
		nf->rx_bufs[id].kept = false;
		nf->rx_kept_slots--;
		if (post)
			rx_post(nf, id);
		id = nf->rx_kept_next[id];
	}
	if (post)
		rx_push(nf);
}

/* A frame kept in pieces: to the scatter callback, or joined when it asks. */
static void rx_deliver_sg(struct netfront *nf)
{
	size_t off = 0;
	bool taken;

	nf->rx_in_sg = true;
	taken = nf->rx_sg_fn && nf->rx_sg_fn(nf, nf->rx_join_frags, nf->rx_join_nr,
					      nf->rx_join_len, nf->rx_join_flags, nf->rx_arg);
	nf->rx_in_sg = false;
	if (taken) {
		nf->stats.rx_frames++;
		nf->stats.rx_bytes += nf->rx_join_len;
		return;
	}
	nf->rx_join_kept = false; /* joined below: the slots go back */
	for (unsigned int i = 0; i < nf->rx_join_nr; i++) {
		memcpy(nf->rx_frame + off, nf->rx_join_frags[i].data, nf->rx_join_frags[i].len);
		off += nf->rx_join_frags[i].len;
	}
	rx_deliver(nf, nf->rx_frame, nf->rx_join_len, nf->rx_join_flags);
}

/* The joined frame's last slot came: deliver or refuse it, repost what was kept. */
static void rx_join_end(struct netfront *nf)
{
	bool gso = (nf->rx_join_flags & NETFRONT_RX_GSO) != 0;

	nf->rx_joining = false;
	if (!nf->rx_join_bad && nf->rx_join_len < ETH_HLEN)
		nf->rx_join_bad = RXB_SHORT;
	else if (!nf->rx_join_bad && !gso && nf->rx_join_len > nf->mtu + ETH_HLEN)
		nf->rx_join_bad = RXB_BIG;
	if (nf->rx_join_bad)
		rx_refuse(nf, nf->rx_join_bad);
	else if (nf->rx_join_sg)
		rx_deliver_sg(nf);
	else
		rx_deliver(nf, nf->rx_frame, nf->rx_join_len, nf->rx_join_flags);
	rx_join_repost(nf);
}

/* An extra of the frame being joined (xennet_get_extras): only a TCPv4 GSO one is asked for. */
static void rx_join_extra(struct netfront *nf, const netif_extra_info_t *x)
{
	if (nf->rx_join_bad)
		return;
	if (++nf->rx_join_slots > NETFRONT_RX_MAX_SLOTS + 1)
		nf->rx_join_bad = RXB_CHAIN;
	else if (x->type != XEN_NETIF_EXTRA_TYPE_GSO)
		nf->rx_join_bad = RXB_EXTRA;
	else if (x->u.gso.size == 0)
		nf->rx_join_bad = RXB_GSO_SIZE;
	else if (x->u.gso.type != XEN_NETIF_GSO_TYPE_TCPV4)
		nf->rx_join_bad = RXB_GSO_TYPE;
	else
		nf->rx_join_flags |= NETFRONT_RX_GSO;
}

/* An extra-info slot overlays the response: its buffer is the one posted in that slot. */
static void rx_extra(struct netfront *nf, const netif_rx_response_t *rsp, RING_IDX slot)
{
	const netif_extra_info_t *extra = (const netif_extra_info_t *)rsp;
	uint16_t id = nf->rx_slot_id[RX_MASK(slot)];

	nf->rx_in_extra = (extra->flags & XEN_NETIF_EXTRA_FLAG_MORE) != 0;
	if (nf->rx_joining)
		rx_join_extra(nf, extra);
	if (nf->rx_bufs[id].busy) {
		nf->rx_bufs[id].busy = false;
		rx_post(nf, id);
	}
	if (nf->rx_joining && !nf->rx_in_extra && !nf->rx_join_more)
		rx_join_end(nf);
}

/* The first slot of a frame; true when its buffer is kept (rx_join_add). */
static bool rx_first(struct netfront *nf, const struct netfront_buf *b,
		     const netif_rx_response_t *rsp)
{
	bool more = (rsp->flags & NETRXF_more_data) != 0;

	nf->rx_in_extra = (rsp->flags & NETRXF_extra_info) != 0;
	if (!b) {
		nf->rx_skip_frags = more; /* counted as an unknown id */
		return false;
	}
	if (!more && !nf->rx_in_extra) {
		rx_whole(nf, b, rsp);
		return false;
	}
	if (!nf->off.rx) {
		nf->stats.rx_errors++;
		nf->rx_skip_frags = more;
		return false;
	}
	nf->rx_joining = true;
	nf->rx_join_more = more;
	nf->rx_join_len = 0;
	nf->rx_join_slots = 0;
	nf->rx_join_flags = rx_flags(nf, rsp->flags);
	nf->rx_join_bad = RXB_NONE;
	/* Handed in pieces when the callback takes them (and nothing is kept from before). */
	nf->rx_join_sg = nf->rx_sg_fn != NULL && nf->rx_join_nr == 0;
	return rx_join_add(nf, b, rsp);
}

/* One response, already consumed from the ring; reposts its buffer. */
static void rx_handle(struct netfront *nf, const netif_rx_response_t *rsp, RING_IDX slot)
{
	struct netfront_buf *b;
	bool more = (rsp->flags & NETRXF_more_data) != 0, kept = false;

	if (nf->rx_in_extra) {
		rx_extra(nf, rsp, slot);
		return;
	}
	if ((b = rx_buf(nf, rsp->id, rsp->status)))
		b->busy = false;
	if (nf->rx_joining) {
		kept = rx_join_add(nf, b, rsp);
		nf->rx_join_more = more;
		if (!more)
			rx_join_end(nf);
	} else if (nf->rx_skip_frags) {
		nf->rx_skip_frags = more; /* the rest of a frame already counted */
	} else {
		kept = rx_first(nf, b, rsp);
	}
	if (kept) /* a slot of a frame in pieces: rx_join_end reposts it (or did) */
		return;
	if (b) {
		rx_post(nf, rsp->id);
		return;
	}
	/* A bad id: repost the buffer posted in this slot, or the ring shrinks for good. */
	uint16_t posted = nf->rx_slot_id[RX_MASK(slot)];
	if (nf->rx_bufs[posted].busy) {
		nf->rx_bufs[posted].busy = false;
		rx_post(nf, posted);
	}
}

/*
 * The common response, handled by rx_consume without rx_handle's cases: a
 * whole frame in one slot (no more_data, no extras) in a posted buffer,
 * outside any frame being joined or skipped. rx_handle does the same for it.
 */
static inline bool rx_single(const struct netfront *nf, const netif_rx_response_t *rsp)
{
	return !(nf->rx_in_extra | nf->rx_joining | nf->rx_skip_frags) &&
	       !(rsp->flags & (NETRXF_more_data | NETRXF_extra_info)) &&
	       rsp->id < NET_RX_RING_SIZE && nf->rx_bufs[rsp->id].busy;
}

/* Consumes every RX response there is, until told to stop or the ring breaks. */
static inline __attribute__((always_inline)) void rx_consume(struct netfront *nf)
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
			if (rx_single(nf, &rsp)) {
				struct netfront_buf *b = &nf->rx_bufs[rsp.id];

				b->busy = false;
				rx_whole(nf, b, &rsp);
				rx_post(nf, rsp.id);
			} else {
				rx_handle(nf, &rsp, slot);
			}
			/* Per frame: a callback that blocks must not starve the backend. */
			rx_push(nf);
		}
		if (nf->rx_stop || nf->broken)
			return;
		RING_FINAL_CHECK_FOR_RESPONSES(&nf->rx, more);
	} while (more);
}

/*
 * The event handler, in scheduler context: must not block. When the callback
 * never blocks (netfront_set_rx_nonblocking), the receive work is done right
 * here, without waking the receive thread (as blkfront consumes its
 * responses); otherwise, or when the thread is inside rx_consume already (a
 * callback set before blocked there), or the device is stopping or broken,
 * the receive thread does it. Here beside rx_consume, which is inlined into it.
 */
void netfront_event(evtchn_port_t port, void *arg)
{
	struct netfront *nf = arg;

	if (!nf->rx_in_event || nf->rx_busy || nf->rx_stop || !nf->connected || nf->broken)
		uk_waitq_wake_all(&nf->rx_wq);
	else
		rx_consume(nf);
	uk_waitq_wake_all(&nf->tx_wq); /* inline: no call when, as mostly, nobody waits */
}

static int rx_thread(void *arg)
{
	struct netfront *nf = arg;

	while (!nf->rx_stop) {
		if (nf->connected && !nf->broken) {
			nf->rx_busy = true;
			rx_consume(nf);
			nf->rx_busy = false;
		}
		if (nf->rx_stop)
			break;
		/* TX responses wait for a send to run low (netfront_tx.c). */
		if (!nf->broken && RING_HAS_UNCONSUMED_RESPONSES(&nf->rx))
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
