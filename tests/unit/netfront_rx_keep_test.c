/*
 * netfront lending a multi-slot frame's pages past the scatter callback
 * (netfront_rx_keep, netfront_rx_release; runtime/drivers/netfront/
 * netfront_rx.c) against the simulator's netback, inside a booted guest: a
 * kept frame's buffers stay off the ring, its bytes untouched while later
 * frames come, until released; keeping stops short of the buffers of two of
 * the largest frames, so the backend always has some; a keep outside a
 * scatter callback, and a release of what is not kept, change nothing; and
 * closing with frames kept leaves no page, block or grant behind.
 * Run with --clock virtual.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "runtime/include/uk/netfront.h"
#include "runtime/include/uk/boot.h"
#include "sim/backends/netback_private.h" /* the ring, as netback sees it */
#include "netfront_offload_fixture.h"

const char uk_app_name[] = "netfront_rx_keep_test";

#define RING 256 /* NET_RX_RING_SIZE on x86 */
#define MAX_KEPT 32

static struct vif *vif;

static struct {
	bool keep;                      /* the scatter callback keeps its frames */
	unsigned int frames, kept, refused;
	int whole_keep;                 /* what a keep from the whole-frame callback said */
	uint32_t token[MAX_KEPT];
	const uint8_t *first[MAX_KEPT]; /* each kept frame's first piece */
	size_t first_len[MAX_KEPT];
} got;

/* Buffers the frontend has posted that netback has not used. */
static unsigned int posted(void)
{
	struct netback *nb = vif->netback;

	return nb->rx.sring->req_prod - nb->rx.req_cons;
}

static bool on_pieces(struct netfront *nf, const struct netfront_frag *frags, unsigned int nr,
		      size_t len, unsigned int flags, void *arg)
{
	got.frames++;
	if (!got.keep)
		return true;
	assert_true(got.kept < MAX_KEPT);
	if (netfront_rx_keep(nf, &got.token[got.kept]) < 0) {
		got.refused++;
		return true;
	}
	assert_int_equal(netfront_rx_keep(nf, &got.token[got.kept]), -EINVAL); /* once */
	got.first[got.kept] = frags[0].data;
	got.first_len[got.kept++] = frags[0].len;
	return true;
}

static void on_whole(struct netfront *nf, const uint8_t *f, size_t len, unsigned int flags,
		     void *arg)
{
	uint32_t token;

	got.whole_keep = netfront_rx_keep(nf, &token);
}

static struct netfront *open_keep(void)
{
	struct netfront *nf = NULL;

	assert_int_equal(netfront_open_rx_offload(0, OPEN_TIMEOUT, &nf), 0);
	netfront_set_rx_flags(nf, on_whole, NULL);
	netfront_set_rx_sg(nf, on_pieces);
	settle();
	return nf;
}

/* Delivers a GSO frame of n payload bytes once netback has room; its length. */
static size_t deliver(uint8_t *f, size_t n, uint8_t seed)
{
	size_t len = tso_frame(f, n, seed, seed);

	while (!vif_rx_ready(vif))
		settle();
	assert_int_equal(vif_deliver_offload(vif, f, len, 1448, true, false), 0);
	settle();
	return len;
}

static void test_a_kept_frame_stays_off_the_ring_and_intact_until_released(void **state)
{
	static uint8_t f[NETFRONT_MAX_GSO_RX_FRAME], copy[NETFRONT_MAX_GSO_RX_FRAME];
	struct netfront *nf = open_keep();
	size_t len;
	unsigned int slots;

	got.keep = true;
	len = deliver(f, 30000, 3);
	memcpy(copy, f, len);
	slots = (unsigned int)((len + 4095) / 4096);
	assert_int_equal(got.kept, 1);
	assert_int_equal(posted(), RING - slots);
	/* Frames through the rest of the ring, twice over: the kept pages are not reused. */
	got.keep = false;
	for (unsigned int i = 0; i < 2 * RING / 6; i++)
		deliver(f, 20000, (uint8_t)(10 + i));
	assert_int_equal(got.frames, 1 + 2 * RING / 6);
	assert_int_equal(got.first_len[0], 4096);
	assert_memory_equal(got.first[0], copy, 4096);
	assert_int_equal(posted(), RING - slots);
	netfront_rx_release(nf, got.token[0]);
	assert_int_equal(posted(), RING);
	/* Released: the page is the backend's again, and a second release changes nothing. */
	netfront_rx_release(nf, got.token[0]);
	assert_int_equal(posted(), RING);
	assert_int_equal(netfront_close(nf), 0);
}

static void test_keeping_stops_short_of_two_largest_frames_buffers(void **state)
{
	static uint8_t f[NETFRONT_MAX_GSO_RX_FRAME];
	struct netfront *nf = open_keep();
	unsigned int i;

	got.keep = true;
	for (i = 0; !got.refused; i++)
		deliver(f, NETFRONT_MAX_GSO_RX_FRAME - 54, (uint8_t)i);
	/* 17 data slots a frame: 12 kept (204 buffers), the 13th refused and reposted. */
	assert_int_equal(got.kept, (RING - 2 * (NETFRONT_RX_MAX_SLOTS + 1)) / 17);
	assert_int_equal(posted(), RING - 17 * got.kept);
	assert_true(posted() >= 2 * (NETFRONT_RX_MAX_SLOTS + 1));
	/* The backend still has room for a largest frame. */
	assert_true(vif_rx_ready(vif));
	for (unsigned int k = 0; k < got.kept; k++)
		netfront_rx_release(nf, got.token[k]);
	assert_int_equal(posted(), RING);
	assert_int_equal(netfront_close(nf), 0);
}

static void test_keep_outside_a_scatter_callback_is_refused(void **state)
{
	static uint8_t f[2048];
	struct netfront *nf = open_keep();
	uint32_t token;
	size_t len = tso_frame(f, 1000, 1, 1);

	assert_int_equal(netfront_rx_keep(nf, &token), -EINVAL);
	got.whole_keep = 1;
	assert_int_equal(vif_deliver(vif, f, len), 0);
	settle();
	assert_int_equal(got.whole_keep, -EINVAL); /* a single-slot frame's buffer goes back */
	assert_int_equal(posted(), RING);
	netfront_rx_release(nf, 5); /* not kept: said, and nothing posted twice */
	netfront_rx_release(nf, 100000);
	assert_int_equal(posted(), RING);
	assert_int_equal(netfront_close(nf), 0);
}

static void test_closing_with_frames_kept_leaves_nothing_behind(void **state)
{
	static uint8_t f[NETFRONT_MAX_GSO_RX_FRAME];
	struct netfront *nf = open_keep();

	got.keep = true;
	deliver(f, 40000, 1);
	deliver(f, 40000, 2);
	assert_int_equal(got.kept, 2);
	assert_int_equal(netfront_close(nf), 0); /* guest_resources_check after */
}

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
		T(test_a_kept_frame_stays_off_the_ring_and_intact_until_released),
		T(test_keeping_stops_short_of_two_largest_frames_buffers),
		T(test_keep_outside_a_scatter_callback_is_refused),
		T(test_closing_with_frames_kept_leaves_nothing_behind),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
