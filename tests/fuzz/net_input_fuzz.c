/*
 * libFuzzer harness: each input is one Ethernet frame handed to
 * net_if_input of an interface configured as 10.0.0.2/24 (gateway
 * 10.0.0.1) on a link that checks and drops what the stack sends.
 *
 * The net objects are the guest code, unchanged (build.sh compiles them
 * with the guest's freestanding headers). They run without a booted guest:
 * runtime_stubs.c provides the few runtime functions they call, on the host:
 * malloc-backed uk_malloc, a fake clock that advances FUZZ_TICK_NS before
 * each input (the harness then runs the due timers, ARP and reassembly,
 * with the real runtime/timer.c, as the scheduler would), and threads and wait queues that never
 * block. A send the link must refuse (shorter than 14 bytes or longer than
 * the MTU plus 14) aborts: the stack must never build one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net_private.h"

#include "fuzz_target.h"
#include "runtime_stubs.h"
#include "timer_private.h"

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

	stub_now_ns += FUZZ_TICK_NS;
	uk_timer_run_due(stub_now_ns);
	/* An exact-size copy, so that ASan sees any read past the frame. */
	if (!(frame = malloc(size ? size : 1)))
		return 0;
	memcpy(frame, data, size);
	net_if_input(nif, frame, size);
	free(frame);
	return 0;
}
