/*
 * traces/readdress.c: a guest standing in for a host of a recording
 * (pcap=FILE,as=IP). Frames are built with the test peer (tests/support),
 * whose checksum code is independent of the readdresser's.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "peer.h"
#include "traces/readdress.h"

static const uint8_t guest_mac[6] = { 0x00, 0x16, 0x3e, 0x00, 0x01, 0x00 };
static const uint8_t peer_mac[6] = { 2, 0, 0, 0, 0, 0x01 };
static const uint8_t other_mac[6] = { 2, 0, 0, 0, 0, 0x08 };
#define AS_IP PEER_IP4(192, 168, 7, 20)
#define GUEST_IP PEER_IP4(10, 0, 0, 5)
#define PEER_IP PEER_IP4(192, 168, 7, 1)
#define OTHER_IP PEER_IP4(192, 168, 7, 8)

/* The peer of the recording talking to the recorded host. */
static const struct peer recorded_peer = {
	.mac = { 2, 0, 0, 0, 0, 0x01 }, .ip = PEER_IP,
	.guest_mac = { 2, 0, 0, 0, 0, 0x20 }, .guest_ip = AS_IP,
};

static struct trace_readdress *make(bool guest_known)
{
	struct trace_readdress *rd;

	assert_int_equal(trace_readdress_create(AS_IP, guest_mac, &rd), 0);
	if (guest_known)
		trace_readdress_set_guest_ip(rd, GUEST_IP);
	return rd;
}

static void assert_ip_header_checks(const uint8_t *f)
{
	assert_int_equal(peer_csum_fold(peer_csum_add(0, f + ETH_HLEN, 20)), 0);
}

static void test_a_udp_datagram_to_the_recorded_host_reaches_the_guest_with_checksums_that_check(
	void **state)
{
	struct trace_readdress *rd = make(true);
	uint8_t f[PEER_FRAME_MAX];
	size_t len = peer_udp_frame(&recorded_peer, f, 4000, 7, "hello", 5);
	uint32_t dst;

	assert_int_equal(trace_readdress_from_trace(rd, f, len), TRACE_READDRESS_FEED);
	assert_memory_equal(f, guest_mac, 6);
	assert_memory_equal(f + 6, peer_mac, 6);
	memcpy(&dst, f + ETH_HLEN + 16, 4);
	assert_int_equal(dst, GUEST_IP);
	assert_ip_header_checks(f);
	assert_true(peer_ip4_l4_csum_ok(f + ETH_HLEN, len - ETH_HLEN));
	assert_int_equal(trace_readdress_stats(rd)->fed, 1);
	trace_readdress_destroy(rd);
	(void)state;
}

static void test_a_tcp_segment_keeps_a_checksum_that_checks(void **state)
{
	struct trace_readdress *rd = make(true);
	uint8_t f[PEER_FRAME_MAX];
	struct peer_tcp h = { .sport = 40000, .dport = 80, .seq = 1000, .ack = 77,
			      .flags = TH_ACK | TH_PUSH, .window = 512 };
	size_t len = peer_tcp_frame(&recorded_peer, f, &h, "GET / HTTP/1.0\r\n\r\n", 18);

	assert_int_equal(trace_readdress_from_trace(rd, f, len), TRACE_READDRESS_FEED);
	assert_ip_header_checks(f);
	assert_true(peer_ip4_l4_csum_ok(f + ETH_HLEN, len - ETH_HLEN));
	trace_readdress_destroy(rd);
	(void)state;
}

static void test_a_udp_datagram_without_checksum_keeps_none(void **state)
{
	struct trace_readdress *rd = make(true);
	uint8_t f[PEER_FRAME_MAX];
	size_t len = peer_udp_frame(&recorded_peer, f, 4000, 7, "x", 1);

	f[ETH_HLEN + 20 + 6] = f[ETH_HLEN + 20 + 7] = 0;
	assert_int_equal(trace_readdress_from_trace(rd, f, len), TRACE_READDRESS_FEED);
	assert_int_equal(peer_get16(f + ETH_HLEN + 20 + 6), 0);
	trace_readdress_destroy(rd);
	(void)state;
}

