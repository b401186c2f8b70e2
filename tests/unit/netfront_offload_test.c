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

#include "runtime/include/uk/netfront.h"
#include "runtime/include/uk/boot.h"
#include "netfront_offload_fixture.h"

const char uk_app_name[] = "netfront_offload_test";

#define NR_VIFS 2
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

/* A vif whose null backend's transmit is recorded in seen[index]. */
static struct vif *vif_make_recorded(unsigned int index, const char *spec)
{
	struct vif *v = vif_make(index, spec);

	rec_ops = *v->ops;
	rec_ops.transmit = rec_transmit;
	v->ops = &rec_ops;
	return v;
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

static int setup(void **state)
{
	memset(seen, 0, sizeof(seen));
	guest_resources_note();
	return 0;
}

static int group_setup(void **state)
{
	assert_int_equal(gnttab_init(), 0);
	vifs[0] = vif_make_recorded(0, "null");
	vifs[1] = vif_make_recorded(1, "null,sg=0,gso=0,csum=0");
	return 0;
}

static int group_teardown(void **state)
{
	for (unsigned int i = 0; i < NR_VIFS; i++)
		if (vifs[i])
			vif_destroy(vifs[i]);
	return 0;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, guest_resources_check)

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
