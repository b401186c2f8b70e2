/*
 * What the tests of blkback (sim/backends/blkback*.c) against a frontend
 * written by hand share (blkback_test.c, blkback_ring_test.c,
 * blkback_capture_signal_test.c, and others): a simulator
 * on the virtual clock with domain 1, its grant table's frame 0 placed at a
 * frame of the test's choosing; a disk added to it from a parsed --disk
 * spec, with the backend's and the frontend's xenstore directories; the
 * pages of the guest's RAM the test writes its ring and grants into; and a
 * disk image file.
 *
 * Each test file includes this header once, hence the static inline helpers.
 */
#ifndef TESTS_UNIT_BLKBACK_FIXTURE_H
#define TESTS_UNIT_BLKBACK_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sim/backends/blkback_private.h"
#include "sim/domain.h"
#include "sim/sim.h"
#include "sim_fixture.h"

struct fixture {
	struct sim_fixture sf;
	struct sim *sim;
	struct sim_domain *d; /* domain 1: the frontend's */
	struct blkback *bb;
	blkif_front_ring_t ring;
	evtchn_port_t port;
	char be[96], fe[96];
};

static struct fixture fx;

static inline void *page(xen_pfn_t gfn)
{
	return sim_domain_gfn_to_page(fx.d, gfn);
}

/* fx: a simulator made with o, domain 1's grant table frame 0 at table_gfn. */
static inline void blk_sim_create(const struct sim_fixture_options *o, xen_pfn_t table_gfn)
{
	memset(&fx, 0, sizeof(fx));
	assert_int_equal(sim_fixture_create(&fx.sf, o), 0);
	fx.sim = fx.sf.sim;
	fx.d = fx.sf.guest[0];
	assert_int_equal(sim_gnttab_place_frame(fx.d, 0, table_gfn), 0);
}

/* The disk cfg for domain 1, its backend and frontend directories in fx.be and fx.fe. */
static inline void blk_disk_create(struct blkback_config *cfg)
{
	char err[256];

	if (blkback_create(fx.d, cfg, &fx.bb, err, sizeof(err)) < 0)
		fail_msg("blkback_create: %s", err);
	snprintf(fx.be, sizeof(fx.be), "/local/domain/0/backend/vbd/1/%u", fx.bb->cfg.devid);
	snprintf(fx.fe, sizeof(fx.fe), "/local/domain/1/device/vbd/%u", fx.bb->cfg.devid);
	sim_poll(fx.sim);
}

/* A zero-filled disk image of 128 KiB at path: 0, or -1 (for a setup to return). */
static inline int blk_image_create(const char *path)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	int rc;

	if (fd < 0)
		return -1;
	rc = ftruncate(fd, 128 * 1024);
	close(fd);
	return rc;
}

/* The disk and the simulator gone, fx cleared. */
static inline void blk_sim_destroy(void)
{
	if (fx.bb)
		blkback_destroy(fx.bb);
	if (fx.sim)
		sim_fixture_destroy(&fx.sf);
	memset(&fx, 0, sizeof(fx));
}

#endif
