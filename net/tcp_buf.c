/*
 * The buffers of a connection: byte rings for the send queue (bytes from
 * snd_una on: sent and unacknowledged, then unsent) and the receive queue
 * (in-order bytes the app has not read), and the out-of-order queue.
 *
 * A ring's storage is allocated at its first byte, doubles from 2 KiB as
 * bytes come, up to the buffer's size, and is freed when it empties: an idle
 * connection holds no buffer memory (10,000 idle connections cost their
 * control blocks only) and a short request costs 2 KiB, not the whole buffer.
 * Storage allocated again after the ring emptied starts at the size the
 * previous fill reached: a bulk receiver, whose ring fills with a batch of
 * 64 KiB segments and empties as the application reads, would otherwise
 * copy each fill's bytes again at every doubling. A fill that stays small
 * (a request after a bulk transfer) brings the next storage back down.
 */
#include <errno.h>
#include <string.h>
#include <uk/alloc.h>

#include <uk/exit.h>

#include "tcp_private.h"

#define TCP_RING_MIN 2048

/* The storage size for need bytes (at most cap): doubling from from. */
static uint32_t tcp_ring_size(uint32_t from, uint32_t need, uint32_t cap)
{
	uint32_t size = from;

	while (size < need && size < cap)
		size = size > cap / 2 ? cap : size * 2;
	return size > cap ? cap : size;
}

/*
 * Makes room for need bytes (at most cap): the storage doubles from
 * TCP_RING_MIN, its bytes moved to the front. False when no memory.
 */
static bool tcp_ring_grow(struct tcp_ring *r, uint32_t need, uint32_t cap)
{
	uint32_t size = tcp_ring_size(r->cap ? r->cap : TCP_RING_MIN, need, cap);
	uint8_t *buf = NULL;

	if (size <= r->cap)
		return true;
	if (!r->cap && r->last_peak > size) {
		/* Fresh storage: as much as the previous fill held at its peak, if memory allows. */
		uint32_t want = tcp_ring_size(size, r->last_peak, cap);

		if ((buf = uk_malloc(want)))
			size = want;
	}
	if (!buf && !(buf = uk_malloc(size))) {
		tcp_stats.nomem++;
		return false;
	}
	if (r->len)
		tcp_ring_peek(r, 0, buf, r->len);
	uk_free(r->buf);
	r->buf = buf;
	r->cap = size;
	r->head = 0;
	return true;
}

uint32_t tcp_ring_write(struct tcp_ring *r, uint32_t cap, const uint8_t *data, uint32_t len)
{
	uint32_t n, tail, first, room = cap > r->len ? cap - r->len : 0;

	if (len > room)
		len = room;
	if (!len)
		return 0;
	if (r->len + len > r->cap)
		tcp_ring_grow(r, r->len + len, cap); /* on failure, what fits goes */
	if (!r->buf)
		return 0;
	n = r->cap - r->len < len ? r->cap - r->len : len;
	tail = (r->head + r->len) % r->cap;
	first = r->cap - tail < n ? r->cap - tail : n;
	memcpy(r->buf + tail, data, first);
	memcpy(r->buf, data + first, n - first);
	r->len += n;
	if (r->len > r->peak)
		r->peak = r->len;
	return n;
}

uint32_t tcp_ring_write_seg(struct tcp_ring *r, uint32_t cap, const struct tcp_seg *seg)
{
	const struct netfront_frag *m, *end;
	const uint8_t *data = seg->data;
	uint32_t piece = seg->head_len, left = seg->len, room = cap > r->len ? cap - r->len : 0;
	uint32_t done = 0, n;

	if (!seg->nr_more) /* more is NULL then */
		return tcp_ring_write(r, cap, seg->data, seg->len);
	m = seg->more;
	end = seg->more + seg->nr_more;
	/* Room for all of it at once, as one write would make (not a doubling per piece). */
	if (r->len + (left < room ? left : room) > r->cap)
		tcp_ring_grow(r, r->len + (left < room ? left : room), cap);
	for (;;) {
		if (piece > left)
			piece = left;
		n = tcp_ring_write(r, cap, data, piece);
		done += n;
		left -= n;
		if (n < piece || !left || m == end)
			return done;
		data = m->data;
		piece = (uint32_t)m->len;
		m++;
	}
}

