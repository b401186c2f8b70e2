/*
 * Segment arrival, in the order of RFC 9293 3.10.7 ("SEGMENT ARRIVES"):
 * header checks, the connection lookup, then LISTEN, SYN-SENT, or the
 * synchronized states' sequence of checks (PAWS, acceptability, RST, SYN,
 * ACK, data, FIN), with RFC 5961's challenge ACKs and ACK range check.
 *
 * Every length comes from the wire and is checked here once: the data
 * offset against the segment, the options against the header.
 */
#include <errno.h>
#include <string.h>
#include <uk/alloc.h>
#include <uk/time.h>

#include "tcp_private.h"

/* --- parsing --- */

static uint16_t tcp_csum(const struct ip4_info *ip, const uint8_t *data, size_t len)
{
	uint32_t sum = net_csum_pseudo(ip->src, ip->dst, IP4_PROTO_TCP, (uint16_t)len);

	return net_csum_fold(net_csum_add(sum, data, len));
}

/* Checks and parses a segment; -EINVAL (counted) when it is malformed. */
static int tcp_parse(const struct ip4_info *ip, const uint8_t *data, size_t len,
		     struct tcp_seg *seg)
{
	size_t hlen;

	if (len < TCP_HLEN || (hlen = (size_t)(data[12] >> 4) * 4) < TCP_HLEN || hlen > len) {
		tcp_stats.bad_header++;
		return -EINVAL;
	}
	if (!ip->csum_valid && tcp_csum(ip, data, len) != 0) {
		tcp_stats.bad_checksum++;
		return -EINVAL;
	}
	seg->src = ip->src;
	seg->dst = ip->dst;
	seg->sport = net_get16(data);
	seg->dport = net_get16(data + 2);
	seg->seq = net_get32(data + 4);
	seg->ack = net_get32(data + 8);
	seg->flags = data[13] & 0x3f;
	seg->wnd = net_get16(data + 14);
	seg->data = data + hlen;
	seg->len = (uint32_t)(len - hlen);
	seg->head_len = seg->len;
	seg->more = NULL;
	seg->nr_more = 0;
	seg->link = NULL;
	if (tcp_opt_parse(data + TCP_HLEN, hlen - TCP_HLEN, seg->flags & TCP_SYN, &seg->opt) < 0 ||
	    seg->sport == 0 || seg->dport == 0) {
		tcp_stats.bad_header++;
		return -EINVAL;
	}
	return 0;
}

/* --- helpers --- */

/* RFC 5961 7: challenge ACKs, at most TCP_CHALLENGE_ACKS_PER_S a second in all. */
static void tcp_challenge_ack(struct tcp_pcb *pcb)
{
	static uint64_t second;
	static unsigned int count;
	uint64_t now = uk_now_ns() / UK_NSEC_PER_SEC;

	if (now != second) {
		second = now;
		count = 0;
	}
	if (count++ >= TCP_CHALLENGE_ACKS_PER_S)
		return;
	tcp_stats.challenge_acks++;
	tcp_send_ack(pcb);
}

/* What the peer's SYN said: its MSS, window scale, timestamps. */
static void tcp_take_syn_options(struct tcp_pcb *pcb, const struct tcp_seg *seg)
{
	uint16_t ours = tcp_mss_for(pcb->nif);
	uint16_t theirs = seg->opt.has_mss ? seg->opt.mss : TCP_DEFAULT_MSS;

	pcb->mss = theirs < ours ? theirs : ours;
	if (pcb->mss < 64) /* Linux's TCP_MIN_MSS floor (88) is near: no 1-byte segments */
		pcb->mss = 64;
	pcb->ws_ok = seg->opt.has_ws;
	pcb->snd_ws = pcb->ws_ok ? seg->opt.ws : 0;
	if (!pcb->ws_ok)
		pcb->rcv_ws = 0;
	pcb->sack_ok = seg->opt.sack_ok;
	pcb->ts_ok = seg->opt.has_ts;
	if (pcb->ts_ok) {
		pcb->ts_recent = seg->opt.tsval;
		pcb->mss -= 12; /* every segment carries the option: keep within the MTU */
	}
}

