/*
 * RACK-TLP loss detection (RFC 8985), for connections that agreed SACK.
 *
 * RACK: every segment in flight keeps the time it was last sent. When an
 * ACK delivers a segment (cumulatively or in a SACK block), a segment sent
 * before it that is still undelivered after the delivered one's round trip
 * plus a reordering window is lost. This finds lost retransmissions, which
 * counting duplicate ACKs never can, without waiting for the RTO. The window
 * is a quarter of the minimum RTT (grown by DSACKs), and zero in recovery
 * until reordering was seen (then the DupThresh rule decides as before).
 *
 * TLP: when the ACKs stop with data in flight (a tail loss leaves nothing to
 * SACK), a probe goes after about two SRTTs: new data if the peer's window
 * allows, else the last segment again. Its ACK or SACK lets RACK and fast
 * recovery repair the tail instead of the RTO.
 *
 * Only detection lives here; the response stays NewReno / RFC 6675 fast
 * recovery (tcp_cc.c), which resends the segments marked lost, one per ACK.
 * This is Linux's tcp_recovery.c (tcp_rack_*) and tcp_output.c
 * (tcp_schedule_loss_probe, tcp_send_loss_probe) in spirit.
 */
#include <string.h>
#include <uk/alloc.h>
#include <uk/time.h>

#include "tcp_private.h"

#define TCP_TXS_MIN 16
#define TCP_TXS_MAX 4096             /* records per connection; then new data joins the last */
#define TCP_RACK_REO_MIN_NS TCP_MS   /* the reordering window's floor (the timestamp clock) */
#define TCP_RACK_REO_PERSIST 16      /* recoveries a DSACK-grown window lasts (RFC 8985 6.2) */
#define TCP_RACK_DUPTHRESH 3
#define TCP_TLP_DELACK_NS (200 * TCP_MS) /* a lone segment's ACK may be delayed this long */
#define TCP_TLP_MIN_NS (2 * TCP_MS)

static struct tcp_txseg *txs_at(const struct tcp_pcb *pcb, uint32_t i)
{
	return &pcb->txs[pcb->txs_head + i];
}

void tcp_rack_free(struct tcp_pcb *pcb)
{
	uk_free(pcb->txs);
	pcb->txs = NULL;
	pcb->txs_cap = pcb->txs_head = pcb->txs_n = 0;
	pcb->rack_lost = 0;
}

/* Room for one more record at the end; false when memory is short or the cap is hit. */
static bool txs_room(struct tcp_pcb *pcb)
{
	struct tcp_txseg *v;
	uint32_t cap;

	if (pcb->txs_head + pcb->txs_n < pcb->txs_cap)
		return true;
	if (pcb->txs_head) { /* slide down over what was acknowledged */
		memmove(pcb->txs, txs_at(pcb, 0), pcb->txs_n * sizeof(*pcb->txs));
		pcb->txs_head = 0;
		return true;
	}
	if (pcb->txs_cap >= TCP_TXS_MAX)
		return false;
	cap = pcb->txs_cap ? 2 * pcb->txs_cap : TCP_TXS_MIN;
	if (!(v = uk_realloc(pcb->txs, cap * sizeof(*v)))) {
		tcp_stats.nomem++;
		return false;
	}
	pcb->txs = v;
	pcb->txs_cap = cap;
	return true;
}

