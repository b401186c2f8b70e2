/*
 * The receiver's regular ACK deferred to the end of a netfront batch
 * (tcp_ack_after_batch, as Linux defers one while it processes a socket's
 * backlog): segments delivered together get one ACK, sent when the
 * scheduler runs after the batch, for all of them; an out-of-order segment
 * is still acknowledged at once (RFC 5681 4.2), and a lone segment still
 * waits for the delayed-ACK timer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "net/tcp_private.h"
#include "runtime/include/uk/boot.h"
#include "tests/support/tcp_helper.h"

const char uk_app_name[] = "tcp_ack_batch_test";

#define MSS 1448
#define GSO (20 * MSS) /* a receive-offload segment; two fit the first window (64 KiB) */

static struct net_socket *listener;
static uint8_t payload[GSO];

static struct net_socket *open_conn(uint16_t peer_port, struct th_conn *c)
{
	th_reset();
	return th_open_passive(listener, 80, peer_port, 1000, true, c);
}

static void test_segments_of_one_batch_get_one_ack_after_it(void **state)
{
	struct th_conn c;
	struct net_socket *s = open_conn(16001, &c);
	unsigned int n = th_count();

	(void)state;
	th_batch_begin();
	for (int i = 0; i < 2; i++)
		th_conn_send_gro(&c, payload, GSO);
	assert_int_equal(th_count(), n); /* nothing while the batch is input */
	th_batch_end();
	assert_int_equal(th_count(), n + 1);
	assert_int_equal(th_last()->ack, c.peer_nxt);
	assert_int_equal(th_last()->len, 0);
	net_abort(s);
}

static void test_full_sized_segments_of_one_batch_get_one_ack(void **state)
{
	struct th_conn c;
	struct net_socket *s = open_conn(16002, &c);
	unsigned int n = th_count();

	(void)state;
	th_batch_begin();
	for (int i = 0; i < 10; i++)
		th_conn_send(&c, payload, MSS);
	assert_int_equal(th_count(), n);
	th_batch_end();
	assert_int_equal(th_count(), n + 1);
	assert_int_equal(th_last()->ack, c.peer_nxt);
	net_abort(s);
}

static void test_a_segment_out_of_order_is_acknowledged_at_once_within_a_batch(void **state)
{
	struct th_conn c;
	struct net_socket *s = open_conn(16003, &c);
	unsigned int n = th_count();
	uint32_t expected = c.peer_nxt;

	(void)state;
	th_batch_begin();
	c.peer_nxt += MSS; /* a hole of one MSS */
	th_conn_send(&c, payload, MSS);
	assert_int_equal(th_count(), n + 1); /* the duplicate ACK did not wait */
	assert_int_equal(th_last()->ack, expected);
	th_batch_end();
	net_abort(s);
}

static void test_a_lone_segment_still_waits_for_the_delayed_ack(void **state)
{
	struct th_conn c;
	struct net_socket *s = open_conn(16004, &c);
	unsigned int n = th_count();

	(void)state;
	th_conn_send(&c, payload, 100); /* fed as a batch of its own */
	assert_int_equal(th_count(), n);
	th_sleep(TCP_DELACK_NS + TH_MS);
	assert_int_equal(th_count(), n + 1);
	assert_int_equal(th_last()->ack, c.peer_nxt);
	net_abort(s);
}

static int group_setup(void **state)
{
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 5);
	return th_group_listen(&listener);
}

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		TH_TEST(test_segments_of_one_batch_get_one_ack_after_it),
		TH_TEST(test_full_sized_segments_of_one_batch_get_one_ack),
		TH_TEST(test_a_segment_out_of_order_is_acknowledged_at_once_within_a_batch),
		TH_TEST(test_a_lone_segment_still_waits_for_the_delayed_ack),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, group_setup, th_group_teardown);
}