/* A connection becomes ESTABLISHED: the send window and congestion state start. */
static void tcp_established(struct tcp_pcb *pcb, const struct tcp_seg *seg)
{
	/* RFC 7323 2.2: the window of a SYN is never scaled. */
	pcb->snd_wnd = (uint32_t)seg->wnd << (seg->flags & TCP_SYN ? 0 : pcb->snd_ws);
	pcb->max_snd_wnd = pcb->snd_wnd;
	pcb->snd_wl1 = seg->seq;
	pcb->snd_wl2 = seg->ack;
	tcp_cc_init(pcb);
	tcp_rcvbuf_init(pcb);
	/* RFC 6298 5.7: a SYN was lost and nothing was measured: data starts with 3 s. */
	if (pcb->retries && !pcb->srtt_ns)
		pcb->rto_ns = 3 * TCP_RTO_INITIAL_NS;
	pcb->retries = 0;
	tcp_rtx_stop(pcb);
	tcp_set_state(pcb, TCP_ESTABLISHED);
	tcp_keepalive_arm(pcb);
}

/* --- LISTEN (RFC 9293 3.10.7.2) --- */

/* Makes room in a full SYN queue by dropping the oldest half-open connection. */
static bool tcp_syn_queue_room(struct tcp_pcb *lis)
{
	unsigned int max = 2 * lis->backlog > TCP_SYN_QUEUE_MIN ? 2 * lis->backlog
								 : TCP_SYN_QUEUE_MIN;
	struct tcp_pcb *old = lis->syn_q.head;

	if (lis->syn_q.count < max)
		return true;
	if (!old)
		return false;
	tcp_stats.syn_queue_dropped++;
	tcp_pcb_done(old, 0);
	return true;
}

static void tcp_listen_input(struct tcp_pcb *lis, struct net_if *nif, const struct tcp_seg *seg)
{
	struct tcp_pcb *c;

	if (seg->flags & TCP_RST)
		return;
	if (seg->flags & TCP_ACK) {
		tcp_send_rst_reply(nif, seg);
		return;
	}
	if (!(seg->flags & TCP_SYN) || !tcp_syn_queue_room(lis) || !(c = tcp_pcb_new()))
		return;
	c->nif = nif;
	c->laddr = seg->dst;
	c->lport = seg->dport;
	c->raddr = seg->src;
	c->rport = seg->sport;
	c->sndbuf = lis->sndbuf;
	c->rcvbuf = lis->rcvbuf;
	c->rcvbuf_locked = lis->rcvbuf_locked;
	c->nodelay = lis->nodelay;
	c->keepalive = lis->keepalive;
	c->rcv_ws = tcp_rcv_wscale(c);
	tcp_take_syn_options(c, seg);
	c->ts_offset = lis->ts_offset;
	c->irs = seg->seq;
	c->rcv_nxt = seg->seq + 1;
	c->rcv_adv = c->rcv_nxt;
	c->iss = tcp_isn(c->laddr, c->lport, c->raddr, c->rport);
	c->snd_una = c->iss;
	c->snd_max = c->iss;
	c->last_rx_ns = uk_now_ns();
	tcp_child_enqueue(lis, &lis->syn_q, c);
	tcp_pcb_table_add(c);
	tcp_pcb_hash(c);
	tcp_set_state(c, TCP_SYN_RCVD);
	tcp_send_syn(c);
	tcp_rtx_arm(c);
	/* Data on a SYN is not kept: the peer sends it again once we ACK only the SYN. */
}

