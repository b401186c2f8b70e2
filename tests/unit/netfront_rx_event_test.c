/*
 * netfront's receive work in the event handler (netfront_set_rx_nonblocking,
 * runtime/drivers/netfront/netfront_rx.c): a callback that never blocks runs
 * right in the event channel's handler, outside any thread; a callback set
 * with netfront_set_rx still runs in the receive thread; and a receive
 * thread blocked inside an earlier callback keeps the ring to itself, so no
 * frame is delivered twice or out of order.
 *
 * A booted guest against the simulator's netback with the null backend
 * (netfront_event_fixture.h); run with --clock virtual.
 */
#include <string.h>

#include "runtime/include/uk/boot.h"
#include "runtime/include/uk/sched.h"
#include "sim/evtchn.h"
#include "netfront_event_fixture.h"

const char uk_app_name[] = "netfront_rx_event_test";

#define MAX_GOT 64

/* What the callbacks saw. */
static struct {
	unsigned int n;
	uint8_t tag[MAX_GOT];            /* byte 14 of each frame */
	struct uk_thread *thread[MAX_GOT]; /* uk_thread_self() in the callback */
	bool send;                       /* echo each frame with netfront_try_send */
	int send_rc;
	bool block_first;                /* sleep in the callback for the first frame */
} got;

static void record(struct netfront *nf, const uint8_t *frame, size_t len)
{
	if (got.n < MAX_GOT) {
		got.tag[got.n] = len > 14 ? frame[14] : 0;
		got.thread[got.n] = uk_thread_self();
	}
	got.n++;
	if (got.send)
		got.send_rc = netfront_try_send(nf, frame, len);
}

static void on_frame_flags(struct netfront *nf, const uint8_t *frame, size_t len,
			   unsigned int flags, void *arg)
{
	(void)flags;
	(void)arg;
	record(nf, frame, len);
}

static void on_frame(struct netfront *nf, const uint8_t *frame, size_t len, void *arg)
{
	bool block = got.block_first && got.n == 0;

	(void)arg;
	record(nf, frame, len);
	if (block)
		uk_sleep_ns(5 * MS); /* the receive thread blocks inside the callback */
}

/* vif 0 opened, nothing seen yet. */
static struct netfront *open_vif_clean(void)
{
	memset(&got, 0, sizeof(got));
	return open_vif();
}

static void deliver(uint8_t tag)
{
	uint8_t f[FRAME];

	for (size_t i = 0; i < FRAME; i++)
		f[i] = (uint8_t)(tag + i * 7);
	f[14] = tag;
	assert_int_equal(vif_deliver(vif, f, sizeof(f)), 0);
}

static void test_a_nonblocking_callback_runs_in_the_event_handler_outside_any_thread(void **state)
{
	struct netfront *nf = open_vif_clean();

	(void)state;
	netfront_set_rx_nonblocking(nf, on_frame_flags, NULL);
	for (uint8_t i = 1; i <= 3; i++)
		deliver(i);
	uk_sleep_ns(MS);
	assert_int_equal(got.n, 3);
	for (unsigned int i = 0; i < 3; i++) {
		assert_int_equal(got.tag[i], i + 1);
		assert_null(got.thread[i]);
	}
	assert_int_equal(stats_of(nf).rx_frames, 3);
	assert_int_equal(netfront_close(nf), 0);
}

static void test_a_nonblocking_callback_may_send_without_waiting(void **state)
{
	struct netfront *nf = open_vif_clean();

	(void)state;
	got.send = true;
	got.send_rc = 1;
	netfront_set_rx_nonblocking(nf, on_frame_flags, NULL);
	deliver(9);
	uk_sleep_ns(MS);
	assert_int_equal(got.n, 1);
	assert_int_equal(got.send_rc, 0);
	assert_int_equal(stats_of(nf).tx_frames, 1);
	assert_int_equal(stats_of(nf).tx_errors, 0);
	assert_int_equal(netfront_close(nf), 0);
}

static void test_a_plain_callback_still_runs_in_the_receive_thread(void **state)
{
	struct netfront *nf = open_vif_clean();

	(void)state;
	netfront_set_rx(nf, on_frame, NULL);
	deliver(4);
	uk_sleep_ns(MS);
	assert_int_equal(got.n, 1);
	assert_non_null(got.thread[0]);
	assert_ptr_not_equal(got.thread[0], uk_thread_self());
	assert_string_equal(uk_thread_name(got.thread[0]), "netfront-rx0");
	assert_int_equal(netfront_close(nf), 0);
}

static void test_frames_stay_in_order_when_the_mode_changes_under_a_blocked_callback(void **state)
{
	struct netfront *nf = open_vif_clean();

	(void)state;
	got.block_first = true;
	netfront_set_rx(nf, on_frame, NULL);
	deliver(1);
	uk_sleep_ns(MS); /* the receive thread now sleeps inside on_frame for frame 1 */
	assert_int_equal(got.n, 1);
	/* The handler must leave the ring to the thread that is inside it. */
	netfront_set_rx_nonblocking(nf, on_frame_flags, NULL);
	deliver(2);
	deliver(3);
	/* The backend raises none (rsp_event is behind): an event as any other would come. */
	sim_evtchn_raise(shim_current(), guest_port());
	uk_sleep_ns(MS);
	assert_int_equal(got.n, 1);
	uk_sleep_ns(10 * MS); /* the callback returns; the thread takes the rest */
	assert_int_equal(got.n, 3);
	for (unsigned int i = 0; i < 3; i++)
		assert_int_equal(got.tag[i], i + 1);
	/* From now on, the event handler. */
	deliver(4);
	uk_sleep_ns(MS);
	assert_int_equal(got.n, 4);
	assert_int_equal(got.tag[3], 4);
	assert_null(got.thread[3]);
	assert_int_equal(stats_of(nf).rx_frames, 4);
	assert_int_equal(netfront_close(nf), 0);
}

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_nonblocking_callback_runs_in_the_event_handler_outside_any_thread),
		cmocka_unit_test(test_a_nonblocking_callback_may_send_without_waiting),
		cmocka_unit_test(test_a_plain_callback_still_runs_in_the_receive_thread),
		cmocka_unit_test(test_frames_stay_in_order_when_the_mode_changes_under_a_blocked_callback),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
