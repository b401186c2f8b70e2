/*
 * The receiver's out-of-order queue under a bulk sender's loss: a whole
 * window of full segments behind one hole is kept (contiguous arrivals
 * join one queued piece up to a bounded size, so the per-connection limit
 * on queued pieces, TCP_OOO_MAX_SEGS, is left for holes) and delivered
 * intact when the hole fills. Each arrival beyond the hole is answered at
 * once with the old ACK and a SACK block for it, the latest first.
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

const char uk_app_name[] = "tcp_ooo_run_test";

#define SEG 1000
#define SEGS 100 /* 100 kB: more segments than TCP_OOO_MAX_SEGS, within the 128 KiB buffer */

static struct net_socket *listener;
static uint8_t stream[(SEGS + 1) * SEG], got[(SEGS + 1) * SEG];

static void send_seg(const struct th_conn *c, uint32_t i)
{
	struct th_seg s = th_conn_seg(c, TH_ACK);

	s.seq = c->peer_nxt + i * SEG;
	s.data = stream + i * SEG;
	s.len = SEG;
	th_feed(&s);
}

static void test_a_window_of_segments_behind_one_hole_is_kept_and_delivered(void **state)
{
	struct th_conn c;
	struct net_socket *s = th_open_passive(listener, 80, 13001, 1000, true, &c);
	const struct tcp_pcb *pcb = s->stream.pcb;
	struct tcp_stats before, after;
	size_t n = 0;
	int rc;

	tcp_stats_get(&before);
	for (uint32_t i = 1; i <= SEGS; i++) { /* segment 0 is lost */
		unsigned int acks = th_count();

		send_seg(&c, i);
		assert_int_equal(th_count(), acks + 1); /* a duplicate ACK at once */
		assert_int_equal(th_last()->ack, c.peer_nxt);
	}
	assert_true(pcb->ooo_count < TCP_OOO_MAX_SEGS);
	assert_int_equal(pcb->ooo_bytes, SEGS * SEG);
	tcp_stats_get(&after);
	assert_int_equal(after.ooo_dropped, before.ooo_dropped);
	send_seg(&c, 0);
	assert_int_equal(th_last()->ack, c.peer_nxt + (SEGS + 1) * SEG);
	while (n < sizeof(got) && (rc = net_recv(s, got + n, sizeof(got) - n, th_now())) > 0)
		n += (size_t)rc;
	assert_int_equal(n, sizeof(got));
	assert_memory_equal(got, stream, sizeof(got));
	assert_null(pcb->ooo);
	net_abort(s);
}

static void test_sack_blocks_for_a_run_and_a_later_hole_put_the_latest_first(void **state)
{
	struct th_conn c;
	struct net_socket *s = th_open_passive_sack(listener, 13002, false, &c);

	send_seg(&c, 1);
	send_seg(&c, 2);
	send_seg(&c, 4); /* a second hole at 3 */
	assert_int_equal(th_last()->n_sack, 2);
	assert_int_equal(th_last()->sack[0][0], c.peer_nxt + 4 * SEG);
	assert_int_equal(th_last()->sack[0][1], c.peer_nxt + 5 * SEG);
	assert_int_equal(th_last()->sack[1][0], c.peer_nxt + SEG);
	assert_int_equal(th_last()->sack[1][1], c.peer_nxt + 3 * SEG);
	send_seg(&c, 3); /* the run 1-4 is one block */
	assert_int_equal(th_last()->n_sack, 1);
	assert_int_equal(th_last()->sack[0][0], c.peer_nxt + SEG);
	assert_int_equal(th_last()->sack[0][1], c.peer_nxt + 5 * SEG);
	net_abort(s);
}

static int group_setup(void **state)
{
	for (size_t i = 0; i < sizeof(stream); i++)
		stream[i] = (uint8_t)(i * 7 + i / 251);
	return th_group_listen(&listener);
}

#define T(f) cmocka_unit_test_setup_teardown(f, th_test_setup, th_test_teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_a_window_of_segments_behind_one_hole_is_kept_and_delivered),
		T(test_sack_blocks_for_a_run_and_a_later_hole_put_the_latest_first),
	};

	return cmocka_run_group_tests(tests, group_setup, th_group_teardown);
}
