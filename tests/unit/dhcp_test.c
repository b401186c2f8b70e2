/*
 * The DHCP client (net/dhcp.c) against a scripted server, inside a booted
 * guest.
 *
 * The runtime only runs booted, so this test is a unikernel (see
 * sched_test.c): app_main runs the CMocka group in the guest's main thread.
 * Each test makes an interface with net_if_create on a link whose send()
 * hands the client's frames to the scripted server below. The server
 * answers ARP requests for its address, parses every DHCP message (op,
 * xid, chaddr, flags, ciaddr, options 50/53/54/55/61, the IP and UDP
 * checksums), logs it, and lets the test's script decide what to answer:
 * frames it builds itself (Ethernet + IPv4 + UDP + BOOTP, checksums
 * computed here, independently of the stack) that a "wire" thread feeds
 * back through net_if_input, as netfront's receive thread would.
 *
 * Run it with --clock virtual: guest time moves only while every thread is
 * blocked, straight to the next deadline, so the client's timers fire at
 * exactly their time and a 100-second lease takes no wall time.
 *
 * Assertions are made only in the main thread; the server records, the
 * test checks. Every test gives back the guest memory it took.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "net/include/net/dhcp.h"
#include "net/include/net/netif.h"
#include "runtime/include/uk/alloc.h"
#include "runtime/include/uk/boot.h"
#include "runtime/include/uk/sched.h"
#include "runtime/include/uk/time.h"
#include "peer.h"

const char uk_app_name[] = "dhcp_test";

#define MS UK_NSEC_PER_MSEC
#define SEC UK_NSEC_PER_SEC
#define MAX_LOG 64
#define MAX_QUEUE 16
#define FRAME_MAX 1514

#define DISCOVER 1
#define OFFER 2
#define REQUEST 3
#define ACK 5
#define NAK 6

static const uint8_t client_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0xdc, 0x01 };
static const uint8_t server_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
#define SERVER_IP IP4_ADDR(10, 0, 2, 2)
#define OFFERED_IP IP4_ADDR(10, 0, 2, 15)
#define DNS_IP IP4_ADDR(10, 0, 2, 3)
#define DNS2_IP IP4_ADDR(10, 0, 2, 4)
#define MASK_24 IP4_ADDR(255, 255, 255, 0)

/* Bytes, checksums and frames: the test peer's (tests/support/peer.h), not the stack's. */

/* --- what the server saw --- */

struct seen {
	uint64_t when;
	uint8_t type;            /* option 53; 0 when absent */
	uint32_t xid;
	uint16_t secs, flags;
	ip4_addr_t ciaddr, ip_src, ip_dst;
	ip4_addr_t requested, server_id; /* options 50 and 54; IP4_ANY when absent */
	uint8_t eth_dst[6];
	bool op_ok, chaddr_ok, cookie_ok, client_id_ok, has_params, has_end;
	bool ip_csum_ok, udp_csum_ok;
	size_t bootp_len;
};

/* A reply the script asks for; reply_to() fills in what fits the message. */
enum mangle { M_NONE, M_OVERRUN, M_NO_END, M_NO_TYPE, M_BAD_COOKIE, M_TRUNCATED, M_BAD_LEN };
struct reply {
	uint8_t type;
	uint32_t xid;
	uint8_t chaddr[6];
	ip4_addr_t yiaddr, dst_ip, server_id;
	uint32_t lease, t1, t2; /* 0: option left out */
	bool no_lease;
	enum mangle mangle;
};

static struct server {
	struct net_if *nif;
	void (*script)(const struct seen *m, unsigned int nth);
	struct seen log[MAX_LOG];
	unsigned int n;
	unsigned int arp_replies, announcements;
	uint32_t lease, t1, t2;  /* what normal replies carry */
	/* frames for the wire thread */
	uint8_t q[MAX_QUEUE][FRAME_MAX];
	size_t qlen[MAX_QUEUE];
	unsigned int qn;
	bool stop;
	struct uk_waitq wire_wq, seen_wq;
	struct uk_thread *wire;
} srv;

/* --- building frames --- */

