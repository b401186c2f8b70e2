/*
 * The guest page allocator and heap (runtime/page.c, runtime/malloc.c),
 * compiled as guest code and run over "guest RAM" mmap'd by this test.
 *
 * The allocator has static state, as in a guest: the group setup hands it
 * one region once, and every test gives back all it took, which the per-test
 * teardown checks against the stats taken before the test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/alloc_private.h"
#include "runtime/include/uk/exit.h"
#include "tests/support/guest_ram.h"

#define PAGE UK_PAGE_SIZE
#define MAX_BLOCK (PAGE << UK_PAGE_MAX_ORDER)
#define RAM_BYTES (20UL << 20)
/* The main region: 8 MiB + 1 page from a 4 MiB boundary (see group_setup). */
#define MAIN_BYTES ((8UL << 20) + PAGE)
/* Where the regions tests put their extra regions, after the main one. */
#define SPARE_OFFSET (12UL << 20)

static struct guest_ram ram;
static uintptr_t ram_base; /* 4 MiB aligned */
static struct uk_mem_stats baseline;

static int group_setup(void **state)
{
	if (guest_ram_map(&ram, RAM_BYTES) != 0)
		return -1;
	ram_base = ram.base;
	/* One metadata page, then pages of every order up to one max block. */
	uk_page_add_region(ram_base, ram_base + MAIN_BYTES);
	return 0;
}

static int group_teardown(void **state)
{
	return guest_ram_unmap(&ram);
}

static int test_setup(void **state)
{
	baseline = guest_ram_stats();
	return 0;
}

/* Every test returns what it took: the stats are as before the test. */
static int test_teardown(void **state)
{
	struct uk_mem_stats now = guest_ram_stats();

	assert_int_equal(now.pages_total, baseline.pages_total);
	assert_int_equal(now.pages_free, baseline.pages_free);
	assert_int_equal(now.heap_bytes_used, baseline.heap_bytes_used);
	assert_int_equal(now.heap_blocks, baseline.heap_blocks);
	return 0;
}

/* Allocates order-0 pages until none is left; returns how many. */
static size_t drain_pages(void ***out)
{
	size_t n = 0, cap = guest_ram_stats().pages_free + 1;
	void **pages = calloc(cap, sizeof(*pages));

	assert_non_null(pages);
	while (n < cap && (pages[n] = uk_page_alloc(0)))
		n++;
	*out = pages;
	return n;
}

static void undrain_pages(void **pages, size_t n)
{
	for (size_t i = 0; i < n; i++)
		uk_page_free(pages[i], 0);
	free(pages);
}

static int regions_overlap(uintptr_t a, size_t alen, uintptr_t b, size_t blen)
{
	return a < b + blen && b < a + alen;
}

/* ---- pages ---- */

static void test_stats_count_the_region_less_its_metadata(void **state)
{
	assert_int_equal(baseline.pages_total, MAIN_BYTES / PAGE - 1);
	assert_int_equal(baseline.pages_free, baseline.pages_total);
	assert_int_equal(baseline.heap_blocks, 0);
	assert_int_equal(baseline.heap_bytes_used, 0);
}

static void test_pages_are_aligned_to_their_order(void **state)
{
	for (unsigned int order = 0; order <= UK_PAGE_MAX_ORDER; order++) {
		unsigned char *p = uk_page_alloc(order);

		assert_non_null(p);
		assert_int_equal((uintptr_t)p % (PAGE << order), 0);
		p[0] = 1;
		p[(PAGE << order) - 1] = 2;
		uk_page_free(p, order);
	}
}

static void test_page_alloc_and_free_restore_free_count(void **state)
{
	void *p = uk_page_alloc(3);

	assert_non_null(p);
	assert_int_equal(guest_ram_stats().pages_free, baseline.pages_free - 8);
	uk_page_free(p, 3);
	assert_int_equal(guest_ram_stats().pages_free, baseline.pages_free);
}

static void test_pages_are_inside_the_region_and_not_its_metadata(void **state)
{
	void **pages;
	size_t n = drain_pages(&pages);

	assert_int_equal(n, baseline.pages_free);
	for (size_t i = 0; i < n; i++) {
		uintptr_t p = (uintptr_t)pages[i];

		assert_true(p >= ram_base + PAGE && p + PAGE <= ram_base + MAIN_BYTES);
	}
	undrain_pages(pages, n);
}

