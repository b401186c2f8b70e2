/*
 * ARP (net/arp.c): answering, resolving with a queue, retries, the cache
 * and its lifetime, gratuitous ARP.
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

const char uk_app_name[] = "net_arp_test";

static void test_arp_request_for_us_is_answered(void **state)
{
	const uint8_t *a = tx.data[0] + ETH_HLEN;
	ip4_addr_t peer = PEER_IP, us = OUR_IP;

	arp_in(1, peer_mac, PEER_IP, OUR_IP, eth_broadcast);
	assert_int_equal(tx.n, 1);
	assert_memory_equal(tx.data[0], peer_mac, 6);
	assert_int_equal(net_get16(tx.data[0] + 12), ETH_TYPE_ARP);
	assert_int_equal(net_get16(a + 6), 2);
	assert_memory_equal(a + 8, our_mac, 6);
	assert_memory_equal(a + 14, &us, 4);
	assert_memory_equal(a + 18, peer_mac, 6);
	assert_memory_equal(a + 24, &peer, 4);
	assert_int_equal(stats().arp_replies_sent, 1);
}

static void test_arp_request_for_another_address_is_not_answered(void **state)
{
	uint8_t m[16] = { 0 };

	arp_in(1, peer_mac, PEER_IP, IP4_ADDR(10, 0, 0, 3), eth_broadcast);
	assert_int_equal(tx.n, 0);
	/* Nor did we learn the asker's MAC: a reply to it needs ARP. */
	assert_int_equal(ip4_output(nif, IP4_ANY, PEER_IP, IP4_PROTO_ICMP, m, 8), 0);
	assert_true(is_arp_request_for(0, PEER_IP));
}

static void test_arp_malformed_packets_are_counted(void **state)
{
	uint8_t f[ETH_HLEN + 28];
	static const struct {
		size_t off;
		uint8_t val;
	} bad[] = { { 15, 6 }, { 16, 0x86 }, { 18, 8 }, { 19, 16 }, { 21, 3 }, { 22, 0x01 } };

	arp_in(1, peer_mac, PEER_IP, OUR_IP, eth_broadcast);
	tx_reset();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		eth_build(f, eth_broadcast, peer_mac, ETH_TYPE_ARP);
		net_put16(f + 14, 1);
		net_put16(f + 16, ETH_TYPE_IP4);
		f[18] = 6;
		f[19] = 4;
		net_put16(f + 20, 1);
		memcpy(f + 22, peer_mac, 6);
		memset(f + 28, 0, 14);
		f[bad[i].off] = bad[i].val;
		net_if_input(nif, f, sizeof(f));
	}
	net_if_input(nif, f, ETH_HLEN + 27);
	assert_int_equal(stats().arp_bad, sizeof(bad) / sizeof(bad[0]) + 1);
	assert_int_equal(tx.n, 0);
}

static void test_arp_unsolicited_reply_is_not_cached(void **state)
{
	uint8_t m[8] = { 0 };

	arp_in(2, peer_mac, PEER_IP, OUR_IP, our_mac);
	assert_int_equal(stats().arp_unsolicited_ignored, 1);
	assert_int_equal(ip4_output(nif, IP4_ANY, PEER_IP, IP4_PROTO_UDP, m, 8), 0);
	assert_int_equal(tx.n, 1);
	assert_true(is_arp_request_for(0, PEER_IP));
}

static void test_arp_resolution_queues_packets_until_the_reply(void **state)
{
	uint8_t m[3][8] = { { 1 }, { 2 }, { 3 } };
	size_t len;

	for (int i = 0; i < 3; i++)
		assert_int_equal(ip4_output(nif, IP4_ANY, PEER_IP, IP4_PROTO_UDP, m[i], 8), 0);
	assert_int_equal(tx.n, 1); /* one request, three packets waiting */
	assert_true(is_arp_request_for(0, PEER_IP));
	arp_in(2, peer_mac, PEER_IP, OUR_IP, our_mac);
	assert_int_equal(tx.n, 4);
	for (unsigned int i = 1; i < 4; i++) {
		const uint8_t *r = frame_ip(i, &len);

		assert_memory_equal(tx.data[i], peer_mac, 6);
		assert_int_equal(r[20], i); /* in the order sent */
	}
	assert_int_equal(stats().arp_unsolicited_ignored, 0);
}