static size_t bootp_build(uint8_t *b, const struct reply *r)
{
	uint8_t *p;

	memset(b, 0, 548);
	b[0] = 2;
	b[1] = 1;
	b[2] = 6;
	peer_put32(b + 4, r->xid);
	memcpy(b + 16, &r->yiaddr, 4);
	memcpy(b + 20, &r->server_id, 4);
	memcpy(b + 28, r->chaddr, 6);
	peer_put32(b + 236, r->mangle == M_BAD_COOKIE ? 0x63825364u : 0x63825363u);
	p = b + 240;
	if (r->mangle != M_NO_TYPE) {
		*p++ = 53, *p++ = 1, *p++ = r->type;
	}
	*p++ = 54, *p++ = 4;
	memcpy(p, &r->server_id, 4), p += 4;
	if (r->type != NAK) {
		ip4_addr_t mask = MASK_24, router = SERVER_IP, dns[2] = { DNS_IP, DNS2_IP };
		*p++ = 1, *p++ = 4;
		memcpy(p, &mask, 4), p += 4;
		*p++ = 3, *p++ = 4;
		memcpy(p, &router, 4), p += 4;
		*p++ = 6, *p++ = 8;
		memcpy(p, dns, 8), p += 8;
		if (!r->no_lease) {
			*p++ = 51, *p++ = r->mangle == M_BAD_LEN ? 3 : 4;
			peer_put32(p, r->lease), p += r->mangle == M_BAD_LEN ? 3 : 4;
		}
		if (r->t1)
			*p++ = 58, *p++ = 4, peer_put32(p, r->t1), p += 4;
		if (r->t2)
			*p++ = 59, *p++ = 4, peer_put32(p, r->t2), p += 4;
	}
	*p++ = 12, *p++ = 4; /* an option we do not use */
	memcpy(p, "name", 4), p += 4;
	if (r->mangle == M_OVERRUN) {
		*p++ = 15, *p++ = 200; /* domain name: 200 bytes that are not there */
		memcpy(p, "example", 7), p += 7;
		return (size_t)(p - b);
	}
	if (r->mangle == M_NO_END)
		return (size_t)(p - b);
	*p++ = 255;
	if (r->mangle == M_TRUNCATED)
		return 200;
	return (size_t)(p - b) < 300 ? 300 : (size_t)(p - b);
}

/* Ethernet + IPv4 + UDP 67->68 around payload, checksums computed. */
static size_t frame_build(uint8_t *f, const uint8_t eth_dst[6], ip4_addr_t dst,
			  const uint8_t *payload, size_t len)
{
	struct peer_ip4 h = { .src = SERVER_IP, .dst = dst, .proto = IPPROTO_UDP, .id = 0x1234 };
	size_t udp_len = peer_udp_put(f + 14 + 20, SERVER_IP, dst, 67, 68, payload, len);

	peer_eth_put(f, eth_dst, server_mac, ETH_P_IP);
	peer_ip4_put(f + 14, &h, udp_len);
	return 14 + 20 + udp_len;
}

static void queue_frame(const uint8_t *f, size_t len)
{
	if (srv.qn < MAX_QUEUE) {
		memcpy(srv.q[srv.qn], f, len);
		srv.qlen[srv.qn++] = len;
	}
	uk_waitq_wake_all(&srv.wire_wq);
}

/* A reply to m of type, as a well-behaved server would make it. */
static struct reply reply_to(const struct seen *m, uint8_t type)
{
	struct reply r = {
		.type = type, .xid = m->xid, .yiaddr = type == NAK ? IP4_ANY : OFFERED_IP,
		.dst_ip = IP4_BROADCAST, .server_id = SERVER_IP,
		.lease = srv.lease, .t1 = srv.t1, .t2 = srv.t2,
	};

	memcpy(r.chaddr, client_mac, 6);
	return r;
}

static void send_reply(const struct reply *r)
{
	uint8_t bootp[600], f[FRAME_MAX];
	size_t len = bootp_build(bootp, r);

	queue_frame(f, frame_build(f, bcast_mac, r->dst_ip, bootp, len));
}

static void answer(const struct seen *m, uint8_t type)
{
	struct reply r = reply_to(m, type);

	send_reply(&r);
}

/* --- the server's side of the link --- */

