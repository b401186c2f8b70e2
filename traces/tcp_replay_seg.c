/*
 * TCP segments of the replay (tcp_replay_private.h): read from a recorded
 * or a guest frame, checked once here, and built for the guest as the
 * recorded peer, with the options of RFC 9293 3.2 and RFC 7323.
 */
#include <stdlib.h>
#include <string.h>

#include "traces/frame.h"
#include "traces/tcp_replay_private.h"

#define OPT_EOL 0
#define OPT_NOP 1
#define OPT_MSS 2
#define OPT_WS 3
#define OPT_SACK_OK 4
#define OPT_TS 8
#define TR_TTL 64

/* The options of a header (Linux's tcp_parse_options); a malformed one ends the walk. */
static void parse_options(const uint8_t *p, size_t n, struct tr_seg *s)
{
	size_t i = 0;

	while (i < n && p[i] != OPT_EOL) {
		if (p[i] == OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= n || p[i + 1] < 2 || i + p[i + 1] > n)
			return;
		uint8_t kind = p[i], olen = p[i + 1];
		if (kind == OPT_MSS && olen == 4) {
			s->has_mss = true;
			s->mss = trace_get16(p + i + 2);
		} else if (kind == OPT_WS && olen == 3) {
			s->has_ws = true;
			s->ws = p[i + 2] > 14 ? 14 : p[i + 2]; /* RFC 7323 2.3 */
		} else if (kind == OPT_SACK_OK && olen == 2) {
			s->sack_ok = true;
		} else if (kind == OPT_TS && olen == 10) {
			s->has_ts = true;
			s->tsval = trace_get32(p + i + 2);
			s->tsecr = trace_get32(p + i + 6);
		}
		i += olen;
	}
}

bool tr_seg_parse(const uint8_t *f, size_t len, struct tr_seg *s)
{
	const uint8_t *ip = f + ETH_HLEN, *th;
	size_t ihl, tot, doff, avail;

	if (len < ETH_HLEN + TRACE_IP4_HLEN || trace_get16(f + 12) != ETH_P_IP || ip[0] >> 4 != 4 ||
	    ip[9] != IPPROTO_TCP)
		return false;
	ihl = (size_t)(ip[0] & 15) * 4;
	tot = trace_get16(ip + 2);
	/* Fragments are not reassembled: the replay plays whole segments. */
	if (ihl < TRACE_IP4_HLEN || tot < ihl + TRACE_TCP_HLEN || (trace_get16(ip + 6) & 0x3fff))
		return false;
	avail = len - ETH_HLEN;
	if (avail < ihl + TRACE_TCP_HLEN)
		return false;
	th = ip + ihl;
	doff = (size_t)(th[12] >> 4) * 4;
	if (doff < TRACE_TCP_HLEN || tot < ihl + doff || avail < ihl + doff)
		return false;
	memset(s, 0, sizeof(*s));
	s->mac_src = f + ETH_ALEN;
	s->src = trace_addr_get(ip + 12);
	s->dst = trace_addr_get(ip + 16);
	s->sport = trace_get16(th);
	s->dport = trace_get16(th + 2);
	s->seq = trace_get32(th + 4);
	s->ack = trace_get32(th + 8);
	s->flags = th[13] & 0x1f;
	s->win = trace_get16(th + 14);
	parse_options(th + TRACE_TCP_HLEN, doff - TRACE_TCP_HLEN, s);
	s->data = th + doff;
	s->len = (uint32_t)(tot - ihl - doff);
	avail -= ihl + doff;
	s->have = avail < s->len ? (uint32_t)avail : s->len;
	return true;
}

void tr_key(enum tr_key kind, uint32_t peer_ip, uint16_t peer_port, uint16_t port,
	    uint8_t key[TRACE_KEY_LEN])
{
	memset(key, 0, TRACE_KEY_LEN);
	memcpy(key, &peer_ip, 4);
	trace_put16(key + 4, peer_port);
	trace_put16(key + 6, port);
	key[8] = (uint8_t)kind;
}

void tr_tuple_key(uint32_t peer_ip, uint16_t peer_port, uint16_t host_port,
		  uint8_t key[TRACE_KEY_LEN])
{
	tr_key(TR_KEY_TUPLE, peer_ip, peer_port, host_port, key);
}

/* Room for n more bytes at the end of the queue, or NULL. */
static uint8_t *queue_room(struct tcp_replay *tr, size_t n)
{
	if (tr->q_head == tr->q_len)
		tr->q_head = tr->q_len = 0;
	if (tr->q_len + n > tr->q_cap) {
		size_t cap = tr->q_cap ? tr->q_cap : 4096;
		while (cap < tr->q_len + n)
			cap *= 2;
		uint8_t *q = realloc(tr->q, cap);
		if (!q)
			return NULL;
		tr->q = q;
		tr->q_cap = cap;
	}
	return tr->q + tr->q_len;
}

/*
 * The options of a peer's segment: the SYN's as recorded (MSS possibly
 * cfg's), or TS. A SYN-ACK (the recorded host opened) carries of the
 * recorded SYN-ACK's only what the guest's SYN offered (RFC 7323 1.3,
 * RFC 2018 2), as Linux's tcp_synack_options.
 */
