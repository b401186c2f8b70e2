/*
 * Receive buffer auto-tuning (net/tcp_rcvbuf.c, Linux's dynamic
 * right-sizing) and the receiver's ACKs for large segments, seen from the
 * wire: a peer (tests/support/tcp_helper.c) uploads round by round, one
 * round per RTT of virtual time, as much as the guest's advertised window
 * allows; the application reads (or not); the windows the guest advertises
 * and the buffer size it reports (NET_OPT_RCVBUF) are checked. Also the
 * receive ring's storage between fills.
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

const char uk_app_name[] = "tcp_rcvbuf_test";

#define MSS 1448             /* 1460 less the timestamp option */
#define GSO (45 * MSS)       /* a receive-offload segment: 45 MSS, as Linux's GRO makes */
#define RTT (10 * TH_MS)
#define WS 7                 /* the shift for TCP_RCVBUF_AUTO_MAX */

static struct net_socket *listener;
static uint8_t payload[GSO], sink[GSO];

/* The window shift of the SYN-ACK a listener on port answers a SYN with (then a RST ends it). */
static uint8_t syn_ack_ws(uint16_t port, uint16_t peer_port)
{
	struct th_seg syn = { .sport = peer_port, .dport = port, .seq = 1, .flags = TH_SYN,
			      .wnd = 65535, .has_mss = true, .mss = 1460, .has_ws = true,
			      .ws = 7, .has_ts = true, .tsval = 1 };
	uint8_t ws;

	th_reset();
	th_feed(&syn);
	assert_int_equal(th_count(), 1);
	assert_int_equal(th_last()->flags, TH_SYN | TH_ACK);
	assert_true(th_last()->has_ws);
	assert_int_equal(th_last()->wnd, 65535); /* a SYN's window is not scaled */
	ws = th_last()->ws;
	syn.flags = TH_RST;
	syn.seq = 2;
	th_feed(&syn);
	th_reset();
	return ws;
}

/* The peer sends len bytes (up to GSO) in one frame, as netfront hands the stack a GRO segment. */
static void feed_gso(struct th_conn *c, size_t len)
{
	assert_true(c->ts && len <= GSO);
	th_conn_send_gro(c, payload, len);
}

/* Reads all the app has; returns how many bytes that was. */
static uint32_t app_read_all(struct net_socket *s)
{
	uint32_t got = 0;
	int n;

	while ((n = net_recv(s, sink, sizeof(sink), th_now())) > 0)
		got += (uint32_t)n;
	assert_true(n == -EAGAIN || n == -ETIMEDOUT);
	return got;
}

/*
 * One round trip: the peer sends what the window allowed at its start (segments of seg
 * bytes: MSS or a GSO segment), the app reading after each when read; then
 * an RTT passes. Returns the bytes sent.
 */
static uint32_t upload_round(struct upload *u, size_t seg, bool read)
{
	uint32_t sent = 0, edge = u->edge; /* what the window opens meanwhile waits an RTT */

	for (;;) {
		uint32_t room = tcp_seq_gt(edge, u->c.peer_nxt) ? edge - u->c.peer_nxt : 0;
		size_t n = room < seg ? room : seg;

		if (n < (seg < MSS ? seg : MSS))
			break;
		if (seg > MSS)
			feed_gso(&u->c, n);
		else
			th_conn_send(&u->c, payload, n);
		sent += (uint32_t)n;
		if (read)
			app_read_all(u->s);
		upload_track(u);
	}
	th_sleep(RTT);
	u->c.peer_ts += (uint32_t)(RTT / TH_MS);
	upload_track(u);
	return sent;
}

static unsigned int rcvbuf_of(struct net_socket *s)
{
	unsigned int v = 0;

	assert_int_equal(net_getsockopt(s, NET_OPT_RCVBUF, &v), 0);
	return v;
}

