/*
 * Segment output: data as the windows, Nagle's algorithm and the state allow
 * (Linux's tcp_write_xmit), ACKs, SYNs, FINs, RSTs and probes.
 *
 * Every segment we send carries the ACK of what we received (but the first
 * SYN), the window of the receive buffer after silly-window avoidance and,
 * once both sides agreed, a timestamp. A segment is built in a buffer of
 * its own and handed to ip4_output; a frame the link drops is lost like one
 * dropped on the wire and recovered by retransmission.
 */
#include <errno.h>
#include <string.h>
#include <uk/alloc.h>
#include <uk/time.h>

#include "tcp_private.h"

/* The addresses, ports and numbers of one outgoing segment. */
struct tcp_hdr_out {
	ip4_addr_t src, dst;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t wnd;
};

/*
 * Writes the header and options in front of the len payload bytes already at
 * seg + TCP_HLEN + olen, computes the checksum and sends. seg has
 * IP4_OUTPUT_ROOM writable bytes before it, for the IPv4 and Ethernet
 * headers. Returns ip4_output's.
 */
static int tcp_emit(struct net_if *nif, const struct tcp_hdr_out *h, uint8_t *seg,
		    size_t olen, size_t len, uint16_t gso_size)
{
	size_t total = TCP_HLEN + olen + len;
	uint32_t sum;

	net_put16(seg, h->sport);
	net_put16(seg + 2, h->dport);
	net_put32(seg + 4, h->seq);
	net_put32(seg + 8, h->flags & TCP_ACK ? h->ack : 0);
	seg[12] = (uint8_t)(((TCP_HLEN + olen) / 4) << 4);
	seg[13] = h->flags;
	net_put16(seg + 14, h->wnd);
	net_put16(seg + 16, 0);
	net_put16(seg + 18, 0);
	sum = net_csum_pseudo(h->src, h->dst, IP4_PROTO_TCP, (uint16_t)total);
	/* TSO: the link fills the checksum from the pseudo-header sum (netif_offload.c). */
	net_put16(seg + 16, gso_size ? (uint16_t)~net_csum_fold(sum)
				     : net_csum_fold(net_csum_add(sum, seg, total)));
	tcp_stats.segs_out++;
	if (h->flags & TCP_RST)
		tcp_stats.rst_sent++;
	/* Don't Fragment: the path MTU comes back in ICMP (RFC 1191, tcp_icmp.c). */
	return ip4_output_df_gso_room(nif, h->src, h->dst, IP4_PROTO_TCP, seg, total, gso_size);
}

uint32_t tcp_rcv_window(struct tcp_pcb *pcb)
{
	uint32_t space = tcp_rcv_room(pcb);
	uint32_t cur = tcp_seq_gt(pcb->rcv_adv, pcb->rcv_nxt) ? pcb->rcv_adv - pcb->rcv_nxt : 0;
	uint32_t step = pcb->rcvbuf / 2 < pcb->mss ? pcb->rcvbuf / 2 : pcb->mss;
	uint32_t max = (uint32_t)65535 << pcb->rcv_ws;

	if (space > max)
		space = max;
	/* RFC 1122 4.2.3.3: move the right edge only by a useful amount; never back. */
	if (space <= cur || space - cur < step)
		return cur;
	return space;
}

/* The window field for a segment, and the right edge it advertises. */
static uint16_t tcp_wnd_field(struct tcp_pcb *pcb, bool syn)
{
	uint32_t wnd = tcp_rcv_window(pcb), field;

	if (syn) /* RFC 7323 2.2: a SYN's window is never scaled */
		field = wnd > 65535 ? 65535 : wnd;
	else /* round up: the right edge must not move back */
		field = (wnd + (1u << pcb->rcv_ws) - 1) >> pcb->rcv_ws;
	if (field > 65535)
		field = 65535;
	pcb->rcv_adv = tcp_seq_max(pcb->rcv_adv, pcb->rcv_nxt + (syn ? field
								   : field << pcb->rcv_ws));
	return (uint16_t)field;
}

/*
 * The interface a connection sends by: its own while it exists, else routed
 * by the peer's address (an interface can be destroyed under a connection).
 */
