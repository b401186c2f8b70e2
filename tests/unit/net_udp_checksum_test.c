/*
 * UDP input and output checks (net/udp.c): the checksum both ways and the length field.
 * (net_udp_fixture.h: the fixture.)
 */
#include "net_udp_fixture.h"

const char uk_app_name[] = "net_udp_checksum_test";

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
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
