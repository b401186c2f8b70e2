/*
 * A listener's SYN queue under a flood, and its order when children leave
 * it from any place: a flood of 5000 SYNs on a listener with the largest
 * backlog (1024, so 2048 half-open connections) leaves memory where a full
 * queue put it, evicts the oldest half-open connection for each new SYN,
 * and an established connection's data is answered throughout. The peer is
 * tests/support/tcp_helper.c.
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

const char uk_app_name[] = "tcp_synq_test";

#define FLOOD_PORT 81
#define FLOOD_SYNS 5000
#define FLOOD_FIRST_SPORT 10000
#define BIG_BACKLOG 1024
#define BIG_SYN_QUEUE (2 * BIG_BACKLOG)

static struct net_socket *listener; /* the fixture's, on port 80, backlog 8 */

static struct net_socket *listen_on(uint16_t port, unsigned int backlog)
{
	struct net_socket *l;

	assert_int_equal(net_socket(NET_SOCK_STREAM, &l), 0);
	assert_int_equal(net_bind(l, IP4_ANY, port), 0);
	assert_int_equal(net_listen(l, backlog), 0);
	return l;
}

/* A flood SYN from sport; returns the ISS of the guest's SYN-ACK. */
static uint32_t flood_syn(uint16_t dport, uint16_t sport)
{
	struct th_seg syn = { .sport = sport, .dport = dport, .seq = 1, .flags = TH_SYN,
			      .wnd = 9000 };

	th_reset();
	th_feed(&syn);
	assert_int_equal(th_count(), 1);
	assert_int_equal(th_last()->flags, TH_SYN | TH_ACK);
	assert_int_equal(th_last()->dport, sport);
	return th_last()->seq;
}

/* The peer of sport ACKs the SYN-ACK whose ISS was iss; returns the guest's answer flags. */
static int ack_handshake(uint16_t dport, uint16_t sport, uint32_t iss)
{
	struct th_seg ack = { .sport = sport, .dport = dport, .seq = 2, .ack = iss + 1,
			      .flags = TH_ACK, .wnd = 9000 };

	th_reset();
	th_feed(&ack);
	return th_count() ? th_last()->flags : 0;
}

/* The peer sends a request on c; the app answers it; the answer leaves at once. */
static void request_is_answered(struct net_socket *s, struct th_conn *c, unsigned int round)
{
	char req[] = "ping ?", buf[16];
	int n = (int)strlen(req);

	req[5] = (char)('a' + round % 26);

	th_conn_send(c, req, (size_t)n);
	assert_int_equal(net_recv(s, buf, sizeof(buf), th_now()), n);
	assert_memory_equal(buf, req, (size_t)n);
	th_reset();
	buf[1] = 'o';
	assert_int_equal(net_send(s, buf, (size_t)n, th_now()), n);
	assert_int_equal(th_count(), 1);
	assert_int_equal(th_last()->dport, c->peer_port);
	assert_int_equal(th_last()->len, n);
	assert_memory_equal(th_last()->data, buf, (size_t)n);
	assert_int_equal(th_last()->ack, c->peer_nxt);
	c->our_nxt += (uint32_t)n;
	th_conn_ack(c);
}

static void test_a_5000_syn_flood_on_backlog_1024_stays_bounded_and_serves_a_connection(
	void **state)
{
	struct net_socket *l = listen_on(FLOOD_PORT, BIG_BACKLOG), *s, *late;
	struct tcp_stats before, after;
	struct uk_mem_stats full, end;
	struct th_conn c;
	uint32_t first_iss = 0, last_iss = 0;

	s = th_open_passive(l, FLOOD_PORT, 9100, 1000, false, &c);
	assert_int_equal(net_setsockopt(s, NET_OPT_NODELAY, 1), 0);
	tcp_stats_get(&before);
	for (unsigned int i = 0; i < FLOOD_SYNS; i++) {
		last_iss = flood_syn(FLOOD_PORT, (uint16_t)(FLOOD_FIRST_SPORT + i));
		if (i == 0)
			first_iss = last_iss;
		if (i + 1 == BIG_SYN_QUEUE)
			uk_mem_stats(&full);
		if (i % 1000 == 999)
			request_is_answered(s, &c, i / 1000);
	}
	uk_mem_stats(&end);
	tcp_stats_get(&after);
	/* Both listeners, the connection, and a full SYN queue: no more. */
	assert_int_equal(tcp_pcb_count(), 3 + BIG_SYN_QUEUE);
	assert_int_equal(after.syn_queue_dropped - before.syn_queue_dropped,
			 FLOOD_SYNS - BIG_SYN_QUEUE);
	/* The 2952 SYNs past a full queue each replaced a pcb: the heap did not grow. */
	assert_true(end.heap_blocks <= full.heap_blocks);
	assert_true(end.heap_bytes_used <= full.heap_bytes_used);
	request_is_answered(s, &c, FLOOD_SYNS);

	/* The oldest were evicted: the first flooder's right ACK finds no connection. */
	assert_int_equal(ack_handshake(FLOOD_PORT, FLOOD_FIRST_SPORT, first_iss), TH_RST);
	/* The newest is still half-open: its ACK completes the handshake. */
	assert_int_equal(ack_handshake(FLOOD_PORT, FLOOD_FIRST_SPORT + FLOOD_SYNS - 1, last_iss),
			 0);
	assert_int_equal(net_accept(l, &late, th_now()), 0);
	net_abort(late);
	net_abort(s);
	net_close(l); /* and its 2047 half-open children go with it */
}

