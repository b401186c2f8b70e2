/*
 * The heap's spare slabs (runtime/malloc.c): the one empty slab a size class
 * keeps so that a block freed and allocated again, frame after frame, does
 * not build and tear down a slab each time; and the page allocator
 * (runtime/page.c) counting their pages as free and taking them back before
 * it fails a request. And the size classes, which the heap now computes
 * from a size's bits: a block grows in place exactly up to its class size.
 *
 * Like alloc_test.c, the allocator is compiled as guest code over "guest
 * RAM" mmap'd here, and every test gives back all it took.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "runtime/alloc_private.h"
#include "runtime/include/uk/exit.h"
#include "tests/support/guest_ram.h"

#define PAGE UK_PAGE_SIZE
/* A small region (64 pages from a 4 MiB boundary), so draining it is quick. */
#define REGION_BYTES (64 * PAGE)
#define SMALL 64 /* a size class whose slab is one page */

static struct guest_ram ram;
static struct uk_mem_stats baseline;

static int group_setup(void **state)
{
	(void)state;
	if (guest_ram_map(&ram, REGION_BYTES) != 0)
		return -1;
	uk_page_add_region(ram.base, ram.base + REGION_BYTES);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	return guest_ram_unmap(&ram);
}

static int test_setup(void **state)
{
	(void)state;
	uk_heap_reclaim();
	baseline = guest_ram_stats();
	return 0;
}

static int test_teardown(void **state)
{
	struct uk_mem_stats now = guest_ram_stats();

	(void)state;
	assert_int_equal(now.pages_free, baseline.pages_free);
	assert_int_equal(now.heap_blocks, baseline.heap_blocks);
	uk_heap_reclaim();
	return 0;
}

static bool page_holds(const void *page, const void *p)
{
	return (const char *)p >= (const char *)page && (const char *)p < (const char *)page + PAGE;
}

static void test_freeing_a_class_last_block_keeps_its_slab_for_the_next_malloc(void **state)
{
	void *p, *page, *q;

	(void)state;
	p = uk_malloc(SMALL);
	assert_non_null(p);
	uk_free(p);
	assert_int_equal(uk_heap_spare_pages(), 1);
	/* Without the spare, this page would be the slab's, and q a block elsewhere. */
	page = uk_page_alloc(0);
	assert_non_null(page);
	assert_false(page_holds(page, p));
	q = uk_malloc(SMALL);
	assert_ptr_equal(q, p);
	assert_int_equal(uk_heap_spare_pages(), 0);
	uk_free(q);
	uk_page_free(page, 0);
}

static void test_spare_slab_pages_count_as_free(void **state)
{
	void *p;

	(void)state;
	p = uk_malloc(SMALL);
	assert_non_null(p);
	assert_int_equal(guest_ram_stats().pages_free, baseline.pages_free - 1);
	uk_free(p);
	assert_int_equal(uk_heap_spare_pages(), 1);
	assert_int_equal(guest_ram_stats().pages_free, baseline.pages_free);
}

static void test_a_class_keeps_at_most_one_empty_slab(void **state)
{
	enum { N = 200 }; /* more than two slabs of 64-byte blocks */
	void *p[N];

	(void)state;
	for (int i = 0; i < N; i++)
		assert_non_null(p[i] = uk_malloc(SMALL));
	assert_true(baseline.pages_free - guest_ram_stats().pages_free >= 3);
	for (int i = 0; i < N; i++)
		uk_free(p[i]);
	assert_int_equal(uk_heap_spare_pages(), 1);
}

static void test_page_alloc_takes_spare_slabs_back_before_failing(void **state)
{
	void *p, *q, *pages[REGION_BYTES / PAGE];
	size_t n = 0;

	(void)state;
	p = uk_malloc(SMALL);
	q = uk_malloc(1024); /* a class whose slab is two pages */
	assert_non_null(p);
	assert_non_null(q);
	uk_free(p);
	uk_free(q);
	assert_int_equal(uk_heap_spare_pages(), 3);
	while (n < REGION_BYTES / PAGE && (pages[n] = uk_page_alloc(0)))
		n++;
	/* Every page counted as free was handed out, the spares' too. */
	assert_int_equal(n, baseline.pages_free);
	assert_int_equal(uk_heap_spare_pages(), 0);
	assert_int_equal(guest_ram_stats().pages_free, 0);
	assert_null(uk_page_alloc(0));
	while (n > 0)
		uk_page_free(pages[--n], 0);
}

static void test_malloc_takes_spare_slabs_back_when_pages_run_out(void **state)
{
	void *p, *q, *pages[REGION_BYTES / PAGE];
	size_t n = 0;

	(void)state;
	p = uk_malloc(SMALL);
	assert_non_null(p);
	uk_free(p);
	/* Every page but the spare's goes; a new slab of another class needs it. */
	while (n + 1 < baseline.pages_free && (pages[n] = uk_page_alloc(0)))
		n++;
	assert_int_equal(n, baseline.pages_free - 1);
	assert_int_equal(uk_heap_spare_pages(), 1);
	q = uk_malloc(2 * SMALL);
	assert_non_null(q);
	assert_int_equal(uk_heap_spare_pages(), 0);
	/* The new slab is the page the spare gave back. */
	assert_int_equal((uintptr_t)q & ~(uintptr_t)(PAGE - 1), (uintptr_t)p & ~(uintptr_t)(PAGE - 1));
	uk_free(q);
	while (n > 0)
		uk_page_free(pages[--n], 0);
}

static void test_realloc_stays_in_place_exactly_up_to_each_class_size(void **state)
{
	static const size_t class_size[] = { 16,  32,  48,  64,  96,   128,  192,
					     256, 384, 512, 768, 1024, 1536, 2048 };
	size_t lower = 1;

	(void)state;
	for (size_t i = 0; i < sizeof(class_size) / sizeof(class_size[0]); i++) {
		size_t c = class_size[i];
		void *p = uk_malloc(lower), *q;

		assert_non_null(p);
		assert_ptr_equal(uk_realloc(p, c), p);
		q = uk_realloc(p, c + 1); /* the next class: moves */
		assert_non_null(q);
		assert_ptr_not_equal(q, p);
		uk_free(q);
		lower = c + 1;
	}
}

#define T(f) cmocka_unit_test_setup_teardown(f, test_setup, test_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_freeing_a_class_last_block_keeps_its_slab_for_the_next_malloc),
		T(test_spare_slab_pages_count_as_free),
		T(test_a_class_keeps_at_most_one_empty_slab),
		T(test_page_alloc_takes_spare_slabs_back_before_failing),
		T(test_malloc_takes_spare_slabs_back_when_pages_run_out),
		T(test_realloc_stays_in_place_exactly_up_to_each_class_size),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
