/*
 * Receiving straight into a waiting reader (net/socket.c net_recv,
 * net/tcp_in.c tcp_data_to_reader): a thread blocked in net_recv on a TCP
 * socket with nothing to read takes in-order data into its own buffer, not
 * through the socket's ring. Checked here: the bytes and their order (a
 * small buffer, several segments before the reader runs, data out of
 * order, two readers), the end of the stream (FIN, RST, close, a deadline)
 * while a reader waits, and that the window and the receive buffer's
 * auto-tuning come out exactly as when the app reads from the ring. The
 * peer is tests/support/tcp_helper.c's.
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
#include "tcp_upload_fixture.h"

const char uk_app_name[] = "tcp_rx_direct_test";

#define MSS 1448             /* 1460 less the timestamp option */
#define GSO (45 * MSS)       /* a receive-offload segment, as Linux's GRO makes */
#define RTT (10 * TH_MS)
#define BIG (8u << 20)       /* a reader's buffer larger than TCP_RCVBUF_AUTO_MAX */

static struct net_socket *listener;
static uint8_t stream[4 * GSO]; /* the peer's byte stream, from its first byte */
static uint8_t big[BIG];
static uint8_t sink[4 * GSO];

/* A thread blocked in net_recv; rc once it returned. */
struct reader {
	struct net_socket *s;
	uint8_t *buf;
	size_t len;
	uint64_t deadline_ns;
	int rc;
	bool done;
	struct uk_thread *t;
};

static int reader_main(void *arg)
{
	struct reader *r = arg;

	r->rc = net_recv(r->s, r->buf, r->len, r->deadline_ns);
	r->done = true;
	return 0;
}

/* Starts a reader of len bytes into buf and lets it block. */
static void reader_start(struct reader *r, struct net_socket *s, uint8_t *buf, size_t len,
			 uint64_t deadline_ns)
{
	memset(r, 0, sizeof(*r));
	r->s = s;
	r->buf = buf;
	r->len = len;
	r->deadline_ns = deadline_ns;
	r->t = uk_thread_create("reader", reader_main, r);
	assert_non_null(r->t);
	uk_yield();
	assert_false(r->done); /* nothing to read: it waits */
}

/* Waits for the reader to return; its rc. */
static int reader_join(struct reader *r)
{
	uk_thread_join(r->t);
	assert_true(r->done);
	return r->rc;
}

static struct net_socket *open_conn(uint16_t peer_port, struct th_conn *c)
{
	struct net_socket *s;

	th_reset();
	s = th_open_passive(listener, 80, peer_port, 1000, true, c);
	c->peer_wnd = 65535;
	return s;
}

/* The peer sends stream bytes [off, off + len) in one segment (a GRO one when long). */
static void send_at(struct th_conn *c, uint32_t base, size_t off, size_t len)
{
	c->peer_nxt = base + (uint32_t)off;
	if (len > MSS)
		th_conn_send_gro(c, stream + off, len);
	else
		th_conn_send(c, stream + off, len);
}

/* What the app reads now without waiting, appended at sink + off; the new total. */
static size_t read_now(struct net_socket *s, size_t off)
{
	int n;

	while ((n = net_recv(s, sink + off, sizeof(sink) - off, th_now())) > 0)
		off += (size_t)n;
	assert_true(n == -ETIMEDOUT);
	return off;
}

static void test_a_waiting_reader_gets_in_order_data_straight_into_its_buffer(void **state)
{
	struct th_conn c;
	struct net_socket *s = open_conn(17001, &c);
	uint32_t base = c.peer_nxt;
	uint64_t direct = tcp_stats.rcv_direct_bytes;
	struct reader r;

	reader_start(&r, s, sink, sizeof(sink), 0);
	send_at(&c, base, 0, 40000);
	/* Taken by the reader as it arrived, nothing in the ring; unread until it returns. */
	assert_int_equal(s->stream.pcb->rcvq.len, 0);
	assert_int_equal(s->stream.pcb->rcv_direct, 40000);
	assert_int_equal(tcp_stats.rcv_direct_bytes - direct, 40000);
	assert_int_equal(th_last()->ack, base + 40000);
	assert_int_equal(reader_join(&r), 40000);
	assert_memory_equal(sink, stream, 40000);
	assert_int_equal(s->stream.pcb->rcv_direct, 0);
	net_abort(s);
}