void tcp_seg_pull(struct tcp_seg *seg, uint8_t *out, uint32_t n)
{
	seg->len -= n;
	while (n > seg->head_len && seg->nr_more) {
		if (out) {
			memcpy(out, seg->data, seg->head_len);
			out += seg->head_len;
		}
		n -= seg->head_len;
		seg->data = seg->more->data;
		seg->head_len = (uint32_t)seg->more->len;
		seg->more++;
		seg->nr_more--;
	}
	if (out && n)
		memcpy(out, seg->data, n);
	seg->data += n;
	seg->head_len -= n;
}

void tcp_ring_peek(const struct tcp_ring *r, uint32_t off, uint8_t *out, uint32_t len)
{
	uint32_t start, first;

	UK_ASSERT(off <= r->len && len <= r->len - off);
	if (!len)
		return;
	start = (r->head + off) % r->cap;
	first = r->cap - start < len ? r->cap - start : len;
	memcpy(out, r->buf + start, first);
	memcpy(out + first, r->buf, len - first);
}

void tcp_ring_drop(struct tcp_ring *r, uint32_t n)
{
	UK_ASSERT(n <= r->len);
	if (!n)
		return;
	r->head = (r->head + n) % r->cap;
	r->len -= n;
	if (!r->len) {
		uint32_t peak = r->peak;

		tcp_ring_free(r);
		r->last_peak = peak;
	}
}

void tcp_ring_free(struct tcp_ring *r)
{
	uk_free(r->buf);
	*r = (struct tcp_ring){ 0 };
}

/* --- the out-of-order queue --- */

/* Puts [seq, seq+len) before *at; -ENOBUFS / -ENOMEM when it cannot. */
static int ooo_put(struct tcp_pcb *pcb, struct tcp_ooo **at, uint32_t seq,
		   const uint8_t *data, uint32_t len, uint32_t cap)
{
	struct tcp_ooo *o;

	if (pcb->ooo_count >= TCP_OOO_MAX_SEGS || len > cap - pcb->ooo_bytes)
		return -ENOBUFS;
	if (!(o = uk_malloc(sizeof(*o) + len))) {
		tcp_stats.nomem++;
		return -ENOMEM;
	}
	o->seq = seq;
	o->len = len;
	memcpy(o->data, data, len);
	o->next = *at;
	*at = o;
	pcb->ooo_count++;
	pcb->ooo_bytes += len;
	return 0;
}

/*
 * Appends [seq, seq+len) to the segment at *prev when it ends exactly at seq,
 * up to a size that keeps the copying cheap: a run of segments after one
 * hole then holds a few nodes, not one each, and the segment limit is left
 * for holes (a window of 1448-byte segments is more than TCP_OOO_MAX_SEGS).
 * True when it did.
 */
static bool ooo_append(struct tcp_pcb *pcb, struct tcp_ooo **prev, uint32_t seq,
		       const uint8_t *data, uint32_t len, uint32_t cap)
{
	uint32_t max = pcb->rcvbuf / 32 > 8192 ? pcb->rcvbuf / 32 : 8192;
	struct tcp_ooo *o = prev ? *prev : NULL;

	if (!o || o->seq + o->len != seq || o->len + len > max || len > cap - pcb->ooo_bytes ||
	    !(o = uk_realloc(o, sizeof(*o) + o->len + len)))
		return false;
	memcpy(o->data + o->len, data, len);
	o->len += len;
	pcb->ooo_bytes += len;
	*prev = o;
	return true;
}

