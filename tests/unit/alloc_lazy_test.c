/*
 * The page allocator's bookkeeping is lazy (issue 10, defect 10): a region
 * costs nothing until its pages are handed out. Before, adding a region
 * wrote one metadata byte per page and a free-list node into every 4 MiB
 * block, so 1 TiB of guest RAM took 6.5 s and 1.3 GB of RSS at boot.
 *
 * Each test runs in a process of its own (the allocator's state is static,
 * as in a guest), over "guest RAM" mmap'd with MAP_NORESERVE; mincore counts
 * the pages the allocator touched.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/alloc_private.h"
#include "runtime/include/uk/exit.h"
#include "tests/support/guest_ram.h"

#define PAGE UK_PAGE_SIZE
#define MAX_BLOCK (PAGE << UK_PAGE_MAX_ORDER)
/* A big region for a host test: 8 GiB, 2048 blocks of 4 MiB. */
#define BIG (8UL << 30)

/* Maps bytes of "guest RAM" at a MAX_BLOCK boundary (leaked: the process ends). */
static uintptr_t ram(size_t bytes)
{
	struct guest_ram r;

	assert_int_equal(guest_ram_map(&r, bytes), 0);
	return r.base;
}

/* Pages of [base, base + bytes) the process has touched. */
static size_t resident_pages(uintptr_t base, size_t bytes)
{
	size_t n = bytes / PAGE, count = 0;
	unsigned char *vec = malloc(n);

	assert_non_null(vec);
	assert_int_equal(mincore((void *)base, bytes, vec), 0);
	for (size_t i = 0; i < n; i++)
		count += vec[i] & 1;
	free(vec);
	return count;
}

static void adding_8_gib_touches_no_page_of_it(void **state)
{
	uintptr_t base = ram(BIG);
	struct uk_mem_stats st;

	uk_page_add_region(base, base + BIG);
	uk_mem_stats(&st);
	assert_int_equal(st.pages_total, BIG / PAGE - BIG / PAGE / PAGE);
	assert_int_equal(st.pages_free, st.pages_total);
	assert_int_equal(resident_pages(base, BIG), 0);
}

static void an_allocation_touches_its_own_block_and_metadata_only(void **state)
{
	uintptr_t base = ram(BIG);

	uk_page_add_region(base, base + BIG);
	void *p = uk_page_alloc(0);
	assert_non_null(p);
	memset(p, 1, PAGE);
	/* The page, one metadata page, and the list nodes of the split halves (10). */
	assert_in_range(resident_pages(base, BIG), 2, 2 + UK_PAGE_MAX_ORDER);
	uk_page_free(p, 0);
}

static void freed_memory_is_reused_before_new_memory_is_carved(void **state)
{
	uintptr_t base = ram(BIG);

	uk_page_add_region(base, base + BIG);
	void *a = uk_page_alloc(UK_PAGE_MAX_ORDER);
	assert_non_null(a);
	uk_page_free(a, UK_PAGE_MAX_ORDER);
	for (int i = 0; i < 100; i++) {
		void *b = uk_page_alloc(UK_PAGE_MAX_ORDER);
		assert_ptr_equal(b, a);
		uk_page_free(b, UK_PAGE_MAX_ORDER);
	}
}

/* A region not aligned to a block carves small blocks first, as the eager split did. */
static void every_page_of_an_unaligned_region_is_handed_out_and_comes_back(void **state)
{
	uintptr_t base = ram(3 * MAX_BLOCK) + 5 * PAGE;
	size_t bytes = 2 * MAX_BLOCK + 3 * PAGE;
	struct uk_mem_stats st;
	void **pages;
	size_t n = 0;

	uk_page_add_region(base, base + bytes);
	uk_mem_stats(&st);
	pages = calloc(st.pages_total + 1, sizeof(*pages)); /* and the NULL at the end */
	assert_non_null(pages);
	while ((pages[n] = uk_page_alloc(0)))
		assert_in_range(++n, 1, st.pages_total);
	assert_int_equal(n, st.pages_total);
	while (n)
		uk_page_free(pages[--n], 0);
	free(pages);
	uk_mem_stats(&st);
	assert_int_equal(st.pages_free, st.pages_total);
	/* Coalesced again: a whole 4 MiB block can be had. */
	assert_non_null(uk_page_alloc(UK_PAGE_MAX_ORDER));
}

static void freeing_a_page_never_handed_out_panics(void **state)
{
	uintptr_t base = ram(BIG);

	uk_page_add_region(base, base + BIG);
	assert_non_null(uk_page_alloc(0));
	expect_assert_failure(uk_page_free((void *)(base + BIG / 2), 0));
}

/* Runs test in a child process: the allocator's state is per process. */
static void in_child(void (*test)(void **), const char *name)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		const struct CMUnitTest one[] = { { name, test, NULL, NULL, NULL } };
		_exit(cmocka_run_group_tests_name(name, one, NULL, NULL) ? 1 : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

#define CHILD(t) static void child_##t(void **state) { in_child(t, #t); }
CHILD(adding_8_gib_touches_no_page_of_it)
CHILD(an_allocation_touches_its_own_block_and_metadata_only)
CHILD(freed_memory_is_reused_before_new_memory_is_carved)
CHILD(every_page_of_an_unaligned_region_is_handed_out_and_comes_back)
CHILD(freeing_a_page_never_handed_out_panics)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(child_adding_8_gib_touches_no_page_of_it),
		cmocka_unit_test(child_an_allocation_touches_its_own_block_and_metadata_only),
		cmocka_unit_test(child_freed_memory_is_reused_before_new_memory_is_carved),
		cmocka_unit_test(child_every_page_of_an_unaligned_region_is_handed_out_and_comes_back),
		cmocka_unit_test(child_freeing_a_page_never_handed_out_panics),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
