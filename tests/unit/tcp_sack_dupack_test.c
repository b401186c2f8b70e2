/*
 * What counts as a duplicate ACK with SACK on (RFC 6675 2 beside RFC 5681
 * 2): an ACK that SACKs new bytes counts even when the advertised window
 * changed; one that does not must leave the window alone to count. The peer
 * is tests/support/tcp_helper.c.
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

const char uk_app_name[] = "tcp_sack_dupack_test";

#define MSS 1460

static uint8_t bulk[16 * MSS];

/* A SACK connection from peer_port with six segments in flight from *base, none recorded. */
static struct net_socket *six_in_flight(uint16_t peer_port, struct th_conn *c, uint32_t *base)
{
	struct net_socket *s = th_open_sack_nodelay(peer_port, false, c);

	assert_int_equal(net_send(s, bulk, 6 * MSS, th_now()), 6 * MSS);
	*base = c->our_nxt;
	th_reset();
	return s;
}

/* A duplicate ACK at base with SACK blocks relative to it, advertising window wnd. */
static void dupack_sack_wnd(struct th_conn *c, uint32_t base, uint16_t wnd,
			    const uint32_t (*blocks)[2], unsigned int n)
{
	c->peer_wnd = wnd;
	th_conn_ack_sack(c, base, base, blocks, n);
}

/*
 * Linux's receive window moves while its reader drains it: three ACKs at
 * snd_una that each SACK new bytes are three duplicates all the same
 * (RFC 6675 2), and the lost segment is resent at once, not after the RTO.
 */
static void test_acks_sacking_new_bytes_are_duplicates_though_the_window_moves(void **state)
{
	struct th_conn c;
	uint32_t base;
	struct net_socket *s = six_in_flight(10101, &c, &base);
	static const uint32_t a[][2] = { { MSS, 2 * MSS } };
	static const uint32_t b[][2] = { { MSS, 3 * MSS } };
	static const uint32_t d[][2] = { { 4 * MSS, 5 * MSS }, { MSS, 3 * MSS } };

	(void)state;
	dupack_sack_wnd(&c, base, 64000, a, 1);
	dupack_sack_wnd(&c, base, 64500, b, 1);
	assert_int_equal(th_count(), 0);
	dupack_sack_wnd(&c, base, 65000, d, 2);
	assert_int_equal(th_count(), 1);
	assert_int_equal(th_get(0)->seq, base);
	assert_int_equal(th_get(0)->len, MSS);
	assert_true(s->stream.pcb->in_recovery);
	net_abort(s);
}

/* Without new SACK information, RFC 5681's rule stands: a moved window is no duplicate. */
static void test_window_updates_sacking_nothing_new_are_not_duplicates(void **state)
{
	struct th_conn c;
	uint32_t base;
	struct net_socket *s = six_in_flight(10102, &c, &base);
	static const uint32_t a[][2] = { { MSS, 3 * MSS } };

	(void)state;
	dupack_sack_wnd(&c, base, 64000, a, 1);
	dupack_sack_wnd(&c, base, 64500, a, 1);
	dupack_sack_wnd(&c, base, 65000, a, 1);
	dupack_sack_wnd(&c, base, 65500, a, 1);
	assert_int_equal(th_count(), 0);
	assert_false(s->stream.pcb->in_recovery);
	net_abort(s);
}

/*
 * An ACK that moves snd_una but SACKs more than 2 * MSS above it shows the
 * next segment lost (RFC 6675 IsLost): it is resent at once, though no
 * duplicate ACK came (a small window gives too few of them).
 */
static void test_new_ack_sacking_three_segments_above_a_hole_resends_it(void **state)
{
	struct th_conn c;
	uint32_t base;
	struct net_socket *s = six_in_flight(10103, &c, &base);
	static const uint32_t a[][2] = { { 2 * MSS, 5 * MSS } };

	(void)state;
	/* Segment 0 acknowledged, 1 lost, 2-4 held by the peer. */
	c.peer_wnd = 64000;
	th_conn_ack_sack(&c, base + MSS, base, a, 1);
	assert_true(th_count() >= 1);
	assert_int_equal(th_get(0)->seq, base + MSS);
	assert_int_equal(th_get(0)->len, MSS);
	assert_true(s->stream.pcb->in_recovery);
	net_abort(s);
}

#define T(f) TH_TEST(f)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_acks_sacking_new_bytes_are_duplicates_though_the_window_moves),
		T(test_window_updates_sacking_nothing_new_are_not_duplicates),
		T(test_new_ack_sacking_three_segments_above_a_hole_resends_it),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, th_group_setup, th_group_teardown);
}