static void arp_input(const uint8_t *f, size_t len)
{
	const uint8_t *a = f + 14;
	ip4_addr_t server = SERVER_IP, sender, target;
	uint8_t out[42];

	if (len < 42 || peer_get16(a + 6) != 1)
		return;
	memcpy(&sender, a + 14, 4);
	memcpy(&target, a + 24, 4);
	if (sender == target) {
		srv.announcements++; /* gratuitous */
		return;
	}
	if (target != server)
		return;
	memcpy(out, f + 6, 6);
	memcpy(out + 6, server_mac, 6);
	peer_put16(out + 12, 0x0806);
	memcpy(out + 14, a, 6); /* htype, ptype, hlen, plen */
	peer_put16(out + 20, 2);
	memcpy(out + 22, server_mac, 6);
	memcpy(out + 28, &server, 4);
	memcpy(out + 32, a + 8, 6);
	memcpy(out + 38, a + 14, 4);
	srv.arp_replies++;
	queue_frame(out, sizeof(out));
}

static void bootp_options(struct seen *s, const uint8_t *o, size_t len)
{
	size_t i = 0;

	while (i < len && o[i] != 255) {
		if (o[i] == 0) {
			i++;
			continue;
		}
		if (i + 2 > len || i + 2 + o[i + 1] > len)
			return;
		const uint8_t *v = o + i + 2;
		uint8_t olen = o[i + 1];
		if (o[i] == 53 && olen == 1)
			s->type = v[0];
		if (o[i] == 50 && olen == 4)
			memcpy(&s->requested, v, 4);
		if (o[i] == 54 && olen == 4)
			memcpy(&s->server_id, v, 4);
		if (o[i] == 55 && olen > 0)
			s->has_params = true;
		if (o[i] == 61 && olen == 7 && v[0] == 1 && !memcmp(v + 1, client_mac, 6))
			s->client_id_ok = true;
		i += 2u + olen;
	}
	s->has_end = i < len;
}

static void dhcp_input(const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + 14, *udp = ip + 20, *b = udp + 8;
	struct seen s = { .when = uk_now_ns() };
	size_t udp_len;
	unsigned int nth;

	if (len < 14 + 20 + 8 + 240 || ip[0] != 0x45 || ip[9] != 17 || peer_get16(udp + 2) != 67)
		return;
	udp_len = peer_get16(udp + 4);
	if (udp_len < 8 + 240 || 14 + 20 + udp_len > len)
		return;
	memcpy(s.eth_dst, f, 6);
	memcpy(&s.ip_src, ip + 12, 4);
	memcpy(&s.ip_dst, ip + 16, 4);
	s.ip_csum_ok = peer_csum_fold(peer_csum_add(0, ip, 20)) == 0;
	s.udp_csum_ok = peer_get16(udp + 6) == 0 ||
			peer_csum_fold(peer_csum_add(peer_csum_pseudo(s.ip_src, s.ip_dst,
								      IPPROTO_UDP, udp_len),
						     udp, udp_len)) == 0;
	s.bootp_len = udp_len - 8;
	s.op_ok = b[0] == 1 && b[1] == 1 && b[2] == 6;
	s.xid = peer_get32(b + 4);
	s.secs = peer_get16(b + 8);
	s.flags = peer_get16(b + 10);
	memcpy(&s.ciaddr, b + 12, 4);
	s.chaddr_ok = !memcmp(b + 28, client_mac, 6);
	s.cookie_ok = peer_get32(b + 236) == 0x63825363u;
	bootp_options(&s, b + 240, s.bootp_len - 240);
	nth = srv.n;
	if (srv.n < MAX_LOG)
		srv.log[srv.n] = s;
	srv.n++;
	uk_waitq_wake_all(&srv.seen_wq);
	if (srv.script)
		srv.script(&s, nth);
}

static int link_send(void *ctx, const uint8_t *f, size_t len)
{
	if (len >= 14 && peer_get16(f + 12) == 0x0806)
		arp_input(f, len);
	else if (len >= 14 && peer_get16(f + 12) == 0x0800)
		dhcp_input(f, len);
	return 0;
}

static int wire_thread(void *arg)
{
	static uint8_t f[FRAME_MAX];

	for (;;) {
		while (srv.qn) {
			size_t len = srv.qlen[0];

			memcpy(f, srv.q[0], len);
			memmove(srv.q, srv.q[1], (srv.qn - 1) * sizeof(srv.q[0]));
			memmove(srv.qlen, srv.qlen + 1, (srv.qn - 1) * sizeof(srv.qlen[0]));
			srv.qn--;
			net_if_input(srv.nif, f, len);
		}
		if (srv.stop)
			return 0;
		uk_waitq_wait(&srv.wire_wq, 0);
	}
}

