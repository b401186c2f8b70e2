/*
 * What the tests of netfront's offloads share (netfront_offload_test.c for
 * transmit, netfront_rx_offload_test.c and netfront_rx_sg_test.c for
 * receive), each inside a booted guest against the simulator's netback: the
 * TCP/IPv4 frames the stack builds for TSO, their checksums checked with the
 * test peer's code (tests/support/peer.h), the vifs made from a --vif spec,
 * receive responses a misbehaving backend writes by hand on netback's ring,
 * and the check that a test leaves the guest's pages, heap blocks and grants
 * as it found them. Run with --clock virtual.
 *
 * Each test file includes this header once, hence the static inline helpers.
 */
#ifndef TESTS_UNIT_NETFRONT_OFFLOAD_FIXTURE_H
#define TESTS_UNIT_NETFRONT_OFFLOAD_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "hypercall_shim/shim.h"
#include "runtime/include/uk/alloc.h"
#include "runtime/include/uk/sched.h"
#include "runtime/include/uk/time.h"
#include "runtime/gnttab_private.h"
#include "sim/backends/netback_private.h" /* the ring, for the hand-written responses */
#include "sim/backends/vif.h"
#include "peer.h"

#define OPEN_TIMEOUT (5 * UK_NSEC_PER_SEC)

static inline uint16_t rd16(const uint8_t *p) { return peer_get16(p); }

/* The folded ones'-complement sum (not complemented), from the test peer's. */
static inline uint16_t ones_sum(const uint8_t *p, size_t n, uint32_t sum)
{
	return (uint16_t)~peer_csum_fold(peer_csum_add(sum, p, n));
}

/* Whether the IPv4 header and TCP checksums of a frame are right. */
static inline bool checksums_valid(const uint8_t *f, size_t len)
{
	size_t total = rd16(f + 16);
	uint32_t pseudo = rd16(f + 26) + rd16(f + 28) + rd16(f + 30) + rd16(f + 32) + 6u +
			  (uint32_t)(total - 20);

	return len == 14 + total && ones_sum(f + 14, 20, 0) == 0xffff &&
	       ones_sum(f + 34, total - 20, pseudo) == 0xffff;
}

/* --- frames, as the stack builds them for TSO --- */

/*
 * A TCP/IPv4 frame of n payload bytes (i * 13 + seed pattern) from seq,
 * its IP checksum filled and its TCP checksum field holding the folded
 * pseudo-header sum (CHECKSUM_PARTIAL).
 */
static inline size_t tso_frame(uint8_t *f, size_t n, uint32_t seq, uint8_t seed)
{
	size_t total = 40 + n;
	uint16_t c;

	memset(f, 0, 54);
	memcpy(f, "\x02\x00\x00\x00\x00\x02\x00\x16\x3e\x00\x01\x00\x08\x00", 14);
	f[14] = 0x45;
	f[16] = (uint8_t)(total >> 8);
	f[17] = (uint8_t)total;
	f[20] = 0x40;
	f[22] = 64;
	f[23] = 6;
	memcpy(f + 26, "\x0a\x00\x00\x02\x0a\x00\x00\x01", 8);
	memcpy(f + 34, "\x30\x39\x00\x50", 4);
	f[38] = (uint8_t)(seq >> 24);
	f[39] = (uint8_t)(seq >> 16);
	f[40] = (uint8_t)(seq >> 8);
	f[41] = (uint8_t)seq;
	f[46] = 0x50;
	f[47] = 0x18;
	f[48] = 0xff;
	for (size_t i = 0; i < n; i++)
		f[54 + i] = (uint8_t)(i * 13 + seed);
	c = (uint16_t)~ones_sum(f + 14, 20, 0);
	f[24] = (uint8_t)(c >> 8);
	f[25] = (uint8_t)c;
	c = ones_sum(f + 26, 8, 6u + (uint32_t)(total - 20));
	f[50] = (uint8_t)(c >> 8);
	f[51] = (uint8_t)c;
	return 14 + total;
}

/* --- the vifs and the guest's time --- */

/* Vif index, made from a --vif spec ("null,sg=0,..."); fails the test if refused. */
static inline struct vif *vif_make(unsigned int index, const char *spec)
{
	struct vif_config cfg;
	struct vif *v = NULL;
	char err[160];

	if (vif_config_parse(&cfg, spec, err, sizeof(err)) < 0)
		fail_msg("vif_config_parse: %s", err);
	if (vif_create(shim_current(), index, &cfg, &v, err, sizeof(err)) < 0)
		fail_msg("vif_create: %s", err);
	return v;
}

static inline void settle(void)
{
	uk_sleep_ns(10 * UK_NSEC_PER_MSEC);
}

/* --- a backend that gets its responses wrong, written by hand on netback's rings --- */

/* Answers the next n posted buffers: flags[i], size 100 (or an extra where x && x[i].type). */
static inline void bad_responses(struct netback *nb, unsigned int n, const uint16_t *flags,
				 const netif_extra_info_t *x)
{
	static uint8_t junk[100];
	int notify;

	for (unsigned int i = 0; i < n; i++) {
		netif_rx_request_t req;
		netif_rx_response_t *rsp;

		RING_COPY_REQUEST(&nb->rx, nb->rx.req_cons, &req);
		nb->rx.req_cons++;
		rsp = RING_GET_RESPONSE(&nb->rx, nb->rx.rsp_prod_pvt);
		if (x && x[i].type) {
			memcpy(rsp, &x[i], sizeof(x[i]));
		} else {
			memset(junk, 0x5a, sizeof(junk));
			assert_int_equal(sim_gnttab_copy_to(nb->dom, 0, req.gref, 0, junk, 100),
					 GNTST_okay);
			rsp->id = req.id;
			rsp->offset = 0;
			rsp->flags = flags[i];
			rsp->status = 100;
		}
		nb->rx.rsp_prod_pvt++;
	}
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&nb->rx, notify);
	if (notify)
		xenbus_backend_notify(nb->xb, nb->port);
}

/* --- each test leaves the guest's pages, heap blocks and grants as it found them --- */

static size_t pages_before, blocks_before;
static unsigned int grants_before;

static inline void guest_resources_note(void)
{
	struct uk_mem_stats m;

	uk_mem_stats(&m);
	pages_before = m.pages_free;
	blocks_before = m.heap_blocks;
	grants_before = gnttab_free_count();
}

static inline int guest_resources_check(void **state)
{
	struct uk_mem_stats m;

	uk_mem_stats(&m);
	assert_int_equal(m.pages_free, pages_before);
	assert_int_equal(m.heap_blocks, blocks_before);
	assert_int_equal(gnttab_free_count(), grants_before);
	return 0;
}

#endif
