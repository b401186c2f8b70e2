/*
 * The test peer (tests/support/peer.h) that the stack's tests build their
 * frames with and capture the stack's frames through: its checksums and
 * headers against values worked out by hand or published (RFC 1071, a known
 * IPv4 header), and its recording link's bounds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "peer.h"

static const struct peer pr = {
	.mac = { 0x02, 0, 0, 0, 0, 0x01 }, .ip = PEER_IP4(10, 0, 0, 1),
	.guest_mac = { 0x00, 0x16, 0x3e, 0, 0, 0x02 }, .guest_ip = PEER_IP4(10, 0, 0, 2),
};

static void test_csum_of_the_rfc1071_example(void **state)
{
	/* RFC 1071 section 3: the sum of these words is ddf2 (folded). */
	const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	assert_int_equal(peer_csum_fold(peer_csum_add(0, b, sizeof(b))), (uint16_t)~0xddf2);
}

static void test_csum_pads_an_odd_length_with_zero(void **state)
{
	const uint8_t odd[] = { 0x12, 0x34, 0x56 }, even[] = { 0x12, 0x34, 0x56, 0x00 };

	assert_int_equal(peer_csum_add(0, odd, 3), peer_csum_add(0, even, 4));
}

static void test_csum_add_does_not_overflow_over_a_whole_datagram(void **state)
{
	static uint8_t ones[65536];

	memset(ones, 0xff, sizeof(ones));
	/* Any number of 0xffff words sums to 0xffff in ones' complement. */
	assert_int_equal(peer_csum_fold(peer_csum_add(0xffff, ones, sizeof(ones))), 0);
}

