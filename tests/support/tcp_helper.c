/*
 * The TCP test peer (see tcp_helper.h). Host code inside a booted guest: it
 * calls the stack only through net_if_input and the socket API.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "net/include/net/netif.h"
#include "net/include/net/tcp.h"
#include "net/net_private.h" /* the link's send_tso and tso_max, for th_tso_on */
#include "runtime/include/uk/sched.h"
#include "runtime/include/uk/time.h"
#include "runtime/include/uk/timer.h"
#include "runtime/timer_private.h" /* uk_timer_run_due, as the scheduler's pass */
#include "tests/support/tcp_helper.h"

static const uint8_t our_mac[6] = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x02 };
static const uint8_t peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

static struct net_if *nif;
static struct uk_timer arp_timer;

static struct {
	unsigned int n;
	struct th_seg seg[TH_MAX_SEGS];
	uint8_t data[TH_MAX_SEGS][TH_MAX_DATA];
} rec;

/* --- the peer's checksums and frames --- */

static uint32_t sum_be(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint32_t tcp_pseudo(ip4_addr_t src, ip4_addr_t dst, size_t len)
{
	uint8_t ph[12];

	memcpy(ph, &src, 4);
	memcpy(ph + 4, &dst, 4);
	ph[8] = 0;
	ph[9] = 6;
	put16(ph + 10, (uint16_t)len);
	return sum_be(0, ph, 12);
}

/* --- ARP: the peer answers the guest's requests from a timer --- */

static void arp_frame(uint8_t *f, uint16_t op, const uint8_t *dst_mac, ip4_addr_t target)
{
	ip4_addr_t peer = TH_PEER_IP;

	memcpy(f, dst_mac, 6);
	memcpy(f + 6, peer_mac, 6);
	put16(f + 12, 0x0806);
	put16(f + 14, 1);
	put16(f + 16, 0x0800);
	f[18] = 6;
	f[19] = 4;
	put16(f + 20, op);
	memcpy(f + 22, peer_mac, 6);
	memcpy(f + 28, &peer, 4);
	memcpy(f + 32, op == 2 ? our_mac : (const uint8_t[6]){ 0 }, 6);
	memcpy(f + 38, &target, 4);
}

static void arp_answer(struct uk_timer *t, void *arg)
{
	uint8_t f[42];

	arp_frame(f, 2, our_mac, TH_OUR_IP);
	net_if_input(nif, f, sizeof(f));
}

/* The peer asks for us: the stack learns the peer's MAC (RFC 826). */
static void peer_asks_for_us(void)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t f[42];

	arp_frame(f, 1, bcast, TH_OUR_IP);
	net_if_input(nif, f, sizeof(f));
}

/* --- the link: parses and records what the guest sends --- */

static void parse_opts(struct th_seg *s, const uint8_t *o, size_t len)
{
	size_t i = 0;

	while (i < len && o[i] != 0) {
		if (o[i] == 1) {
			i++;
			continue;
		}
		if (len - i < 2 || o[i + 1] < 2 || o[i + 1] > len - i)
			return;
		if (o[i] == 2 && o[i + 1] == 4) {
			s->has_mss = true;
			s->mss = get16(o + i + 2);
		} else if (o[i] == 3 && o[i + 1] == 3) {
			s->has_ws = true;
			s->ws = o[i + 2];
		} else if (o[i] == 4) {
			s->sack_ok = true;
		} else if (o[i] == 5 && o[i + 1] >= 10 && (o[i + 1] - 2) % 8 == 0) {
			s->n_sack = (uint8_t)((o[i + 1] - 2) / 8);
			if (s->n_sack > 4)
				s->n_sack = 4;
			for (unsigned int b = 0; b < s->n_sack; b++) {
				s->sack[b][0] = get32(o + i + 2 + 8 * b);
				s->sack[b][1] = get32(o + i + 6 + 8 * b);
			}
		} else if (o[i] == 8 && o[i + 1] == 10) {
			s->has_ts = true;
			s->tsval = get32(o + i + 2);
			s->tsecr = get32(o + i + 6);
		}
		i += o[i + 1];
	}
}