static void test_order_above_max_returns_null(void **state)
{
	assert_null(uk_page_alloc(UK_PAGE_MAX_ORDER + 1));
	assert_null(uk_page_alloc(~0u));
}

static void test_freed_pages_coalesce_into_a_max_order_block(void **state)
{
	void **pages;
	size_t n = drain_pages(&pages);

	assert_null(uk_page_alloc(UK_PAGE_MAX_ORDER));
	/* Free out of order: odd slots first, so buddies meet late. */
	for (size_t i = 1; i < n; i += 2)
		uk_page_free(pages[i], 0);
	for (size_t i = 0; i < n; i += 2)
		uk_page_free(pages[i], 0);
	free(pages);

	void *big = uk_page_alloc(UK_PAGE_MAX_ORDER);
	assert_non_null(big);
	assert_int_equal((uintptr_t)big % MAX_BLOCK, 0);
	uk_page_free(big, UK_PAGE_MAX_ORDER);
}

static void test_exhausted_pages_return_null_and_stats_stay_consistent(void **state)
{
	void *held[64];
	unsigned int held_order[64];
	size_t n = 0, pages = 0;

	for (int order = UK_PAGE_MAX_ORDER; order >= 0; order--) {
		void *p;

		while ((p = uk_page_alloc(order))) {
			assert_true(n < 64);
			held[n] = p;
			held_order[n++] = order;
			pages += 1UL << order;
			assert_int_equal(guest_ram_stats().pages_free, baseline.pages_free - pages);
		}
	}
	assert_int_equal(pages, baseline.pages_free);
	assert_int_equal(guest_ram_stats().pages_free, 0);
	assert_null(uk_page_alloc(0));
	assert_int_equal(guest_ram_stats().pages_free, 0);
	while (n-- > 0)
		uk_page_free(held[n], held_order[n]);
}

static void test_page_free_of_null_is_ignored(void **state)
{
	uk_page_free(NULL, 0);
	uk_page_free(NULL, UK_PAGE_MAX_ORDER);
}

static void test_page_double_free_panics(void **state)
{
	void *p = uk_page_alloc(0);

	assert_non_null(p);
	uk_page_free(p, 0);
	expect_assert_failure(uk_page_free(p, 0));
}

static void test_page_free_with_wrong_order_panics(void **state)
{
	char *p = uk_page_alloc(2);

	assert_non_null(p);
	expect_assert_failure(uk_page_free(p, 1));
	expect_assert_failure(uk_page_free(p + PAGE, 0));
	expect_assert_failure(uk_page_free(p + 1, 2));
	uk_page_free(p, 2);
}

static void test_page_free_of_foreign_memory_panics(void **state)
{
	static char not_guest_ram[2 * PAGE];
	void *aligned = (void *)(((uintptr_t)not_guest_ram + PAGE - 1) & ~(PAGE - 1));

	expect_assert_failure(uk_page_free(aligned, 0));
}

/* ---- regions ---- */

static void test_region_too_small_for_a_page_adds_nothing(void **state)
{
	uintptr_t spare = ram_base + SPARE_OFFSET;

	uk_page_add_region(spare + 8 * PAGE + 1, spare + 9 * PAGE); /* < 1 page */
	uk_page_add_region(spare + 10 * PAGE, spare + 11 * PAGE);   /* only metadata */
	uk_page_add_region(spare + 12 * PAGE, spare + 12 * PAGE);   /* empty */
	uk_page_add_region(0, PAGE); /* page 0 is never used */
	assert_int_equal(guest_ram_stats().pages_total, baseline.pages_total);
}

