/*
 * netfront's TSO (runtime/drivers/netfront/netfront_tx.c) against the
 * simulator's netback, inside a booted guest, as netfront_test.c runs:
 * vif 0 offers every offload (the default), vif 1 none (sg=0,gso=0,csum=0).
 * What the null backend is given is recorded: the segments netback cut
 * from the guest's 64 KiB frames, checked byte for byte with their
 * checksums. Run with --clock virtual.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hypercall_shim/shim.h"
#include "runtime/include/uk/netfront.h"
#include "runtime/include/uk/alloc.h"
#include "runtime/include/uk/boot.h"
#include "runtime/gnttab_private.h"
#include "runtime/include/uk/sched.h"
#include "runtime/include/uk/time.h"
#include "sim/backends/vif.h"
#include "peer.h"

const char uk_app_name[] = "netfront_offload_test";

#define NR_VIFS 2
#define OPEN_TIMEOUT (5 * UK_NSEC_PER_SEC)
#define PAYLOAD_MAX (NETFRONT_MAX_TSO_FRAME - 54)

/* --- the host half: what each vif's null backend was given, joined --- */

struct seen {
	unsigned int frames;
	size_t payload;             /* TCP payload bytes, in order */
	uint8_t data[1 << 21];      /* the payloads, concatenated */
	unsigned int bad_csum;      /* segments whose checksums do not add up */
	size_t max_len;
};

static struct seen seen[NR_VIFS];
static struct vif *vifs[NR_VIFS];
static struct vif_backend_ops rec_ops;

static uint16_t rd16(const uint8_t *p) { return peer_get16(p); }

/* The folded ones'-complement sum (not complemented), from the test peer's. */
static uint16_t ones_sum(const uint8_t *p, size_t n, uint32_t sum)
{
	return (uint16_t)~peer_csum_fold(peer_csum_add(sum, p, n));
}

/* Whether the IPv4 header and TCP checksums of a frame are right. */
static bool checksums_valid(const uint8_t *f, size_t len)
{
	size_t total = rd16(f + 16);
	uint32_t pseudo = rd16(f + 26) + rd16(f + 28) + rd16(f + 30) + rd16(f + 32) + 6u +
			  (uint32_t)(total - 20);

	return len == 14 + total && ones_sum(f + 14, 20, 0) == 0xffff &&
	       ones_sum(f + 34, total - 20, pseudo) == 0xffff;
}

static void rec_transmit(struct vif *v, const uint8_t *f, size_t len)
{
	struct seen *s = &seen[v->index];
	size_t n = len >= 54 ? len - 54 : 0;

	s->frames++;
	if (len > s->max_len)
		s->max_len = len;
	if (len < 54 || !checksums_valid(f, len))
		s->bad_csum++;
	if (s->payload + n <= sizeof(s->data))
		memcpy(s->data + s->payload, f + 54, n);
	s->payload += n;
}

static struct vif *vif_make(unsigned int index, const char *spec)
{
	struct vif_config cfg;
	struct vif *v = NULL;
	char err[160];

	if (vif_config_parse(&cfg, spec, err, sizeof(err)) < 0)
		fail_msg("vif_config_parse: %s", err);
	if (vif_create(shim_current(), index, &cfg, &v, err, sizeof(err)) < 0)
		fail_msg("vif_create: %s", err);
	rec_ops = *v->ops;
	rec_ops.transmit = rec_transmit;
	v->ops = &rec_ops;
	return v;
}

/* --- frames, as the stack builds them for TSO --- */

/*
 * A TCP/IPv4 frame of n payload bytes (i * 13 + seed pattern) from seq,
 * its IP checksum filled and its TCP checksum field holding the folded
 * pseudo-header sum (CHECKSUM_PARTIAL).
 */
static size_t tso_frame(uint8_t *f, size_t n, uint32_t seq, uint8_t seed)
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

static void settle(void)
{
	uk_sleep_ns(10 * UK_NSEC_PER_MSEC);
}

static struct netfront *open_vif(unsigned int index)
{
	struct netfront *nf = NULL;

	assert_int_equal(netfront_open(index, OPEN_TIMEOUT, &nf), 0);
	return nf;
}

/* --- tests --- */

static void test_the_backend_offers_are_what_netfront_uses(void **state)
{
	struct netfront *on = open_vif(0), *off = open_vif(1);
	struct netfront_offloads o;

	netfront_offloads(on, &o);
	assert_true(o.sg);
	assert_true(o.csum);
	assert_int_equal(o.tso_max, NETFRONT_MAX_TSO_FRAME);
	netfront_offloads(off, &o);
	assert_false(o.sg);
	assert_false(o.csum);
	assert_int_equal(o.tso_max, 0);
	assert_int_equal(netfront_close(on), 0);
	assert_int_equal(netfront_close(off), 0);
}