static void record_tcp(const uint8_t *ip, size_t ip_len)
{
	size_t ihl = (size_t)(ip[0] & 0x0f) * 4, len, hlen;
	const uint8_t *t = ip + ihl;
	struct th_seg *s;

	if (rec.n >= TH_MAX_SEGS || ip_len < ihl + 20)
		return;
	len = get16(ip + 2) - ihl;
	hlen = (size_t)(t[12] >> 4) * 4;
	s = &rec.seg[rec.n];
	memset(s, 0, sizeof(*s));
	memcpy(&s->src, ip + 12, 4);
	memcpy(&s->dst, ip + 16, 4);
	s->csum_ok = fold(sum_be(tcp_pseudo(s->src, s->dst, len), t, len)) == 0;
	s->df = ip[6] & 0x40;
	s->sport = get16(t);
	s->dport = get16(t + 2);
	s->seq = get32(t + 4);
	s->ack = get32(t + 8);
	s->flags = t[13];
	s->wnd = get16(t + 14);
	parse_opts(s, t + 20, hlen - 20);
	s->len = len - hlen;
	if (s->len > TH_MAX_DATA)
		s->len = TH_MAX_DATA;
	memcpy(rec.data[rec.n], t + hlen, s->len);
	s->data = rec.data[rec.n];
	s->time_ns = uk_now_ns();
	rec.n++;
}

static int link_send(void *ctx, const uint8_t *f, size_t len)
{
	ip4_addr_t peer = TH_PEER_IP;

	if (len >= 42 && get16(f + 12) == 0x0806 && get16(f + 20) == 1 &&
	    !memcmp(f + 38, &peer, 4)) {
		uk_timer_arm(&arp_timer, 0);
		return 0;
	}
	if (len >= 14 + 20 && get16(f + 12) == 0x0800 && f[14 + 9] == 6)
		record_tcp(f + 14, len - 14);
	return 0;
}

/* --- setup --- */

int th_setup(void)
{
	if (!nif) {
		struct net_link link = { .send = link_send, .mtu = 1500 };
		struct net_if_config cfg = { .addr = TH_OUR_IP,
					     .netmask = IP4_ADDR(255, 255, 255, 0),
					     .gateway = TH_PEER_IP };

		memcpy(link.mac, our_mac, 6);
		uk_timer_init(&arp_timer, arp_answer, NULL);
		if (net_if_create(&link, &nif) != 0 || net_if_set_config(nif, &cfg) != 0)
			return -1;
	}
	peer_asks_for_us();
	th_reset();
	return 0;
}

void th_teardown(void)
{
	uk_timer_cancel(&arp_timer);
	net_if_destroy(nif);
	nif = NULL;
}

struct net_if *th_nif(void)
{
	return nif;
}

/* --- TSO on the link --- */

static struct th_tso *tso_rec;

static int tso_record(void *ctx, const uint8_t *f, size_t len, uint16_t gso_size)
{
	const uint8_t *ip = f + 14, *t = ip + (size_t)(ip[0] & 0x0f) * 4;
	size_t payload = len - (size_t)(t - f) - (size_t)(t[12] >> 4) * 4;

	(void)ctx;
	(void)gso_size;
	if (!tso_rec->n++) {
		tso_rec->first_seq =
			(uint32_t)t[4] << 24 | (uint32_t)t[5] << 16 | (uint32_t)t[6] << 8 | t[7];
		tso_rec->first_len = payload;
	}
	tso_rec->last_len = payload;
	return 0;
}

void th_tso_on(struct th_tso *t)
{
	memset(t, 0, sizeof(*t));
	tso_rec = t;
	nif->link.send_tso = tso_record;
	nif->link.tso_max = 65535;
}

void th_tso_off(void)
{
	nif->link.send_tso = NULL;
	nif->link.tso_max = 0;
	tso_rec = NULL;
}

/* --- feeding --- */

/* th_batch_begin: frames fed until th_batch_end come as one netfront batch. */
static bool batch_open;

/* Puts the Ethernet and IPv4 headers before the len-byte TCP part at f + 34; the frame's length. */
static size_t put_headers(uint8_t *f, size_t len)
{
	uint8_t *ip = f + 14;
	ip4_addr_t src = TH_PEER_IP, dst = TH_OUR_IP;

	memcpy(f, our_mac, 6);
	memcpy(f + 6, peer_mac, 6);
	put16(f + 12, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + len));
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	put16(ip + 10, fold(sum_be(0, ip, 20)));
	return 14 + 20 + len;
}

/* Feeds the whole flen-byte frame f (outside a batch, one batch of its own). */
static void feed_frame(uint8_t *f, size_t flen)
{
	net_if_input(nif, f, flen);
	if (!batch_open)
		th_batch_end();
}

void th_batch_begin(void)
{
	batch_open = true;
}