static void test_a_ping_keeps_its_icmp_checksum_and_a_broadcast_stays_broadcast(void **state)
{
	struct trace_readdress *rd = make(true);
	uint8_t f[PEER_FRAME_MAX];
	size_t len = peer_icmp_echo_frame(&recorded_peer, f, 9, 1, "abcdefgh", 8);

	memcpy(f, peer_mac_broadcast, 6);
	assert_int_equal(trace_readdress_from_trace(rd, f, len), TRACE_READDRESS_FEED);
	assert_memory_equal(f, peer_mac_broadcast, 6);
	assert_ip_header_checks(f);
	assert_true(peer_ip4_l4_csum_ok(f + ETH_HLEN, len - ETH_HLEN));
	trace_readdress_destroy(rd);
	(void)state;
}

static void test_an_icmp_error_quoting_the_host_is_readdressed_inside_too(void **state)
{
	struct trace_readdress *rd = make(true);
	uint8_t f[PEER_FRAME_MAX], icmp[64] = { 3, 3 }; /* port unreachable */
	struct peer_ip4 quoted = { .src = AS_IP, .dst = PEER_IP, .proto = IPPROTO_UDP };
	uint32_t a;

	peer_ip4_put(icmp + 8, &quoted, 8);
	memset(icmp + 28, 0x55, 8);
	peer_put16(icmp + 2, peer_csum_fold(peer_csum_add(0, icmp, 36)));
	size_t len = peer_ip4_frame(&recorded_peer, f, IPPROTO_ICMP, icmp, 36);

	assert_int_equal(trace_readdress_from_trace(rd, f, len), TRACE_READDRESS_FEED);
	memcpy(&a, f + ETH_HLEN + 20 + 8 + 12, 4);
	assert_int_equal(a, GUEST_IP);
	assert_int_equal(peer_csum_fold(peer_csum_add(0, f + ETH_HLEN + 28, 20)), 0);
	assert_true(peer_ip4_l4_csum_ok(f + ETH_HLEN, len - ETH_HLEN));
	trace_readdress_destroy(rd);
	(void)state;
}

static void test_frames_the_recorded_host_sent_are_the_guests_part_and_not_fed(void **state)
{
	struct trace_readdress *rd = make(true);
	struct peer from_host = { .mac = { 2, 0, 0, 0, 0, 0x20 }, .ip = AS_IP,
				  .guest_mac = { 2, 0, 0, 0, 0, 1 }, .guest_ip = PEER_IP };
	uint8_t f[PEER_FRAME_MAX], copy[PEER_FRAME_MAX];
	size_t len = peer_udp_frame(&from_host, f, 7, 4000, "hello", 5);

	memcpy(copy, f, len);
	assert_int_equal(trace_readdress_classify(rd, f, len), TRACE_READDRESS_OWN);
	assert_int_equal(trace_readdress_from_trace(rd, f, len), TRACE_READDRESS_OWN);
	assert_memory_equal(f, copy, len);
	len = peer_arp_frame(&from_host, f, 2);
	assert_int_equal(trace_readdress_from_trace(rd, f, len), TRACE_READDRESS_OWN);
	assert_int_equal(trace_readdress_stats(rd)->own, 2);
	trace_readdress_destroy(rd);
	(void)state;
}

