/*
 * blkfront (runtime/drivers/blkfront/) and <uk/blk.h> against the
 * simulator's blkback on image files, inside a booted guest.
 *
 * The runtime only runs booted, so this test is a unikernel (see
 * sched_test.c): app_main runs the CMocka group in the guest's main thread.
 * The disks' host halves are made from here, through the simulator's API,
 * as --disk would (blkback_config_parse, blkback_create), each with other
 * features offered, and the images are read back with pread to check the
 * data byte for byte. Run it with --clock virtual --strict: a violation
 * ends the test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/include/uk/blk.h"
#include "runtime/include/uk/alloc.h"
#include "runtime/include/uk/boot.h"
#include "runtime/include/uk/sched.h"
#include "runtime/gnttab_private.h"

const char uk_app_name[] = "blkfront_test";

#define DISK_SECTORS 4096u /* 2 MiB */

enum { DISK_FULL, DISK_PLAIN, DISK_RO, DISK_BARRIER, NR_DISKS };

#include "blkfront_fixture.h"

/* Each disk offers something else; the frontend must use what is offered. */
static const char *const disk_spec[NR_DISKS] = {
	"%s/full.img,raw,xvda,rw",
	"%s/plain.img,raw,xvdb,rw,flush=0,barrier=0,indirect=0,ring-order=0",
	"%s/ro.img,raw,xvdc,ro,devtype=cdrom",
	"%s/barrier.img,raw,xvdd,rw,flush=0,indirect=16,ring-order=1",
};

static struct blkback *disk_make(unsigned int i)
{
	static const char *const names[NR_DISKS] = { "full", "plain", "ro", "barrier" };

	return disk_create(names[i], disk_spec[i], (uint8_t)(i * 50), 1);
}

static struct uk_blk *open_disk(unsigned int index)
{
	struct uk_blk *b = NULL;

	assert_int_equal(uk_blk_open(index, OPEN_TIMEOUT, &b), 0);
	assert_non_null(b);
	return b;
}

static void fill(uint8_t *p, size_t len, uint32_t seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)((seed * 2654435761u + i * 7 + (i >> 9)) >> 3);
}

/* --- tests --- */

static void test_count_is_the_number_of_disks_in_xenstore(void **state)
{
	assert_int_equal(uk_blk_count(), NR_DISKS);
}

static void test_open_of_a_missing_disk_is_enoent(void **state)
{
	struct uk_blk *b = NULL;

	assert_int_equal(uk_blk_open(NR_DISKS, OPEN_TIMEOUT, &b), -ENOENT);
	assert_null(b);
}

static void test_open_reads_the_geometry_and_what_the_backend_offers(void **state)
{
	struct uk_blk_info in;
	struct uk_blk *b = open_disk(DISK_FULL);

	uk_blk_get_info(b, &in);
	assert_int_equal(in.sectors, DISK_SECTORS);
	assert_int_equal(in.sector_size, 512);
	assert_int_equal(in.physical_sector_size, 512);
	assert_false(in.readonly || in.removable);
	assert_true(in.flush && in.barrier);
	assert_int_equal(in.max_segments, 256); /* indirect, capped at blkfront's 256 */
	assert_int_equal(in.ring_pages, 4);     /* order 4 offered, blkfront takes 2 */
	assert_int_equal(disks[DISK_FULL]->nr_ring_pages, 4); /* and blkback mapped them */
	assert_int_equal(uk_blk_close(b), 0);

	b = open_disk(DISK_PLAIN);
	uk_blk_get_info(b, &in);
	assert_false(in.flush || in.barrier);
	assert_int_equal(in.max_segments, 11);
	assert_int_equal(in.ring_pages, 1);
	assert_int_equal(disks[DISK_PLAIN]->nr_ring_pages, 1);
	assert_int_equal(uk_blk_close(b), 0);

	b = open_disk(DISK_RO);
	uk_blk_get_info(b, &in);
	assert_true(in.readonly && in.removable); /* info: VDISK_READONLY | VDISK_REMOVABLE */
	assert_int_equal(uk_blk_close(b), 0);

	b = open_disk(DISK_BARRIER);
	uk_blk_get_info(b, &in);
	assert_true(in.barrier && !in.flush);
	assert_int_equal(in.max_segments, 16);
	assert_int_equal(in.ring_pages, 2);
	assert_int_equal(disks[DISK_BARRIER]->nr_ring_pages, 2);
	assert_int_equal(uk_blk_close(b), 0);
}

