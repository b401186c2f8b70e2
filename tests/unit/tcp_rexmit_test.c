/*
 * Retransmission (RFC 6298, RFC 9293 3.8): the RTO and its backoff, Karn's
 * rule, SYN, SYN-ACK and FIN retransmission, zero-window probes, and giving
 * up with -ETIMEDOUT, each checked at exact guest times under the virtual
 * clock. The peer is tests/support/tcp_helper.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "net/include/net/socket.h"
#include "net/include/net/tcp.h"
#include "runtime/include/uk/boot.h"
#include "runtime/include/uk/sched.h"
#include "tests/support/tcp_helper.h"

const char uk_app_name[] = "tcp_rexmit_test";

static struct net_socket *listener;

static struct net_socket *accepted(uint16_t peer_port, struct th_conn *c)
{
	return th_open_passive(listener, 80, peer_port, 1000, false, c);
}

/* Waits until the guest sent n segments in all (or asserts after limit). */
static void wait_for_segments(unsigned int n, uint64_t limit)
{
	uint64_t end = th_now() + limit;

	while (th_count() < n && th_now() < end)
		th_sleep(TH_MS);
	assert_true(th_count() >= n);
}

struct connector {
	struct net_socket *s;
	int rc;
};

static int connect_thread(void *arg)
{
	struct connector *k = arg;

	k->rc = net_connect(k->s, TH_PEER_IP, 9, 0);
	return 0;
}

static void test_syn_is_sent_at_0_1_3_7_15_31_63_s_and_connect_times_out_at_123(void **state)
{
	static const uint64_t at[] = { 0, 1, 3, 7, 15, 31, 63 };
	struct connector k = { .rc = 1 };
	struct uk_thread *t;
	uint64_t t0 = th_now();

	assert_int_equal(net_socket(NET_SOCK_STREAM, &k.s), 0);
	t = uk_thread_create("connect", connect_thread, &k);
	uk_thread_join(t);
	assert_int_equal(k.rc, -ETIMEDOUT);
	assert_int_equal(th_now() - t0, 123 * TH_S); /* the last backoff is capped at 60 s */
	assert_int_equal(th_count(), 7);
	for (unsigned int i = 0; i < 7; i++) {
		assert_int_equal(th_get(i)->flags, TH_SYN);
		assert_int_equal(th_get(i)->seq, th_get(0)->seq);
		assert_int_equal(th_get(i)->time_ns - t0, at[i] * TH_S);
	}
	net_close(k.s);
}

static void test_syn_ack_is_resent_with_backoff_then_the_half_open_one_dropped(void **state)
{
	static const uint64_t at[] = { 0, 1, 3, 7, 15, 31 };
	struct th_seg syn = { .sport = 5001, .dport = 80, .seq = 1, .flags = TH_SYN, .wnd = 999 };
	uint64_t t0 = th_now();

	th_feed(&syn);
	th_sleep(63 * TH_S - 1);
	assert_int_equal(tcp_pcb_count(), 2);
	th_sleep(1);
	assert_int_equal(tcp_pcb_count(), 1);
	assert_int_equal(th_count(), 6);
	for (unsigned int i = 0; i < 6; i++) {
		assert_int_equal(th_get(i)->flags, TH_SYN | TH_ACK);
		assert_int_equal(th_get(i)->time_ns - t0, at[i] * TH_S);
	}
}

static void test_peer_syn_again_gets_the_syn_ack_again(void **state)
{
	struct th_seg syn = { .sport = 5002, .dport = 80, .seq = 1, .flags = TH_SYN, .wnd = 999 };

	th_feed(&syn);
	th_feed(&syn);
	assert_int_equal(th_count(), 2);
	assert_int_equal(th_get(1)->flags, TH_SYN | TH_ACK);
	assert_int_equal(th_get(1)->seq, th_get(0)->seq);
	syn.flags = TH_RST;
	syn.seq = 2;
	th_feed(&syn); /* a RST at rcv_nxt ends the half-open connection */
	assert_int_equal(tcp_pcb_count(), 1);
}

static void test_lost_data_is_resent_after_1_s_then_2_then_4(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(5003, &c);
	uint64_t t0 = th_now();

	assert_int_equal(net_send(s, "hello", 5, 0), 5);
	th_sleep(7 * TH_S);
	assert_int_equal(th_count(), 4);
	for (unsigned int i = 0; i < 4; i++) {
		assert_int_equal(th_get(i)->seq, c.our_nxt);
		assert_int_equal(th_get(i)->len, 5);
		assert_memory_equal(th_get(i)->data, "hello", 5);
	}
	assert_int_equal(th_get(1)->time_ns - t0, 1 * TH_S);
	assert_int_equal(th_get(2)->time_ns - t0, 3 * TH_S);
	assert_int_equal(th_get(3)->time_ns - t0, 7 * TH_S);
	net_abort(s);
}

