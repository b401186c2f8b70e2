/*
 * netfront's receive offloads (runtime/drivers/netfront/netfront_rx.c)
 * against the simulator's netback (sim/backends/netback.c) and the vif's
 * software fallback (vif_deliver_offload), inside a booted guest: vif 0
 * offers every offload (the default), vif 1 none (sg=0,gso=0,csum=0), vifs
 * 2 and 3 capture (as on a wire, and capture-gso=whole). A
 * 64 KiB TCP frame with a blank checksum arrives whole over many slots
 * with its GSO extra, or as checksummed segments where a side does not take
 * it, checked byte for byte; and a backend written here by hand that gets
 * its RX responses wrong (a more_data chain past a frame's slots, a GSO
 * size of 0) has its frames refused, counted, and the ring still works.
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
#include <unistd.h>

#include "runtime/include/uk/netfront.h"
#include "runtime/include/uk/boot.h"
#include "netfront_offload_fixture.h"

const char uk_app_name[] = "netfront_rx_offload_test";

#define NR_VIFS 4
#define PAYLOAD_MAX (NETFRONT_MAX_GSO_RX_FRAME - 54)

static struct vif *vifs[NR_VIFS];
static char cap_path[2][64]; /* vifs 2 and 3's captures */

/* --- the guest half: what the receive callback got --- */

struct got {
	unsigned int frames;
	unsigned int flags_or;       /* every frame's flags, or-ed */
	unsigned int bad_csum;       /* frames without the GSO flag whose checksums do not add up */
	size_t payload;              /* TCP payload bytes, in order */
	size_t max_len;
	uint8_t data[1 << 19];
	uint8_t last[NETFRONT_MAX_GSO_RX_FRAME]; /* the last frame, whole */
	size_t last_len;
};

static struct got got;

static void on_frame(struct netfront *nf, const uint8_t *f, size_t len, unsigned int flags,
		     void *arg)
{
	size_t n = len >= 54 ? len - 54 : 0;

	got.frames++;
	got.flags_or |= flags;
	if (len > got.max_len)
		got.max_len = len;
	if (!(flags & NETFRONT_RX_CSUM_BLANK) && (len < 54 || !checksums_valid(f, len)))
		got.bad_csum++;
	if (got.payload + n <= sizeof(got.data))
		memcpy(got.data + got.payload, f + 54, n);
	got.payload += n;
	memcpy(got.last, f, len);
	got.last_len = len;
}

static void on_frame_plain(struct netfront *nf, const uint8_t *f, size_t len, void *arg)
{
	on_frame(nf, f, len, 0, arg);
}

static struct netfront *open_rx(unsigned int index, bool offload)
{
	struct netfront *nf = NULL;

	if (offload) {
		assert_int_equal(netfront_open_rx_offload(index, OPEN_TIMEOUT, &nf), 0);
		netfront_set_rx_flags(nf, on_frame, NULL);
	} else {
		assert_int_equal(netfront_open(index, OPEN_TIMEOUT, &nf), 0);
		netfront_set_rx(nf, on_frame_plain, NULL);
	}
	settle();
	return nf;
}

/* The frame's data bytes reached the guest, as segments of mss or whole. */
static void assert_payload(const uint8_t *f, size_t payload)
{
	assert_int_equal(got.payload, payload);
	assert_memory_equal(got.data, f + 54, payload);
}

/* --- tests --- */

