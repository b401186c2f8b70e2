/*
 * A datagram for a reader blocked on an empty queue goes straight into its
 * buffer (net/socket.c, net_dgram_enqueue): what the reader sees is what a
 * queued datagram gives, nothing is lost or reordered.
 * (net_udp_fixture.h: the fixture.)
 */
#include "net_udp_fixture.h"

const char uk_app_name[] = "net_udp_handoff_test";

struct feeder {
	uint64_t delay;
	uint16_t port;
	const char *texts[3];
};

/* Sleeps f->delay, then feeds f->texts from the peer's port 4000 + i, at once. */
static int feed_later(void *arg)
{
	struct feeder *f = arg;

	uk_sleep_ns(f->delay);
	for (unsigned int i = 0; i < 3 && f->texts[i]; i++)
		feed((uint16_t)(4000 + i), f->port, f->texts[i]);
	return 0;
}

static void test_a_blocked_reader_gets_the_source_and_a_truncated_copy(void **state)
{
	struct net_socket *s = sock_bound(IP4_ANY, 8100);
	struct feeder f = { .delay = 2 * MS, .port = 8100, .texts = { "0123456789" } };
	struct uk_thread *t = uk_thread_create("feeder", feed_later, &f);
	ip4_addr_t src = 0;
	uint16_t port = 0;
	char buf[4];

	assert_non_null(t);
	assert_int_equal(net_recvfrom(s, buf, sizeof(buf), &src, &port, 0), 10);
	assert_memory_equal(buf, "0123", 4);
	assert_int_equal(src, PEER_IP);
	assert_int_equal(port, 4000);
	uk_thread_join(t);
	assert_nothing_received(s); /* the rest is gone, nothing queued */
	net_close(s);
}

static void test_datagrams_behind_the_handed_off_one_queue_in_order(void **state)
{
	struct net_socket *s = sock_bound(IP4_ANY, 8101);
	struct feeder f = { .delay = 2 * MS, .port = 8101, .texts = { "one", "two", "three" } };
	struct uk_thread *t = uk_thread_create("feeder", feed_later, &f);
	char buf[16] = "";

	assert_non_null(t);
	assert_int_equal(net_recvfrom(s, buf, sizeof(buf), NULL, NULL, 0), 3);
	assert_memory_equal(buf, "one", 3);
	uk_thread_join(t);
	assert_received(s, "two", 4001);
	assert_received(s, "three", 4002);
	assert_nothing_received(s);
	net_close(s);
}

static void test_a_datagram_arriving_at_the_deadline_is_not_lost(void **state)
{
	struct net_socket *s = sock_bound(IP4_ANY, 8102);
	struct feeder f = { .delay = 5 * MS, .port = 8102, .texts = { "edge" } };
	uint64_t t0 = uk_now_ns();
	struct uk_thread *t = uk_thread_create("feeder", feed_later, &f);
	char buf[16] = "";
	int rc;

	assert_non_null(t);
	rc = net_recvfrom(s, buf, sizeof(buf), NULL, NULL, t0 + 5 * MS);
	uk_thread_join(t);
	if (rc == -ETIMEDOUT) /* the deadline won: the datagram waits in the queue */
		assert_received(s, "edge", 4000);
	else
		assert_int_equal(rc, 4);
	assert_nothing_received(s);
	net_close(s);
}

struct reader {
	struct net_socket *s;
	char buf[16];
	int rc;
};

static int read_one(void *arg)
{
	struct reader *r = arg;

	r->rc = net_recvfrom(r->s, r->buf, sizeof(r->buf), NULL, NULL, 0);
	return 0;
}

static void test_two_blocked_readers_get_one_datagram_each(void **state)
{
	struct net_socket *s = sock_bound(IP4_ANY, 8103);
	struct reader a = { .s = s }, b = { .s = s };
	struct uk_thread *ta = uk_thread_create("reader a", read_one, &a);
	struct uk_thread *tb = uk_thread_create("reader b", read_one, &b);
	struct feeder f = { .delay = 2 * MS, .port = 8103, .texts = { "aaaa", "bbbb" } };
	struct uk_thread *tf = uk_thread_create("feeder", feed_later, &f);

	assert_non_null(ta);
	assert_non_null(tb);
	assert_non_null(tf);
	uk_thread_join(tf);
	uk_thread_join(ta);
	uk_thread_join(tb);
	assert_int_equal(a.rc, 4);
	assert_int_equal(b.rc, 4);
	assert_true((!memcmp(a.buf, "aaaa", 4) && !memcmp(b.buf, "bbbb", 4)) ||
		    (!memcmp(a.buf, "bbbb", 4) && !memcmp(b.buf, "aaaa", 4)));
	assert_nothing_received(s);
	net_close(s);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_a_blocked_reader_gets_the_source_and_a_truncated_copy),
		T(test_datagrams_behind_the_handed_off_one_queue_in_order),
		T(test_a_datagram_arriving_at_the_deadline_is_not_lost),
		T(test_two_blocked_readers_get_one_datagram_each),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
