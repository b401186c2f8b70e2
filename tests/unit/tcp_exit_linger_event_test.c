/*
 * TCP's exit hook (tcp_linger_at_exit, net/tcp.c) when uk_exit is called
 * outside a thread, from a timer callback or an event handler, where
 * nothing may sleep (runtime/sched.c panics): it reports the closed
 * connection still sending and returns at once instead of waiting. The
 * peer is tests/support/tcp_helper.c.
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
#include "runtime/include/uk/time.h"
#include "runtime/include/uk/timer.h"
#include "tests/support/tcp_helper.h"

const char uk_app_name[] = "tcp_exit_linger_event_test";

static struct net_socket *listener;
static uint8_t data[1000];
static uint64_t fired_at, returned_at;

/* As an application's timer that ends the domain would: uk_exit's hooks run here. */
static void exit_from_timer(struct uk_timer *t, void *arg)
{
	(void)t;
	(void)arg;
	fired_at = uk_now_ns();
	tcp_linger_at_exit();
	returned_at = uk_now_ns();
}

static void test_exit_from_a_timer_callback_does_not_wait_or_crash(void **state)
{
	struct th_conn c;
	struct net_socket *s = th_open_passive_sack(listener, 15001, false, &c);
	struct uk_timer timer;
	struct th_seg rst;

	c.peer_wnd = 64000;
	assert_int_equal(net_send(s, data, sizeof(data), th_now()), sizeof(data));
	net_close(s); /* the data and the FIN are not acknowledged */
	fired_at = returned_at = 0;
	uk_timer_init(&timer, exit_from_timer, NULL);
	uk_timer_arm_at(&timer, th_now() + TH_MS);
	th_sleep(10 * TH_MS);
	assert_int_not_equal(fired_at, 0);
	assert_int_equal(returned_at, fired_at);
	/* The peer resets the orphan, so that the listener is all that is left. */
	rst = th_conn_seg(&c, TH_RST | TH_ACK);
	th_feed(&rst);
	assert_int_equal(tcp_pcb_count(), 1);
}

static int group_setup(void **state)
{
	return th_group_listen(&listener);
}

#define T(f) cmocka_unit_test_setup_teardown(f, th_test_setup, th_test_teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_exit_from_a_timer_callback_does_not_wait_or_crash),
	};

	return cmocka_run_group_tests(tests, group_setup, th_group_teardown);
}