static void test_a_64k_gso_frame_reaches_the_guest_whole_with_its_flags(void **state)
{
	static uint8_t f[NETFRONT_MAX_GSO_RX_FRAME], copy[NETFRONT_MAX_GSO_RX_FRAME];
	struct netfront *nf = open_rx(0, true);
	size_t len = tso_frame(f, PAYLOAD_MAX, 7, 3);
	struct netfront_stats st;

	memcpy(copy, f, len);
	assert_int_equal(vif_deliver_offload(vifs[0], f, len, 1448, true, false), 0);
	settle();
	assert_int_equal(got.frames, 1);
	assert_int_equal(got.flags_or,
			 NETFRONT_RX_GSO | NETFRONT_RX_CSUM_BLANK | NETFRONT_RX_CSUM_VALID);
	assert_int_equal(got.last_len, len);
	assert_memory_equal(got.last, copy, len); /* byte for byte, the checksum still blank */
	netfront_stats(nf, &st);
	assert_int_equal(st.rx_errors, 0);
	assert_int_equal(netfront_close(nf), 0);
}

static void test_gso_frames_beyond_the_ring_all_arrive_in_order(void **state)
{
	static uint8_t f[NETFRONT_MAX_GSO_RX_FRAME];
	struct netfront *nf = open_rx(0, true);
	size_t n = 20000, total = 0;

	/* 20 frames of 6 slots each: 120 buffers, the ring reposting as it goes. */
	for (unsigned int i = 0; i < 20; i++) {
		size_t len = tso_frame(f, n, (uint32_t)total, (uint8_t)i);

		while (!vif_rx_ready(vifs[0]))
			settle();
		assert_int_equal(vif_deliver_offload(vifs[0], f, len, 1460, true, false), 0);
		total += n;
	}
	settle();
	assert_int_equal(got.frames, 20);
	assert_int_equal(got.payload, total);
	for (unsigned int i = 0; i < 20; i++)
		for (size_t j = 0; j < n; j += 997)
			assert_int_equal(got.data[i * n + j], (uint8_t)(j * 13 + i));
	assert_int_equal(netfront_close(nf), 0);
}

static void test_a_validated_frame_is_flagged_and_a_plain_one_is_not(void **state)
{
	static uint8_t f[2048];
	struct netfront *nf = open_rx(0, true);
	size_t len = tso_frame(f, 1000, 1, 1);

	/* A full checksum, as on a wire: the folded sum over the pseudo-header sum tso_frame left. */
	uint16_t c = (uint16_t)~ones_sum(f + 34, len - 34, 0);

	f[50] = (uint8_t)(c >> 8);
	f[51] = (uint8_t)c;
	assert_true(checksums_valid(f, len));
	assert_int_equal(vif_deliver_offload(vifs[0], f, len, 0, false, true), 0);
	settle();
	assert_int_equal(got.frames, 1);
	assert_int_equal(got.flags_or, NETFRONT_RX_CSUM_VALID);
	assert_int_equal(vif_deliver(vifs[0], f, len), 0);
	settle();
	assert_int_equal(got.frames, 2);
	assert_int_equal(got.flags_or, NETFRONT_RX_CSUM_VALID); /* the second: no flag */
	assert_int_equal(got.bad_csum, 0);
	assert_int_equal(netfront_close(nf), 0);
}

static void test_a_backend_without_offloads_gives_checksummed_segments(void **state)
{
	static uint8_t f[NETFRONT_MAX_GSO_RX_FRAME];
	struct netfront *nf = open_rx(1, true);
	size_t len = tso_frame(f, 30000, 9, 4);

	assert_int_equal(vif_deliver_offload(vifs[1], f, len, 1448, true, false), 0);
	settle();
	assert_int_equal(got.frames, (30000 + 1447) / 1448);
	assert_int_equal(got.flags_or, 0);
	assert_int_equal(got.bad_csum, 0);
	assert_int_equal(got.max_len, 54 + 1448);
	assert_payload(f, 30000);
	assert_int_equal(netfront_close(nf), 0);
}

static void test_a_frontend_without_rx_offloads_gets_checksummed_segments(void **state)
{
	static uint8_t f[NETFRONT_MAX_GSO_RX_FRAME];
	struct netfront *nf = open_rx(0, false);
	size_t len = tso_frame(f, 30000, 9, 4);

	assert_int_equal(vif_deliver_offload(vifs[0], f, len, 1448, true, false), 0);
	settle();
	assert_int_equal(got.frames, (30000 + 1447) / 1448);
	assert_int_equal(got.bad_csum, 0);
	assert_payload(f, 30000);
	assert_int_equal(netfront_close(nf), 0);
}

