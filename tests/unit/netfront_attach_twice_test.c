/*
 * A vif has one network interface at a time (net_if_attach_netfront). A
 * second one would take over its receive callback, the first would stop
 * receiving without a word, and destroying either would let the vif go
 * (netfront_set_holder) while the other still sent through it: close then
 * freed the device under it. A second attach is refused with -EBUSY, and
 * the vif may be attached again once its interface is destroyed.
 *
 * A booted guest against the simulator's netback with the null backend
 * (netfront_event_fixture.h).
 */
#include <errno.h>

#include <net/netif.h>

#include "runtime/include/uk/boot.h"
#include "netfront_event_fixture.h"

const char uk_app_name[] = "netfront_attach_twice_test";

static void test_a_vif_held_by_an_interface_is_refused_to_another(void **state)
{
	struct netfront *nf = open_vif();
	struct net_if *first, *second = NULL;

	(void)state;
	assert_int_equal(net_if_attach_netfront(nf, &first), 0);
	assert_int_equal(net_if_attach_netfront(nf, &second), -EBUSY);
	assert_null(second);
	net_if_destroy(first);
	assert_int_equal(net_if_attach_netfront(nf, &second), 0);
	net_if_destroy(second);
	assert_int_equal(netfront_close(nf), 0);
}

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_vif_held_by_an_interface_is_refused_to_another),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