static struct net_if *tcp_out_if(const struct tcp_pcb *pcb)
{
	for (struct net_if *n = net_if_first(); n; n = n->next)
		if (n == pcb->nif)
			return n;
	return NULL;
}

/* Sends one segment of the connection: len bytes of sndq from off, with flags. */
static int tcp_xmit(struct tcp_pcb *pcb, uint32_t seq, uint8_t flags, uint32_t off,
		    uint32_t len, const struct tcp_opts *syn_opts)
{
	struct tcp_hdr_out h = { .src = pcb->laddr, .dst = pcb->raddr, .sport = pcb->lport,
				 .dport = pcb->rport, .seq = seq, .ack = pcb->rcv_nxt,
				 .flags = flags };
	struct tcp_opts o = { 0 };
	uint8_t opt[TCP_MAX_OPTLEN], *buf, *seg;
	size_t olen;
	int rc;

	if (syn_opts)
		o = *syn_opts;
	else if (pcb->ts_ok)
		o = (struct tcp_opts){ .has_ts = true };
	if (o.has_ts) {
		o.tsval = tcp_ts_now(pcb);
		o.tsecr = pcb->ts_recent;
	}
	/* SACK blocks on pure ACKs only: with data they would push it past the MSS. */
	if (!syn_opts && !len && pcb->sack_ok && pcb->ooo)
		o.n_sack = (uint8_t)tcp_ooo_sack_blocks(pcb, o.sack, o.has_ts ? 3 : TCP_SACK_BLOCKS);
	olen = tcp_opt_write(opt, &o);
	if (!(buf = uk_malloc(IP4_OUTPUT_ROOM + TCP_HLEN + olen + len))) {
		tcp_stats.nomem++;
		return -ENOMEM;
	}
	seg = buf + IP4_OUTPUT_ROOM;
	memcpy(seg + TCP_HLEN, opt, olen);
	tcp_ring_peek(&pcb->sndq, off, seg + TCP_HLEN + olen, len);
	h.wnd = tcp_wnd_field(pcb, flags & TCP_SYN);
	if (flags & TCP_ACK) {
		pcb->last_ack_sent = pcb->rcv_nxt;
		pcb->segs_unacked = 0;
		pcb->ack_now = false;
		uk_timer_cancel(&pcb->delack_timer);
	}
	rc = tcp_emit(tcp_out_if(pcb), &h, seg, olen, len, len > pcb->mss ? pcb->mss : 0);
	uk_free(buf);
	return rc;
}

void tcp_send_ack(struct tcp_pcb *pcb)
{
	tcp_xmit(pcb, pcb->snd_nxt, TCP_ACK, 0, 0, NULL);
}

void tcp_send_probe(struct tcp_pcb *pcb)
{
	tcp_xmit(pcb, pcb->snd_una - 1, TCP_ACK, 0, 0, NULL);
}

void tcp_send_rst(struct tcp_pcb *pcb)
{
	uint8_t flags = TCP_RST | (tcp_synchronized(pcb->state) ? TCP_ACK : 0);

	tcp_xmit(pcb, pcb->snd_nxt, flags, 0, 0, NULL);
}

void tcp_send_syn(struct tcp_pcb *pcb)
{
	bool active = pcb->state == TCP_SYN_SENT;
	struct tcp_opts o = { .has_mss = true, .mss = tcp_mss_for(pcb->nif),
			      .has_ws = active || pcb->ws_ok, .ws = pcb->rcv_ws,
			      .has_ts = active || pcb->ts_ok, .sack_ok = active || pcb->sack_ok };

	tcp_xmit(pcb, pcb->iss, TCP_SYN | (active ? 0 : TCP_ACK), 0, 0, &o);
	if (tcp_seq_lt(pcb->snd_max, pcb->iss + 1))
		pcb->snd_max = pcb->iss + 1;
	pcb->snd_nxt = pcb->iss + 1;
}