/* --- a backend that gets its responses wrong (bad_responses, the fixture's) --- */

/* After a refused frame the ring still carries good ones. */
static void assert_ring_still_works(unsigned int frames_before)
{
	static uint8_t f[NETFRONT_MAX_GSO_RX_FRAME];
	size_t len = tso_frame(f, 20000, 1, 2);

	assert_int_equal(vif_deliver_offload(vifs[0], f, len, 1448, true, false), 0);
	settle();
	assert_int_equal(got.frames, frames_before + 1);
	assert_int_equal(got.last_len, len);
}

/* The backend's n bad responses on vif 0 give no frame, one RX error, and the ring still works. */
static void assert_bad_responses_refused(struct netfront *nf, unsigned int n,
					 const uint16_t *flags, const netif_extra_info_t *x)
{
	struct netfront_stats st;

	bad_responses(vifs[0]->netback, n, flags, x);
	settle();
	netfront_stats(nf, &st);
	assert_int_equal(got.frames, 0);
	assert_int_equal(st.rx_errors, 1);
	assert_ring_still_works(0);
}

static void test_a_more_data_chain_past_a_frames_slots_is_refused(void **state)
{
	struct netfront *nf = open_rx(0, true);
	uint16_t flags[40];

	for (unsigned int i = 0; i < 40; i++)
		flags[i] = NETRXF_more_data;
	flags[39] = 0;
	assert_bad_responses_refused(nf, 40, flags, NULL);
	assert_int_equal(netfront_close(nf), 0);
}

static void test_a_gso_size_of_0_is_refused(void **state)
{
	struct netfront *nf = open_rx(0, true);
	uint16_t flags[3] = { NETRXF_extra_info | NETRXF_more_data, 0, 0 };
	netif_extra_info_t x[3] = { 0 };

	x[1].type = XEN_NETIF_EXTRA_TYPE_GSO;
	x[1].u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
	x[1].u.gso.size = 0;
	assert_bad_responses_refused(nf, 3, flags, x);
	assert_int_equal(netfront_close(nf), 0);
}

static void test_a_frame_over_the_mtu_without_gso_is_refused(void **state)
{
	struct netfront *nf = open_rx(0, true);
	uint16_t flags[19];

	for (unsigned int i = 0; i < 19; i++)
		flags[i] = NETRXF_more_data;
	flags[18] = 0; /* 1900 bytes over 19 slots, no GSO extra */
	assert_bad_responses_refused(nf, 19, flags, NULL);
	assert_int_equal(netfront_close(nf), 0);
}

/* "FRAMES LARGEST BAD_CSUM" of a pcap file, read as it stands. */
static void pcap_count(const char *path, unsigned int *frames, size_t *largest,
		       unsigned int *bad)
{
	static uint8_t d[1 << 20];
	FILE *f = fopen(path, "rb");
	size_t n, off = 24;

	assert_non_null(f);
	n = fread(d, 1, sizeof(d), f);
	fclose(f);
	*frames = 0;
	*largest = 0;
	*bad = 0;
	while (off + 16 <= n) {
		uint32_t incl = (uint32_t)d[off + 8] | (uint32_t)d[off + 9] << 8 |
				(uint32_t)d[off + 10] << 16 | (uint32_t)d[off + 11] << 24;

		assert_true(off + 16 + incl <= n);
		(*frames)++;
		if (incl > *largest)
			*largest = incl;
		if (!checksums_valid(d + off + 16, incl))
			(*bad)++;
		off += 16 + incl;
	}
}