/* --- scripts --- */

/* OFFER every DISCOVER, ACK every REQUEST. */
static void script_normal(const struct seen *m, unsigned int nth)
{
	answer(m, m->type == DISCOVER ? OFFER : ACK);
}

/* Answers the first DISCOVER and REQUEST; silence after. */
static void script_then_silence(const struct seen *m, unsigned int nth)
{
	if (nth < 2)
		script_normal(m, nth);
}

/* OFFER every DISCOVER; never answer a REQUEST. */
static void script_offer_only(const struct seen *m, unsigned int nth)
{
	if (m->type == DISCOVER)
		answer(m, OFFER);
}

/* --- fixtures --- */

static struct uk_mem_stats baseline;

static int setup(void **state)
{
	struct net_link link = { .send = link_send, .mtu = 1500 };

	uk_mem_stats(&baseline);
	memset(&srv, 0, sizeof(srv));
	srv.lease = 3600;
	uk_waitq_init(&srv.wire_wq);
	uk_waitq_init(&srv.seen_wq);
	memcpy(link.mac, client_mac, 6);
	assert_int_equal(net_if_create(&link, &srv.nif), 0);
	srv.wire = uk_thread_create("wire", wire_thread, NULL);
	assert_non_null(srv.wire);
	return 0;
}

static int teardown(void **state)
{
	struct uk_mem_stats now;

	dhcp_stop(srv.nif);
	srv.stop = true;
	uk_waitq_wake_all(&srv.wire_wq);
	uk_thread_join(srv.wire);
	net_if_destroy(srv.nif);
	uk_mem_stats(&now);
	assert_int_equal(now.heap_blocks, baseline.heap_blocks);
	assert_int_equal(now.pages_free, baseline.pages_free);
	return 0;
}

/* Waits until the server has seen n messages (or timeout of guest time). */
static void wait_seen(unsigned int n, uint64_t timeout)
{
	uint64_t deadline = uk_now_ns() + timeout;

	while (srv.n < n && uk_now_ns() < deadline)
		uk_waitq_wait(&srv.seen_wq, deadline);
	if (srv.n < n)
		fail_msg("the server saw %u messages, expected %u", srv.n, n);
}

static struct dhcp_stats stats(void)
{
	struct dhcp_stats st;

	assert_int_equal(dhcp_get_stats(srv.nif, &st), 0);
	return st;
}

static struct net_if_config config(void)
{
	struct net_if_config cfg;

	net_if_get_config(srv.nif, &cfg);
	return cfg;
}

static void assert_interval(unsigned int a, unsigned int b, uint64_t base_s)
{
	uint64_t d = srv.log[b].when - srv.log[a].when;

	if (d < (base_s - 1) * SEC || d > (base_s + 1) * SEC)
		fail_msg("messages %u -> %u: %llu ms apart, expected %llu s +-1 s", a, b,
			 (unsigned long long)(d / MS), (unsigned long long)base_s);
}

static void start_and_bind(void)
{
	assert_int_equal(dhcp_start(srv.nif), 0);
	assert_int_equal(dhcp_wait_bound(srv.nif, uk_now_ns() + 10 * SEC), 0);
}

/* --- binding --- */

static void test_discover_offer_request_ack_binds_with_the_servers_config(void **state)
{
	struct net_if_config cfg;
	struct dhcp_lease l;
	uint64_t t0 = uk_now_ns();

	srv.script = script_normal;
	start_and_bind();
	/* The server answers at once: bound without guest time passing. */
	assert_int_equal(uk_now_ns(), t0);
	cfg = config();
	assert_int_equal(cfg.addr, OFFERED_IP);
	assert_int_equal(cfg.netmask, MASK_24);
	assert_int_equal(cfg.gateway, SERVER_IP);
	assert_int_equal(cfg.dns[0], DNS_IP);
	assert_int_equal(cfg.dns[1], DNS2_IP);
	assert_int_equal(dhcp_get_state(srv.nif), DHCP_BOUND);
	assert_int_equal(dhcp_get_lease(srv.nif, &l), 0);
	assert_int_equal(l.addr, OFFERED_IP);
	assert_int_equal(l.router, SERVER_IP);
	assert_int_equal(l.server, SERVER_IP);
	assert_int_equal(l.lease_s, 3600);
	assert_int_equal(l.t1_s, 1800);
	assert_int_equal(l.t2_s, 3150);
	assert_int_equal(l.expiry_ns, l.start_ns + 3600 * SEC);
	assert_int_equal(stats().leases, 1);
	/* Exactly two messages; the address was announced with a gratuitous ARP. */
	assert_int_equal(srv.n, 2);
	assert_int_equal(srv.log[0].type, DISCOVER);
	assert_int_equal(srv.log[1].type, REQUEST);
	assert_true(srv.announcements >= 1);
}