/*
 * Children leave the SYN queue from its head (evicted), its tail (reset)
 * and its middle (reset, or established into the accept queue); what stays
 * keeps its order, and new SYNs join at the end.
 */
static void test_syn_queue_keeps_its_order_when_children_leave_from_any_place(void **state)
{
	struct net_socket *l = listen_on(FLOOD_PORT, 1), *a;
	ip4_addr_t addr;
	uint16_t port;
	uint32_t iss[TCP_SYN_QUEUE_MIN + 4];
	struct th_seg rst = { .dport = FLOOD_PORT, .seq = 2, .flags = TH_RST, .wnd = 0 };
	unsigned int n = TCP_SYN_QUEUE_MIN, i;

	for (i = 0; i < n; i++)
		iss[i] = flood_syn(FLOOD_PORT, (uint16_t)(FLOOD_FIRST_SPORT + i));
	/* The tail and one in the middle reset; the second finishes its handshake. */
	rst.sport = (uint16_t)(FLOOD_FIRST_SPORT + n - 1);
	th_feed(&rst);
	rst.sport = FLOOD_FIRST_SPORT + 30;
	th_feed(&rst);
	assert_int_equal(ack_handshake(FLOOD_PORT, FLOOD_FIRST_SPORT + 1, iss[1]), 0);
	assert_int_equal(tcp_pcb_count(), 2 + n - 2);
	/* Four new SYNs: room for three, then the oldest (the first) is evicted. */
	for (i = n; i < n + 4; i++)
		iss[i] = flood_syn(FLOOD_PORT, (uint16_t)(FLOOD_FIRST_SPORT + i));
	assert_int_equal(tcp_pcb_count(), 2 + n + 1);
	assert_int_equal(ack_handshake(FLOOD_PORT, FLOOD_FIRST_SPORT, iss[0]), TH_RST);
	/* Two more: the third and the fourth go, not the accepted second. */
	for (i = 0; i < 2; i++)
		(void)flood_syn(FLOOD_PORT, (uint16_t)(FLOOD_FIRST_SPORT + 100 + i));
	assert_int_equal(ack_handshake(FLOOD_PORT, FLOOD_FIRST_SPORT + 2, iss[2]), TH_RST);
	assert_int_equal(ack_handshake(FLOOD_PORT, FLOOD_FIRST_SPORT + 3, iss[3]), TH_RST);
	assert_int_equal(tcp_pcb_count(), 2 + n + 1);
	/* The one that finished its handshake waited in the accept queue. */
	assert_int_equal(net_accept(l, &a, th_now()), 0);
	assert_int_equal(net_getpeername(a, &addr, &port), 0);
	assert_int_equal(port, FLOOD_FIRST_SPORT + 1);
	net_abort(a);
	/* The last one queued, behind the ones that left, still completes. */
	assert_int_equal(ack_handshake(FLOOD_PORT, FLOOD_FIRST_SPORT + n + 3, iss[n + 3]), 0);
	assert_int_equal(net_accept(l, &a, th_now()), 0);
	net_abort(a);
	net_close(l);
}

static int group_setup(void **state)
{
	(void)state;
	return th_group_listen(&listener);
}

#define T(f) cmocka_unit_test_setup_teardown(f, th_test_setup, th_test_teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_a_5000_syn_flood_on_backlog_1024_stays_bounded_and_serves_a_connection),
		T(test_syn_queue_keeps_its_order_when_children_leave_from_any_place),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, group_setup, th_group_teardown);
}
