/*
 * The TCP state machine (RFC 9293 3.10.7), RFC 5961's protections and
 * sequence arithmetic at the 2^32 wrap, as lwIP's test_tcp_state.c: the test
 * plays the peer (tests/support/tcp_helper.c), injects segments and checks
 * exactly what the guest sends back.
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
#include "net/tcp_seq.h"
#include "runtime/include/uk/alloc.h"
#include "runtime/include/uk/boot.h"
#include "runtime/include/uk/sched.h"
#include "tests/support/tcp_helper.h"

const char uk_app_name[] = "tcp_state_test";

#define MSL (500 * TH_MS)

static struct net_socket *listener;

/* A connection accepted on port 80 from the peer's port, without options. */
static struct net_socket *accepted(uint16_t peer_port, uint32_t peer_iss, struct th_conn *c)
{
	return th_open_passive(listener, 80, peer_port, peer_iss, false, c);
}

static const struct th_seg *only_sent(void)
{
	assert_int_equal(th_count(), 1);
	return th_get(0);
}

static void assert_gone_after(uint64_t ns)
{
	th_sleep(ns);
	assert_int_equal(tcp_pcb_count(), 1); /* the listener */
}

/* --- sequence arithmetic --- */

static void test_sequence_comparisons_hold_across_the_wrap(void **state)
{
	assert_true(tcp_seq_lt(0xfffffff0u, 0x10u));
	assert_true(tcp_seq_gt(0x10u, 0xfffffff0u));
	assert_true(tcp_seq_le(5, 5) && tcp_seq_ge(5, 5));
	assert_true(tcp_seq_lt(0x10u, 0x8000000fu)); /* 2^31 - 1 ahead: after */
	assert_true(tcp_seq_gt(0x10u, 0x80000011u)); /* 2^31 + 1 ahead: before */
	assert_true(tcp_seq_in(0x2u, 0xfffffff0u, 0x20u));
	assert_false(tcp_seq_in(0x20u, 0xfffffff0u, 0x20u));
	assert_false(tcp_seq_in(0xffffffefu, 0xfffffff0u, 0x20u));
	assert_int_equal(tcp_seq_max(0xfffffffeu, 3), 3);
}

/* --- no connection (RFC 9293 3.10.7.1) --- */

static void test_syn_to_a_closed_port_is_answered_with_rst_ack(void **state)
{
	struct th_seg syn = { .sport = 4000, .dport = 81, .seq = 100, .flags = TH_SYN,
			      .wnd = 1000 };
	const struct th_seg *r;

	th_feed(&syn);
	r = only_sent();
	assert_int_equal(r->flags, TH_RST | TH_ACK);
	assert_int_equal(r->seq, 0);
	assert_int_equal(r->ack, 101);
	assert_int_equal(r->sport, 81);
	assert_int_equal(r->dport, 4000);
}

static void test_ack_to_a_closed_port_is_answered_with_rst_at_its_ack(void **state)
{
	struct th_seg ack = { .sport = 4000, .dport = 81, .seq = 5, .ack = 777,
			      .flags = TH_ACK, .wnd = 1000 };
	const struct th_seg *r;

	th_feed(&ack);
	r = only_sent();
	assert_int_equal(r->flags, TH_RST);
	assert_int_equal(r->seq, 777);
}

static void test_rst_to_a_closed_port_is_not_answered(void **state)
{
	struct th_seg rst = { .sport = 4000, .dport = 81, .seq = 5, .flags = TH_RST };

	th_feed(&rst);
	assert_int_equal(th_count(), 0);
}

static void test_segment_with_a_bad_checksum_is_dropped_and_counted(void **state)
{
	struct th_seg syn = { .sport = 4001, .dport = 80, .seq = 9, .flags = TH_SYN,
			      .wnd = 1000 };
	struct tcp_stats before, after;

	tcp_stats_get(&before);
	th_feed_bad_csum(&syn);
	tcp_stats_get(&after);
	assert_int_equal(th_count(), 0);
	assert_int_equal(after.bad_checksum, before.bad_checksum + 1);
}