/* A child finished its handshake: to the accept queue, if the backlog has room. */
static bool tcp_child_established(struct tcp_pcb *c)
{
	struct tcp_pcb *lis = c->parent;

	if (!lis)
		return true; /* simultaneous open: no listener */
	if (lis->acc_q.count >= lis->backlog) {
		tcp_stats.accept_queue_full++;
		return false; /* as Linux: drop the ACK; the SYN-ACK is sent again */
	}
	tcp_child_unlink(c);
	tcp_child_enqueue(lis, &lis->acc_q, c);
	return true;
}

/* --- RTT samples from echoed timestamps (RFC 7323 4.1) --- */

/*
 * Samples the RTT from tsecr, our timestamp the peer echoed; false when
 * it is no round trip: an echo from our future, or one older than
 * TCP_RTO_MAX, comes from a broken or lying peer and would poison SRTT
 * (the unsigned difference is ~49 days), so it is dropped, as Linux's
 * tcp_rtt_tsopt_us / tcp_ack_update_rtt drop it.
 */
static bool tcp_rtt_sample_echo(struct tcp_pcb *pcb, uint32_t tsecr)
{
	int32_t ms = (int32_t)(tcp_ts_now(pcb) - tsecr);

	if (ms < 0 || (uint64_t)ms * TCP_MS > TCP_RTO_MAX_NS)
		return false;
	tcp_rtt_sample(pcb, (uint64_t)ms * TCP_MS);
	return true;
}

/* --- SYN-SENT (RFC 9293 3.10.7.3) --- */

static void tcp_syn_sent_input(struct tcp_pcb *pcb, const struct tcp_seg *seg)
{
	bool ack = seg->flags & TCP_ACK;

	if (ack && (tcp_seq_le(seg->ack, pcb->iss) || tcp_seq_gt(seg->ack, pcb->snd_max))) {
		tcp_send_rst_reply(pcb->nif, seg);
		return;
	}
	if (seg->flags & TCP_RST) {
		if (ack) /* RFC 5961 3.2: the RST acknowledges our SYN */
			tcp_pcb_done(pcb, -ECONNREFUSED);
		return;
	}
	if (!(seg->flags & TCP_SYN))
		return;
	tcp_take_syn_options(pcb, seg);
	pcb->irs = seg->seq;
	pcb->rcv_nxt = seg->seq + 1;
	pcb->rcv_adv = pcb->rcv_nxt;
	if (ack) {
		pcb->snd_una = seg->ack;
		if (!(pcb->ts_ok && seg->opt.tsecr && tcp_rtt_sample_echo(pcb, seg->opt.tsecr)) &&
		    pcb->retries == 0)
			tcp_rtt_sample(pcb, uk_now_ns() - pcb->rtt_start_ns);
		tcp_established(pcb, seg);
		tcp_send_ack(pcb);
		return;
	}
	/* Simultaneous open: SYN-RECEIVED, and a SYN-ACK with our ISN. */
	tcp_set_state(pcb, TCP_SYN_RCVD);
	tcp_send_syn(pcb);
	tcp_rtx_arm(pcb);
}

/* --- the synchronized states (RFC 9293 3.10.7.4) --- */

static uint32_t tcp_seg_len(const struct tcp_seg *seg)
{
	return seg->len + !!(seg->flags & TCP_SYN) + !!(seg->flags & TCP_FIN);
}

/* The four cases of the acceptability test, on the window we advertised. */
static bool tcp_acceptable(const struct tcp_pcb *pcb, const struct tcp_seg *seg)
{
	uint32_t wnd = tcp_seq_gt(pcb->rcv_adv, pcb->rcv_nxt) ? pcb->rcv_adv - pcb->rcv_nxt : 0;
	uint32_t slen = tcp_seg_len(seg), end = pcb->rcv_nxt + wnd;

	if (slen == 0)
		return wnd == 0 ? seg->seq == pcb->rcv_nxt
				: tcp_seq_in(seg->seq, pcb->rcv_nxt, end);
	if (wnd == 0)
		return false;
	return tcp_seq_in(seg->seq, pcb->rcv_nxt, end) ||
	       tcp_seq_in(seg->seq + slen - 1, pcb->rcv_nxt, end);
}

