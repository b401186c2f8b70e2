/* The allocator's runtime-internal side (runtime/page.c, runtime/malloc.c): boot's and each other's. */
#ifndef UK_ALLOC_PRIVATE_H
#define UK_ALLOC_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "include/uk/alloc.h"

/* Hands a range of RAM [start, end) to the page allocator (boot, from the memory map). */
void uk_page_add_region(uintptr_t start, uintptr_t end);
/* The heap's half of uk_mem_stats (heap_* fields only). */
void uk_heap_stats(struct uk_mem_stats *stats);
/* Pages the heap keeps in empty slabs (counted as free), and giving them back
 * to the page allocator; returns how many pages that freed. */
size_t uk_heap_spare_pages(void);
size_t uk_heap_reclaim(void);

#endif
