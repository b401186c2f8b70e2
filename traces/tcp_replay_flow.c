/*
 * One flow during the replay (tcp_replay_private.h): the replayer is the
 * recorded peer. It opens, sends its steps as the guest's bytes reach what
 * each acknowledged, compares the guest's bytes in order with the recorded
 * host's, acknowledges every segment of the guest's, retransmits its own
 * (as Linux's tcp_retransmit_timer, 1 s doubled, without its RTT
 * estimate), and gives up on a flow without progress.
 */
#include <stdio.h>
#include <string.h>

#include "traces/tcp_replay_private.h"

#define TR_RTO_NS 1000000000ULL
#define TR_RTO_MAX_NS (60ULL * TR_RTO_NS)
#define TR_NS_PER_MS 1000000ULL
#define TR_DEFAULT_MSS 536 /* RFC 9293 3.7.1, without an MSS option */
#define TR_MTU_MIN 68 /* RFC 791's smallest; the vif's mtu= starts there too */
#define TR_IP4_TCP_HLEN 40
#define TR_EXCERPT 24
#define TR_EXCERPT_BUF (TR_EXCERPT * 4 + 4)

/* The peer's TSval: the recorded SYN's, moved on by the guest time since the flow began. */
static void tick_ts(struct tr_flow *f, uint64_t now)
{
	f->tsval_last = f->syn.tsval + (uint32_t)((now - f->start_at) / TR_NS_PER_MS);
}

/* The window the peer advertises: as recorded, unscaled when the guest declined scaling. */
static uint16_t peer_window(const struct tr_flow *f, uint16_t raw)
{
	uint32_t w = raw;

	if (!f->ws_ok && f->syn.has_ws)
		w <<= f->syn.ws;
	return w > 0xffff ? 0xffff : (uint16_t)w;
}

/*
 * The most payload a segment to the guest carries: its MSS less the
 * timestamp option's 12 bytes when on (Linux's tcp_current_mss), so that
 * the frame fits the guest's MTU.
 */
/*
 * The peer's payload a segment: the smaller of the guest's MSS and the
 * peer's (tcp_mss=, or the recorded one), less the timestamp option (Linux's
 * tcp_current_mss), and never more than the link's MTU holds: a guest
 * offering 65535 must not get a recorded 64 KB GRO'd segment in one frame.
 */
static uint32_t seg_max(const struct tcp_replay *tr, const struct tr_flow *f)
{
	uint32_t m = f->guest_mss, opts = f->ts_ok ? 12 : 0;
	uint32_t peer = tr->cfg.mss ? tr->cfg.mss : f->syn.has_mss ? f->syn.mss : 0;
	uint32_t mtu = tr->cfg.mtu > TR_MTU_MIN ? tr->cfg.mtu : tr->cfg.mtu ? TR_MTU_MIN : 1500;
	uint32_t fits = mtu - TR_IP4_TCP_HLEN - opts;

	if (peer && peer < m)
		m = peer;
	if (opts && m > opts + 64)
		m -= opts;
	return m < fits ? m : fits;
}

static void send_ack(struct tcp_replay *tr, struct tr_flow *f)
{
	tr_send(tr, f, f->peer_isn + 1 + f->snd_nxt, TCPF_ACK, NULL, 0, peer_window(f, f->win_last),
		false);
}

static void arm_rto(struct tr_flow *f, uint64_t now)
{
	f->rto_ns = TR_RTO_NS;
	f->rto_at = f->snd_una != f->snd_nxt ? now + f->rto_ns : 0;
}

void tr_flow_begin(struct tcp_replay *tr, struct tr_flow *f, uint64_t now)
{
	f->state = TR_SYN_SENT;
	f->progress_at = now;
	f->rto_ns = TR_RTO_NS;
	f->rto_at = now + f->rto_ns;
	f->win_last = f->syn.win;
	tick_ts(f, now);
	tr_send(tr, f, f->peer_isn, TCPF_SYN, NULL, 0, f->syn.win, true);
	tr_flow_live(tr, f);
}

/* The flow has run its course (matched unless a divergence was said). */
static void flow_end(struct tcp_replay *tr, struct tr_flow *f)
{
	f->state = TR_ENDED;
	f->rto_at = 0;
	if (!f->diverged)
		tr->stats.matched++;
}

