/*
 * What the net core tests share (see net_core_fixture.h): the recording
 * link, a fresh interface per test, the peer's frames, the readers of what
 * the stack sent.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "net_core_fixture.h"

const uint8_t our_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
const uint8_t peer_mac[6] = { 0x02, 0, 0, 0, 0, 0x99 };

/* --- the recording link --- */

struct net_core_tx tx;

/* While set, the link is busy: it records each frame offered, then refuses it. */
bool link_busy;

int record_send(void *ctx, const uint8_t *frame, size_t len)
{
	if (tx.n < MAX_FRAMES && len <= sizeof(tx.data[0])) {
		memcpy(tx.data[tx.n], frame, len);
		tx.len[tx.n] = len;
		tx.when[tx.n] = uk_now_ns();
	}
	tx.n++;
	return link_busy ? -ENOBUFS : 0;
}

void tx_reset(void)
{
	tx.n = 0;
}

/* --- fixtures --- */

struct net_if *nif;
struct uk_mem_stats baseline; /* before the test */
size_t ready_blocks;          /* heap blocks with the interface up */

struct uk_mem_stats mem_now(void)
{
	struct uk_mem_stats s;

	uk_mem_stats(&s);
	return s;
}

struct net_if_stats stats(void)
{
	struct net_if_stats s;

	net_if_stats(nif, &s);
	return s;
}

int if_make(unsigned int mtu)
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

int setup(void **state)
{
	baseline = mem_now();
	return if_make(1500);
}

int teardown(void **state)
{
	net_if_destroy(nif);
	nif = NULL;
	assert_int_equal(net_if_count(), 0);
	assert_int_equal(mem_now().heap_blocks, baseline.heap_blocks);
	assert_int_equal(mem_now().pages_free, baseline.pages_free);
	return 0;
}

/* --- building frames the peer sends --- */

size_t eth_build(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	net_put16(f + 12, type);
	return ETH_HLEN;
}

void ip_csum_set(uint8_t *h)
{
	size_t hlen = (size_t)(h[0] & 15) * 4;

	net_put16(h + 10, 0);
	net_put16(h + 10, peer_csum_fold(peer_csum_add(0, h, hlen)));
}

/* An IPv4 packet with a 20-byte header; returns its length. */
size_t ip_build(uint8_t *p, ip4_addr_t src, ip4_addr_t dst, uint8_t proto, uint16_t id,
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
size_t echo_build(uint8_t *m, uint16_t id, uint16_t seq, size_t len)
{
	m[0] = 8;
	m[1] = 0;
	net_put16(m + 2, 0);
	net_put16(m + 4, id);
	net_put16(m + 6, seq);
	for (size_t i = 0; i < len; i++)
		m[8 + i] = (uint8_t)(i * 7 + seq);
	net_put16(m + 2, peer_csum_fold(peer_csum_add(0, m, 8 + len)));
	return 8 + len;
}

/* Sends an IP packet from the peer to our MAC. */
void ip_in(const uint8_t *pkt, size_t len)
{
	static uint8_t f[ETH_HLEN + 1600];

	eth_build(f, our_mac, peer_mac, ETH_TYPE_IP4);
	memcpy(f + ETH_HLEN, pkt, len);
	net_if_input(nif, f, ETH_HLEN + len);
}

void arp_in(uint16_t op, const uint8_t sha[6], ip4_addr_t spa, ip4_addr_t tpa,
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
void peer_known(void)
{
	arp_in(1, peer_mac, PEER_IP, OUR_IP, eth_broadcast);
	assert_int_equal(tx.n, 1);
	tx_reset();
}

/* --- reading what we sent --- */

const uint8_t *frame_ip(unsigned int i, size_t *len)
{
	assert_true(i < tx.n);
	assert_int_equal(net_get16(tx.data[i] + 12), ETH_TYPE_IP4);
	*len = tx.len[i] - ETH_HLEN;
	return tx.data[i] + ETH_HLEN;
}

void assert_ip_valid(const uint8_t *ip, size_t len)
{
	assert_true(len >= 20);
	assert_int_equal(ip[0], 0x45);
	assert_int_equal(net_get16(ip + 2), len);
	assert_int_equal(peer_csum_fold(peer_csum_add(0, ip, 20)), 0);
}

bool is_arp_request_for(unsigned int i, ip4_addr_t target)
{
	const uint8_t *a = tx.data[i] + ETH_HLEN;

	return i < tx.n && net_get16(tx.data[i] + 12) == ETH_TYPE_ARP &&
	       !memcmp(tx.data[i], eth_broadcast, 6) && net_get16(a + 6) == 1 &&
	       !memcmp(a + 24, &target, 4);
}

/* Payload bytes for reassembly and fragmentation tests. */
uint8_t pattern[65536 + 64];

/* Checks frames first..first+n-1 as the fragments of one datagram; reassembles it. */
size_t check_fragments(unsigned int first, unsigned int n, uint8_t *out)
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

size_t udp_to_closed_port(uint8_t *p, uint16_t id)
{
	uint8_t u[12] = { 0x30, 0x39, 0x00, 0x07, 0, 12, 0, 0, 'p', 'i', 'n', 'g' };

	return ip_build(p, PEER_IP, OUR_IP, IP4_PROTO_UDP, id, 0, u, sizeof(u));
}

void pattern_fill(void)
{
	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(i * 13 + (i >> 8));
}
