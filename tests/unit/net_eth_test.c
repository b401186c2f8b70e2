/*
 * Ethernet (net/eth.c): what is dropped and counted on input, the header on output.
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

const char uk_app_name[] = "net_eth_test";

static void test_eth_truncated_frame_is_counted(void **state)
{
	uint8_t f[13] = { 0 };

	net_if_input(nif, f, sizeof(f));
	net_if_input(nif, f, 0);
	assert_int_equal(stats().eth_truncated, 2);
	assert_int_equal(tx.n, 0);
}

static void test_eth_frame_for_another_mac_is_dropped(void **state)
{
	const uint8_t other[6] = { 0x02, 0, 0, 0, 0, 0x55 };
	const uint8_t mdns[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
	uint8_t f[60] = { 0 };

	eth_build(f, other, peer_mac, ETH_TYPE_ARP);
	net_if_input(nif, f, sizeof(f));
	eth_build(f, mdns, peer_mac, ETH_TYPE_IP4); /* a group we did not join */
	net_if_input(nif, f, sizeof(f));
	assert_int_equal(stats().eth_not_for_us, 2);
	assert_int_equal(stats().arp_bad + stats().ip_bad_length, 0);
}

static void test_eth_unknown_ethertype_is_counted(void **state)
{
	uint8_t f[60] = { 0 };

	eth_build(f, our_mac, peer_mac, 0x86dd); /* IPv6 */
	net_if_input(nif, f, sizeof(f));
	eth_build(f, eth_broadcast, peer_mac, 0x8100); /* VLAN tag */
	net_if_input(nif, f, sizeof(f));
	assert_int_equal(stats().eth_unknown_type, 2);
}

static void test_eth_accepts_the_all_hosts_group(void **state)
{
	const uint8_t all_hosts[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	uint8_t f[ETH_HLEN + 64], udp[8] = { 0, 9, 0, 9, 0, 8, 0, 0 };
	size_t n = eth_build(f, all_hosts, peer_mac, ETH_TYPE_IP4);

	n += ip_build(f + n, PEER_IP, IP4_ADDR(224, 0, 0, 1), IP4_PROTO_UDP, 1, 0, udp, 8);
	net_if_input(nif, f, n);
	assert_int_equal(stats().eth_not_for_us, 0);
	assert_int_equal(stats().ip_not_for_us, 0);
	assert_int_equal(stats().udp_no_port, 1);
	assert_int_equal(tx.n, 0); /* no port unreachable about a multicast */
}

static void test_eth_output_builds_the_header(void **state)
{
	const uint8_t payload[3] = { 1, 2, 3 };
	uint64_t before = stats().tx_frames;

	assert_int_equal(eth_output(nif, peer_mac, 0x88b5, payload, 3), 0);
	assert_int_equal(tx.n, 1);
	assert_int_equal(tx.len[0], ETH_HLEN + 3);
	assert_memory_equal(tx.data[0], peer_mac, 6);
	assert_memory_equal(tx.data[0] + 6, our_mac, 6);
	assert_int_equal(net_get16(tx.data[0] + 12), 0x88b5);
	assert_memory_equal(tx.data[0] + ETH_HLEN, payload, 3);
	assert_int_equal(stats().tx_frames, before + 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_eth_truncated_frame_is_counted),
		T(test_eth_frame_for_another_mac_is_dropped),
		T(test_eth_unknown_ethertype_is_counted),
		T(test_eth_accepts_the_all_hosts_group),
		T(test_eth_output_builds_the_header),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
