/*
 * IPv4 (net/ip4.c): the header checks on input, and output: header fields,
 * fragmentation at the MTU, the gateway, broadcast, an unconfigured interface.
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

const char uk_app_name[] = "net_ip4_test";

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
	assert_int_equal(peer_csum_fold(peer_csum_add(0, r + 20, len - 20)), 0);
}

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

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
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
		T(test_ip_output_fragments_4000_bytes_at_mtu_1500),
		T(test_ip_output_fragments_on_8_byte_boundaries_at_mtu_577),
		T(test_ip_output_header_fields),
		T(test_ip_output_over_65515_bytes_is_emsgsize),
		T(test_ip_output_off_link_goes_to_the_gateway),
		T(test_ip_output_broadcast_needs_no_arp),
		T(test_ip_unconfigured_accepts_any_destination),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
