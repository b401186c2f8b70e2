/*
 * The block path's fast lanes, inside a booted guest against the
 * simulator's blkback (as blkfront_test.c): blkfront granting a page-aligned
 * buffer of guest RAM in place instead of copying it through its pool, and
 * blkback doing the I/O on the guest's mapped pages and answering a read
 * the page cache holds at once on the loop. Each test checks the data
 * against the image file byte for byte, and that every grant is given back.
 * Run with --clock virtual --strict: a violation ends the test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/include/uk/blk.h"
#include "runtime/include/uk/alloc.h"
#include "runtime/include/uk/boot.h"
#include "runtime/gnttab_private.h"
#include "sim/sim.h"

const char uk_app_name[] = "blk_direct_test";

#define DISK_SECTORS 8192u /* 4 MiB */
#define PAGE 4096u
#define QD 32

enum { DISK_INDIRECT, DISK_PLAIN, NR_DISKS };

#include "blkfront_fixture.h"

static const char *const disk_spec[NR_DISKS] = {
	"%s/indirect.img,raw,xvda,rw",
	"%s/plain.img,raw,xvdb,rw,indirect=0,ring-order=0",
};

static struct uk_blk *blk[NR_DISKS];

static struct blkback *disk_make(unsigned int i)
{
	static const char *const names[NR_DISKS] = { "indirect", "plain" };

	return disk_create(names[i], disk_spec[i], (uint8_t)(i * 70 + 1), 5);
}

static void fill(uint8_t *p, size_t len, uint32_t seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)((seed * 2654435761u + i * 13 + (i >> 12)) >> 2);
}

/* Guest RAM, page-aligned: what blkfront grants in place. */
static uint8_t *pages(size_t n)
{
	uint8_t *p = uk_pages_alloc(n);

	assert_non_null(p);
	assert_true(uk_page_owns(p, n * PAGE));
	return p;
}

/* --- tests --- */

static void test_uk_page_owns_knows_allocator_ram_from_host_memory(void **state)
{
	static uint8_t in_image[16];
	uint8_t *p = pages(2);
	void *host = malloc(PAGE);

	assert_true(uk_page_owns(p + 100, PAGE));
	assert_false(uk_page_owns(in_image, sizeof(in_image))); /* the image: not the allocator's */
	assert_false(uk_page_owns(host, PAGE));                 /* the simulator's heap */
	assert_false(uk_page_owns(p, 0));
	free(host);
	uk_pages_free(p, 2);
}

/* Writes then reads back count sectors at sector from/to page-aligned guest RAM. */
static void write_read_in_place(unsigned int disk, uint64_t sector, size_t count, uint32_t seed)
{
	size_t len = count * 512, npages = (len + PAGE - 1) / PAGE;
	uint8_t *src = pages(npages), *dst = pages(npages), *img = malloc(len);
	/* Only the indirect pages of the slots this takes are granted, once, at first use. */
	unsigned int indirect = disk == DISK_INDIRECT && npages > 11 ? (unsigned int)(npages + 255) / 256
								      : 0;
	unsigned int grants = gnttab_free_count();

	assert_int_equal(uk_blk_read(blk[disk], sector, dst, count), 0);
	assert_true(grants - gnttab_free_count() <= indirect); /* no pool page: nothing bounced */
	grants = gnttab_free_count();
	fill(src, len, seed);
	assert_int_equal(uk_blk_write(blk[disk], sector, src, count), 0);
	assert_int_equal(gnttab_free_count(), grants); /* granted for the request, then revoked */
	image_read(disk, sector, img, len);
	assert_memory_equal(img, src, len);
	memset(dst, 0, npages * PAGE);
	assert_int_equal(uk_blk_read(blk[disk], sector, dst, count), 0);
	assert_int_equal(gnttab_free_count(), grants);
	assert_memory_equal(dst, src, len);
	free(img);
	uk_pages_free(src, npages);
	uk_pages_free(dst, npages);
}

