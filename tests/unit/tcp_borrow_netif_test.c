/*
 * An interface destroyed (net_if_destroy) while a socket still has bytes
 * lent in its link's pages (net_recv_borrow): the socket's lent entries
 * would later hand the pages back through the freed interface's link
 * (tcp_lend.c, lend_pop), a use after free. socket.h says to return or
 * close first; a guest that does not gets the runtime's clear report, a
 * panic naming the interface and the cure, not memory corruption.
 *
 * The default run checks the allowed order (return, then destroy); run
 * with "-- destroy-while-lent", the interface is destroyed with bytes lent
 * and CMakeLists.txt checks the panic's line. The peer is
 * tests/support/tcp_helper.c's; its interface's link keeps frames here.
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
#include "tests/support/tcp_helper.h"

const char uk_app_name[] = "tcp_borrow_netif_test";

#define HDRS (14 + 20 + 32) /* Ethernet, IPv4, TCP with timestamps */
#define SEG (4 * 1448) /* with the headers, over one slot page: two pieces */
#define SLOT 4096
#define FLAGS (NETFRONT_RX_CSUM_VALID | NETFRONT_RX_CSUM_BLANK | NETFRONT_RX_GSO)
#define PIECES 8

static struct net_socket *listener;
static bool destroy_while_lent;
static uint8_t stream[SEG], frame[HDRS + SEG];

/* The test's link: one frame's slot pages, kept until released. */
static struct {
	uint8_t slots[2][SLOT];
	struct netfront_frag frags[2];
	bool kept;
	unsigned int releases;
} link;

static int link_keep(void *ctx, uint32_t *token)
{
	(void)ctx;
	link.kept = true;
	*token = 0;
	return 0;
}

static void link_release(void *ctx, uint32_t token)
{
	(void)ctx;
	(void)token;
	link.kept = false;
	link.releases++;
}

/* The peer sends stream as one frame in two slot pages; the link keeps them. */
static void feed(struct th_conn *c, uint32_t base)
{
	size_t flen = th_conn_frame(c, base, stream, SEG, frame);

	frame[14 + 20 + 16] = 0; /* a blank checksum, as netback hands a GSO frame */
	frame[14 + 20 + 17] = 0;
	memcpy(link.slots[0], frame, SLOT);
	memcpy(link.slots[1], frame + SLOT, flen - SLOT);
	link.frags[0] = (struct netfront_frag){ link.slots[0], SLOT };
	link.frags[1] = (struct netfront_frag){ link.slots[1], flen - SLOT };
	assert_true(net_if_input_frags(th_nif(), link.frags, 2, flen, FLAGS));
	c->peer_nxt = base + SEG;
	th_batch_end();
}

/* Borrows SEG bytes kept by the link on a new connection. */
static struct net_socket *borrow_kept(struct net_piece *p)
{
	struct th_conn c;
	struct net_socket *s;
	uint32_t base;

	th_reset();
	th_nif()->link.ctx = &link; /* the test link's send ignores its ctx */
	th_nif()->link.rx_keep = link_keep;
	th_nif()->link.rx_release = link_release;
	s = th_open_passive(listener, 80, 18101, 1000, true, &c);
	c.peer_wnd = 65535;
	base = c.peer_nxt;
	assert_int_equal(net_recv_borrow(s, p, PIECES, th_now()), -ETIMEDOUT); /* a borrower */
	feed(&c, base);
	assert_true(net_recv_borrow(s, p, PIECES, th_now()) > 0);
	assert_true(link.kept);
	return s;
}

static void test_an_interface_destroyed_after_the_lent_bytes_came_back_is_gone(void **state)
{
	struct net_piece p[PIECES];
	struct net_socket *s = borrow_kept(p);
	struct net_if *nif = th_nif();

	(void)state;
	if (destroy_while_lent) {
		net_if_destroy(nif); /* ends the process with the panic */
		net_recv_return(s, SEG); /* went back through the freed interface's link */
		fail_msg("net_if_destroy returned with bytes lent from its link");
	}
	assert_int_equal(net_recv_return(s, SEG), 0);
	assert_false(link.kept);
	assert_int_equal(link.releases, 1);
	net_abort(s);
	/* Nothing lent from it any more: it may go (the fixture's interface is the last test's). */
	net_if_destroy(nif);
}

static int group_setup(void **state)
{
	for (size_t i = 0; i < sizeof(stream); i++)
		stream[i] = (uint8_t)(i * 7 + 3);
	return th_group_listen(&listener);
}

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		TH_TEST(test_an_interface_destroyed_after_the_lent_bytes_came_back_is_gone),
	};

	destroy_while_lent = argc > 1 && !strcmp(argv[1], "destroy-while-lent");
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
