/*
 * ICMP (net/icmp.c): echo at every size and in fragments, what is not
 * answered, the rate limit of port unreachable, errors about errors.
 *
 * Inside a guest, on the recording link of net_core_fixture.h.
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

const char uk_app_name[] = "net_icmp_test";

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
	assert_int_equal(peer_csum_fold(peer_csum_add(0, r + 20, req_len)), 0);
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
	assert_int_equal(peer_csum_fold(peer_csum_add(0, back, mlen)), 0);
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
	net_put16(m + 2, peer_csum_fold(peer_csum_add(0, m, 8 + 20)));
	ip_in(p, ip_build(p, PEER_IP, OUR_IP, IP4_PROTO_ICMP, 1, 0, m, 8 + 20));
	assert_int_equal(stats().icmp_bad, 1);
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

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_icmp_echo_is_answered_for_every_size_up_to_1472),
		T(test_icmp_fragmented_4000_byte_ping_is_answered_in_fragments),
		T(test_icmp_echo_to_a_broadcast_is_not_answered),
		T(test_icmp_bad_checksum_or_truncated_is_counted),
		T(test_icmp_error_with_a_short_quote_is_counted),
		T(test_port_unreachable_is_rate_limited_to_10_a_second),
		T(test_icmp_error_never_answers_an_icmp_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