/* Cuts what lies before rcv_nxt and beyond the window off the segment. */
static void tcp_trim(const struct tcp_pcb *pcb, struct tcp_seg *seg)
{
	uint32_t wnd = tcp_seq_gt(pcb->rcv_adv, pcb->rcv_nxt) ? pcb->rcv_adv - pcb->rcv_nxt : 0;

	if (tcp_seq_lt(seg->seq, pcb->rcv_nxt)) {
		uint32_t skip = pcb->rcv_nxt - seg->seq;

		if (seg->flags & TCP_SYN) {
			seg->flags &= (uint8_t)~TCP_SYN;
			seg->seq++;
			skip--;
		}
		if (skip > seg->len) { /* only an old FIN is left: it is a duplicate */
			skip = seg->len;
			seg->flags &= (uint8_t)~TCP_FIN;
		}
		tcp_seg_pull(seg, NULL, skip);
		seg->seq += skip;
	}
	if (tcp_seq_gt(seg->seq + seg->len, pcb->rcv_nxt + wnd)) {
		seg->len = pcb->rcv_nxt + wnd - seg->seq;
		seg->flags &= (uint8_t)~TCP_FIN;
	}
}

/* RFC 9293 with RFC 5961 3.2: a RST resets only when it is exactly at rcv_nxt. */
static void tcp_rst_input(struct tcp_pcb *pcb, const struct tcp_seg *seg)
{
	if (seg->seq != pcb->rcv_nxt) {
		tcp_challenge_ack(pcb);
		return;
	}
	tcp_stats.rst_accepted++;
	switch (pcb->state) {
	case TCP_SYN_RCVD:
		/* From a passive open the child just goes; from an active one, refused. */
		tcp_pcb_done(pcb, pcb->active_open ? -ECONNREFUSED : 0);
		break;
	case TCP_ESTABLISHED:
	case TCP_FIN_WAIT_1:
	case TCP_FIN_WAIT_2:
	case TCP_CLOSE_WAIT:
		tcp_pcb_done(pcb, -ECONNRESET);
		break;
	default: /* CLOSING, LAST-ACK, TIME-WAIT */
		tcp_pcb_done(pcb, 0);
		break;
	}
}

/* RTT from the echoed timestamp, else from the timed segment (Karn's rule). */
static void tcp_ack_rtt(struct tcp_pcb *pcb, const struct tcp_seg *seg)
{
	if (pcb->ts_ok && seg->opt.has_ts && seg->opt.tsecr) {
		(void)tcp_rtt_sample_echo(pcb, seg->opt.tsecr);
	} else if (pcb->rtt_timing && tcp_seq_ge(seg->ack, pcb->rtt_seq)) {
		pcb->rtt_timing = false;
		tcp_rtt_sample(pcb, uk_now_ns() - pcb->rtt_start_ns);
	}
}

/* SND.UNA < SEG.ACK <= SND.MAX: new data is acknowledged. */
static void tcp_ack_new(struct tcp_pcb *pcb, const struct tcp_seg *seg)
{
	uint32_t acked = seg->ack - pcb->snd_una, data = acked;

	if (data > pcb->sndq.len) /* the ACK covers our FIN */
		data = pcb->sndq.len;
	tcp_ring_drop(&pcb->sndq, data);
	pcb->snd_una = seg->ack;
	tcp_sack_trim(pcb);
	if (tcp_seq_lt(pcb->snd_nxt, pcb->snd_una))
		pcb->snd_nxt = pcb->snd_una;
	tcp_ack_rtt(pcb, seg);
	pcb->retries = 0;
	tcp_cc_ack(pcb, acked);
	if (pcb->snd_una == pcb->snd_max)
		tcp_rtx_stop(pcb);
	else if (!pcb->in_recovery || pcb->rtx_mode != TCP_RTX_RETRANSMIT)
		tcp_rtx_arm(pcb); /* RFC 6298 5.3 */
	tcp_pcb_wake(pcb); /* room in the send buffer */
}