static void test_unaligned_regions_are_rounded_inwards_and_serve_pages(void **state)
{
	uintptr_t spare = ram_base + SPARE_OFFSET;
	/* [spare+1 page, spare+6 pages) after rounding: metadata + 4 pages. */
	uintptr_t a_first = spare + 2 * PAGE, a_end = spare + 6 * PAGE;
	/* Two pages: metadata + 1 page. */
	uintptr_t b_first = spare + 21 * PAGE, b_end = spare + 22 * PAGE;
	size_t in_a = 0, in_b = 0, in_main = 0;
	void **pages;
	size_t n;

	uk_page_add_region(spare + 100, spare + 6 * PAGE + 7);
	uk_page_add_region(spare + 20 * PAGE, spare + 22 * PAGE);
	assert_int_equal(guest_ram_stats().pages_total, baseline.pages_total + 5);
	assert_int_equal(guest_ram_stats().pages_free, baseline.pages_free + 5);

	n = drain_pages(&pages);
	assert_int_equal(n, baseline.pages_free + 5);
	for (size_t i = 0; i < n; i++) {
		uintptr_t p = (uintptr_t)pages[i];

		in_a += p >= a_first && p < a_end;
		in_b += p >= b_first && p < b_end;
		in_main += p >= ram_base + PAGE && p < ram_base + MAIN_BYTES;
	}
	assert_int_equal(in_a, 4);
	assert_int_equal(in_b, 1);
	assert_int_equal(in_main, baseline.pages_free);
	undrain_pages(pages, n);
	/* The new regions stay: later tests start from the larger total. */
	baseline = guest_ram_stats();
}

/* ---- heap ---- */

static void test_malloc_sizes_give_distinct_aligned_writable_blocks(void **state)
{
	static const size_t sizes[] = {0, 1, 15, 16, 17, 2048, 2049, 4096, 100000};
	enum { N = sizeof(sizes) / sizeof(sizes[0]) };
	unsigned char *p[N];
	size_t total = 0;

	for (size_t i = 0; i < N; i++) {
		p[i] = uk_malloc(sizes[i]);
		assert_non_null(p[i]);
		assert_int_equal((uintptr_t)p[i] % 16, 0);
		memset(p[i], (int)i + 1, sizes[i]);
		total += sizes[i];
	}
	assert_int_equal(guest_ram_stats().heap_blocks, N);
	assert_int_equal(guest_ram_stats().heap_bytes_used, total);
	for (size_t i = 0; i < N; i++) {
		for (size_t j = 0; j < N; j++) {
			assert_true(i == j || p[i] != p[j]);
			assert_true(i == j || !regions_overlap((uintptr_t)p[i], sizes[i],
							       (uintptr_t)p[j], sizes[j]));
		}
		for (size_t k = 0; k < sizes[i]; k++)
			assert_int_equal(p[i][k], i + 1);
	}
	for (size_t i = 0; i < N; i++)
		uk_free(p[i]);
}

static void test_malloc_too_large_returns_null(void **state)
{
	assert_null(uk_malloc(SIZE_MAX));
	assert_null(uk_malloc(SIZE_MAX - 8));
	assert_null(uk_malloc(MAX_BLOCK));
	assert_null(uk_malloc(MAX_BLOCK - 31));
	assert_int_equal(guest_ram_stats().heap_blocks, 0);
}

static void test_largest_malloc_fits_a_max_order_block(void **state)
{
	unsigned char *p = uk_malloc(MAX_BLOCK - 32);

	assert_non_null(p);
	p[0] = 1;
	p[MAX_BLOCK - 33] = 2;
	uk_free(p);
}

static void fill(unsigned char *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i * 7);
}

static void assert_filled(const unsigned char *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != (unsigned char)(seed + i * 7))
			fail_msg("byte %zu of %p is %#x, expected %#x", i, (void *)p, p[i],
				 (unsigned char)(seed + i * 7));
	}
}

static void test_realloc_grows_and_shrinks_preserving_contents(void **state)
{
	static const size_t steps[] = {10, 20, 31, 200, 3000, 100000, 5000, 8, 1};
	size_t have = 10;
	unsigned char *p = uk_malloc(have);

	assert_non_null(p);
	fill(p, have, 3);
	for (size_t i = 1; i < sizeof(steps) / sizeof(steps[0]); i++) {
		size_t keep = have < steps[i] ? have : steps[i];

		p = uk_realloc(p, steps[i]);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		assert_filled(p, keep, 3);
		fill(p, steps[i], 3);
		have = steps[i];
		assert_int_equal(guest_ram_stats().heap_bytes_used, have);
		assert_int_equal(guest_ram_stats().heap_blocks, 1);
	}
	uk_free(p);
}

