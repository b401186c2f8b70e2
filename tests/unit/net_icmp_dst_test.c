/*
 * Echo replies go by the path kept for the last one (net/icmp.c,
 * echo_send: struct ip4_dst in the interface) while it holds: these tests
 * pin down that a new MAC for the pinger, a new address of ours and an
 * expired ARP entry are each seen by the next reply, and that pings from
 * two hosts in turn are each answered to their sender.
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

const char uk_app_name[] = "net_icmp_dst_test";

static const uint8_t new_peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x77 };
#define OTHER_IP IP4_ADDR(10, 0, 0, 33)

/* A ping from src, seq seq; the reply (if any) is recorded. */
static void ping_from(ip4_addr_t src, uint16_t seq)
{
	static uint8_t p[128];
	uint8_t m[64];
	size_t mlen = echo_build(m, 0x4242, seq, 16);

	ip_in(p, ip_build(p, src, OUR_IP, IP4_PROTO_ICMP, seq, 0, m, mlen));
}

/* Frame i is an echo reply from src to dst, at the Ethernet address mac. */
static void assert_reply(unsigned int i, const uint8_t mac[6], ip4_addr_t src, ip4_addr_t dst)
{
	size_t len;
	const uint8_t *r = frame_ip(i, &len);

	assert_ip_valid(r, len);
	assert_memory_equal(tx.data[i], mac, 6);
	assert_memory_equal(r + 12, &src, 4);
	assert_memory_equal(r + 16, &dst, 4);
	assert_int_equal(r[9], IP4_PROTO_ICMP);
	assert_int_equal(r[20], 0); /* echo reply */
}

static void set_addr(ip4_addr_t addr)
{
	struct net_if_config cfg = { .addr = addr, .netmask = IP4_ADDR(255, 255, 255, 0),
				     .gateway = GW_IP };

	assert_int_equal(net_if_set_config(nif, &cfg), 0);
}

static void test_a_new_mac_for_the_pinger_is_used_from_the_next_reply(void **state)
{
	peer_known();
	ping_from(PEER_IP, 1);
	ping_from(PEER_IP, 2);
	arp_in(1, new_peer_mac, PEER_IP, OUR_IP, eth_broadcast); /* answered: frame 2 */
	ping_from(PEER_IP, 3);
	assert_int_equal(tx.n, 4);
	assert_reply(0, peer_mac, OUR_IP, PEER_IP);
	assert_reply(1, peer_mac, OUR_IP, PEER_IP);
	assert_reply(3, new_peer_mac, OUR_IP, PEER_IP);
	assert_int_equal(stats().icmp_echo_replies, 3);
}

static void test_a_new_address_of_ours_is_the_source_of_the_next_reply(void **state)
{
	const ip4_addr_t new_ip = IP4_ADDR(10, 0, 0, 4);
	static uint8_t p[128];
	uint8_t m[64];
	size_t mlen = echo_build(m, 1, 2, 8);

	peer_known();
	ping_from(PEER_IP, 1);
	set_addr(new_ip);
	tx_reset(); /* the gratuitous ARP */
	ip_in(p, ip_build(p, PEER_IP, new_ip, IP4_PROTO_ICMP, 2, 0, m, mlen));
	assert_int_equal(tx.n, 1);
	assert_reply(0, peer_mac, new_ip, PEER_IP);
}

static void test_a_reply_after_the_pingers_arp_entry_expired_asks_again(void **state)
{
	peer_known();
	ping_from(PEER_IP, 1);
	uk_sleep_ns(61 * SEC); /* ARP trusts an entry for 60 s (net/arp.c) */
	tx_reset();
	ping_from(PEER_IP, 2);
	assert_int_equal(tx.n, 1);
	assert_true(is_arp_request_for(0, PEER_IP)); /* the reply waits for the answer */
	arp_in(2, peer_mac, PEER_IP, OUR_IP, our_mac);
	assert_int_equal(tx.n, 2);
	assert_reply(1, peer_mac, OUR_IP, PEER_IP);
}

static void test_pings_from_two_hosts_in_turn_are_each_answered_to_their_sender(void **state)
{
	peer_known();
	arp_in(1, new_peer_mac, OTHER_IP, OUR_IP, eth_broadcast);
	tx_reset();
	for (uint16_t seq = 1; seq <= 3; seq++) {
		ping_from(PEER_IP, seq);
		ping_from(OTHER_IP, seq);
	}
	assert_int_equal(tx.n, 6);
	for (unsigned int i = 0; i < 6; i += 2) {
		assert_reply(i, peer_mac, OUR_IP, PEER_IP);
		assert_reply(i + 1, new_peer_mac, OUR_IP, OTHER_IP);
	}
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_a_new_mac_for_the_pinger_is_used_from_the_next_reply),
		T(test_a_new_address_of_ours_is_the_source_of_the_next_reply),
		T(test_a_reply_after_the_pingers_arp_entry_expired_asks_again),
		T(test_pings_from_two_hosts_in_turn_are_each_answered_to_their_sender),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
