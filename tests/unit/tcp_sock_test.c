/*
 * Stream sockets (<net/socket.h> on net/tcp_sock.c): the calls' errors,
 * blocking and polling, listen backlogs and SYN floods, delayed ACKs, Nagle
 * and the no-delay option, the receiver's window updates and keep-alive.
 * The peer is tests/support/tcp_helper.c.
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
#include "runtime/include/uk/alloc.h"
#include "runtime/include/uk/boot.h"
#include "runtime/include/uk/sched.h"
#include "tests/support/tcp_helper.h"

const char uk_app_name[] = "tcp_sock_test";

#define MSS 1460

static struct net_socket *listener;
static uint8_t bulk[8 * MSS];

static struct net_socket *accepted(uint16_t peer_port, struct th_conn *c)
{
	return th_open_passive(listener, 80, peer_port, 1000, false, c);
}

static struct net_socket *stream(void)
{
	struct net_socket *s;

	assert_int_equal(net_socket(NET_SOCK_STREAM, &s), 0);
	return s;
}

/* --- errors --- */

static void test_binding_a_port_a_listener_holds_is_eaddrinuse(void **state)
{
	struct net_socket *s = stream();

	assert_int_equal(net_bind(s, IP4_ANY, 80), -EADDRINUSE);
	assert_int_equal(net_bind(s, TH_OUR_IP, 80), -EADDRINUSE);
	assert_int_equal(net_bind(s, IP4_ADDR(10, 0, 0, 99), 81), -EADDRNOTAVAIL);
	net_close(s);
}

static void test_calls_on_an_unconnected_socket_are_enotconn(void **state)
{
	struct net_socket *s = stream();
	char buf[4];

	assert_int_equal(net_recv(s, buf, sizeof(buf), 0), -ENOTCONN);
	assert_int_equal(net_send(s, "x", 1, 0), -ENOTCONN);
	assert_int_equal(net_shutdown(s), -ENOTCONN);
	assert_int_equal(net_getpeername(s, NULL, NULL), -ENOTCONN);
	net_close(s);
}

static void test_stream_calls_on_a_datagram_socket_are_eopnotsupp(void **state)
{
	struct net_socket *u;
	char buf[4];

	assert_int_equal(net_socket(NET_SOCK_DGRAM, &u), 0);
	assert_int_equal(net_listen(u, 1), -EOPNOTSUPP);
	assert_int_equal(net_connect(u, TH_PEER_IP, 9, 0), -EOPNOTSUPP);
	assert_int_equal(net_recv(u, buf, sizeof(buf), 0), -EOPNOTSUPP);
	assert_int_equal(net_setsockopt(u, NET_OPT_NODELAY, 1), -EOPNOTSUPP);
	net_close(u);
}

static void test_connecting_a_connected_socket_is_eisconn(void **state)
{
	struct th_conn c;
	struct net_socket *s = th_open_active(9, 100, false, &c);

	assert_int_equal(net_connect(s, TH_PEER_IP, 9, 0), -EISCONN);
	assert_int_equal(net_listen(s, 1), -EINVAL);
	net_abort(s);
}

static void test_connect_that_meets_its_deadline_is_abandoned_with_etimedout(void **state)
{
	struct net_socket *s = stream();
	uint64_t deadline = th_now() + 500 * TH_MS;

	assert_int_equal(net_connect(s, TH_PEER_IP, 9, deadline), -ETIMEDOUT);
	assert_int_equal(th_now(), deadline);
	assert_int_equal(tcp_pcb_count(), 1);
	/* The socket may try again (from the same port). */
	th_reset();
	assert_int_equal(net_connect(s, TH_PEER_IP, 9, th_now() + TH_MS), -ETIMEDOUT);
	assert_int_equal(th_count(), 1);
	assert_int_equal(th_get(0)->flags, TH_SYN);
	net_close(s);
}

