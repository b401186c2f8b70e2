/*
 * The core of the IPv4 stack (net/checksum.c, ip4_addr.c, eth.c, arp.c,
 * ip4.c, ip4_reass.c, icmp.c, netif.c), tested inside a running guest.
 *
 * Like sched_test, this is a unikernel whose app_main runs the CMocka group;
 * run it with --clock virtual so that ARP retries, cache lifetimes and
 * reassembly timeouts happen at exact guest times. Each test gets a fresh
 * interface, 10.0.0.2/24 (gateway 10.0.0.1), on a link whose send() records
 * frames; a peer, 10.0.0.9, sends frames in with net_if_input. The real UDP
 * layer (net/udp.c) answers datagrams to closed ports.
 *
 * Every test gives back the guest memory it took; the teardown checks it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "net/net_private.h"
#include "runtime/include/uk/alloc.h"
#include "runtime/include/uk/boot.h"
#include "runtime/include/uk/sched.h"
#include "runtime/include/uk/time.h"

const char uk_app_name[] = "net_core_test";

#define MS UK_NSEC_PER_MSEC
#define SEC UK_NSEC_PER_SEC

static const uint8_t our_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t peer_mac[6] = { 0x02, 0, 0, 0, 0, 0x99 };
#define OUR_IP IP4_ADDR(10, 0, 0, 2)
#define PEER_IP IP4_ADDR(10, 0, 0, 9)
#define GW_IP IP4_ADDR(10, 0, 0, 1)

/* --- the recording link --- */

#define MAX_FRAMES 128
static struct {
	unsigned int n;
	size_t len[MAX_FRAMES];
	uint64_t when[MAX_FRAMES];
	uint8_t data[MAX_FRAMES][1600];
} tx;

/* While set, the link is busy: it records each frame offered, then refuses it. */
static bool link_busy;

static int record_send(void *ctx, const uint8_t *frame, size_t len)
{
	if (tx.n < MAX_FRAMES && len <= sizeof(tx.data[0])) {
		memcpy(tx.data[tx.n], frame, len);
		tx.len[tx.n] = len;
		tx.when[tx.n] = uk_now_ns();
	}
	tx.n++;
	return link_busy ? -ENOBUFS : 0;
}

static void tx_reset(void)
{
	tx.n = 0;
}

/* --- fixtures --- */

static struct net_if *nif;
static struct uk_mem_stats baseline; /* before the test */
static size_t ready_blocks;          /* heap blocks with the interface up */

static struct uk_mem_stats mem_now(void)
{
	struct uk_mem_stats s;

	uk_mem_stats(&s);
	return s;
}

static struct net_if_stats stats(void)
{
	struct net_if_stats s;

	net_if_stats(nif, &s);
	return s;
}

static int if_make(unsigned int mtu)
{
	struct net_link link = { .send = record_send, .mtu = mtu };
	struct net_if_config cfg = {
		.addr = OUR_IP, .netmask = IP4_ADDR(255, 255, 255, 0), .gateway = GW_IP,
	};

	memcpy(link.mac, our_mac, 6);
	link_busy = false;
	if (net_if_create(&link, &nif) < 0 || net_if_set_config(nif, &cfg) < 0)
		return -1;
	ready_blocks = mem_now().heap_blocks;
	tx_reset();
	return 0;
}

static int setup(void **state)
{
	baseline = mem_now();
	return if_make(1500);
}

static int teardown(void **state)
{
	net_if_destroy(nif);
	nif = NULL;
	assert_int_equal(net_if_count(), 0);
	assert_int_equal(mem_now().heap_blocks, baseline.heap_blocks);
	assert_int_equal(mem_now().pages_free, baseline.pages_free);
	return 0;
}

/* --- building frames the peer sends --- */

static size_t eth_build(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	net_put16(f + 12, type);
	return ETH_HLEN;
}

static void ip_csum_set(uint8_t *h)
{
	size_t hlen = (size_t)(h[0] & 15) * 4;

	net_put16(h + 10, 0);
	net_put16(h + 10, net_csum_fold(net_csum_add(0, h, hlen)));
}

/* An IPv4 packet with a 20-byte header; returns its length. */
static size_t ip_build(uint8_t *p, ip4_addr_t src, ip4_addr_t dst, uint8_t proto, uint16_t id,
		       uint16_t frag, const void *payload, size_t len)
{
	p[0] = 0x45;
	p[1] = 0;
	net_put16(p + 2, (uint16_t)(20 + len));
	net_put16(p + 4, id);
	net_put16(p + 6, frag);
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, &src, 4);
	memcpy(p + 16, &dst, 4);
	ip_csum_set(p);
	memcpy(p + 20, payload, len);
	return 20 + len;
}

/* An ICMP echo request with len data bytes (a pattern); returns its length. */
static size_t echo_build(uint8_t *m, uint16_t id, uint16_t seq, size_t len)
{
	m[0] = 8;
	m[1] = 0;
	net_put16(m + 2, 0);
	net_put16(m + 4, id);
	net_put16(m + 6, seq);
	for (size_t i = 0; i < len; i++)
		m[8 + i] = (uint8_t)(i * 7 + seq);
	net_put16(m + 2, net_csum_fold(net_csum_add(0, m, 8 + len)));
	return 8 + len;
}

/* Sends an IP packet from the peer to our MAC. */
static void ip_in(const uint8_t *pkt, size_t len)
{
	static uint8_t f[ETH_HLEN + 1600];

	eth_build(f, our_mac, peer_mac, ETH_TYPE_IP4);
	memcpy(f + ETH_HLEN, pkt, len);
	net_if_input(nif, f, ETH_HLEN + len);
}

static void arp_in(uint16_t op, const uint8_t sha[6], ip4_addr_t spa, ip4_addr_t tpa,
		   const uint8_t eth_dst[6])
{
	uint8_t f[ETH_HLEN + 28];

	eth_build(f, eth_dst, sha, ETH_TYPE_ARP);
	net_put16(f + 14, 1);
	net_put16(f + 16, ETH_TYPE_IP4);
	f[18] = 6;
	f[19] = 4;
	net_put16(f + 20, op);
	memcpy(f + 22, sha, 6);
	memcpy(f + 28, &spa, 4);
	memset(f + 32, 0, 6);
	memcpy(f + 38, &tpa, 4);
	net_if_input(nif, f, sizeof(f));
}

/* The peer asks for us: we learn its MAC (and answer). */
static void peer_known(void)
{
	arp_in(1, peer_mac, PEER_IP, OUR_IP, eth_broadcast);
	assert_int_equal(tx.n, 1);
	tx_reset();
}

/* --- reading what we sent --- */

static const uint8_t *frame_ip(unsigned int i, size_t *len)
{
	assert_true(i < tx.n);
	assert_int_equal(net_get16(tx.data[i] + 12), ETH_TYPE_IP4);
	*len = tx.len[i] - ETH_HLEN;
	return tx.data[i] + ETH_HLEN;
}

static void assert_ip_valid(const uint8_t *ip, size_t len)
{
	assert_true(len >= 20);
	assert_int_equal(ip[0], 0x45);
	assert_int_equal(net_get16(ip + 2), len);
	assert_int_equal(net_csum_fold(net_csum_add(0, ip, 20)), 0);
}

