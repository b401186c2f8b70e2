/*
 * What the tests of blkfront inside a booted guest share (blkfront_test.c,
 * blk_direct_test.c): the disks' host halves made from here, through the
 * simulator's API, as --disk would (blkback_config_parse, blkback_create),
 * on image files in a directory of the test's own, read back with pread to
 * check the data byte for byte; and the check that a test leaves the
 * simulator without a complaint (--strict would have crashed).
 *
 * The includer defines NR_DISKS and DISK_SECTORS (the images' size) first.
 * Each test file includes this header once, hence the static inline helpers.
 */
#ifndef TESTS_UNIT_BLKFRONT_FIXTURE_H
#define TESTS_UNIT_BLKFRONT_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hypercall_shim/shim.h"
#include "runtime/include/uk/time.h"
#include "sim/backends/blkback_private.h"
#include "sim/domain.h"

#define OPEN_TIMEOUT (5 * UK_NSEC_PER_SEC)

static char tmpdir[64];
static struct blkback *disks[NR_DISKS];

/* An image of DISK_SECTORS whose byte j of page i is seed + i * page_step + j * 3. */
static inline void image_create(const char *path, uint8_t seed, unsigned int page_step)
{
	uint8_t buf[4096];
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);

	assert_true(fd >= 0);
	for (unsigned int i = 0; i < DISK_SECTORS / 8; i++) {
		for (unsigned int j = 0; j < sizeof(buf); j++)
			buf[j] = (uint8_t)(seed + i * page_step + j * 3);
		assert_int_equal(write(fd, buf, sizeof(buf)), (ssize_t)sizeof(buf));
	}
	close(fd);
}

/* The disk spec_fmt (%s for tmpdir) on a new image tmpdir/name.img, as --disk would make it. */
static inline struct blkback *disk_create(const char *name, const char *spec_fmt, uint8_t seed,
					  unsigned int page_step)
{
	struct blkback_config cfg;
	struct blkback *bb;
	char path[128], spec[256], err[512];

	snprintf(path, sizeof(path), "%s/%s.img", tmpdir, name);
	image_create(path, seed, page_step);
	snprintf(spec, sizeof(spec), spec_fmt, tmpdir);
	if (blkback_config_parse(&cfg, spec, err, sizeof(err)) < 0)
		fail_msg("blkback_config_parse: %s", err);
	if (blkback_create(shim_current(), &cfg, &bb, err, sizeof(err)) < 0)
		fail_msg("blkback_create: %s", err);
	return bb;
}

static inline void image_read(unsigned int disk, uint64_t sector, void *buf, size_t len)
{
	assert_int_equal(pread(disks[disk]->cfg.fd, buf, len, (off_t)(sector * 512)), (ssize_t)len);
}

static inline struct blkback_stats stats_of(unsigned int disk)
{
	struct blkback_stats st;

	blkback_get_stats(disks[disk], &st);
	return st;
}

/* tmpdir made from template ("/tmp/NAME.XXXXXX"): 0, or -1. */
static inline int disks_dir_make(const char *template)
{
	strcpy(tmpdir, template);
	return mkdtemp(tmpdir) ? 0 : -1;
}

/* Every disk's backend destroyed and tmpdir removed: 0, or -1. */
static inline int disks_remove(void)
{
	char cmd[128];

	for (unsigned int i = 0; i < NR_DISKS; i++)
		blkback_destroy(disks[i]);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static inline int teardown_no_violations(void **state)
{
	/* Every test leaves the simulator without a complaint (--strict would have crashed). */
	assert_int_equal(shim_current()->violations, 0);
	return 0;
}

#endif