/*
 * What follows netfront's delivery of a batch of frames: the scheduler's
 * pass runs the timers due, among them an ACK deferred to the batch's end
 * (tcp_ack_after_batch). Threads woken by the frames run later, as ever.
 */
void th_batch_end(void)
{
	batch_open = false;
	uk_timer_run_due(uk_now_ns());
}

void th_feed_raw(const uint8_t *tcp, size_t len)
{
	uint8_t f[14 + 20 + 60 + TH_MAX_DATA];

	assert_true(len <= 60 + TH_MAX_DATA);
	memcpy(f + 14 + 20, tcp, len);
	feed_frame(f, put_headers(f, len));
}

void th_feed_icmp_unreach(uint8_t code, uint16_t mtu, const struct th_seg *q)
{
	uint8_t f[14 + 20 + 8 + 28];
	uint8_t *ip = f + 14, *icmp = ip + 20, *orig = icmp + 8;
	ip4_addr_t src = TH_PEER_IP, dst = TH_OUR_IP;

	memcpy(f, our_mac, 6);
	memcpy(f + 6, peer_mac, 6);
	put16(f + 12, 0x0800);
	memset(ip, 0, sizeof(f) - 14);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(sizeof(f) - 14));
	ip[8] = 64;
	ip[9] = 1;
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	put16(ip + 10, fold(sum_be(0, ip, 20)));
	icmp[0] = 3;
	icmp[1] = code;
	put16(icmp + 6, mtu);
	orig[0] = 0x45; /* the quoted header: the segment as the guest sent it */
	put16(orig + 2, (uint16_t)(20 + 20 + q->len));
	orig[6] = 0x40;
	orig[8] = 64;
	orig[9] = 6;
	memcpy(orig + 12, &q->src, 4);
	memcpy(orig + 16, &q->dst, 4);
	put16(orig + 10, fold(sum_be(0, orig, 20)));
	put16(orig + 20, q->sport);
	put16(orig + 22, q->dport);
	put32(orig + 24, q->seq);
	put16(icmp + 2, fold(sum_be(0, icmp, 8 + 28)));
	net_if_input(nif, f, sizeof(f));
}

/* Builds the TCP part of s (at most max_data bytes of payload); returns its length. */
static size_t build_max(const struct th_seg *s, uint8_t *t, size_t max_data)
{
	size_t o = 20, len;

	if (s->has_mss) {
		t[o] = 2, t[o + 1] = 4;
		put16(t + o + 2, s->mss);
		o += 4;
	}
	if (s->has_ws) {
		t[o] = 1, t[o + 1] = 3, t[o + 2] = 3, t[o + 3] = s->ws;
		o += 4;
	}
	if (s->sack_ok) {
		t[o] = 1, t[o + 1] = 1, t[o + 2] = 4, t[o + 3] = 2;
		o += 4;
	}
	if (s->has_ts) {
		t[o] = 1, t[o + 1] = 1, t[o + 2] = 8, t[o + 3] = 10;
		put32(t + o + 4, s->tsval);
		put32(t + o + 8, s->tsecr);
		o += 12;
	}
	if (s->n_sack) {
		t[o] = 1, t[o + 1] = 1, t[o + 2] = 5, t[o + 3] = (uint8_t)(2 + 8 * s->n_sack);
		for (unsigned int b = 0; b < s->n_sack; b++) {
			put32(t + o + 4 + 8 * b, s->sack[b][0]);
			put32(t + o + 8 + 8 * b, s->sack[b][1]);
		}
		o += 4 + 8 * (size_t)s->n_sack;
	}
	put16(t, s->sport);
	put16(t + 2, s->dport);
	put32(t + 4, s->seq);
	put32(t + 8, s->ack);
	t[12] = (uint8_t)((o / 4) << 4);
	t[13] = s->flags;
	put16(t + 14, s->wnd);
	put16(t + 16, 0);
	put16(t + 18, 0);
	assert_true(s->len <= max_data);
	if (s->len)
		memcpy(t + o, s->data, s->len);
	len = o + s->len;
	put16(t + 16, fold(sum_be(tcp_pseudo(TH_PEER_IP, TH_OUR_IP, len), t, len)));
	return len;
}

static size_t build(const struct th_seg *s, uint8_t *t)
{
	return build_max(s, t, TH_MAX_DATA);
}

void th_feed(const struct th_seg *s)
{
	uint8_t t[60 + TH_MAX_DATA];

	th_feed_raw(t, build(s, t));
}

