/*
 * Congestion control (RFC 5681, RFC 6582 NewReno, RFC 6928's initial
 * window) seen from the wire: how many segments the guest sends after each
 * ACK the peer (tests/support/tcp_helper.c) gives it.
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

const char uk_app_name[] = "tcp_cc_test";

#define MSS 1460

static struct net_socket *listener;
static uint8_t bulk[64 * MSS];

/* A connection without options (MSS 1460, peer window 65535) with n bytes queued. */
static struct net_socket *loaded(uint16_t peer_port, struct th_conn *c, size_t n)
{
	struct net_socket *s = th_open_passive(listener, 80, peer_port, 1000, false, c);
	size_t done = 0;

	assert_int_equal(net_setsockopt(s, NET_OPT_NODELAY, 1), 0);
	while (done < n) {
		int rc = net_send(s, bulk + done, n - done, th_now());

		assert_true(rc > 0);
		done += (size_t)rc;
	}
	return s;
}

/* Segments with data sent since the last th_reset. */
static unsigned int data_segments(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < th_count(); i++)
		n += th_get(i)->len > 0;
	return n;
}

static const struct tcp_pcb *pcb_of(struct net_socket *s)
{
	return s->stream.pcb;
}

static void test_initial_window_is_ten_full_segments(void **state)
{
	struct th_conn c;
	struct net_socket *s = loaded(6001, &c, 20 * MSS);

	assert_int_equal(data_segments(), 10);
	for (unsigned int i = 0; i < 10; i++) {
		assert_int_equal(th_get(i)->len, MSS);
		assert_int_equal(th_get(i)->seq, c.our_nxt + i * MSS);
	}
	net_abort(s);
}

static void test_slow_start_sends_two_more_segments_per_segment_acked(void **state)
{
	struct th_conn c;
	struct net_socket *s = loaded(6002, &c, 40 * MSS);

	th_reset();
	th_conn_ack_to(&c, c.our_nxt + 2 * MSS); /* 2 acked: cwnd 12, 8 in flight */
	assert_int_equal(data_segments(), 4);
	assert_int_equal(pcb_of(s)->cwnd, 12 * MSS);
	net_abort(s);
}

static void test_congestion_avoidance_adds_one_segment_per_window_acked(void **state)
{
	struct th_conn c;
	struct net_socket *s = loaded(6003, &c, 60 * MSS);
	struct tcp_pcb *pcb = s->stream.pcb;

	pcb->ssthresh = 10 * MSS; /* as after a loss */
	th_conn_ack_to(&c, c.our_nxt + 5 * MSS);
	assert_int_equal(pcb->cwnd, 10 * MSS);
	th_conn_ack_to(&c, c.our_nxt + 10 * MSS);
	assert_int_equal(pcb->cwnd, 11 * MSS);
	net_abort(s);
}

static void test_third_duplicate_ack_retransmits_at_once_and_halves(void **state)
{
	struct th_conn c;
	struct net_socket *s = loaded(6004, &c, 10 * MSS);
	uint32_t una = c.our_nxt + MSS;

	th_conn_ack_to(&c, una); /* segment 2 is lost */
	th_reset();
	th_conn_ack_to(&c, una);
	th_conn_ack_to(&c, una);
	assert_int_equal(th_count(), 0);
	th_conn_ack_to(&c, una);
	assert_int_equal(th_count(), 1);
	assert_int_equal(th_get(0)->seq, una);
	assert_int_equal(th_get(0)->len, MSS);
	/* 9 segments were in flight: ssthresh 4.5 MSS, cwnd ssthresh + 3 MSS */
	assert_int_equal(pcb_of(s)->ssthresh, 9 * MSS / 2);
	assert_int_equal(pcb_of(s)->cwnd, 9 * MSS / 2 + 3 * MSS);
	net_abort(s);
}

static void test_newreno_partial_ack_retransmits_the_next_hole_then_full_ack_ends(void **state)
{
	struct th_conn c;
	struct net_socket *s = loaded(6005, &c, 10 * MSS);
	uint32_t base = c.our_nxt;
	const struct tcp_pcb *pcb = pcb_of(s);

	th_conn_ack_to(&c, base + MSS); /* segments 2 and 4 are lost */
	for (int i = 0; i < 3; i++)
		th_conn_ack_to(&c, base + MSS);
	assert_true(pcb->in_recovery);
	th_reset();
	th_conn_ack_to(&c, base + 3 * MSS); /* partial: 2 and 3 arrived, 4 did not */
	assert_true(th_count() >= 1);
	assert_int_equal(th_get(0)->seq, base + 3 * MSS);
	assert_true(pcb->in_recovery);
	th_conn_ack_to(&c, base + 10 * MSS); /* full ACK: recovery ends */
	assert_false(pcb->in_recovery);
	/* RFC 6582 3.2 (1): min(ssthresh, max(FlightSize, SMSS) + SMSS), nothing in flight */
	assert_true(pcb->ssthresh > 2 * MSS);
	assert_int_equal(pcb->cwnd, 2 * MSS);
	net_abort(s);
}

static void test_timeout_resends_one_segment_then_slow_starts_again(void **state)
{
	struct th_conn c;
	struct net_socket *s = loaded(6006, &c, 10 * MSS);
	uint32_t base = c.our_nxt;

	th_reset();
	th_sleep(TH_S); /* the RTO: everything is lost */
	assert_int_equal(data_segments(), 1);
	assert_int_equal(th_get(0)->seq, base);
	assert_int_equal(pcb_of(s)->cwnd, MSS);
	assert_int_equal(pcb_of(s)->ssthresh, 5 * MSS);
	th_reset();
	th_conn_ack_to(&c, base + MSS); /* cwnd 2: the next two go (go-back-N) */
	assert_int_equal(data_segments(), 2);
	assert_int_equal(th_get(0)->seq, base + MSS);
	assert_int_equal(th_get(1)->seq, base + 2 * MSS);
	net_abort(s);
}

static void test_after_an_idle_rto_cwnd_restarts_at_the_initial_window(void **state)
{
	struct th_conn c;
	struct net_socket *s = loaded(6007, &c, 10 * MSS);

	c.our_nxt += 10 * MSS;
	th_conn_ack(&c); /* slow start: cwnd 12 MSS (2 per ACK: one ACK here) */
	assert_true(pcb_of(s)->cwnd > 10 * MSS);
	th_sleep(2 * TH_S); /* idle for longer than the RTO */
	th_reset();
	assert_int_equal(net_send(s, bulk, 20 * MSS, th_now()), 20 * MSS);
	assert_int_equal(data_segments(), 10);
	net_abort(s);
}

static int group_setup(void **state)
{
	for (size_t i = 0; i < sizeof(bulk); i++)
		bulk[i] = (uint8_t)(i * 7);
	return th_group_listen(&listener);
}

#define T(f) cmocka_unit_test_setup_teardown(f, th_test_setup, th_test_teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_initial_window_is_ten_full_segments),
		T(test_slow_start_sends_two_more_segments_per_segment_acked),
		T(test_congestion_avoidance_adds_one_segment_per_window_acked),
		T(test_third_duplicate_ack_retransmits_at_once_and_halves),
		T(test_newreno_partial_ack_retransmits_the_next_hole_then_full_ack_ends),
		T(test_timeout_resends_one_segment_then_slow_starts_again),
		T(test_after_an_idle_rto_cwnd_restarts_at_the_initial_window),
	};

	return cmocka_run_group_tests(tests, group_setup, th_group_teardown);
}