/* Writes len bytes from an odd address at sector, checks the image, reads back to an odd address. */
static void write_check_read(unsigned int disk, uint64_t sector, size_t count, uint32_t seed)
{
	size_t len = count * 512;
	uint8_t *src = malloc(len + 3), *dst = malloc(len + 5), *img = malloc(len);
	struct uk_blk *b = open_disk(disk);

	fill(src + 3, len, seed);
	assert_int_equal(uk_blk_write(b, sector, src + 3, count), 0);
	image_read(disk, sector, img, len);
	assert_memory_equal(img, src + 3, len);
	memset(dst, 0, len + 5);
	assert_int_equal(uk_blk_read(b, sector, dst + 5, count), 0);
	assert_memory_equal(dst + 5, src + 3, len);
	assert_int_equal(uk_blk_close(b), 0);
	free(src);
	free(dst);
	free(img);
}

static void test_writes_reach_the_image_byte_for_byte_and_read_back(void **state)
{
	uint64_t full = stats_of(DISK_FULL).indirect, barrier = stats_of(DISK_BARRIER).indirect;

	write_check_read(DISK_FULL, 0, 1, 1);
	assert_int_equal(stats_of(DISK_FULL).indirect, full); /* one page: a plain request */
	write_check_read(DISK_FULL, 33, 600, 2);            /* 300 KiB: 75 segments */
	assert_int_equal(stats_of(DISK_FULL).indirect, full + 2); /* one indirect request each way */
	write_check_read(DISK_FULL, DISK_SECTORS - 1, 1, 3); /* the last sector */
	write_check_read(DISK_PLAIN, 7, 200, 4);             /* 100 KiB in 11-segment requests */
	assert_int_equal(stats_of(DISK_PLAIN).indirect, 0);
	assert_true(stats_of(DISK_PLAIN).max_inflight >= 2); /* 50 pages: 5 parts at once */
	write_check_read(DISK_BARRIER, 1, 129, 5);           /* 17 pages, 16 per request */
	/* Each way: 16 segments indirect, then the last page as a plain request. */
	assert_int_equal(stats_of(DISK_BARRIER).indirect, barrier + 2);
}

static void test_reads_see_what_the_image_held(void **state)
{
	uint8_t img[8192], got[8192];
	struct uk_blk *b = open_disk(DISK_RO);

	image_read(DISK_RO, 100, img, sizeof(img));
	assert_int_equal(uk_blk_read(b, 100, got, 16), 0);
	assert_memory_equal(got, img, sizeof(img));
	assert_int_equal(uk_blk_close(b), 0);
}

static void test_bad_ranges_and_buffers_are_einval(void **state)
{
	uint8_t buf[1024];
	struct uk_blk *b = open_disk(DISK_FULL);
	struct blkback_stats before = stats_of(DISK_FULL);

	assert_int_equal(uk_blk_read(b, DISK_SECTORS, buf, 1), -EINVAL);
	assert_int_equal(uk_blk_read(b, DISK_SECTORS - 1, buf, 2), -EINVAL);
	assert_int_equal(uk_blk_write(b, UINT64_MAX, buf, 2), -EINVAL);
	assert_int_equal(uk_blk_read(b, 0, buf, 0), -EINVAL);
	assert_int_equal(uk_blk_read(b, 0, NULL, 1), -EINVAL);
	assert_int_equal(stats_of(DISK_FULL).reads, before.reads); /* nothing reached the disk */
	assert_int_equal(uk_blk_close(b), 0);
}