int tcp_ooo_insert(struct tcp_pcb *pcb, uint32_t seq, const uint8_t *data, uint32_t len,
		   bool fin, uint32_t cap)
{
	struct tcp_ooo **p = &pcb->ooo, **prev = NULL;
	int rc = 0;

	if (fin) {
		pcb->ooo_fin = true;
		pcb->ooo_fin_seq = seq + len;
	}
	/* Walk the sorted queue, storing only the pieces no segment holds yet. */
	while (len && rc == 0) {
		struct tcp_ooo *o = *p;

		if (!o || tcp_seq_lt(seq, o->seq)) {
			uint32_t n = o && o->seq - seq < len ? o->seq - seq : len;

			if (ooo_append(pcb, prev, seq, data, n, cap)) {
				p = &(*prev)->next;
			} else {
				if ((rc = ooo_put(pcb, p, seq, data, n, cap)) < 0)
					break;
				prev = p;
				p = &(*p)->next;
			}
			seq += n;
			data += n;
			len -= n;
			continue;
		}
		if (tcp_seq_lt(seq, o->seq + o->len)) {
			uint32_t skip = o->seq + o->len - seq;

			if (skip >= len)
				break;
			seq += skip;
			data += skip;
			len -= skip;
		}
		prev = p;
		p = &o->next;
	}
	if (rc == 0)
		tcp_stats.ooo_queued++;
	else
		tcp_stats.ooo_dropped++;
	return rc;
}

bool tcp_ooo_drain(struct tcp_pcb *pcb)
{
	struct tcp_ooo *o;

	while ((o = pcb->ooo) && tcp_seq_le(o->seq, pcb->rcv_nxt)) {
		uint32_t end = o->seq + o->len;

		if (tcp_seq_gt(end, pcb->rcv_nxt)) {
			uint32_t skip = pcb->rcv_nxt - o->seq;

			pcb->rcv_nxt += tcp_ring_write(&pcb->rcvq, tcp_rcvq_cap(pcb), o->data + skip,
						       o->len - skip);
		}
		pcb->ooo = o->next;
		pcb->ooo_count--;
		pcb->ooo_bytes -= o->len;
		uk_free(o);
	}
	if (pcb->ooo_fin && pcb->rcv_nxt == pcb->ooo_fin_seq) {
		pcb->ooo_fin = false;
		return true;
	}
	return false;
}

void tcp_ooo_free(struct tcp_pcb *pcb)
{
	while (pcb->ooo) {
		struct tcp_ooo *o = pcb->ooo;

		pcb->ooo = o->next;
		uk_free(o);
	}
	pcb->ooo_count = 0;
	pcb->ooo_bytes = 0;
	pcb->ooo_fin = false;
}

unsigned int tcp_ooo_sack_blocks(const struct tcp_pcb *pcb, uint32_t blocks[][2],
				 unsigned int max)
{
	uint32_t ranges[TCP_OOO_MAX_SEGS][2];
	unsigned int n = 0, out = 0, first = 0;

	/* Contiguous segments make one block. */
	for (const struct tcp_ooo *o = pcb->ooo; o; o = o->next) {
		if (n && ranges[n - 1][1] == o->seq)
			ranges[n - 1][1] = o->seq + o->len;
		else if (n < TCP_OOO_MAX_SEGS) {
			ranges[n][0] = o->seq;
			ranges[n][1] = o->seq + o->len;
			n++;
		}
	}
	/* RFC 2018 4: the first block holds the segment that arrived last. */
	for (unsigned int i = 0; i < n; i++)
		if (tcp_seq_in(pcb->last_ooo_seq, ranges[i][0], ranges[i][1]))
			first = i;
	if (n && max) {
		blocks[out][0] = ranges[first][0];
		blocks[out][1] = ranges[first][1];
		out++;
	}
	for (unsigned int i = 0; i < n && out < max; i++)
		if (i != first) {
			blocks[out][0] = ranges[i][0];
			blocks[out][1] = ranges[i][1];
			out++;
		}
	return out;
}