static bool is_arp_request_for(unsigned int i, ip4_addr_t target)
{
	const uint8_t *a = tx.data[i] + ETH_HLEN;

	return i < tx.n && net_get16(tx.data[i] + 12) == ETH_TYPE_ARP &&
	       !memcmp(tx.data[i], eth_broadcast, 6) && net_get16(a + 6) == 1 &&
	       !memcmp(a + 24, &target, 4);
}

/* Payload bytes for reassembly and fragmentation tests. */
static uint8_t pattern[65536 + 64];

/* ====================== checksum ====================== */

static void test_checksum_matches_rfc1071_example(void **state)
{
	const uint8_t d[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	/* RFC 1071 4.1: the folded sum is ddf2. */
	assert_int_equal(net_csum_fold(net_csum_add(0, d, sizeof(d))), (uint16_t)~0xddf2);
}

static void test_checksum_of_a_known_ip_header(void **state)
{
	uint8_t h[] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };

	assert_int_equal(net_csum_fold(net_csum_add(0, h, sizeof(h))), 0xb861);
	net_put16(h + 10, 0xb861);
	assert_int_equal(net_csum_fold(net_csum_add(0, h, sizeof(h))), 0);
}

static void test_checksum_pads_an_odd_length_with_zero(void **state)
{
	const uint8_t d[] = { 0x01, 0x02, 0x03 };
	const uint8_t padded[] = { 0x01, 0x02, 0x03, 0x00 };

	assert_int_equal(net_csum_fold(net_csum_add(0, d, 3)), (uint16_t)~0x0402);
	assert_int_equal(net_csum_fold(net_csum_add(0, d, 3)),
			 net_csum_fold(net_csum_add(0, padded, 4)));
}

static void test_checksum_chained_over_pieces_equals_the_whole(void **state)
{
	static uint8_t d[70001];
	uint32_t sum = 0;

	for (size_t i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)(i * 131 + 17);
	/* Even-sized pieces, the odd one last; 70001 0xff-ish bytes carry a lot. */
	sum = net_csum_add(sum, d, 1000);
	sum = net_csum_add(sum, d + 1000, 30000);
	sum = net_csum_add(sum, d + 31000, 39001);
	assert_int_equal(net_csum_fold(sum), net_csum_fold(net_csum_add(0, d, sizeof(d))));
	memset(d, 0xff, sizeof(d));
	assert_int_equal(net_csum_fold(net_csum_add(0, d, sizeof(d))),
			 net_csum_fold(net_csum_add(net_csum_add(0, d, 2), d + 2, sizeof(d) - 2)));
}

static void test_checksum_pseudo_header_is_the_sum_of_its_fields(void **state)
{
	const uint8_t ph[12] = { 10, 0, 0, 2, 10, 0, 0, 9, 0, 17, 0x01, 0x2c };

	assert_int_equal(net_csum_pseudo(OUR_IP, PEER_IP, IP4_PROTO_UDP, 300),
			 net_csum_add(0, ph, 12));
}

/* ====================== addresses ====================== */

static void test_ip4_addr_parse_and_format_round_trip(void **state)
{
	ip4_addr_t a;
	char buf[16];

	assert_int_equal(ip4_addr_parse("10.0.0.2", &a), 0);
	assert_int_equal(a, OUR_IP);
	assert_string_equal(ip4_addr_str(a, buf), "10.0.0.2");
	assert_int_equal(ip4_addr_parse("255.255.255.255", &a), 0);
	assert_string_equal(ip4_addr_str(a, buf), "255.255.255.255");
	assert_int_equal(ip4_addr_parse("0.0.0.0", &a), 0);
	assert_int_equal(a, IP4_ANY);
}

static void test_ip4_addr_parse_rejects_malformed_text(void **state)
{
	const char *bad[] = { "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4 ", " 1.2.3.4",
			      "1..2.3", "1.2.3.-4", "1234.1.1.1", "a.b.c.d", "1.2.3.4/24" };
	ip4_addr_t a = 7;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ip4_addr_parse(bad[i], &a) != -EINVAL)
			fail_msg("accepted '%s'", bad[i]);
	assert_int_equal(a, 7);
}

static void test_ip4_prefix_and_mask_convert_both_ways(void **state)
{
	assert_int_equal(ip4_prefix_mask(0), 0);
	assert_int_equal(ip4_prefix_mask(24), IP4_ADDR(255, 255, 255, 0));
	assert_int_equal(ip4_prefix_mask(32), IP4_BROADCAST);
	for (unsigned int p = 0; p <= 32; p++)
		assert_int_equal(ip4_mask_prefix(ip4_prefix_mask(p)), p);
	assert_int_equal(ip4_mask_prefix(IP4_ADDR(255, 0, 255, 0)), -1);
	assert_int_equal(ip4_mask_prefix(IP4_ADDR(0, 0, 0, 255)), -1);
}

/* ====================== Ethernet ====================== */

static void test_eth_truncated_frame_is_counted(void **state)
{
	uint8_t f[13] = { 0 };

	net_if_input(nif, f, sizeof(f));
	net_if_input(nif, f, 0);
	assert_int_equal(stats().eth_truncated, 2);
	assert_int_equal(tx.n, 0);
}

