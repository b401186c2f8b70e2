/*
 * Out-of-order arrival (as lwIP's test_tcp_oos.c): segments beyond a hole are
 * kept, acknowledged at once with the old ACK (RFC 5681 4.2), delivered when
 * the hole fills, merged when they overlap, and bounded in count and bytes.
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

const char uk_app_name[] = "tcp_oos_test";

static struct net_socket *listener;
static const char text[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

static struct net_socket *accepted(uint16_t peer_port, struct th_conn *c)
{
	return th_open_passive(listener, 80, peer_port, 1000, false, c);
}

/* The peer sends text[off, off + len) of its stream, whatever peer_nxt is. */
static void send_piece(const struct th_conn *c, uint32_t off, uint32_t len, bool fin)
{
	struct th_seg s = th_conn_seg(c, TH_ACK | (fin ? TH_FIN : 0));

	s.seq = c->peer_nxt + off;
	s.data = (const uint8_t *)text + off;
	s.len = len;
	th_feed(&s);
}

static int recv_all(struct net_socket *s, char *buf, size_t len)
{
	int got = 0, n;

	while ((size_t)got < len && (n = net_recv(s, buf + got, len - (size_t)got, th_now())) > 0)
		got += n;
	return got;
}

static void test_segment_after_a_hole_is_kept_and_acked_at_once_with_the_old_ack(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(7001, &c);
	char buf[8];

	send_piece(&c, 10, 10, false);
	assert_int_equal(th_count(), 1);
	assert_int_equal(th_get(0)->ack, c.peer_nxt);
	assert_int_equal(net_recv(s, buf, sizeof(buf), th_now()), -ETIMEDOUT);
	net_abort(s);
}

static void test_filling_the_hole_delivers_all_and_acks_at_once(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(7002, &c);
	char buf[32];

	send_piece(&c, 20, 10, false);
	send_piece(&c, 10, 10, false);
	th_reset();
	send_piece(&c, 0, 10, false);
	assert_int_equal(th_count(), 1);
	assert_int_equal(th_get(0)->ack, c.peer_nxt + 30);
	assert_int_equal(recv_all(s, buf, 30), 30);
	assert_memory_equal(buf, text, 30);
	assert_int_equal(s->stream.pcb->ooo_count, 0);
	net_abort(s);
}

static void test_overlapping_pieces_are_merged_without_duplicating_bytes(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(7003, &c);
	char buf[64];

	send_piece(&c, 10, 10, false);
	send_piece(&c, 15, 15, false); /* overlaps the end of the first */
	send_piece(&c, 5, 30, false);  /* covers both and more */
	send_piece(&c, 12, 3, false);  /* inside what is held */
	assert_int_equal(s->stream.pcb->ooo_bytes, 30);
	send_piece(&c, 0, 8, false);
	assert_int_equal(recv_all(s, buf, 35), 35);
	assert_memory_equal(buf, text, 35);
	net_abort(s);
}

static void test_fin_after_a_hole_ends_the_stream_once_the_hole_fills(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(7004, &c);
	char buf[32];

	send_piece(&c, 10, 10, true);
	assert_int_equal(net_recv(s, buf, sizeof(buf), th_now()), -ETIMEDOUT);
	th_reset();
	send_piece(&c, 0, 10, false);
	assert_int_equal(th_last()->ack, c.peer_nxt + 21); /* the data and the FIN */
	assert_int_equal(recv_all(s, buf, 20), 20);
	assert_int_equal(net_recv(s, buf, sizeof(buf), th_now()), 0);
	net_abort(s);
}

static void test_duplicate_segment_is_acked_and_delivered_once(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(7005, &c);
	char buf[32];

	send_piece(&c, 0, 10, false);
	th_reset();
	send_piece(&c, 0, 10, false);
	assert_int_equal(th_count(), 1);
	assert_int_equal(th_get(0)->ack, c.peer_nxt + 10);
	assert_int_equal(recv_all(s, buf, 10), 10);
	assert_int_equal(net_recv(s, buf, sizeof(buf), th_now()), -ETIMEDOUT);
	net_abort(s);
}

static void test_out_of_order_queue_is_bounded_in_segments(void **state)
{
	struct th_conn c;
	struct net_socket *s = accepted(7006, &c);
	struct tcp_stats before, after;

	tcp_stats_get(&before);
	for (uint32_t i = 0; i < 100; i++) { /* 1-byte pieces with holes between */
		struct th_seg p = th_conn_seg(&c, TH_ACK);

		p.seq = c.peer_nxt + 2 + 2 * i;
		p.data = (const uint8_t *)"x";
		p.len = 1;
		th_feed(&p);
	}
	tcp_stats_get(&after);
	assert_int_equal(s->stream.pcb->ooo_count, TCP_OOO_MAX_SEGS);
	assert_int_equal(after.ooo_dropped - before.ooo_dropped, 100 - TCP_OOO_MAX_SEGS);
	net_abort(s);
}

static void test_out_of_order_bytes_never_exceed_the_receive_buffer(void **state)
{
	struct th_conn c;
	struct net_socket *s;
	static uint8_t big[1400];

	assert_int_equal(net_setsockopt(listener, NET_OPT_RCVBUF, 4096), 0);
	s = accepted(7007, &c);
	assert_int_equal(net_setsockopt(listener, NET_OPT_RCVBUF, 128 * 1024), 0);
	for (uint32_t i = 0; i < 8; i++) {
		struct th_seg p = th_conn_seg(&c, TH_ACK);

		p.seq = c.peer_nxt + 100 + i * 1400;
		p.data = big;
		p.len = sizeof(big);
		th_feed(&p);
	}
	assert_true(s->stream.pcb->ooo_bytes <= 4096);
	net_abort(s);
}

static int group_setup(void **state)
{
	return th_group_listen(&listener);
}

static struct uk_mem_stats baseline;

static int setup(void **state)
{
	th_sleep(TH_S);
	uk_mem_stats(&baseline);
	return th_setup();
}

/* Aborting frees the queue: the heap holds what it held before. */
static int teardown(void **state)
{
	struct uk_mem_stats now;

	th_test_teardown(state);
	uk_mem_stats(&now);
	assert_int_equal(now.heap_blocks, baseline.heap_blocks);
	return 0;
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_segment_after_a_hole_is_kept_and_acked_at_once_with_the_old_ack),
		T(test_filling_the_hole_delivers_all_and_acks_at_once),
		T(test_overlapping_pieces_are_merged_without_duplicating_bytes),
		T(test_fin_after_a_hole_ends_the_stream_once_the_hole_fills),
		T(test_duplicate_segment_is_acked_and_delivered_once),
		T(test_out_of_order_queue_is_bounded_in_segments),
		T(test_out_of_order_bytes_never_exceed_the_receive_buffer),
	};

	return cmocka_run_group_tests(tests, group_setup, th_group_teardown);
}
