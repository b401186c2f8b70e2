/*
 * Zero-copy receive (net_recv_borrow, net_recv_return; net/tcp_lend.c):
 * a segment that came in pieces is lent in the link's own pages when its
 * link keeps them (net_link.rx_keep), otherwise the receive ring's storage
 * is lent. Pinned down here: the bytes come in stream order, the same a
 * net_recv would read; a partial return keeps the rest lent and describes
 * it again; lent bytes hold the window closed until returned; the pieces
 * stay valid through a FIN or a RST; net_close gives them back (with a
 * RST, as unread data); each kept frame goes back to its link exactly once.
 * The link here is the test's: its frames' pages stay apart until released.
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

const char uk_app_name[] = "tcp_borrow_test";

#define HDRS (14 + 20 + 32) /* Ethernet, IPv4, TCP with timestamps */
#define SEG (20 * 1448)
#define SLOT 4096
#define FLAGS (NETFRONT_RX_CSUM_VALID | NETFRONT_RX_CSUM_BLANK | NETFRONT_RX_GSO)
#define FRAMES 6
#define PIECES 64

static struct net_socket *listener;
static uint8_t stream[FRAMES * SEG];
static uint8_t sink[FRAMES * SEG];
static uint8_t frame[HDRS + SEG];

/* The test's link: each frame in slot pages of its own, kept until released. */
static struct {
	uint8_t slots[FRAMES][NETFRONT_RX_MAX_SLOTS + 1][SLOT];
	struct netfront_frag frags[NETFRONT_RX_MAX_SLOTS + 1];
	int inputting;        /* the frame being input, -1 outside */
	bool kept[FRAMES];
	unsigned int keeps, releases;
	int refuse;           /* rx_keep's answer when not 0 */
} link;

static int link_keep(void *ctx, uint32_t *token)
{
	assert_ptr_equal(ctx, &link);
	if (link.refuse)
		return link.refuse;
	assert_true(link.inputting >= 0 && !link.kept[link.inputting]);
	link.kept[link.inputting] = true;
	link.keeps++;
	*token = (uint32_t)link.inputting;
	return 0;
}

static void link_release(void *ctx, uint32_t token)
{
	assert_ptr_equal(ctx, &link);
	assert_true(token < FRAMES && link.kept[token]);
	link.kept[token] = false;
	link.releases++;
	memset(link.slots[token], 0xdd, sizeof(link.slots[token])); /* the backend's again */
}

/* The peer sends stream[off, off + len) as frame slot f, in page-sized pieces. */
static void feed(struct th_conn *c, uint32_t base, size_t off, size_t len, int f)
{
	size_t flen = th_conn_frame(c, base + (uint32_t)off, stream + off, len, frame);
	unsigned int n = 0;

	assert_true(flen == HDRS + len && !link.kept[f]);
	frame[14 + 20 + 16] = 0; /* a blank checksum, as netback hands a GSO frame */
	frame[14 + 20 + 17] = 0;
	for (size_t o = 0; o < flen; o += SLOT, n++) {
		size_t k = flen - o < SLOT ? flen - o : SLOT;

		memcpy(link.slots[f][n], frame + o, k);
		link.frags[n].data = link.slots[f][n];
		link.frags[n].len = k;
	}
	link.inputting = f;
	assert_true(net_if_input_frags(th_nif(), link.frags, n, flen, FLAGS));
	link.inputting = -1;
	c->peer_nxt = base + (uint32_t)(off + len);
	th_batch_end();
}

static struct net_socket *open_conn(uint16_t peer_port, struct th_conn *c, uint32_t *base)
{
	struct net_socket *s;

	th_reset();
	memset(&link.kept, 0, sizeof(link.kept));
	link.keeps = link.releases = 0;
	link.refuse = 0;
	link.inputting = -1;
	th_nif()->link.ctx = &link; /* the test link's send ignores its ctx */
	th_nif()->link.rx_keep = link_keep;
	th_nif()->link.rx_release = link_release;
	s = th_open_passive(listener, 80, peer_port, 1000, true, c);
	c->peer_wnd = 65535;
	*base = c->peer_nxt;
	return s;
}

