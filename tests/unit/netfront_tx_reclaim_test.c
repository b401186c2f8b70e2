/*
 * netfront takes TX responses in only when a send finds free buffers or
 * ring slots below half the ring (runtime/drivers/netfront/netfront_tx.c,
 * netfront_tx_reclaim_if_low): the answered ones wait and are taken in
 * together, not one per frame; and netfront_stats takes them in first, so
 * its counts are current. The test peeks at netfront's private state
 * (netfront_private.h) to see when the buffers come back.
 *
 * A booted guest against the simulator's netback with the null backend,
 * which answers each request inside its notification
 * (netfront_event_fixture.h); run with --clock virtual.
 */
#include <string.h>

#include "runtime/include/uk/boot.h"
#include "runtime/include/uk/sched.h"
#include "netfront_event_fixture.h"
#include "runtime/drivers/netfront/netfront_private.h"

const char uk_app_name[] = "netfront_tx_reclaim_test";

static void send_frames(struct netfront *nf, unsigned int n)
{
	uint8_t f[FRAME];

	for (unsigned int i = 0; i < n; i++) {
		memset(f, (int)i, sizeof(f));
		assert_int_equal(netfront_try_send(nf, f, sizeof(f)), 0);
	}
}

static void test_answered_buffers_wait_until_half_the_ring_is_in_use(void **state)
{
	struct netfront *nf = open_vif();
	RING_IDX cons = nf->tx.rsp_cons;

	(void)state;
	assert_int_equal(nf->tx_nr_free, NET_TX_RING_SIZE);
	/* Half a ring and one: each answered, none taken in. */
	send_frames(nf, NETFRONT_TX_RECLAIM_BELOW + 1);
	assert_int_equal(nf->tx.rsp_cons, cons);
	assert_int_equal(nf->tx_nr_free, NET_TX_RING_SIZE - NETFRONT_TX_RECLAIM_BELOW - 1);
	assert_int_equal(nf->tx.sring->rsp_prod - cons, NETFRONT_TX_RECLAIM_BELOW + 1);
	/* The next send finds fewer than half free: all of them back at once. */
	send_frames(nf, 1);
	assert_int_equal(nf->tx.rsp_cons, cons + NETFRONT_TX_RECLAIM_BELOW + 1);
	assert_int_equal(nf->tx_nr_free, NET_TX_RING_SIZE - 1);
	assert_int_equal(netfront_close(nf), 0);
}

static void test_stats_take_the_answered_responses_in(void **state)
{
	struct netfront *nf = open_vif();
	struct netfront_stats st;

	(void)state;
	send_frames(nf, 5);
	assert_int_equal(nf->tx_nr_free, NET_TX_RING_SIZE - 5);
	st = stats_of(nf);
	assert_int_equal(nf->tx_nr_free, NET_TX_RING_SIZE);
	assert_int_equal(st.tx_frames, 5);
	assert_int_equal(st.tx_errors, 0);
	assert_int_equal(st.tx_ring_full, 0);
	assert_int_equal(netfront_close(nf), 0);
}

static void test_many_rings_of_frames_never_find_the_ring_full(void **state)
{
	struct netfront *nf = open_vif();

	(void)state;
	send_frames(nf, 5 * NET_TX_RING_SIZE + 3);
	assert_true(nf->tx_nr_free >= NETFRONT_TX_RECLAIM_BELOW - 1);
	assert_int_equal(stats_of(nf).tx_ring_full, 0);
	assert_int_equal(stats_of(nf).tx_frames, 5 * NET_TX_RING_SIZE + 3);
	assert_int_equal(netfront_close(nf), 0);
}

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answered_buffers_wait_until_half_the_ring_is_in_use),
		cmocka_unit_test(test_stats_take_the_answered_responses_in),
		cmocka_unit_test(test_many_rings_of_frames_never_find_the_ring_full),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