static void test_a_small_reader_takes_its_fill_and_the_rest_queues_behind(void **state)
{
	struct th_conn c;
	struct net_socket *s = open_conn(17002, &c);
	uint32_t base = c.peer_nxt;
	uint64_t direct = tcp_stats.rcv_direct_bytes;
	struct reader r;
	size_t got;

	reader_start(&r, s, sink, 1000, 0);
	send_at(&c, base, 0, 5000);
	assert_int_equal(tcp_stats.rcv_direct_bytes - direct, 1000);
	assert_int_equal(s->stream.pcb->rcvq.len, 4000);
	/* The reader is full: what comes next queues behind the rest, in order. */
	send_at(&c, base, 5000, 3000);
	assert_int_equal(tcp_stats.rcv_direct_bytes - direct, 1000);
	assert_int_equal(reader_join(&r), 1000);
	got = read_now(s, 1000);
	assert_int_equal(got, 8000);
	assert_memory_equal(sink, stream, 8000);
	net_abort(s);
}

static void test_a_waiting_reader_takes_segments_until_it_runs(void **state)
{
	struct th_conn c;
	struct net_socket *s = open_conn(17003, &c);
	uint32_t base = c.peer_nxt;
	struct reader r;

	reader_start(&r, s, sink, 10000, 0);
	send_at(&c, base, 0, 3000);
	send_at(&c, base, 3000, 1000);
	send_at(&c, base, 4000, 1000);
	/* Its buffer ends inside the next: its first 5000 bytes to it, the rest to the ring. */
	send_at(&c, base, 5000, 8000);
	assert_int_equal(s->stream.pcb->rcvq.len, 3000);
	assert_int_equal(reader_join(&r), 10000);
	assert_int_equal(read_now(s, 10000), 13000);
	assert_memory_equal(sink, stream, 13000);
	net_abort(s);
}

static void test_out_of_order_data_waits_for_the_hole_and_never_overtakes_it(void **state)
{
	struct th_conn c;
	struct net_socket *s = open_conn(17004, &c);
	uint32_t base = c.peer_nxt;
	uint64_t direct = tcp_stats.rcv_direct_bytes;
	struct reader r;

	reader_start(&r, s, sink, sizeof(sink), 0);
	send_at(&c, base, 1000, 2000); /* beyond a hole: kept aside, the reader still waits */
	uk_yield();
	assert_false(r.done);
	assert_int_equal(tcp_stats.rcv_direct_bytes, direct);
	send_at(&c, base, 0, 1000); /* the hole: to the reader; what waited behind it to the ring */
	assert_int_equal(tcp_stats.rcv_direct_bytes - direct, 1000);
	assert_int_equal(s->stream.pcb->rcvq.len, 2000);
	/* The ring holds bytes: the next segment follows them, not the reader's. */
	send_at(&c, base, 3000, 500);
	assert_int_equal(tcp_stats.rcv_direct_bytes - direct, 1000);
	assert_int_equal(reader_join(&r), 1000);
	assert_int_equal(read_now(s, 1000), 3500);
	assert_memory_equal(sink, stream, 3500);
	net_abort(s);
}

static void test_a_fin_while_a_reader_waits_ends_the_stream_after_its_data(void **state)
{
	struct th_conn c;
	struct net_socket *s = open_conn(17005, &c);
	struct th_seg fin = th_conn_seg(&c, TH_ACK | TH_PSH | TH_FIN);
	struct reader r;

	reader_start(&r, s, sink, sizeof(sink), 0);
	fin.data = stream;
	fin.len = 700;
	th_feed(&fin);
	assert_int_equal(reader_join(&r), 700);
	assert_memory_equal(sink, stream, 700);
	assert_int_equal(net_recv(s, sink, sizeof(sink), th_now()), 0);
	net_abort(s);

	/* A FIN alone, a reader waiting: the end of the stream. */

	s = open_conn(17006, &c);
	reader_start(&r, s, sink, sizeof(sink), 0);
	fin = th_conn_seg(&c, TH_ACK | TH_FIN);
	th_feed(&fin);
	assert_int_equal(reader_join(&r), 0);
	net_abort(s);
}