/* A thread waiting in net_recv_borrow, as an app reading in place does. */
struct borrower {
	struct net_socket *s;
	struct net_piece p[PIECES];
	int rc;
	struct uk_thread *t;
};

static int borrower_main(void *arg)
{
	struct borrower *b = arg;

	b->rc = net_recv_borrow(b->s, b->p, PIECES, 0);
	return 0;
}

static void borrower_start(struct borrower *b, struct net_socket *s)
{
	b->s = s;
	b->rc = 1000;
	b->t = uk_thread_create("borrower", borrower_main, b);
	uk_yield();
	assert_int_equal(b->rc, 1000); /* waiting */
}

static int borrower_join(struct borrower *b)
{
	uk_thread_join(b->t);
	return b->rc;
}

/* Borrows now (no waiting); the pieces' bytes are appended to sink at off: the new total. */
static size_t borrow_now(struct net_socket *s, struct net_piece *p, size_t off, int *n)
{
	*n = net_recv_borrow(s, p, PIECES, th_now());
	for (int i = 0; i < *n; i++) {
		memcpy(sink + off, p[i].data, p[i].len);
		off += p[i].len;
	}
	return off;
}

static bool in_slots(const void *p, int f)
{
	const uint8_t *b = p;

	return b >= &link.slots[f][0][0] && b < &link.slots[f][0][0] + sizeof(link.slots[f]);
}

static void test_frames_are_lent_in_the_links_pages_in_stream_order(void **state)
{
	struct th_conn c;
	uint32_t base;
	struct net_socket *s = open_conn(18001, &c, &base);
	uint64_t lent = tcp_stats.rcv_lent_bytes;
	struct net_piece p[PIECES];
	struct borrower b;
	size_t got;
	int n;

	assert_int_equal(net_recv_borrow(s, p, PIECES, th_now()), -ETIMEDOUT);
	assert_int_equal(net_recv_borrow(listener, p, PIECES, th_now()), -ENOTCONN);
	assert_int_equal(net_recv_borrow(s, p, 0, th_now()), -EINVAL);
	borrower_start(&b, s);
	feed(&c, base, 0, SEG, 0);
	feed(&c, base, SEG, SEG, 1); /* before the borrower ran: lent too, behind the first */
	assert_int_equal(s->stream.pcb->rcvq.len, 0);
	assert_int_equal(tcp_stats.rcv_lent_bytes - lent, 2 * SEG);
	assert_true(borrower_join(&b) > 0);
	got = borrow_now(s, p, 0, &n);
	assert_int_equal(got, 2 * SEG);
	assert_memory_equal(sink, stream, 2 * SEG);
	assert_true(in_slots(p[0].data, 0) && in_slots(p[n - 1].data, 1));
	assert_int_equal(link.keeps, 2);
	assert_int_equal(net_recv_return(s, 2 * SEG), 0);
	assert_int_equal(link.releases, 2);
	assert_false(link.kept[0] || link.kept[1]);
	assert_int_equal(net_recv_return(s, 1), -EINVAL); /* nothing lent any more */
	net_abort(s);
}

static void test_a_partial_return_keeps_the_rest_lent_and_describes_it_again(void **state)
{
	struct th_conn c;
	uint32_t base;
	struct net_socket *s = open_conn(18002, &c, &base);
	struct net_piece p[PIECES];
	struct borrower b;
	int n;

	borrower_start(&b, s);
	feed(&c, base, 0, SEG, 0);
	feed(&c, base, SEG, SEG, 1);
	assert_true(borrower_join(&b) > 0);
	/* 1000 bytes, within the first piece: the first piece starts 1000 bytes on. */
	assert_int_equal(net_recv_return(s, 1000), 0);
	assert_int_equal(borrow_now(s, p, 1000, &n), 2 * SEG);
	assert_memory_equal(sink, stream, 2 * SEG);
	/* All of the first frame but its last byte: still kept. */
	assert_int_equal(net_recv_return(s, SEG - 1001), 0);
	assert_int_equal(link.releases, 0);
	assert_int_equal(net_recv_return(s, 1), 0);
	assert_int_equal(link.releases, 1);
	assert_true(!link.kept[0] && link.kept[1]);
	assert_int_equal(borrow_now(s, p, SEG, &n), 2 * SEG);
	assert_memory_equal(sink + SEG, stream + SEG, SEG);
	assert_true(in_slots(p[0].data, 1));
	assert_int_equal(net_recv_return(s, SEG + 1), -EINVAL); /* more than is lent */
	assert_int_equal(net_recv_return(s, SEG), 0);
	assert_int_equal(link.releases, 2);
	net_abort(s);
}