static void test_ip4_header_matches_a_known_header(void **state)
{
	/* A published example: 192.168.0.1 -> 192.168.0.199, UDP, DF, checksum b861. */
	const uint8_t want[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
				   0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	struct peer_ip4 h = { .src = PEER_IP4(192, 168, 0, 1), .dst = PEER_IP4(192, 168, 0, 199),
			      .proto = IPPROTO_UDP, .frag = 0x4000 };
	uint8_t ip[20];

	assert_int_equal(peer_ip4_put(ip, &h, 0x73 - 20), 20);
	assert_memory_equal(ip, want, sizeof(want));
}

static void test_udp_frame_carries_the_checksum_worked_out_by_hand(void **state)
{
	uint8_t f[PEER_FRAME_MAX];
	size_t len = peer_udp_frame(&pr, f, 5000, 7, "hello", 5);
	const uint8_t *ip = f + ETH_HLEN, *udp = ip + 20;

	assert_int_equal(len, ETH_HLEN + 20 + 8 + 5);
	assert_memory_equal(f, pr.guest_mac, 6);
	assert_memory_equal(f + 6, pr.mac, 6);
	assert_int_equal(peer_get16(f + 12), ETH_P_IP);
	assert_int_equal(peer_get16(udp), 5000);
	assert_int_equal(peer_get16(udp + 2), 7);
	assert_int_equal(peer_get16(udp + 4), 13);
	assert_int_equal(peer_get16(udp + 6), 0x9470);
	assert_memory_equal(udp + 8, "hello", 5);
	assert_true(peer_ip4_l4_csum_ok(ip, len - ETH_HLEN));
}

static void test_tcp_syn_has_its_options_flags_and_the_checksum_worked_out_by_hand(void **state)
{
	static const uint8_t mss[] = { 2, 4, 0x05, 0xb4 };
	struct peer_tcp h = { .sport = 40000, .dport = 80, .seq = 1, .flags = TH_SYN,
			      .window = 65535, .options = mss, .options_len = sizeof(mss) };
	uint8_t f[PEER_FRAME_MAX];
	size_t len = peer_tcp_frame(&pr, f, &h, NULL, 0);
	uint8_t *ip = f + ETH_HLEN, *tcp = ip + 20;

	assert_int_equal(len, ETH_HLEN + 20 + 24);
	assert_int_equal(ip[9], IPPROTO_TCP);
	assert_int_equal(peer_get32(tcp + 4), 1);
	assert_int_equal(peer_get32(tcp + 8), 0);
	assert_int_equal(tcp[12] >> 4, 6); /* 24 bytes of header */
	assert_int_equal(tcp[13], TH_SYN);
	assert_int_equal(peer_get16(tcp + 14), 65535);
	assert_int_equal(peer_get16(tcp + 16), 0xe792);
	assert_memory_equal(tcp + 20, mss, sizeof(mss));
	assert_true(peer_ip4_l4_csum_ok(ip, len - ETH_HLEN));
	tcp[24 - 1] ^= 1; /* one bit of the option */
	assert_false(peer_ip4_l4_csum_ok(ip, len - ETH_HLEN));
}

static void test_tcp_segment_carries_its_data_after_the_header(void **state)
{
	struct peer_tcp h = { .sport = 1, .dport = 2, .seq = 0x01020304, .ack = 0x05060708,
			      .flags = TH_ACK | TH_PUSH, .window = 512 };
	uint8_t f[PEER_FRAME_MAX];
	size_t len = peer_tcp_frame(&pr, f, &h, "data", 4);
	const uint8_t *ip = f + ETH_HLEN;

	assert_int_equal(len, ETH_HLEN + 20 + 20 + 4);
	assert_int_equal(peer_get16(ip + 2), 20 + 20 + 4);
	assert_int_equal(peer_get32(ip + 20 + 8), 0x05060708);
	assert_memory_equal(ip + 40, "data", 4);
	assert_true(peer_ip4_l4_csum_ok(ip, len - ETH_HLEN));
}

static void test_arp_request_asks_for_the_guest_by_broadcast(void **state)
{
	uint8_t f[64];
	uint32_t tpa;

	assert_int_equal(peer_arp_frame(&pr, f, 1), 42);
	assert_memory_equal(f, peer_mac_broadcast, 6);
	assert_int_equal(peer_get16(f + 12), ETH_P_ARP);
	assert_int_equal(peer_get16(f + 14 + 6), 1);
	assert_memory_equal(f + 14 + 8, pr.mac, 6);
	memcpy(&tpa, f + 14 + 24, 4);
	assert_int_equal(tpa, pr.guest_ip);
}

static void test_icmp_echo_checksums_to_zero(void **state)
{
	uint8_t f[PEER_FRAME_MAX];
	size_t len = peer_icmp_echo_frame(&pr, f, 0x1234, 7, "ping", 4);
	const uint8_t *icmp = f + ETH_HLEN + 20;

	assert_int_equal(icmp[0], 8);
	assert_int_equal(peer_get16(icmp + 4), 0x1234);
	assert_int_equal(peer_get16(icmp + 6), 7);
	assert_true(peer_ip4_l4_csum_ok(f + ETH_HLEN, len - ETH_HLEN));
}

static void test_capture_keeps_frames_in_order_and_counts_those_it_cannot_keep(void **state)
{
	static struct peer_capture c;
	uint8_t frame[PEER_FRAME_MAX + 1] = { 0 };
	size_t len;

	for (unsigned int i = 0; i < PEER_CAPTURE_MAX + 2; i++) {
		frame[0] = (uint8_t)i;
		assert_int_equal(peer_capture_send(&c, frame, 60), 0);
	}
	assert_int_equal(c.n, PEER_CAPTURE_MAX + 2);
	assert_non_null(peer_capture_frame(&c, 5, &len));
	assert_int_equal(len, 60);
	assert_int_equal(peer_capture_frame(&c, 5, &len)[0], 5);
	assert_null(peer_capture_frame(&c, PEER_CAPTURE_MAX, &len));

	peer_capture_reset(&c);
	c.result = -ENOBUFS;
	assert_int_equal(peer_capture_send(&c, frame, sizeof(frame)), -ENOBUFS);
	assert_int_equal(c.n, 1);
	assert_null(peer_capture_frame(&c, 0, &len)); /* over PEER_FRAME_MAX: counted only */
}

static void test_capture_ip4_returns_only_the_protocol_asked_for(void **state)
{
	static struct peer_capture c;
	uint8_t f[PEER_FRAME_MAX];
	size_t ip_len;

	peer_capture_send(&c, f, peer_udp_frame(&pr, f, 1, 2, "x", 1));
	peer_capture_send(&c, f, peer_arp_frame(&pr, f, 1));
	assert_non_null(peer_capture_ip4(&c, 0, IPPROTO_UDP, &ip_len));
	assert_int_equal(ip_len, 20 + 8 + 1);
	assert_non_null(peer_capture_ip4(&c, 0, 0, &ip_len));
	assert_null(peer_capture_ip4(&c, 0, IPPROTO_TCP, &ip_len));
	assert_null(peer_capture_ip4(&c, 1, 0, &ip_len));
	assert_null(peer_capture_ip4(&c, 2, 0, &ip_len));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csum_of_the_rfc1071_example),
		cmocka_unit_test(test_csum_pads_an_odd_length_with_zero),
		cmocka_unit_test(test_csum_add_does_not_overflow_over_a_whole_datagram),
		cmocka_unit_test(test_ip4_header_matches_a_known_header),
		cmocka_unit_test(test_udp_frame_carries_the_checksum_worked_out_by_hand),
		cmocka_unit_test(test_tcp_syn_has_its_options_flags_and_the_checksum_worked_out_by_hand),
		cmocka_unit_test(test_tcp_segment_carries_its_data_after_the_header),
		cmocka_unit_test(test_arp_request_asks_for_the_guest_by_broadcast),
		cmocka_unit_test(test_icmp_echo_checksums_to_zero),
		cmocka_unit_test(test_capture_keeps_frames_in_order_and_counts_those_it_cannot_keep),
		cmocka_unit_test(test_capture_ip4_returns_only_the_protocol_asked_for),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