static void test_frames_of_hosts_the_recording_does_not_concern_are_dropped_and_counted(
	void **state)
{
	struct trace_readdress *rd = make(true);
	struct peer others = { .mac = { 2, 0, 0, 0, 0, 0x08 }, .ip = OTHER_IP,
			       .guest_mac = { 2, 0, 0, 0, 0, 1 }, .guest_ip = PEER_IP };
	uint8_t f[PEER_FRAME_MAX];
	size_t len = peer_udp_frame(&others, f, 1, 2, "x", 1);

	assert_int_equal(trace_readdress_from_trace(rd, f, len), TRACE_READDRESS_DROP);
	len = peer_eth_put(f, peer_mac, other_mac, ETH_P_IPV6) + 40;
	memset(f + ETH_HLEN, 0x60, 40);
	assert_int_equal(trace_readdress_from_trace(rd, f, len), TRACE_READDRESS_DROP);
	assert_int_equal(trace_readdress_from_trace(rd, f, 10), TRACE_READDRESS_DROP);
	assert_int_equal(trace_readdress_stats(rd)->dropped, 3);
	assert_int_equal(trace_readdress_stats(rd)->fed, 0);
	trace_readdress_destroy(rd);
	(void)state;
}

static void test_an_arp_request_for_the_host_asks_for_the_guest(void **state)
{
	struct trace_readdress *rd = make(true);
	uint8_t f[PEER_FRAME_MAX];
	size_t len = peer_arp_frame(&recorded_peer, f, 1);
	uint32_t tpa;

	assert_int_equal(trace_readdress_from_trace(rd, f, len), TRACE_READDRESS_FEED);
	memcpy(&tpa, f + ETH_HLEN + 24, 4);
	assert_int_equal(tpa, GUEST_IP);
	assert_memory_equal(f, peer_mac_broadcast, 6);
	trace_readdress_destroy(rd);
	(void)state;
}

/* The guest's ARP request for ip, from GUEST_IP. */
static size_t guest_arp_request(uint8_t *f, uint32_t ip)
{
	static const uint8_t zero[6];
	size_t n = peer_eth_put(f, peer_mac_broadcast, guest_mac, ETH_P_ARP);

	return n + peer_arp_put(f + n, 1, guest_mac, GUEST_IP, zero, ip);
}

static void test_the_guest_learns_nothing_until_its_first_frame_tells_its_address(void **state)
{
	struct trace_readdress *rd = make(false);
	uint8_t f[PEER_FRAME_MAX], reply[TRACE_ARP_FRAME_LEN];
	static const uint8_t zero[6];
	size_t n;

	assert_false(trace_readdress_guest_known(rd));
	/* A gratuitous ARP: sender and target are the guest's own address. */
	n = peer_eth_put(f, peer_mac_broadcast, guest_mac, ETH_P_ARP);
	n += peer_arp_put(f + n, 1, guest_mac, GUEST_IP, zero, GUEST_IP);
	assert_false(trace_readdress_from_guest(rd, f, n, reply));
	assert_true(trace_readdress_guest_known(rd));
	assert_int_equal(trace_readdress_guest_ip(rd), GUEST_IP);
	trace_readdress_destroy(rd);
	(void)state;
}

static void test_the_guests_arp_request_is_answered_with_the_recorded_peers_mac(void **state)
{
	struct trace_readdress *rd = make(true);
	uint8_t f[PEER_FRAME_MAX], reply[TRACE_ARP_FRAME_LEN];
	size_t len = peer_udp_frame(&recorded_peer, f, 4000, 7, "hello", 5);
	uint32_t spa, tpa;

	assert_int_equal(trace_readdress_from_trace(rd, f, len), TRACE_READDRESS_FEED);
	len = guest_arp_request(f, PEER_IP);
	assert_true(trace_readdress_from_guest(rd, f, len, reply));
	assert_memory_equal(reply, guest_mac, 6);
	assert_memory_equal(reply + 6, peer_mac, 6);
	assert_int_equal(peer_get16(reply + 12), ETH_P_ARP);
	assert_int_equal(peer_get16(reply + ETH_HLEN + 6), 2);
	assert_memory_equal(reply + ETH_HLEN + 8, peer_mac, 6);
	memcpy(&spa, reply + ETH_HLEN + 14, 4);
	memcpy(&tpa, reply + ETH_HLEN + 24, 4);
	assert_int_equal(spa, PEER_IP);
	assert_int_equal(tpa, GUEST_IP);
	assert_memory_equal(reply + ETH_HLEN + 18, guest_mac, 6);
	assert_int_equal(trace_readdress_stats(rd)->arp_answered, 1);
	trace_readdress_destroy(rd);
	(void)state;
}