static void test_lent_bytes_hold_the_window_closed_until_returned(void **state)
{
	struct th_conn c;
	uint32_t base, wnd;
	struct net_socket *s = open_conn(18003, &c, &base);
	struct tcp_pcb *pcb = s->stream.pcb;
	struct borrower b;

	borrower_start(&b, s);
	feed(&c, base, 0, SEG, 0);
	assert_true(borrower_join(&b) > 0);
	assert_int_equal(pcb->rcv_direct, SEG);
	assert_int_equal(tcp_rcv_unread(pcb), SEG);
	wnd = pcb->rcv_adv - pcb->rcv_nxt;
	/* The lent bytes are not offered (the scaled window rounds up). */
	assert_true(wnd <= pcb->rcvbuf - SEG + (1u << pcb->rcv_ws));
	assert_true(tcp_rcv_window(pcb) <= wnd);
	assert_int_equal(net_recv_return(s, SEG), 0);
	assert_int_equal(pcb->rcv_direct, 0);
	/* Returned: the window the next segment is offered is the whole buffer again. */
	assert_true(tcp_rcv_window(pcb) >= pcb->rcvbuf - (1u << pcb->rcv_ws));
	net_abort(s);
}

static void test_borrow_shows_what_net_recv_would_read(void **state)
{
	struct th_conn c;
	uint32_t base;
	struct net_socket *s = open_conn(18004, &c, &base);
	struct net_piece p[PIECES];
	uint8_t copy[3000];
	int n;

	/* Nobody borrowed yet: the data goes to the ring, and the ring's storage is lent. */
	th_conn_send(&c, stream, 1000);
	th_conn_send(&c, stream + 1000, 1000);
	assert_int_equal(s->stream.pcb->rcvq.len, 2000);
	assert_int_equal(borrow_now(s, p, 0, &n), 2000);
	assert_memory_equal(sink, stream, 2000);
	assert_int_equal(s->stream.pcb->rcvq.len, 0);
	/* Borrowed but not returned: net_recv reads the same bytes, and returns them. */
	assert_int_equal(net_recv(s, copy, 1500, th_now()), 1500);
	assert_memory_equal(copy, stream, 1500);
	assert_int_equal(borrow_now(s, p, 1500, &n), 2000);
	assert_memory_equal(sink + 1500, stream + 1500, 500);
	/* A borrowed frame, then the ring behind it: net_recv crosses from one to the other. */
	assert_int_equal(net_recv_return(s, 500), 0);
	feed(&c, base, 2000, SEG, 0); /* ring empty and the socket borrows: lent */
	th_conn_send(&c, stream + 2000 + SEG, 1000); /* lent frame ahead: to the ring */
	assert_int_equal(link.keeps, 1);
	assert_int_equal(s->stream.pcb->rcvq.len, 1000);
	assert_int_equal(borrow_now(s, p, 2000, &n), 3000 + SEG);
	assert_memory_equal(sink + 2000, stream + 2000, SEG + 1000);
	assert_int_equal(net_recv(s, sink, SEG, th_now()), SEG);
	assert_int_equal(link.releases, 1);
	assert_int_equal(net_recv(s, copy, sizeof(copy), th_now()), 1000);
	assert_memory_equal(copy, stream + 2000 + SEG, 1000);
	net_abort(s);
}