void th_feed_bad_csum(const struct th_seg *s)
{
	uint8_t t[60 + TH_MAX_DATA];
	size_t len = build(s, t);

	t[16] ^= 0x40;
	th_feed_raw(t, len);
}

/* --- what was sent --- */

unsigned int th_count(void)
{
	return rec.n;
}

const struct th_seg *th_get(unsigned int i)
{
	assert_true(i < rec.n);
	assert_true(rec.seg[i].csum_ok);
	return &rec.seg[i];
}

unsigned int th_data_count(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < th_count(); i++)
		n += th_get(i)->len > 0;
	return n;
}

const struct th_seg *th_last(void)
{
	assert_true(rec.n > 0);
	return th_get(rec.n - 1);
}

void th_reset(void)
{
	rec.n = 0;
}

void th_sleep(uint64_t ns)
{
	uk_sleep_ns(ns);
}

uint64_t th_now(void)
{
	return uk_now_ns();
}

/* --- connections --- */

struct th_seg th_conn_seg(const struct th_conn *c, uint8_t flags)
{
	struct th_seg s = { .sport = c->peer_port, .dport = c->our_port, .seq = c->peer_nxt,
			    .ack = c->our_nxt, .flags = flags, .wnd = c->peer_wnd };

	if (c->ts) {
		s.has_ts = true;
		s.tsval = c->peer_ts;
		s.tsecr = c->our_ts;
	}
	return s;
}

void th_conn_send(struct th_conn *c, const void *data, size_t len)
{
	struct th_seg s = th_conn_seg(c, TH_ACK | TH_PSH);

	s.data = data;
	s.len = len;
	c->peer_nxt += (uint32_t)len;
	th_feed(&s);
}

void th_conn_send_gro(struct th_conn *c, const void *data, size_t len)
{
	static uint8_t f[14 + 20 + 60 + TH_MAX_GRO]; /* too large for a guest thread's stack */
	size_t flen = th_conn_frame(c, c->peer_nxt, data, len, f);

	c->peer_nxt += (uint32_t)len;
	feed_frame(f, flen);
}

size_t th_conn_frame(const struct th_conn *c, uint32_t seq, const void *data, size_t len,
		     uint8_t *f)
{
	struct th_seg s = th_conn_seg(c, TH_ACK | TH_PSH);

	s.seq = seq;
	s.data = data;
	s.len = len;
	return put_headers(f, build_max(&s, f + 14 + 20, TH_MAX_GRO));
}

void th_conn_ack_to(struct th_conn *c, uint32_t ack)
{
	struct th_seg s = th_conn_seg(c, TH_ACK);

	s.ack = ack;
	th_feed(&s);
}

void th_conn_ack(struct th_conn *c)
{
	th_conn_ack_to(c, c->our_nxt);
}

struct net_socket *th_open_passive(struct net_socket *listener, uint16_t port,
				   uint16_t peer_port, uint32_t peer_iss, bool opts,
				   struct th_conn *c)
{
	struct th_seg syn = { .sport = peer_port, .dport = port, .seq = peer_iss,
			      .flags = TH_SYN, .wnd = 65535, .has_mss = true, .mss = 1460 };
	const struct th_seg *sa;
	struct net_socket *s = NULL;

	syn.has_ws = syn.has_ts = opts;
	syn.ws = 7;
	syn.tsval = 1000;
	th_reset();
	th_feed(&syn);
	assert_int_equal(th_count(), 1);
	sa = th_get(0);
	assert_int_equal(sa->flags, TH_SYN | TH_ACK);
	assert_int_equal(sa->ack, peer_iss + 1);
	*c = (struct th_conn){ .our_port = port, .peer_port = peer_port,
			       .peer_nxt = peer_iss + 1, .our_nxt = sa->seq + 1,
			       .peer_wnd = opts ? 512 : 65535, /* 512 << 7 = 64 KiB */
			       .ts = opts && sa->has_ts, .peer_ts = 1001,
			       .our_ts = sa->tsval };
	th_conn_ack(c);
	assert_int_equal(net_accept(listener, &s, uk_now_ns()), 0);
	th_reset();
	return s;
}