static void test_eth_frame_for_another_mac_is_dropped(void **state)
{
	const uint8_t other[6] = { 0x02, 0, 0, 0, 0, 0x55 };
	const uint8_t mdns[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
	uint8_t f[60] = { 0 };

	eth_build(f, other, peer_mac, ETH_TYPE_ARP);
	net_if_input(nif, f, sizeof(f));
	eth_build(f, mdns, peer_mac, ETH_TYPE_IP4); /* a group we did not join */
	net_if_input(nif, f, sizeof(f));
	assert_int_equal(stats().eth_not_for_us, 2);
	assert_int_equal(stats().arp_bad + stats().ip_bad_length, 0);
}

static void test_eth_unknown_ethertype_is_counted(void **state)
{
	uint8_t f[60] = { 0 };

	eth_build(f, our_mac, peer_mac, 0x86dd); /* IPv6 */
	net_if_input(nif, f, sizeof(f));
	eth_build(f, eth_broadcast, peer_mac, 0x8100); /* VLAN tag */
	net_if_input(nif, f, sizeof(f));
	assert_int_equal(stats().eth_unknown_type, 2);
}

static void test_eth_accepts_the_all_hosts_group(void **state)
{
	const uint8_t all_hosts[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	uint8_t f[ETH_HLEN + 64], udp[8] = { 0, 9, 0, 9, 0, 8, 0, 0 };
	size_t n = eth_build(f, all_hosts, peer_mac, ETH_TYPE_IP4);

	n += ip_build(f + n, PEER_IP, IP4_ADDR(224, 0, 0, 1), IP4_PROTO_UDP, 1, 0, udp, 8);
	net_if_input(nif, f, n);
	assert_int_equal(stats().eth_not_for_us, 0);
	assert_int_equal(stats().ip_not_for_us, 0);
	assert_int_equal(stats().udp_no_port, 1);
	assert_int_equal(tx.n, 0); /* no port unreachable about a multicast */
}

static void test_eth_output_builds_the_header(void **state)
{
	const uint8_t payload[3] = { 1, 2, 3 };
	uint64_t before = stats().tx_frames;

	assert_int_equal(eth_output(nif, peer_mac, 0x88b5, payload, 3), 0);
	assert_int_equal(tx.n, 1);
	assert_int_equal(tx.len[0], ETH_HLEN + 3);
	assert_memory_equal(tx.data[0], peer_mac, 6);
	assert_memory_equal(tx.data[0] + 6, our_mac, 6);
	assert_int_equal(net_get16(tx.data[0] + 12), 0x88b5);
	assert_memory_equal(tx.data[0] + ETH_HLEN, payload, 3);
	assert_int_equal(stats().tx_frames, before + 1);
}

/* ====================== IPv4 header checks ====================== */

static size_t valid_echo_packet(uint8_t *p)
{
	uint8_t m[16];

	return ip_build(p, PEER_IP, OUR_IP, IP4_PROTO_ICMP, 1, 0, m, echo_build(m, 1, 1, 8));
}

static void test_ip_truncated_header_is_dropped(void **state)
{
	uint8_t p[64];

	valid_echo_packet(p);
	ip_in(p, 19);
	assert_int_equal(stats().ip_bad_length, 1);
	assert_int_equal(tx.n, 0);
}

static void test_ip_bad_version_is_dropped(void **state)
{
	uint8_t p[64];
	size_t n = valid_echo_packet(p);

	p[0] = 0x65;
	ip_csum_set(p);
	ip_in(p, n);
	assert_int_equal(stats().ip_bad_header, 1);
	assert_int_equal(tx.n, 0);
}

static void test_ip_ihl_below_5_is_dropped(void **state)
{
	uint8_t p[64];
	size_t n = valid_echo_packet(p);

	p[0] = 0x44;
	ip_in(p, n);
	assert_int_equal(stats().ip_bad_header, 1);
}

static void test_ip_ihl_beyond_the_packet_is_dropped(void **state)
{
	uint8_t p[64];

	valid_echo_packet(p);
	p[0] = 0x4f; /* 60-byte header in a 36-byte packet */
	ip_in(p, 36);
	assert_int_equal(stats().ip_bad_length, 1);
}

static void test_ip_total_length_below_the_header_is_dropped(void **state)
{
	uint8_t p[64];
	size_t n = valid_echo_packet(p);

	net_put16(p + 2, 16);
	ip_csum_set(p);
	ip_in(p, n);
	assert_int_equal(stats().ip_bad_length, 1);
}

static void test_ip_total_length_beyond_the_frame_is_dropped(void **state)
{
	uint8_t p[64];
	size_t n = valid_echo_packet(p);

	net_put16(p + 2, (uint16_t)(n + 1));
	ip_csum_set(p);
	ip_in(p, n);
	assert_int_equal(stats().ip_bad_length, 1);
	assert_int_equal(tx.n, 0);
}

static void test_ip_bad_header_checksum_is_dropped(void **state)
{
	uint8_t p[64];
	size_t n = valid_echo_packet(p);

	p[10] ^= 1;
	ip_in(p, n);
	assert_int_equal(stats().ip_bad_checksum, 1);
	assert_int_equal(tx.n, 0);
}

static void test_ip_ttl_0_is_dropped_and_ttl_1_accepted(void **state)
{
	uint8_t p[64];
	size_t n = valid_echo_packet(p);

	peer_known();
	p[8] = 0;
	ip_csum_set(p);
	ip_in(p, n);
	assert_int_equal(stats().ip_ttl_expired, 1);
	assert_int_equal(tx.n, 0);
	p[8] = 1;
	ip_csum_set(p);
	ip_in(p, n);
	assert_int_equal(stats().icmp_echo_replies, 1);
}

static void test_ip_options_are_skipped(void **state)
{
	uint8_t p[64], m[16];
	size_t mlen = echo_build(m, 5, 6, 8), len;
	const uint8_t *r;

	peer_known();
	ip_build(p, PEER_IP, OUR_IP, IP4_PROTO_ICMP, 1, 0, m, 0);
	p[0] = 0x46;
	memset(p + 20, 1, 4); /* four NOP options */
	memcpy(p + 24, m, mlen);
	net_put16(p + 2, (uint16_t)(24 + mlen));
	ip_csum_set(p);
	ip_in(p, 24 + mlen);
	r = frame_ip(0, &len);
	assert_ip_valid(r, len);
	assert_int_equal(len, 20 + mlen);
	assert_int_equal(r[20], 0);
	assert_memory_equal(r + 24, m + 4, mlen - 4);
}

static void test_ip_ethernet_padding_is_trimmed(void **state)
{
	uint8_t p[64] = { 0 }, m[16];
	size_t mlen = echo_build(m, 1, 2, 0), len;

	peer_known();
	ip_build(p, PEER_IP, OUR_IP, IP4_PROTO_ICMP, 1, 0, m, mlen);
	ip_in(p, 46); /* a 60-byte frame: 18 bytes of padding */
	assert_int_equal(stats().icmp_echo_replies, 1);
	frame_ip(0, &len);
	assert_int_equal(len, 20 + mlen);
}

static void test_ip_for_another_address_is_dropped(void **state)
{
	uint8_t p[64], m[16];
	size_t n = ip_build(p, PEER_IP, IP4_ADDR(10, 0, 0, 3), IP4_PROTO_ICMP, 1, 0, m,
			    echo_build(m, 1, 1, 0));

	ip_in(p, n);
	assert_int_equal(stats().ip_not_for_us, 1);
	assert_int_equal(tx.n, 0);
}

static void test_ip_from_an_impossible_source_is_dropped(void **state)
{
	uint8_t p[64], m[16];
	size_t n = ip_build(p, IP4_ADDR(10, 0, 0, 255), OUR_IP, IP4_PROTO_ICMP, 1, 0, m,
			    echo_build(m, 1, 1, 0));

	ip_in(p, n);
	n = ip_build(p, IP4_ADDR(224, 0, 0, 5), OUR_IP, IP4_PROTO_ICMP, 1, 0, m, 8);
	ip_in(p, n);
	assert_int_equal(stats().ip_bad_header, 2);
	assert_int_equal(tx.n, 0);
}

static void test_ip_unknown_protocol_gets_protocol_unreachable(void **state)
{
	uint8_t p[64], data[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	size_t n = ip_build(p, PEER_IP, OUR_IP, 99, 77, 0, data, sizeof(data)), len;
	const uint8_t *r;

	peer_known();
	ip_in(p, n);
	assert_int_equal(stats().ip_unknown_protocol, 1);
	r = frame_ip(0, &len);
	assert_ip_valid(r, len);
	assert_int_equal(r[9], IP4_PROTO_ICMP);
	assert_int_equal(len, 20 + 8 + 20 + 8); /* the header and 8 bytes quoted */
	assert_int_equal(r[20], 3);
	assert_int_equal(r[21], 2);
	assert_memory_equal(r + 28, p, 28);
	assert_int_equal(net_csum_fold(net_csum_add(0, r + 20, len - 20)), 0);
}

/* ====================== ARP ====================== */

static void test_arp_request_for_us_is_answered(void **state)
{
	const uint8_t *a = tx.data[0] + ETH_HLEN;
	ip4_addr_t peer = PEER_IP, us = OUR_IP;

	arp_in(1, peer_mac, PEER_IP, OUR_IP, eth_broadcast);
	assert_int_equal(tx.n, 1);
	assert_memory_equal(tx.data[0], peer_mac, 6);
	assert_int_equal(net_get16(tx.data[0] + 12), ETH_TYPE_ARP);
	assert_int_equal(net_get16(a + 6), 2);
	assert_memory_equal(a + 8, our_mac, 6);
	assert_memory_equal(a + 14, &us, 4);
	assert_memory_equal(a + 18, peer_mac, 6);
	assert_memory_equal(a + 24, &peer, 4);
	assert_int_equal(stats().arp_replies_sent, 1);
}

static void test_arp_request_for_another_address_is_not_answered(void **state)
{
	uint8_t m[16] = { 0 };

	arp_in(1, peer_mac, PEER_IP, IP4_ADDR(10, 0, 0, 3), eth_broadcast);
	assert_int_equal(tx.n, 0);
	/* Nor did we learn the asker's MAC: a reply to it needs ARP. */
	assert_int_equal(ip4_output(nif, IP4_ANY, PEER_IP, IP4_PROTO_ICMP, m, 8), 0);
	assert_true(is_arp_request_for(0, PEER_IP));
}

static void test_arp_malformed_packets_are_counted(void **state)
{
	uint8_t f[ETH_HLEN + 28];
	static const struct {
		size_t off;
		uint8_t val;
	} bad[] = { { 15, 6 }, { 16, 0x86 }, { 18, 8 }, { 19, 16 }, { 21, 3 }, { 22, 0x01 } };

	arp_in(1, peer_mac, PEER_IP, OUR_IP, eth_broadcast);
	tx_reset();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		eth_build(f, eth_broadcast, peer_mac, ETH_TYPE_ARP);
		net_put16(f + 14, 1);
		net_put16(f + 16, ETH_TYPE_IP4);
		f[18] = 6;
		f[19] = 4;
		net_put16(f + 20, 1);
		memcpy(f + 22, peer_mac, 6);
		memset(f + 28, 0, 14);
		f[bad[i].off] = bad[i].val;
		net_if_input(nif, f, sizeof(f));
	}
	net_if_input(nif, f, ETH_HLEN + 27);
	assert_int_equal(stats().arp_bad, sizeof(bad) / sizeof(bad[0]) + 1);
	assert_int_equal(tx.n, 0);
}

static void test_arp_unsolicited_reply_is_not_cached(void **state)
{
	uint8_t m[8] = { 0 };

	arp_in(2, peer_mac, PEER_IP, OUR_IP, our_mac);
	assert_int_equal(stats().arp_unsolicited_ignored, 1);
	assert_int_equal(ip4_output(nif, IP4_ANY, PEER_IP, IP4_PROTO_UDP, m, 8), 0);
	assert_int_equal(tx.n, 1);
	assert_true(is_arp_request_for(0, PEER_IP));
}

static void test_arp_resolution_queues_packets_until_the_reply(void **state)
{
	uint8_t m[3][8] = { { 1 }, { 2 }, { 3 } };
	size_t len;

	for (int i = 0; i < 3; i++)
		assert_int_equal(ip4_output(nif, IP4_ANY, PEER_IP, IP4_PROTO_UDP, m[i], 8), 0);
	assert_int_equal(tx.n, 1); /* one request, three packets waiting */
	assert_true(is_arp_request_for(0, PEER_IP));
	arp_in(2, peer_mac, PEER_IP, OUR_IP, our_mac);
	assert_int_equal(tx.n, 4);
	for (unsigned int i = 1; i < 4; i++) {
		const uint8_t *r = frame_ip(i, &len);

		assert_memory_equal(tx.data[i], peer_mac, 6);
		assert_int_equal(r[20], i); /* in the order sent */
	}
	assert_int_equal(stats().arp_unsolicited_ignored, 0);
}

static void test_arp_retries_three_times_then_gives_up(void **state)
{
	uint8_t m[8] = { 0 };
	uint64_t t0 = uk_now_ns();

	assert_int_equal(ip4_output(nif, IP4_ANY, PEER_IP, IP4_PROTO_UDP, m, 8), 0);
	assert_int_equal(ip4_output(nif, IP4_ANY, PEER_IP, IP4_PROTO_UDP, m, 8), 0);
	uk_sleep_ns(5 * SEC);
	assert_int_equal(tx.n, 3);
	for (unsigned int i = 0; i < 3; i++) {
		assert_true(is_arp_request_for(i, PEER_IP));
		/* exactly 1 s apart: each entry has its own timer */
		assert_int_equal(tx.when[i] - t0, i * SEC);
	}
	assert_int_equal(stats().arp_unresolved, 2);
	/* For a while, sends fail at once; then resolution starts again. */
	assert_int_equal(ip4_output(nif, IP4_ANY, PEER_IP, IP4_PROTO_UDP, m, 8), -EHOSTUNREACH);
	uk_sleep_ns(2 * SEC);
	assert_int_equal(ip4_output(nif, IP4_ANY, PEER_IP, IP4_PROTO_UDP, m, 8), 0);
	assert_int_equal(tx.n, 4);
	assert_true(is_arp_request_for(3, PEER_IP));
}

static void test_arp_queue_is_bounded(void **state)
{
	static uint8_t big[1480];
	int rc = 0;
	unsigned int sent = 0;

	while (sent < 1000 && (rc = ip4_output(nif, IP4_ANY, PEER_IP, IP4_PROTO_UDP, big,
					       sizeof(big))) == 0)
		sent++;
	assert_int_equal(rc, -ENOBUFS);
	assert_in_range(sent, 10, 100);
	assert_int_equal(stats().arp_queue_full, 1);
	assert_int_equal(tx.n, 1);
}

static void test_arp_entry_expires_after_its_lifetime(void **state)
{
	uint8_t m[8] = { 0 };

	peer_known();
	assert_int_equal(ip4_output(nif, IP4_ANY, PEER_IP, IP4_PROTO_UDP, m, 8), 0);
	assert_int_equal(net_get16(tx.data[0] + 12), ETH_TYPE_IP4);
	uk_sleep_ns(59 * SEC);
	assert_int_equal(ip4_output(nif, IP4_ANY, PEER_IP, IP4_PROTO_UDP, m, 8), 0);
	assert_int_equal(net_get16(tx.data[1] + 12), ETH_TYPE_IP4);
	uk_sleep_ns(1 * SEC);
	assert_int_equal(ip4_output(nif, IP4_ANY, PEER_IP, IP4_PROTO_UDP, m, 8), 0);
	assert_int_equal(tx.n, 3);
	assert_true(is_arp_request_for(2, PEER_IP));
}

static void test_arp_cache_evicts_the_oldest_entry(void **state)
{
	uint8_t m[8] = { 0 }, mac[6] = { 0x02, 0, 0, 0, 1, 0 };

	for (unsigned int i = 0; i < 65; i++) {
		mac[5] = (uint8_t)i;
		arp_in(1, mac, IP4_ADDR(10, 0, 0, 100 + i), OUR_IP, eth_broadcast);
		uk_sleep_ns(MS);
	}
	tx_reset();
	/* 10.0.0.101 is still known; 10.0.0.100, the oldest, went for 10.0.0.164. */
	assert_int_equal(ip4_output(nif, IP4_ANY, IP4_ADDR(10, 0, 0, 101), 17, m, 8), 0);
	assert_int_equal(net_get16(tx.data[0] + 12), ETH_TYPE_IP4);
	assert_int_equal(ip4_output(nif, IP4_ANY, IP4_ADDR(10, 0, 0, 100), 17, m, 8), 0);
	assert_true(is_arp_request_for(1, IP4_ADDR(10, 0, 0, 100)));
}

static void test_gratuitous_arp_when_an_address_is_set(void **state)
{
	struct net_if_config cfg = { .addr = IP4_ADDR(10, 0, 0, 3),
				     .netmask = IP4_ADDR(255, 255, 255, 0) };
	const uint8_t *a = tx.data[0] + ETH_HLEN;
	ip4_addr_t addr = cfg.addr;

	assert_int_equal(net_if_set_config(nif, &cfg), 0);
	assert_int_equal(tx.n, 1);
	assert_true(is_arp_request_for(0, addr));
	assert_memory_equal(a + 14, &addr, 4); /* sender and target: the new address */
	assert_memory_equal(a + 8, our_mac, 6);
	/* The same address again (a DHCP renewal) is not announced again. */
	assert_int_equal(net_if_set_config(nif, &cfg), 0);
	assert_int_equal(tx.n, 1);
	cfg.netmask = IP4_ADDR(255, 0, 255, 0);
	assert_int_equal(net_if_set_config(nif, &cfg), -EINVAL);
}

/* ====================== ICMP ====================== */

static void check_echo_reply(unsigned int i, const uint8_t *req, size_t req_len)
{
	size_t len;
	const uint8_t *r = frame_ip(i, &len);
	ip4_addr_t peer = PEER_IP, us = OUR_IP;

	assert_ip_valid(r, len);
	assert_memory_equal(tx.data[i], peer_mac, 6);
	assert_memory_equal(r + 12, &us, 4);
	assert_memory_equal(r + 16, &peer, 4);
	assert_int_equal(len, 20 + req_len);
	assert_int_equal(r[20], 0);
	assert_int_equal(r[21], 0);
	assert_memory_equal(r + 24, req + 4, req_len - 4); /* id, seq, data */
	assert_int_equal(net_csum_fold(net_csum_add(0, r + 20, req_len)), 0);
}

static void test_icmp_echo_is_answered_for_every_size_up_to_1472(void **state)
{
	static uint8_t m[1480], p[1500];

	peer_known();
	for (size_t size = 0; size <= 1472; size++) {
		size_t mlen = echo_build(m, 0x1234, (uint16_t)size, size);

		tx_reset();
		ip_in(p, ip_build(p, PEER_IP, OUR_IP, IP4_PROTO_ICMP, (uint16_t)size, 0, m, mlen));
		assert_int_equal(tx.n, 1);
		check_echo_reply(0, m, mlen);
	}
	assert_int_equal(stats().icmp_echo_replies, 1473);
}

/* Sends payload from the peer as fragments of at most frag bytes. */
static void fragments_in(uint8_t proto, uint16_t id, const uint8_t *payload, size_t len,
			 size_t frag)
{
	static uint8_t p[1600];

	for (size_t off = 0; off < len; off += frag) {
		size_t n = len - off < frag ? len - off : frag;
		uint16_t field = (uint16_t)(off / 8) | (off + n < len ? 0x2000 : 0);

		ip_in(p, ip_build(p, PEER_IP, OUR_IP, proto, id, field, payload + off, n));
	}
}

/* Checks frames first..first+n-1 as the fragments of one datagram; reassembles it. */
static size_t check_fragments(unsigned int first, unsigned int n, uint8_t *out)
{
	size_t total = 0, len;
	uint16_t id = 0;

	for (unsigned int i = 0; i < n; i++) {
		const uint8_t *r = frame_ip(first + i, &len);
		uint16_t field = net_get16(r + 6);

		assert_ip_valid(r, len);
		if (i == 0)
			id = net_get16(r + 4);
		assert_int_equal(net_get16(r + 4), id);
		assert_int_equal((field & 0x1fff) * 8, total);
		assert_int_equal(!!(field & 0x2000), i + 1 < n);
		assert_true(i + 1 == n || (len - 20) % 8 == 0);
		assert_true(len <= 1500);
		memcpy(out + total, r + 20, len - 20);
		total += len - 20;
	}
	return total;
}

static void test_icmp_fragmented_4000_byte_ping_is_answered_in_fragments(void **state)
{
	static uint8_t m[4100], back[4100];
	size_t mlen = echo_build(m, 7, 8, 4000);

	peer_known();
	fragments_in(IP4_PROTO_ICMP, 4242, m, mlen, 1480);
	assert_int_equal(stats().ip_frags_received, 3);
	assert_int_equal(stats().ip_reassembled, 1);
	assert_int_equal(tx.n, 3);
	assert_int_equal(tx.len[0], 1514);
	assert_int_equal(tx.len[1], 1514);
	assert_int_equal(tx.len[2], ETH_HLEN + 20 + mlen - 2960);
	assert_int_equal(check_fragments(0, 3, back), mlen);
	assert_int_equal(back[0], 0);
	assert_memory_equal(back + 4, m + 4, mlen - 4);
	assert_int_equal(net_csum_fold(net_csum_add(0, back, mlen)), 0);
	assert_int_equal(stats().ip_frags_sent, 3);
	assert_int_equal(mem_now().heap_blocks, ready_blocks); /* nothing held back */
}

static void test_icmp_echo_to_a_broadcast_is_not_answered(void **state)
{
	uint8_t p[64], m[16];

	peer_known();
	ip_in(p, ip_build(p, PEER_IP, IP4_ADDR(10, 0, 0, 255), IP4_PROTO_ICMP, 1, 0, m,
			  echo_build(m, 1, 1, 8)));
	ip_in(p, ip_build(p, PEER_IP, IP4_BROADCAST, IP4_PROTO_ICMP, 1, 0, m,
			  echo_build(m, 1, 1, 8)));
	assert_int_equal(tx.n, 0);
	assert_int_equal(stats().ip_not_for_us, 0);
}

static void test_icmp_bad_checksum_or_truncated_is_counted(void **state)
{
	uint8_t p[64], m[16];
	size_t mlen = echo_build(m, 1, 1, 8);

	peer_known();
	m[9] ^= 0x40;
	ip_in(p, ip_build(p, PEER_IP, OUR_IP, IP4_PROTO_ICMP, 1, 0, m, mlen));
	ip_in(p, ip_build(p, PEER_IP, OUR_IP, IP4_PROTO_ICMP, 1, 0, m, 7));
	assert_int_equal(stats().icmp_bad, 2);
	assert_int_equal(tx.n, 0);
}

static void test_icmp_error_with_a_short_quote_is_counted(void **state)
{
	uint8_t p[64], m[40] = { 3, 3 };

	memset(m + 8, 0, 32);
	m[8] = 0x45;
	net_put16(m + 2, net_csum_fold(net_csum_add(0, m, 8 + 20)));
	ip_in(p, ip_build(p, PEER_IP, OUR_IP, IP4_PROTO_ICMP, 1, 0, m, 8 + 20));
	assert_int_equal(stats().icmp_bad, 1);
}

static size_t udp_to_closed_port(uint8_t *p, uint16_t id)
{
	uint8_t u[12] = { 0x30, 0x39, 0x00, 0x07, 0, 12, 0, 0, 'p', 'i', 'n', 'g' };

	return ip_build(p, PEER_IP, OUR_IP, IP4_PROTO_UDP, id, 0, u, sizeof(u));
}

static void test_port_unreachable_is_rate_limited_to_10_a_second(void **state)
{
	uint8_t p[64];
	size_t len;
	const uint8_t *r;

	peer_known();
	for (uint16_t i = 0; i < 30; i++)
		ip_in(p, udp_to_closed_port(p, i));
	assert_int_equal(tx.n, 10);
	assert_int_equal(stats().icmp_unreach_sent, 10);
	assert_int_equal(stats().icmp_unreach_ratelimited, 20);
	r = frame_ip(0, &len);
	assert_int_equal(r[20], 3);
	assert_int_equal(r[21], 3);
	udp_to_closed_port(p, 0);
	assert_memory_equal(r + 28, p, 28); /* the header and 8 bytes of the datagram */
	/* 100 ms brings one token back; a second, the whole burst. */
	uk_sleep_ns(100 * MS);
	for (uint16_t i = 0; i < 3; i++)
		ip_in(p, udp_to_closed_port(p, i));
	assert_int_equal(tx.n, 11);
	uk_sleep_ns(SEC);
	for (uint16_t i = 0; i < 30; i++)
		ip_in(p, udp_to_closed_port(p, i));
	assert_int_equal(tx.n, 21);
}

static void test_icmp_error_never_answers_an_icmp_error(void **state)
{
	uint8_t p[64], err[8] = { 3, 1 }, echo[8] = { 8, 0 };
	struct ip4_info ip = { .src = PEER_IP, .dst = OUR_IP, .proto = IP4_PROTO_ICMP,
			       .header = p, .header_len = 20 };

	peer_known();
	ip_build(p, PEER_IP, OUR_IP, IP4_PROTO_ICMP, 1, 0, err, 8);
	icmp_send_error(nif, 3, 2, &ip, err, 8);
	assert_int_equal(tx.n, 0);
	icmp_send_error(nif, 3, 2, &ip, echo, 8);
	assert_int_equal(tx.n, 1);
	net_put16(p + 6, 185); /* a non-initial fragment */
	icmp_send_error(nif, 3, 2, &ip, echo, 8);
	assert_int_equal(tx.n, 1);
}

/* ====================== reassembly ====================== */

static struct ip4_info frag_info(uint8_t *hdr)
{
	struct ip4_info ip = { .src = PEER_IP, .dst = OUR_IP, .proto = 99, .ttl = 64,
			       .header = hdr, .header_len = 20 };

	ip_build(hdr, PEER_IP, OUR_IP, 99, 1, 0x2000, pattern, 0);
	return ip;
}

static void pattern_fill(void)
{
	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(i * 13 + (i >> 8));
}

/* Feeds fragment [off, off+len) of pattern; returns ip4_reass_input's result. */
static int frag(uint16_t id, size_t off, size_t len, bool more, uint8_t **out, size_t *out_len)
{
	uint8_t hdr[20];
	struct ip4_info ip = frag_info(hdr);

	return ip4_reass_input(nif, &ip, id, (uint16_t)off, more, pattern + off, len, out,
			       out_len);
}

static void assert_whole(uint8_t *out, size_t out_len, size_t expect)
{
	assert_int_equal(out_len, expect);
	assert_memory_equal(out, pattern, expect);
	uk_free(out);
}

static void test_reass_in_order(void **state)
{
	uint8_t *out = NULL;
	size_t out_len = 0;

	pattern_fill();
	assert_int_equal(frag(1, 0, 1480, true, &out, &out_len), 0);
	assert_int_equal(frag(1, 1480, 1480, true, &out, &out_len), 0);
	assert_int_equal(frag(1, 2960, 1000, false, &out, &out_len), 1);
	assert_whole(out, out_len, 3960);
	assert_int_equal(stats().ip_reassembled, 1);
}

static void test_reass_out_of_order(void **state)
{
	uint8_t *out = NULL;
	size_t out_len = 0;

	pattern_fill();
	assert_int_equal(frag(2, 2960, 1001, false, &out, &out_len), 0);
	assert_int_equal(frag(2, 8, 1472, true, &out, &out_len), 0);
	assert_int_equal(frag(2, 1480, 1480, true, &out, &out_len), 0);
	assert_int_equal(frag(2, 0, 8, true, &out, &out_len), 1);
	assert_whole(out, out_len, 3961);
}

static void test_reass_interleaves_datagrams_by_key(void **state)
{
	uint8_t *out = NULL;
	size_t out_len = 0;

	pattern_fill();
	assert_int_equal(frag(3, 0, 800, true, &out, &out_len), 0);
	assert_int_equal(frag(4, 800, 100, false, &out, &out_len), 0);
	assert_int_equal(frag(4, 0, 800, true, &out, &out_len), 1);
	assert_whole(out, out_len, 900);
	assert_int_equal(frag(3, 800, 10, false, &out, &out_len), 1);
	assert_whole(out, out_len, 810);
}

static void test_reass_overlap_drops_the_whole_datagram(void **state)
{
	uint8_t *out = NULL;
	size_t out_len = 0;

	pattern_fill();
	assert_int_equal(frag(5, 0, 1480, true, &out, &out_len), 0);
	assert_true(frag(5, 1472, 1000, false, &out, &out_len) < 0); /* 8 bytes overlap */
	assert_int_equal(stats().ip_frag_overlap, 1);
	/* What would have completed it starts a new datagram that stays incomplete. */
	assert_int_equal(frag(5, 1480, 992, false, &out, &out_len), 0);
	/* A last fragment that ends before data already received is an overlap too. */
	assert_int_equal(frag(6, 800, 800, true, &out, &out_len), 0);
	assert_true(frag(6, 0, 400, false, &out, &out_len) < 0);
	assert_int_equal(stats().ip_frag_overlap, 2);
	assert_int_equal(stats().ip_reassembled, 0);
}

static void test_reass_exact_duplicate_is_ignored(void **state)
{
	uint8_t *out = NULL;
	size_t out_len = 0;

	pattern_fill();
	assert_int_equal(frag(7, 0, 1480, true, &out, &out_len), 0);
	assert_int_equal(frag(7, 0, 1480, true, &out, &out_len), 0);
	assert_int_equal(frag(7, 1480, 20, false, &out, &out_len), 1);
	assert_whole(out, out_len, 1500);
	assert_int_equal(stats().ip_frag_overlap, 0);
}

static void test_reass_same_range_with_other_bytes_is_an_overlap(void **state)
{
	uint8_t hdr[20], other[16] = { 0 }, *out = NULL;
	size_t out_len = 0;
	struct ip4_info ip = frag_info(hdr);

	pattern_fill();
	assert_int_equal(frag(8, 0, 16, true, &out, &out_len), 0);
	assert_true(ip4_reass_input(nif, &ip, 8, 0, true, other, 16, &out, &out_len) < 0);
	assert_int_equal(stats().ip_frag_overlap, 1);
}

static void test_reass_times_out_after_30_seconds(void **state)
{
	uint8_t *out = NULL;
	size_t out_len = 0, len;
	const uint8_t *r;

	pattern_fill();
	peer_known();
	assert_int_equal(frag(9, 0, 1480, true, &out, &out_len), 0);
	uk_sleep_ns(29 * SEC);
	assert_int_equal(stats().ip_frag_timeout, 0);
	uk_sleep_ns(1 * SEC + 200 * MS);
	assert_int_equal(stats().ip_frag_timeout, 1);
	/* The first fragment had come: ICMP time exceeded, reassembly (11/1). */
	r = frame_ip(0, &len);
	assert_int_equal(r[20], 11);
	assert_int_equal(r[21], 1);
	assert_int_equal(len, 20 + 8 + 20 + 8);
	/* The rest arriving late starts afresh. */
	assert_int_equal(frag(9, 1480, 8, false, &out, &out_len), 0);
}

static void test_reass_bounds_datagrams_in_progress(void **state)
{
	uint8_t *out = NULL;
	size_t out_len = 0;

	pattern_fill();
	for (uint16_t id = 0; id < 16; id++)
		assert_int_equal(frag(100 + id, 0, 8, true, &out, &out_len), 0);
	assert_true(frag(200, 0, 8, true, &out, &out_len) < 0);
	assert_int_equal(stats().ip_frag_memory, 1);
	/* The ones in progress can still complete. */
	assert_int_equal(frag(100, 8, 8, false, &out, &out_len), 1);
	assert_whole(out, out_len, 16);
}

static void test_reass_bounds_memory(void **state)
{
	uint8_t *out = NULL;
	size_t out_len = 0;
	unsigned int kept = 0;

	pattern_fill();
	/* A fragment near the end takes a 64 KiB buffer: 256 KiB holds three. */
	for (uint16_t id = 0; id < 8; id++)
		if (frag(300 + id, 64000, 8, true, &out, &out_len) == 0)
			kept++;
	assert_int_equal(kept, 3);
	assert_int_equal(stats().ip_frag_memory, 5);
}

static void test_reass_datagram_beyond_65535_bytes_is_dropped(void **state)
{
	uint8_t *out = NULL;
	size_t out_len = 0;

	pattern_fill();
	assert_int_equal(frag(10, 0, 1480, true, &out, &out_len), 0);
	/* Offset 65528 (the largest) plus 16 bytes: the ping of death. */
	assert_true(frag(10, 65528, 16, false, &out, &out_len) < 0);
	assert_int_equal(stats().ip_bad_length, 1);
	/* The datagram went with it. */
	assert_int_equal(mem_now().heap_blocks, ready_blocks);
}

static void test_reass_rejects_a_non_last_fragment_not_a_multiple_of_8(void **state)
{
	uint8_t *out = NULL;
	size_t out_len = 0;

	pattern_fill();
	assert_true(frag(11, 0, 100, true, &out, &out_len) < 0);
	assert_true(frag(11, 0, 0, true, &out, &out_len) < 0);
	assert_int_equal(stats().ip_bad_length, 2);
}

/* ====================== output and fragmentation ====================== */

static void test_ip_output_fragments_4000_bytes_at_mtu_1500(void **state)
{
	static uint8_t back[4100];
	size_t len;

	pattern_fill();
	peer_known();
	assert_int_equal(ip4_output(nif, IP4_ANY, PEER_IP, IP4_PROTO_UDP, pattern, 4000), 0);
	assert_int_equal(tx.n, 3);
	assert_int_equal(tx.len[0] - ETH_HLEN, 1500);
	assert_int_equal(tx.len[1] - ETH_HLEN, 1500);
	assert_int_equal(tx.len[2] - ETH_HLEN, 20 + 4000 - 2960);
	assert_int_equal(check_fragments(0, 3, back), 4000);
	assert_memory_equal(back, pattern, 4000);
	assert_int_equal(frame_ip(2, &len)[9], IP4_PROTO_UDP);
	assert_int_equal(stats().ip_frags_sent, 3);
}

static void test_ip_output_fragments_on_8_byte_boundaries_at_mtu_577(void **state)
{
	static uint8_t back[1100];

	net_if_destroy(nif);
	assert_int_equal(if_make(577), 0);
	pattern_fill();
	peer_known();
	/* 577 - 20 = 557 bytes, rounded down to 552 per fragment */
	assert_int_equal(ip4_output(nif, IP4_ANY, PEER_IP, IP4_PROTO_UDP, pattern, 1000), 0);
	assert_int_equal(tx.n, 2);
	assert_int_equal(tx.len[0] - ETH_HLEN, 20 + 552);
	assert_int_equal(check_fragments(0, 2, back), 1000);
	assert_memory_equal(back, pattern, 1000);
}

static void test_ip_output_header_fields(void **state)
{
	uint8_t m[4] = { 9, 8, 7, 6 };
	size_t len;
	const uint8_t *r;
	uint16_t id;

	peer_known();
	assert_int_equal(ip4_output(nif, IP4_ANY, PEER_IP, IP4_PROTO_UDP, m, 4), 0);
	assert_int_equal(ip4_output(nif, IP4_ANY, PEER_IP, IP4_PROTO_UDP, m, 4), 0);
	r = frame_ip(0, &len);
	assert_ip_valid(r, len);
	assert_int_equal(net_get16(r + 6), 0); /* DF clear, not a fragment */
	assert_int_equal(r[8], 64);
	assert_int_equal(r[9], IP4_PROTO_UDP);
	id = net_get16(r + 4);
	assert_int_equal(net_get16(frame_ip(1, &len) + 4), (uint16_t)(id + 1));
	assert_int_equal(stats().ip_frags_sent, 0);
}

static void test_ip_output_over_65515_bytes_is_emsgsize(void **state)
{
	assert_int_equal(ip4_output(nif, IP4_ANY, PEER_IP, IP4_PROTO_UDP, pattern, 65516),
			 -EMSGSIZE);
	assert_int_equal(tx.n, 0);
}

static void test_ip_output_off_link_goes_to_the_gateway(void **state)
{
	uint8_t m[4] = { 0 };
	struct net_if_config cfg = { .addr = OUR_IP, .netmask = IP4_ADDR(255, 255, 255, 0) };

	assert_int_equal(ip4_output(NULL, IP4_ANY, IP4_ADDR(8, 8, 8, 8), 17, m, 4), 0);
	assert_true(is_arp_request_for(0, GW_IP));
	assert_int_equal(net_if_set_config(nif, &cfg), 0); /* no gateway now */
	assert_int_equal(ip4_output(NULL, IP4_ANY, IP4_ADDR(8, 8, 8, 8), 17, m, 4),
			 -EHOSTUNREACH);
	assert_int_equal(ip4_output(nif, IP4_ANY, IP4_ADDR(8, 8, 8, 8), 17, m, 4),
			 -EHOSTUNREACH);
	assert_int_equal(stats().no_route, 2);
}

static void test_ip_output_broadcast_needs_no_arp(void **state)
{
	uint8_t m[4] = { 0 };
	size_t len;
	uint64_t requests = stats().arp_requests_sent; /* the gratuitous one */

	assert_int_equal(ip4_output(nif, IP4_ANY, IP4_BROADCAST, 17, m, 4), 0);
	assert_int_equal(ip4_output(nif, IP4_ANY, IP4_ADDR(10, 0, 0, 255), 17, m, 4), 0);
	assert_int_equal(tx.n, 2);
	for (unsigned int i = 0; i < 2; i++) {
		assert_memory_equal(tx.data[i], eth_broadcast, 6);
		frame_ip(i, &len);
	}
	assert_int_equal(stats().arp_requests_sent, requests);
}

static void test_ip_unconfigured_accepts_any_destination(void **state)
{
	struct net_if_config none = { 0 };
	uint8_t p[64];

	assert_int_equal(net_if_set_config(nif, &none), 0);
	ip_in(p, udp_to_closed_port(p, 1));
	assert_int_equal(stats().ip_not_for_us, 0);
	assert_int_equal(stats().udp_no_port, 1);
	assert_int_equal(tx.n, 0); /* no address to send an error from */
}

/*
 * The link contract: send never blocks; a busy link refuses with -ENOBUFS
 * and the frame is gone. The stack sends from its receive path and its
 * timers too, so it must take a refusal in its stride: count it, go on.
 */
static void test_a_busy_link_refuses_and_the_stack_counts_the_drops_without_waiting(
	void **state)
{
	uint8_t m[8] = { 0 };
	uint64_t t0 = uk_now_ns();
	struct net_if_stats st, st0 = stats(); /* the gratuitous ARP went out */

	link_busy = true;
	/* The receive path: our ARP reply to the peer's request is refused. */
	arp_in(1, peer_mac, PEER_IP, OUR_IP, eth_broadcast);
	assert_int_equal(tx.n, 1);
	assert_int_equal(net_get16(tx.data[0] + 12), ETH_TYPE_ARP);
	assert_int_equal(stats().tx_errors, st0.tx_errors + 1);
	/* A thread's send: refused at once, not waited for. */
	assert_int_equal(ip4_output(nif, IP4_ANY, PEER_IP, IP4_PROTO_UDP, m, 8), -ENOBUFS);
	assert_int_equal(tx.n, 2);
	assert_int_equal(stats().tx_errors, st0.tx_errors + 2);
	/* Three next hops to resolve: their requests are refused too... */
	for (uint8_t i = 3; i < 6; i++)
		assert_int_equal(ip4_output(nif, IP4_ANY, IP4_ADDR(10, 0, 0, i), IP4_PROTO_UDP, m,
					    8), 0);
	assert_int_equal(tx.n, 5);
	assert_int_equal(uk_now_ns(), t0);
	/* ...and their timers retry each on schedule, then give up. */
	uk_sleep_ns(5 * SEC);
	assert_int_equal(tx.n, 2 + 3 * 3);
	for (unsigned int try = 0; try < 3; try++)
		for (unsigned int hop = 0; hop < 3; hop++) {
			unsigned int i = 2 + try * 3 + hop;

			assert_true(is_arp_request_for(i, IP4_ADDR(10, 0, 0, 3 + hop)));
			/* exactly 1 s apart: each entry has its own timer */
			assert_int_equal(tx.when[i] - t0, try * SEC);
		}
	st = stats();
	assert_int_equal(st.tx_errors, st0.tx_errors + 11);
	assert_int_equal(st.tx_frames, st0.tx_frames);
	assert_int_equal(st.arp_unresolved, st0.arp_unresolved + 3);
	/* The link free again: the next send goes out. */
	link_busy = false;
	assert_int_equal(ip4_output(nif, IP4_ANY, PEER_IP, IP4_PROTO_UDP, m, 8), 0);
	assert_int_equal(stats().tx_frames, st0.tx_frames + 1);
	assert_int_equal(stats().tx_errors, st0.tx_errors + 11);
}

static void test_interfaces_are_listed_in_creation_order(void **state)
{
	struct net_link link = { .send = record_send, .mtu = 1500 };
	struct net_if *second;

	assert_int_equal(net_if_create(&link, &second), 0);
	assert_int_equal(net_if_count(), 2);
	assert_ptr_equal(net_if_get(0), nif);
	assert_ptr_equal(net_if_get(1), second);
	assert_null(net_if_get(2));
	net_if_destroy(nif);
	assert_ptr_equal(net_if_get(0), second);
	nif = second;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_checksum_matches_rfc1071_example),
		T(test_checksum_of_a_known_ip_header),
		T(test_checksum_pads_an_odd_length_with_zero),
		T(test_checksum_chained_over_pieces_equals_the_whole),
		T(test_checksum_pseudo_header_is_the_sum_of_its_fields),
		T(test_ip4_addr_parse_and_format_round_trip),
		T(test_ip4_addr_parse_rejects_malformed_text),
		T(test_ip4_prefix_and_mask_convert_both_ways),
		T(test_eth_truncated_frame_is_counted),
		T(test_eth_frame_for_another_mac_is_dropped),
		T(test_eth_unknown_ethertype_is_counted),
		T(test_eth_accepts_the_all_hosts_group),
		T(test_eth_output_builds_the_header),
		T(test_ip_truncated_header_is_dropped),
		T(test_ip_bad_version_is_dropped),
		T(test_ip_ihl_below_5_is_dropped),
		T(test_ip_ihl_beyond_the_packet_is_dropped),
		T(test_ip_total_length_below_the_header_is_dropped),
		T(test_ip_total_length_beyond_the_frame_is_dropped),
		T(test_ip_bad_header_checksum_is_dropped),
		T(test_ip_ttl_0_is_dropped_and_ttl_1_accepted),
		T(test_ip_options_are_skipped),
		T(test_ip_ethernet_padding_is_trimmed),
		T(test_ip_for_another_address_is_dropped),
		T(test_ip_from_an_impossible_source_is_dropped),
		T(test_ip_unknown_protocol_gets_protocol_unreachable),
		T(test_arp_request_for_us_is_answered),
		T(test_arp_request_for_another_address_is_not_answered),
		T(test_arp_malformed_packets_are_counted),
		T(test_arp_unsolicited_reply_is_not_cached),
		T(test_arp_resolution_queues_packets_until_the_reply),
		T(test_arp_retries_three_times_then_gives_up),
		T(test_arp_queue_is_bounded),
		T(test_arp_entry_expires_after_its_lifetime),
		T(test_arp_cache_evicts_the_oldest_entry),
		T(test_gratuitous_arp_when_an_address_is_set),
		T(test_icmp_echo_is_answered_for_every_size_up_to_1472),
		T(test_icmp_fragmented_4000_byte_ping_is_answered_in_fragments),
		T(test_icmp_echo_to_a_broadcast_is_not_answered),
		T(test_icmp_bad_checksum_or_truncated_is_counted),
		T(test_icmp_error_with_a_short_quote_is_counted),
		T(test_port_unreachable_is_rate_limited_to_10_a_second),
		T(test_icmp_error_never_answers_an_icmp_error),
		T(test_reass_in_order),
		T(test_reass_out_of_order),
		T(test_reass_interleaves_datagrams_by_key),
		T(test_reass_overlap_drops_the_whole_datagram),
		T(test_reass_exact_duplicate_is_ignored),
		T(test_reass_same_range_with_other_bytes_is_an_overlap),
		T(test_reass_times_out_after_30_seconds),
		T(test_reass_bounds_datagrams_in_progress),
		T(test_reass_bounds_memory),
		T(test_reass_datagram_beyond_65535_bytes_is_dropped),
		T(test_reass_rejects_a_non_last_fragment_not_a_multiple_of_8),
		T(test_ip_output_fragments_4000_bytes_at_mtu_1500),
		T(test_ip_output_fragments_on_8_byte_boundaries_at_mtu_577),
		T(test_ip_output_header_fields),
		T(test_ip_output_over_65515_bytes_is_emsgsize),
		T(test_ip_output_off_link_goes_to_the_gateway),
		T(test_ip_output_broadcast_needs_no_arp),
		T(test_ip_unconfigured_accepts_any_destination),
		T(test_a_busy_link_refuses_and_the_stack_counts_the_drops_without_waiting),
		T(test_interfaces_are_listed_in_creation_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
