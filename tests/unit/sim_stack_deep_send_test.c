/*
 * A guest thread deep in its 128 KiB stack sends UDP through the user
 * backend (libslirp) and blocks, and nothing below its deepest frame is
 * touched: the simulator's side of both hypercalls (netback, libslirp with
 * the 64 KiB frame its if_encap keeps on its stack, the libuv loop) runs
 * on the simulator's own stack (hypercall_shim/stack_switch.S). Before it
 * did, this send ran about 75 KiB of simulator below the thread's stack
 * pointer, over its canary and into the guest memory under it.
 *
 * A unikernel with --vif user and a static address. The datagram is a DHCP
 * DISCOVER, which slirp answers inside the send (its BOOTP server's OFFER
 * goes out through if_encap at once), so nothing leaves the process; the
 * thread then blocks until the OFFER is read. The 64 KiB frame buffer is
 * mostly not written: the stray writes landed some 50 KiB under the stack,
 * so the test owns and paints the whole 128 KiB block under it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "hypercall_shim/shim.h"
#include "net/include/net/net.h"
#include "net/include/net/socket.h"
#include "runtime/include/uk/alloc.h"
#include "runtime/include/uk/boot.h"
#include "runtime/include/uk/sched.h"
#include "runtime/include/uk/time.h"
#include "runtime/sched_private.h"

const char uk_app_name[] = "sim_stack_deep_send_test";

#define MS UK_NSEC_PER_MSEC
#define SLIRP_HOST IP4_ADDR(10, 0, 2, 2)
#define BOOTP_LEN 300 /* RFC 951's minimum; the options end well before */
#define DEPTH (110 * 1024) /* of the thread's stack in use when it sends */
/*
 * Room left for the guest's own frames under the sending one: the send
 * down to the hypercall, and the event handlers and timers of an idle
 * pass run in place while it waits (runtime/sched.c, IDLE_IN_PLACE_STACK_MIN).
 */
#define GUEST_ROOM (10 * 1024)
#define PAINT 0x3c
#define NEIGHBOUR_PAINT 0x6b
#define CANARY_BYTES 8 /* runtime/sched.c's STACK_CANARY, at the stack's lowest address */
#define STACK_ORDER 5  /* a thread's stack: 2^5 pages (runtime/sched.c) */

static struct {
	struct net_socket *sock; /* port 68, broadcasts on */
	/* What the deep thread found (assertions are made in the main thread): */
	size_t in_use;        /* its stack in use at the send */
	size_t painted;
	bool paint_intact;
	bool canary_intact;
	bool neighbour_intact;
	int send_rc, wait_rc;
	ip4_addr_t answered_by;
} run;

/* The 128 KiB of guest memory right under the thread's stack: ours, painted. */
static uint8_t *neighbour;
static uint8_t discover[BOOTP_LEN], offer[BOOTP_LEN];

/* A DHCP DISCOVER (RFC 2131): BOOTREQUEST, Ethernet, the magic cookie, option 53 = 1. */
static void discover_build(void)
{
	static const uint8_t mac[6] = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x99 };
	static const uint8_t tail[] = { 99, 130, 83, 99, 53, 1, 1, 255 };

	discover[0] = 1; /* op */
	discover[1] = 1; /* htype */
	discover[2] = 6; /* hlen */
	memcpy(discover + 4, "deep", 4); /* xid */
	discover[10] = 0x80; /* flags: broadcast */
	memcpy(discover + 28, mac, sizeof(mac)); /* chaddr */
	memcpy(discover + 236, tail, sizeof(tail));
}