/* The ACK field, in the ESTABLISHED family of states; false: drop the segment. */
static bool tcp_ack_input(struct tcp_pcb *pcb, const struct tcp_seg *seg)
{
	bool dup, sack_news;

	/* RFC 5961 5.2: acceptable ACKs lie in [SND.UNA - MAX.SND.WND, SND.MAX]. */
	if (tcp_seq_gt(seg->ack, pcb->snd_max) ||
	    tcp_seq_lt(seg->ack, pcb->snd_una - pcb->max_snd_wnd)) {
		tcp_challenge_ack(pcb);
		return false;
	}
	/*
	 * RFC 5681 2: a duplicate ACK, before the window update below changes
	 * snd_wnd. With SACK, an ACK that SACKs new bytes counts even when the
	 * window moved (RFC 6675 2, "DupAck"): Linux's receive window changes as
	 * its reader drains it, and the strict rule then missed the third dupack
	 * and waited for the RTO instead.
	 */
	/* RACK first (RFC 8985): what this ACK delivers marks what is lost. */
	tcp_rack_ack(pcb, seg);
	sack_news = tcp_sack_update(pcb, seg);
	dup = seg->ack == pcb->snd_una && seg->len == 0 &&
	      !(seg->flags & (TCP_SYN | TCP_FIN)) && pcb->snd_max != pcb->snd_una &&
	      (sack_news || ((uint32_t)seg->wnd << pcb->snd_ws) == pcb->snd_wnd);
	if (tcp_seq_gt(seg->ack, pcb->snd_una))
		tcp_ack_new(pcb, seg);
	/* The send window, from the newest segment only (SND.WL1, SND.WL2). */
	if (tcp_seq_lt(pcb->snd_wl1, seg->seq) ||
	    (pcb->snd_wl1 == seg->seq && tcp_seq_le(pcb->snd_wl2, seg->ack))) {
		pcb->snd_wnd = (uint32_t)seg->wnd << pcb->snd_ws;
		if (pcb->snd_wnd > pcb->max_snd_wnd)
			pcb->max_snd_wnd = pcb->snd_wnd;
		pcb->snd_wl1 = seg->seq;
		pcb->snd_wl2 = seg->ack;
		if (pcb->snd_wnd && pcb->rtx_mode == TCP_RTX_PERSIST) {
			tcp_rtx_stop(pcb);
			pcb->retries = 0;
		}
	}
	if (dup)
		tcp_cc_dupack(pcb);
	else if (seg->ack == pcb->snd_una && pcb->rtx_mode == TCP_RTX_PERSIST && pcb->sock)
		pcb->retries = 0; /* the peer answered a zero-window probe */
	if (sack_news)
		tcp_cc_sack_loss_check(pcb);
	if (pcb->rack_lost && !pcb->in_recovery)
		tcp_cc_rack_loss(pcb);
	tcp_tlp_arm(pcb); /* the probe timeout counts from the latest ACK */
	/* An orphan's probes count even when answered: a peer that never reads
	 * cannot keep a closed connection alive (Linux's tcp_orphan_retries). */
	return true;
}

/* Our FIN is acknowledged: the closing states move on (RFC 9293 3.10.7.4, fifth check). */
static bool tcp_fin_state_ack(struct tcp_pcb *pcb)
{
	if (!pcb->fin_sent || !tcp_seq_gt(pcb->snd_una, pcb->fin_seq))
		return true;
	switch (pcb->state) {
	case TCP_FIN_WAIT_1:
		tcp_set_state(pcb, TCP_FIN_WAIT_2);
		if (!pcb->sock) { /* an orphan does not wait for the peer forever */
			pcb->rtx_mode = TCP_RTX_FIN_WAIT_2;
			uk_timer_arm(&pcb->rtx_timer, TCP_FIN_WAIT_2_NS);
		}
		break;
	case TCP_CLOSING:
		tcp_enter_time_wait(pcb);
		break;
	case TCP_LAST_ACK:
		tcp_pcb_done(pcb, 0);
		return false;
	default:
		break;
	}
	return true;
}

