/*
 * TCP segmentation offload and sender SWS avoidance (RFC 1122 4.2.3.4,
 * net/tcp_out.c): a TSO segment is cut into MSS-sized segments by the link,
 * so its last part below an MSS is a small segment on the wire. While more
 * data waits behind the peer's window, that tail is held, as it is when
 * the same bytes go MSS by MSS without TSO. A tail loss probe of new data
 * is one MSS with TSO as without. The peer is tests/support/tcp_helper.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "net/tcp_private.h"
#include "runtime/include/uk/boot.h"
#include "runtime/include/uk/sched.h"
#include "tests/support/tcp_helper.h"

const char uk_app_name[] = "tcp_tso_sws_test";

#define MSS 1460

static uint8_t bulk[20 * MSS];

/* TSO segments the stack hands the link (th_tso_on). */
static struct th_tso tso;

static void test_a_window_limited_tso_segment_leaves_no_small_tail(void **state)
{
	struct th_conn c;
	struct net_socket *s = th_open_passive_sack(th_listener(), 13001, false, &c);
	const struct tcp_pcb *pcb = s->stream.pcb;

	assert_int_equal(net_setsockopt(s, NET_OPT_SNDBUF, 64 * 1024), 0);
	th_tso_on(&tso);
	/* The peer's window closes to 2.5 MSS; twenty MSS wait to go. */
	c.peer_wnd = 2 * MSS + MSS / 2;
	th_conn_ack(&c);
	th_reset();
	assert_int_equal(net_send(s, bulk, sizeof(bulk), th_now()), sizeof(bulk));
	/* Two full MSS in one TSO segment; the 730-byte rest waits for the window. */
	assert_int_equal(tso.n, 1);
	assert_int_equal(tso.last_len, 2 * MSS);
	assert_int_equal(th_data_count(), 0);
	assert_int_equal(pcb->snd_nxt - pcb->snd_una, 2 * MSS);
	th_tso_off();
	net_abort(s);
}

static void test_without_tso_the_same_window_sends_two_full_segments(void **state)
{
	struct th_conn c;
	struct net_socket *s = th_open_passive_sack(th_listener(), 13002, false, &c);

	assert_int_equal(net_setsockopt(s, NET_OPT_SNDBUF, 64 * 1024), 0);
	c.peer_wnd = 2 * MSS + MSS / 2;
	th_conn_ack(&c);
	th_reset();
	assert_int_equal(net_send(s, bulk, sizeof(bulk), th_now()), sizeof(bulk));
	assert_int_equal(th_data_count(), 2);
	assert_int_equal(th_get(0)->len, MSS);
	assert_int_equal(th_last()->len, MSS);
	net_abort(s);
}

/*
 * RFC 8985 7.3: a tail loss probe sends one new segment past cwnd. With
 * TSO it is still one MSS, not a TSO segment of all the window allows.
 */
static void test_a_tail_loss_probe_of_new_data_is_one_mss_with_tso(void **state)
{
	struct th_conn c;
	struct net_socket *s = th_open_passive_sack(th_listener(), 13003, false, &c);
	const struct tcp_pcb *pcb = s->stream.pcb;
	uint32_t flight;

	assert_int_equal(net_setsockopt(s, NET_OPT_NODELAY, 1), 0);
	assert_int_equal(net_setsockopt(s, NET_OPT_SNDBUF, 64 * 1024), 0);
	/* A first round trip of 10 ms: the probe timeout is 2 SRTT + 2 ms. */
	assert_int_equal(net_send(s, bulk, MSS, th_now()), MSS);
	th_sleep(10 * TH_MS);
	c.our_nxt += MSS;
	c.peer_wnd = 65535;
	th_conn_ack(&c);
	th_tso_on(&tso);
	th_reset();
	assert_int_equal(net_send(s, bulk, sizeof(bulk), th_now()), sizeof(bulk));
	flight = pcb->snd_nxt - pcb->snd_una;
	assert_true(flight <= pcb->cwnd);
	assert_true(flight + 2 * MSS <= sizeof(bulk)); /* cwnd holds the rest back */
	assert_int_equal(tso.n, 1);
	/* No ACK comes: the probe goes, one new MSS as an ordinary segment. */
	th_sleep(30 * TH_MS);
	assert_int_equal(pcb->snd_nxt - pcb->snd_una, flight + MSS);
	assert_int_equal(tso.n, 1);
	assert_int_equal(th_data_count(), 1);
	assert_int_equal(th_last()->len, MSS);
	net_abort(s);
}

/* Every test starts on a link without TSO (a failed one may have left it on). */
static int tso_test_setup(void **state)
{
	int rc = th_test_setup(state);

	th_tso_off();
	memset(&tso, 0, sizeof(tso));
	return rc;
}

#define T(f) cmocka_unit_test_setup_teardown(f, tso_test_setup, th_test_teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_a_window_limited_tso_segment_leaves_no_small_tail),
		T(test_without_tso_the_same_window_sends_two_full_segments),
		T(test_a_tail_loss_probe_of_new_data_is_one_mss_with_tso),
	};

	return cmocka_run_group_tests(tests, th_group_setup, th_group_teardown);
}