static void test_the_first_window_is_the_default_buffer_scaled_for_growth(void **state)
{
	struct upload u;

	/* Room for TCP_RCVBUF_AUTO_MAX, as Linux's tcp_rmem[2], not only for 128 KiB. */
	assert_int_equal(syn_ack_ws(80, 15009), WS);
	upload_open(&u, listener, 15001);
	assert_int_equal(u.ws, WS);
	th_conn_send(&u.c, "data", 4);
	th_sleep(TH_S);
	upload_track(&u);
	assert_int_equal(th_last()->wnd, (TCP_BUF_DEFAULT - 4 + (1 << WS) - 1) >> WS);
	assert_int_equal(rcvbuf_of(u.s), TCP_BUF_DEFAULT);
	net_abort(u.s);
}

static void test_the_buffer_grows_while_the_app_reads_what_arrives(void **state)
{
	struct upload u;
	uint32_t first, last = 0;

	upload_open(&u, listener, 15002);
	first = upload_round(&u, MSS, true);
	for (int i = 0; i < 6; i++)
		last = upload_round(&u, MSS, true);
	/* Each round the window allowed more: the buffer followed what the app read. */
	assert_true(rcvbuf_of(u.s) > 2 * TCP_BUF_DEFAULT);
	assert_true(last > 2 * first);
	assert_true(u.edge - u.c.peer_nxt > TCP_BUF_DEFAULT);
	net_abort(u.s);
}

static void test_the_buffer_stops_at_the_auto_tuning_maximum(void **state)
{
	struct upload u;
	uint32_t last = 0;

	upload_open(&u, listener, 15003);
	for (int i = 0; i < 14; i++)
		last = upload_round(&u, GSO, true);
	assert_int_equal(rcvbuf_of(u.s), TCP_RCVBUF_AUTO_MAX);
	/* A whole buffer a round, and never more than it. */
	assert_true(last > TCP_RCVBUF_AUTO_MAX - GSO && last <= TCP_RCVBUF_AUTO_MAX);
	assert_true(u.edge - u.c.peer_nxt <= TCP_RCVBUF_AUTO_MAX);
	net_abort(u.s);
}

static void test_the_buffer_does_not_grow_when_the_app_does_not_read(void **state)
{
	struct upload u;
	uint32_t total = 0;

	upload_open(&u, listener, 15004);
	for (int i = 0; i < 5; i++)
		total += upload_round(&u, MSS, false);
	assert_int_equal(rcvbuf_of(u.s), TCP_BUF_DEFAULT);
	/*
	 * The first buffer filled and nothing more was taken (what the window's
	 * rounding to 128-byte units let the peer send beyond it comes again).
	 */
	assert_true(total >= TCP_BUF_DEFAULT);
	assert_int_equal(u.s->stream.pcb->rcvq.len, TCP_BUF_DEFAULT);
	assert_true(th_last()->wnd < 8192 >> WS);
	assert_int_equal(app_read_all(u.s), TCP_BUF_DEFAULT);
	net_abort(u.s);
}

static void test_an_explicit_receive_buffer_turns_auto_tuning_off(void **state)
{
	struct upload u;

	upload_open(&u, listener, 15005);
	assert_int_equal(net_setsockopt(u.s, NET_OPT_RCVBUF, TCP_BUF_DEFAULT), 0);
	for (int i = 0; i < 8; i++)
		upload_round(&u, GSO, true);
	assert_int_equal(rcvbuf_of(u.s), TCP_BUF_DEFAULT);
	assert_true(u.edge - u.c.peer_nxt <= TCP_BUF_DEFAULT);
	net_abort(u.s);
}

static void test_a_listener_with_an_explicit_buffer_scales_its_window_for_that_buffer(void **state)
{
	struct net_socket *lis, *s;
	struct th_conn c;

	assert_int_equal(net_socket(NET_SOCK_STREAM, &lis), 0);
	assert_int_equal(net_setsockopt(lis, NET_OPT_RCVBUF, TCP_BUF_DEFAULT), 0);
	assert_int_equal(net_bind(lis, IP4_ANY, 81), 0);
	assert_int_equal(net_listen(lis, 4), 0);
	assert_int_equal(syn_ack_ws(81, 15010), 2); /* 128 KiB needs a shift of 2, and no more */
	s = th_open_passive(lis, 81, 15006, 1000, true, &c);
	assert_int_equal(s->stream.pcb->rcv_ws, 2);
	assert_int_equal(rcvbuf_of(s), TCP_BUF_DEFAULT);
	net_abort(s);
	net_close(lis);
}

