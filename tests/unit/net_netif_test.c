/*
 * Interfaces (net/netif.c): a busy link, the list of interfaces.
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

const char uk_app_name[] = "net_netif_test";

/*
 * The link contract: send never blocks; a busy link refuses with -ENOBUFS
 * and the frame is gone. The stack sends from its receive path and its
 * timers too, so it must take a refusal in its stride: count it, go on.
 */
static void test_a_busy_link_refuses_and_the_stack_counts_the_drops_without_waiting(
	void **state)
{
	uint8_t m[8] = { 0 };
	uint64_t t0 = uk_now_ns();
	struct net_if_stats st, st0 = stats(); /* the gratuitous ARP went out */

	link_busy = true;
	/* The receive path: our ARP reply to the peer's request is refused. */
	arp_in(1, peer_mac, PEER_IP, OUR_IP, eth_broadcast);
	assert_int_equal(tx.n, 1);
	assert_int_equal(net_get16(tx.data[0] + 12), ETH_TYPE_ARP);
	assert_int_equal(stats().tx_errors, st0.tx_errors + 1);
	/* A thread's send: refused at once, not waited for. */
	assert_int_equal(ip4_output(nif, IP4_ANY, PEER_IP, IP4_PROTO_UDP, m, 8), -ENOBUFS);
	assert_int_equal(tx.n, 2);
	assert_int_equal(stats().tx_errors, st0.tx_errors + 2);
	/* Three next hops to resolve: their requests are refused too... */
	for (uint8_t i = 3; i < 6; i++)
		assert_int_equal(ip4_output(nif, IP4_ANY, IP4_ADDR(10, 0, 0, i), IP4_PROTO_UDP, m,
					    8), 0);
	assert_int_equal(tx.n, 5);
	assert_int_equal(uk_now_ns(), t0);
	/* ...and their timers retry each on schedule, then give up. */
	uk_sleep_ns(5 * SEC);
	assert_int_equal(tx.n, 2 + 3 * 3);
	for (unsigned int try = 0; try < 3; try++)
		for (unsigned int hop = 0; hop < 3; hop++) {
			unsigned int i = 2 + try * 3 + hop;

			assert_true(is_arp_request_for(i, IP4_ADDR(10, 0, 0, 3 + hop)));
			/* exactly 1 s apart: each entry has its own timer */
			assert_int_equal(tx.when[i] - t0, try * SEC);
		}
	st = stats();
	assert_int_equal(st.tx_errors, st0.tx_errors + 11);
	assert_int_equal(st.tx_frames, st0.tx_frames);
	assert_int_equal(st.arp_unresolved, st0.arp_unresolved + 3);
	/* The link free again: the next send goes out. */
	link_busy = false;
	assert_int_equal(ip4_output(nif, IP4_ANY, PEER_IP, IP4_PROTO_UDP, m, 8), 0);
	assert_int_equal(stats().tx_frames, st0.tx_frames + 1);
	assert_int_equal(stats().tx_errors, st0.tx_errors + 11);
}

static void test_interfaces_are_listed_in_creation_order(void **state)
{
	struct net_link link = { .send = record_send, .mtu = 1500 };
	struct net_if *second;

	assert_int_equal(net_if_create(&link, &second), 0);
	assert_int_equal(net_if_count(), 2);
	assert_ptr_equal(net_if_get(0), nif);
	assert_ptr_equal(net_if_get(1), second);
	assert_null(net_if_get(2));
	net_if_destroy(nif);
	assert_ptr_equal(net_if_get(0), second);
	nif = second;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_a_busy_link_refuses_and_the_stack_counts_the_drops_without_waiting),
		T(test_interfaces_are_listed_in_creation_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
