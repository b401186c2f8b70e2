/*
 * The guest that tests/gdb runs drydock's gdb helpers on. It reaches a
 * known state, then calls gdbguest_checkpoint(), where each test stops:
 *   - thread "sleeper" asleep in uk_sleep_ns for 10 s of guest time;
 *   - thread "waiter" blocked in waiter_block on gdbguest_wq, no deadline;
 *   - thread "main" (app_main) running;
 *   - the callback timer gdbguest_timer armed 5 s ahead;
 *   - vif 0 up as 10.0.0.2/24, a UDP socket bound to port 7, and one
 *     datagram sent to 10.0.0.1 (its ARP request went out on the TX ring);
 *   - with a --disk, disk 0 open: a write, a read and a flush done, then a
 *     128-sector write (BLKIF_OP_INDIRECT, 16 segments) and a 1-sector read
 *     submitted and not yet answered (gdbguest_blk_done and _pending count
 *     them). Both complete and the disk is closed after the checkpoint
 *     (a panic comes first: its core holds them in flight).
 * The first guest word says what happens after the checkpoint:
 *   exit      exit 0 (the default)
 *   panic     uk_panic: a crash, with a core file under --core
 *   violation a hypercall with a wild pointer (a protocol violation), then exit 0
 *   wait      print "gdbguest: waiting" and sleep 60 s (for tools from outside)
 */
#include <string.h>
#include <uk.h>
#include <uk/hypercall.h>
#include <uk/timer.h>
#include <uk/blk.h>
#include <net/net.h>
#include <net/socket.h>
#include <xen/event_channel.h>

#define SLEEPER_NS (10 * UK_NSEC_PER_SEC)
#define TIMER_NS (5 * UK_NSEC_PER_SEC)

struct uk_waitq gdbguest_wq = UK_WAITQ_INIT;
struct uk_timer gdbguest_timer;
/* What the tests compare with the helpers' output. */
volatile unsigned int gdbguest_checkpoints;
volatile unsigned int gdbguest_blk_done, gdbguest_blk_pending;

#define BLK_BIG_SECTORS 128 /* 64 KiB: 16 pages, more than a direct request's 11 */
static uint8_t blk_buf[BLK_BIG_SECTORS * 512];
static uint8_t blk_small[512];
static struct uk_blk *blk;
static struct uk_blk_req blk_big_req, blk_small_req;

static void timer_fired(struct uk_timer *t, void *arg)
{
}

static int sleeper(void *arg)
{
	uk_sleep_ns(SLEEPER_NS);
	return 0;
}

__attribute__((noinline)) static void waiter_block(void)
{
	uk_waitq_wait(&gdbguest_wq, 0);
}

static int waiter(void *arg)
{
	waiter_block();
	return 0;
}

void gdbguest_checkpoint(void);

/* Where the tests break: every thread is in its known place. */
__attribute__((noinline)) void gdbguest_checkpoint(void)
{
	gdbguest_checkpoints++;
	__asm__ volatile("" ::: "memory");
}

static int start_net(int argc, char **argv)
{
	struct net_socket *s;
	int rc;

	if ((rc = net_init(argc, argv, uk_now_ns() + UK_NSEC_PER_SEC)) < 0) {
		uk_printf("gdbguest: no network: error %d\n", rc);
		return rc;
	}
	if ((rc = net_socket(NET_SOCK_DGRAM, &s)) < 0 || (rc = net_bind(s, IP4_ANY, 7)) < 0) {
		uk_printf("gdbguest: no UDP socket: error %d\n", rc);
		return rc;
	}
	/* Queued behind an ARP request for 10.0.0.1, which no one answers. */
	net_sendto(s, "hello", 5, IP4_ADDR(10, 0, 0, 1), 7);
	return 0;
}

/* Disk 0 (if any) in the state the header describes; -errno when it cannot be. */
static int start_blk(void)
{
	int rc;

	if (uk_blk_count() <= 0)
		return 0;
	if ((rc = uk_blk_open(0, 5 * UK_NSEC_PER_SEC, &blk)) < 0) {
		uk_printf("gdbguest: cannot open disk 0: error %d\n", rc);
		return rc;
	}
	memset(blk_buf, 0x5a, sizeof(blk_buf));
	if ((rc = uk_blk_write(blk, 0, blk_buf, 8)) < 0 || (rc = uk_blk_read(blk, 0, blk_buf, 8)) < 0 ||
	    (rc = uk_blk_flush(blk)) < 0) {
		uk_printf("gdbguest: disk I/O failed: error %d\n", rc);
		return rc;
	}
	gdbguest_blk_done = 3;
	blk_big_req = (struct uk_blk_req){ .op = UK_BLK_WRITE, .sector = 64,
					   .count = BLK_BIG_SECTORS, .buf = blk_buf };
	blk_small_req = (struct uk_blk_req){ .op = UK_BLK_READ, .sector = 0, .count = 1,
					     .buf = blk_small };
	if ((rc = uk_blk_submit(blk, &blk_big_req)) < 0 ||
	    (rc = uk_blk_submit(blk, &blk_small_req)) < 0) {
		uk_printf("gdbguest: cannot submit: error %d\n", rc);
		return rc;
	}
	gdbguest_blk_pending = 2;
	return 0;
}

static void end_blk(void)
{
	if (!blk)
		return;
	if (uk_blk_wait(&blk_big_req) < 0 || uk_blk_wait(&blk_small_req) < 0)
		uk_printf("gdbguest: disk requests failed\n");
	uk_blk_close(blk);
}

int app_main(int argc, char **argv)
{
	const char *then = argc > 1 ? argv[1] : "exit";

	uk_thread_detach(uk_thread_create("sleeper", sleeper, NULL));
	uk_thread_detach(uk_thread_create("waiter", waiter, NULL));
	uk_timer_init(&gdbguest_timer, timer_fired, NULL);
	uk_timer_arm(&gdbguest_timer, TIMER_NS);
	if (start_net(argc, argv) < 0 || start_blk() < 0)
		return 1;
	uk_yield(); /* the sleeper and the waiter block */
	gdbguest_checkpoint();
	if (!strcmp(then, "panic"))
		uk_panic("gdbguest: crashing on purpose");
	if (!strcmp(then, "violation"))
		HYPERVISOR_event_channel_op(EVTCHNOP_send, (void *)16);
	end_blk();
	uk_printf("gdbguest: checkpoint passed\n");
	if (!strcmp(then, "wait")) {
		uk_printf("gdbguest: waiting\n");
		uk_sleep_ns(60 * UK_NSEC_PER_SEC);
	}
	return 0;
}
