/*
 * netfront handing a multi-slot frame up in its slots' pieces
 * (netfront_set_rx_sg, runtime/drivers/netfront/netfront_rx.c) against the
 * simulator's netback, inside a booted guest: a 64 KiB GSO frame comes as
 * one piece a slot, byte for byte, its slots' buffers held during the
 * callback and all back on the ring after; a callback that declines gets
 * the frame joined; frames beyond the ring's slots keep coming; single-slot
 * frames still come whole; and a backend that gets a chain wrong (written
 * here by hand on netback's ring) has it refused, its buffers reposted.
 * Run with --clock virtual.
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

#include "runtime/include/uk/netfront.h"
#include "runtime/include/uk/boot.h"
#include "sim/backends/netback_private.h" /* the ring, as netback sees it */
#include "netfront_offload_fixture.h"

const char uk_app_name[] = "netfront_rx_sg_test";

#define RING 256 /* NET_RX_RING_SIZE on x86 */

static struct vif *vif;

/* --- the guest half: what the callbacks got --- */

struct got {
	unsigned int sg_frames, whole_frames;
	bool decline;                 /* the scatter callback asks for the frame joined */
	unsigned int nr;              /* the last frame's pieces */
	size_t first_len;             /* its first piece's length */
	unsigned int flags;           /* its flags */
	unsigned int posted_in_call;  /* buffers netback could use during that call */
	size_t payload;               /* TCP payload bytes of every frame, in order */
	uint8_t data[1 << 19];
	uint8_t last[NETFRONT_MAX_GSO_RX_FRAME]; /* the last frame, whole */
	size_t last_len;
};

static struct got got;

/* Buffers the frontend has posted that netback has not used. */
static unsigned int posted(void)
{
	struct netback *nb = vif->netback;

	return nb->rx.sring->req_prod - nb->rx.req_cons;
}

static void keep_payload(const uint8_t *f, size_t len)
{
	size_t n = len >= 54 ? len - 54 : 0;

	if (got.payload + n <= sizeof(got.data))
		memcpy(got.data + got.payload, f + 54, n);
	got.payload += n;
}

static bool on_pieces(struct netfront *nf, const struct netfront_frag *frags, unsigned int nr,
		      size_t len, unsigned int flags, void *arg)
{
	size_t off = 0;

	got.posted_in_call = posted();
	if (got.decline)
		return false;
	got.sg_frames++;
	got.nr = nr;
	got.first_len = frags[0].len;
	got.flags = flags;
	for (unsigned int i = 0; i < nr; i++) {
		assert_true(off + frags[i].len <= sizeof(got.last));
		memcpy(got.last + off, frags[i].data, frags[i].len);
		off += frags[i].len;
	}
	assert_int_equal(off, len);
	got.last_len = len;
	keep_payload(got.last, len);
	return true;
}

static void on_whole(struct netfront *nf, const uint8_t *f, size_t len, unsigned int flags,
		     void *arg)
{
	got.whole_frames++;
	got.flags = flags;
	memcpy(got.last, f, len);
	got.last_len = len;
	keep_payload(f, len);
}

static struct netfront *open_sg(void)
{
	struct netfront *nf = NULL;

	assert_int_equal(netfront_open_rx_offload(0, OPEN_TIMEOUT, &nf), 0);
	netfront_set_rx_flags(nf, on_whole, NULL);
	netfront_set_rx_sg(nf, on_pieces);
	settle();
	return nf;
}

/* --- tests --- */

static void test_a_64k_gso_frame_comes_in_its_slots_pieces_byte_for_byte(void **state)
{
	static uint8_t f[NETFRONT_MAX_GSO_RX_FRAME], copy[NETFRONT_MAX_GSO_RX_FRAME];
	struct netfront *nf = open_sg();
	size_t len = tso_frame(f, NETFRONT_MAX_GSO_RX_FRAME - 54, 7, 3);
	unsigned int slots = (unsigned int)((len + 4095) / 4096);

	memcpy(copy, f, len);
	assert_int_equal(posted(), RING);
	assert_int_equal(vif_deliver_offload(vif, f, len, 1448, true, false), 0);
	settle();
	assert_int_equal(got.sg_frames, 1);
	assert_int_equal(got.whole_frames, 0);
	assert_int_equal(got.nr, slots);
	assert_int_equal(got.first_len, 4096); /* the headers are in the first */
	assert_int_equal(got.flags,
			 NETFRONT_RX_GSO | NETFRONT_RX_CSUM_BLANK | NETFRONT_RX_CSUM_VALID);
	assert_int_equal(got.last_len, len);
	assert_memory_equal(got.last, copy, len);
	/* Held while the callback ran (the extra's buffer went back at once), all back after. */
	assert_int_equal(got.posted_in_call, RING - slots);
	assert_int_equal(posted(), RING);
	assert_int_equal(netfront_close(nf), 0);
}

