/*
 * The socket API on UDP (net/socket.c): receiving, blocking with deadlines,
 * polling, closing, checked arguments.
 * (net_udp_fixture.h: the fixture.)
 */
#include "net_udp_fixture.h"

const char uk_app_name[] = "net_udp_socket_test";

/* --- receiving, blocking, polling, closing --- */

static void test_recvfrom_truncates_and_returns_the_full_length(void **state)
{
	struct net_socket *s = sock_bound(IP4_ANY, 8000);
	char buf[4];

	feed(1, 8000, "0123456789");
	assert_int_equal(recv_now(s, buf, sizeof(buf), NULL, NULL), 10);
	assert_memory_equal(buf, "0123", 4);
	assert_nothing_received(s); /* the rest is gone */
	net_close(s);
}

static void test_recvfrom_times_out_at_exactly_the_deadline(void **state)
{
	struct net_socket *s = sock_bound(IP4_ANY, 8001);
	uint64_t t0 = uk_now_ns();
	char buf[16];

	assert_int_equal(net_recvfrom(s, buf, sizeof(buf), NULL, NULL, t0 + 7 * MS),
			 -ETIMEDOUT);
	assert_int_equal(uk_now_ns(), t0 + 7 * MS);
	net_close(s);
}

struct feeder {
	uint64_t delay;
	uint16_t port;
};

static int feed_later(void *arg)
{
	struct feeder *f = arg;

	uk_sleep_ns(f->delay);
	feed(1, f->port, "late");
	return 0;
}

static void test_recvfrom_blocks_until_a_datagram_arrives(void **state)
{
	struct net_socket *s = sock_bound(IP4_ANY, 8002);
	struct feeder f = { .delay = 3 * MS, .port = 8002 };
	uint64_t t0 = uk_now_ns();
	struct uk_thread *t = uk_thread_create("feeder", feed_later, &f);
	char buf[16];

	assert_non_null(t);
	assert_int_equal(net_recvfrom(s, buf, sizeof(buf), NULL, NULL, 0), 4);
	assert_int_equal(uk_now_ns(), t0 + 3 * MS);
	uk_thread_join(t);
	net_close(s);
}

static void test_poll_wakes_for_the_socket_that_got_data(void **state)
{
	struct net_socket *a = sock_bound(IP4_ANY, 8010), *b = sock_bound(IP4_ANY, 8011);
	struct net_pollfd fds[2] = { { .s = a, .events = NET_POLLIN },
				     { .s = b, .events = NET_POLLIN } };
	struct feeder f = { .delay = 2 * MS, .port = 8011 };
	uint64_t t0 = uk_now_ns();
	struct uk_thread *t = uk_thread_create("feeder", feed_later, &f);

	assert_non_null(t);
	assert_int_equal(net_poll(fds, 2, t0 + 50 * MS), 1);
	assert_int_equal(uk_now_ns(), t0 + 2 * MS);
	assert_int_equal(fds[0].revents, 0);
	assert_int_equal(fds[1].revents, NET_POLLIN);
	uk_thread_join(t);
	net_close(a);
	net_close(b);
}

static void test_poll_times_out_at_exactly_the_deadline(void **state)
{
	struct net_socket *a = sock_bound(IP4_ANY, 8020), *b = sock_bound(IP4_ANY, 8021);
	struct net_pollfd fds[2] = { { .s = a, .events = NET_POLLIN },
				     { .s = b, .events = NET_POLLIN } };
	uint64_t t0 = uk_now_ns();

	assert_int_equal(net_poll(fds, 2, t0 + 9 * MS), -ETIMEDOUT);
	assert_int_equal(uk_now_ns(), t0 + 9 * MS);
	assert_int_equal(fds[0].revents, 0);
	assert_int_equal(fds[1].revents, 0);
	net_close(a);
	net_close(b);
}

static void test_poll_reports_ready_sockets_at_once(void **state)
{
	struct net_socket *a = sock_bound(IP4_ANY, 8030), *b = sock_bound(IP4_ANY, 8031);
	struct net_pollfd fds[2] = { { .s = a, .events = NET_POLLIN | NET_POLLOUT },
				     { .s = b, .events = NET_POLLIN } };
	uint64_t t0 = uk_now_ns();

	/* A datagram socket can always send. */
	assert_int_equal(net_poll(fds, 2, 0), 1);
	assert_int_equal(fds[0].revents, NET_POLLOUT);
	assert_int_equal(fds[1].revents, 0);
	/* An error waiting counts as readable. */
	assert_int_equal(net_sendto(b, "x", 1, PEER_IP, 9), 1);
	feed_icmp_error_about_sent(3, 3);
	assert_int_equal(net_poll(fds + 1, 1, 0), 1);
	assert_int_equal(fds[1].revents, NET_POLLIN);
	assert_int_equal(uk_now_ns(), t0);
	net_close(a);
	net_close(b);
}