/* The peer's FIN, in order: the receive side ends. */
static void tcp_fin_input(struct tcp_pcb *pcb)
{
	pcb->rcv_nxt++;
	pcb->rcv_fin = true;
	pcb->ack_now = true;
	switch (pcb->state) {
	case TCP_SYN_RCVD:
	case TCP_ESTABLISHED:
		tcp_set_state(pcb, TCP_CLOSE_WAIT);
		break;
	case TCP_FIN_WAIT_1: /* our FIN is not acknowledged yet: simultaneous close */
		tcp_set_state(pcb, TCP_CLOSING);
		break;
	case TCP_FIN_WAIT_2:
		tcp_enter_time_wait(pcb);
		break;
	default:
		break;
	}
	tcp_pcb_wake(pcb);
}

/*
 * A reader blocked in net_recv with nothing to read (socket.c) takes the
 * front of an in-order segment straight into its buffer, as far as it
 * fits, instead of through the ring and its read out: the ring must be
 * empty, so no byte can overtake one queued before it. The bytes count as
 * unread (rcv_direct) until the reader returns (tcp_sock_recv_done).
 * Returns how many it took.
 */
static uint32_t tcp_data_to_reader(struct tcp_pcb *pcb, struct tcp_seg *seg)
{
	struct net_stream_reader *r = pcb->sock ? pcb->sock->stream.reader : NULL;
	uint32_t n;

	if (!r || !r->buf || pcb->rcvq.len || !seg->len) /* no buf: a borrower (tcp_lend.c) */
		return 0;
	n = r->len - r->got;
	if (n > seg->len)
		n = seg->len;
	if (n > tcp_rcv_room(pcb)) /* no more than the ring would have taken */
		n = tcp_rcv_room(pcb);
	tcp_seg_pull(seg, r->buf + r->got, n);
	r->got += n;
	if (r->got == r->len)
		pcb->sock->stream.reader = NULL;
	pcb->rcv_direct += n;
	tcp_stats.rcv_direct_bytes += n;
	return n;
}

/*
 * Data in order goes to a waiting reader or the receive ring, and ACKs are
 * delayed (RFC 5681 4.2).
 */
static void tcp_data_in_order(struct tcp_pcb *pcb, const struct tcp_seg *seg, bool fin)
{
	struct tcp_seg rest = *seg;
	uint32_t n = tcp_lend_seg(pcb, &rest);

	n += tcp_data_to_reader(pcb, &rest);

	n += tcp_ring_write_seg(&pcb->rcvq, tcp_rcvq_cap(pcb), &rest);
	pcb->rcv_nxt += n;
	if (n)
		tcp_rcv_rtt_measure(pcb, seg);
	if (n < seg->len) { /* the buffer shrank under the window: the rest comes again */
		fin = false;
		pcb->ack_now = true;
	}
	if (pcb->ooo || pcb->ooo_fin) {
		fin |= tcp_ooo_drain(pcb);
		pcb->ack_now = true; /* a hole filled: say so at once (RFC 5681 4.2) */
	}
	if (fin) {
		tcp_fin_input(pcb);
	} else if (n) {
		/*
		 * RFC 5681 4.2: at least every second full-sized segment (a GSO
		 * segment of two MSS or more counts as two: Linux's
		 * __tcp_ack_snd_check). The ACK goes when the segments netfront
		 * delivered together are all in, not at each: Linux likewise
		 * defers a regular ACK while it processes a socket's backlog.
		 */
		pcb->segs_unacked += n >= 2 * (uint32_t)pcb->mss ? 2 : 1;
		if (pcb->segs_unacked >= 2)
			tcp_ack_after_batch(pcb);
		else
			tcp_delack_arm(pcb);
	}
	if (n)
		tcp_pcb_wake(pcb);
}

