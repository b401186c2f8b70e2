/*
 * What the tests of UDP (net/udp.c) and the socket API (net/socket.c) share
 * (net_udp_<feature>_test.c), each inside a booted guest.
 *
 * The runtime only runs booted, so this test is a unikernel (see
 * sched_test.c): app_main runs the CMocka group in the guest's main thread.
 * The stack runs on an interface made with net_if_create over a test link
 * whose send() records every frame the guest sends. The test plays the peer
 * (10.0.0.1) on that link: it builds the frames the peer sends, with the
 * test peer's own checksum code (tests/support/peer.h), and hands them to
 * net_if_input; it can also reflect a frame the guest sent back to it (a
 * round trip). Run it with --clock virtual:
 * timeouts then end at exactly their deadline.
 *
 * Each test file includes this header once, hence the static inline helpers.
 *
 * Assertions are made only in the main thread; worker threads record what
 * they saw and the test checks it after joining them.
 */
#ifndef TESTS_UNIT_NET_UDP_FIXTURE_H
#define TESTS_UNIT_NET_UDP_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "net/include/net/ip4.h"
#include "net/include/net/netif.h"
#include "net/include/net/socket.h"
#include "net/net_private.h"
#include "runtime/include/uk/alloc.h"
#include "runtime/include/uk/boot.h"
#include "runtime/include/uk/sched.h"
#include "runtime/include/uk/time.h"
#include "peer.h"

#define MS UK_NSEC_PER_MSEC
#define MAX_FRAME 1514

static const uint8_t our_mac[6] = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x02 };
static const uint8_t peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
#define OUR_IP IP4_ADDR(10, 0, 0, 2)
#define PEER_IP IP4_ADDR(10, 0, 0, 1)
#define SUBNET_BCAST IP4_ADDR(10, 0, 0, 255)

/* --- the link: records what the guest sends --- */

static struct peer_capture sent; /* tests/support/peer.h */

static struct net_if *nif;

static inline void sent_reset(void)
{
	peer_capture_reset(&sent);
}

static inline struct net_if_stats stats_now(void)
{
	struct net_if_stats st;

	net_if_stats(nif, &st);
	return st;
}

/* --- the peer's frames (tests/support/peer.h: independent of the stack) --- */

/* Ethernet + IPv4 header around payload; returns the frame length. */
static inline size_t build_ip(uint8_t *f, ip4_addr_t src, ip4_addr_t dst, uint8_t proto,
		       const uint8_t *payload, size_t len)
{
	struct peer_ip4 h = { .src = src, .dst = dst, .proto = proto, .id = 0x1234 };
	bool bcast = dst == IP4_BROADCAST || dst == SUBNET_BCAST;

	peer_eth_put(f, bcast ? bcast_mac : our_mac, peer_mac, ETH_P_IP);
	peer_ip4_put(f + 14, &h, len);
	memcpy(f + 14 + 20, payload, len);
	return 14 + 20 + len;
}

enum csum { CSUM_GOOD, CSUM_ZERO, CSUM_BAD };

/* A UDP datagram from the peer (unless src says otherwise) to dst:dport. */
struct dgram {
	ip4_addr_t src, dst;
	uint16_t sport, dport;
	const void *data;
	size_t len;
	enum csum csum;
	int ulen;        /* the length field; 0: the true length */
	size_t trailing; /* bytes after the datagram inside the IP payload */
	size_t ip_len;   /* the IP payload length; 0: datagram + trailing */
};

static inline void feed_udp(const struct dgram *d)
{
	uint8_t udp[MAX_FRAME], frame[MAX_FRAME];
	size_t n = 8 + d->len, ip_len;
	uint16_t c;

	assert_true(n + d->trailing <= 1480);
	peer_put16(udp, d->sport);
	peer_put16(udp + 2, d->dport);
	peer_put16(udp + 4, (uint16_t)(d->ulen ? d->ulen : (int)n));
	peer_put16(udp + 6, 0);
	memcpy(udp + 8, d->data, d->len);
	memset(udp + n, 0xee, d->trailing);
	c = peer_csum_fold(peer_csum_add(peer_csum_pseudo(d->src, d->dst, IPPROTO_UDP, n), udp, n));
	if (c == 0)
		c = 0xffff;
	if (d->csum == CSUM_ZERO)
		c = 0;
	else if (d->csum == CSUM_BAD)
		c ^= 0x0100;
	peer_put16(udp + 6, c);
	ip_len = d->ip_len ? d->ip_len : n + d->trailing;
	net_if_input(nif, frame, build_ip(frame, d->src, d->dst, 17, udp, ip_len));
}

/* The usual case: a good datagram from the peer's port sport to our dport. */
static inline void feed(uint16_t sport, uint16_t dport, const char *text)
{
	struct dgram d = { .src = PEER_IP, .dst = OUR_IP, .sport = sport, .dport = dport,
			   .data = text, .len = strlen(text) };

	feed_udp(&d);
}

/* --- reading the frames the guest sent --- */

static inline const uint8_t *sent_frame(unsigned int i, size_t *len)
{
	assert_true(i < sent.n && i < PEER_CAPTURE_MAX);
	*len = sent.len[i];
	return sent.frame[i];
}

/* The one frame sent since sent_reset, checked as IPv4 with proto; its IP header. */
static inline const uint8_t *only_ip_frame(uint8_t proto, size_t *ip_len)
{
	size_t len;
	const uint8_t *f;

	assert_int_equal(sent.n, 1);
	f = sent_frame(0, &len);
	assert_true(len >= 14 + 20);
	assert_int_equal(peer_get16(f + 12), 0x0800);
	assert_int_equal(f[14 + 9], proto);
	*ip_len = len - 14;
	return f + 14;
}