static void test_realloc_of_null_allocates(void **state)
{
	void *p = uk_realloc(NULL, 40);

	assert_non_null(p);
	assert_int_equal(guest_ram_stats().heap_blocks, 1);
	uk_free(p);
}

static void test_realloc_to_zero_frees_and_returns_null(void **state)
{
	void *p = uk_malloc(40);

	assert_non_null(p);
	assert_null(uk_realloc(p, 0));
	assert_int_equal(guest_ram_stats().heap_blocks, 0);
}

static void test_failed_realloc_keeps_the_old_block(void **state)
{
	unsigned char *p = uk_malloc(100);

	assert_non_null(p);
	fill(p, 100, 9);
	assert_null(uk_realloc(p, SIZE_MAX / 2));
	assert_null(uk_realloc(p, MAX_BLOCK));
	assert_filled(p, 100, 9);
	assert_int_equal(guest_ram_stats().heap_bytes_used, 100);
	uk_free(p);
}

static void test_calloc_zeroes_reused_memory(void **state)
{
	static const size_t sizes[] = {100, 10000};

	for (size_t i = 0; i < 2; i++) {
		unsigned char *p = uk_malloc(sizes[i]), *q;

		assert_non_null(p);
		memset(p, 0xaa, sizes[i]);
		uk_free(p);
		q = uk_calloc(1, sizes[i]);
		assert_ptr_equal(q, p); /* the same memory came back */
		for (size_t k = 0; k < sizes[i]; k++)
			assert_int_equal(q[k], 0);
		uk_free(q);
	}
}

static void test_calloc_rejects_overflowing_sizes(void **state)
{
	void *p;

	assert_null(uk_calloc(SIZE_MAX / 2 + 1, 2));
	assert_null(uk_calloc(2, SIZE_MAX));
	assert_null(uk_calloc((size_t)1 << 32, (size_t)1 << 32));
	assert_int_equal(guest_ram_stats().heap_blocks, 0);
	p = uk_calloc(0, SIZE_MAX); /* zero bytes: no overflow */
	assert_non_null(p);
	uk_free(p);
}

static void test_free_of_null_is_ignored(void **state)
{
	uk_free(NULL);
}

static void test_double_free_panics(void **state)
{
	void *small = uk_malloc(32);
	void *other = uk_malloc(32); /* keeps the slab alive after the free */
	void *large = uk_malloc(10000);

	assert_non_null(small);
	assert_non_null(other);
	assert_non_null(large);
	uk_free(small);
	expect_assert_failure(uk_free(small));
	uk_free(large);
	expect_assert_failure(uk_free(large));
	uk_free(other);
}

static void test_realloc_of_freed_block_panics(void **state)
{
	void *p = uk_malloc(32);
	void *keep = uk_malloc(32);

	assert_non_null(p);
	uk_free(p);
	expect_assert_failure(uk_realloc(p, 64));
	uk_free(keep);
}

static void test_free_of_foreign_pointer_panics(void **state)
{
	static _Alignas(16) unsigned char not_heap[64];
	unsigned char *p = uk_malloc(64);

	assert_non_null(p);
	memset(p, 0, 64);
	expect_assert_failure(uk_free(p + 1));  /* misaligned */
	expect_assert_failure(uk_free(p + 32)); /* inside a block */
	expect_assert_failure(uk_free(not_heap + 32));
	uk_free(p);
}

static void test_heap_returns_null_when_pages_run_out(void **state)
{
	unsigned char *kept = uk_malloc(16);
	void **pages;
	size_t n;

	assert_non_null(kept);
	fill(kept, 16, 5);
	n = drain_pages(&pages);
	assert_null(uk_malloc(100)); /* a class with no slab yet */
	assert_null(uk_malloc(100000));
	assert_null(uk_calloc(1, 3000));
	assert_null(uk_realloc(kept, 5000));
	assert_filled(kept, 16, 5);
	assert_int_equal(guest_ram_stats().heap_blocks, 1);
	undrain_pages(pages, n);
	uk_free(kept);
}