struct net_socket *th_open_passive_sack(struct net_socket *listener, uint16_t peer_port,
					bool ts, struct th_conn *c)
{
	struct th_seg syn = { .sport = peer_port, .dport = 80, .seq = 500, .flags = TH_SYN,
			      .wnd = 65535, .has_mss = true, .mss = 1460, .sack_ok = true,
			      .has_ts = ts, .tsval = 10 };
	const struct th_seg *sa;
	struct net_socket *s = NULL;

	th_reset();
	th_feed(&syn);
	sa = th_last();
	assert_true(sa->sack_ok);
	*c = (struct th_conn){ .our_port = 80, .peer_port = peer_port, .peer_nxt = 501,
			       .our_nxt = sa->seq + 1, .peer_wnd = 65535, .ts = ts, .peer_ts = 11,
			       .our_ts = sa->tsval };
	th_conn_ack(c);
	assert_int_equal(net_accept(listener, &s, th_now()), 0);
	th_reset();
	return s;
}

struct net_socket *th_open_sack_nodelay(uint16_t peer_port, bool ts, struct th_conn *c)
{
	struct net_socket *s = th_open_passive_sack(th_listener(), peer_port, ts, c);

	assert_int_equal(net_setsockopt(s, NET_OPT_NODELAY, 1), 0);
	return s;
}

void th_conn_ack_sack(struct th_conn *c, uint32_t ack, uint32_t base,
		      const uint32_t (*blocks)[2], unsigned int n)
{
	struct th_seg s = th_conn_seg(c, TH_ACK);

	s.ack = ack;
	s.n_sack = (uint8_t)n;
	for (unsigned int i = 0; i < n; i++) {
		s.sack[i][0] = base + blocks[i][0];
		s.sack[i][1] = base + blocks[i][1];
	}
	th_feed(&s);
}

struct active_open {
	struct net_socket *s;
	uint16_t port;
	int rc;
};

static int connect_thread(void *arg)
{
	struct active_open *a = arg;

	a->rc = net_connect(a->s, TH_PEER_IP, a->port, 0);
	return 0;
}

struct net_socket *th_open_active(uint16_t peer_port, uint32_t peer_iss, bool opts,
				  struct th_conn *c)
{
	struct active_open a = { .port = peer_port, .rc = 1 };
	struct th_seg sa = { .sport = peer_port, .seq = peer_iss, .flags = TH_SYN | TH_ACK,
			     .wnd = opts ? 65535 : 65535, .has_mss = true, .mss = 1460 };
	const struct th_seg *syn;
	struct uk_thread *t;

	assert_int_equal(net_socket(NET_SOCK_STREAM, &a.s), 0);
	th_reset();
	t = uk_thread_create("th-connect", connect_thread, &a);
	assert_non_null(t);
	uk_yield();
	assert_int_equal(th_count(), 1);
	syn = th_get(0);
	assert_int_equal(syn->flags, TH_SYN);
	sa.dport = syn->sport;
	sa.ack = syn->seq + 1;
	sa.has_ws = sa.has_ts = opts;
	sa.ws = 7;
	sa.tsval = 5000;
	sa.tsecr = syn->tsval;
	th_feed(&sa);
	uk_thread_join(t);
	assert_int_equal(a.rc, 0);
	assert_int_equal(th_count(), 2);
	assert_int_equal(th_get(1)->flags, TH_ACK);
	assert_int_equal(th_get(1)->ack, peer_iss + 1);
	*c = (struct th_conn){ .our_port = syn->sport, .peer_port = peer_port,
			       .peer_nxt = peer_iss + 1, .our_nxt = syn->seq + 1,
			       .peer_wnd = opts ? 512 : 65535, .ts = opts, .peer_ts = 5001,
			       .our_ts = th_get(1)->tsval };
	th_reset();
	return a.s;
}

/* --- the CMocka fixture --- */

static struct net_socket *group_listener;

int th_group_listen(struct net_socket **listener)
{
	if (th_setup() != 0)
		return -1;
	assert_int_equal(net_socket(NET_SOCK_STREAM, &group_listener), 0);
	assert_int_equal(net_bind(group_listener, IP4_ANY, 80), 0);
	assert_int_equal(net_listen(group_listener, 8), 0);
	*listener = group_listener;
	return 0;
}

int th_group_setup(void **state)
{
	struct net_socket *listener;

	(void)state;
	return th_group_listen(&listener);
}

struct net_socket *th_listener(void)
{
	assert_non_null(group_listener);
	return group_listener;
}

int th_group_teardown(void **state)
{
	(void)state;
	net_close(group_listener);
	group_listener = NULL;
	th_teardown();
	return 0;
}

int th_test_setup(void **state)
{
	(void)state;
	th_sleep(TH_S);
	return th_setup();
}

int th_test_teardown(void **state)
{
	(void)state;
	assert_int_equal(tcp_pcb_count(), 1);
	return 0;
}
