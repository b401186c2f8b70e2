/*
 * The domain ends with the application, so TCP's exit hook
 * (tcp_linger_at_exit, net/tcp.c) gives connections the application closed
 * time to deliver what they still hold: exit waits until the peer has
 * acknowledged the data and the FIN, and no longer than TCP_EXIT_LINGER_NS
 * when it never does. Exact guest times under the virtual clock.
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

const char uk_app_name[] = "tcp_exit_linger_test";

static struct net_socket *listener;
static uint8_t data[1000];
static uint64_t linger_end;

static int linger_thread(void *arg)
{
	(void)arg;
	tcp_linger_at_exit();
	linger_end = th_now();
	return 0;
}

/* A connection the application closed with 1000 bytes and its FIN unacknowledged. */
static void closed_with_data(uint16_t peer_port, struct th_conn *c)
{
	struct net_socket *s = th_open_passive_sack(listener, peer_port, false, c);

	c->peer_wnd = 64000;
	assert_int_equal(net_send(s, data, sizeof(data), th_now()), sizeof(data));
	net_close(s);
	linger_end = 0;
}

/* The peer resets the orphan, so that the next test starts with none. */
static void peer_resets(struct th_conn *c)
{
	struct th_seg rst = th_conn_seg(c, TH_RST | TH_ACK);

	th_feed(&rst);
	assert_int_equal(tcp_pcb_count(), 1); /* the listener */
}

static void test_exit_waits_until_a_closed_connection_is_acknowledged(void **state)
{
	struct th_conn c;
	struct uk_thread *t;
	uint64_t t0;

	closed_with_data(14001, &c);
	t0 = th_now();
	assert_non_null(t = uk_thread_create("linger", linger_thread, NULL));
	th_sleep(100 * TH_MS);
	assert_int_equal(linger_end, 0); /* still waiting */
	c.our_nxt += sizeof(data) + 1;   /* the data and the FIN */
	th_conn_ack(&c);
	assert_int_equal(uk_thread_join(t), 0);
	assert_true(linger_end >= t0 + 100 * TH_MS);
	assert_true(linger_end <= t0 + 102 * TH_MS);
	peer_resets(&c);
}

static void test_exit_gives_up_on_a_peer_that_never_acknowledges(void **state)
{
	struct th_conn c;
	struct uk_thread *t;
	uint64_t t0;

	closed_with_data(14002, &c);
	t0 = th_now();
	assert_non_null(t = uk_thread_create("linger", linger_thread, NULL));
	assert_int_equal(uk_thread_join(t), 0);
	assert_true(linger_end >= t0 + TCP_EXIT_LINGER_NS);
	assert_true(linger_end <= t0 + TCP_EXIT_LINGER_NS + 2 * TH_MS);
	peer_resets(&c);
}

static void test_exit_does_not_wait_for_connections_the_application_keeps(void **state)
{
	struct th_conn c;
	struct net_socket *s = th_open_passive_sack(listener, 14003, false, &c);
	struct uk_thread *t;
	uint64_t t0 = th_now();

	c.peer_wnd = 64000;
	assert_int_equal(net_send(s, data, sizeof(data), th_now()), sizeof(data));
	linger_end = 0;
	assert_non_null(t = uk_thread_create("linger", linger_thread, NULL));
	assert_int_equal(uk_thread_join(t), 0);
	assert_true(linger_end <= t0 + TH_MS);
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
		T(test_exit_waits_until_a_closed_connection_is_acknowledged),
		T(test_exit_gives_up_on_a_peer_that_never_acknowledges),
		T(test_exit_does_not_wait_for_connections_the_application_keeps),
	};

	return cmocka_run_group_tests(tests, group_setup, th_group_teardown);
}