static void test_discover_is_a_well_formed_broadcast(void **state)
{
	const struct seen *d = &srv.log[0];

	srv.script = script_normal;
	start_and_bind();
	assert_true(d->op_ok && d->chaddr_ok && d->cookie_ok);
	assert_true(d->ip_csum_ok && d->udp_csum_ok);
	assert_true(d->client_id_ok);
	assert_true(d->has_params);
	assert_true(d->has_end);
	assert_memory_equal(d->eth_dst, bcast_mac, 6);
	assert_int_equal(d->ip_src, IP4_ANY);
	assert_int_equal(d->ip_dst, IP4_BROADCAST);
	assert_int_equal(d->ciaddr, IP4_ANY);
	assert_int_equal(d->flags, 0x8000);
	assert_int_equal(d->requested, IP4_ANY);
	assert_int_equal(d->server_id, IP4_ANY);
	/* Padded to a 576-byte IP datagram, which slirp insists on. */
	assert_int_equal(d->bootp_len, 548);
}

static void test_request_names_the_offer_and_its_server_with_the_same_xid(void **state)
{
	const struct seen *d = &srv.log[0], *r = &srv.log[1];

	srv.script = script_normal;
	start_and_bind();
	assert_int_equal(r->type, REQUEST);
	assert_int_equal(r->xid, d->xid);
	assert_int_equal(r->requested, OFFERED_IP);
	assert_int_equal(r->server_id, SERVER_IP);
	assert_int_equal(r->ciaddr, IP4_ANY);
	assert_int_equal(r->ip_dst, IP4_BROADCAST);
	assert_int_equal(r->flags, 0x8000);
	assert_true(r->op_ok && r->chaddr_ok && r->client_id_ok && r->has_params);
	assert_true(r->ip_csum_ok && r->udp_csum_ok);
}

static void nak_first_request(const struct seen *m, unsigned int nth)
{
	answer(m, m->type == DISCOVER ? OFFER : nth == 1 ? NAK : ACK);
}

static void test_a_nak_sends_the_client_back_to_discover_with_a_new_xid(void **state)
{
	uint64_t t0 = uk_now_ns();

	srv.script = nak_first_request;
	start_and_bind();
	assert_int_equal(srv.n, 4);
	assert_int_equal(srv.log[0].type, DISCOVER);
	assert_int_equal(srv.log[1].type, REQUEST);
	assert_int_equal(srv.log[2].type, DISCOVER);
	assert_int_equal(srv.log[3].type, REQUEST);
	assert_int_not_equal(srv.log[2].xid, srv.log[0].xid);
	assert_int_equal(srv.log[3].xid, srv.log[2].xid);
	/* The first NAK is answered at once. */
	assert_int_equal(srv.log[2].when, t0);
	assert_int_equal(stats().naks, 1);
	assert_int_equal(config().addr, OFFERED_IP);
}

static void nak_always(const struct seen *m, unsigned int nth)
{
	answer(m, m->type == DISCOVER ? OFFER : NAK);
}

static void test_repeated_naks_back_off_before_discovering_again(void **state)
{
	srv.script = nak_always;
	assert_int_equal(dhcp_start(srv.nif), 0);
	/* D R (NAK) D R (NAK) [4 s] D R (NAK) [8 s] D */
	wait_seen(7, 30 * SEC);
	assert_int_equal(srv.log[2].when, srv.log[1].when);
	assert_interval(3, 4, 4);
	assert_interval(5, 6, 8);
	assert_int_equal(config().addr, IP4_ANY);
}

/* --- retransmission --- */