static void test_a_gso_segment_is_acknowledged_at_once(void **state)
{
	struct upload u;

	unsigned int n;

	upload_open(&u, listener, 15007);
	for (int i = 0; i < 3; i++) {
		n = th_count();
		feed_gso(&u.c, GSO);
		/* 45 MSS in one segment: one ACK for it now, not after the delayed-ACK timer. */
		assert_int_equal(th_count(), n + 1);
		assert_int_equal(th_last()->ack, u.c.peer_nxt);
		assert_int_equal(th_last()->len, 0);
		assert_int_equal(app_read_all(u.s), GSO);
	}
	/* One MSS alone still waits for a second one (RFC 5681 4.2). */
	n = th_count();
	th_conn_send(&u.c, payload, MSS);
	assert_int_equal(th_count(), n);
	th_conn_send(&u.c, payload, MSS);
	assert_int_equal(th_count(), n + 1);
	assert_int_equal(th_last()->ack, u.c.peer_nxt);
	assert_int_equal(app_read_all(u.s), 2 * MSS);
	net_abort(u.s);
}

static void test_small_reads_send_no_window_update(void **state)
{
	struct upload u;
	char buf[100];

	upload_open(&u, listener, 15008);
	for (int i = 0; i < 32; i++)
		th_conn_send(&u.c, payload, MSS);
	th_sleep(TH_S); /* the delayed ACK, if one is due */
	th_reset();
	/* Three quarters read in small pieces: the window opened, but not to twice its size. */
	for (int i = 0; i < 24 * MSS / (int)sizeof(buf); i++)
		assert_int_equal(net_recv(u.s, buf, sizeof(buf), th_now()), (int)sizeof(buf));
	assert_int_equal(th_count(), 0);
	assert_true(app_read_all(u.s));
	net_abort(u.s);
}

/*
 * The receive ring's storage (net/tcp_buf.c) is freed when the app empties
 * it; allocated again, it starts at what the previous fill held at its
 * peak, so the next batch of segments is not copied again at every
 * doubling; a small fill brings it back down.
 */
static void test_ring_storage_starts_at_the_previous_fills_peak(void **state)
{
	struct upload u;
	const struct tcp_pcb *pcb;

	upload_open(&u, listener, 15011);
	pcb = u.s->stream.pcb;
	assert_int_equal(net_setsockopt(u.s, NET_OPT_RCVBUF, 1024 * 1024), 0);
	for (int i = 0; i < 5; i++)
		feed_gso(&u.c, GSO); /* each ACK opens the window to the 1 MiB buffer */
	assert_int_equal(pcb->rcvq.len, 5 * GSO);
	assert_int_equal(pcb->rcvq.cap, 512 * 1024); /* doubled from 2 KiB */
	assert_int_equal(app_read_all(u.s), 5 * GSO);
	assert_null(pcb->rcvq.buf); /* an empty ring holds no storage */
	th_conn_send(&u.c, payload, MSS);
	assert_int_equal(pcb->rcvq.cap, 512 * 1024);
	assert_int_equal(app_read_all(u.s), MSS);
	th_conn_send(&u.c, payload, MSS);
	assert_int_equal(pcb->rcvq.cap, 2048);
	assert_int_equal(app_read_all(u.s), MSS);
	net_abort(u.s);
}

static int group_setup(void **state)
{
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7);
	return th_group_listen(&listener);
}

#define T(f) cmocka_unit_test_setup_teardown(f, th_test_setup, th_test_teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_the_first_window_is_the_default_buffer_scaled_for_growth),
		T(test_the_buffer_grows_while_the_app_reads_what_arrives),
		T(test_the_buffer_stops_at_the_auto_tuning_maximum),
		T(test_the_buffer_does_not_grow_when_the_app_does_not_read),
		T(test_an_explicit_receive_buffer_turns_auto_tuning_off),
		T(test_a_listener_with_an_explicit_buffer_scales_its_window_for_that_buffer),
		T(test_a_gso_segment_is_acknowledged_at_once),
		T(test_small_reads_send_no_window_update),
		T(test_ring_storage_starts_at_the_previous_fills_peak),
	};

	return cmocka_run_group_tests(tests, group_setup, th_group_teardown);
}
