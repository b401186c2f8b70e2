/*
 * testguest: one unikernel, many small behaviours for the integration tests.
 *   exit N          exits with status N
 *   sleep SECONDS   sleeps on the Xen timer, prints the guest time it took (ns)
 *   assert          fails a UK_ASSERT (a crash)
 *   segfault        writes through a wild pointer (a guest fault)
 *   xs-write-on PATH VALUE GATE   once xenstore node GATE exists, writes VALUE to PATH,
 *                   then idles until powered off (a minute at most)
 *   spin SECONDS    busy-waits without ever blocking (deaf to xenstore)
 *   memhog          allocates 60 KiB blocks (16 pages with the header) until the heap says no, prints how many
 *   memstat         prints the page allocator's total and free pages
 *   misbehave       breaks the Xen rules on purpose, scenario after scenario (misbehave.c)
 *   args ...        prints each argument in brackets
 *   format          prints through uk_printf and snprintf what both builds must print alike
 *   net WORDS...    net_init with WORDS as its command line (DHCP waits 1 s of guest
 *                   time), then its result and each interface's configuration
 *   rx-tick MS      opens vif0 and prints the guest time of each frame it receives, with a
 *                   periodic timer ticking every MS ms (a guest that is never idle for long);
 *                   runs until powered off, then prints the frames and ticks it counted
 *   rx-spin N       opens vif0, receives N frames, prints "received N frames", then
 *                   busy-waits (about a minute at most) without a hypercall: the loop
 *                   never goes idle again
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uk/netfront.h>
#include <uk/timer.h>
#include <uk.h>

#include <net/net.h>

#define OPEN_TIMEOUT_NS (10 * UK_NSEC_PER_SEC)

#include "testguest.h"

struct rx_tick {
	struct uk_timer tick;
	uint64_t ticks, frames;
	struct uk_waitq never;
};

static struct rx_tick rxt = { .never = UK_WAITQ_INIT };

static int memhog(void)
{
	struct uk_mem_stats st;
	void *prev = NULL;
	uint64_t n = 0;

	/* Chain the blocks through their first word so none is lost. */
	for (void **b; (b = uk_malloc(60 * 1024)); n++) {
		*b = prev;
		prev = b;
	}
	uk_mem_stats(&st);
	uk_printf("memhog: %" PRIu64 " blocks of 60 KiB before exhaustion, %zu pages free\n", n,
		  st.pages_free);
	while (prev) {
		void *next = *(void **)prev;
		uk_free(prev);
		prev = next;
	}
	return 0;
}

/* Floating point and the rest, formatted by runtime/libc/vsnprintf.c in both builds. */
static int format(void)
{
	char buf[64];

	uk_printf("uk_printf: [%f] [%8.3e] [%-4g|] [%d] [%5s] [%#x]\n", 1.5, 2.5, 0.25, -42, "ab",
		  255u);
	snprintf(buf, sizeof(buf), "[%f] [%lu] [%p]", 3.75, 7ul, (void *)0);
	uk_printf("snprintf: %s\n", buf);
	return 0;
}

/* net_init on the words after "net"; one line per interface after its result. */
static int net(int argc, char **argv)
{
	int rc = net_init(argc, argv, uk_now_ns() + UK_NSEC_PER_SEC);

	uk_printf("net_init: %d\n", rc);
	for (unsigned int i = 0; i < net_if_count(); i++) {
		struct net_if_config c;
		char a[16], m[16], g[16], d0[16], d1[16];

		net_if_get_config(net_if_get(i), &c);
		uk_printf("if%u: addr %s mask %s gw %s dns %s,%s\n", i, ip4_addr_str(c.addr, a),
			  ip4_addr_str(c.netmask, m), ip4_addr_str(c.gateway, g),
			  ip4_addr_str(c.dns[0], d0), ip4_addr_str(c.dns[1], d1));
	}
	return 0;
}

static void rx_tick_frame(struct netfront *nf, const uint8_t *frame, size_t len, void *arg)
{
	rxt.frames++;
	uk_printf("rx frame %" PRIu64 " (%zu bytes) at %" PRIu64 " ns\n", rxt.frames, len,
		  uk_now_ns());
}

static void rx_tick_count(struct uk_timer *t, void *arg)
{
	rxt.ticks++;
}

static void rx_tick_report(void)
{
	uk_printf("rx-tick: %" PRIu64 " frames, %" PRIu64 " ticks\n", rxt.frames, rxt.ticks);
}