static void test_without_an_answer_discover_is_resent_after_4_8_16_32_64_64_s(void **state)
{
	uint64_t t0 = uk_now_ns();

	assert_int_equal(dhcp_start(srv.nif), 0);
	/* No server: dhcp_wait_bound times out at exactly its deadline. */
	assert_int_equal(dhcp_wait_bound(srv.nif, t0 + 200 * SEC), -ETIMEDOUT);
	assert_int_equal(uk_now_ns(), t0 + 200 * SEC);
	assert_true(srv.n >= 7);
	for (unsigned int i = 0; i < 7; i++) {
		assert_int_equal(srv.log[i].type, DISCOVER);
		assert_int_equal(srv.log[i].xid, srv.log[0].xid);
	}
	assert_int_equal(srv.log[0].when, t0);
	assert_interval(0, 1, 4);
	assert_interval(1, 2, 8);
	assert_interval(2, 3, 16);
	assert_interval(3, 4, 32);
	assert_interval(4, 5, 64);
	assert_interval(5, 6, 64);
	/* secs counts from the first DISCOVER. */
	assert_int_equal(srv.log[0].secs, 0);
	assert_int_equal(srv.log[2].secs, (srv.log[2].when - t0) / SEC);
	assert_int_equal(stats().discovers, srv.n);
	assert_int_equal(dhcp_get_state(srv.nif), DHCP_SELECTING);
	assert_int_equal(dhcp_get_lease(srv.nif, NULL), -EAGAIN);
}

static void test_an_unanswered_request_is_resent_4_times_then_discover_again(void **state)
{
	srv.script = script_offer_only;
	assert_int_equal(dhcp_start(srv.nif), 0);
	wait_seen(6, 120 * SEC);
	assert_int_equal(srv.log[0].type, DISCOVER);
	for (unsigned int i = 1; i <= 4; i++) {
		assert_int_equal(srv.log[i].type, REQUEST);
		assert_int_equal(srv.log[i].xid, srv.log[0].xid);
	}
	assert_int_equal(srv.log[1].when, srv.log[0].when);
	assert_interval(1, 2, 4);
	assert_interval(2, 3, 8);
	assert_interval(3, 4, 16);
	assert_interval(4, 5, 32);
	assert_int_equal(srv.log[5].type, DISCOVER);
	assert_int_not_equal(srv.log[5].xid, srv.log[0].xid);
}

/* --- the lease's life --- */

static void test_at_t1_the_client_renews_by_unicast_with_ciaddr(void **state)
{
	struct dhcp_lease l, l2;
	const struct seen *r = &srv.log[2];

	srv.lease = 100;
	srv.script = script_normal;
	start_and_bind();
	assert_int_equal(dhcp_get_lease(srv.nif, &l), 0);
	wait_seen(3, 60 * SEC);
	assert_int_equal(r->when, l.start_ns + 50 * SEC);
	assert_int_equal(r->type, REQUEST);
	assert_int_equal(r->ciaddr, OFFERED_IP);
	assert_int_equal(r->ip_src, OFFERED_IP);
	assert_int_equal(r->ip_dst, SERVER_IP);
	assert_memory_equal(r->eth_dst, server_mac, 6);
	assert_int_equal(r->flags, 0);
	assert_int_equal(r->requested, IP4_ANY);
	assert_int_equal(r->server_id, IP4_ANY);
	assert_int_not_equal(r->xid, srv.log[1].xid);
	assert_true(r->ip_csum_ok && r->udp_csum_ok);
	/* ACKed: a new lease from the renewal, the next renewal 50 s later. */
	uk_sleep_ns(MS);
	assert_int_equal(dhcp_get_state(srv.nif), DHCP_BOUND);
	assert_int_equal(dhcp_get_lease(srv.nif, &l2), 0);
	assert_int_equal(l2.start_ns, l.start_ns + 50 * SEC);
	assert_int_equal(stats().renewals, 1);
	wait_seen(4, 60 * SEC);
	assert_int_equal(srv.log[3].when, l.start_ns + 100 * SEC);
	assert_int_equal(config().addr, OFFERED_IP);
}

