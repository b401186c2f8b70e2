/*
 * A UDP socket keeps the path to the destination it last sent to (struct
 * ip4_dst: interface, next hop, MAC) and sends through it without routing
 * or looking ARP up again (net/udp.c, ip4_output_room_dst). These tests pin
 * down that the kept path never outlives what it rests on: a new MAC for
 * the peer, a new address or gateway, an expired ARP entry, another
 * destination.
 * (net_udp_fixture.h: the fixture.)
 */
#include "net_udp_fixture.h"

const char uk_app_name[] = "net_udp_dst_test";

static const uint8_t new_peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x99 };

/* The peer asks for our address from mac: the stack learns (or relearns) mac for it. */
static void peer_asks_for_us_from(const uint8_t mac[6])
{
	static const uint8_t unknown[6];
	uint8_t f[42];

	peer_eth_put(f, eth_bcast, mac, ETH_P_ARP);
	peer_arp_put(f + 14, 1 /* request */, mac, PEER_IP, unknown, OUR_IP);
	net_if_input(nif, f, sizeof(f));
}

/* Frame i is a UDP datagram from src to dst at the Ethernet address mac. */
static void assert_udp_to(unsigned int i, const uint8_t mac[6], ip4_addr_t src, ip4_addr_t dst)
{
	size_t len;
	const uint8_t *f = sent_frame(i, &len);
	ip4_addr_t s, d;

	assert_true(len >= 14 + 20 + 8);
	assert_memory_equal(f, mac, 6);
	assert_int_equal(peer_get16(f + 12), 0x0800);
	assert_int_equal(f[14 + 9], 17);
	memcpy(&s, f + 14 + 12, 4);
	memcpy(&d, f + 14 + 16, 4);
	assert_int_equal(s, src);
	assert_int_equal(d, dst);
	assert_true(peer_ip4_l4_csum_ok(f + 14, len - 14));
}

static bool is_arp_request_for(unsigned int i, ip4_addr_t ip)
{
	size_t len;
	const uint8_t *f = sent_frame(i, &len);

	return len >= 42 && peer_get16(f + 12) == 0x0806 && peer_get16(f + 14 + 6) == 1 &&
	       !memcmp(f + 14 + 24, &ip, 4);
}

static void set_config(ip4_addr_t addr, ip4_addr_t gateway)
{
	struct net_if_config cfg = { .addr = addr, .netmask = IP4_ADDR(255, 255, 255, 0),
				     .gateway = gateway };

	assert_int_equal(net_if_set_config(nif, &cfg), 0);
}

static void test_a_new_mac_for_the_peer_is_used_from_the_next_send(void **state)
{
	struct net_socket *s = sock_bound(IP4_ANY, 7200);

	assert_int_equal(net_sendto(s, "one", 3, PEER_IP, 7201), 3);
	assert_int_equal(net_sendto(s, "two", 3, PEER_IP, 7201), 3);
	peer_asks_for_us_from(new_peer_mac);
	assert_int_equal(net_sendto(s, "three", 5, PEER_IP, 7201), 5);
	assert_int_equal(sent.n, 4); /* two datagrams, our ARP reply, one datagram */
	assert_udp_to(0, peer_mac, OUR_IP, PEER_IP);
	assert_udp_to(1, peer_mac, OUR_IP, PEER_IP);
	assert_udp_to(3, new_peer_mac, OUR_IP, PEER_IP);
	peer_asks_for_us_from(peer_mac);
	net_close(s);
}

static void test_a_new_address_is_the_source_from_the_next_send(void **state)
{
	const ip4_addr_t new_ip = IP4_ADDR(10, 0, 0, 3);
	struct net_socket *s = sock_bound(IP4_ANY, 7202);

	assert_int_equal(net_sendto(s, "one", 3, PEER_IP, 7203), 3);
	set_config(new_ip, PEER_IP);
	sent_reset(); /* the gratuitous ARP for the new address */
	assert_int_equal(net_sendto(s, "two", 3, PEER_IP, 7203), 3);
	assert_int_equal(sent.n, 1);
	assert_udp_to(0, peer_mac, new_ip, PEER_IP);
	set_config(OUR_IP, PEER_IP);
	net_close(s);
}

static void test_a_removed_gateway_ends_sends_off_the_link(void **state)
{
	const ip4_addr_t far = IP4_ADDR(192, 168, 5, 5);
	struct net_socket *s = sock_bound(IP4_ANY, 7204);

	assert_int_equal(net_sendto(s, "one", 3, far, 7205), 3);
	assert_int_equal(sent.n, 1);
	assert_udp_to(0, peer_mac, OUR_IP, far); /* through the gateway, the peer */
	set_config(OUR_IP, IP4_ANY);
	sent_reset();
	assert_int_equal(net_sendto(s, "two", 3, far, 7205), -EHOSTUNREACH);
	assert_int_equal(sent.n, 0);
	set_config(OUR_IP, PEER_IP);
	net_close(s);
}

static void test_a_send_after_the_peers_arp_entry_expired_asks_again(void **state)
{
	struct net_socket *s = sock_bound(IP4_ANY, 7206);

	assert_int_equal(net_sendto(s, "one", 3, PEER_IP, 7207), 3);
	/* ARP trusts an entry for 60 s (net/arp.c, ARP_REACHABLE_NS). */
	uk_sleep_ns(61 * UK_NSEC_PER_SEC);
	sent_reset();
	assert_int_equal(net_sendto(s, "two", 3, PEER_IP, 7207), 3);
	assert_int_equal(sent.n, 1);
	assert_true(is_arp_request_for(0, PEER_IP)); /* the datagram waits for the answer */
	answer_arp(0);
	assert_int_equal(sent.n, 2);
	assert_udp_to(1, peer_mac, OUR_IP, PEER_IP);
	net_close(s);
}

static void test_sends_to_two_hosts_in_turn_each_reach_their_host(void **state)
{
	const ip4_addr_t other = IP4_ADDR(10, 0, 0, 78);
	struct net_socket *s = sock_bound(IP4_ANY, 7208);

	assert_int_equal(net_sendto(s, "a", 1, other, 7209), 1);
	assert_true(is_arp_request_for(0, other));
	answer_arp(0);
	sent_reset();
	for (unsigned int i = 0; i < 3; i++) {
		assert_int_equal(net_sendto(s, "b", 1, PEER_IP, 7209), 1);
		assert_int_equal(net_sendto(s, "c", 1, other, 7209), 1);
	}
	assert_int_equal(sent.n, 6);
	for (unsigned int i = 0; i < 6; i += 2) {
		assert_udp_to(i, peer_mac, OUR_IP, PEER_IP);
		assert_udp_to(i + 1, peer_mac, OUR_IP, other);
	}
	net_close(s);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_a_new_mac_for_the_peer_is_used_from_the_next_send),
		T(test_a_new_address_is_the_source_from_the_next_send),
		T(test_a_removed_gateway_ends_sends_off_the_link),
		T(test_a_send_after_the_peers_arp_entry_expired_asks_again),
		T(test_sends_to_two_hosts_in_turn_each_reach_their_host),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