static void test_an_unknown_host_is_answered_by_the_last_peer_as_a_gateway_or_not_at_all(
	void **state)
{
	struct trace_readdress *rd = make(true);
	uint8_t f[PEER_FRAME_MAX], reply[TRACE_ARP_FRAME_LEN];
	size_t len = guest_arp_request(f, PEER_IP4(192, 168, 7, 254));

	assert_false(trace_readdress_from_guest(rd, f, len, reply));
	assert_int_equal(trace_readdress_stats(rd)->arp_unanswered, 1);
	len = peer_udp_frame(&recorded_peer, f, 4000, 7, "hello", 5);
	trace_readdress_from_trace(rd, f, len);
	len = guest_arp_request(f, PEER_IP4(192, 168, 7, 254));
	assert_true(trace_readdress_from_guest(rd, f, len, reply));
	assert_memory_equal(reply + ETH_HLEN + 8, peer_mac, 6);
	trace_readdress_destroy(rd);
	(void)state;
}

static void test_truncated_frames_are_rewritten_only_inside_their_length(void **state)
{
	struct trace_readdress *rd = make(true);
	uint8_t f[PEER_FRAME_MAX], copy[PEER_FRAME_MAX];
	size_t len = peer_udp_frame(&recorded_peer, f, 4000, 7, "hello", 5);

	for (size_t cut = 0; cut < len; cut++) {
		memcpy(copy, f, len);
		trace_readdress_from_trace(rd, copy, cut);
		assert_memory_equal(copy + cut, f + cut, len - cut);
	}
	trace_readdress_destroy(rd);
	(void)state;
}

static void test_addresses_parse_only_as_dotted_quads(void **state)
{
	uint32_t ip;
	char buf[16];

	assert_int_equal(trace_ip4_parse("192.168.7.20", &ip), 0);
	assert_int_equal(ip, AS_IP);
	assert_string_equal(trace_ip4_format(ip, buf), "192.168.7.20");
	assert_int_equal(trace_ip4_parse("192.168.7", &ip), -EINVAL);
	assert_int_equal(trace_ip4_parse("192.168.7.256", &ip), -EINVAL);
	assert_int_equal(trace_ip4_parse(" 1.2.3.4", &ip), -EINVAL);
	assert_int_equal(trace_ip4_parse("1.2.3.4x", &ip), -EINVAL);
	assert_int_equal(trace_ip4_parse("1..3.4", &ip), -EINVAL);
	assert_int_equal(trace_ip4_parse("0001.2.3.4", &ip), -EINVAL);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_udp_datagram_to_the_recorded_host_reaches_the_guest_with_checksums_that_check),
		cmocka_unit_test(test_a_tcp_segment_keeps_a_checksum_that_checks),
		cmocka_unit_test(test_a_udp_datagram_without_checksum_keeps_none),
		cmocka_unit_test(test_a_ping_keeps_its_icmp_checksum_and_a_broadcast_stays_broadcast),
		cmocka_unit_test(test_an_icmp_error_quoting_the_host_is_readdressed_inside_too),
		cmocka_unit_test(test_frames_the_recorded_host_sent_are_the_guests_part_and_not_fed),
		cmocka_unit_test(test_frames_of_hosts_the_recording_does_not_concern_are_dropped_and_counted),
		cmocka_unit_test(test_an_arp_request_for_the_host_asks_for_the_guest),
		cmocka_unit_test(test_the_guest_learns_nothing_until_its_first_frame_tells_its_address),
		cmocka_unit_test(test_the_guests_arp_request_is_answered_with_the_recorded_peers_mac),
		cmocka_unit_test(test_an_unknown_host_is_answered_by_the_last_peer_as_a_gateway_or_not_at_all),
		cmocka_unit_test(test_truncated_frames_are_rewritten_only_inside_their_length),
		cmocka_unit_test(test_addresses_parse_only_as_dotted_quads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