void tcp_send_rst_reply(struct net_if *nif, const struct tcp_seg *seg)
{
	struct tcp_hdr_out h = { .src = seg->dst, .dst = seg->src, .sport = seg->dport,
				 .dport = seg->sport };
	uint8_t buf[IP4_OUTPUT_ROOM + TCP_HLEN];

	if (seg->flags & TCP_RST)
		return;
	if (seg->flags & TCP_ACK) {
		h.seq = seg->ack;
		h.flags = TCP_RST;
	} else {
		h.ack = seg->seq + seg->len + !!(seg->flags & TCP_SYN) + !!(seg->flags & TCP_FIN);
		h.flags = TCP_RST | TCP_ACK;
	}
	tcp_emit(nif, &h, buf + IP4_OUTPUT_ROOM, 0, 0, 0);
}

static bool tcp_sends_data(enum tcp_state s)
{
	return s == TCP_ESTABLISHED || s == TCP_CLOSE_WAIT || s == TCP_FIN_WAIT_1 ||
	       s == TCP_CLOSING || s == TCP_LAST_ACK;
}

/* Nagle (RFC 896) and sender SWS avoidance (RFC 1122 4.2.3.4) for n < mss bytes. */
static bool tcp_small_segment_ok(const struct tcp_pcb *pcb, uint32_t n, uint32_t avail)
{
	uint32_t flight = pcb->snd_nxt - pcb->snd_una;

	if (n == avail && (pcb->nodelay || flight == 0))
		return true;
	return pcb->max_snd_wnd && n >= pcb->max_snd_wnd / 2;
}

/* Sends the next segment (at most limit bytes) if allowed; false when none goes now. */
static bool tcp_output_one(struct tcp_pcb *pcb, uint32_t limit)
{
	uint32_t off = pcb->snd_nxt - pcb->snd_una, qlen = pcb->sndq.len;
	uint32_t wnd = pcb->snd_wnd < pcb->cwnd ? pcb->snd_wnd : pcb->cwnd;
	uint32_t avail, usable, n, seg_max;
	bool fin;
	uint8_t flags;

	if (!tcp_sends_data(pcb->state) || off > qlen)
		return false; /* off == qlen + 1: the FIN is out */
	avail = qlen - off;
	usable = wnd > off ? wnd - off : 0;
	if (pcb->in_recovery && pcb->sack_ok) {
		/* RFC 6675 5: cwnd bounds the pipe, not all that is unacknowledged. */
		uint32_t pipe = tcp_rack_pipe(pcb), cw = pcb->cwnd > pipe ? pcb->cwnd - pipe : 0;

		usable = pcb->snd_wnd > off ? pcb->snd_wnd - off : 0;
		if (cw < usable)
			usable = cw;
	}
	n = avail < usable ? avail : usable;
	seg_max = netif_tso_payload_max(tcp_out_if(pcb), pcb->mss); /* TSO: many MSS at once */
	if (n > seg_max)
		n = seg_max;
	if (n > limit)
		n = limit;
	/*
	 * TSO: the link cuts the segment MSS by MSS, so a tail below an MSS is
	 * a small segment on the wire. Cut short by the window while more data
	 * waits, it is held as sender SWS avoidance holds it sent alone (Linux's
	 * tcp_mss_split_point).
	 */
	if (n > pcb->mss && n < avail &&
	    !(pcb->max_snd_wnd && n % pcb->mss >= pcb->max_snd_wnd / 2))
		n -= n % pcb->mss;
	fin = pcb->fin_queued && n == avail;
	if (n == 0 && !fin)
		return false;
	if (n && n < pcb->mss && !fin && !tcp_small_segment_ok(pcb, n, avail))
		return false;
	if (n && off == 0)
		tcp_cc_restart_after_idle(pcb, uk_now_ns());
	flags = TCP_ACK | (n && n == avail ? TCP_PSH : 0) | (fin ? TCP_FIN : 0);
	if (tcp_seq_lt(pcb->snd_nxt, pcb->snd_max))
		tcp_stats.retransmits++;
	else if (n && !pcb->ts_ok && !pcb->rtt_timing) {
		pcb->rtt_timing = true;
		pcb->rtt_seq = pcb->snd_nxt + n;
		pcb->rtt_start_ns = uk_now_ns();
	}
	tcp_xmit(pcb, pcb->snd_nxt, flags, off, n, NULL);
	tcp_rack_sent(pcb, pcb->snd_nxt, pcb->snd_nxt + n + fin);
	if (n)
		pcb->last_data_tx_ns = uk_now_ns();
	if (fin && !pcb->fin_sent) {
		pcb->fin_sent = true;
		pcb->fin_seq = pcb->snd_nxt + n;
	}
	pcb->snd_nxt += n + fin;
	pcb->snd_max = tcp_seq_max(pcb->snd_max, pcb->snd_nxt);
	if (pcb->rtx_mode != TCP_RTX_RETRANSMIT || !uk_timer_armed(&pcb->rtx_timer))
		tcp_rtx_arm(pcb);
	return !fin;
}

