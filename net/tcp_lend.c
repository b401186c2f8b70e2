/*
 * Received bytes lent to the application in place (net_recv_borrow): the
 * pages a link kept for a frame that came in pieces (net_link.rx_keep:
 * netfront's RX pages, as Linux's TCP_ZEROCOPY_RECEIVE maps the skb's
 * pages), or the receive ring's storage, taken from the ring whole. They
 * stay in a FIFO of lent entries, in stream order, until returned
 * (tcp_lend_return) or the socket closes. Lent bytes count as unread
 * (rcv_direct) until returned, for the window and auto-tuning, as bytes
 * copied straight into a reader's buffer do.
 *
 * A frame is lent once the socket has borrowed (pcb->lend exists), unless
 * a net_recv reader waits to have it copied into its buffer; and only
 * while the ring is empty. The ring is appended to the FIFO only behind
 * what the FIFO holds already, so the FIFO always precedes the ring.
 */
#include <errno.h>
#include <string.h>

#include <uk/alloc.h>

#include "tcp_private.h"

/* One frame's kept pieces, or one ring storage (two pieces at most). */
struct tcp_lent {
	const struct net_link *link; /* kept by link (token); NULL: block is a ring's storage */
	uint32_t token;
	uint8_t *block;
	unsigned int first, nr;      /* piece[first..nr): not yet returned */
	struct net_piece piece[TCP_LEND_PIECES];
};

struct tcp_lend {
	struct tcp_lent e[TCP_LEND_MAX];
	unsigned int head, count;
	uint32_t bytes; /* in the entries, not yet returned */
};

static struct tcp_lent *lent_at(struct tcp_lend *l, unsigned int i)
{
	return &l->e[(l->head + i) % TCP_LEND_MAX];
}

uint32_t tcp_lend_bytes(const struct tcp_pcb *pcb)
{
	return pcb->lend ? pcb->lend->bytes : 0;
}

/* A new entry at the FIFO's tail, n bytes more lent (the caller fills it). */
static struct tcp_lent *lend_push(struct tcp_pcb *pcb, uint32_t n)
{
	struct tcp_lent *e = lent_at(pcb->lend, pcb->lend->count++);

	*e = (struct tcp_lent){ 0 };
	pcb->lend->bytes += n;
	pcb->rcv_direct += n;
	tcp_stats.rcv_lent_bytes += n;
	return e;
}

uint32_t tcp_lend_seg(struct tcp_pcb *pcb, struct tcp_seg *seg)
{
	struct net_stream_reader *r = pcb->sock ? pcb->sock->stream.reader : NULL;
	const struct net_link *link = seg->link;
	struct tcp_seg rest = *seg;
	struct tcp_lent *e;
	uint32_t token, n = seg->len;

	if ((r && r->buf) || !pcb->lend || pcb->lend->count == TCP_LEND_MAX || pcb->rcvq.len ||
	    !seg->nr_more || seg->nr_more >= TCP_LEND_PIECES || !n || !link || !link->rx_keep ||
	    n > tcp_rcv_room(pcb) || link->rx_keep(link->ctx, &token) < 0)
		return 0;
	e = lend_push(pcb, n);
	e->link = link;
	e->token = token;
	net_if_of_link(link)->lent++; /* net_if_destroy refuses while any is lent */
	/* seg->len never exceeds its pieces (net_rx_frags), which fit TCP_LEND_PIECES. */
	while (rest.len) {
		uint32_t k = rest.head_len < rest.len ? rest.head_len : rest.len;

		if (!k) { /* headers filled the first page: the payload starts in the next */
			rest.data = rest.more->data;
			rest.head_len = (uint32_t)rest.more->len;
			rest.more++;
			rest.nr_more--;
			continue;
		}

		e->piece[e->nr].data = rest.data;
		e->piece[e->nr++].len = k;
		tcp_seg_pull(&rest, NULL, k);
	}
	*seg = rest;
	if (r)
		r->got += n;
	return n;
}

/* The ring's bytes become the FIFO's last entry; the ring starts again empty. */
static void lend_ring(struct tcp_pcb *pcb)
{
	struct tcp_ring *q = &pcb->rcvq;
	uint32_t first = q->cap - q->head < q->len ? q->cap - q->head : q->len;
	struct tcp_lent *e = lend_push(pcb, q->len);

	e->block = q->buf;
	e->piece[e->nr].data = q->buf + q->head;
	e->piece[e->nr++].len = first;
	if (q->len > first) {
		e->piece[e->nr].data = q->buf;
		e->piece[e->nr++].len = q->len - first;
	}
	*q = (struct tcp_ring){ .last_peak = q->peak };
}

int tcp_lend_borrow(struct tcp_pcb *pcb, struct net_piece *out, unsigned int max)
{
	struct tcp_lend *l = pcb->lend;
	unsigned int n = 0;

	if (!l && !(l = pcb->lend = uk_calloc(1, sizeof(*l))))
		return -ENOMEM;
	if (pcb->rcvq.len && l->count < TCP_LEND_MAX)
		lend_ring(pcb);
	for (unsigned int i = 0; i < l->count && n < max; i++) {
		const struct tcp_lent *e = lent_at(l, i);

		for (unsigned int j = e->first; j < e->nr && n < max; j++)
			out[n++] = e->piece[j];
	}
	return (int)n;
}

/* The FIFO's first entry is all returned: its pages back to the link, or freed. */
static void lend_pop(struct tcp_lend *l)
{
	struct tcp_lent *e = lent_at(l, 0);

	if (e->link) {
		net_if_of_link(e->link)->lent--;
		e->link->rx_release(e->link->ctx, e->token);
	} else
		uk_free(e->block);
	l->head = (l->head + 1) % TCP_LEND_MAX;
	l->count--;
}

int tcp_lend_return(struct tcp_pcb *pcb, size_t n)
{
	struct tcp_lend *l = pcb->lend;
	size_t left = n;

	if (!l || n > l->bytes)
		return -EINVAL;
	while (left) {
		struct tcp_lent *e = lent_at(l, 0);
		struct net_piece *p = &e->piece[e->first];
		size_t k = p->len < left ? p->len : left;

		p->data += k;
		p->len -= k;
		left -= k;
		if (!p->len && ++e->first == e->nr)
			lend_pop(l);
	}
	l->bytes -= (uint32_t)n;
	pcb->rcv_direct -= (uint32_t)n;
	return 0;
}

uint32_t tcp_lend_copy(struct tcp_pcb *pcb, uint8_t *buf, uint32_t len)
{
	struct tcp_lend *l = pcb->lend;
	uint32_t got = 0;

	for (unsigned int i = 0; l && i < l->count && got < len; i++) {
		const struct tcp_lent *e = lent_at(l, i);

		for (unsigned int j = e->first; j < e->nr && got < len; j++) {
			uint32_t k = (uint32_t)e->piece[j].len < len - got ?
					     (uint32_t)e->piece[j].len : len - got;

			memcpy(buf + got, e->piece[j].data, k);
			got += k;
		}
	}
	tcp_lend_return(pcb, got);
	return got;
}

void tcp_lend_free(struct tcp_pcb *pcb)
{
	struct tcp_lend *l = pcb->lend;

	if (!l)
		return;
	while (l->count)
		lend_pop(l);
	pcb->rcv_direct -= l->bytes;
	uk_free(l);
	pcb->lend = NULL;
}