static void test_a_write_to_a_read_only_disk_is_erofs(void **state)
{
	uint8_t buf[512] = { 1 }, img[512], before[512];
	struct uk_blk *b = open_disk(DISK_RO);

	image_read(DISK_RO, 0, before, sizeof(before));
	assert_int_equal(uk_blk_write(b, 0, buf, 1), -EROFS);
	image_read(DISK_RO, 0, img, sizeof(img));
	assert_memory_equal(img, before, sizeof(img));
	assert_int_equal(uk_blk_flush(b), 0); /* a flush writes nothing */
	assert_int_equal(uk_blk_close(b), 0);
}

static void test_flush_uses_what_the_disk_offers(void **state)
{
	struct uk_blk *b = open_disk(DISK_PLAIN);
	uint64_t flushes = stats_of(DISK_BARRIER).flushes;

	assert_int_equal(uk_blk_flush(b), -EOPNOTSUPP);
	assert_int_equal(uk_blk_close(b), 0);
	b = open_disk(DISK_BARRIER); /* barrier only: the flush is a barrier */
	assert_int_equal(uk_blk_flush(b), 0);
	assert_int_equal(stats_of(DISK_BARRIER).flushes, flushes + 1);
	assert_int_equal(uk_blk_close(b), 0);
	b = open_disk(DISK_FULL);
	flushes = stats_of(DISK_FULL).flushes;
	assert_int_equal(uk_blk_flush(b), 0);
	assert_int_equal(stats_of(DISK_FULL).flushes, flushes + 1);
	assert_int_equal(uk_blk_close(b), 0);
}

#define NR_THREADS 16
#define ROUNDS 4
#define THREAD_SECTORS 24

struct worker {
	struct uk_blk *b;
	unsigned int n;
	int rc;
};

/* Each thread owns THREAD_SECTORS sectors: write, read back, compare, a few times. */
static int worker_fn(void *arg)
{
	struct worker *w = arg;
	uint8_t out[THREAD_SECTORS * 512], in[THREAD_SECTORS * 512];
	uint64_t sector = 1000 + (uint64_t)w->n * THREAD_SECTORS;

	for (unsigned int r = 0; r < ROUNDS; r++) {
		fill(out, sizeof(out), w->n * 100 + r);
		if ((w->rc = uk_blk_write(w->b, sector, out, THREAD_SECTORS)) < 0 ||
		    (w->rc = uk_blk_read(w->b, sector, in, THREAD_SECTORS)) < 0)
			return 0;
		if (memcmp(in, out, sizeof(in))) {
			w->rc = -EIO;
			return 0;
		}
	}
	return 0;
}

static void test_many_threads_keep_requests_in_flight_at_once(void **state)
{
	struct worker w[NR_THREADS];
	struct uk_thread *t[NR_THREADS];
	struct uk_blk *b = open_disk(DISK_FULL);
	uint8_t img[THREAD_SECTORS * 512], want[THREAD_SECTORS * 512];

	for (unsigned int i = 0; i < NR_THREADS; i++) {
		w[i] = (struct worker){ .b = b, .n = i };
		assert_non_null(t[i] = uk_thread_create("blk-worker", worker_fn, &w[i]));
	}
	for (unsigned int i = 0; i < NR_THREADS; i++) {
		uk_thread_join(t[i]);
		assert_int_equal(w[i].rc, 0);
		image_read(DISK_FULL, 1000 + (uint64_t)i * THREAD_SECTORS, img, sizeof(img));
		fill(want, sizeof(want), i * 100 + ROUNDS - 1);
		assert_memory_equal(img, want, sizeof(img));
	}
	assert_true(stats_of(DISK_FULL).max_inflight >= NR_THREADS / 2);
	assert_int_equal(uk_blk_close(b), 0);
}

#define NR_ASYNC 100 /* more than the plain disk's 32 ring slots */

static void count_done(struct uk_blk_req *req, void *arg)
{
	(*(unsigned int *)arg)++;
}