void tcp_output(struct tcp_pcb *pcb)
{
	uint32_t old_max = pcb->snd_max;
	bool sent = false;

	if (pcb->state == TCP_CLOSED || pcb->state == TCP_LISTEN || pcb->state == TCP_SYN_SENT)
		return;
	if (pcb->state == TCP_SYN_RCVD) {
		if (pcb->ack_now)
			tcp_send_syn(pcb);
		pcb->ack_now = false;
		return;
	}
	while (tcp_output_one(pcb, UINT32_MAX))
		sent = true;
	if (pcb->snd_max != old_max)
		tcp_tlp_arm(pcb); /* new data: the probe timeout starts again (RFC 8985 7.2) */
	if (pcb->ack_now && !sent)
		tcp_send_ack(pcb);
	/* Data waits behind a zero window with nothing in flight: probe it (RFC 9293 3.8.6.1). */
	if (pcb->snd_wnd == 0 && pcb->snd_nxt == pcb->snd_max && pcb->snd_una == pcb->snd_max &&
	    (pcb->sndq.len || pcb->fin_queued) && !uk_timer_armed(&pcb->rtx_timer))
		tcp_persist_arm(pcb);
}

void tcp_retransmit_at(struct tcp_pcb *pcb, uint32_t seq, uint32_t len)
{
	uint32_t off = seq - pcb->snd_una;
	bool fin;

	if (off > pcb->sndq.len)
		return;
	if (len > pcb->sndq.len - off)
		len = pcb->sndq.len - off;
	fin = pcb->fin_sent && off + len == pcb->sndq.len;
	if (!len && !fin)
		return;
	tcp_stats.retransmits++;
	pcb->rtt_timing = false; /* Karn: no sample from a retransmitted segment */
	tcp_xmit(pcb, seq, TCP_ACK | (fin ? TCP_FIN : 0), off, len, NULL);
	tcp_rack_sent(pcb, seq, seq + len + fin);
}

bool tcp_send_new_probe(struct tcp_pcb *pcb)
{
	uint32_t cwnd = pcb->cwnd, max = pcb->snd_max;

	if (pcb->snd_nxt != pcb->snd_max)
		return false;
	/* RFC 8985 7.3: a probe is one segment (one MSS with TSO too), not held back by cwnd. */
	pcb->cwnd = UINT32_MAX;
	(void)tcp_output_one(pcb, pcb->mss);
	pcb->cwnd = cwnd;
	return pcb->snd_max != max;
}

void tcp_retransmit_first(struct tcp_pcb *pcb)
{
	uint32_t len = tcp_sack_hole_len(pcb, pcb->snd_una, pcb->mss);

	tcp_retransmit_at(pcb, pcb->snd_una, len);
	pcb->high_rxt = tcp_seq_max(pcb->high_rxt, pcb->snd_una + len);
}

void tcp_window_update(struct tcp_pcb *pcb)
{
	uint32_t cur = tcp_seq_gt(pcb->rcv_adv, pcb->rcv_nxt) ? pcb->rcv_adv - pcb->rcv_nxt : 0;
	uint32_t wnd;

	if (pcb->state != TCP_ESTABLISHED && pcb->state != TCP_FIN_WAIT_1 &&
	    pcb->state != TCP_FIN_WAIT_2)
		return;
	wnd = tcp_rcv_window(pcb);
	/* As Linux's tcp_cleanup_rbuf: tell the peer once the window at least doubled. */
	if (wnd > cur && wnd >= 2 * cur)
		tcp_send_ack(pcb);
}
