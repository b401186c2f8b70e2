/*
 * A receive-offload segment handed to the stack in pieces, as netfront
 * hands a multi-slot frame without joining its slots (net_if_input_frags,
 * net/netif.c; TCP's payload from the pieces, net/tcp_in.c and
 * tcp_ring_write_seg): the app reads the bytes in order, byte for byte,
 * when the segment is whole, retransmitted over what came before (trimmed
 * across pieces), out of order, or cut by the window; and a frame the stack
 * cannot take in pieces is declined untouched, for netfront to join it;
 * and a reader waiting in net_recv takes the payload from the pieces.
 * The peer is tests/support/tcp_helper.c's. Run with --clock virtual.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "net/net_private.h"
#include "net/tcp_private.h"
#include "runtime/include/uk/boot.h"
#include "runtime/include/uk/sched.h"
#include "tests/support/tcp_helper.h"

const char uk_app_name[] = "tcp_rx_frags_test";

#define HDRS (14 + 20 + 32) /* Ethernet, IPv4, TCP with timestamps */
#define SEG_MAX (45 * 1448) /* what Linux's GRO makes of 1448-byte segments */
#define SLOT 4096           /* netback fills whole pages */
#define FLAGS (NETFRONT_RX_CSUM_VALID | NETFRONT_RX_CSUM_BLANK | NETFRONT_RX_GSO)

static struct net_socket *listener;
static uint8_t stream[4 * SEG_MAX]; /* the peer's byte stream, from its first byte */
static uint8_t sink[4 * SEG_MAX];
static uint8_t frame[HDRS + SEG_MAX];
/* Each piece in its own buffer, apart from the others, as slots in pages. */
static uint8_t slots[NETFRONT_RX_MAX_SLOTS + 1][SLOT];
static struct netfront_frag frags[NETFRONT_RX_MAX_SLOTS + 1];

/* The peer's segment of stream bytes [off, off + len) (seq = base + off), its TCP checksum blank. */
static size_t build(const struct th_conn *c, uint32_t base, size_t off, size_t len)
{
	size_t flen;

	assert_true(len <= SEG_MAX && off + len <= sizeof(stream));
	flen = th_conn_frame(c, base + (uint32_t)off, stream + off, len, frame);
	assert_true(flen == HDRS + len); /* the timestamps on, as the pieces' sizes take */
	frame[14 + 20 + 16] = 0; /* blank, as netback hands a GSO frame (CSUM_BLANK) */
	frame[14 + 20 + 17] = 0;
	return flen;
}

/* Cuts the frame into pieces of first bytes, then SLOT bytes; returns how many. */
static unsigned int cut(size_t len, size_t first)
{
	unsigned int n = 0;

	for (size_t off = 0; off < len; n++) {
		size_t k = len - off < (n ? SLOT : first) ? len - off : (n ? SLOT : first);

		assert_true(n <= NETFRONT_RX_MAX_SLOTS);
		memset(slots[n], 0xee, SLOT);
		memcpy(slots[n], frame + off, k);
		frags[n].data = slots[n];
		frags[n].len = k;
		off += k;
	}
	return n;
}

/* The peer sends stream bytes [off, off + len) in slot-sized pieces; true when taken so. */
static bool feed_pieces(struct th_conn *c, uint32_t base, size_t off, size_t len)
{
	size_t flen = build(c, base, off, len);
	unsigned int n = cut(flen, SLOT);

	bool taken = net_if_input_frags(th_nif(), frags, n, flen, FLAGS);

	th_batch_end();
	return taken;
}

static uint32_t app_read_all(struct net_socket *s, uint8_t *out, size_t room)
{
	uint32_t got = 0;
	int n;

	while (got < room && (n = net_recv(s, out + got, room - got, th_now())) > 0)
		got += (uint32_t)n;
	return got;
}

static struct net_socket *open_conn(uint16_t peer_port, struct th_conn *c, uint32_t *base)
{
	struct net_socket *s;

	th_reset();
	s = th_open_passive(listener, 80, peer_port, 1000, true, c);
	c->peer_wnd = 65535;
	*base = c->peer_nxt;
	return s;
}

static void test_a_gso_segment_in_slot_pieces_reaches_the_app_byte_for_byte(void **state)
{
	struct th_conn c;
	uint32_t base;
	struct net_socket *s = open_conn(16001, &c, &base);

	assert_true(feed_pieces(&c, base, 0, 45 * 1448));
	assert_int_equal(app_read_all(s, sink, sizeof(sink)), 45 * 1448);
	assert_memory_equal(sink, stream, 45 * 1448);
	/* Acknowledged at once, as a GSO segment joined first was. */
	assert_int_equal(th_last()->ack, base + 45 * 1448);
	net_abort(s);
}

static void test_a_retransmission_is_trimmed_across_its_pieces(void **state)
{
	struct th_conn c;
	uint32_t base;
	struct net_socket *s = open_conn(16002, &c, &base);

	assert_true(feed_pieces(&c, base, 0, 10000));
	/* Again from the start, longer: the first 10000 bytes end in its third piece. */
	assert_true(feed_pieces(&c, base, 0, 30000));
	assert_int_equal(app_read_all(s, sink, sizeof(sink)), 30000);
	assert_memory_equal(sink, stream, 30000);
	/* Ending exactly at a piece's end, then starting within the next. */
	assert_true(feed_pieces(&c, base, 30000 - (SLOT - HDRS), 20000));
	assert_int_equal(app_read_all(s, sink, sizeof(sink)), 20000 - (SLOT - HDRS));
	assert_memory_equal(sink, stream + 30000, 20000 - (SLOT - HDRS));
	net_abort(s);
}