/* An out-of-order segment to the queue; one in pieces joined first (rare: a loss). */
static void tcp_data_ooo(struct tcp_pcb *pcb, const struct tcp_seg *seg, bool fin)
{
	uint32_t cap = tcp_rcv_room(pcb);
	const uint8_t *data = seg->data;
	uint8_t *joined = NULL;

	if (seg->nr_more) {
		struct tcp_seg whole = *seg;

		if (!(joined = uk_malloc(seg->len))) {
			tcp_stats.nomem++;
			return;
		}
		tcp_seg_pull(&whole, joined, seg->len); /* the pieces hold seg->len (net_rx_frags) */
		data = joined;
	}
	tcp_ooo_insert(pcb, seg->seq, data, seg->len, fin, cap);
	uk_free(joined);
}

/* The segment's text and FIN (sixth to eighth checks); false when pcb is gone. */
static bool tcp_data_input(struct tcp_pcb *pcb, const struct tcp_seg *seg)
{
	bool fin = seg->flags & TCP_FIN;

	if (!seg->len && !fin)
		return true;
	if (pcb->state != TCP_ESTABLISHED && pcb->state != TCP_FIN_WAIT_1 &&
	    pcb->state != TCP_FIN_WAIT_2) {
		if (pcb->state == TCP_TIME_WAIT && fin) { /* the FIN again: ACK, restart 2*MSL */
			pcb->ack_now = true;
			uk_timer_arm(&pcb->rtx_timer, 2 * tcp_msl_ns);
		}
		return true;
	}
	if (!pcb->sock && !pcb->parent && seg->len) {
		/* Closed by the app: nobody will read this (Linux answers with a RST). */
		tcp_send_rst(pcb);
		tcp_pcb_done(pcb, 0);
		return false;
	}
	if (seg->seq == pcb->rcv_nxt) {
		tcp_data_in_order(pcb, seg, fin);
		return true;
	}
	/* Out of order (the segment starts beyond rcv_nxt): keep it, ACK at once. */
	pcb->last_ooo_seq = seg->seq;
	tcp_data_ooo(pcb, seg, fin);
	pcb->ack_now = true;
	return true;
}

/* SYN-RECEIVED's ACK (RFC 9293 3.10.7.4, fifth check); false: drop the segment. */
static bool tcp_syn_rcvd_ack(struct tcp_pcb *pcb, const struct tcp_seg *seg)
{
	if (!tcp_seq_gt(seg->ack, pcb->snd_una) || tcp_seq_gt(seg->ack, pcb->snd_max)) {
		tcp_send_rst_reply(pcb->nif, seg);
		return false;
	}
	if (!tcp_child_established(pcb))
		return false;
	if (pcb->ts_ok && seg->opt.has_ts && seg->opt.tsecr)
		(void)tcp_rtt_sample_echo(pcb, seg->opt.tsecr);
	pcb->snd_una = seg->ack;
	tcp_established(pcb, seg);
	if (pcb->parent)
		tcp_stats.conn_accepted++;
	return true;
}