static void test_page_aligned_buffers_are_granted_in_place_and_revoked_at_completion(void **state)
{
	unsigned int grants;

	write_read_in_place(DISK_INDIRECT, 0, 8, 1);       /* one page */
	write_read_in_place(DISK_INDIRECT, 8, 2048, 2);    /* 1 MiB: 256 segments, indirect */
	write_read_in_place(DISK_INDIRECT, 4096, 4096, 3); /* 2 MiB, to the end: two parts */
	write_read_in_place(DISK_PLAIN, 16, 200, 5);       /* 25 pages in 11-segment requests */

	/*
	 * An address off the page boundary, or a part that ends inside a page
	 * (the rest of the page is not the backend's to see), is copied through
	 * the pool, which grows and stays.
	 */
	uint8_t *p = pages(2);
	grants = gnttab_free_count();
	assert_int_equal(uk_blk_read(blk[DISK_PLAIN], 0, p + 512, 8), 0);
	assert_true(gnttab_free_count() < grants);
	grants = gnttab_free_count();
	assert_int_equal(uk_blk_read(blk[DISK_PLAIN], 8, p, 13), 0); /* two pool pages: one more */
	assert_true(gnttab_free_count() < grants);
	uk_pages_free(p, 2);
}

static void test_many_reads_in_flight_into_guest_pages_each_get_their_sectors(void **state)
{
	static struct uk_blk_req req[QD];
	uint8_t *buf = pages(QD), *img = malloc(PAGE);
	unsigned int grants = gnttab_free_count();

	for (unsigned int round = 0; round < 4; round++) {
		for (unsigned int i = 0; i < QD; i++) {
			req[i] = (struct uk_blk_req){ .op = UK_BLK_READ,
						      .sector = ((i * 37 + round * 11) % 1024) * 8,
						      .count = 8, .buf = buf + i * PAGE };
			assert_int_equal(uk_blk_submit(blk[DISK_INDIRECT], &req[i]), 0);
		}
		for (unsigned int i = 0; i < QD; i++) {
			assert_int_equal(uk_blk_wait(&req[i]), 0);
			image_read(DISK_INDIRECT, req[i].sector, img, PAGE);
			assert_memory_equal(buf + i * PAGE, img, PAGE);
		}
	}
	assert_int_equal(gnttab_free_count(), grants);
	free(img);
	uk_pages_free(buf, QD);
}

/*
 * Under the real clock (unit/blk_direct_test_real); under the virtual one
 * every read takes the pool, so that when the guest sees the answer does
 * not depend on the host's page cache.
 */
static void test_a_read_the_page_cache_holds_is_answered_without_the_thread_pool(void **state)
{
	uint8_t *buf = pages(1);
	struct blkback_stats before = stats_of(DISK_INDIRECT), after;
	uint64_t now = disks[DISK_INDIRECT]->reads_now;
	unsigned int at_once =
		sim_config(disks[DISK_INDIRECT]->dom->sim)->clock == SIM_CLOCK_VIRTUAL ? 0 : 1;

	/* Nothing in flight, the image just written through the page cache: read at once. */
	assert_int_equal(uk_blk_read(blk[DISK_INDIRECT], 64, buf, 8), 0);
	after = stats_of(DISK_INDIRECT);
	assert_int_equal(after.reads, before.reads + 1);
	assert_int_equal(disks[DISK_INDIRECT]->reads_now, now + at_once);
	/* A write always goes through the pool. */
	assert_int_equal(uk_blk_write(blk[DISK_INDIRECT], 64, buf, 8), 0);
	assert_int_equal(disks[DISK_INDIRECT]->reads_now, now + at_once);
	assert_int_equal(stats_of(DISK_INDIRECT).writes, after.writes + 1);
	uk_pages_free(buf, 1);
}

/* --- the group --- */

static int group_setup(void **state)
{
	assert_int_equal(gnttab_init(), 0);
	if (disks_dir_make("/tmp/blk_direct_test.XXXXXX") < 0)
		return -1;
	for (unsigned int i = 0; i < NR_DISKS; i++) {
		disks[i] = disk_make(i);
		if (uk_blk_open(i, OPEN_TIMEOUT, &blk[i]) < 0)
			return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	int rc = 0;

	for (unsigned int i = 0; i < NR_DISKS; i++)
		if (blk[i] && uk_blk_close(blk[i]) < 0)
			rc = -1;
	return disks_remove() == 0 ? rc : -1;
}

#define T(fn) cmocka_unit_test_teardown(fn, teardown_no_violations)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_uk_page_owns_knows_allocator_ram_from_host_memory),
		T(test_page_aligned_buffers_are_granted_in_place_and_revoked_at_completion),
		T(test_many_reads_in_flight_into_guest_pages_each_get_their_sectors),
		T(test_a_read_the_page_cache_holds_is_answered_without_the_thread_pool),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