static void test_a_reset_while_a_reader_waits_is_reported_to_it(void **state)
{
	struct th_conn c;
	struct net_socket *s = open_conn(17007, &c);
	struct th_seg rst = th_conn_seg(&c, TH_RST | TH_ACK);
	struct reader r;

	reader_start(&r, s, sink, sizeof(sink), 0);
	th_feed(&rst);
	assert_int_equal(reader_join(&r), -ECONNRESET);
	assert_int_equal(net_recv(s, sink, sizeof(sink), th_now()), 0);
	net_close(s);
}

static void test_two_waiting_readers_get_the_bytes_once_and_in_order(void **state)
{
	struct th_conn c;
	struct net_socket *s = open_conn(17008, &c);
	uint32_t base = c.peer_nxt;
	uint64_t direct = tcp_stats.rcv_direct_bytes;
	static uint8_t second[4000];
	struct reader a, b;

	reader_start(&a, s, sink, 1000, 0);
	reader_start(&b, s, second, sizeof(second), 0); /* waits for the ring */
	send_at(&c, base, 0, 3000);
	assert_int_equal(tcp_stats.rcv_direct_bytes - direct, 1000);
	assert_int_equal(reader_join(&a), 1000);
	assert_int_equal(reader_join(&b), 2000);
	assert_memory_equal(sink, stream, 1000);
	assert_memory_equal(second, stream + 1000, 2000);
	net_abort(s);
}

static void test_a_reader_past_its_deadline_leaves_later_data_in_the_ring(void **state)
{
	struct th_conn c;
	struct net_socket *s = open_conn(17009, &c);
	uint32_t base = c.peer_nxt;
	uint64_t direct = tcp_stats.rcv_direct_bytes;
	struct reader r;

	reader_start(&r, s, big, 1000, th_now() + 50 * TH_MS);
	assert_int_equal(reader_join(&r), -ETIMEDOUT);
	send_at(&c, base, 0, 800); /* nobody waits: its buffer is not written */
	assert_int_equal(tcp_stats.rcv_direct_bytes, direct);
	assert_int_equal(s->stream.pcb->rcvq.len, 800);
	assert_int_equal(read_now(s, 0), 800);
	assert_memory_equal(sink, stream, 800);
	net_abort(s);
}

static int close_main(void *arg)
{
	net_close(arg);
	return 0;
}

static void test_closing_the_socket_under_a_waiting_reader_returns_ebadf(void **state)
{
	struct th_conn c;
	struct net_socket *s = open_conn(17010, &c);
	uint32_t base = c.peer_nxt;
	uint64_t direct = tcp_stats.rcv_direct_bytes;
	struct uk_thread *t;
	struct reader r;

	reader_start(&r, s, big, 1000, 0);
	t = uk_thread_create("close", close_main, s);
	uk_thread_join(t);
	/* Data after the close is nobody's: answered with a RST, not written to the buffer. */
	memset(big, 0, 1000);
	send_at(&c, base, 0, 500);
	assert_int_equal(tcp_stats.rcv_direct_bytes, direct);
	assert_int_equal(th_last()->flags & TH_RST, TH_RST);
	assert_int_equal(reader_join(&r), -EBADF);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(big[i], 0);
}

/* --- the window and auto-tuning, against reads from the ring --- */

static int direct_reader_main(void *arg)
{
	struct net_socket *s = arg;

	while (net_recv(s, big, sizeof(big), 0) > 0)
		;
	return 0;
}