static void test_arp_retries_three_times_then_gives_up(void **state)
{
	uint8_t m[8] = { 0 };
	uint64_t t0 = uk_now_ns();

	assert_int_equal(ip4_output(nif, IP4_ANY, PEER_IP, IP4_PROTO_UDP, m, 8), 0);
	assert_int_equal(ip4_output(nif, IP4_ANY, PEER_IP, IP4_PROTO_UDP, m, 8), 0);
	uk_sleep_ns(5 * SEC);
	assert_int_equal(tx.n, 3);
	for (unsigned int i = 0; i < 3; i++) {
		assert_true(is_arp_request_for(i, PEER_IP));
		/* exactly 1 s apart: each entry has its own timer */
		assert_int_equal(tx.when[i] - t0, i * SEC);
	}
	assert_int_equal(stats().arp_unresolved, 2);
	/* For a while, sends fail at once; then resolution starts again. */
	assert_int_equal(ip4_output(nif, IP4_ANY, PEER_IP, IP4_PROTO_UDP, m, 8), -EHOSTUNREACH);
	uk_sleep_ns(2 * SEC);
	assert_int_equal(ip4_output(nif, IP4_ANY, PEER_IP, IP4_PROTO_UDP, m, 8), 0);
	assert_int_equal(tx.n, 4);
	assert_true(is_arp_request_for(3, PEER_IP));
}

static void test_arp_queue_is_bounded(void **state)
{
	static uint8_t big[1480];
	int rc = 0;
	unsigned int sent = 0;

	while (sent < 1000 && (rc = ip4_output(nif, IP4_ANY, PEER_IP, IP4_PROTO_UDP, big,
					       sizeof(big))) == 0)
		sent++;
	assert_int_equal(rc, -ENOBUFS);
	assert_in_range(sent, 10, 100);
	assert_int_equal(stats().arp_queue_full, 1);
	assert_int_equal(tx.n, 1);
}

static void test_arp_entry_expires_after_its_lifetime(void **state)
{
	uint8_t m[8] = { 0 };

	peer_known();
	assert_int_equal(ip4_output(nif, IP4_ANY, PEER_IP, IP4_PROTO_UDP, m, 8), 0);
	assert_int_equal(net_get16(tx.data[0] + 12), ETH_TYPE_IP4);
	uk_sleep_ns(59 * SEC);
	assert_int_equal(ip4_output(nif, IP4_ANY, PEER_IP, IP4_PROTO_UDP, m, 8), 0);
	assert_int_equal(net_get16(tx.data[1] + 12), ETH_TYPE_IP4);
	uk_sleep_ns(1 * SEC);
	assert_int_equal(ip4_output(nif, IP4_ANY, PEER_IP, IP4_PROTO_UDP, m, 8), 0);
	assert_int_equal(tx.n, 3);
	assert_true(is_arp_request_for(2, PEER_IP));
}

static void test_arp_cache_evicts_the_oldest_entry(void **state)
{
	uint8_t m[8] = { 0 }, mac[6] = { 0x02, 0, 0, 0, 1, 0 };

	for (unsigned int i = 0; i < 65; i++) {
		mac[5] = (uint8_t)i;
		arp_in(1, mac, IP4_ADDR(10, 0, 0, 100 + i), OUR_IP, eth_broadcast);
		uk_sleep_ns(MS);
	}
	tx_reset();
	/* 10.0.0.101 is still known; 10.0.0.100, the oldest, went for 10.0.0.164. */
	assert_int_equal(ip4_output(nif, IP4_ANY, IP4_ADDR(10, 0, 0, 101), 17, m, 8), 0);
	assert_int_equal(net_get16(tx.data[0] + 12), ETH_TYPE_IP4);
	assert_int_equal(ip4_output(nif, IP4_ANY, IP4_ADDR(10, 0, 0, 100), 17, m, 8), 0);
	assert_true(is_arp_request_for(1, IP4_ADDR(10, 0, 0, 100)));
}

static void test_gratuitous_arp_when_an_address_is_set(void **state)
{
	struct net_if_config cfg = { .addr = IP4_ADDR(10, 0, 0, 3),
				     .netmask = IP4_ADDR(255, 255, 255, 0) };
	const uint8_t *a = tx.data[0] + ETH_HLEN;
	ip4_addr_t addr = cfg.addr;

	assert_int_equal(net_if_set_config(nif, &cfg), 0);
	assert_int_equal(tx.n, 1);
	assert_true(is_arp_request_for(0, addr));
	assert_memory_equal(a + 14, &addr, 4); /* sender and target: the new address */
	assert_memory_equal(a + 8, our_mac, 6);
	/* The same address again (a DHCP renewal) is not announced again. */
	assert_int_equal(net_if_set_config(nif, &cfg), 0);
	assert_int_equal(tx.n, 1);
	cfg.netmask = IP4_ADDR(255, 0, 255, 0);
	assert_int_equal(net_if_set_config(nif, &cfg), -EINVAL);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_arp_request_for_us_is_answered),
		T(test_arp_request_for_another_address_is_not_answered),
		T(test_arp_malformed_packets_are_counted),
		T(test_arp_unsolicited_reply_is_not_cached),
		T(test_arp_resolution_queues_packets_until_the_reply),
		T(test_arp_retries_three_times_then_gives_up),
		T(test_arp_queue_is_bounded),
		T(test_arp_entry_expires_after_its_lifetime),
		T(test_arp_cache_evicts_the_oldest_entry),
		T(test_gratuitous_arp_when_an_address_is_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
