/*
 * SACK (RFC 2018, RFC 6675): negotiation, the blocks the guest sends for
 * the out-of-order data it holds, and the blocks it receives guiding which
 * holes it resends in loss recovery. The peer is tests/support/tcp_helper.c.
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

const char uk_app_name[] = "tcp_sack_test";

#define MSS 1460

static uint8_t bulk[16 * MSS];

static void piece(const struct th_conn *c, uint32_t off, uint32_t len)
{
	struct th_seg s = th_conn_seg(c, TH_ACK);

	s.seq = c->peer_nxt + off;
	s.data = bulk;
	s.len = len;
	th_feed(&s);
}

static void test_syn_ack_permits_sack_only_when_the_syn_did(void **state)
{
	struct th_seg syn = { .sport = 10001, .dport = 80, .seq = 1, .flags = TH_SYN,
			      .wnd = 1000 };

	th_feed(&syn);
	assert_false(th_last()->sack_ok);
	syn.flags = TH_RST;
	syn.seq = 2;
	th_feed(&syn);
}

static void test_active_open_offers_sack(void **state)
{
	struct net_socket *s;

	assert_int_equal(net_socket(NET_SOCK_STREAM, &s), 0);
	assert_int_equal(net_connect(s, TH_PEER_IP, 9, th_now() + TH_MS), -ETIMEDOUT);
	assert_int_equal(th_get(0)->flags, TH_SYN);
	assert_true(th_get(0)->sack_ok);
	net_close(s);
}

static void test_out_of_order_data_is_reported_in_sack_blocks_latest_first(void **state)
{
	struct th_conn c;
	struct net_socket *s = th_open_sack_nodelay(10002, false, &c);
	const struct th_seg *a;

	piece(&c, 100, 100);
	piece(&c, 400, 100);
	a = th_last();
	assert_int_equal(a->ack, c.peer_nxt);
	assert_int_equal(a->n_sack, 2);
	assert_int_equal(a->sack[0][0], c.peer_nxt + 400); /* the latest arrival first */
	assert_int_equal(a->sack[0][1], c.peer_nxt + 500);
	assert_int_equal(a->sack[1][0], c.peer_nxt + 100);
	assert_int_equal(a->sack[1][1], c.peer_nxt + 200);
	piece(&c, 200, 100); /* joins the first range */
	a = th_last();
	assert_int_equal(a->sack[0][0], c.peer_nxt + 100);
	assert_int_equal(a->sack[0][1], c.peer_nxt + 300);
	net_abort(s);
}

static void test_sack_blocks_beside_timestamps_are_at_most_three(void **state)
{
	struct th_conn c;
	struct net_socket *s = th_open_sack_nodelay(10003, true, &c);

	for (uint32_t i = 0; i < 5; i++)
		piece(&c, 100 + 200 * i, 100);
	assert_true(th_last()->has_ts);
	assert_int_equal(th_last()->n_sack, 3);
	net_abort(s);
}

static void test_filled_hole_leaves_no_sack_blocks(void **state)
{
	struct th_conn c;
	struct net_socket *s = th_open_sack_nodelay(10004, false, &c);

	piece(&c, 100, 100);
	piece(&c, 0, 100);
	assert_int_equal(th_last()->ack, c.peer_nxt + 200);
	assert_int_equal(th_last()->n_sack, 0);
	net_abort(s);
}

static void test_sacked_holes_are_resent_one_per_duplicate_ack(void **state)
{
	struct th_conn c;
	struct net_socket *s = th_open_sack_nodelay(10005, false, &c);
	uint32_t base;
	/* Segments 0 and 3 (of 0..9) are lost; the peer holds 1-2 and 4-9. */
	static const uint32_t one[][2] = { { MSS, 3 * MSS } };
	static const uint32_t two[][2] = { { 4 * MSS, 10 * MSS }, { MSS, 3 * MSS } };

	assert_int_equal(net_send(s, bulk, 10 * MSS, th_now()), 10 * MSS);
	base = c.our_nxt;
	th_reset();
	th_conn_ack_sack(&c, base, base, one, 1);
	th_conn_ack_sack(&c, base, base, one, 1); /* 2 MSS SACKed: not yet enough to call 0 lost */
	assert_int_equal(th_count(), 0);
	th_conn_ack_sack(&c, base, base, two, 2); /* the third: fast retransmit of segment 0 */
	assert_int_equal(th_count(), 1);
	assert_int_equal(th_get(0)->seq, base);
	assert_int_equal(th_get(0)->len, MSS);
	th_conn_ack_sack(&c, base, base, two, 2); /* the next hole, without waiting an RTT */
	assert_true(th_count() >= 2);
	assert_int_equal(th_get(1)->seq, base + 3 * MSS);
	assert_int_equal(th_get(1)->len, MSS);
	th_reset();
	th_conn_ack_sack(&c, base, base, two, 2); /* no hole left: nothing is resent */
	for (unsigned int i = 0; i < th_count(); i++)
		assert_true(th_get(i)->seq >= base + 10 * MSS);
	net_abort(s);
}

static void test_sack_blocks_outside_what_was_sent_are_ignored(void **state)
{
	struct th_conn c;
	struct net_socket *s = th_open_sack_nodelay(10006, false, &c);
	static const uint32_t bogus[][2] = { { 100 * MSS, 101 * MSS }, { 0, 0 } };

	assert_int_equal(net_send(s, bulk, 2 * MSS, th_now()), 2 * MSS);
	th_conn_ack_sack(&c, c.our_nxt, c.our_nxt, bogus, 2);
	assert_int_equal(s->stream.pcb->n_sacked, 0);
	net_abort(s);
}

#define T(f) TH_TEST(f)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_syn_ack_permits_sack_only_when_the_syn_did),
		T(test_active_open_offers_sack),
		T(test_out_of_order_data_is_reported_in_sack_blocks_latest_first),
		T(test_sack_blocks_beside_timestamps_are_at_most_three),
		T(test_filled_hole_leaves_no_sack_blocks),
		T(test_sacked_holes_are_resent_one_per_duplicate_ack),
		T(test_sack_blocks_outside_what_was_sent_are_ignored),
	};

	return cmocka_run_group_tests(tests, th_group_setup, th_group_teardown);
}