/*
 * rounds round trips of an upload in GSO segments, each as much as the
 * window allowed at its start; the app reads each segment as it arrives,
 * from the ring or (direct) by a reader waiting with a large buffer. The
 * buffer size and the window's right edge after each round into bufs and
 * edges; the bytes that went straight to the reader returned.
 */
static uint64_t upload(uint16_t peer_port, bool direct, int rounds, uint32_t *bufs,
		       uint32_t *edges)
{
	uint64_t before = tcp_stats.rcv_direct_bytes;
	struct uk_thread *t = NULL;
	struct upload u;

	/* Each run starts at the same guest time, so the two see the same clock. */
	th_sleep(TH_S - th_now() % TH_S);
	upload_open(&u, listener, peer_port);
	if (direct) {
		t = uk_thread_create("reader", direct_reader_main, u.s);
		uk_yield();
	}
	for (int i = 0; i < rounds; i++) {
		uint32_t edge = u.edge;

		for (;;) {
			uint32_t room = tcp_seq_gt(edge, u.c.peer_nxt) ? edge - u.c.peer_nxt : 0;
			size_t n = room < GSO ? room : GSO;

			if (n < MSS)
				break;
			th_conn_send_gro(&u.c, stream, n);
			if (direct) {
				assert_int_equal(u.s->stream.pcb->rcvq.len, 0);
				uk_yield(); /* the reader returns, as the ring's reads at once */
				assert_int_equal(u.s->stream.pcb->rcv_direct, 0);
			} else {
				read_now(u.s, 0);
			}
			upload_track(&u);
		}
		th_sleep(RTT);
		u.c.peer_ts += (uint32_t)(RTT / TH_MS);
		upload_track(&u);
		bufs[i] = u.s->stream.pcb->rcvbuf;
		edges[i] = u.edge - u.c.peer_nxt;
	}
	net_abort(u.s);
	if (t)
		uk_thread_join(t);
	return tcp_stats.rcv_direct_bytes - before;
}

static void test_direct_reads_tune_the_window_and_buffer_as_ring_reads_do(void **state)
{
	enum { ROUNDS = 12 };
	uint32_t ring_buf[ROUNDS], ring_edge[ROUNDS], dir_buf[ROUNDS], dir_edge[ROUNDS];

	assert_int_equal(upload(17011, false, ROUNDS, ring_buf, ring_edge), 0);
	assert_true(upload(17012, true, ROUNDS, dir_buf, dir_edge) > TCP_RCVBUF_AUTO_MAX);
	/* The buffer grew (to the maximum), round for round as the ring's reader made it. */
	assert_int_equal(ring_buf[ROUNDS - 1], TCP_RCVBUF_AUTO_MAX);
	for (int i = 0; i < ROUNDS; i++) {
		assert_int_equal(dir_buf[i], ring_buf[i]);
		assert_int_equal(dir_edge[i], ring_edge[i]);
	}
}

static int group_setup(void **state)
{
	for (size_t i = 0; i < sizeof(stream); i++)
		stream[i] = (uint8_t)(i * 13 + i / 253);
	return th_group_listen(&listener);
}

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		TH_TEST(test_a_waiting_reader_gets_in_order_data_straight_into_its_buffer),
		TH_TEST(test_a_small_reader_takes_its_fill_and_the_rest_queues_behind),
		TH_TEST(test_a_waiting_reader_takes_segments_until_it_runs),
		TH_TEST(test_out_of_order_data_waits_for_the_hole_and_never_overtakes_it),
		TH_TEST(test_a_fin_while_a_reader_waits_ends_the_stream_after_its_data),
		TH_TEST(test_a_reset_while_a_reader_waits_is_reported_to_it),
		TH_TEST(test_two_waiting_readers_get_the_bytes_once_and_in_order),
		TH_TEST(test_a_reader_past_its_deadline_leaves_later_data_in_the_ring),
		TH_TEST(test_closing_the_socket_under_a_waiting_reader_returns_ebadf),
		TH_TEST(test_direct_reads_tune_the_window_and_buffer_as_ring_reads_do),
	};

	return cmocka_run_group_tests(tests, group_setup, th_group_teardown);
}
