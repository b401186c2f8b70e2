/*
 * Guest memory: pages and a heap, all carved from the RAM the memory map in
 * hvm_start_info describes. Nothing else allocates: when guest RAM runs out,
 * these functions return NULL (as they would on Xen) and the caller decides.
 *
 * Under valgrind, every page and heap block is described to memcheck with
 * client requests: freed memory is inaccessible, fresh uk_malloc memory is
 * undefined, and blocks never freed are reported as leaks.
 */
#ifndef UK_ALLOC_H
#define UK_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UK_PAGE_SHIFT 12
#define UK_PAGE_SIZE (1UL << UK_PAGE_SHIFT)
/* Largest block uk_page_alloc hands out: 2^UK_PAGE_MAX_ORDER pages (4 MiB). */
#define UK_PAGE_MAX_ORDER 10

/*
 * 2^order physically contiguous, page-aligned pages. Their contents are
 * undefined (fresh guest RAM happens to be zero, reused pages are not).
 * NULL when no block that large is free or order > UK_PAGE_MAX_ORDER.
 */
void *uk_page_alloc(unsigned int order);
/* Returns a block from uk_page_alloc with the same order; NULL is ignored. */
void uk_page_free(void *pages, unsigned int order);
/*
 * npages contiguous pages (1 .. 2^UK_PAGE_MAX_ORDER), without rounding up to
 * a power of two: the rest of the buddy block goes straight back. Freed with
 * uk_pages_free and the same count.
 */
void *uk_pages_alloc(size_t npages);
void uk_pages_free(void *pages, size_t npages);

/*
 * Whether [p, p + len) lies in guest RAM this allocator hands out (what
 * uk_page_alloc and uk_malloc return): memory a driver may grant to a
 * backend. The image and, in the simulator, host memory are not.
 */
bool uk_page_owns(const void *p, size_t len);

/*
 * pages_total counts the pages uk_page_alloc can hand out: the regions given
 * at boot, rounded inwards to whole pages, less the allocator's metadata (one
 * byte per page, at the start of each region).
 */
struct uk_mem_stats {
	size_t pages_total;     /* pages handed to the allocator at boot */
	size_t pages_free;      /* pages uk_page_alloc can hand out (free, or in the heap's spare slabs) */
	size_t heap_bytes_used; /* bytes in live uk_malloc blocks (requested sizes) */
	size_t heap_blocks;     /* live uk_malloc blocks */
};
void uk_mem_stats(struct uk_mem_stats *stats);

/* The usual heap calls. Blocks are 16-byte aligned. */
void *uk_malloc(size_t size);
void *uk_calloc(size_t nmemb, size_t size);
void *uk_realloc(void *ptr, size_t size);
void uk_free(void *ptr);

#endif
