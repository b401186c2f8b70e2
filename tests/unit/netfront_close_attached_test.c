/*
 * netfront_close on a vif still attached to a network interface
 * (net_if_attach_netfront): the interface keeps calling into the device
 * (its sends, its timers' sends, net_if_destroy's netfront_set_rx_flags),
 * which close has freed, a use after free. netfront.h says to destroy the
 * interface first; a guest that does not gets the runtime's clear report,
 * a panic naming the vif and the cure, not memory corruption.
 *
 * The default run checks the allowed order (destroy, then close); run with
 * "-- close-while-attached", the vif is closed under its interface and
 * CMakeLists.txt checks the panic's line. A booted guest against the
 * simulator's netback with the null backend (netfront_event_fixture.h).
 */
#include <string.h>

#include <net/netif.h>

#include "runtime/include/uk/boot.h"
#include "netfront_event_fixture.h"

const char uk_app_name[] = "netfront_close_attached_test";

static bool close_while_attached;

/* vif 0 open, an interface on it, an address set: a gratuitous ARP went out through it. */
static struct net_if *attach(struct netfront *nf)
{
	struct net_if_config cfg = { .addr = IP4_ADDR(10, 0, 0, 2),
				     .netmask = IP4_ADDR(255, 255, 255, 0) };
	struct net_if *nif;

	assert_int_equal(net_if_attach_netfront(nf, &nif), 0);
	assert_int_equal(net_if_set_config(nif, &cfg), 0);
	uk_sleep_ns(MS);
	assert_true(stats_of(nf).tx_frames >= 1);
	return nif;
}

static void test_a_vif_closed_after_its_interface_was_destroyed_is_gone(void **state)
{
	struct netfront *nf = open_vif();
	struct net_if *nif = attach(nf);

	(void)state;
	if (close_while_attached) {
		netfront_close(nf); /* ends the process with the panic */
		net_if_destroy(nif); /* went into the freed device */
		fail_msg("netfront_close returned with its vif still attached");
	}
	net_if_destroy(nif);
	assert_int_equal(netfront_close(nf), 0);
}

static void test_a_vif_whose_interface_was_destroyed_may_be_attached_again(void **state)
{
	struct netfront *nf = open_vif();

	(void)state;
	net_if_destroy(attach(nf));
	net_if_destroy(attach(nf));
	assert_int_equal(netfront_close(nf), 0);
}

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_vif_closed_after_its_interface_was_destroyed_is_gone),
		cmocka_unit_test(test_a_vif_whose_interface_was_destroyed_may_be_attached_again),
	};

	close_while_attached = argc > 1 && !strcmp(argv[1], "close-while-attached");
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