struct blocked {
	struct net_socket *s;
	struct net_pollfd fd;
	int rc;
};

static int recv_forever(void *arg)
{
	struct blocked *b = arg;
	char buf[16];

	b->rc = net_recvfrom(b->s, buf, sizeof(buf), NULL, NULL, 0);
	return 0;
}

static int poll_forever(void *arg)
{
	struct blocked *b = arg;

	b->rc = net_poll(&b->fd, 1, 0);
	return 0;
}

static void test_close_wakes_a_blocked_receiver_with_ebadf(void **state)
{
	struct blocked b = { .s = sock_bound(IP4_ANY, 8040), .rc = 1 };
	struct uk_thread *t = uk_thread_create("receiver", recv_forever, &b);

	assert_non_null(t);
	uk_yield(); /* it blocks */
	assert_int_equal(b.rc, 1);
	assert_int_equal(net_close(b.s), 0);
	uk_thread_join(t);
	assert_int_equal(b.rc, -EBADF);
}

static void test_close_wakes_a_blocked_poller_with_ebadf(void **state)
{
	struct blocked b = { .s = sock_bound(IP4_ANY, 8041), .rc = 1 };
	struct uk_thread *t;

	b.fd = (struct net_pollfd){ .s = b.s, .events = NET_POLLIN };
	t = uk_thread_create("poller", poll_forever, &b);
	assert_non_null(t);
	uk_yield();
	assert_int_equal(b.rc, 1);
	assert_int_equal(net_close(b.s), 0);
	uk_thread_join(t);
	assert_int_equal(b.rc, -EBADF);
}

static void test_close_frees_queued_datagrams_and_the_port(void **state)
{
	struct net_socket *s = sock_bound(IP4_ANY, 8050);

	feed(1, 8050, "one");
	feed(1, 8050, "two");
	net_close(s); /* the teardown checks the heap */
	s = sock_bound(IP4_ANY, 8050);
	net_close(s);
}

static void test_a_full_receive_queue_drops_and_counts(void **state)
{
	struct net_socket *s = sock_bound(IP4_ANY, 8060);
	char buf[16];

	for (int i = 0; i < NET_DGRAM_QUEUE_MAX + 6; i++)
		feed(1, 8060, "fill");
	assert_int_equal(s->dgram.count, NET_DGRAM_QUEUE_MAX);
	assert_int_equal(s->dgram.dropped, 6);
	for (int i = 0; i < NET_DGRAM_QUEUE_MAX; i++)
		assert_int_equal(recv_now(s, buf, sizeof(buf), NULL, NULL), 4);
	assert_nothing_received(s);
	/* With room again, datagrams are queued again. */
	feed(1, 8060, "more");
	assert_received(s, "more", 1);
	net_close(s);
}

static void test_calls_check_their_arguments(void **state)
{
	struct net_socket *s;

	assert_int_equal(net_socket((enum net_socket_type)42, &s), -EINVAL);
	assert_null(s);
	assert_int_equal(net_socket(NET_SOCK_DGRAM, &s), 0);
	assert_int_equal(net_sendto(s, "x", 1, PEER_IP, 0), -EINVAL);
	assert_int_equal(net_sendto(s, "x", 65536 - 28, PEER_IP, 9), -EMSGSIZE);
	assert_int_equal(net_close(NULL), -EBADF);
	assert_int_equal(net_close(s), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_recvfrom_truncates_and_returns_the_full_length),
		T(test_recvfrom_times_out_at_exactly_the_deadline),
		T(test_recvfrom_blocks_until_a_datagram_arrives),
		T(test_poll_wakes_for_the_socket_that_got_data),
		T(test_poll_times_out_at_exactly_the_deadline),
		T(test_poll_reports_ready_sockets_at_once),
		T(test_close_wakes_a_blocked_receiver_with_ebadf),
		T(test_close_wakes_a_blocked_poller_with_ebadf),
		T(test_close_frees_queued_datagrams_and_the_port),
		T(test_a_full_receive_queue_drops_and_counts),
		T(test_calls_check_their_arguments),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