static void test_an_out_of_order_segment_in_pieces_waits_for_the_hole(void **state)
{
	struct th_conn c;
	uint32_t base;
	struct net_socket *s = open_conn(16003, &c, &base);

	assert_true(feed_pieces(&c, base, 10000, 30000));
	assert_int_equal(app_read_all(s, sink, sizeof(sink)), 0);
	assert_true(feed_pieces(&c, base, 0, 10000));
	assert_int_equal(app_read_all(s, sink, sizeof(sink)), 40000);
	assert_memory_equal(sink, stream, 40000);
	net_abort(s);
}

static void test_a_segment_past_the_window_is_cut_within_its_pieces(void **state)
{
	struct th_conn c;
	uint32_t base, got, wnd = 0;
	struct net_socket *s = open_conn(16004, &c, &base);
	struct tcp_pcb *pcb = s->stream.pcb;
	size_t off = 0;

	/* The app does not read: whole segments while the window takes them, then one past it. */
	for (int i = 0; i < 4 && (wnd = pcb->rcv_adv - pcb->rcv_nxt) >= SEG_MAX; i++) {
		assert_true(feed_pieces(&c, base, off, SEG_MAX));
		off += SEG_MAX;
	}
	assert_true(wnd > 0 && wnd < SEG_MAX);
	assert_true(feed_pieces(&c, base, off, SEG_MAX));
	/* Cut at the window's edge, or at the buffer's a few bytes before (the scaled window rounds up). */
	assert_true(pcb->rcv_nxt - base > off && pcb->rcv_nxt - base <= off + wnd);
	got = app_read_all(s, sink, sizeof(sink));
	assert_int_equal(got, pcb->rcv_nxt - base);
	assert_memory_equal(sink, stream, got);
	net_abort(s);
}

static void test_frames_the_stack_cannot_take_in_pieces_are_declined(void **state)
{
	struct th_conn c;
	uint32_t base, segs;
	struct net_socket *s = open_conn(16005, &c, &base);
	size_t flen = build(&c, base, 0, 20000);
	unsigned int n;

	segs = (uint32_t)tcp_stats.segs_in;
	n = cut(flen, SLOT);
	/* A checksum nobody checked: TCP would have to sum the pieces. */
	assert_false(net_if_input_frags(th_nif(), frags, n, flen, NETFRONT_RX_GSO));
	/* Pieces that do not add up to the length. */
	assert_false(net_if_input_frags(th_nif(), frags, n, flen + 1, FLAGS));
	/* The TCP header past the first piece. */
	n = cut(flen, 14 + 20 + 20);
	assert_false(net_if_input_frags(th_nif(), frags, n, flen, FLAGS));
	/* Not TCP. */
	frame[14 + 9] = 17;
	n = cut(flen, SLOT);
	assert_false(net_if_input_frags(th_nif(), frags, n, flen, FLAGS));
	/* A fragment. */
	frame[14 + 9] = 6;
	frame[14 + 6] = 0x20;
	n = cut(flen, SLOT);
	assert_false(net_if_input_frags(th_nif(), frags, n, flen, FLAGS));
	assert_int_equal(tcp_stats.segs_in, segs);
	assert_int_equal(app_read_all(s, sink, sizeof(sink)), 0);
	net_abort(s);
}

/* A thread blocked in net_recv while a segment in pieces arrives (tcp_rx_direct_test.c). */
struct waiting_reader {
	struct net_socket *s;
	size_t len;
	int rc;
};

static int waiting_reader_main(void *arg)
{
	struct waiting_reader *r = arg;

	r->rc = net_recv(r->s, sink, r->len, 0);
	return 0;
}

static void test_a_waiting_reader_takes_a_segment_in_pieces_across_them(void **state)
{
	struct th_conn c;
	uint32_t base;
	struct net_socket *s = open_conn(16006, &c, &base);
	/* Its buffer ends inside the third piece (the first holds SLOT - HDRS bytes of payload). */
	struct waiting_reader r = { s, 10000, 1 };
	uint64_t direct = tcp_stats.rcv_direct_bytes;
	struct uk_thread *t = uk_thread_create("reader", waiting_reader_main, &r);

	uk_yield();
	assert_int_equal(r.rc, 1);
	assert_true(feed_pieces(&c, base, 0, 30000));
	assert_int_equal(tcp_stats.rcv_direct_bytes - direct, 10000);
	assert_int_equal(s->stream.pcb->rcvq.len, 20000);
	uk_thread_join(t);
	assert_int_equal(r.rc, 10000);
	assert_int_equal(app_read_all(s, sink + 10000, sizeof(sink) - 10000), 20000);
	assert_memory_equal(sink, stream, 30000);
	net_abort(s);
}

static int group_setup(void **state)
{
	for (size_t i = 0; i < sizeof(stream); i++)
		stream[i] = (uint8_t)(i * 7 + i / 251);
	return th_group_listen(&listener);
}

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		TH_TEST(test_a_gso_segment_in_slot_pieces_reaches_the_app_byte_for_byte),
		TH_TEST(test_a_retransmission_is_trimmed_across_its_pieces),
		TH_TEST(test_an_out_of_order_segment_in_pieces_waits_for_the_hole),
		TH_TEST(test_a_segment_past_the_window_is_cut_within_its_pieces),
		TH_TEST(test_frames_the_stack_cannot_take_in_pieces_are_declined),
		TH_TEST(test_a_waiting_reader_takes_a_segment_in_pieces_across_them),
	};

	return cmocka_run_group_tests(tests, group_setup, th_group_teardown);
}
