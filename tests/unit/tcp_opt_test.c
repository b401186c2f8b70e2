/*
 * TCP options (RFC 9293 3.2, RFC 7323, RFC 6691): parsing, and what the
 * options change on the wire: segment sizes from the MSS, windows scaled
 * both ways, timestamps echoed, PAWS.
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

const char uk_app_name[] = "tcp_opt_test";

static uint8_t bulk[16 * 1460];

/* --- parsing (tcp_opt.c) --- */

static void test_parse_reads_mss_ws_sack_ok_and_timestamps_on_a_syn(void **state)
{
	static const uint8_t o[] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 1, 1,
				     8, 10, 0, 0, 0, 1, 0, 0, 0, 2 };
	struct tcp_opts p;

	assert_int_equal(tcp_opt_parse(o, sizeof(o), true, &p), 0);
	assert_true(p.has_mss && p.has_ws && p.sack_ok && p.has_ts);
	assert_int_equal(p.mss, 1460);
	assert_int_equal(p.ws, 7);
	assert_int_equal(p.tsval, 1);
	assert_int_equal(p.tsecr, 2);
}

static void test_parse_ignores_mss_and_ws_without_syn(void **state)
{
	static const uint8_t o[] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 7 };
	struct tcp_opts p;

	assert_int_equal(tcp_opt_parse(o, sizeof(o), false, &p), 0);
	assert_false(p.has_mss || p.has_ws);
}

static void test_parse_caps_the_window_shift_at_14(void **state)
{
	static const uint8_t o[] = { 3, 3, 15, 0 };
	struct tcp_opts p;

	assert_int_equal(tcp_opt_parse(o, sizeof(o), true, &p), 0);
	assert_int_equal(p.ws, 14);
}

static void test_parse_skips_unknown_kinds_and_stops_at_end(void **state)
{
	static const uint8_t o[] = { 30, 4, 9, 9, 0, 2, 4, 0, 1 };
	struct tcp_opts p;

	assert_int_equal(tcp_opt_parse(o, sizeof(o), true, &p), 0);
	assert_false(p.has_mss); /* after the end-of-list */
}

static void test_parse_rejects_lengths_below_2_or_past_the_header(void **state)
{
	static const uint8_t zero[] = { 30, 0, 0, 0 }, past[] = { 2, 8, 0, 0 }, lone[] = { 1, 1, 1, 2 };
	struct tcp_opts p;

	assert_int_equal(tcp_opt_parse(zero, sizeof(zero), true, &p), -EINVAL);
	assert_int_equal(tcp_opt_parse(past, sizeof(past), true, &p), -EINVAL);
	assert_int_equal(tcp_opt_parse(lone, sizeof(lone), true, &p), -EINVAL);
}

static void test_write_then_parse_round_trips(void **state)
{
	struct tcp_opts w = { .has_mss = true, .mss = 9000, .has_ws = true, .ws = 3,
			      .has_ts = true, .tsval = 0xdeadbeef, .tsecr = 42 }, r;
	uint8_t buf[TCP_MAX_OPTLEN];
	size_t n = tcp_opt_write(buf, &w);

	assert_int_equal(n % 4, 0);
	assert_int_equal(tcp_opt_parse(buf, n, true, &r), 0);
	assert_int_equal(r.mss, 9000);
	assert_int_equal(r.ws, 3);
	assert_int_equal(r.tsval, 0xdeadbeef);
	assert_int_equal(r.tsecr, 42);
}