static void test_an_rtt_sample_of_100_ms_makes_the_rto_300_ms(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(5004, &c);
	uint64_t t1;

	assert_int_equal(net_send(s, "a", 1, 0), 1);
	th_sleep(100 * TH_MS);
	c.our_nxt += 1;
	th_conn_ack(&c); /* R = 100 ms: SRTT 100, RTTVAR 50, RTO 100 + 4 * 50 */
	th_reset();
	assert_int_equal(net_send(s, "b", 1, 0), 1);
	t1 = th_now();
	wait_for_segments(2, TH_S);
	assert_int_equal(th_get(1)->time_ns - t1, 300 * TH_MS);
	net_abort(s);
}

static void test_karn_no_sample_from_an_ack_of_a_retransmitted_segment(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(5005, &c);
	uint64_t t1;

	assert_int_equal(net_send(s, "a", 1, 0), 1);
	wait_for_segments(2, 2 * TH_S); /* resent at 1 s */
	th_sleep(10 * TH_MS);
	c.our_nxt += 1;
	th_conn_ack(&c); /* ambiguous: no sample, the RTO stays 1 s (backoff cleared) */
	th_reset();
	assert_int_equal(net_send(s, "b", 1, 0), 1);
	t1 = th_now();
	wait_for_segments(2, 2 * TH_S);
	assert_int_equal(th_get(1)->time_ns - t1, TH_S);
	net_abort(s);
}

static void test_unanswered_data_gives_up_with_etimedout_and_a_rst(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(5006, &c);
	char buf[4];
	unsigned int data = 0;

	assert_int_equal(net_send(s, "lost", 4, 0), 4);
	assert_int_equal(net_recv(s, buf, sizeof(buf), 0), -ETIMEDOUT);
	for (unsigned int i = 0; i < th_count(); i++)
		data += th_get(i)->len == 4;
	assert_int_equal(data, 1 + 12); /* the first send and 12 retransmissions */
	th_sleep(TH_MS); /* the peer's ARP entry expired long ago: the RST waits for ARP */
	assert_int_equal(th_last()->flags & TH_RST, TH_RST);
	assert_int_equal(net_recv(s, buf, sizeof(buf), 0), 0);
	net_close(s);
}

static void test_fin_is_retransmitted_until_acked(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(5007, &c);
	uint64_t t0 = th_now();

	assert_int_equal(net_shutdown(s), 0);
	th_sleep(3 * TH_S);
	assert_int_equal(th_count(), 3);
	for (unsigned int i = 0; i < 3; i++) {
		assert_int_equal(th_get(i)->flags, TH_FIN | TH_ACK);
		assert_int_equal(th_get(i)->seq, c.our_nxt);
	}
	assert_int_equal(th_get(2)->time_ns - t0, 3 * TH_S);
	c.our_nxt++;
	th_conn_ack(&c);
	th_reset();
	th_sleep(10 * TH_S);
	assert_int_equal(th_count(), 0);
	net_abort(s);
}

static void test_zero_window_is_probed_with_backoff_until_it_opens(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(5008, &c);
	uint64_t t0;

	c.peer_wnd = 0;
	th_conn_ack(&c);
	assert_int_equal(net_send(s, "wait", 4, 0), 4);
	assert_int_equal(th_count(), 0); /* nothing fits a zero window */
	t0 = th_now();
	wait_for_segments(1, 2 * TH_S);
	assert_int_equal(th_get(0)->time_ns - t0, TH_S);
	assert_int_equal(th_get(0)->seq, c.our_nxt - 1); /* a probe the peer must answer */
	assert_int_equal(th_get(0)->len, 0);
	th_conn_ack(&c); /* still zero: the next probe comes 2 s later */
	wait_for_segments(2, 3 * TH_S);
	assert_int_equal(th_get(1)->time_ns - t0, 3 * TH_S);
	/* Answered probes never end the connection. */
	for (unsigned int i = 0; i < 20; i++) {
		unsigned int n = th_count();

		wait_for_segments(n + 1, 61 * TH_S);
		th_conn_ack(&c);
	}
	th_reset();
	c.peer_wnd = 1000;
	th_conn_ack(&c); /* the window opens: the data goes at once */
	assert_int_equal(th_count(), 1);
	assert_int_equal(th_get(0)->len, 4);
	assert_memory_equal(th_get(0)->data, "wait", 4);
	net_abort(s);
}