static void test_a_64k_tso_frame_reaches_the_wire_as_checksummed_segments(void **state)
{
	static uint8_t f[NETFRONT_MAX_TSO_FRAME];
	struct netfront *nf = open_vif(0);
	size_t len = tso_frame(f, PAYLOAD_MAX, 1000, 5);
	struct netfront_stats st;

	assert_int_equal(netfront_try_send_tso(nf, f, len, 1448), 0);
	settle();
	assert_int_equal(seen[0].frames, (PAYLOAD_MAX + 1447) / 1448);
	assert_int_equal(seen[0].bad_csum, 0);
	assert_int_equal(seen[0].max_len, 54 + 1448);
	assert_int_equal(seen[0].payload, PAYLOAD_MAX);
	assert_memory_equal(seen[0].data, f + 54, PAYLOAD_MAX);
	netfront_stats(nf, &st);
	assert_int_equal(st.tx_frames, 1);
	assert_int_equal(st.tx_errors, 0);
	assert_int_equal(netfront_close(nf), 0);
}

static void test_tso_frames_beyond_the_ring_all_arrive_in_order(void **state)
{
	static uint8_t f[NETFRONT_MAX_TSO_FRAME];
	struct netfront *nf = open_vif(0);
	size_t n = 30000, total = 0;
	unsigned int sent = 0;

	/* 40 frames of 8 pages each: 320 buffers, more than the ring's 256. */
	while (sent < 40) {
		size_t len = tso_frame(f, n, (uint32_t)total, (uint8_t)sent);
		int rc = netfront_try_send_tso(nf, f, len, 1460);

		if (rc == -ENOBUFS) {
			settle();
			continue;
		}
		assert_int_equal(rc, 0);
		total += n;
		sent++;
	}
	settle();
	assert_int_equal(seen[0].payload, total);
	assert_int_equal(seen[0].bad_csum, 0);
	for (unsigned int i = 0; i < sent; i++)
		for (size_t j = 0; j < n; j += 997)
			assert_int_equal(seen[0].data[i * n + j], (uint8_t)(j * 13 + i));
	assert_int_equal(netfront_close(nf), 0);
}

static void test_without_offloads_tso_is_refused_and_frames_still_go(void **state)
{
	static uint8_t f[NETFRONT_MAX_TSO_FRAME];
	struct netfront *nf = open_vif(1);
	size_t len = tso_frame(f, 3000, 1, 1);

	assert_int_equal(netfront_try_send_tso(nf, f, len, 1448), -EOPNOTSUPP);
	len = tso_frame(f, 1000, 1, 1);
	assert_int_equal(netfront_try_send(nf, f, len), 0);
	settle();
	assert_int_equal(seen[1].frames, 1);
	assert_int_equal(seen[1].bad_csum, 1); /* sent as it was: nothing filled it */
	assert_int_equal(netfront_close(nf), 0);
}

static void test_tso_refuses_frames_over_64k_and_runts(void **state)
{
	static uint8_t f[NETFRONT_MAX_TSO_FRAME + 1];
	struct netfront *nf = open_vif(0);

	assert_int_equal(netfront_try_send_tso(nf, f, sizeof(f), 1448), -EMSGSIZE);
	assert_int_equal(netfront_try_send_tso(nf, f, 13, 1448), -EMSGSIZE);
	settle();
	assert_int_equal(seen[0].frames, 0);
	assert_int_equal(netfront_close(nf), 0);
}

/* --- the group --- */

static size_t pages_before, blocks_before;
static unsigned int grants_before;

static int setup(void **state)
{
	struct uk_mem_stats m;

	memset(seen, 0, sizeof(seen));
	uk_mem_stats(&m);
	pages_before = m.pages_free;
	blocks_before = m.heap_blocks;
	grants_before = gnttab_free_count();
	return 0;
}

static int teardown(void **state)
{
	struct uk_mem_stats m;

	uk_mem_stats(&m);
	assert_int_equal(m.pages_free, pages_before);
	assert_int_equal(m.heap_blocks, blocks_before);
	assert_int_equal(gnttab_free_count(), grants_before);
	return 0;
}

static int group_setup(void **state)
{
	assert_int_equal(gnttab_init(), 0);
	vifs[0] = vif_make(0, "null");
	vifs[1] = vif_make(1, "null,sg=0,gso=0,csum=0");
	return 0;
}

static int group_teardown(void **state)
{
	for (unsigned int i = 0; i < NR_VIFS; i++)
		if (vifs[i])
			vif_destroy(vifs[i]);
	return 0;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_the_backend_offers_are_what_netfront_uses),
		T(test_a_64k_tso_frame_reaches_the_wire_as_checksummed_segments),
		T(test_tso_frames_beyond_the_ring_all_arrive_in_order),
		T(test_without_offloads_tso_is_refused_and_frames_still_go),
		T(test_tso_refuses_frames_over_64k_and_runts),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