static size_t put_options(struct tcp_replay *tr, struct tr_flow *f, uint8_t *o, bool syn_opts,
			  uint32_t tsval)
{
	bool synack = syn_opts && f->host_opened;
	bool sack = synack ? f->sack_ok : f->syn.sack_ok;
	bool ts = synack ? f->ts_ok : f->syn.has_ts, ws = synack ? f->ws_ok : f->syn.has_ws;
	size_t n = 0;

	if (syn_opts && f->syn.has_mss) {
		o[n++] = OPT_MSS;
		o[n++] = 4;
		trace_put16(o + n, tr->cfg.mss ? tr->cfg.mss : f->syn.mss);
		n += 2;
	}
	if (syn_opts && sack) {
		o[n++] = OPT_NOP;
		o[n++] = OPT_NOP;
		o[n++] = OPT_SACK_OK;
		o[n++] = 2;
	}
	if (syn_opts ? ts : f->ts_ok) {
		o[n++] = OPT_NOP;
		o[n++] = OPT_NOP;
		o[n++] = OPT_TS;
		o[n++] = 10;
		trace_put32(o + n, tsval);
		trace_put32(o + n + 4, syn_opts && !synack ? 0 : f->guest_ts_recent);
		n += 8;
	}
	if (syn_opts && ws) {
		o[n++] = OPT_NOP;
		o[n++] = OPT_WS;
		o[n++] = 3;
		o[n++] = f->syn.ws;
	}
	return n;
}

/* The TCP checksum over the pseudo-header and the segment (RFC 9293 3.1). */
static void put_tcp_csum(const uint8_t *ip, uint8_t *th, size_t tlen)
{
	uint8_t pseudo[12];
	uint32_t sum;

	memcpy(pseudo, ip + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = IPPROTO_TCP;
	trace_put16(pseudo + 10, (uint16_t)tlen);
	trace_put16(th + 16, 0);
	sum = trace_csum_add(trace_csum_add(0, pseudo, sizeof(pseudo)), th, tlen);
	trace_put16(th + 16, trace_csum_fold(sum));
}

bool tr_send(struct tcp_replay *tr, struct tr_flow *f, uint32_t seq, uint8_t flags,
	     const uint8_t *data, uint32_t len, uint16_t win, bool syn_opts)
{
	uint8_t opts[40];
	uint32_t tsval = f->tsval_last;
	size_t olen = put_options(tr, f, opts, syn_opts, tsval);
	size_t tlen = TRACE_TCP_HLEN + olen + len, flen = ETH_HLEN + TRACE_IP4_HLEN + tlen;
	uint8_t *q, *e, *ip, *th;
	char name[96];

	/* seg_max keeps within the MTU; this guards the 16-bit total length all the same. */
	if (TRACE_IP4_HLEN + tlen > UINT16_MAX) {
		tr_say(tr, false, "tcp %s: a segment of %u bytes does not fit an IPv4 packet (%zu "
		       "bytes with its headers): not sent", tr_flow_name(tr, f, name, sizeof(name)),
		       len, TRACE_IP4_HLEN + tlen);
		return false;
	}
	if (!(q = queue_room(tr, 4 + flen)))
		return false;
	trace_put32(q, (uint32_t)flen);
	e = q + 4;
	memcpy(e, tr->cfg.guest_mac, ETH_ALEN);
	memcpy(e + ETH_ALEN, f->peer_mac, ETH_ALEN);
	trace_put16(e + 12, ETH_P_IP);
	ip = e + ETH_HLEN;
	ip[0] = 0x45;
	ip[1] = 0;
	trace_put16(ip + 2, (uint16_t)(TRACE_IP4_HLEN + tlen));
	trace_put16(ip + 4, tr->ip_id++);
	trace_put16(ip + 6, 0x4000); /* DF */
	ip[8] = TR_TTL;
	ip[9] = IPPROTO_TCP;
	trace_put16(ip + 10, 0);
	memcpy(ip + 12, &f->peer_ip, 4);
	memcpy(ip + 16, &tr->guest_ip, 4);
	trace_put16(ip + 10, trace_csum(ip, TRACE_IP4_HLEN));
	th = ip + TRACE_IP4_HLEN;
	trace_put16(th, f->peer_port);
	trace_put16(th + 2, f->guest_port);
	trace_put32(th + 4, seq);
	trace_put32(th + 8, (flags & TCPF_ACK) ? f->guest_isn + 1 + f->rcv_nxt : 0);
	th[12] = (uint8_t)((TRACE_TCP_HLEN + olen) / 4 << 4);
	th[13] = flags;
	trace_put16(th + 14, win);
	trace_put16(th + 18, 0);
	memcpy(th + TRACE_TCP_HLEN, opts, olen);
	if (len)
		memcpy(th + TRACE_TCP_HLEN + olen, data, len);
	put_tcp_csum(ip, th, tlen);
	tr->q_len += 4 + flen;
	return true;
}