static void test_send_to_a_peer_that_stops_reading_blocks_until_the_deadline(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(5009, &c);
	static uint8_t chunk[4096];
	uint64_t deadline;
	int rc, total = 0;

	assert_int_equal(net_setsockopt(s, NET_OPT_SNDBUF, 8192), 0);
	c.peer_wnd = 0;
	th_conn_ack(&c);
	while ((rc = net_send(s, chunk, sizeof(chunk), th_now())) > 0)
		total += rc;
	assert_int_equal(total, 8192);
	deadline = th_now() + 5 * TH_S;
	assert_int_equal(net_send(s, chunk, sizeof(chunk), deadline), -ETIMEDOUT);
	assert_int_equal(th_now(), deadline);
	net_abort(s);
}

static void test_after_a_lost_syn_the_first_data_waits_3_s_to_be_resent(void **state)
{
	struct connector k = { .rc = 1 };
	struct uk_thread *t;
	struct th_seg sa = { .sport = 9, .flags = TH_SYN | TH_ACK, .seq = 100, .wnd = 65535,
			     .has_mss = true, .mss = 1460 };
	uint64_t t1;

	assert_int_equal(net_socket(NET_SOCK_STREAM, &k.s), 0);
	t = uk_thread_create("connect", connect_thread, &k);
	wait_for_segments(2, 2 * TH_S); /* the SYN was lost: sent again at 1 s */
	sa.dport = th_get(1)->sport;
	sa.ack = th_get(1)->seq + 1;
	th_feed(&sa);
	uk_thread_join(t);
	assert_int_equal(k.rc, 0);
	th_reset();
	assert_int_equal(net_send(k.s, "data", 4, 0), 4);
	t1 = th_now();
	wait_for_segments(2, 4 * TH_S);
	assert_int_equal(th_get(1)->time_ns - t1, 3 * TH_S); /* RFC 6298 5.7 */
	net_abort(k.s);
}

/*
 * The peer ACKs "a" after 100 ms echoing skew_ms off the timestamp "a"
 * carried. An echo from our future or older than the 60 s RTO_MAX is no
 * round trip (Linux's tcp_ack_update_rtt drops it): the RTO stays the
 * 200 ms minimum the handshake's sample gave, where a ~49-day or 60 s
 * sample would have made it 60 s.
 */
static void check_a_bad_echo_gives_no_rtt_sample(uint16_t peer_port, int32_t skew_ms)
{
	struct th_conn c;
	struct net_socket *s = th_open_passive(listener, 80, peer_port, 1000, true, &c);
	uint64_t t1;

	assert_true(c.ts);
	assert_int_equal(net_send(s, "a", 1, 0), 1);
	th_sleep(100 * TH_MS);
	c.our_nxt += 1;
	c.our_ts = th_last()->tsval + (uint32_t)skew_ms;
	th_conn_ack(&c);
	th_reset();
	assert_int_equal(net_send(s, "b", 1, 0), 1);
	t1 = th_now();
	wait_for_segments(2, 2 * TH_S);
	assert_int_equal(th_get(1)->time_ns - t1, 200 * TH_MS);
	net_abort(s);
}

static void test_an_echoed_timestamp_from_the_future_gives_no_rtt_sample(void **state)
{
	check_a_bad_echo_gives_no_rtt_sample(5020, 1000);
}

static void test_an_echoed_timestamp_older_than_rto_max_gives_no_rtt_sample(void **state)
{
	check_a_bad_echo_gives_no_rtt_sample(5021, -61000);
}

static int group_setup(void **state)
{
	return th_group_listen(&listener);
}

#define T(f) cmocka_unit_test_setup_teardown(f, th_test_setup, th_test_teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_syn_is_sent_at_0_1_3_7_15_31_63_s_and_connect_times_out_at_123),
		T(test_syn_ack_is_resent_with_backoff_then_the_half_open_one_dropped),
		T(test_peer_syn_again_gets_the_syn_ack_again),
		T(test_lost_data_is_resent_after_1_s_then_2_then_4),
		T(test_an_rtt_sample_of_100_ms_makes_the_rto_300_ms),
		T(test_karn_no_sample_from_an_ack_of_a_retransmitted_segment),
		T(test_unanswered_data_gives_up_with_etimedout_and_a_rst),
		T(test_fin_is_retransmitted_until_acked),
		T(test_zero_window_is_probed_with_backoff_until_it_opens),
		T(test_send_to_a_peer_that_stops_reading_blocks_until_the_deadline),
		T(test_after_a_lost_syn_the_first_data_waits_3_s_to_be_resent),
		T(test_an_echoed_timestamp_from_the_future_gives_no_rtt_sample),
		T(test_an_echoed_timestamp_older_than_rto_max_gives_no_rtt_sample),
	};

	return cmocka_run_group_tests(tests, group_setup, th_group_teardown);
}