/* The index of the record holding seq (records cover [snd_una, snd_max) contiguously). */
static uint32_t txs_find(const struct tcp_pcb *pcb, uint32_t seq)
{
	uint32_t lo = 0, hi = pcb->txs_n, base = txs_at(pcb, 0)->seq;

	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (txs_at(pcb, mid)->seq - base <= seq - base)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Splits record i at seq (inside it), so that a record starts at seq. */
static bool txs_split(struct tcp_pcb *pcb, uint32_t i, uint32_t seq)
{
	struct tcp_txseg *r;

	if (!txs_room(pcb))
		return false;
	r = txs_at(pcb, i);
	memmove(r + 1, r, (pcb->txs_n - i) * sizeof(*r));
	pcb->txs_n++;
	r[0].end = seq;
	r[1].seq = seq;
	if (r->flags & TCP_TX_LOST)
		pcb->rack_lost++;
	return true;
}

void tcp_rack_sent(struct tcp_pcb *pcb, uint32_t seq, uint32_t end)
{
	uint64_t now = uk_now_ns();
	uint32_t last = pcb->txs_n ? txs_at(pcb, pcb->txs_n - 1)->end : pcb->snd_una;
	uint32_t i;

	if (!pcb->sack_ok || !tcp_seq_lt(seq, end))
		return;
	/* Data again: the records it covers, split at its edges. */
	if (pcb->txs_n && tcp_seq_lt(seq, last)) {
		uint32_t stop = tcp_seq_min(end, last);

		i = txs_find(pcb, tcp_seq_max(seq, txs_at(pcb, 0)->seq));
		if (tcp_seq_gt(seq, txs_at(pcb, i)->seq) && txs_split(pcb, i, seq))
			i++;
		for (; i < pcb->txs_n && tcp_seq_lt(txs_at(pcb, i)->seq, stop); i++) {
			struct tcp_txseg *r = txs_at(pcb, i);

			if (tcp_seq_gt(r->end, stop))
				(void)txs_split(pcb, i, stop);
			r = txs_at(pcb, i);
			if (r->flags & TCP_TX_LOST)
				pcb->rack_lost--;
			r->flags = (uint8_t)((r->flags & ~TCP_TX_LOST) | TCP_TX_RETRANS);
			r->xmit_ns = now;
			r->xmit_order = pcb->txs_order++;
		}
		seq = stop;
	}
	if (!tcp_seq_lt(seq, end))
		return;
	/*
	 * New data: a record per MSS, or the last one grows when there is no
	 * room. A TSO segment reaches the peer cut into MSS-sized segments, and
	 * SACK blocks and RACK's losses are of those: a record for the whole
	 * would be SACKed only when all of it is, and resent MSS by MSS when any
	 * part is lost (Linux splits its skb at SACK edges, tcp_fragment). A
	 * grown record is not SACKed (the new data is not delivered: it is in
	 * the pipe and may be found lost); a lost one stays lost, to be resent.
	 */
	while (tcp_seq_lt(seq, end)) {
		uint32_t e = end - seq > pcb->mss ? seq + pcb->mss : end;

		if (!txs_room(pcb)) {
			if (pcb->txs_n) {
				struct tcp_txseg *r = txs_at(pcb, pcb->txs_n - 1);

				r->end = end;
				r->xmit_ns = now;
				r->xmit_order = pcb->txs_order++;
				r->flags &= (uint8_t)~TCP_TX_SACKED;
			}
			return;
		}
		*txs_at(pcb, pcb->txs_n++) = (struct tcp_txseg){ .xmit_ns = now, .seq = seq,
								  .end = e,
								  .xmit_order = pcb->txs_order++ };
		seq = e;
	}
}

/*
 * RFC 8985 6.2 step 2: whether a segment went out after another. Sent in
 * the same nanosecond (always, under the virtual clock, within one burst),
 * the order of transmission decides, not end_seq as in RFC 8985: a
 * retransmission sent at the same instant as a higher segment went after it.
 */
static bool rack_sent_after(uint64_t t1, uint32_t o1, uint64_t t2, uint32_t o2)
{
	return t1 > t2 || (t1 == t2 && (int32_t)(o1 - o2) > 0);
}

/* A segment was delivered (steps 2 and 3: RACK's RTT and the reordering it shows). */
static void rack_delivered(struct tcp_pcb *pcb, const struct tcp_txseg *r, uint64_t now)
{
	uint64_t rtt = now - r->xmit_ns;

	if (!(r->flags & TCP_TX_RETRANS)) {
		if (!pcb->rack_min_rtt_ns || rtt < pcb->rack_min_rtt_ns)
			pcb->rack_min_rtt_ns = rtt ? rtt : 1;
		/* Delivered below a higher SACKed sequence, never resent: reordered. */
		if (pcb->rack_valid && tcp_seq_lt(r->end, pcb->rack_fack))
			pcb->rack_reordering_seen = true;
	} else if (rtt < pcb->rack_min_rtt_ns) {
		return; /* sooner than any round trip: the original's ACK, not the resend's */
	}
	pcb->rack_fack = pcb->rack_valid ? tcp_seq_max(pcb->rack_fack, r->end) : r->end;
	pcb->rack_rtt_ns = rtt;
	if (!pcb->rack_valid ||
	    rack_sent_after(r->xmit_ns, r->xmit_order, pcb->rack_xmit_ns, pcb->rack_xmit_order)) {
		pcb->rack_xmit_ns = r->xmit_ns;
		pcb->rack_xmit_order = r->xmit_order;
		pcb->rack_valid = true;
	}
}

/* The cumulative part: records wholly below ack go, delivered unless SACKed before. */
static void rack_take_cumulative(struct tcp_pcb *pcb, uint32_t ack, uint64_t now)
{
	while (pcb->txs_n && tcp_seq_le(txs_at(pcb, 0)->end, ack)) {
		struct tcp_txseg *r = txs_at(pcb, 0);

		if (!(r->flags & TCP_TX_SACKED))
			rack_delivered(pcb, r, now);
		if (r->flags & TCP_TX_LOST)
			pcb->rack_lost--;
		pcb->txs_head++;
		pcb->txs_n--;
	}
	if (!pcb->txs_n) {
		tcp_rack_free(pcb);
		return;
	}
	if (tcp_seq_gt(ack, txs_at(pcb, 0)->seq))
		txs_at(pcb, 0)->seq = ack;
}

/* One SACK block [s, e): the records it covers wholly are delivered. */
static void rack_take_block(struct tcp_pcb *pcb, uint32_t s, uint32_t e, uint64_t now)
{
	uint32_t i;

	if (!pcb->txs_n || !tcp_seq_lt(s, e) ||
	    !tcp_seq_gt(e, txs_at(pcb, 0)->seq) ||
	    tcp_seq_gt(e, txs_at(pcb, pcb->txs_n - 1)->end))
		return;
	i = txs_find(pcb, tcp_seq_max(s, txs_at(pcb, 0)->seq));
	for (; i < pcb->txs_n && tcp_seq_le(txs_at(pcb, i)->end, e); i++) {
		struct tcp_txseg *r = txs_at(pcb, i);

		if (tcp_seq_lt(r->seq, s) || (r->flags & TCP_TX_SACKED))
			continue;
		if (r->flags & TCP_TX_LOST)
			pcb->rack_lost--;
		r->flags = (uint8_t)((r->flags & ~TCP_TX_LOST) | TCP_TX_SACKED);
		rack_delivered(pcb, r, now);
	}
}

/* RFC 2883: the first block lies below the ACK, or inside the second. */
static bool rack_is_dsack(const struct tcp_seg *seg)
{
	const uint32_t (*b)[2] = seg->opt.sack;

	if (!seg->opt.n_sack)
		return false;
	if (tcp_seq_le(b[0][1], seg->ack))
		return true;
	return seg->opt.n_sack > 1 && tcp_seq_ge(b[0][0], b[1][0]) && tcp_seq_le(b[0][1], b[1][1]);
}

/* RFC 8985 6.2 step 4: a DSACK says a resend was spurious: widen the window, once a round. */
static void rack_dsack(struct tcp_pcb *pcb)
{
	if (pcb->rack_dsack_round_on && tcp_seq_lt(pcb->snd_una, pcb->rack_dsack_round))
		return;
	pcb->rack_dsack_round_on = true;
	pcb->rack_dsack_round = pcb->snd_max;
	if (pcb->rack_reo_mult < 64)
		pcb->rack_reo_mult++;
	pcb->rack_reo_persist = TCP_RACK_REO_PERSIST;
}

void tcp_rack_recovery_started(struct tcp_pcb *pcb)
{
	if (pcb->rack_reo_persist && --pcb->rack_reo_persist == 0)
		pcb->rack_reo_mult = 0;
}

static uint64_t rack_reo_wnd(const struct tcp_pcb *pcb, unsigned int sacked)
{
	uint64_t w, cap;

	if (!pcb->rack_reordering_seen && (pcb->in_recovery || sacked >= TCP_RACK_DUPTHRESH))
		return 0;
	w = pcb->rack_min_rtt_ns / 4 * (pcb->rack_reo_mult + 1);
	if (w < TCP_RACK_REO_MIN_NS)
		w = TCP_RACK_REO_MIN_NS;
	cap = pcb->srtt_ns > TCP_RACK_REO_MIN_NS ? pcb->srtt_ns : TCP_RACK_REO_MIN_NS;
	return w < cap ? w : cap;
}

static void rack_timer_arm(struct tcp_pcb *pcb, enum tcp_rack_mode mode, uint64_t ns)
{
	pcb->rack_mode = mode;
	uk_timer_arm(&pcb->rack_timer, ns);
}

/* RFC 8985 6.2 step 5 (RACK_detect_loss); arms the reordering timer for the undecided. */
static void rack_detect_loss(struct tcp_pcb *pcb, uint64_t now)
{
	uint64_t reo, wait = 0;
	unsigned int sacked = 0;

	if (!pcb->rack_valid)
		return;
	for (uint32_t i = 0; i < pcb->txs_n; i++)
		sacked += !!(txs_at(pcb, i)->flags & TCP_TX_SACKED);
	reo = rack_reo_wnd(pcb, sacked);
	for (uint32_t i = 0; i < pcb->txs_n; i++) {
		struct tcp_txseg *r = txs_at(pcb, i);
		uint64_t due;

		if ((r->flags & (TCP_TX_SACKED | TCP_TX_LOST)) ||
		    !rack_sent_after(pcb->rack_xmit_ns, pcb->rack_xmit_order, r->xmit_ns, r->xmit_order))
			continue;
		due = r->xmit_ns + pcb->rack_rtt_ns + reo;
		if (due <= now) {
			r->flags |= TCP_TX_LOST;
			pcb->rack_lost++;
		} else if (due - now > wait) {
			wait = due - now;
		}
	}
	if (wait) {
		rack_timer_arm(pcb, TCP_RACK_REO, wait);
	} else if (pcb->rack_mode == TCP_RACK_REO) {
		uk_timer_cancel(&pcb->rack_timer);
		pcb->rack_mode = TCP_RACK_IDLE;
	}
}

void tcp_rack_ack(struct tcp_pcb *pcb, const struct tcp_seg *seg)
{
	uint64_t now = uk_now_ns();
	bool dsack;

	if (!pcb->sack_ok)
		return;
	dsack = rack_is_dsack(seg);
	if (tcp_seq_gt(seg->ack, pcb->snd_una))
		rack_take_cumulative(pcb, seg->ack, now);
	for (unsigned int b = dsack ? 1 : 0; b < seg->opt.n_sack; b++)
		rack_take_block(pcb, seg->opt.sack[b][0], seg->opt.sack[b][1], now);
	if (dsack)
		rack_dsack(pcb);
	/* RFC 8985 7.4: the probe's episode ends with the ACK that covers it. */
	if (pcb->tlp_out && tcp_seq_ge(seg->ack, pcb->tlp_end_seq)) {
		pcb->tlp_out = false;
		if (pcb->tlp_rexmit && !dsack)
			tcp_cc_tlp_repaired(pcb); /* the resent segment was lost: a loss, hidden */
	}
	rack_detect_loss(pcb, now);
}

uint32_t tcp_rack_pipe(const struct tcp_pcb *pcb)
{
	uint32_t pipe = 0;

	for (uint32_t i = 0; i < pcb->txs_n; i++) {
		const struct tcp_txseg *r = txs_at(pcb, i);

		if (!tcp_seq_lt(r->seq, pcb->snd_nxt))
			break;
		if (!(r->flags & (TCP_TX_SACKED | TCP_TX_LOST)))
			pipe += tcp_seq_min(r->end, pcb->snd_nxt) - r->seq;
	}
	return pipe;
}

bool tcp_rack_rexmit_lost(struct tcp_pcb *pcb)
{
	if (!pcb->rack_lost)
		return false;
	for (uint32_t i = 0; i < pcb->txs_n; i++) {
		struct tcp_txseg *r = txs_at(pcb, i);
		uint32_t len;

		if (!(r->flags & TCP_TX_LOST))
			continue;
		len = r->end - r->seq;
		if (len > pcb->mss)
			len = pcb->mss;
		tcp_retransmit_at(pcb, r->seq, len);
		pcb->high_rxt = tcp_seq_max(pcb->high_rxt, r->seq + len);
		return true;
	}
	return false;
}

void tcp_tlp_arm(struct tcp_pcb *pcb)
{
	uint64_t pto;

	if (!pcb->sack_ok || pcb->tlp_out || !pcb->srtt_ns ||
	    pcb->snd_una == pcb->snd_max || pcb->rack_mode == TCP_RACK_REO ||
	    pcb->rtx_mode != TCP_RTX_RETRANSMIT)
		return;
	/* RFC 8985 7.2: 2 SRTT, and a delayed ACK's time when one segment is out. */
	pto = 2 * pcb->srtt_ns;
	pto += tcp_flight(pcb) <= pcb->mss ? TCP_TLP_DELACK_NS : TCP_TLP_MIN_NS;
	if (uk_timer_armed(&pcb->rtx_timer) &&
	    uk_timer_deadline(&pcb->rtx_timer) <= uk_now_ns() + pto)
		return; /* the RTO comes first */
	rack_timer_arm(pcb, TCP_RACK_TLP, pto);
}

/* RFC 8985 7.3: new data if the window allows, else the last segment again. */
static void tlp_send(struct tcp_pcb *pcb)
{
	const struct tcp_txseg *r;
	uint32_t seq, len;

	if (pcb->tlp_out || pcb->snd_una == pcb->snd_max || !pcb->txs_n ||
	    pcb->rtx_mode != TCP_RTX_RETRANSMIT)
		return;
	pcb->tlp_rexmit = false;
	if (!tcp_send_new_probe(pcb)) {
		r = txs_at(pcb, pcb->txs_n - 1);
		len = r->end - r->seq;
		seq = len > pcb->mss ? r->end - pcb->mss : r->seq;
		tcp_retransmit_at(pcb, seq, r->end - seq);
		pcb->tlp_rexmit = true;
	}
	pcb->tlp_out = true;
	pcb->tlp_end_seq = pcb->snd_max;
	tcp_rtx_arm(pcb); /* the RTO counts from the probe */
}

/* The reordering timeout: what it waited for is now lost or delivered (RFC 8985 6.3). */
static void rack_reo_timeout(struct tcp_pcb *pcb)
{
	rack_detect_loss(pcb, uk_now_ns());
	if (pcb->rack_lost && !pcb->in_recovery)
		tcp_cc_rack_loss(pcb);
	else if (pcb->rack_lost)
		tcp_rack_rexmit_lost(pcb);
	tcp_output(pcb); /* the pipe may have room now */
	tcp_tlp_arm(pcb); /* and if the ACKs stay away, a probe */
}

void tcp_rack_timer_fire(struct uk_timer *t, void *arg)
{
	struct tcp_pcb *pcb = arg;
	enum tcp_rack_mode mode = pcb->rack_mode;

	(void)t;
	pcb->rack_mode = TCP_RACK_IDLE;
	if (!tcp_synchronized(pcb->state) || pcb->state == TCP_TIME_WAIT)
		return;
	if (mode == TCP_RACK_REO)
		rack_reo_timeout(pcb);
	else if (mode == TCP_RACK_TLP)
		tlp_send(pcb);
}

void tcp_rack_rto(struct tcp_pcb *pcb)
{
	for (uint32_t i = 0; i < pcb->txs_n; i++)
		txs_at(pcb, i)->flags &= (uint8_t)~(TCP_TX_SACKED | TCP_TX_LOST);
	pcb->rack_lost = 0;
	pcb->tlp_out = false;
	if (pcb->rack_mode != TCP_RACK_IDLE) {
		uk_timer_cancel(&pcb->rack_timer);
		pcb->rack_mode = TCP_RACK_IDLE;
	}
}