static void test_the_capture_shows_wire_segments_unless_whole(void **state)
{
	static uint8_t f[NETFRONT_MAX_GSO_RX_FRAME];
	struct netfront *seg = open_rx(2, true), *whole = open_rx(3, true);
	size_t len = tso_frame(f, 30000, 9, 4);
	unsigned int frames, bad;
	size_t largest;

	assert_int_equal(vif_deliver_offload(vifs[2], f, len, 1448, true, false), 0);
	len = tso_frame(f, 30000, 9, 4);
	assert_int_equal(vif_deliver_offload(vifs[3], f, len, 1448, true, false), 0);
	settle();
	assert_int_equal(got.frames, 2); /* each guest got its frame whole */
	vif_flush(vifs[2]);
	vif_flush(vifs[3]);
	pcap_count(cap_path[0], &frames, &largest, &bad);
	assert_int_equal(frames, (30000 + 1447) / 1448);
	assert_int_equal(largest, 54 + 1448);
	assert_int_equal(bad, 0);
	pcap_count(cap_path[1], &frames, &largest, &bad);
	assert_int_equal(frames, 1);
	assert_int_equal(largest, len);
	assert_int_equal(bad, 1); /* as it came: the checksum field holds the pseudo-header sum */
	assert_int_equal(netfront_close(seg), 0);
	assert_int_equal(netfront_close(whole), 0);
}

static void test_a_gso_frame_cut_past_the_largest_segment_is_captured_whole(void **state)
{
	static uint8_t f[NETFRONT_MAX_GSO_RX_FRAME];
	struct netfront *nf = open_rx(2, true);
	size_t len = tso_frame(f, 30000, 9, 4), largest;
	unsigned int before, after, bad;

	vif_flush(vifs[2]);
	pcap_count(cap_path[0], &before, &largest, &bad);
	/* A host TAP with a jumbo MTU: its gso_size makes segments past GSO_MAX_SEGMENT. */
	assert_int_equal(vif_deliver_offload(vifs[2], f, len, 9000, true, false), 0);
	settle();
	assert_int_equal(got.frames, 1);
	vif_flush(vifs[2]);
	pcap_count(cap_path[0], &after, &largest, &bad);
	assert_int_equal(after, before + 1); /* not lost: the frame as the guest got it */
	assert_int_equal(largest, len);
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
	char spec[2][128];

	assert_int_equal(gnttab_init(), 0);
	for (int i = 0; i < 2; i++) {
		snprintf(cap_path[i], sizeof(cap_path[i]), "/tmp/drydock-rxoff-%d-%d.pcap",
			 (int)getpid(), i);
		snprintf(spec[i], sizeof(spec[i]), "null,capture=%s%s", cap_path[i],
			 i ? ",capture-gso=whole" : "");
	}
	vifs[0] = vif_make(0, "null");
	vifs[1] = vif_make(1, "null,sg=0,gso=0,csum=0");
	vifs[2] = vif_make(2, spec[0]);
	vifs[3] = vif_make(3, spec[1]);
	return 0;
}

static int group_teardown(void **state)
{
	for (unsigned int i = 0; i < NR_VIFS; i++)
		if (vifs[i])
			vif_destroy(vifs[i]);
	unlink(cap_path[0]);
	unlink(cap_path[1]);
	return 0;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, guest_resources_check)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_a_64k_gso_frame_reaches_the_guest_whole_with_its_flags),
		T(test_gso_frames_beyond_the_ring_all_arrive_in_order),
		T(test_a_validated_frame_is_flagged_and_a_plain_one_is_not),
		T(test_a_backend_without_offloads_gives_checksummed_segments),
		T(test_a_frontend_without_rx_offloads_gets_checksummed_segments),
		T(test_a_more_data_chain_past_a_frames_slots_is_refused),
		T(test_a_gso_size_of_0_is_refused),
		T(test_a_frame_over_the_mtu_without_gso_is_refused),
		T(test_the_capture_shows_wire_segments_unless_whole),
		T(test_a_gso_frame_cut_past_the_largest_segment_is_captured_whole),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
