/*
 * UDP sends build the datagram with room for the IPv4 and Ethernet headers
 * in front (net/udp.c, ip4_output_room, eth_output): the frame on the link
 * is whole and its headers right, also for a datagram that waited for ARP
 * (queued as a copy) and at the MTU's edge, one byte past which it is
 * fragmented instead.
 * (net_udp_fixture.h: the fixture.)
 */
#include "net_udp_fixture.h"

const char uk_app_name[] = "net_udp_room_test";

/* Checks frame i as one whole UDP datagram from our port sport to dst:dport with payload. */
static void assert_udp_frame(unsigned int i, ip4_addr_t dst, uint16_t sport, uint16_t dport,
			     const uint8_t *payload, size_t len)
{
	size_t flen;
	const uint8_t *f = sent_frame(i, &flen);
	const uint8_t *ip = f + 14;
	ip4_addr_t src_ip, dst_ip;

	assert_int_equal(flen, 14 + 20 + 8 + len);
	assert_memory_equal(f, peer_mac, 6);
	assert_memory_equal(f + 6, our_mac, 6);
	assert_int_equal(peer_get16(f + 12), 0x0800);
	assert_int_equal(ip[0], 0x45);
	assert_int_equal(peer_get16(ip + 2), 20 + 8 + len);
	assert_int_equal(peer_get16(ip + 6) & 0x3fff, 0); /* not a fragment */
	assert_int_equal(ip[9], 17);
	assert_int_equal(peer_csum_fold(peer_csum_add(0, ip, 20)), 0);
	memcpy(&src_ip, ip + 12, 4);
	memcpy(&dst_ip, ip + 16, 4);
	assert_int_equal(src_ip, OUR_IP);
	assert_int_equal(dst_ip, dst);
	assert_int_equal(peer_get16(ip + 20), sport);
	assert_int_equal(peer_get16(ip + 22), dport);
	assert_int_equal(peer_get16(ip + 24), 8 + len);
	assert_true(peer_ip4_l4_csum_ok(ip, 20 + 8 + len));
	assert_memory_equal(ip + 28, payload, len);
}

static void fill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + 3);
}

static void test_a_sent_datagram_is_one_whole_frame_with_right_headers(void **state)
{
	struct net_socket *s = sock_bound(IP4_ANY, 7100);
	uint8_t data[100];

	fill(data, sizeof(data));
	assert_int_equal(net_sendto(s, data, sizeof(data), PEER_IP, 7101), (int)sizeof(data));
	assert_int_equal(sent.n, 1);
	assert_udp_frame(0, PEER_IP, 7100, 7101, data, sizeof(data));
	net_close(s);
}

static void test_a_datagram_that_waited_for_arp_goes_out_whole(void **state)
{
	const ip4_addr_t other = IP4_ADDR(10, 0, 0, 77);
	struct net_socket *s = sock_bound(IP4_ANY, 7102);
	uint8_t data[300];

	fill(data, sizeof(data));
	assert_int_equal(net_sendto(s, data, sizeof(data), other, 7103), (int)sizeof(data));
	assert_int_equal(sent.n, 1); /* the ARP request; the datagram waits */
	answer_arp(0);
	assert_int_equal(sent.n, 2);
	assert_udp_frame(1, other, 7102, 7103, data, sizeof(data));
	net_close(s);
}

static void test_a_datagram_filling_the_mtu_is_one_frame_one_byte_more_two(void **state)
{
	struct net_socket *s = sock_bound(IP4_ANY, 7104);
	static uint8_t data[1473];
	size_t len;

	fill(data, sizeof(data));
	assert_int_equal(net_sendto(s, data, 1472, PEER_IP, 7105), 1472);
	assert_int_equal(sent.n, 1);
	assert_udp_frame(0, PEER_IP, 7104, 7105, data, 1472);
	sent_reset();
	assert_int_equal(net_sendto(s, data, 1473, PEER_IP, 7105), 1473);
	assert_int_equal(sent.n, 2);
	assert_int_equal(peer_get16(sent_frame(0, &len) + 14 + 6) & 0x3fff, 0x2000); /* MF */
	assert_int_equal(len, 1514);
	net_close(s);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_a_sent_datagram_is_one_whole_frame_with_right_headers),
		T(test_a_datagram_that_waited_for_arp_goes_out_whole),
		T(test_a_datagram_filling_the_mtu_is_one_frame_one_byte_more_two),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