/* What the recorded host sent at byte off, for a line: "\"...\"", "FIN", "RST" or "nothing". */
static const char *expected_at(struct tr_flow *f, uint32_t off, char *buf, size_t size)
{
	if (off < f->host.len && !(f->host.rst && off >= f->host.rst_at)) {
		uint8_t bytes[TR_EXCERPT];
		uint32_t n = f->host.len - off < TR_EXCERPT ? f->host.len - off : TR_EXCERPT;

		tr_stream_read(&f->host, off, bytes, n);
		return tr_excerpt(bytes, n, buf, size);
	}
	if (f->host.rst)
		return "RST";
	return f->host.fin ? "FIN" : "nothing more (the recording ends)";
}

/* The guest's bytes p[0..n) at offset off of its stream, against the recorded host's. */
static void compare_bytes(struct tcp_replay *tr, struct tr_flow *f, uint32_t off,
			  const uint8_t *p, uint32_t n)
{
	char exp[TR_EXCERPT_BUF], got[TR_EXCERPT_BUF];
	uint32_t avail = off < f->host.len ? f->host.len - off : 0, m = n < avail ? n : avail;

	if (f->diverged)
		return;
	/* Piece by piece of the stream, memcmp first: the per-byte walk only finds where. */
	for (uint32_t at = 0, piece; at < m; at += piece) {
		const uint8_t *q = tr_stream_at(&f->host, off + at, &piece);
		piece = piece < m - at ? piece : m - at;
		for (uint32_t i = memcmp(p + at, q, piece) ? 0 : piece; i < piece; i++) {
			if (p[at + i] == q[i])
				continue;
			if (tr->map.lost) { /* the zeros trace_map_fault put there */
				tr_diverge(tr, f, "guest to peer, byte %u: the recording's file was "
					   "truncated while replayed; its bytes are gone",
					   off + at + i);
				return;
			}
			tr_diverge(tr, f, "guest to peer, byte %u: expected %s, got %s", off + at + i,
				   expected_at(f, off + at + i, exp, sizeof(exp)),
				   tr_excerpt(p + at + i, n - at - i < TR_EXCERPT ? n - at - i :
					      TR_EXCERPT, got, sizeof(got)));
			return;
		}
	}
	if (n > avail && (f->host.fin || f->host.rst))
		tr_diverge(tr, f, "guest to peer, byte %u: expected %s, got %s", off + m,
			   expected_at(f, off + m, exp, sizeof(exp)),
			   tr_excerpt(p + m, n - m < TR_EXCERPT ? n - m : TR_EXCERPT, got,
				      sizeof(got)));
}

/* The guest's FIN after rcv_nxt bytes. */
static void compare_fin(struct tcp_replay *tr, struct tr_flow *f)
{
	char exp[TR_EXCERPT_BUF];

	if (f->diverged || (f->host.fin && f->rcv_nxt == f->host.len) ||
	    (!f->host.fin && !f->host.rst && f->rcv_nxt >= f->host.len))
		return;
	tr_diverge(tr, f, "guest to peer, byte %u: expected %s, got FIN", f->rcv_nxt,
		   expected_at(f, f->rcv_nxt, exp, sizeof(exp)));
}

/* Sends what is due of the current step: bytes within the guest's window, then FIN or RST. */
static bool send_step(struct tcp_replay *tr, struct tr_flow *f, const struct tr_step *st,
		      uint64_t now, bool *blocked)
{
	uint32_t end = st->off + st->len;
	bool sent = false;

	f->win_last = st->win;
	while (f->snd_nxt < end) {
		uint32_t room = f->snd_una + f->guest_wnd - f->snd_nxt, n = end - f->snd_nxt;
		if ((int32_t)room <= 0) {
			*blocked = true;
			return sent;
		}
		n = n < seg_max(tr, f) ? n : seg_max(tr, f);
		n = n < room ? n : room;
		tr_send(tr, f, f->peer_isn + 1 + f->snd_nxt, TCPF_ACK | TCPF_PSH,
			f->peer.buf + f->snd_nxt, n, peer_window(f, st->win), false);
		f->snd_nxt += n;
		tr->stats.bytes_to_guest += n;
		sent = true;
	}
	if ((st->flags & TCPF_FIN) && !f->fin_sent) {
		tr_send(tr, f, f->peer_isn + 1 + f->snd_nxt, TCPF_ACK | TCPF_FIN, NULL, 0,
			peer_window(f, st->win), false);
		f->snd_nxt++;
		f->fin_sent = true;
		sent = true;
	}
	if (st->flags & TCPF_RST)
		tr_send(tr, f, f->peer_isn + 1 + f->snd_nxt, TCPF_ACK | TCPF_RST, NULL, 0, 0, false);
	if (sent && !f->rto_at)
		arm_rto(f, now);
	return sent || (st->flags & TCPF_RST);
}

