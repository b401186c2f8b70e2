/*
 * UDP (net/udp.c) and the socket API (net/socket.c), inside a booted guest.
 *
 * The runtime only runs booted, so this test is a unikernel (see
 * sched_test.c): app_main runs the CMocka group in the guest's main thread.
 * The stack runs on an interface made with net_if_create over a test link
 * whose send() records every frame the guest sends. The test plays the peer
 * (10.0.0.1) on that link: it builds the frames the peer sends, with the
 * test peer's own checksum code (tests/support/peer.h), and hands them to net_if_input; it can also reflect a frame
 * the guest sent back to it (a round trip). Run it with --clock virtual:
 * timeouts then end at exactly their deadline.
 *
 * Assertions are made only in the main thread; worker threads record what
 * they saw and the test checks it after joining them.
 */
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

const char uk_app_name[] = "net_udp_test";

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

static void sent_reset(void)
{
	peer_capture_reset(&sent);
}

static struct net_if_stats stats_now(void)
{
	struct net_if_stats st;

	net_if_stats(nif, &st);
	return st;
}

/* --- the peer's frames (tests/support/peer.h: independent of the stack) --- */

/* Ethernet + IPv4 header around payload; returns the frame length. */
static size_t build_ip(uint8_t *f, ip4_addr_t src, ip4_addr_t dst, uint8_t proto,
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

static void feed_udp(const struct dgram *d)
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
static void feed(uint16_t sport, uint16_t dport, const char *text)
{
	struct dgram d = { .src = PEER_IP, .dst = OUR_IP, .sport = sport, .dport = dport,
			   .data = text, .len = strlen(text) };

	feed_udp(&d);
}

/* --- reading the frames the guest sent --- */

static const uint8_t *sent_frame(unsigned int i, size_t *len)
{
	assert_true(i < sent.n && i < PEER_CAPTURE_MAX);
	*len = sent.len[i];
	return sent.frame[i];
}

/* The one frame sent since sent_reset, checked as IPv4 with proto; its IP header. */
static const uint8_t *only_ip_frame(uint8_t proto, size_t *ip_len)
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

static struct net_socket *sock_bound(ip4_addr_t addr, uint16_t port)
{
	struct net_socket *s;

	assert_int_equal(net_socket(NET_SOCK_DGRAM, &s), 0);
	assert_int_equal(net_bind(s, addr, port), 0);
	return s;
}

/* One datagram, not waiting: its length, or the error. */
static int recv_now(struct net_socket *s, char *buf, size_t len, ip4_addr_t *src,
		    uint16_t *port)
{
	return net_recvfrom(s, buf, len, src, port, uk_now_ns());
}

static void assert_received(struct net_socket *s, const char *text, uint16_t from_port)
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

static void assert_nothing_received(struct net_socket *s)
{
	char buf[16];

	assert_int_equal(recv_now(s, buf, sizeof(buf), NULL, NULL), -ETIMEDOUT);
}

/* --- group setup: the interface, configured, with the peer's MAC learned --- */

/* Answers the ARP request the guest sent (frame i) as the peer. */
static void answer_arp(unsigned int i)
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
static void peer_asks_for_us(void)
{
	static const uint8_t unknown[6];
	uint8_t f[42];

	peer_eth_put(f, eth_bcast, peer_mac, ETH_P_ARP);
	peer_arp_put(f + 14, 1 /* request */, peer_mac, PEER_IP, unknown, OUR_IP);
	net_if_input(nif, f, sizeof(f));
}

static int group_setup(void **state)
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

static int group_teardown(void **state)
{
	net_if_destroy(nif);
	return 0;
}

static struct uk_mem_stats baseline;

static int setup(void **state)
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
static int teardown(void **state)
{
	struct uk_mem_stats now;

	uk_mem_stats(&now);
	assert_int_equal(now.heap_blocks, baseline.heap_blocks);
	return 0;
}

/* --- checksums --- */

static void test_sent_datagram_carries_a_correct_checksum(void **state)
{
	struct net_socket *s = sock_bound(IP4_ANY, 5000);
	const uint8_t *ip;
	size_t ip_len;
	ip4_addr_t src, dst;

	assert_int_equal(net_sendto(s, "hello", 5, PEER_IP, 9), 5);
	ip = only_ip_frame(17, &ip_len);
	assert_int_equal(ip_len, 20 + 8 + 5);
	memcpy(&src, ip + 12, 4);
	memcpy(&dst, ip + 16, 4);
	assert_int_equal(src, OUR_IP);
	assert_int_equal(dst, PEER_IP);
	assert_int_equal(peer_get16(ip + 20), 5000);
	assert_int_equal(peer_get16(ip + 22), 9);
	assert_int_equal(peer_get16(ip + 24), 13);
	assert_int_not_equal(peer_get16(ip + 26), 0);
	assert_memory_equal(ip + 28, "hello", 5);
	assert_int_equal(peer_csum_fold(peer_csum_add(peer_csum_pseudo(src, dst, IPPROTO_UDP, 13), ip + 20, 13)), 0);
	net_close(s);
}

static void test_a_computed_zero_checksum_is_sent_as_ffff(void **state)
{
	struct net_socket *s = sock_bound(IP4_ANY, 5001);
	uint8_t udp[10] = { 0x13, 0x89, 0x00, 0x09, 0x00, 0x0a, 0, 0, 0, 0 };
	uint16_t fill;
	const uint8_t *ip;
	size_t ip_len;

	/* Two payload bytes that make the one's complement sum 0xffff. */
	fill = (uint16_t)~peer_csum_fold(peer_csum_add(peer_csum_pseudo(OUR_IP, PEER_IP, IPPROTO_UDP, 10), udp, 10));
	fill = (uint16_t)~fill;
	peer_put16(udp + 8, fill);
	assert_int_equal(peer_csum_fold(peer_csum_add(peer_csum_pseudo(OUR_IP, PEER_IP, IPPROTO_UDP, 10), udp, 10)), 0);
	assert_int_equal(net_sendto(s, udp + 8, 2, PEER_IP, 9), 2);
	ip = only_ip_frame(17, &ip_len);
	assert_int_equal(peer_get16(ip + 26), 0xffff);
	net_close(s);
}

static void test_a_sent_datagram_reflected_by_the_peer_is_received(void **state)
{
	struct net_socket *s = sock_bound(IP4_ANY, 5002);
	uint8_t frame[MAX_FRAME];
	size_t len;
	const uint8_t *f;

	assert_int_equal(net_sendto(s, "round trip", 10, PEER_IP, 4000), 10);
	f = sent_frame(0, &len);
	/* The peer swaps MACs, addresses and ports: the checksum still holds. */
	memcpy(frame, f, len);
	memcpy(frame, f + 6, 6);
	memcpy(frame + 6, f, 6);
	memcpy(frame + 14 + 12, f + 14 + 16, 4);
	memcpy(frame + 14 + 16, f + 14 + 12, 4);
	memcpy(frame + 34, f + 36, 2);
	memcpy(frame + 36, f + 34, 2);
	net_if_input(nif, frame, len);
	assert_received(s, "round trip", 4000);
	net_close(s);
}

static void test_received_datagram_with_a_good_checksum_is_delivered(void **state)
{
	struct net_socket *s = sock_bound(IP4_ANY, 5003);

	feed(1234, 5003, "good");
	assert_received(s, "good", 1234);
	net_close(s);
}

static void test_bad_checksum_is_dropped_and_counted(void **state)
{
	struct net_socket *s = sock_bound(IP4_ANY, 5004);
	struct net_if_stats before = stats_now();
	struct dgram d = { .src = PEER_IP, .dst = OUR_IP, .sport = 1, .dport = 5004,
			   .data = "bad", .len = 3, .csum = CSUM_BAD };

	feed_udp(&d);
	assert_nothing_received(s);
	assert_int_equal(stats_now().udp_bad_checksum, before.udp_bad_checksum + 1);
	assert_int_equal(sent.n, 0); /* and no ICMP about it */
	net_close(s);
}

static void test_zero_checksum_means_not_computed_and_is_accepted(void **state)
{
	struct net_socket *s = sock_bound(IP4_ANY, 5005);
	struct dgram d = { .src = PEER_IP, .dst = OUR_IP, .sport = 77, .dport = 5005,
			   .data = "nocsum", .len = 6, .csum = CSUM_ZERO };

	feed_udp(&d);
	assert_received(s, "nocsum", 77);
	net_close(s);
}

/* --- the length field --- */

static void test_length_field_below_8_is_dropped_and_counted(void **state)
{
	struct net_socket *s = sock_bound(IP4_ANY, 5010);
	struct net_if_stats before = stats_now();
	struct dgram d = { .src = PEER_IP, .dst = OUR_IP, .sport = 1, .dport = 5010,
			   .data = "abcd", .len = 4, .csum = CSUM_ZERO, .ulen = 7 };

	feed_udp(&d);
	assert_nothing_received(s);
	assert_int_equal(stats_now().udp_bad_length, before.udp_bad_length + 1);
	net_close(s);
}

static void test_length_field_beyond_the_ip_payload_is_dropped_and_counted(void **state)
{
	struct net_socket *s = sock_bound(IP4_ANY, 5011);
	struct net_if_stats before = stats_now();
	struct dgram d = { .src = PEER_IP, .dst = OUR_IP, .sport = 1, .dport = 5011,
			   .data = "abcd", .len = 4, .csum = CSUM_ZERO, .ulen = 8 + 5 };

	feed_udp(&d);
	assert_nothing_received(s);
	assert_int_equal(stats_now().udp_bad_length, before.udp_bad_length + 1);
	net_close(s);
}

static void test_ip_payload_shorter_than_the_udp_header_is_dropped_and_counted(void **state)
{
	struct net_socket *s = sock_bound(IP4_ANY, 5012);
	struct net_if_stats before = stats_now();
	struct dgram d = { .src = PEER_IP, .dst = OUR_IP, .sport = 1, .dport = 5012,
			   .csum = CSUM_ZERO, .ip_len = 6 };

	feed_udp(&d);
	assert_nothing_received(s);
	assert_int_equal(stats_now().udp_bad_length, before.udp_bad_length + 1);
	net_close(s);
}

static void test_bytes_beyond_the_length_field_are_trimmed(void **state)
{
	struct net_socket *s = sock_bound(IP4_ANY, 5013);
	struct dgram d = { .src = PEER_IP, .dst = OUR_IP, .sport = 9, .dport = 5013,
			   .data = "payload", .len = 7, .trailing = 5 };

	/* The checksum covers only the datagram: the trailer must not be summed. */
	feed_udp(&d);
	assert_received(s, "payload", 9);
	net_close(s);
}

/* --- demultiplexing --- */

static void test_a_socket_bound_to_the_address_wins_over_one_bound_to_any(void **state)
{
	struct net_socket *any = sock_bound(IP4_ANY, 6000);
	struct net_socket *exact = sock_bound(OUR_IP, 6000);

	feed(1, 6000, "to exact");
	assert_received(exact, "to exact", 1);
	assert_nothing_received(any);
	/* Without it, the ANY socket hears the port. */
	net_close(exact);
	feed(1, 6000, "to any");
	assert_received(any, "to any", 1);
	net_close(any);
}

static void test_the_order_of_binding_does_not_change_which_socket_wins(void **state)
{
	struct net_socket *exact = sock_bound(OUR_IP, 6001);
	struct net_socket *any = sock_bound(IP4_ANY, 6001);

	feed(1, 6001, "x");
	assert_received(exact, "x", 1);
	assert_nothing_received(any);
	net_close(exact);
	net_close(any);
}

static void test_two_sockets_on_different_ports_each_get_their_own(void **state)
{
	struct net_socket *a = sock_bound(IP4_ANY, 6010);
	struct net_socket *b = sock_bound(IP4_ANY, 6011);

	feed(100, 6011, "for b");
	feed(101, 6010, "for a");
	assert_received(a, "for a", 101);
	assert_received(b, "for b", 100);
	assert_nothing_received(a);
	assert_nothing_received(b);
	net_close(a);
	net_close(b);
}

static void test_a_socket_bound_to_another_interface_does_not_hear(void **state)
{
	struct net_link link = { .send = peer_capture_send, .ctx = &sent, .mtu = 1500,
				 .mac = { 0x02, 0, 0, 0, 0, 0x99 } };
	struct net_if *other;
	struct net_socket *s = sock_bound(IP4_ANY, 6020);
	struct net_if_stats before = stats_now();

	assert_int_equal(net_if_create(&link, &other), 0);
	assert_int_equal(net_bind_if(s, other), 0);
	feed(1, 6020, "not here");
	assert_nothing_received(s);
	assert_int_equal(stats_now().udp_no_port, before.udp_no_port + 1);
	net_close(s);
	net_if_destroy(other);
	sent_reset();
}

static void test_broadcast_reaches_only_sockets_with_broadcast_on(void **state)
{
	struct net_socket *s = sock_bound(IP4_ANY, 6030);
	struct dgram d = { .src = PEER_IP, .dst = IP4_BROADCAST, .sport = 68, .dport = 6030,
			   .data = "everyone", .len = 8 };

	feed_udp(&d);
	assert_nothing_received(s);
	assert_int_equal(net_set_broadcast(s, true), 0);
	feed_udp(&d);
	assert_received(s, "everyone", 68);
	d.dst = SUBNET_BCAST;
	feed_udp(&d);
	assert_received(s, "everyone", 68);
	assert_int_equal(sent.n, 0);
	net_close(s);
}

static void test_broadcast_send_needs_broadcast_on(void **state)
{
	struct net_socket *s = sock_bound(IP4_ANY, 6031);
	const uint8_t *ip;
	size_t ip_len;

	assert_int_equal(net_sendto(s, "x", 1, IP4_BROADCAST, 67), -EACCES);
	assert_int_equal(sent.n, 0);
	assert_int_equal(net_set_broadcast(s, true), 0);
	assert_int_equal(net_sendto(s, "x", 1, IP4_BROADCAST, 67), 1);
	ip = only_ip_frame(17, &ip_len);
	assert_memory_equal(sent.frame[0], bcast_mac, 6);
	assert_memory_equal(ip + 16, &(ip4_addr_t){ IP4_BROADCAST }, 4);
	net_close(s);
}

/* --- binding and ports --- */

static void test_ephemeral_ports_are_in_range_and_skip_a_busy_port(void **state)
{
	struct net_socket *a, *b, *c;
	ip4_addr_t addr;
	uint16_t pa, pc;

	assert_int_equal(net_socket(NET_SOCK_DGRAM, &a), 0);
	assert_int_equal(net_getsockname(a, &addr, &pa), 0);
	assert_int_equal(pa, 0); /* not bound yet */
	assert_int_equal(net_sendto(a, "x", 1, PEER_IP, 9), 1);
	assert_int_equal(net_getsockname(a, &addr, &pa), 0);
	assert_int_equal(addr, IP4_ANY);
	assert_in_range(pa, 49152, 65534);
	/* The next port the search would take is busy: it is skipped. */
	b = sock_bound(IP4_ANY, (uint16_t)(pa + 1));
	assert_int_equal(net_socket(NET_SOCK_DGRAM, &c), 0);
	assert_int_equal(net_bind(c, IP4_ANY, 0), 0);
	assert_int_equal(net_getsockname(c, NULL, &pc), 0);
	assert_in_range(pc, 49152, 65535);
	assert_int_not_equal(pc, pa);
	assert_int_not_equal(pc, pa + 1);
	net_close(a);
	net_close(b);
	net_close(c);
}

static void test_the_sent_source_port_is_the_ephemeral_port(void **state)
{
	struct net_socket *s;
	const uint8_t *ip;
	size_t ip_len;
	uint16_t port;

	assert_int_equal(net_socket(NET_SOCK_DGRAM, &s), 0);
	assert_int_equal(net_sendto(s, "x", 1, PEER_IP, 9), 1);
	assert_int_equal(net_getsockname(s, NULL, &port), 0);
	ip = only_ip_frame(17, &ip_len);
	assert_int_equal(peer_get16(ip + 20), port);
	net_close(s);
}

static void test_a_second_bind_of_the_same_address_and_port_is_eaddrinuse(void **state)
{
	struct net_socket *a = sock_bound(IP4_ANY, 7000), *b, *c = sock_bound(OUR_IP, 7001);

	assert_int_equal(net_socket(NET_SOCK_DGRAM, &b), 0);
	assert_int_equal(net_bind(b, IP4_ANY, 7000), -EADDRINUSE);
	assert_int_equal(net_bind(b, OUR_IP, 7001), -EADDRINUSE);
	/* Once the holder closes, the port is free. */
	net_close(a);
	assert_int_equal(net_bind(b, IP4_ANY, 7000), 0);
	/* A bound socket cannot be bound again. */
	assert_int_equal(net_bind(b, IP4_ANY, 7002), -EINVAL);
	net_close(b);
	net_close(c);
}

static void test_binding_an_address_that_is_not_ours_is_eaddrnotavail(void **state)
{
	struct net_socket *s;

	assert_int_equal(net_socket(NET_SOCK_DGRAM, &s), 0);
	assert_int_equal(net_bind(s, IP4_ADDR(192, 0, 2, 1), 7010), -EADDRNOTAVAIL);
	net_close(s);
}

/* --- ICMP --- */

static void test_datagram_to_a_closed_port_is_answered_with_port_unreachable(void **state)
{
	struct net_if_stats before = stats_now();
	const uint8_t *ip;
	size_t ip_len, ihl;
	ip4_addr_t dst;

	feed(5555, 4444, "anyone?");
	assert_int_equal(stats_now().udp_no_port, before.udp_no_port + 1);
	ip = only_ip_frame(1, &ip_len);
	memcpy(&dst, ip + 16, 4);
	assert_int_equal(dst, PEER_IP);
	ihl = (size_t)(ip[0] & 0xf) * 4;
	assert_true(ip_len >= ihl + 8 + 20 + 8);
	assert_int_equal(ip[ihl], 3);     /* destination unreachable */
	assert_int_equal(ip[ihl + 1], 3); /* port */
	/* It quotes our datagram: IP header, then the UDP ports. */
	assert_int_equal(ip[ihl + 8 + 9], 17);
	assert_int_equal(peer_get16(ip + ihl + 8 + 20), 5555);
	assert_int_equal(peer_get16(ip + ihl + 8 + 22), 4444);
}

static void test_broadcast_to_a_closed_port_gets_no_port_unreachable(void **state)
{
	struct net_if_stats before = stats_now();
	struct dgram d = { .src = PEER_IP, .dst = IP4_BROADCAST, .sport = 1, .dport = 4445,
			   .data = "hi all", .len = 6 };

	feed_udp(&d);
	d.dst = SUBNET_BCAST;
	feed_udp(&d);
	assert_int_equal(stats_now().udp_no_port, before.udp_no_port + 2);
	assert_int_equal(sent.n, 0);
}

/* The peer answers the datagram the guest sent (frame 0) with ICMP type/code. */
static void feed_icmp_error_about_sent(uint8_t type, uint8_t code)
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

static void test_port_unreachable_in_makes_the_next_recvfrom_econnrefused_once(void **state)
{
	struct net_socket *s, *other = sock_bound(IP4_ANY, 7101);
	char buf[16];

	assert_int_equal(net_socket(NET_SOCK_DGRAM, &s), 0);
	assert_int_equal(net_sendto(s, "x", 1, PEER_IP, 9), 1);
	feed_icmp_error_about_sent(3, 3);
	assert_int_equal(recv_now(s, buf, sizeof(buf), NULL, NULL), -ECONNREFUSED);
	assert_int_equal(recv_now(s, buf, sizeof(buf), NULL, NULL), -ETIMEDOUT);
	/* Only the sender hears of it. */
	assert_nothing_received(other);
	net_close(s);
	net_close(other);
}

static void test_other_unreachables_make_the_next_recvfrom_ehostunreach(void **state)
{
	struct net_socket *s = sock_bound(IP4_ANY, 7102);
	char buf[16];

	assert_int_equal(net_sendto(s, "x", 1, PEER_IP, 9), 1);
	feed_icmp_error_about_sent(3, 1); /* host unreachable */
	assert_int_equal(recv_now(s, buf, sizeof(buf), NULL, NULL), -EHOSTUNREACH);
	assert_int_equal(recv_now(s, buf, sizeof(buf), NULL, NULL), -ETIMEDOUT);
	net_close(s);
}

/* --- receiving, blocking, polling, closing --- */

static void test_recvfrom_truncates_and_returns_the_full_length(void **state)
{
	struct net_socket *s = sock_bound(IP4_ANY, 8000);
	char buf[4];

	feed(1, 8000, "0123456789");
	assert_int_equal(recv_now(s, buf, sizeof(buf), NULL, NULL), 10);
	assert_memory_equal(buf, "0123", 4);
	assert_nothing_received(s); /* the rest is gone */
	net_close(s);
}

static void test_recvfrom_times_out_at_exactly_the_deadline(void **state)
{
	struct net_socket *s = sock_bound(IP4_ANY, 8001);
	uint64_t t0 = uk_now_ns();
	char buf[16];

	assert_int_equal(net_recvfrom(s, buf, sizeof(buf), NULL, NULL, t0 + 7 * MS),
			 -ETIMEDOUT);
	assert_int_equal(uk_now_ns(), t0 + 7 * MS);
	net_close(s);
}

struct feeder {
	uint64_t delay;
	uint16_t port;
};

static int feed_later(void *arg)
{
	struct feeder *f = arg;

	uk_sleep_ns(f->delay);
	feed(1, f->port, "late");
	return 0;
}

static void test_recvfrom_blocks_until_a_datagram_arrives(void **state)
{
	struct net_socket *s = sock_bound(IP4_ANY, 8002);
	struct feeder f = { .delay = 3 * MS, .port = 8002 };
	uint64_t t0 = uk_now_ns();
	struct uk_thread *t = uk_thread_create("feeder", feed_later, &f);
	char buf[16];

	assert_non_null(t);
	assert_int_equal(net_recvfrom(s, buf, sizeof(buf), NULL, NULL, 0), 4);
	assert_int_equal(uk_now_ns(), t0 + 3 * MS);
	uk_thread_join(t);
	net_close(s);
}

static void test_poll_wakes_for_the_socket_that_got_data(void **state)
{
	struct net_socket *a = sock_bound(IP4_ANY, 8010), *b = sock_bound(IP4_ANY, 8011);
	struct net_pollfd fds[2] = { { .s = a, .events = NET_POLLIN },
				     { .s = b, .events = NET_POLLIN } };
	struct feeder f = { .delay = 2 * MS, .port = 8011 };
	uint64_t t0 = uk_now_ns();
	struct uk_thread *t = uk_thread_create("feeder", feed_later, &f);

	assert_non_null(t);
	assert_int_equal(net_poll(fds, 2, t0 + 50 * MS), 1);
	assert_int_equal(uk_now_ns(), t0 + 2 * MS);
	assert_int_equal(fds[0].revents, 0);
	assert_int_equal(fds[1].revents, NET_POLLIN);
	uk_thread_join(t);
	net_close(a);
	net_close(b);
}

static void test_poll_times_out_at_exactly_the_deadline(void **state)
{
	struct net_socket *a = sock_bound(IP4_ANY, 8020), *b = sock_bound(IP4_ANY, 8021);
	struct net_pollfd fds[2] = { { .s = a, .events = NET_POLLIN },
				     { .s = b, .events = NET_POLLIN } };
	uint64_t t0 = uk_now_ns();

	assert_int_equal(net_poll(fds, 2, t0 + 9 * MS), -ETIMEDOUT);
	assert_int_equal(uk_now_ns(), t0 + 9 * MS);
	assert_int_equal(fds[0].revents, 0);
	assert_int_equal(fds[1].revents, 0);
	net_close(a);
	net_close(b);
}

static void test_poll_reports_ready_sockets_at_once(void **state)
{
	struct net_socket *a = sock_bound(IP4_ANY, 8030), *b = sock_bound(IP4_ANY, 8031);
	struct net_pollfd fds[2] = { { .s = a, .events = NET_POLLIN | NET_POLLOUT },
				     { .s = b, .events = NET_POLLIN } };
	uint64_t t0 = uk_now_ns();

	/* A datagram socket can always send. */
	assert_int_equal(net_poll(fds, 2, 0), 1);
	assert_int_equal(fds[0].revents, NET_POLLOUT);
	assert_int_equal(fds[1].revents, 0);
	/* An error waiting counts as readable. */
	assert_int_equal(net_sendto(b, "x", 1, PEER_IP, 9), 1);
	feed_icmp_error_about_sent(3, 3);
	assert_int_equal(net_poll(fds + 1, 1, 0), 1);
	assert_int_equal(fds[1].revents, NET_POLLIN);
	assert_int_equal(uk_now_ns(), t0);
	net_close(a);
	net_close(b);
}

struct blocked {
	struct net_socket *s;
	struct net_pollfd fd;
	int rc;
};

static int recv_forever(void *arg)
{
	struct blocked *b = arg;
	char buf[16];

	b->rc = net_recvfrom(b->s, buf, sizeof(buf), NULL, NULL, 0);
	return 0;
}

static int poll_forever(void *arg)
{
	struct blocked *b = arg;

	b->rc = net_poll(&b->fd, 1, 0);
	return 0;
}

static void test_close_wakes_a_blocked_receiver_with_ebadf(void **state)
{
	struct blocked b = { .s = sock_bound(IP4_ANY, 8040), .rc = 1 };
	struct uk_thread *t = uk_thread_create("receiver", recv_forever, &b);

	assert_non_null(t);
	uk_yield(); /* it blocks */
	assert_int_equal(b.rc, 1);
	assert_int_equal(net_close(b.s), 0);
	uk_thread_join(t);
	assert_int_equal(b.rc, -EBADF);
}

static void test_close_wakes_a_blocked_poller_with_ebadf(void **state)
{
	struct blocked b = { .s = sock_bound(IP4_ANY, 8041), .rc = 1 };
	struct uk_thread *t;

	b.fd = (struct net_pollfd){ .s = b.s, .events = NET_POLLIN };
	t = uk_thread_create("poller", poll_forever, &b);
	assert_non_null(t);
	uk_yield();
	assert_int_equal(b.rc, 1);
	assert_int_equal(net_close(b.s), 0);
	uk_thread_join(t);
	assert_int_equal(b.rc, -EBADF);
}

static void test_close_frees_queued_datagrams_and_the_port(void **state)
{
	struct net_socket *s = sock_bound(IP4_ANY, 8050);

	feed(1, 8050, "one");
	feed(1, 8050, "two");
	net_close(s); /* the teardown checks the heap */
	s = sock_bound(IP4_ANY, 8050);
	net_close(s);
}

static void test_a_full_receive_queue_drops_and_counts(void **state)
{
	struct net_socket *s = sock_bound(IP4_ANY, 8060);
	char buf[16];

	for (int i = 0; i < NET_DGRAM_QUEUE_MAX + 6; i++)
		feed(1, 8060, "fill");
	assert_int_equal(s->dgram.count, NET_DGRAM_QUEUE_MAX);
	assert_int_equal(s->dgram.dropped, 6);
	for (int i = 0; i < NET_DGRAM_QUEUE_MAX; i++)
		assert_int_equal(recv_now(s, buf, sizeof(buf), NULL, NULL), 4);
	assert_nothing_received(s);
	/* With room again, datagrams are queued again. */
	feed(1, 8060, "more");
	assert_received(s, "more", 1);
	net_close(s);
}

static void test_calls_check_their_arguments(void **state)
{
	struct net_socket *s;

	assert_int_equal(net_socket((enum net_socket_type)42, &s), -EINVAL);
	assert_null(s);
	assert_int_equal(net_socket(NET_SOCK_DGRAM, &s), 0);
	assert_int_equal(net_sendto(s, "x", 1, PEER_IP, 0), -EINVAL);
	assert_int_equal(net_sendto(s, "x", 65536 - 28, PEER_IP, 9), -EMSGSIZE);
	assert_int_equal(net_close(NULL), -EBADF);
	assert_int_equal(net_close(s), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_sent_datagram_carries_a_correct_checksum),
		T(test_a_computed_zero_checksum_is_sent_as_ffff),
		T(test_a_sent_datagram_reflected_by_the_peer_is_received),
		T(test_received_datagram_with_a_good_checksum_is_delivered),
		T(test_bad_checksum_is_dropped_and_counted),
		T(test_zero_checksum_means_not_computed_and_is_accepted),
		T(test_length_field_below_8_is_dropped_and_counted),
		T(test_length_field_beyond_the_ip_payload_is_dropped_and_counted),
		T(test_ip_payload_shorter_than_the_udp_header_is_dropped_and_counted),
		T(test_bytes_beyond_the_length_field_are_trimmed),
		T(test_a_socket_bound_to_the_address_wins_over_one_bound_to_any),
		T(test_the_order_of_binding_does_not_change_which_socket_wins),
		T(test_two_sockets_on_different_ports_each_get_their_own),
		T(test_a_socket_bound_to_another_interface_does_not_hear),
		T(test_broadcast_reaches_only_sockets_with_broadcast_on),
		T(test_broadcast_send_needs_broadcast_on),
		T(test_ephemeral_ports_are_in_range_and_skip_a_busy_port),
		T(test_the_sent_source_port_is_the_ephemeral_port),
		T(test_a_second_bind_of_the_same_address_and_port_is_eaddrinuse),
		T(test_binding_an_address_that_is_not_ours_is_eaddrnotavail),
		T(test_datagram_to_a_closed_port_is_answered_with_port_unreachable),
		T(test_broadcast_to_a_closed_port_gets_no_port_unreachable),
		T(test_port_unreachable_in_makes_the_next_recvfrom_econnrefused_once),
		T(test_other_unreachables_make_the_next_recvfrom_ehostunreach),
		T(test_recvfrom_truncates_and_returns_the_full_length),
		T(test_recvfrom_times_out_at_exactly_the_deadline),
		T(test_recvfrom_blocks_until_a_datagram_arrives),
		T(test_poll_wakes_for_the_socket_that_got_data),
		T(test_poll_times_out_at_exactly_the_deadline),
		T(test_poll_reports_ready_sockets_at_once),
		T(test_close_wakes_a_blocked_receiver_with_ebadf),
		T(test_close_wakes_a_blocked_poller_with_ebadf),
		T(test_close_frees_queued_datagrams_and_the_port),
		T(test_a_full_receive_queue_drops_and_counts),
		T(test_calls_check_their_arguments),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