static void test_at_t2_the_client_rebinds_by_broadcast_and_expiry_unconfigures(void **state)
{
	struct dhcp_lease l;

	srv.lease = 100;
	srv.script = script_then_silence;
	start_and_bind();
	assert_int_equal(dhcp_get_lease(srv.nif, &l), 0);
	/* RENEWING at 50 s; retransmission would be 60 s later, after T2 (87.5 s). */
	wait_seen(4, 95 * SEC);
	assert_int_equal(srv.log[2].when, l.start_ns + 50 * SEC);
	assert_int_equal(srv.log[2].ip_dst, SERVER_IP);
	assert_int_equal(srv.log[3].when, l.start_ns + 87500 * MS);
	assert_int_equal(srv.log[3].type, REQUEST);
	assert_int_equal(srv.log[3].ip_dst, IP4_BROADCAST);
	assert_memory_equal(srv.log[3].eth_dst, bcast_mac, 6);
	assert_int_equal(srv.log[3].ciaddr, OFFERED_IP);
	assert_int_equal(srv.log[3].server_id, IP4_ANY);
	assert_int_equal(dhcp_get_state(srv.nif), DHCP_REBINDING);
	assert_int_equal(config().addr, OFFERED_IP);
	/* At expiry (100 s): the address goes and DISCOVER starts over. */
	wait_seen(5, 20 * SEC);
	assert_int_equal(srv.log[4].when, l.start_ns + 100 * SEC);
	assert_int_equal(srv.log[4].type, DISCOVER);
	assert_int_equal(srv.log[4].ciaddr, IP4_ANY);
	assert_int_equal(config().addr, IP4_ANY);
	assert_int_equal(dhcp_get_state(srv.nif), DHCP_SELECTING);
	assert_int_equal(stats().expiries, 1);
}

static void nak_renewal(const struct seen *m, unsigned int nth)
{
	if (nth < 2)
		script_normal(m, nth);
	else if (nth == 2)
		answer(m, NAK);
}

static void test_a_nak_while_renewing_removes_the_address(void **state)
{
	srv.lease = 100;
	srv.script = nak_renewal;
	start_and_bind();
	wait_seen(4, 60 * SEC);
	assert_int_equal(srv.log[3].type, DISCOVER);
	assert_int_equal(srv.log[3].when, srv.log[2].when);
	assert_int_equal(config().addr, IP4_ANY);
	assert_int_equal(stats().naks, 1);
}

static void test_the_servers_t1_and_t2_are_used(void **state)
{
	struct dhcp_lease l;

	srv.lease = 1000;
	srv.t1 = 100;
	srv.t2 = 200;
	srv.script = script_normal;
	start_and_bind();
	assert_int_equal(dhcp_get_lease(srv.nif, &l), 0);
	assert_int_equal(l.t1_s, 100);
	assert_int_equal(l.t2_s, 200);
	assert_int_equal(l.t1_ns, l.start_ns + 100 * SEC);
	assert_int_equal(l.t2_ns, l.start_ns + 200 * SEC);
	wait_seen(3, 120 * SEC);
	assert_int_equal(srv.log[2].when, l.start_ns + 100 * SEC);
}

static void test_inconsistent_t1_t2_and_tiny_leases_fall_back_to_safe_times(void **state)
{
	struct dhcp_lease l;

	srv.lease = 5; /* below DHCP_MIN_LEASE_S */
	srv.t1 = 4;
	srv.t2 = 3;    /* T1 > T2 */
	srv.script = script_normal;
	start_and_bind();
	assert_int_equal(dhcp_get_lease(srv.nif, &l), 0);
	assert_int_equal(l.lease_s, DHCP_MIN_LEASE_S);
	assert_true(l.t1_ns <= l.t2_ns);
	assert_true(l.t2_ns <= l.expiry_ns);
	assert_true(l.t1_ns > l.start_ns);
}

/* --- what is ignored --- */

static void offers_for_others_first(const struct seen *m, unsigned int nth)
{
	struct reply r = reply_to(m, OFFER);

	if (m->type != DISCOVER) {
		answer(m, ACK);
		return;
	}
	r.xid = m->xid + 1;
	r.yiaddr = IP4_ADDR(10, 0, 2, 98);
	send_reply(&r);
	r = reply_to(m, OFFER);
	r.chaddr[5] ^= 0xff;
	r.yiaddr = IP4_ADDR(10, 0, 2, 97);
	send_reply(&r);
	answer(m, OFFER);
}

static void test_offers_with_another_xid_or_chaddr_are_ignored(void **state)
{
	struct dhcp_stats st;

	srv.script = offers_for_others_first;
	start_and_bind();
	assert_int_equal(srv.log[1].requested, OFFERED_IP);
	assert_int_equal(config().addr, OFFERED_IP);
	st = stats();
	assert_int_equal(st.wrong_xid, 1);
	assert_int_equal(st.wrong_chaddr, 1);
	assert_int_equal(st.offers, 1);
	assert_int_equal(st.malformed, 0);
}