static void test_a_frame_the_link_will_not_keep_goes_through_the_ring(void **state)
{
	struct th_conn c;
	uint32_t base;
	struct net_socket *s = open_conn(18005, &c, &base);
	struct net_piece p[PIECES];
	struct borrower b;
	int n;

	borrower_start(&b, s);
	link.refuse = -ENOBUFS;
	feed(&c, base, 0, SEG, 0);
	assert_int_equal(s->stream.pcb->rcvq.len, SEG);
	assert_true(borrower_join(&b) > 0);
	assert_false(in_slots(b.p[0].data, 0));
	/* Borrowed from the ring; more arrives into a new ring, and the borrowed bytes stand. */
	assert_int_equal(borrow_now(s, p, 0, &n), SEG);
	feed(&c, base, SEG, SEG, 1);
	feed(&c, base, 2 * SEG, SEG, 2);
	assert_int_equal(s->stream.pcb->rcvq.len, 2 * SEG);
	assert_int_equal(borrow_now(s, p, 0, &n), 3 * SEG);
	assert_memory_equal(sink, stream, 3 * SEG);
	assert_int_equal(net_recv_return(s, 3 * SEG), 0);
	assert_int_equal(link.keeps + link.releases, 0);
	net_abort(s);
}

static void test_fin_and_rst_leave_borrowed_pieces_valid_until_returned(void **state)
{
	struct th_conn c;
	uint32_t base;
	struct net_socket *s = open_conn(18006, &c, &base);
	struct net_piece p[PIECES];
	struct th_seg fin, rst;
	struct borrower b;
	int n;

	borrower_start(&b, s);
	feed(&c, base, 0, SEG, 0);
	assert_true(borrower_join(&b) > 0);
	fin = th_conn_seg(&c, TH_ACK | TH_FIN);
	th_feed(&fin);
	c.peer_nxt++;
	assert_int_equal(borrow_now(s, p, 0, &n), SEG);
	assert_memory_equal(sink, stream, SEG);
	assert_int_equal(net_recv_return(s, SEG), 0);
	assert_int_equal(net_recv_borrow(s, p, PIECES, th_now()), 0); /* the end, after the data */
	net_abort(s);

	s = open_conn(18007, &c, &base);
	borrower_start(&b, s);
	feed(&c, base, 0, SEG, 0);
	assert_true(borrower_join(&b) > 0);
	rst = th_conn_seg(&c, TH_RST);
	th_feed(&rst);
	assert_int_equal(s->stream.pcb->state, TCP_CLOSED);
	assert_true(link.kept[0]);
	assert_int_equal(borrow_now(s, p, 0, &n), SEG);
	assert_memory_equal(sink, stream, SEG);
	assert_int_equal(net_recv_return(s, SEG), 0);
	assert_int_equal(link.releases, 1);
	assert_int_equal(net_recv_borrow(s, p, PIECES, th_now()), -ECONNRESET);
	net_close(s);
}

static void test_close_with_bytes_borrowed_gives_them_back_and_resets(void **state)
{
	struct th_conn c;
	uint32_t base;
	struct net_socket *s = open_conn(18008, &c, &base);
	struct borrower b;

	borrower_start(&b, s);
	feed(&c, base, 0, SEG, 0);
	feed(&c, base, SEG, SEG, 1);
	assert_true(borrower_join(&b) > 0);
	assert_int_equal(net_recv_return(s, 100), 0);
	th_reset();
	assert_int_equal(net_close(s), 0);
	assert_int_equal(link.releases, 2); /* each kept frame back once */
	assert_false(link.kept[0] || link.kept[1]);
	assert_true(th_count() > 0 && (th_last()->flags & TH_RST)); /* unread data: abortive */
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
		TH_TEST(test_frames_are_lent_in_the_links_pages_in_stream_order),
		TH_TEST(test_a_partial_return_keeps_the_rest_lent_and_describes_it_again),
		TH_TEST(test_lent_bytes_hold_the_window_closed_until_returned),
		TH_TEST(test_borrow_shows_what_net_recv_would_read),
		TH_TEST(test_a_frame_the_link_will_not_keep_goes_through_the_ring),
		TH_TEST(test_fin_and_rst_leave_borrowed_pieces_valid_until_returned),
		TH_TEST(test_close_with_bytes_borrowed_gives_them_back_and_resets),
	};

	return cmocka_run_group_tests(tests, group_setup, th_group_teardown);
}