/* --- opening --- */

static void test_passive_open_answers_syn_with_syn_ack_and_our_options(void **state)
{
	struct th_seg syn = { .sport = 4002, .dport = 80, .seq = 1000, .flags = TH_SYN,
			      .wnd = 65535, .has_mss = true, .mss = 1200, .has_ws = true,
			      .ws = 2, .has_ts = true, .tsval = 4242 };
	const struct th_seg *sa;
	struct net_socket *s;
	ip4_addr_t addr;
	uint16_t port;

	th_feed(&syn);
	sa = only_sent();
	assert_int_equal(sa->flags, TH_SYN | TH_ACK);
	assert_int_equal(sa->ack, 1001);
	assert_true(sa->has_mss);
	assert_int_equal(sa->mss, 1460);
	assert_true(sa->has_ws);
	assert_true(sa->has_ts);
	assert_int_equal(sa->tsecr, 4242);
	assert_false(sa->sack_ok);
	/* Not accepted until the handshake completes. */
	assert_int_equal(net_accept(listener, &s, th_now()), -ETIMEDOUT);
	syn = (struct th_seg){ .sport = 4002, .dport = 80, .seq = 1001, .ack = sa->seq + 1,
			       .flags = TH_ACK, .wnd = 100, .has_ts = true, .tsval = 4243,
			       .tsecr = sa->tsval };
	th_feed(&syn);
	assert_int_equal(net_accept(listener, &s, th_now()), 0);
	assert_int_equal(net_getpeername(s, &addr, &port), 0);
	assert_int_equal(addr, TH_PEER_IP);
	assert_int_equal(port, 4002);
	net_abort(s);
}

