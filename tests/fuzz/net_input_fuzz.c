/*
 * libFuzzer harness: each input is one Ethernet frame handed to
 * net_if_input of an interface configured as 10.0.0.2/24 (gateway
 * 10.0.0.1) on a link that checks and drops what the stack sends.
 *
 * The net objects are the guest code, unchanged (build.sh compiles them
 * with the guest's freestanding headers). They run without a booted guest:
 * this file provides the few runtime functions they call, on the host:
 * malloc-backed uk_malloc, a fake clock that advances FUZZ_TICK_NS before
 * each input (the harness then runs the ARP and reassembly timers, as the
 * stack's timer thread would), and threads and wait queues that never
 * block. A send the link must refuse (shorter than 14 bytes or longer than
 * the MTU plus 14) aborts: the stack must never build one.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net_private.h"
#include <net/netfront.h>
#include <uk/alloc.h>
#include <uk/exit.h>
#include <uk/sched.h>
#include <uk/time.h>

#include "fuzz_target.h"

/* --- the runtime, as far as the net objects need it --- */

static uint64_t fake_now = 1000000000ULL;

void *uk_malloc(size_t size) { return malloc(size ? size : 1); }
void *uk_calloc(size_t n, size_t size) { return calloc(n ? n : 1, size ? size : 1); }
void *uk_realloc(void *p, size_t size) { return realloc(p, size ? size : 1); }
void uk_free(void *p) { free(p); }
uint64_t uk_now_ns(void) { return fake_now; }
void uk_sleep_ns(uint64_t ns) { fake_now += ns; }

_Noreturn void uk_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	abort();
}

/* Threads never run: the harness calls the timers itself. */
static int thread_token;
struct uk_thread *uk_thread_create(const char *name, uk_thread_fn fn, void *arg)
{
	return (struct uk_thread *)&thread_token;
}
void uk_thread_detach(struct uk_thread *t) {}

/* Nothing waits: a wait times out at once, at its deadline. */
void uk_waitq_init(struct uk_waitq *wq) { wq->head = wq->tail = NULL; }
void uk_waitq_wake_all(struct uk_waitq *wq) {}
int uk_waitq_wait(struct uk_waitq *wq, uint64_t deadline_ns)
{
	if (deadline_ns > fake_now)
		fake_now = deadline_ns;
	return -ETIMEDOUT;
}

/* netif.c's netfront attachment is never used here. */
int netfront_send(struct netfront *nf, const void *frame, size_t len) { return -ENODEV; }
void netfront_set_rx(struct netfront *nf, netfront_rx_fn fn, void *arg) {}
void netfront_mac(const struct netfront *nf, uint8_t mac[6]) { memset(mac, 0, 6); }
unsigned int netfront_mtu(const struct netfront *nf) { return 1500; }

/* --- the interface --- */

static int link_send(void *ctx, const uint8_t *frame, size_t len)
{
	if (len < ETH_HLEN || len > ETH_HLEN + FUZZ_MTU) {
		fprintf(stderr, "the stack sent a %zu-byte frame\n", len);
		abort();
	}
	/* Touch every byte so that ASan checks the whole frame. */
	volatile uint8_t sink = 0;
	for (size_t i = 0; i < len; i++)
		sink ^= frame[i];
	(void)sink;
	return 0;
}

static struct net_if *fuzz_if(void)
{
	static struct net_if *nif;
	static const uint8_t ip[4] = FUZZ_IP, gw[4] = FUZZ_GW;
	struct net_link link = { .send = link_send, .mac = FUZZ_MAC, .mtu = FUZZ_MTU };
	struct net_if_config cfg = { 0 };

	if (nif)
		return nif;
	if (net_if_create(&link, &nif) < 0)
		abort();
	memcpy(&cfg.addr, ip, 4);
	memcpy(&cfg.gateway, gw, 4);
	cfg.netmask = ip4_prefix_mask(FUZZ_PREFIX);
	if (net_if_set_config(nif, &cfg) < 0)
		abort();
	return nif;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct net_if *nif = fuzz_if();
	uint8_t *frame;

	fake_now += FUZZ_TICK_NS;
	arp_timer(nif, fake_now);
	ip4_reass_timer(nif, fake_now);
	/* An exact-size copy, so that ASan sees any read past the frame. */
	if (!(frame = malloc(size ? size : 1)))
		return 0;
	memcpy(frame, data, size);
	net_if_input(nif, frame, size);
	free(frame);
	return 0;
}