static int rx_tick(uint64_t period_ms)
{
	struct netfront *nf;
	int rc;

	if (period_ms == 0 || (rc = netfront_open(0, OPEN_TIMEOUT_NS, &nf)) < 0) {
		uk_printf("rx-tick: no period or vif0 did not connect\n");
		return 1;
	}
	netfront_set_rx(nf, rx_tick_frame, NULL);
	uk_timer_init(&rxt.tick, rx_tick_count, NULL);
	uk_timer_arm_periodic(&rxt.tick, period_ms * UK_NSEC_PER_MSEC);
	uk_atexit(rx_tick_report);
	for (;;) /* until powered off */
		uk_waitq_wait(&rxt.never, 0);
}

static void rx_spin_frame(struct netfront *nf, const uint8_t *frame, size_t len, void *arg)
{
	rxt.frames++;
}

static int rx_spin(uint64_t want)
{
	struct netfront *nf;

	if (netfront_open(0, OPEN_TIMEOUT_NS, &nf) < 0) {
		uk_printf("rx-spin: vif0 did not connect\n");
		return 1;
	}
	netfront_set_rx(nf, rx_spin_frame, NULL);
	while (rxt.frames < want)
		uk_sleep_ns(UK_NSEC_PER_MSEC);
	uk_printf("received %" PRIu64 " frames\n", rxt.frames);
	/* Guest time may stand still (--clock virtual): bounded by a count, not a clock. */
	for (volatile uint64_t i = 0; i < 60ull * 1000 * 1000 * 1000; i++)
		;
	return 0;
}

/*
 * Writes value to path once gate exists: a test can make its watch on path
 * first, then open the gate, with no race against a fixed delay.
 */
static int xs_write_on(const char *path, const char *value, const char *gate)
{
	struct xenbus_watch w;
	char *fired, *v;
	int rc;

	if ((rc = xenbus_watch_add(&w, gate, NULL, NULL)) < 0) {
		uk_printf("cannot watch %s: error %d\n", gate, rc);
		return 1;
	}
	/* The watch fires once when added, then at each write under gate. */
	while (xenbus_read(XBT_NIL, gate, &v, NULL) < 0)
		if (xenbus_watch_wait(&w, &fired, 0) == 0)
			uk_free(fired);
	uk_free(v);
	rc = xenbus_write(XBT_NIL, path, value);
	uk_printf("wrote %s: %d\n", path, rc);
	uk_sleep_ns(60 * UK_NSEC_PER_SEC);
	return rc < 0 ? 1 : 0;
}

int app_main(int argc, char **argv)
{
	if (argc < 2) {
		uk_printf("usage: testguest exit N | sleep S | assert | memhog | args ...\n");
		return 2;
	}
	if (!strcmp(argv[1], "exit") && argc == 3)
		return (int)strtol(argv[2], NULL, 10);
	if (!strcmp(argv[1], "sleep") && argc == 3) {
		uint64_t start = uk_now_ns();
		uk_sleep_ns(strtoull(argv[2], NULL, 10) * UK_NSEC_PER_SEC);
		uk_printf("slept %" PRIu64 " ns of guest time\n", uk_now_ns() - start);
		return 0;
	}
	if (!strcmp(argv[1], "assert")) {
		int answer = 41;
		UK_ASSERT(answer == 42);
		return 0;
	}
	if (!strcmp(argv[1], "segfault")) {
		/* From a string, so the compiler cannot see the address coming. */
		volatile int *wild = (volatile int *)(uintptr_t)strtoul("0x10", NULL, 16);
		*wild = 1;
		return 0;
	}
	if (!strcmp(argv[1], "xs-write-on") && argc == 5)
		return xs_write_on(argv[2], argv[3], argv[4]);
	if (!strcmp(argv[1], "spin") && argc == 3) {
		uint64_t end = uk_now_ns() + strtoull(argv[2], NULL, 10) * UK_NSEC_PER_SEC;
		uk_printf("spinning\n");
		while (uk_now_ns() < end)
			;
		return 0;
	}
	if (!strcmp(argv[1], "net"))
		return net(argc - 1, argv + 1);
	if (!strcmp(argv[1], "format"))
		return format();
	if (!strcmp(argv[1], "memhog"))
		return memhog();
	if (!strcmp(argv[1], "misbehave"))
		return testguest_misbehave();
	if (!strcmp(argv[1], "memstat")) {
		struct uk_mem_stats st;
		uk_mem_stats(&st);
		uk_printf("memstat: %zu pages total, %zu free\n", st.pages_total, st.pages_free);
		return 0;
	}
	if (!strcmp(argv[1], "rx-tick") && argc == 3)
		return rx_tick(strtoull(argv[2], NULL, 10));
	if (!strcmp(argv[1], "rx-spin") && argc == 3)
		return rx_spin(strtoull(argv[2], NULL, 10));
	if (!strcmp(argv[1], "args")) {
		for (int i = 2; i < argc; i++)
			uk_printf("[%s]\n", argv[i]);
		return 0;
	}
	uk_printf("testguest: unknown command '%s'\n", argv[1]);
	return 2;
}
