/*
 * RACK-TLP (RFC 8985, net/tcp_rack.c) on a SACK connection, at exact guest
 * times under the virtual clock: a lost retransmission is found from the
 * send times of segments delivered after it, long before the RTO; a tail
 * loss is repaired by a probe after two SRTTs and fast recovery, not by the
 * RTO; reordering within the reordering window is not retransmitted; and
 * a TSO segment is tracked as the MSS-sized segments the peer receives.
 * The peer is tests/support/tcp_helper.c; the path's round trip is 10 ms.
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

const char uk_app_name[] = "tcp_rack_test";

#define MSS 1460
#define RTT (10 * TH_MS)

static uint8_t bulk[32 * MSS];

/*
 * A SACK connection (no timestamps, no Nagle) whose first segment was
 * acknowledged one RTT after it left: SRTT and RACK's minimum RTT are 10 ms.
 */
static struct net_socket *rack_conn(uint16_t peer_port, struct th_conn *c)
{
	struct net_socket *s = th_open_passive_sack(th_listener(), peer_port, false, c);

	assert_int_equal(net_setsockopt(s, NET_OPT_NODELAY, 1), 0);
	assert_int_equal(net_setsockopt(s, NET_OPT_SNDBUF, 64 * 1024), 0);
	assert_int_equal(net_send(s, bulk, MSS, th_now()), MSS);
	th_sleep(RTT);
	c->our_nxt += MSS;
	th_conn_ack(c);
	assert_int_equal(s->stream.pcb->srtt_ns, RTT);
	th_reset();
	return s;
}

/* The data segments sent since th_reset that start at seq. */
static unsigned int sent_at(uint32_t seq, uint64_t *last_time)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < th_count(); i++)
		if (th_get(i)->len && th_get(i)->seq == seq) {
			n++;
			*last_time = th_get(i)->time_ns;
		}
	return n;
}

static void test_lost_retransmission_is_found_by_rack_long_before_the_rto(void **state)
{
	struct th_conn c;
	struct net_socket *s = rack_conn(12001, &c);
	const struct tcp_pcb *pcb = s->stream.pcb;
	static const uint32_t three[][2] = { { MSS, 4 * MSS } };
	static const uint32_t ten[][2] = { { MSS, 11 * MSS } };
	static const uint32_t more[][2] = { { 11 * MSS, 13 * MSS }, { MSS, 11 * MSS } };
	struct tcp_stats before, after;
	uint32_t base = c.our_nxt;
	uint64_t t0 = th_now(), when = 0;

	tcp_stats_get(&before);
	c.peer_wnd = 64000;
	/* 20 segments queued: cwnd's 11 (10 + 1 for the first ACK) go now, the rest wait. */
	assert_int_equal(net_send(s, bulk, 20 * MSS, th_now()), 20 * MSS);
	assert_int_equal(th_data_count(), 11);
	/* Segment 0 is lost; 1-3 arrive: three SACKed above it, it is lost. */
	th_sleep(RTT);
	th_conn_ack_sack(&c, base, base, three, 1);
	assert_int_equal(sent_at(base, &when), 2);
	assert_int_equal(when - t0, RTT);
	assert_true(pcb->in_recovery);
	/* 4-10 arrive; with only the resent segment in the pipe, new data goes. */
	th_sleep(2 * TH_MS);
	th_conn_ack_sack(&c, base, base, ten, 1);
	assert_true(th_data_count() >= 14);
	/*
	 * The resent segment is lost too. The new segments sent 2 ms after it
	 * are SACKed one RTT later: the resend is older than them by more than
	 * the reordering window (0: no reordering seen, in recovery), so RACK
	 * marks it lost and it goes again at once, not after the 200 ms RTO.
	 */
	th_sleep(RTT);
	th_conn_ack_sack(&c, base, base, more, 2);
	assert_int_equal(sent_at(base, &when), 3);
	assert_int_equal(when - t0, 2 * RTT + 2 * TH_MS);
	tcp_stats_get(&after);
	assert_int_equal(after.timeouts, before.timeouts);
	net_abort(s);
}

static void test_tail_loss_is_repaired_by_a_probe_and_fast_recovery(void **state)
{
	struct th_conn c;
	struct net_socket *s = rack_conn(12002, &c);
	const struct tcp_pcb *pcb = s->stream.pcb;
	static const uint32_t probe[][2] = { { 3 * MSS, 4 * MSS } };
	struct tcp_stats before, after;
	uint32_t base = c.our_nxt;
	uint64_t t1, when = 0;

	tcp_stats_get(&before);
	assert_int_equal(net_send(s, bulk, 4 * MSS, th_now()), 4 * MSS);
	/* Segments 0 and 1 arrive; 2 and 3, the tail, are lost: no SACK tells. */
	th_sleep(RTT);
	th_conn_ack_to(&c, base + 2 * MSS);
	t1 = th_now();
	assert_int_equal(pcb->srtt_ns, RTT);
	/* PTO = 2 SRTT + 2 ms after the last ACK: the last segment goes again as the probe. */
	th_sleep(2 * RTT + 2 * TH_MS - 1);
	assert_int_equal(th_data_count(), 4);
	th_sleep(1);
	assert_int_equal(th_data_count(), 5);
	assert_int_equal(sent_at(base + 3 * MSS, &when), 2);
	assert_int_equal(when - t1, 2 * RTT + 2 * TH_MS);
	assert_int_equal(th_last()->len, MSS);
	/*
	 * The probe is SACKed: segment 2, sent long before it, is lost (RACK),
	 * and fast recovery resends it at once.
	 */
	th_sleep(RTT);
	th_conn_ack_sack(&c, base + 2 * MSS, base, probe, 1);
	assert_int_equal(sent_at(base + 2 * MSS, &when), 2);
	assert_int_equal(when - t1, 2 * RTT + 2 * TH_MS + RTT);
	assert_true(pcb->in_recovery);
	th_sleep(RTT);
	c.our_nxt += 4 * MSS;
	th_conn_ack(&c);
	assert_false(pcb->in_recovery);
	tcp_stats_get(&after);
	assert_int_equal(after.timeouts, before.timeouts);
	assert_int_equal(after.retransmits - before.retransmits, 2); /* the probe and segment 2 */
	net_abort(s);
}