static void malformed_first(const struct seen *m, unsigned int nth)
{
	static const enum mangle bad[] = { M_OVERRUN, M_NO_END, M_NO_TYPE, M_BAD_COOKIE,
					   M_TRUNCATED, M_BAD_LEN };

	if (m->type != DISCOVER) {
		answer(m, ACK);
		return;
	}
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct reply r = reply_to(m, OFFER);

		r.mangle = bad[i];
		r.yiaddr = IP4_ADDR(10, 0, 2, 99);
		send_reply(&r);
	}
	answer(m, OFFER);
}

static void test_malformed_replies_are_ignored_and_counted(void **state)
{
	struct dhcp_stats st;

	srv.script = malformed_first;
	start_and_bind();
	assert_int_equal(srv.log[1].requested, OFFERED_IP);
	assert_int_equal(config().addr, OFFERED_IP);
	st = stats();
	assert_int_equal(st.malformed, 6);
	assert_int_equal(st.bad_options, 3); /* overrun, no end, a 3-byte lease time */
	assert_int_equal(st.no_msg_type, 1);
	assert_int_equal(st.bad_header, 1);  /* the cookie */
	assert_int_equal(st.truncated, 1);
	assert_int_equal(st.offers, 1);
}

static void unusable_first(const struct seen *m, unsigned int nth)
{
	struct reply r = reply_to(m, m->type == DISCOVER ? OFFER : ACK);

	if (m->type == DISCOVER) {
		r.yiaddr = IP4_ANY; /* an offer of nothing */
		send_reply(&r);
		r = reply_to(m, ACK); /* an ACK while selecting */
		send_reply(&r);
		answer(m, OFFER);
		return;
	}
	r.no_lease = true; /* an ACK without a lease time */
	send_reply(&r);
	r = reply_to(m, ACK);
	r.server_id = IP4_ADDR(10, 0, 2, 200); /* another server's ACK */
	send_reply(&r);
	answer(m, ACK);
}

static void test_unusable_and_unexpected_replies_are_ignored(void **state)
{
	struct dhcp_stats st;
	struct dhcp_lease l;

	srv.script = unusable_first;
	start_and_bind();
	st = stats();
	assert_int_equal(st.unusable, 2);
	assert_int_equal(st.unexpected, 2);
	assert_int_equal(st.acks, 1);
	assert_int_equal(dhcp_get_lease(srv.nif, &l), 0);
	assert_int_equal(l.server, SERVER_IP);
}

/* --- the API --- */

static void test_start_twice_is_busy_and_stop_unconfigures(void **state)
{
	srv.script = script_normal;
	start_and_bind();
	assert_int_equal(dhcp_start(srv.nif), -EBUSY);
	assert_int_equal(dhcp_stop(srv.nif), 0);
	assert_int_equal(config().addr, IP4_ANY);
	assert_int_equal(dhcp_get_state(srv.nif), DHCP_STOPPED);
	assert_int_equal(dhcp_stop(srv.nif), -ENOENT);
	assert_int_equal(dhcp_wait_bound(srv.nif, 0), -ENOENT);
	assert_string_equal(dhcp_state_name(DHCP_REBINDING), "REBINDING");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_discover_offer_request_ack_binds_with_the_servers_config),
		T(test_discover_is_a_well_formed_broadcast),
		T(test_request_names_the_offer_and_its_server_with_the_same_xid),
		T(test_a_nak_sends_the_client_back_to_discover_with_a_new_xid),
		T(test_repeated_naks_back_off_before_discovering_again),
		T(test_without_an_answer_discover_is_resent_after_4_8_16_32_64_64_s),
		T(test_an_unanswered_request_is_resent_4_times_then_discover_again),
		T(test_at_t1_the_client_renews_by_unicast_with_ciaddr),
		T(test_at_t2_the_client_rebinds_by_broadcast_and_expiry_unconfigures),
		T(test_a_nak_while_renewing_removes_the_address),
		T(test_the_servers_t1_and_t2_are_used),
		T(test_inconsistent_t1_t2_and_tiny_leases_fall_back_to_safe_times),
		T(test_offers_with_another_xid_or_chaddr_are_ignored),
		T(test_malformed_replies_are_ignored_and_counted),
		T(test_unusable_and_unexpected_replies_are_ignored),
		T(test_start_twice_is_busy_and_stop_unconfigures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