static void test_syn_with_malformed_options_is_dropped_unanswered(void **state)
{
	uint8_t t[24] = { 0x0f, 0xa0, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 6 << 4, TH_SYN, 0x10, 0,
			  0, 0, 0, 0, 2, 9, 0, 0 };
	struct tcp_stats before, after;
	uint32_t sum = 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 6 + sizeof(t);

	for (size_t i = 0; i < sizeof(t); i += 2)
		sum += (uint32_t)(t[i] << 8 | t[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	t[16] = (uint8_t)(~sum >> 8);
	t[17] = (uint8_t)~sum;
	tcp_stats_get(&before);
	th_feed_raw(t, sizeof(t));
	tcp_stats_get(&after);
	assert_int_equal(th_count(), 0);
	assert_int_equal(after.bad_header, before.bad_header + 1);
}

/* --- on the wire --- */

static struct net_socket *passive_with(uint16_t peer_port, struct th_seg syn,
				       struct th_conn *c)
{
	const struct th_seg *sa;
	struct net_socket *s = NULL;

	syn.sport = peer_port;
	syn.dport = 80;
	syn.seq = 500;
	syn.flags = TH_SYN;
	th_reset();
	th_feed(&syn);
	sa = th_last();
	*c = (struct th_conn){ .our_port = 80, .peer_port = peer_port, .peer_nxt = 501,
			       .our_nxt = sa->seq + 1, .peer_wnd = syn.wnd, .ts = syn.has_ts,
			       .peer_ts = syn.tsval + 1, .our_ts = sa->tsval };
	th_conn_ack(c);
	assert_int_equal(net_accept(th_listener(), &s, th_now()), 0);
	assert_int_equal(net_setsockopt(s, NET_OPT_NODELAY, 1), 0);
	th_reset();
	return s;
}

static void test_segments_are_as_large_as_the_peers_mss(void **state)
{
	struct th_seg syn = { .wnd = 65535, .has_mss = true, .mss = 536 };
	struct th_conn c;
	struct net_socket *s = passive_with(8001, syn, &c);

	assert_int_equal(net_send(s, bulk, 1000, th_now()), 1000);
	assert_int_equal(th_count(), 2);
	assert_int_equal(th_get(0)->len, 536);
	assert_int_equal(th_get(1)->len, 464);
	net_abort(s);
}

static void test_without_an_mss_option_segments_hold_536_bytes(void **state)
{
	struct th_seg syn = { .wnd = 65535 };
	struct th_conn c;
	struct net_socket *s = passive_with(8002, syn, &c);

	assert_int_equal(net_send(s, bulk, 600, th_now()), 600);
	assert_int_equal(th_get(0)->len, 536);
	net_abort(s);
}

static void test_timestamps_take_12_bytes_of_each_segment(void **state)
{
	struct th_seg syn = { .wnd = 65535, .has_mss = true, .mss = 1460, .has_ts = true,
			      .tsval = 77 };
	struct th_conn c;
	struct net_socket *s = passive_with(8003, syn, &c);

	assert_int_equal(net_send(s, bulk, 3000, th_now()), 3000);
	assert_int_equal(th_get(0)->len, 1448);
	assert_true(th_get(0)->has_ts);
	net_abort(s);
}

static void test_the_peers_window_is_scaled_by_its_shift(void **state)
{
	struct th_seg syn = { .wnd = 65535, .has_mss = true, .mss = 1460, .has_ws = true,
			      .ws = 4 };
	struct th_conn c;
	struct net_socket *s = passive_with(8004, syn, &c);
	unsigned int bytes = 0;

	c.peer_wnd = 365; /* 365 << 4 = 5840 bytes, four segments */
	th_conn_ack(&c);
	assert_int_equal(net_send(s, bulk, 8000, th_now()), 8000);
	for (unsigned int i = 0; i < th_count(); i++)
		bytes += (unsigned int)th_get(i)->len;
	assert_int_equal(bytes, 5840);
	net_abort(s);
}

static void test_our_window_is_scaled_after_the_syn_and_not_in_it(void **state)
{
	struct th_seg syn = { .wnd = 65535, .has_mss = true, .mss = 1460, .has_ws = true,
			      .ws = 0 };
	struct th_conn c;
	struct net_socket *s;
	const struct th_seg *sa;

	th_reset();
	syn.sport = 8005;
	syn.dport = 80;
	syn.seq = 1;
	syn.flags = TH_SYN;
	th_feed(&syn);
	sa = th_last();
	assert_true(sa->has_ws);
	assert_int_equal(sa->ws, 7);    /* 6 MiB, auto-tuning's limit, needs a shift of 7 */
	assert_int_equal(sa->wnd, 65535); /* a SYN's window is not scaled */
	syn.flags = TH_RST;
	syn.seq = 2;
	th_feed(&syn); /* that one ends here */
	s = passive_with(8006, syn, &c);
	th_conn_send(&c, "data", 4);
	th_sleep(TH_S);
	assert_int_equal(th_last()->wnd, (128 * 1024 - 4 + 127) >> 7); /* 128 KiB first, rounded up */
	net_abort(s);
}

static void test_without_window_scale_our_window_stays_below_64_kib(void **state)
{
	struct th_seg syn = { .wnd = 65535, .has_mss = true, .mss = 1460 };
	struct th_conn c;
	struct net_socket *s = passive_with(8007, syn, &c);

	th_conn_send(&c, "data", 4);
	th_sleep(TH_S);
	assert_false(th_last()->has_ws);
	/* 65535 was offered; 4 bytes came: the right edge stays (SWS avoidance). */
	assert_int_equal(th_last()->wnd, 65535 - 4);
	net_abort(s);
}

static void test_timestamps_echo_the_peers_latest_tsval(void **state)
{
	struct th_seg syn = { .wnd = 65535, .has_mss = true, .mss = 1460, .has_ts = true,
			      .tsval = 100 };
	struct th_conn c;
	struct net_socket *s = passive_with(8008, syn, &c);

	c.peer_ts = 250;
	th_conn_send(&c, "x", 1);
	th_sleep(TH_S);
	assert_true(th_last()->has_ts);
	assert_int_equal(th_last()->tsecr, 250);
	net_abort(s);
}

static void test_paws_drops_a_segment_with_an_older_timestamp(void **state)
{
	struct th_seg syn = { .wnd = 65535, .has_mss = true, .mss = 1460, .has_ts = true,
			      .tsval = 1000 };
	struct th_conn c;
	struct net_socket *s = passive_with(8009, syn, &c);
	struct tcp_stats before, after;
	char buf[8];

	tcp_stats_get(&before);
	c.peer_ts = 999; /* older than the 1001 the ACK carried */
	th_conn_send(&c, "old", 3);
	tcp_stats_get(&after);
	assert_int_equal(after.paws_dropped, before.paws_dropped + 1);
	assert_int_equal(th_last()->ack, 501); /* the data was not taken */
	assert_int_equal(net_recv(s, buf, sizeof(buf), th_now()), -ETIMEDOUT);
	net_abort(s);
}

/* --- path MTU (RFC 1191) --- */

static void test_segments_go_with_dont_fragment(void **state)
{
	struct th_seg syn = { .wnd = 65535, .has_mss = true, .mss = 1460 };
	struct th_conn c;
	struct net_socket *s = passive_with(8010, syn, &c);

	assert_int_equal(net_send(s, bulk, 100, th_now()), 100);
	assert_true(th_get(0)->df);
	net_abort(s);
}

static void test_fragmentation_needed_lowers_the_mss_and_resends_smaller(void **state)
{
	struct th_seg syn = { .wnd = 65535, .has_mss = true, .mss = 1460 };
	struct th_conn c;
	struct net_socket *s = passive_with(8011, syn, &c);
	struct th_seg first;

	assert_int_equal(net_send(s, bulk, 2920, th_now()), 2920);
	assert_int_equal(th_count(), 2);
	first = *th_get(0);
	th_reset();
	th_feed_icmp_unreach(4, 1000, &first);
	/* Everything in flight again, in segments of 1000 - 40 bytes. */
	assert_int_equal(th_count(), 4);
	assert_int_equal(th_get(0)->seq, first.seq);
	assert_int_equal(th_get(0)->len, 960);
	assert_int_equal(th_get(3)->len, 2920 - 3 * 960);
	net_abort(s);
}

static void test_fragmentation_needed_quoting_a_sequence_not_in_flight_is_ignored(void **state)
{
	struct th_seg syn = { .wnd = 65535, .has_mss = true, .mss = 1460 };
	struct th_conn c;
	struct net_socket *s = passive_with(8012, syn, &c);
	struct th_seg forged;

	assert_int_equal(net_send(s, bulk, 1460, th_now()), 1460);
	forged = *th_get(0);
	forged.seq += 100000; /* a blind attacker's guess */
	th_reset();
	th_feed_icmp_unreach(4, 600, &forged);
	assert_int_equal(th_count(), 0);
	assert_int_equal(s->stream.pcb->mss, 1460);
	net_abort(s);
}

#define T(f) TH_TEST(f)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_parse_reads_mss_ws_sack_ok_and_timestamps_on_a_syn),
		T(test_parse_ignores_mss_and_ws_without_syn),
		T(test_parse_caps_the_window_shift_at_14),
		T(test_parse_skips_unknown_kinds_and_stops_at_end),
		T(test_parse_rejects_lengths_below_2_or_past_the_header),
		T(test_write_then_parse_round_trips),
		T(test_syn_with_malformed_options_is_dropped_unanswered),
		T(test_segments_are_as_large_as_the_peers_mss),
		T(test_without_an_mss_option_segments_hold_536_bytes),
		T(test_timestamps_take_12_bytes_of_each_segment),
		T(test_the_peers_window_is_scaled_by_its_shift),
		T(test_our_window_is_scaled_after_the_syn_and_not_in_it),
		T(test_without_window_scale_our_window_stays_below_64_kib),
		T(test_timestamps_echo_the_peers_latest_tsval),
		T(test_paws_drops_a_segment_with_an_older_timestamp),
		T(test_segments_go_with_dont_fragment),
		T(test_fragmentation_needed_lowers_the_mss_and_resends_smaller),
		T(test_fragmentation_needed_quoting_a_sequence_not_in_flight_is_ignored),
	};

	return cmocka_run_group_tests(tests, th_group_setup, th_group_teardown);
}