static void tcp_sync_input(struct tcp_pcb *pcb, struct tcp_seg *seg)
{
	bool rst = seg->flags & TCP_RST;

	/* PAWS (RFC 7323 5.3): a segment with an older timestamp is a stale duplicate. */
	if (pcb->ts_ok && seg->opt.has_ts && !rst &&
	    tcp_seq_lt(seg->opt.tsval, pcb->ts_recent)) {
		tcp_stats.paws_dropped++;
		tcp_send_ack(pcb);
		return;
	}
	/* Our SYN-ACK was lost: the peer's SYN again. */
	if (pcb->state == TCP_SYN_RCVD && (seg->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN &&
	    seg->seq == pcb->irs) {
		tcp_send_syn(pcb);
		return;
	}
	/* Simultaneous open: the peer's SYN-ACK repeats its SYN (as Linux's tcp_validate_incoming). */
	if (pcb->state == TCP_SYN_RCVD && pcb->active_open &&
	    (seg->flags & (TCP_SYN | TCP_ACK | TCP_RST)) == (TCP_SYN | TCP_ACK) &&
	    seg->seq + 1 == pcb->rcv_nxt && seg->len == 0 && seg->ack == pcb->snd_nxt) {
		seg->flags &= (uint8_t)~TCP_SYN;
		seg->seq++;
	}
	if (!tcp_acceptable(pcb, seg)) {
		/* TIME-WAIT: the peer's FIN again; ACK it and restart 2*MSL (RFC 9293 3.10.7.4). */
		if (pcb->state == TCP_TIME_WAIT && (seg->flags & TCP_FIN) &&
		    seg->seq + seg->len + 1 == pcb->rcv_nxt)
			uk_timer_arm(&pcb->rtx_timer, 2 * tcp_msl_ns);
		if (!rst)
			tcp_send_ack(pcb);
		return;
	}
	pcb->last_rx_ns = uk_now_ns();
	if (rst) {
		tcp_rst_input(pcb, seg);
		return;
	}
	tcp_trim(pcb, seg);
	/* RFC 7323 4.3: remember the timestamp of the segment our next ACK is for. */
	if (pcb->ts_ok && seg->opt.has_ts && tcp_seq_le(seg->seq, pcb->last_ack_sent) &&
	    tcp_seq_ge(seg->opt.tsval, pcb->ts_recent))
		pcb->ts_recent = seg->opt.tsval;
	if (seg->flags & TCP_SYN) { /* RFC 5961 4.2: in any synchronized state */
		tcp_challenge_ack(pcb);
		return;
	}
	if (!(seg->flags & TCP_ACK))
		return;
	if (pcb->state == TCP_SYN_RCVD && !tcp_syn_rcvd_ack(pcb, seg))
		return;
	if (!tcp_ack_input(pcb, seg) || !tcp_fin_state_ack(pcb) || !tcp_data_input(pcb, seg))
		return;
	tcp_output(pcb);
}

void tcp_input(struct net_if *nif, const struct ip4_info *ip, const uint8_t *data, size_t len)
{
	struct tcp_seg seg;
	struct tcp_pcb *pcb;

	if (ip->broadcast || !nif->configured || tcp_parse(ip, data, len, &seg) < 0)
		return;
	if (nif->rx_frags && (size_t)(nif->rx_frags->head_end - seg.data) < seg.len) {
		/* In pieces (netif.c checked the headers lie in the first): the payload too. */
		seg.head_len = (uint32_t)(nif->rx_frags->head_end - seg.data);
		seg.more = nif->rx_frags->more;
		seg.nr_more = nif->rx_frags->nr_more;
		seg.link = &nif->link;
	}
	tcp_stats.segs_in++;
	pcb = tcp_lookup(nif, seg.dst, seg.dport, seg.src, seg.sport);
	/* A new SYN beyond a TIME-WAIT connection's sequence space starts a new one (RFC 6191). */
	if (pcb && pcb->state == TCP_TIME_WAIT &&
	    (seg.flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN &&
	    tcp_seq_gt(seg.seq, pcb->rcv_nxt)) {
		tcp_pcb_done(pcb, 0);
		pcb = tcp_lookup(nif, seg.dst, seg.dport, seg.src, seg.sport);
	}
	if (!pcb) {
		tcp_stats.no_connection++;
		tcp_send_rst_reply(nif, &seg);
		return;
	}
	switch (pcb->state) {
	case TCP_LISTEN:
		tcp_listen_input(pcb, nif, &seg);
		break;
	case TCP_SYN_SENT:
		tcp_syn_sent_input(pcb, &seg);
		break;
	default:
		tcp_sync_input(pcb, &seg);
		break;
	}
}