static bool all_bytes(const volatile uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* Paints what lies under this frame, sends, blocks, then looks at the paint. */
static __attribute__((noinline)) void send_and_block(void)
{
	struct uk_thread *self = uk_thread_self();
	uint8_t *base = self->stack;
	uint8_t *sp = __builtin_frame_address(0);
	uint64_t canary;

	run.in_use = (size_t)(base + UK_THREAD_STACK_SIZE - sp);
	run.painted = (size_t)(sp - GUEST_ROOM - (base + CANARY_BYTES));
	memcpy(&canary, base, sizeof(canary));
	memset(base + CANARY_BYTES, PAINT, run.painted);

	run.send_rc = net_sendto(run.sock, discover, sizeof(discover), IP4_BROADCAST, 67);
	run.wait_rc = net_recvfrom(run.sock, offer, sizeof(offer), &run.answered_by, NULL,
				   uk_now_ns() + 100 * MS);

	run.paint_intact = all_bytes(base + CANARY_BYTES, run.painted, PAINT);
	run.canary_intact = memcmp(&canary, base, sizeof(canary)) == 0;
	run.neighbour_intact = all_bytes(neighbour, UK_THREAD_STACK_SIZE, NEIGHBOUR_PAINT);
}

/* Takes `left` more bytes of stack in 4 KiB frames, then sends. */
static __attribute__((noinline)) int descend(size_t left)
{
	volatile uint8_t frame[4096];

	frame[0] = 1;
	if (left > sizeof(frame))
		return descend(left - sizeof(frame)) + frame[0] - 1;
	send_and_block();
	return frame[0] - 1;
}

static int deep_thread(void *arg)
{
	(void)arg;
	return descend(DEPTH);
}

/*
 * Sets `neighbour` to a block of a thread stack's size whose upper buddy
 * (runtime/page.c splits a block into its lower half and a free upper half)
 * is freed last, so that the next thread's stack is right above it; returns
 * that stack, or NULL when no such pair came.
 */
static uint8_t *stack_above_a_block_of_ours(void)
{
	enum { N = 8 };
	uint8_t *b[N];
	uint8_t *upper = NULL;

	for (int i = 0; i < N; i++)
		b[i] = uk_page_alloc(STACK_ORDER);
	for (int i = 0; i < N && !upper; i++)
		for (int j = 0; j < N; j++)
			if (b[i] && b[j] && b[j] == b[i] + UK_THREAD_STACK_SIZE) {
				neighbour = b[i];
				upper = b[j];
				break;
			}
	for (int i = 0; i < N; i++)
		if (b[i] && b[i] != neighbour && b[i] != upper)
			uk_page_free(b[i], STACK_ORDER);
	if (upper)
		uk_page_free(upper, STACK_ORDER);
	return upper;
}

static void test_a_thread_110k_deep_sends_through_slirp_and_blocks_without_writing_below(
	void **state)
{
	struct uk_thread *t;
	uint8_t *stack;

	discover_build();
	stack = stack_above_a_block_of_ours();
	assert_non_null(stack);
	memset(neighbour, NEIGHBOUR_PAINT, UK_THREAD_STACK_SIZE);
	t = uk_thread_create("deep", deep_thread, NULL);
	assert_non_null(t);
	assert_ptr_equal(t->stack, stack); /* the next stack is the one freed last */
	assert_int_equal(uk_thread_join(t), 0);
	assert_true(run.in_use >= DEPTH && run.in_use < DEPTH + 8 * 1024);
	assert_int_equal(run.send_rc, BOOTP_LEN);
	assert_true(run.wait_rc > 240); /* slirp's OFFER, */
	assert_int_equal(offer[0], 2);  /* a BOOTREPLY */
	assert_memory_equal(offer + 4, "deep", 4); /* to our DISCOVER */
	assert_int_equal(run.answered_by, SLIRP_HOST);
	assert_true(run.painted > 4 * 1024);
	assert_true(run.paint_intact);
	assert_true(run.canary_intact);
	assert_true(run.neighbour_intact);
	/* The simulator did go deeper than the thread had room for, on its own stack. */
	assert_true(sim_stack_used(&shim_current()->stack) > 64 * 1024);
}

static int setup(void **state)
{
	return net_socket(NET_SOCK_DGRAM, &run.sock) < 0 || net_set_broadcast(run.sock, true) < 0 ||
	       net_bind(run.sock, IP4_ANY, 68) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	if (neighbour)
		uk_page_free(neighbour, STACK_ORDER);
	net_close(run.sock);
	return 0;
}

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_a_thread_110k_deep_sends_through_slirp_and_blocks_without_writing_below),
	};

	if (net_init(argc, argv, uk_now_ns() + UK_NSEC_PER_SEC) < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
