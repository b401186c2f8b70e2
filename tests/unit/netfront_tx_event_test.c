/*
 * netfront's TX completions (runtime/drivers/netfront/netfront_tx.c) ask for
 * no event: responses are taken in by the next send and by the receive
 * thread, and only a sender waiting for a slot moves rsp_event. So a frame
 * sent costs the guest no event and no wake-up.
 *
 * A booted guest against the simulator's netback with the null backend
 * (netfront_event_fixture.h); run with --clock virtual.
 */
#include <string.h>

#include "runtime/include/uk/boot.h"
#include "runtime/include/uk/sched.h"
#include "netfront_event_fixture.h"

const char uk_app_name[] = "netfront_tx_event_test";

#define TX_SLOTS __CONST_RING_SIZE(netif_tx, 4096)

static bool guest_pending(evtchn_port_t port)
{
	const struct shared_info *s = shim_current()->shared_info;
	const unsigned int bits = 8 * sizeof(s->evtchn_pending[0]);

	return (__atomic_load_n(&s->evtchn_pending[port / bits], __ATOMIC_SEQ_CST) >>
		(port % bits)) & 1;
}

static void frame_fill(uint8_t *f, uint8_t seed)
{
	for (size_t i = 0; i < FRAME; i++)
		f[i] = (uint8_t)(seed + i * 7);
}

static void test_sent_frames_raise_no_event_while_the_ring_has_room(void **state)
{
	struct netfront *nf = open_vif();
	evtchn_port_t port = guest_port();
	uint8_t f[FRAME];

	(void)state;
	assert_false(guest_pending(port));
	/* The first response too: the ring starts asking for none. */
	for (unsigned int i = 0; i < 10; i++) {
		frame_fill(f, (uint8_t)i);
		assert_int_equal(netfront_send(nf, f, sizeof(f)), 0);
		/* netback answered inside the notification: no event for it. */
		assert_false(guest_pending(port));
	}
	assert_int_equal(stats_of(nf).tx_frames, 10);
	assert_int_equal(stats_of(nf).tx_errors, 0);
	assert_int_equal(netfront_close(nf), 0);
}

static void test_each_send_takes_the_earlier_responses_in(void **state)
{
	struct netfront *nf = open_vif();
	uint8_t f[FRAME];

	(void)state;
	/* Three rings' worth without a pause: never full, never an event needed. */
	for (unsigned int i = 0; i < 3 * TX_SLOTS; i++) {
		frame_fill(f, (uint8_t)i);
		assert_int_equal(netfront_try_send(nf, f, sizeof(f)), 0);
	}
	assert_int_equal(stats_of(nf).tx_frames, 3 * TX_SLOTS);
	assert_int_equal(stats_of(nf).tx_ring_full, 0);
	assert_int_equal(netfront_close(nf), 0);
}

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sent_frames_raise_no_event_while_the_ring_has_room),
		cmocka_unit_test(test_each_send_takes_the_earlier_responses_in),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