/* ---- stress ---- */

struct live {
	unsigned char *p;
	size_t size;
	unsigned int seed;
};

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

static size_t stress_size(uint32_t *rng)
{
	uint32_t r = lcg(rng);

	if (r % 16 == 0)
		return 2049 + lcg(rng) % 60000; /* large */
	return lcg(rng) % (r % 4 ? 300 : 2100); /* mostly small */
}

static void assert_disjoint_from_all(const struct live *slots, size_t n, size_t self)
{
	for (size_t i = 0; i < n; i++) {
		if (i != self && slots[i].p &&
		    regions_overlap((uintptr_t)slots[i].p, slots[i].size ? slots[i].size : 1,
				    (uintptr_t)slots[self].p,
				    slots[self].size ? slots[self].size : 1))
			fail_msg("blocks %zu and %zu overlap", i, self);
	}
}

static void test_random_alloc_free_never_overlaps_or_corrupts(void **state)
{
	enum { SLOTS = 300, STEPS = 20000 };
	struct live *slots = calloc(SLOTS, sizeof(*slots));
	uint32_t rng = 12345;

	assert_non_null(slots);
	for (unsigned int step = 0; step < STEPS; step++) {
		struct live *l = &slots[lcg(&rng) % SLOTS];

		if (l->p) {
			assert_filled(l->p, l->size, l->seed);
			if (lcg(&rng) % 4 == 0) {
				/* Not 0: realloc(p, 0) is a free, covered above. */
				size_t size = stress_size(&rng) + 1;
				unsigned char *q = uk_realloc(l->p, size);

				assert_non_null(q);
				assert_filled(q, size < l->size ? size : l->size, l->seed);
				l->p = q;
				l->size = size;
			} else {
				uk_free(l->p);
				l->p = NULL;
				continue;
			}
		} else {
			l->size = stress_size(&rng);
			l->p = uk_malloc(l->size);
			assert_non_null(l->p);
		}
		assert_int_equal((uintptr_t)l->p % 16, 0);
		l->seed = step;
		fill(l->p, l->size, l->seed);
		assert_disjoint_from_all(slots, SLOTS, (size_t)(l - slots));
	}
	for (size_t i = 0; i < SLOTS; i++) {
		if (slots[i].p) {
			assert_filled(slots[i].p, slots[i].size, slots[i].seed);
			uk_free(slots[i].p);
		}
	}
	free(slots);
}

#define T(f) cmocka_unit_test_setup_teardown(f, test_setup, test_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_stats_count_the_region_less_its_metadata),
		T(test_pages_are_aligned_to_their_order),
		T(test_page_alloc_and_free_restore_free_count),
		T(test_pages_are_inside_the_region_and_not_its_metadata),
		T(test_order_above_max_returns_null),
		T(test_freed_pages_coalesce_into_a_max_order_block),
		T(test_exhausted_pages_return_null_and_stats_stay_consistent),
		T(test_page_free_of_null_is_ignored),
		T(test_page_double_free_panics),
		T(test_page_free_with_wrong_order_panics),
		T(test_page_free_of_foreign_memory_panics),
		T(test_region_too_small_for_a_page_adds_nothing),
		T(test_unaligned_regions_are_rounded_inwards_and_serve_pages),
		T(test_malloc_sizes_give_distinct_aligned_writable_blocks),
		T(test_malloc_too_large_returns_null),
		T(test_largest_malloc_fits_a_max_order_block),
		T(test_realloc_grows_and_shrinks_preserving_contents),
		T(test_realloc_of_null_allocates),
		T(test_realloc_to_zero_frees_and_returns_null),
		T(test_failed_realloc_keeps_the_old_block),
		T(test_calloc_zeroes_reused_memory),
		T(test_calloc_rejects_overflowing_sizes),
		T(test_free_of_null_is_ignored),
		T(test_double_free_panics),
		T(test_realloc_of_freed_block_panics),
		T(test_free_of_foreign_pointer_panics),
		T(test_heap_returns_null_when_pages_run_out),
		T(test_random_alloc_free_never_overlaps_or_corrupts),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