/* Sends the steps the guest's bytes have reached; true when a segment went. */
static bool pump(struct tcp_replay *tr, struct tr_flow *f, uint64_t now)
{
	bool sent = false, blocked = false;

	while (f->state == TR_OPEN && f->next_step < f->nr_steps) {
		const struct tr_step *st = &f->steps[f->next_step];
		if (st->need > f->rcv_nxt)
			break;
		sent |= send_step(tr, f, st, now, &blocked);
		if (blocked)
			break;
		f->next_step++;
		if (st->flags & TCPF_RST)
			flow_end(tr, f); /* the recorded peer reset: so does the replayer */
	}
	return sent;
}

/* Whether the recorded exchange is complete: every step sent and acknowledged, the guest's part. */
static void check_done(struct tcp_replay *tr, struct tr_flow *f)
{
	if (f->state != TR_OPEN || f->next_step < f->nr_steps || f->snd_una != f->snd_nxt)
		return;
	if (f->host.rst || (f->host.fin && !f->guest_fin) || f->rcv_nxt < f->host.len)
		return;
	flow_end(tr, f);
}

/* The guest's SYN-ACK to the peer's SYN: its ISN and what it agreed to (RFC 7323). */
static void input_synack(struct tcp_replay *tr, struct tr_flow *f, uint64_t now,
			 const struct tr_seg *s)
{
	if (s->flags & TCPF_RST) {
		if (f->host_refused)
			flow_end(tr, f);
		else
			tr_diverge(tr, f, "the guest refused the connection (RST) where the "
				   "recorded host answered with a SYN-ACK");
		f->state = TR_ENDED;
		return;
	}
	if ((s->flags & (TCPF_SYN | TCPF_ACK)) != (TCPF_SYN | TCPF_ACK) || s->ack != f->peer_isn + 1)
		return;
	f->guest_isn = s->seq;
	if (f->host_refused) {
		tr_diverge(tr, f, "the guest accepted the connection (SYN-ACK) where the recorded "
			   "host refused it (RST)");
		f->state = TR_ENDED;
		tr_send(tr, f, f->peer_isn + 1, TCPF_RST, NULL, 0, 0, false);
		return;
	}
	f->ts_ok = f->syn.has_ts && s->has_ts;
	f->ws_ok = f->syn.has_ws && s->has_ws;
	f->guest_ws = f->ws_ok ? s->ws : 0;
	f->guest_mss = s->has_mss && s->mss ? s->mss : TR_DEFAULT_MSS;
	f->guest_ts_recent = s->tsval;
	f->guest_wnd = s->win;
	f->state = TR_OPEN;
	f->progress_at = now;
	f->rto_at = 0;
	tick_ts(f, now);
	if (!pump(tr, f, now))
		send_ack(tr, f);
	check_done(tr, f);
}

static void send_synack(struct tcp_replay *tr, struct tr_flow *f)
{
	tr_send(tr, f, f->peer_isn, TCPF_SYN | TCPF_ACK, NULL, 0, f->syn.win, true);
}

/*
 * The guest's SYN to the peer the recorded host connected to: answered as
 * recorded, with the recorded SYN-ACK (its ISN, its options as far as the
 * guest offered them) or its RST (Linux's tcp_v4_send_synack, tcp_v4_send_reset).
 */
static void input_syn(struct tcp_replay *tr, struct tr_flow *f, uint64_t now,
		      const struct tr_seg *s)
{
	if ((s->flags & (TCPF_SYN | TCPF_ACK | TCPF_RST)) != TCPF_SYN)
		return;
	tr->listening--;
	f->guest_isn = s->seq;
	f->start_at = f->progress_at = now;
	if (f->peer_refused) {
		tr_send(tr, f, 0, TCPF_RST | TCPF_ACK, NULL, 0, 0, false);
		flow_end(tr, f);
		return;
	}
	f->ts_ok = f->syn.has_ts && s->has_ts;
	f->ws_ok = f->syn.has_ws && s->has_ws;
	f->sack_ok = f->syn.sack_ok && s->sack_ok;
	f->guest_ws = f->ws_ok ? s->ws : 0;
	f->guest_mss = s->has_mss && s->mss ? s->mss : TR_DEFAULT_MSS;
	f->guest_ts_recent = s->tsval;
	f->guest_wnd = s->win; /* never scaled in a SYN */
	f->win_last = f->syn.win;
	f->state = TR_SYN_RCVD;
	f->rto_ns = TR_RTO_NS;
	f->rto_at = now + f->rto_ns;
	tick_ts(f, now);
	send_synack(tr, f);
	tr_flow_live(tr, f);
}