/* --- sockets --- */

static inline struct net_socket *sock_bound(ip4_addr_t addr, uint16_t port)
{
	struct net_socket *s;

	assert_int_equal(net_socket(NET_SOCK_DGRAM, &s), 0);
	assert_int_equal(net_bind(s, addr, port), 0);
	return s;
}

/* One datagram, not waiting: its length, or the error. */
static inline int recv_now(struct net_socket *s, char *buf, size_t len, ip4_addr_t *src,
		    uint16_t *port)
{
	return net_recvfrom(s, buf, len, src, port, uk_now_ns());
}

static inline void assert_received(struct net_socket *s, const char *text, uint16_t from_port)
{
	char buf[256];
	ip4_addr_t src = 0;
	uint16_t port = 0;
	int n = recv_now(s, buf, sizeof(buf), &src, &port);

	assert_int_equal(n, (int)strlen(text));
	assert_memory_equal(buf, text, strlen(text));
	assert_int_equal(src, PEER_IP);
	assert_int_equal(port, from_port);
}

static inline void assert_nothing_received(struct net_socket *s)
{
	char buf[16];

	assert_int_equal(recv_now(s, buf, sizeof(buf), NULL, NULL), -ETIMEDOUT);
}

/* --- group setup: the interface, configured, with the peer's MAC learned --- */

/* Answers the ARP request the guest sent (frame i) as the peer. */
static inline void answer_arp(unsigned int i)
{
	size_t len;
	const uint8_t *req = sent_frame(i, &len);
	uint8_t f[42];

	assert_true(len >= 42);
	assert_int_equal(peer_get16(req + 12), 0x0806);
	assert_int_equal(peer_get16(req + 14 + 6), 1); /* a request */
	uint32_t asked, asker;

	memcpy(&asked, req + 14 + 24, 4);
	memcpy(&asker, req + 14 + 14, 4);
	peer_eth_put(f, our_mac, peer_mac, ETH_P_ARP);
	peer_arp_put(f + 14, 2 /* reply */, peer_mac, asked, our_mac, asker);
	net_if_input(nif, f, sizeof(f));
}

static const uint8_t eth_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/*
 * The peer asks for our address: the stack answers and (RFC 826) learns the
 * peer's MAC afresh, so ARP entries never expire in the middle of a test.
 */
static inline void peer_asks_for_us(void)
{
	static const uint8_t unknown[6];
	uint8_t f[42];

	peer_eth_put(f, eth_bcast, peer_mac, ETH_P_ARP);
	peer_arp_put(f + 14, 1 /* request */, peer_mac, PEER_IP, unknown, OUR_IP);
	net_if_input(nif, f, sizeof(f));
}

static inline int group_setup(void **state)
{
	struct net_link link = { .send = peer_capture_send, .ctx = &sent, .mtu = 1500 };
	struct net_if_config cfg = { .addr = OUR_IP, .netmask = IP4_ADDR(255, 255, 255, 0),
				     .gateway = PEER_IP };
	struct net_socket *s;

	memcpy(link.mac, our_mac, 6);
	if (net_if_create(&link, &nif) != 0 || net_if_set_config(nif, &cfg) != 0)
		return -1;
	/* The first datagram to the peer waits for ARP; answering sends it. */
	sent_reset();
	if (net_socket(NET_SOCK_DGRAM, &s) != 0 || net_sendto(s, "arp", 3, PEER_IP, 9) != 3)
		return -1;
	for (unsigned int i = 0; i < sent.n; i++)
		if (sent.len[i] >= 42 && peer_get16(sent.frame[i] + 12) == 0x0806 &&
		    peer_get16(sent.frame[i] + 20) == 1 &&
		    !memcmp(sent.frame[i] + 38, &(ip4_addr_t){ PEER_IP }, 4)) {
			unsigned int before = sent.n;

			answer_arp(i);
			if (sent.n != before + 1)
				return -1;
			break;
		}
	net_close(s);
	sent_reset();
	return 0;
}

static inline int group_teardown(void **state)
{
	net_if_destroy(nif);
	return 0;
}

static struct uk_mem_stats baseline;

static inline int setup(void **state)
{
	sent_reset();
	/* Let a second of guest time pass: ICMP's rate limit starts afresh. */
	uk_sleep_ns(UK_NSEC_PER_SEC);
	peer_asks_for_us();
	sent_reset();
	uk_mem_stats(&baseline);
	return 0;
}

/* Every test closes its sockets: what they held is back. */
static inline int teardown(void **state)
{
	struct uk_mem_stats now;

	uk_mem_stats(&now);
	assert_int_equal(now.heap_blocks, baseline.heap_blocks);
	return 0;
}

/* The peer answers the datagram the guest sent (frame 0) with ICMP type/code. */
static inline void feed_icmp_error_about_sent(uint8_t type, uint8_t code)
{
	uint8_t icmp[8 + 20 + 8], frame[MAX_FRAME];
	size_t len;
	const uint8_t *f = sent_frame(0, &len);

	assert_true(len >= 14 + 28);
	memset(icmp, 0, 8);
	icmp[0] = type;
	icmp[1] = code;
	memcpy(icmp + 8, f + 14, 28);
	peer_put16(icmp + 2, peer_csum_fold(peer_csum_add(0, icmp, sizeof(icmp))));
	net_if_input(nif, frame, build_ip(frame, PEER_IP, OUR_IP, 1, icmp, sizeof(icmp)));
}

#endif