static void test_socket_options_read_back_and_reject_bad_sizes(void **state)
{
	struct net_socket *s = stream();
	unsigned int v;

	assert_int_equal(net_setsockopt(s, NET_OPT_SNDBUF, 65536), 0);
	assert_int_equal(net_getsockopt(s, NET_OPT_SNDBUF, &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(net_setsockopt(s, NET_OPT_RCVBUF, 100), -EINVAL);
	assert_int_equal(net_setsockopt(s, NET_OPT_RCVBUF, 64u << 20), -EINVAL);
	assert_int_equal(net_setsockopt(s, NET_OPT_NODELAY, 1), 0);
	assert_int_equal(net_getsockopt(s, NET_OPT_NODELAY, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(net_setsockopt(s, NET_OPT_KEEPALIVE, 1), 0);
	assert_int_equal(net_getsockopt(s, NET_OPT_KEEPALIVE, &v), 0);
	assert_int_equal(v, 1);
	net_close(s);
}

/* --- blocking and polling --- */

struct acceptor {
	struct net_socket *s;
	int rc;
};

static int accept_thread(void *arg)
{
	struct acceptor *a = arg;

	a->rc = net_accept(listener, &a->s, 0);
	return 0;
}

static void test_accept_blocks_until_a_handshake_completes(void **state)
{
	struct acceptor a = { .rc = 1 };
	struct uk_thread *t = uk_thread_create("accept", accept_thread, &a);
	struct th_seg syn = { .sport = 9001, .dport = 80, .seq = 1, .flags = TH_SYN, .wnd = 9000 };

	uk_yield();
	assert_int_equal(a.rc, 1);
	th_feed(&syn);
	uk_yield();
	assert_int_equal(a.rc, 1); /* half open: not yet */
	syn.flags = TH_ACK;
	syn.seq = 2;
	syn.ack = th_last()->seq + 1;
	th_feed(&syn);
	uk_thread_join(t);
	assert_int_equal(a.rc, 0);
	net_abort(a.s);
}

static void test_send_queues_only_what_fits_the_send_buffer(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(9002, &c);
	static uint8_t big[10000];

	assert_int_equal(net_setsockopt(s, NET_OPT_SNDBUF, 4096), 0);
	c.peer_wnd = 0;
	th_conn_ack(&c);
	assert_int_equal(net_send(s, big, sizeof(big), th_now()), 4096);
	net_abort(s);
}

static void test_poll_reports_readable_writable_and_hang_up(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(9003, &c);
	struct net_pollfd p = { .s = s, .events = NET_POLLIN | NET_POLLOUT };
	struct th_seg fin;
	char buf[8];

	assert_int_equal(net_poll(&p, 1, th_now()), 1);
	assert_int_equal(p.revents, NET_POLLOUT);
	th_conn_send(&c, "hi", 2);
	assert_int_equal(net_poll(&p, 1, th_now()), 1);
	assert_int_equal(p.revents, NET_POLLIN | NET_POLLOUT);
	assert_int_equal(net_recv(s, buf, sizeof(buf), 0), 2);
	fin = th_conn_seg(&c, TH_FIN | TH_ACK);
	th_feed(&fin);
	c.peer_nxt++;
	assert_int_equal(net_shutdown(s), 0);
	c.our_nxt++;
	th_conn_ack(&c);
	assert_int_equal(net_poll(&p, 1, th_now()), 1);
	assert_int_equal(p.revents, NET_POLLIN | NET_POLLOUT | NET_POLLHUP);
	net_close(s);
}

static void test_poll_on_a_listener_is_readable_with_a_connection_waiting(void **state)
{
	struct net_pollfd p = { .s = listener, .events = NET_POLLIN };
	struct th_seg syn = { .sport = 9004, .dport = 80, .seq = 1, .flags = TH_SYN, .wnd = 9000 };
	struct net_socket *s;

	assert_int_equal(net_poll(&p, 1, th_now()), -ETIMEDOUT);
	th_feed(&syn);
	syn.flags = TH_ACK;
	syn.seq = 2;
	syn.ack = th_last()->seq + 1;
	th_feed(&syn);
	assert_int_equal(net_poll(&p, 1, th_now()), 1);
	assert_int_equal(net_accept(listener, &s, th_now()), 0);
	net_abort(s);
}

/* --- backlog and SYN floods --- */

static void test_a_full_backlog_leaves_the_handshake_to_be_finished_later(void **state)
{
	struct net_socket *l = stream(), *a, *b;
	struct th_seg syn = { .dport = 90, .seq = 1, .flags = TH_SYN, .wnd = 9000 };
	uint32_t iss[2];

	assert_int_equal(net_bind(l, IP4_ANY, 90), 0);
	assert_int_equal(net_listen(l, 1), 0);
	for (int i = 0; i < 2; i++) {
		syn.sport = (uint16_t)(9010 + i);
		syn.flags = TH_SYN;
		syn.seq = 1;
		th_feed(&syn);
		iss[i] = th_last()->seq;
		syn.flags = TH_ACK;
		syn.seq = 2;
		syn.ack = iss[i] + 1;
		th_feed(&syn); /* the second ACK finds the backlog full and is dropped */
	}
	assert_int_equal(net_accept(l, &a, th_now()), 0);
	assert_int_equal(net_accept(l, &b, th_now()), -ETIMEDOUT);
	th_reset();
	th_sleep(TH_S); /* the SYN-ACK again; the peer ACKs it again */
	assert_int_equal(th_last()->flags, TH_SYN | TH_ACK);
	assert_int_equal(th_last()->dport, 9011);
	th_feed(&syn);
	assert_int_equal(net_accept(l, &b, th_now()), 0);
	net_abort(a);
	net_abort(b);
	net_close(l);
}

static void test_a_syn_flood_is_bounded_and_a_real_client_still_gets_in(void **state)
{
	struct th_seg syn = { .dport = 80, .seq = 1, .flags = TH_SYN, .wnd = 9000 };
	struct tcp_stats before, after;
	struct uk_mem_stats m0, m1;
	struct th_conn c;
	struct net_socket *s;

	tcp_stats_get(&before);
	uk_mem_stats(&m0);
	for (uint16_t i = 0; i < 2000; i++) {
		syn.sport = (uint16_t)(20000 + i);
		th_feed(&syn);
	}
	uk_mem_stats(&m1);
	tcp_stats_get(&after);
	assert_int_equal(tcp_pcb_count(), 1 + TCP_SYN_QUEUE_MIN);
	assert_int_equal(after.syn_queue_dropped - before.syn_queue_dropped,
			 2000 - TCP_SYN_QUEUE_MIN);
	/* A control block per half-open connection, and a few blocks of the stack's own. */
	assert_true(m1.heap_blocks - m0.heap_blocks <= TCP_SYN_QUEUE_MIN + 4);
	s = accepted(9020, &c); /* a real client, amid the flood */
	assert_int_equal(net_send(s, "served", 6, th_now()), 6);
	net_abort(s);
	th_sleep(64 * TH_S); /* the half-open ones time out */
	assert_int_equal(tcp_pcb_count(), 1);
}

/* --- acknowledgments, Nagle, windows --- */

static void test_one_segment_is_acked_40_ms_later(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(9030, &c);
	uint64_t t0;

	th_conn_send(&c, "one", 3);
	t0 = th_now();
	assert_int_equal(th_count(), 0);
	th_sleep(100 * TH_MS);
	assert_int_equal(th_count(), 1);
	assert_int_equal(th_get(0)->ack, c.peer_nxt);
	assert_int_equal(th_get(0)->time_ns - t0, 40 * TH_MS);
	net_abort(s);
}

static void test_every_second_segment_is_acked_at_once(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(9031, &c);

	th_conn_send(&c, bulk, MSS);
	assert_int_equal(th_count(), 0);
	th_conn_send(&c, bulk, MSS);
	assert_int_equal(th_count(), 1);
	assert_int_equal(th_get(0)->ack, c.peer_nxt);
	net_abort(s);
}

static void test_nagle_holds_a_small_segment_while_data_is_unacked(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(9032, &c);

	assert_int_equal(net_send(s, "a", 1, 0), 1);
	assert_int_equal(net_send(s, "b", 1, 0), 1);
	assert_int_equal(net_send(s, "c", 1, 0), 1);
	assert_int_equal(th_count(), 1); /* "a"; "bc" waits for its ACK */
	c.our_nxt += 1;
	th_conn_ack(&c);
	assert_int_equal(th_count(), 2);
	assert_int_equal(th_get(1)->len, 2);
	assert_memory_equal(th_get(1)->data, "bc", 2);
	net_abort(s);
}

static void test_no_delay_sends_small_segments_at_once(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(9033, &c);

	assert_int_equal(net_setsockopt(s, NET_OPT_NODELAY, 1), 0);
	assert_int_equal(net_send(s, "a", 1, 0), 1);
	assert_int_equal(net_send(s, "b", 1, 0), 1);
	assert_int_equal(th_count(), 2);
	net_abort(s);
}

static void test_window_reopens_only_by_a_useful_amount(void **state)
{
	struct th_conn c;
	struct net_socket *s;
	static uint8_t buf[4096];

	assert_int_equal(net_setsockopt(listener, NET_OPT_RCVBUF, 4096), 0);
	s = accepted(9034, &c);
	assert_int_equal(net_setsockopt(listener, NET_OPT_RCVBUF, TCP_BUF_DEFAULT), 0);
	th_conn_send(&c, bulk, 1400);
	th_conn_send(&c, bulk, 1400);
	th_conn_send(&c, bulk, 1296); /* the buffer is full */
	th_sleep(TH_S);
	assert_int_equal(th_last()->wnd, 0);
	th_reset();
	assert_int_equal(net_recv(s, buf, 100, 0), 100);
	assert_int_equal(th_count(), 0); /* 100 bytes of window would be silly */
	assert_int_equal(net_recv(s, buf, 2000, 0), 2000);
	assert_int_equal(th_count(), 1);
	assert_int_equal(th_get(0)->wnd, 2100);
	net_abort(s);
}

static void test_keepalive_probes_an_idle_peer_and_gives_up_with_etimedout(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(9035, &c);
	uint64_t t0 = th_now();
	char buf[4];

	assert_int_equal(net_setsockopt(s, NET_OPT_KEEPALIVE, 1), 0);
	th_sleep(2 * 3600 * TH_S + TH_MS); /* + the ARP exchange the probe waits for */
	assert_int_equal(th_count(), 1);
	assert_int_equal(th_get(0)->time_ns - t0, 2 * 3600 * TH_S);
	assert_int_equal(th_get(0)->seq, c.our_nxt - 1);
	th_conn_ack(&c); /* answered: two idle hours again */
	th_reset();
	assert_int_equal(net_recv(s, buf, sizeof(buf), 0), -ETIMEDOUT);
	th_sleep(TH_MS);
	assert_int_equal(th_count(), 9 + 1); /* nine probes and a RST */
	net_close(s);
}

/* --- memory --- */

static void test_idle_connections_hold_under_1_kib_each(void **state)
{
	enum { N = 500 };
	static struct net_socket *conns[N];
	struct uk_mem_stats m0, m1;
	struct th_conn c;
	char buf[4];

	uk_mem_stats(&m0);
	for (unsigned int i = 0; i < N; i++) {
		conns[i] = accepted((uint16_t)(30000 + i), &c);
		th_conn_send(&c, "x", 1); /* each one works, and its buffer goes once read */
		assert_int_equal(net_recv(conns[i], buf, sizeof(buf), th_now()), 1);
	}
	uk_mem_stats(&m1);
	assert_int_equal(tcp_pcb_count(), 1 + N);
	assert_true((m1.heap_bytes_used - m0.heap_bytes_used) / N < 1024);
	for (unsigned int i = 0; i < N; i++)
		net_abort(conns[i]);
}

static void test_buffers_start_small_and_grow_with_the_data(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(9040, &c);
	static uint8_t buf[8192];
	int n = 0, rc;

	th_conn_send(&c, bulk, 100);
	assert_int_equal(s->stream.pcb->rcvq.cap, 2048);
	th_conn_send(&c, bulk + 100, 1400);
	th_conn_send(&c, bulk + 1500, 1400);
	assert_int_equal(s->stream.pcb->rcvq.cap, 4096);
	while (n < 2900 && (rc = net_recv(s, buf + n, sizeof(buf) - (size_t)n, th_now())) > 0)
		n += rc;
	assert_int_equal(n, 2900);
	assert_memory_equal(buf, bulk, 2900);
	assert_null(s->stream.pcb->rcvq.buf); /* read out: the storage went back */
	net_abort(s);
}

static int group_setup(void **state)
{
	return th_group_listen(&listener);
}

#define T(f) cmocka_unit_test_setup_teardown(f, th_test_setup, th_test_teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_binding_a_port_a_listener_holds_is_eaddrinuse),
		T(test_calls_on_an_unconnected_socket_are_enotconn),
		T(test_stream_calls_on_a_datagram_socket_are_eopnotsupp),
		T(test_connecting_a_connected_socket_is_eisconn),
		T(test_connect_that_meets_its_deadline_is_abandoned_with_etimedout),
		T(test_socket_options_read_back_and_reject_bad_sizes),
		T(test_accept_blocks_until_a_handshake_completes),
		T(test_send_queues_only_what_fits_the_send_buffer),
		T(test_poll_reports_readable_writable_and_hang_up),
		T(test_poll_on_a_listener_is_readable_with_a_connection_waiting),
		T(test_a_full_backlog_leaves_the_handshake_to_be_finished_later),
		T(test_a_syn_flood_is_bounded_and_a_real_client_still_gets_in),
		T(test_one_segment_is_acked_40_ms_later),
		T(test_every_second_segment_is_acked_at_once),
		T(test_nagle_holds_a_small_segment_while_data_is_unacked),
		T(test_no_delay_sends_small_segments_at_once),
		T(test_window_reopens_only_by_a_useful_amount),
		T(test_keepalive_probes_an_idle_peer_and_gives_up_with_etimedout),
		T(test_idle_connections_hold_under_1_kib_each),
		T(test_buffers_start_small_and_grow_with_the_data),
	};

	return cmocka_run_group_tests(tests, group_setup, th_group_teardown);
}