static void test_a_callback_that_declines_gets_the_frame_joined(void **state)
{
	static uint8_t f[NETFRONT_MAX_GSO_RX_FRAME], copy[NETFRONT_MAX_GSO_RX_FRAME];
	struct netfront *nf = open_sg();
	size_t len = tso_frame(f, 30000, 9, 4);

	memcpy(copy, f, len);
	got.decline = true;
	assert_int_equal(vif_deliver_offload(vif, f, len, 1448, true, false), 0);
	settle();
	assert_int_equal(got.sg_frames, 0);
	assert_int_equal(got.whole_frames, 1);
	assert_int_equal(got.flags,
			 NETFRONT_RX_GSO | NETFRONT_RX_CSUM_BLANK | NETFRONT_RX_CSUM_VALID);
	assert_int_equal(got.last_len, len);
	assert_memory_equal(got.last, copy, len);
	assert_int_equal(posted(), RING);
	assert_int_equal(netfront_close(nf), 0);
}

static void test_frames_past_the_rings_slots_keep_coming_in_order(void **state)
{
	static uint8_t f[NETFRONT_MAX_GSO_RX_FRAME];
	struct netfront *nf = open_sg();
	size_t n = 20000, total = 0;

	/* 20 frames of 6 slots each: 120 buffers, reposted after each frame. */
	for (unsigned int i = 0; i < 20; i++) {
		size_t len = tso_frame(f, n, (uint32_t)total, (uint8_t)i);

		while (!vif_rx_ready(vif))
			settle();
		assert_int_equal(vif_deliver_offload(vif, f, len, 1460, true, false), 0);
		total += n;
	}
	settle();
	assert_int_equal(got.sg_frames, 20);
	assert_int_equal(got.payload, total);
	for (unsigned int i = 0; i < 20; i++)
		for (size_t j = 0; j < n; j++)
			assert_int_equal(got.data[i * n + j], (uint8_t)(j * 13 + i));
	assert_int_equal(posted(), RING);
	assert_int_equal(netfront_close(nf), 0);
}

static void test_a_single_slot_frame_still_comes_whole(void **state)
{
	static uint8_t f[2048];
	struct netfront *nf = open_sg();
	size_t len = tso_frame(f, 1000, 1, 1);

	assert_int_equal(vif_deliver(vif, f, len), 0);
	settle();
	assert_int_equal(got.whole_frames, 1);
	assert_int_equal(got.sg_frames, 0);
	assert_int_equal(got.last_len, len);
	assert_memory_equal(got.last, f, len);
	assert_int_equal(netfront_close(nf), 0);
}

static void test_a_chain_past_a_frames_slots_is_refused_and_its_buffers_reposted(void **state)
{
	static uint8_t f[NETFRONT_MAX_GSO_RX_FRAME];
	struct netfront *nf = open_sg();
	struct netfront_stats st;
	uint16_t flags[40];
	size_t len;

	for (unsigned int i = 0; i < 40; i++)
		flags[i] = NETRXF_more_data;
	flags[39] = 0;
	bad_responses(vif->netback, 40, flags, NULL);
	settle();
	netfront_stats(nf, &st);
	assert_int_equal(st.rx_errors, 1);
	assert_int_equal(got.sg_frames + got.whole_frames, 0);
	assert_int_equal(posted(), RING); /* the slots kept before the chain broke too */
	/* The ring still carries good frames, in pieces. */
	len = tso_frame(f, 20000, 1, 2);
	assert_int_equal(vif_deliver_offload(vif, f, len, 1448, true, false), 0);
	settle();
	assert_int_equal(got.sg_frames, 1);
	assert_int_equal(got.last_len, len);
	assert_int_equal(netfront_close(nf), 0);
}

static void test_a_chain_with_an_over_mtu_frame_without_gso_is_refused(void **state)
{
	struct netfront *nf = open_sg();
	struct netfront_stats st;
	uint16_t flags[19];

	for (unsigned int i = 0; i < 19; i++)
		flags[i] = NETRXF_more_data;
	flags[18] = 0; /* 1900 bytes over 19 slots, no GSO extra */
	bad_responses(vif->netback, 19, flags, NULL);
	settle();
	netfront_stats(nf, &st);
	assert_int_equal(st.rx_errors, 1);
	assert_int_equal(got.sg_frames + got.whole_frames, 0);
	assert_int_equal(posted(), RING);
	assert_int_equal(netfront_close(nf), 0);
}

/* --- the group --- */

static int setup(void **state)
{
	memset(&got, 0, sizeof(got));
	guest_resources_note();
	return 0;
}

static int group_setup(void **state)
{
	assert_int_equal(gnttab_init(), 0);
	vif = vif_make(0, "null");
	return 0;
}

static int group_teardown(void **state)
{
	if (vif)
		vif_destroy(vif);
	return 0;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, guest_resources_check)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_a_64k_gso_frame_comes_in_its_slots_pieces_byte_for_byte),
		T(test_a_callback_that_declines_gets_the_frame_joined),
		T(test_frames_past_the_rings_slots_keep_coming_in_order),
		T(test_a_single_slot_frame_still_comes_whole),
		T(test_a_chain_past_a_frames_slots_is_refused_and_its_buffers_reposted),
		T(test_a_chain_with_an_over_mtu_frame_without_gso_is_refused),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