/* In TR_SYN_RCVD: true when the guest's segment completes the handshake (then TR_OPEN). */
static bool input_handshake_ack(struct tcp_replay *tr, struct tr_flow *f, uint64_t now,
				const struct tr_seg *s)
{
	if ((s->flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN && s->seq == f->guest_isn) {
		if (s->has_ts)
			f->guest_ts_recent = s->tsval;
		tick_ts(f, now);
		send_synack(tr, f); /* our SYN-ACK was lost */
		return false;
	}
	if (!(s->flags & TCPF_ACK) || s->ack != f->peer_isn + 1 || (s->flags & TCPF_SYN))
		return false;
	f->state = TR_OPEN;
	f->progress_at = now;
	f->rto_at = 0;
	return true;
}

/* The guest's acknowledgement and window: the peer's bytes it has. */
static void input_ack(struct tr_flow *f, uint64_t now, const struct tr_seg *s)
{
	uint32_t a = s->ack - f->peer_isn - 1;

	if (!(s->flags & TCPF_ACK))
		return;
	f->guest_wnd = (uint32_t)s->win << f->guest_ws;
	if (a <= f->snd_nxt && a > f->snd_una) {
		f->snd_una = a;
		f->progress_at = now;
		arm_rto(f, now);
	}
}

/* The guest's bytes and FIN; true when they took sequence space (to be acknowledged). */
static bool input_data(struct tcp_replay *tr, struct tr_flow *f, uint64_t now,
		       const struct tr_seg *s)
{
	uint32_t off = s->seq - f->guest_isn - 1, skip;

	if (!s->len && !(s->flags & TCPF_FIN))
		return false;
	if (f->guest_fin || (int32_t)(off - f->rcv_nxt) > 0)
		return true; /* after its FIN, or a hole before it: acknowledged as it stands */
	skip = f->rcv_nxt - off;
	if (skip < s->len) {
		if (f->state == TR_OPEN)
			compare_bytes(tr, f, f->rcv_nxt, s->data + skip, s->len - skip);
		tr->stats.bytes_from_guest += s->len - skip;
		f->rcv_nxt += s->len - skip;
		f->progress_at = now;
	}
	if ((s->flags & TCPF_FIN) && off + s->len == f->rcv_nxt) {
		if (f->state == TR_OPEN)
			compare_fin(tr, f);
		f->guest_fin = true;
		f->rcv_nxt++;
		f->progress_at = now;
	}
	return true;
}

/* The guest's RST on an open flow: as recorded, or a divergence. */
static void input_rst(struct tcp_replay *tr, struct tr_flow *f)
{
	char exp[TR_EXCERPT_BUF];

	if (f->state != TR_OPEN && f->state != TR_SYN_RCVD)
		return;
	if (f->state == TR_SYN_RCVD)
		tr_diverge(tr, f, "the guest reset the connection (RST) where the recorded host "
			   "acknowledged the peer's SYN-ACK");
	else if (!f->host.rst || f->rcv_nxt < f->host.rst_at)
		tr_diverge(tr, f, "guest to peer, byte %u: expected %s, got RST", f->rcv_nxt,
			   expected_at(f, f->rcv_nxt, exp, sizeof(exp)));
	flow_end(tr, f);
}

void tr_flow_input(struct tcp_replay *tr, struct tr_flow *f, uint64_t now,
		   const struct tr_seg *s)
{
	bool ack_it;

	if (f->state == TR_WAIT || f->state == TR_SKIPPED)
		return;
	if (f->state == TR_SYN_SENT) {
		input_synack(tr, f, now, s);
		return;
	}
	if (f->state == TR_LISTEN) {
		input_syn(tr, f, now, s);
		return;
	}
	if (f->state == TR_SYN_RCVD && !(s->flags & TCPF_RST) && !input_handshake_ack(tr, f, now, s))
		return;
	if (s->flags & TCPF_RST) {
		input_rst(tr, f);
		return;
	}
	if (f->state == TR_ENDED && f->snd_nxt == 0 && !f->rcv_nxt && !f->guest_isn)
		return; /* ended before it opened */
	if (s->has_ts)
		f->guest_ts_recent = s->tsval;
	input_ack(f, now, s);
	/* A retransmitted SYN-ACK: our ACK was lost. */
	ack_it = (s->flags & TCPF_SYN) || input_data(tr, f, now, s);
	if (f->state == TR_OPEN)
		tick_ts(f, now);
	/*
	 * Data carries the acknowledgement; else one ACK for all the guest's
	 * segments of a batch, at the next run (as Linux's delayed ACK does for
	 * two, but without its timer: same guest time).
	 */
	if (pump(tr, f, now))
		f->ack_pending = false;
	else if (ack_it)
		tr_flow_ack_later(tr, f);
	check_done(tr, f);
}

/* The peer's oldest unacknowledged segment again (Linux's tcp_retransmit_skb). */
static void retransmit(struct tcp_replay *tr, struct tr_flow *f, uint64_t now)
{
	uint32_t data_end = f->fin_sent ? f->snd_nxt - 1 : f->snd_nxt;

	tick_ts(f, now);
	if (f->state == TR_SYN_SENT) {
		tr_send(tr, f, f->peer_isn, TCPF_SYN, NULL, 0, f->syn.win, true);
	} else if (f->state == TR_SYN_RCVD) {
		send_synack(tr, f);
	} else if (f->snd_una < data_end) {
		uint32_t n = data_end - f->snd_una;
		n = n < seg_max(tr, f) ? n : seg_max(tr, f);
		tr_send(tr, f, f->peer_isn + 1 + f->snd_una, TCPF_ACK | TCPF_PSH,
			f->peer.buf + f->snd_una, n, peer_window(f, f->win_last), false);
	} else if (f->fin_sent) {
		tr_send(tr, f, f->peer_isn + 1 + data_end, TCPF_ACK | TCPF_FIN, NULL, 0,
			peer_window(f, f->win_last), false);
	}
	f->rto_ns = f->rto_ns * 2 > TR_RTO_MAX_NS ? TR_RTO_MAX_NS : f->rto_ns * 2;
	f->rto_at = now + f->rto_ns;
}

void tr_flow_give_up(struct tcp_replay *tr, struct tr_flow *f, const char *when)
{
	char exp[TR_EXCERPT_BUF];

	if (f->diverged) {
		/* Said already: what follows a divergence is its consequence. */
	} else if (f->state == TR_SYN_SENT) {
		tr_diverge(tr, f, "the guest sent no %s to the peer's SYN %s",
			   f->host_refused ? "RST" : "SYN-ACK", when);
	} else if (f->state == TR_LISTEN) {
		tr->listening--;
		tr_diverge(tr, f, "the guest never connected to the peer (no SYN) %s", when);
	} else if (f->state == TR_SYN_RCVD) {
		tr_diverge(tr, f, "the guest sent no ACK to the peer's SYN-ACK %s", when);
	} else if (f->rcv_nxt < f->host.len || (f->host.fin && !f->guest_fin) || f->host.rst) {
		tr_diverge(tr, f, "guest to peer, byte %u: expected %s, got nothing %s",
			   f->rcv_nxt, expected_at(f, f->rcv_nxt, exp, sizeof(exp)), when);
	} else {
		tr_diverge(tr, f, "peer to guest, byte %u: the guest acknowledged nothing past "
			   "it %s", f->snd_una, when);
	}
	f->state = TR_ENDED;
	f->rto_at = 0;
}

void tr_flow_send_owed_ack(struct tcp_replay *tr, struct tr_flow *f)
{
	if (f->ack_pending) {
		f->ack_pending = false;
		send_ack(tr, f);
	}
}

void tr_flow_timer(struct tcp_replay *tr, struct tr_flow *f, uint64_t now)
{
	if (f->state != TR_SYN_SENT && f->state != TR_OPEN && f->state != TR_SYN_RCVD)
		return;
	if (now >= f->progress_at + tr->cfg.deadline_ns) {
		char when[48];
		tr_flow_give_up(tr, f, tr_deadline_words(tr, when, sizeof(when)));
		return;
	}
	if (f->rto_at && now >= f->rto_at)
		retransmit(tr, f, now);
}

uint64_t tr_flow_next_time(const struct tcp_replay *tr, const struct tr_flow *f)
{
	uint64_t t;

	if (f->state != TR_SYN_SENT && f->state != TR_OPEN && f->state != TR_SYN_RCVD)
		return UINT64_MAX;
	t = f->progress_at + tr->cfg.deadline_ns;
	return f->rto_at && f->rto_at < t ? f->rto_at : t;
}

const char *tr_deadline_words(const struct tcp_replay *tr, char *buf, size_t size)
{
	uint64_t ms = tr->cfg.deadline_ns / 1000000ULL;

	if (ms % 1000)
		snprintf(buf, size, "in %llu.%03llu s", (unsigned long long)(ms / 1000),
			 (unsigned long long)(ms % 1000));
	else
		snprintf(buf, size, "in %llu s", (unsigned long long)(ms / 1000));
	return buf;
}