static void test_a_full_ring_makes_submitters_wait_and_loses_nothing(void **state)
{
	static struct uk_blk_req req[NR_ASYNC];
	static uint8_t data[NR_ASYNC][512];
	uint8_t img[512];
	unsigned int done = 0;
	struct uk_blk *b = open_disk(DISK_PLAIN);

	for (unsigned int i = 0; i < NR_ASYNC; i++) {
		fill(data[i], 512, 7000 + i);
		req[i] = (struct uk_blk_req){ .op = UK_BLK_WRITE, .sector = 2000 + i, .count = 1,
					      .buf = data[i], .done = count_done, .arg = &done };
		assert_int_equal(uk_blk_submit(b, &req[i]), 0);
	}
	for (unsigned int i = 0; i < NR_ASYNC; i++)
		assert_int_equal(uk_blk_wait(&req[i]), 0);
	assert_int_equal(done, NR_ASYNC);
	for (unsigned int i = 0; i < NR_ASYNC; i++) {
		image_read(DISK_PLAIN, 2000 + i, img, sizeof(img));
		assert_memory_equal(img, data[i], sizeof(img));
	}
	assert_int_equal(uk_blk_close(b), 0);
}

static void test_close_gives_back_every_grant_and_page(void **state)
{
	unsigned int grants = gnttab_free_count();
	struct uk_mem_stats before, after;
	uint8_t buf[4096];
	struct uk_blk *b;

	uk_mem_stats(&before);
	b = open_disk(DISK_FULL);
	assert_int_equal(uk_blk_read(b, 0, buf, 8), 0);
	assert_true(gnttab_free_count() < grants);
	assert_int_equal(uk_blk_close(b), 0);
	uk_mem_stats(&after);
	assert_int_equal(gnttab_free_count(), grants);
	assert_int_equal(after.pages_free, before.pages_free);
	assert_int_equal(after.heap_blocks, before.heap_blocks);
}

static void test_a_backend_that_goes_away_fails_requests_with_enotconn(void **state)
{
	uint8_t buf[512];
	struct uk_blk *b = open_disk(DISK_PLAIN);

	assert_int_equal(uk_blk_read(b, 0, buf, 1), 0);
	/* The toolstack unplugs the disk: blkback disconnects, both directories go. */
	blkback_destroy(disks[DISK_PLAIN]);
	disks[DISK_PLAIN] = NULL;
	uk_sleep_ns(10 * UK_NSEC_PER_MSEC); /* the watch fires */
	assert_int_equal(uk_blk_read(b, 0, buf, 1), -ENOTCONN);
	assert_int_equal(uk_blk_write(b, 0, buf, 1), -ENOTCONN);
	assert_int_equal(uk_blk_close(b), 0);
	disks[DISK_PLAIN] = disk_make(DISK_PLAIN);
	b = open_disk(DISK_PLAIN); /* plugged in again: usable again */
	assert_int_equal(uk_blk_read(b, 0, buf, 1), 0);
	assert_int_equal(uk_blk_close(b), 0);
}

/* --- the group --- */

static int setup(void **state)
{
	return 0;
}

static int group_setup(void **state)
{
	assert_int_equal(gnttab_init(), 0);
	if (disks_dir_make("/tmp/blkfront_test.XXXXXX") < 0)
		return -1;
	for (unsigned int i = 0; i < NR_DISKS; i++)
		disks[i] = disk_make(i);
	return 0;
}

static int group_teardown(void **state)
{
	return disks_remove();
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown_no_violations)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_count_is_the_number_of_disks_in_xenstore),
		T(test_open_of_a_missing_disk_is_enoent),
		T(test_open_reads_the_geometry_and_what_the_backend_offers),
		T(test_writes_reach_the_image_byte_for_byte_and_read_back),
		T(test_reads_see_what_the_image_held),
		T(test_bad_ranges_and_buffers_are_einval),
		T(test_a_write_to_a_read_only_disk_is_erofs),
		T(test_flush_uses_what_the_disk_offers),
		T(test_many_threads_keep_requests_in_flight_at_once),
		T(test_a_full_ring_makes_submitters_wait_and_loses_nothing),
		T(test_close_gives_back_every_grant_and_page),
		T(test_a_backend_that_goes_away_fails_requests_with_enotconn),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
