/*
 * UDP sockets (net/udp.c, net/socket.c): which socket a datagram reaches, binding,
 * ephemeral ports.
 * (net_udp_fixture.h: the fixture.)
 */
#include "net_udp_fixture.h"

const char uk_app_name[] = "net_udp_demux_test";

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

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
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
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