static void test_active_open_sends_syn_with_options_and_acks_the_syn_ack(void **state)
{
	struct th_conn c;
	struct net_socket *s = th_open_active(7, 50000, true, &c);
	ip4_addr_t addr;
	uint16_t port;

	/* th_open_active checked the SYN and the ACK; the socket is connected. */
	assert_int_equal(net_getsockname(s, &addr, &port), 0);
	assert_int_equal(addr, TH_OUR_IP);
	assert_true(port >= 49152);
	assert_true(c.ts);
	net_abort(s);
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

/* Starts a guest thread connecting to the peer's port 9; returns its SYN. */
static struct th_seg start_connect(struct connector *k, struct uk_thread **t)
{
	assert_int_equal(net_socket(NET_SOCK_STREAM, &k->s), 0);
	k->rc = 1;
	th_reset();
	*t = uk_thread_create("connect", connect_thread, k);
	uk_yield();
	assert_int_equal(th_count(), 1);
	assert_int_equal(th_get(0)->flags, TH_SYN);
	return *th_get(0);
}

static void test_rst_answering_our_syn_makes_connect_econnrefused(void **state)
{
	struct connector k;
	struct uk_thread *t;
	struct th_seg syn = start_connect(&k, &t);
	struct th_seg rst = { .sport = 9, .dport = syn.sport, .ack = syn.seq + 1,
			      .flags = TH_RST | TH_ACK };

	th_feed(&rst);
	uk_thread_join(t);
	assert_int_equal(k.rc, -ECONNREFUSED);
	net_close(k.s);
}

static void test_rst_with_a_wrong_ack_does_not_refuse_the_connect(void **state)
{
	struct connector k;
	struct uk_thread *t;
	struct th_seg syn = start_connect(&k, &t);
	struct th_seg rst = { .sport = 9, .dport = syn.sport, .ack = syn.seq + 100,
			      .flags = TH_RST | TH_ACK };

	th_feed(&rst);
	uk_yield();
	assert_int_equal(k.rc, 1); /* still connecting */
	net_close(k.s);            /* the blocked connect returns -EBADF */
	uk_thread_join(t);
	assert_int_equal(k.rc, -EBADF);
}

static void test_simultaneous_open_reaches_established(void **state)
{
	struct connector k;
	struct uk_thread *t;
	struct th_seg syn = start_connect(&k, &t);
	struct th_seg peer = { .sport = 9, .dport = syn.sport, .seq = 3000, .flags = TH_SYN,
			       .wnd = 8000, .has_mss = true, .mss = 1460 };
	const struct th_seg *sa;

	th_reset();
	th_feed(&peer); /* the peer's own SYN crosses ours */
	sa = only_sent();
	assert_int_equal(sa->flags, TH_SYN | TH_ACK);
	assert_int_equal(sa->seq, syn.seq); /* the same ISN */
	assert_int_equal(sa->ack, 3001);
	peer = (struct th_seg){ .sport = 9, .dport = syn.sport, .seq = 3000,
				.ack = syn.seq + 1, .flags = TH_SYN | TH_ACK, .wnd = 8000 };
	th_reset();
	th_feed(&peer); /* its SYN-ACK: a SYN again (old now), acking ours */
	uk_thread_join(t);
	assert_int_equal(k.rc, 0);
	net_abort(k.s);
}

/* --- closing --- */

static void test_peer_fin_ends_the_stream_and_close_sends_fin_then_last_ack(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(4010, 7000, &c);
	struct th_seg fin = th_conn_seg(&c, TH_FIN | TH_ACK);
	const struct th_seg *r;
	char buf[8];

	th_feed(&fin);
	c.peer_nxt++;
	r = only_sent(); /* a FIN is ACKed at once */
	assert_int_equal(r->flags, TH_ACK);
	assert_int_equal(r->ack, c.peer_nxt);
	assert_int_equal(net_recv(s, buf, sizeof(buf), th_now()), 0);
	th_reset();
	assert_int_equal(net_close(s), 0);
	r = only_sent();
	assert_int_equal(r->flags, TH_FIN | TH_ACK);
	assert_int_equal(r->seq, c.our_nxt);
	assert_int_equal(tcp_pcb_count(), 2); /* LAST-ACK */
	c.our_nxt++;
	th_conn_ack(&c);
	assert_int_equal(tcp_pcb_count(), 1);
}

static void test_active_close_waits_in_time_wait_for_exactly_two_msl(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(4011, 7000, &c);
	struct th_seg fin;
	uint64_t t0;

	assert_int_equal(net_close(s), 0);
	assert_int_equal(only_sent()->flags, TH_FIN | TH_ACK);
	c.our_nxt++;
	th_conn_ack(&c); /* FIN-WAIT-2 */
	th_reset();
	fin = th_conn_seg(&c, TH_FIN | TH_ACK);
	th_feed(&fin); /* TIME-WAIT */
	c.peer_nxt++;
	t0 = th_now();
	assert_int_equal(only_sent()->ack, c.peer_nxt);
	th_sleep(2 * MSL - 1);
	assert_int_equal(tcp_pcb_count(), 2);
	/* A retransmitted FIN is ACKed again and restarts the 2*MSL. */
	th_reset();
	fin.seq = c.peer_nxt - 1;
	th_feed(&fin);
	assert_int_equal(only_sent()->ack, c.peer_nxt);
	t0 = th_now();
	th_sleep(2 * MSL - 1);
	assert_int_equal(tcp_pcb_count(), 2);
	th_sleep(1);
	assert_int_equal(th_now() - t0, 2 * MSL);
	assert_int_equal(tcp_pcb_count(), 1);
}

static void test_simultaneous_close_goes_through_closing_to_time_wait(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(4012, 7000, &c);
	struct th_seg fin;

	assert_int_equal(net_shutdown(s), 0);
	assert_int_equal(only_sent()->flags, TH_FIN | TH_ACK);
	/* The peer's FIN crosses ours: it does not ACK our FIN. */
	th_reset();
	fin = th_conn_seg(&c, TH_FIN | TH_ACK);
	th_feed(&fin);
	c.peer_nxt++;
	assert_int_equal(only_sent()->ack, c.peer_nxt);
	assert_int_equal(only_sent()->seq, c.our_nxt + 1);
	c.our_nxt++;
	th_conn_ack(&c); /* CLOSING -> TIME-WAIT */
	assert_int_equal(net_close(s), 0);
	assert_int_equal(tcp_pcb_count(), 2);
	assert_gone_after(2 * MSL);
}

static void test_half_closed_connection_still_receives(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(4013, 7000, &c);
	struct th_seg fin;
	char buf[16];

	assert_int_equal(net_shutdown(s), 0);
	c.our_nxt++;
	th_conn_ack(&c);
	assert_int_equal(net_send(s, "x", 1, th_now()), -EPIPE);
	th_conn_send(&c, "after", 5);
	assert_int_equal(net_recv(s, buf, sizeof(buf), th_now()), 5);
	assert_memory_equal(buf, "after", 5);
	fin = th_conn_seg(&c, TH_FIN | TH_ACK);
	th_feed(&fin);
	assert_int_equal(net_recv(s, buf, sizeof(buf), th_now()), 0);
	net_close(s);
	assert_gone_after(2 * MSL);
}

static void test_close_with_unread_data_resets_the_connection(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(4014, 7000, &c);

	th_conn_send(&c, "unread", 6);
	th_reset();
	assert_int_equal(net_close(s), 0);
	assert_int_equal(only_sent()->flags, TH_RST | TH_ACK);
	assert_int_equal(only_sent()->seq, c.our_nxt);
	assert_int_equal(tcp_pcb_count(), 1);
}

static void test_abort_sends_rst_and_frees_at_once(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(4015, 7000, &c);

	assert_int_equal(net_abort(s), 0);
	assert_int_equal(only_sent()->flags & TH_RST, TH_RST);
	assert_int_equal(tcp_pcb_count(), 1);
}

static void test_orphan_in_fin_wait_2_is_freed_after_60_s(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(4016, 7000, &c);

	net_close(s);
	c.our_nxt++;
	th_conn_ack(&c); /* FIN-WAIT-2, and the peer never sends its FIN */
	th_sleep(60 * TH_S - 1);
	assert_int_equal(tcp_pcb_count(), 2);
	assert_gone_after(1);
}

static void test_close_sends_the_queued_data_then_fin(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(4017, 7000, &c);

	c.peer_wnd = 0;
	th_conn_ack(&c);
	assert_int_equal(net_send(s, "queued", 6, th_now()), 6);
	assert_int_equal(net_close(s), 0);
	assert_int_equal(th_count(), 0); /* the window is shut: nothing yet */
	c.peer_wnd = 1000;
	th_conn_ack(&c);
	assert_int_equal(th_count(), 1);
	assert_int_equal(th_get(0)->flags, TH_ACK | TH_PSH | TH_FIN);
	assert_int_equal(th_get(0)->len, 6);
	assert_memory_equal(th_get(0)->data, "queued", 6);
	c.our_nxt += 7;
	th_conn_ack(&c);
	th_reset();
	th_feed(&(struct th_seg){ .sport = 4017, .dport = 80, .seq = c.peer_nxt, .ack = c.our_nxt,
				  .flags = TH_FIN | TH_ACK, .wnd = 1000 });
	assert_int_equal(only_sent()->ack, c.peer_nxt + 1);
	assert_gone_after(2 * MSL);
}

static void test_an_orphan_facing_a_window_that_never_opens_is_reset(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(4018, 7000, &c);
	uint64_t end;

	c.peer_wnd = 0;
	th_conn_ack(&c);
	assert_int_equal(net_send(s, "stuck", 5, th_now()), 5);
	net_close(s);
	/* The peer answers every probe, with a window of zero. */
	end = th_now() + 3600 * TH_S;
	while (tcp_pcb_count() > 1 && th_now() < end) {
		unsigned int n = th_count();

		th_sleep(100 * TH_MS);
		if (th_count() > n && !(th_last()->flags & TH_RST))
			th_conn_ack(&c);
	}
	assert_int_equal(tcp_pcb_count(), 1);
	th_sleep(TH_MS); /* the RST may wait for the peer's ARP answer */
	assert_int_equal(th_last()->flags & TH_RST, TH_RST);
}

/* --- resets and RFC 5961 --- */

static void test_rst_at_rcv_nxt_resets_econnreset_once_then_eof_and_epipe(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(4020, 7000, &c);
	struct th_seg rst = th_conn_seg(&c, TH_RST);
	char buf[4];

	th_feed(&rst);
	assert_int_equal(th_count(), 0);
	assert_int_equal(net_recv(s, buf, sizeof(buf), th_now()), -ECONNRESET);
	assert_int_equal(net_recv(s, buf, sizeof(buf), th_now()), 0);
	assert_int_equal(net_send(s, "x", 1, th_now()), -EPIPE);
	net_close(s);
	assert_int_equal(tcp_pcb_count(), 1);
}

static void test_rst_in_window_but_not_at_rcv_nxt_gets_a_challenge_ack(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(4021, 7000, &c);
	struct th_seg rst = th_conn_seg(&c, TH_RST);
	const struct th_seg *r;

	rst.seq += 100;
	th_feed(&rst);
	r = only_sent();
	assert_int_equal(r->flags, TH_ACK);
	assert_int_equal(r->seq, c.our_nxt);
	assert_int_equal(r->ack, c.peer_nxt);
	assert_int_equal(net_send(s, "ok", 2, th_now()), 2); /* still connected */
	net_abort(s);
}

static void test_rst_outside_the_window_is_ignored(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(4022, 7000, &c);
	struct th_seg rst = th_conn_seg(&c, TH_RST);

	rst.seq -= 10;
	th_feed(&rst);
	assert_int_equal(th_count(), 0);
	assert_int_equal(net_send(s, "ok", 2, th_now()), 2);
	net_abort(s);
}

static void test_syn_on_an_established_connection_gets_a_challenge_ack(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(4023, 7000, &c);
	struct th_seg syn = th_conn_seg(&c, TH_SYN);
	const struct th_seg *r;

	syn.seq += 5;
	th_feed(&syn);
	r = only_sent();
	assert_int_equal(r->flags, TH_ACK);
	assert_int_equal(r->ack, c.peer_nxt);
	assert_int_equal(net_send(s, "ok", 2, th_now()), 2);
	net_abort(s);
}

static void test_segment_beyond_the_window_gets_an_ack_and_is_dropped(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(4024, 7000, &c);
	struct th_seg far = th_conn_seg(&c, TH_ACK | TH_PSH);
	char buf[8];

	far.seq += 10 * 1000 * 1000;
	far.data = (const uint8_t *)"far";
	far.len = 3;
	th_feed(&far);
	assert_int_equal(only_sent()->ack, c.peer_nxt);
	assert_int_equal(net_recv(s, buf, sizeof(buf), th_now()), -ETIMEDOUT);
	net_abort(s);
}

static void test_ack_of_data_never_sent_gets_an_ack_and_is_dropped(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(4025, 7000, &c);
	struct th_seg bad = th_conn_seg(&c, TH_ACK | TH_PSH);
	char buf[8];

	bad.ack += 5000;
	bad.data = (const uint8_t *)"zz";
	bad.len = 2;
	th_feed(&bad);
	assert_int_equal(only_sent()->ack, c.peer_nxt); /* the data was not taken */
	assert_int_equal(net_recv(s, buf, sizeof(buf), th_now()), -ETIMEDOUT);
	net_abort(s);
}

static void test_data_across_the_sequence_wrap_arrives_in_order(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(4026, 0xfffffff0u, &c);
	char buf[64];
	int n, got = 0;

	th_conn_send(&c, "0123456789abcdef", 16); /* ends at the wrap */
	assert_int_equal(c.peer_nxt, 0x1u);
	th_conn_send(&c, "ghijklmnopqrstuv", 16);
	while (got < 32 && (n = net_recv(s, buf + got, sizeof(buf) - (size_t)got, th_now())) > 0)
		got += n;
	assert_int_equal(got, 32);
	assert_memory_equal(buf, "0123456789abcdefghijklmnopqrstuv", 32);
	th_sleep(100 * TH_MS);
	assert_int_equal(th_last()->ack, 0x11u);
	net_abort(s);
}

static void test_isns_of_two_connections_differ(void **state)
{
	struct th_conn a, b;
	struct net_socket *sa = accepted(4027, 1, &a), *sb = accepted(4028, 1, &b);

	assert_int_not_equal(a.our_nxt, b.our_nxt);
	net_abort(sa);
	net_abort(sb);
}

static void test_listener_close_resets_connections_not_yet_accepted(void **state)
{
	struct net_socket *l;
	struct th_seg syn = { .sport = 4030, .dport = 90, .seq = 10, .flags = TH_SYN,
			      .wnd = 1000 };
	struct th_seg ack = { .sport = 4030, .dport = 90, .seq = 11, .flags = TH_ACK,
			      .wnd = 1000 };

	assert_int_equal(net_socket(NET_SOCK_STREAM, &l), 0);
	assert_int_equal(net_bind(l, IP4_ANY, 90), 0);
	assert_int_equal(net_listen(l, 4), 0);
	th_feed(&syn);
	ack.ack = th_last()->seq + 1;
	th_feed(&ack);
	assert_int_equal(tcp_pcb_count(), 3);
	th_reset();
	assert_int_equal(net_close(l), 0);
	assert_int_equal(only_sent()->flags & TH_RST, TH_RST);
	assert_int_equal(tcp_pcb_count(), 1);
}

static void test_icmp_port_unreachable_for_our_syn_refuses_the_connect(void **state)
{
	struct connector k;
	struct uk_thread *t;
	struct th_seg syn = start_connect(&k, &t);

	th_feed_icmp_unreach(3, 0, &syn);
	uk_thread_join(t);
	assert_int_equal(k.rc, -ECONNREFUSED);
	net_close(k.s);
}

static void test_icmp_quoting_a_sequence_not_sent_is_ignored(void **state)
{
	struct connector k;
	struct uk_thread *t;
	struct th_seg syn = start_connect(&k, &t);

	syn.seq += 12345;
	th_feed_icmp_unreach(3, 0, &syn);
	uk_yield();
	assert_int_equal(k.rc, 1); /* still connecting */
	net_close(k.s);
	uk_thread_join(t);
}

static void test_new_syn_above_a_time_wait_connection_opens_a_new_one(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(4040, 7000, &c), *again;
	struct th_seg fin, syn;

	net_close(s);
	c.our_nxt++;
	th_conn_ack(&c);
	fin = th_conn_seg(&c, TH_FIN | TH_ACK);
	th_feed(&fin); /* TIME-WAIT */
	c.peer_nxt++;
	assert_int_equal(tcp_pcb_count(), 2);
	th_reset();
	syn = (struct th_seg){ .sport = 4040, .dport = 80, .seq = c.peer_nxt + 100000,
			       .flags = TH_SYN, .wnd = 1000 };
	th_feed(&syn);
	assert_int_equal(only_sent()->flags, TH_SYN | TH_ACK);
	assert_int_equal(only_sent()->ack, syn.seq + 1);
	syn.flags = TH_ACK;
	syn.seq++;
	syn.ack = only_sent()->seq + 1;
	th_feed(&syn);
	assert_int_equal(net_accept(listener, &again, th_now()), 0);
	net_abort(again);
}

static void test_an_ack_older_than_the_window_gets_a_challenge_ack(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(4041, 7000, &c);
	struct th_seg old = th_conn_seg(&c, TH_ACK | TH_PSH);
	char buf[8];

	old.ack -= 1000000; /* RFC 5961 5.2: below SND.UNA - MAX.SND.WND */
	old.data = (const uint8_t *)"old";
	old.len = 3;
	th_feed(&old);
	assert_int_equal(only_sent()->ack, c.peer_nxt); /* the data was not taken */
	assert_int_equal(net_recv(s, buf, sizeof(buf), th_now()), -ETIMEDOUT);
	net_abort(s);
}

static void test_malformed_headers_are_dropped_and_counted(void **state)
{
	uint8_t t[24] = { 0x0f, 0xa0, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 4 << 4, TH_SYN };
	struct tcp_stats before, after;

	tcp_stats_get(&before);
	th_feed_raw(t, sizeof(t)); /* a data offset below 5 words */
	t[12] = 7 << 4;
	th_feed_raw(t, sizeof(t)); /* a data offset past the segment */
	th_feed_raw(t, 10);        /* shorter than a header */
	tcp_stats_get(&after);
	assert_int_equal(after.bad_header - before.bad_header, 3);
	assert_int_equal(th_count(), 0);
}

/* --- fixture --- */

static int group_setup(void **state)
{
	tcp_set_msl(MSL);
	return th_group_listen(&listener);
}

#define T(f) cmocka_unit_test_setup_teardown(f, th_test_setup, th_test_teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_sequence_comparisons_hold_across_the_wrap),
		T(test_syn_to_a_closed_port_is_answered_with_rst_ack),
		T(test_ack_to_a_closed_port_is_answered_with_rst_at_its_ack),
		T(test_rst_to_a_closed_port_is_not_answered),
		T(test_segment_with_a_bad_checksum_is_dropped_and_counted),
		T(test_passive_open_answers_syn_with_syn_ack_and_our_options),
		T(test_active_open_sends_syn_with_options_and_acks_the_syn_ack),
		T(test_rst_answering_our_syn_makes_connect_econnrefused),
		T(test_rst_with_a_wrong_ack_does_not_refuse_the_connect),
		T(test_simultaneous_open_reaches_established),
		T(test_peer_fin_ends_the_stream_and_close_sends_fin_then_last_ack),
		T(test_active_close_waits_in_time_wait_for_exactly_two_msl),
		T(test_simultaneous_close_goes_through_closing_to_time_wait),
		T(test_half_closed_connection_still_receives),
		T(test_close_with_unread_data_resets_the_connection),
		T(test_abort_sends_rst_and_frees_at_once),
		T(test_orphan_in_fin_wait_2_is_freed_after_60_s),
		T(test_close_sends_the_queued_data_then_fin),
		T(test_an_orphan_facing_a_window_that_never_opens_is_reset),
		T(test_rst_at_rcv_nxt_resets_econnreset_once_then_eof_and_epipe),
		T(test_rst_in_window_but_not_at_rcv_nxt_gets_a_challenge_ack),
		T(test_rst_outside_the_window_is_ignored),
		T(test_syn_on_an_established_connection_gets_a_challenge_ack),
		T(test_segment_beyond_the_window_gets_an_ack_and_is_dropped),
		T(test_ack_of_data_never_sent_gets_an_ack_and_is_dropped),
		T(test_data_across_the_sequence_wrap_arrives_in_order),
		T(test_isns_of_two_connections_differ),
		T(test_listener_close_resets_connections_not_yet_accepted),
		T(test_icmp_port_unreachable_for_our_syn_refuses_the_connect),
		T(test_icmp_quoting_a_sequence_not_sent_is_ignored),
		T(test_new_syn_above_a_time_wait_connection_opens_a_new_one),
		T(test_an_ack_older_than_the_window_gets_a_challenge_ack),
		T(test_malformed_headers_are_dropped_and_counted),
	};

	return cmocka_run_group_tests(tests, group_setup, th_group_teardown);
}