static void test_reordering_within_the_window_is_not_retransmitted(void **state)
{
	struct th_conn c;
	struct net_socket *s = rack_conn(12003, &c);
	const struct tcp_pcb *pcb = s->stream.pcb;
	static const uint32_t two[][2] = { { 2 * MSS, 4 * MSS } };
	static const uint32_t three[][2] = { { 5 * MSS, 8 * MSS } };
	struct tcp_stats before, after;
	uint32_t base = c.our_nxt;

	tcp_stats_get(&before);
	c.peer_wnd = 64000;
	assert_int_equal(net_send(s, bulk, 4 * MSS, th_now()), 4 * MSS);
	/*
	 * Segment 1 is late: 0 is acknowledged and 2-3 SACKed one RTT on.
	 * The window is a quarter of the minimum RTT, 2.5 ms; it arrives 1 ms
	 * later, within it, and nothing is resent.
	 */
	th_sleep(RTT);
	th_conn_ack_sack(&c, base + MSS, base, two, 1);
	th_sleep(TH_MS);
	th_conn_ack_to(&c, base + 4 * MSS);
	assert_true(pcb->rack_reordering_seen);
	/*
	 * The path reorders: now even three segments SACKed above a late one
	 * (DupThresh) wait for the window rather than resend it.
	 */
	assert_int_equal(net_send(s, bulk, 4 * MSS, th_now()), 4 * MSS);
	th_sleep(RTT);
	th_conn_ack_sack(&c, base + 4 * MSS, base, three, 1);
	th_sleep(2 * TH_MS);
	th_conn_ack_to(&c, base + 8 * MSS);
	th_sleep(TH_S);
	assert_int_equal(th_data_count(), 8);
	assert_false(pcb->in_recovery);
	tcp_stats_get(&after);
	assert_int_equal(after.retransmits, before.retransmits);
	net_abort(s);
}

static void test_late_segment_is_resent_when_the_reordering_window_ends(void **state)
{
	struct th_conn c;
	struct net_socket *s = rack_conn(12004, &c);
	static const uint32_t two[][2] = { { 2 * MSS, 4 * MSS } };
	uint32_t base = c.our_nxt;
	uint64_t t0 = th_now(), when = 0;

	c.peer_wnd = 64000;
	assert_int_equal(net_send(s, bulk, 4 * MSS, th_now()), 4 * MSS);
	/* Segment 1 is lost; 2 and 3 (two, below DupThresh) are SACKed one RTT on. */
	th_sleep(RTT);
	th_conn_ack_sack(&c, base + MSS, base, two, 1);
	assert_int_equal(th_data_count(), 4);
	/* The reordering timer: it is resent RTT + RTT / 4 after it was first sent. */
	th_sleep(RTT / 4);
	assert_int_equal(sent_at(base + MSS, &when), 2);
	assert_int_equal(when - t0, RTT + RTT / 4);
	net_abort(s);
}

/* TSO segments the stack hands the link (th_tso_on). */
static struct th_tso tso;

/*
 * A TSO segment reaches the peer as MSS-sized segments, and SACK and RACK
 * must see those: with all but the first MSS of a 10-MSS TSO segment SACKed,
 * only that MSS is in the pipe and only it is resent.
 */
static void test_a_partly_sacked_tso_segment_resends_only_its_hole(void **state)
{
	struct th_conn c;
	struct net_socket *s = rack_conn(12005, &c);
	const struct tcp_pcb *pcb = s->stream.pcb;
	static const uint32_t rest[][2] = { { MSS, 10 * MSS } };
	uint32_t base = c.our_nxt;
	uint64_t when = 0;

	th_tso_on(&tso);
	c.peer_wnd = 64000;
	assert_int_equal(net_send(s, bulk, 10 * MSS, th_now()), 10 * MSS);
	assert_int_equal(tso.n, 1);
	assert_int_equal(tso.first_seq, base);
	assert_int_equal(tso.first_len, 10 * MSS);
	th_sleep(RTT);
	th_conn_ack_sack(&c, base, base, rest, 1);
	assert_int_equal(sent_at(base, &when), 1);
	assert_int_equal(th_last()->len, MSS);
	assert_int_equal(tso.n, 1);
	assert_int_equal(tcp_rack_pipe(pcb), MSS);
	th_tso_off();
	net_abort(s);
}

#define T(f) TH_TEST(f)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_lost_retransmission_is_found_by_rack_long_before_the_rto),
		T(test_tail_loss_is_repaired_by_a_probe_and_fast_recovery),
		T(test_reordering_within_the_window_is_not_retransmitted),
		T(test_late_segment_is_resent_when_the_reordering_window_ends),
		T(test_a_partly_sacked_tso_segment_resends_only_its_hole),
	};

	for (size_t i = 0; i < sizeof(bulk); i++)
		bulk[i] = (uint8_t)i;
	return cmocka_run_group_tests(tests, th_group_setup, th_group_teardown);
}
