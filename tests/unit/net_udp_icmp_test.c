/*
 * UDP and ICMP (net/udp.c): port unreachable sent for closed ports, and ICMP
 * errors about sent datagrams reported by the next recvfrom.
 * (net_udp_fixture.h: the fixture.)
 */
#include "net_udp_fixture.h"

const char uk_app_name[] = "net_udp_icmp_test";

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

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_datagram_to_a_closed_port_is_answered_with_port_unreachable),
		T(test_broadcast_to_a_closed_port_gets_no_port_unreachable),
		T(test_port_unreachable_in_makes_the_next_recvfrom_econnrefused_once),
		T(test_other_unreachables_make_the_next_recvfrom_ehostunreach),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
