/*
 * The page allocator: a binary buddy allocator over the RAM regions of the
 * guest's memory map (contract in uk/alloc.h).
 *
 * Layout. Each region keeps one metadata byte per page in its own first
 * page(s): 4096 pages of RAM cost one page. Only the byte of a block's first
 * page (its "head") means anything; every other byte is 0. Free blocks are
 * linked, per order, through a small node stored in their own first page.
 * Blocks are aligned to their size in *absolute* page frame numbers, so a
 * block's buddy is found with an XOR, whatever the region's start.
 *
 * Untouched memory is free. A region starts with no free block listed and
 * no metadata written: its pages from `frontier` on have never been handed
 * out, and are carved off in the same aligned blocks an eager split would
 * make (fit_order), one at a time, only when no listed block is large
 * enough. Carving writes that block's metadata bytes and one list node, so
 * memory the guest never needs is never touched: boot costs the same for
 * 1 TiB as for 32 MiB, and so does RSS on a host that maps guest RAM lazily
 * (or a Xen guest that is given RAM it does not use). A carved block's buddy
 * is always below it (already carved) or outside the region, so the
 * metadata past the frontier is never read.
 *
 * Valgrind. Free pages are NOACCESS; allocated pages are UNDEFINED. The list
 * node of a free block is made DEFINED only while this file reads or writes
 * it, then NOACCESS again, so a stray access to a free page is still caught.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <valgrind/memcheck.h>
#include "alloc_private.h"
#include <uk/exit.h>

#define NR_ORDERS (UK_PAGE_MAX_ORDER + 1)
#define MAX_REGIONS 32

/* Head byte: state in the high bits, order in the low four. */
#define HEAD_FREE 0x40
#define HEAD_USED 0x80
#define HEAD_ORDER_MASK 0x0f

struct free_node {
	struct free_node *next;
	struct free_node *prev;
};

struct region {
	uintptr_t first_pfn; /* first page the allocator hands out */
	uintptr_t frontier;  /* pages from here on were never handed out */
	uintptr_t end_pfn;   /* one past the last */
	uint8_t *head;       /* one byte per page in [first_pfn, frontier) */
};

static struct region regions[MAX_REGIONS];
static unsigned int nr_regions;
/* Circular lists with static sentinels: removal never needs the list. */
static struct free_node free_lists[NR_ORDERS];
static size_t pages_total;
static size_t pages_free;

static uintptr_t pfn_of(const void *p)
{
	return (uintptr_t)p >> UK_PAGE_SHIFT;
}

static struct free_node *node_at(uintptr_t pfn)
{
	return (struct free_node *)(pfn << UK_PAGE_SHIFT);
}

/* The node of a free block lives in the block: open it only while used. */
static void node_open(struct free_node *n)
{
	VALGRIND_MAKE_MEM_DEFINED(n, sizeof(*n));
}

static void node_close(struct free_node *n)
{
	VALGRIND_MAKE_MEM_NOACCESS(n, sizeof(*n));
}

static bool is_sentinel(const struct free_node *n)
{
	return n >= &free_lists[0] && n < &free_lists[NR_ORDERS];
}

/* Sets n->next->prev or n->prev->next; the neighbour may be a sentinel. */
static void link_set(struct free_node *n, bool set_next, struct free_node *to)
{
	bool sentinel = is_sentinel(n);

	if (!sentinel)
		node_open(n);
	if (set_next)
		n->next = to;
	else
		n->prev = to;
	if (!sentinel)
		node_close(n);
}

static void list_lazy_init(void)
{
	for (unsigned int i = 0; i < NR_ORDERS; i++) {
		if (!free_lists[i].next)
			free_lists[i].next = free_lists[i].prev = &free_lists[i];
	}
}

static void list_push(unsigned int order, struct free_node *n)
{
	struct free_node *head = &free_lists[order];
	struct free_node *first = head->next;

	node_open(n);
	n->next = first;
	n->prev = head;
	node_close(n);
	link_set(first, false, n);
	head->next = n;
}

static void list_remove(struct free_node *n)
{
	struct free_node *next, *prev;

	node_open(n);
	next = n->next;
	prev = n->prev;
	node_close(n);
	link_set(prev, true, next);
	link_set(next, false, prev);
}

/* The region holding pfn among the pages it has carved (the rest are no block's yet). */
static struct region *region_of(uintptr_t pfn)
{
	for (unsigned int i = 0; i < nr_regions; i++) {
		if (pfn >= regions[i].first_pfn && pfn < regions[i].frontier)
			return &regions[i];
	}
	return NULL;
}

bool uk_page_owns(const void *p, size_t len)
{
	uintptr_t first = (uintptr_t)p, last = first + len - 1;
	struct region *r;

	if (len == 0 || last < first || !(r = region_of(pfn_of(p))))
		return false;
	return pfn_of((const void *)last) < r->frontier;
}

static uint8_t *head_byte(struct region *r, uintptr_t pfn)
{
	return &r->head[pfn - r->first_pfn];
}

/* Makes [pfn, pfn + 2^order) a free block of region r. */
static void block_make_free(struct region *r, uintptr_t pfn, unsigned int order)
{
	*head_byte(r, pfn) = HEAD_FREE | order;
	list_push(order, node_at(pfn));
}

/* Largest order for a block starting at pfn that stays below end. */
static unsigned int fit_order(uintptr_t pfn, uintptr_t end)
{
	unsigned int order = UK_PAGE_MAX_ORDER;

	while (order > 0 && ((pfn & ((1UL << order) - 1)) || pfn + (1UL << order) > end))
		order--;
	return order;
}

static bool overlaps_known_region(uintptr_t first, uintptr_t end)
{
	for (unsigned int i = 0; i < nr_regions; i++) {
		/* Compare whole ranges including each region's metadata pages. */
		uintptr_t meta_start = pfn_of(regions[i].head);

		if (first < regions[i].end_pfn && meta_start < end)
			return true;
	}
	return false;
}

void uk_page_add_region(uintptr_t start, uintptr_t end)
{
	uintptr_t first, last, npages, meta_pages;
	struct region *r;

	/* Round inwards; page 0 is never handed out (NULL must mean failure). */
	if (start < UK_PAGE_SIZE)
		start = UK_PAGE_SIZE;
	if (start > UINTPTR_MAX - (UK_PAGE_SIZE - 1))
		return;
	first = (start + UK_PAGE_SIZE - 1) >> UK_PAGE_SHIFT;
	last = end >> UK_PAGE_SHIFT;
	if (last <= first)
		return;
	npages = last - first;
	meta_pages = (npages + UK_PAGE_SIZE - 1) / UK_PAGE_SIZE;
	if (npages <= meta_pages)
		return; /* too small to be worth its own metadata */
	UK_ASSERT(!overlaps_known_region(first, last));
	if (nr_regions == MAX_REGIONS)
		return; /* a memory map this fragmented loses its tail: never seen */

	list_lazy_init();
	r = &regions[nr_regions++];
	r->head = (uint8_t *)(first << UK_PAGE_SHIFT);
	r->first_pfn = first + meta_pages;
	r->frontier = r->first_pfn;
	r->end_pfn = last;
	/* Nothing else is written here: blocks are carved when needed. */
	VALGRIND_MAKE_MEM_NOACCESS(node_at(r->first_pfn),
				   (r->end_pfn - r->first_pfn) << UK_PAGE_SHIFT);
	pages_total += r->end_pfn - r->first_pfn;
	pages_free += r->end_pfn - r->first_pfn;
}

/* Pops a free block of exactly this order, or returns NULL. */
static struct free_node *list_pop(unsigned int order)
{
	struct free_node *n = free_lists[order].next;

	if (!n || is_sentinel(n))
		return NULL;
	list_remove(n);
	return n;
}

/* Pops a free block of order or larger (its order in *k), or returns NULL. */
static struct free_node *list_pop_at_least(unsigned int order, unsigned int *k)
{
	struct free_node *n;

	for (*k = order; *k <= UK_PAGE_MAX_ORDER; (*k)++)
		if ((n = list_pop(*k)))
			return n;
	return NULL;
}

/*
 * Lists the next never-used block of the first region that has one, with
 * its metadata bytes written. Returns false when every page was carved.
 */
static bool carve_next(void)
{
	for (unsigned int i = 0; i < nr_regions; i++) {
		struct region *r = &regions[i];
		if (r->frontier == r->end_pfn)
			continue;
		uintptr_t pfn = r->frontier;
		unsigned int order = fit_order(pfn, r->end_pfn);
		memset(r->head + (pfn - r->first_pfn), 0, 1UL << order);
		r->frontier += 1UL << order;
		block_make_free(r, pfn, order);
		return true;
	}
	return false;
}

void *uk_page_alloc(unsigned int order)
{
	struct free_node *n = NULL;
	unsigned int k = order;
	struct region *r;
	uintptr_t pfn;

	if (order > UK_PAGE_MAX_ORDER)
		return NULL;
	while (!(n = list_pop_at_least(order, &k))) {
		if (carve_next())
			continue;
		/* The heap's spare slabs count as free: take them back before failing. */
		if (uk_heap_reclaim())
			return uk_page_alloc(order);
		return NULL;
	}

	pfn = pfn_of(n);
	r = region_of(pfn);
	UK_ASSERT(r && *head_byte(r, pfn) == (HEAD_FREE | k));
	/* Split: keep the lower half, free the upper half, down to order. */
	while (k > order) {
		k--;
		block_make_free(r, pfn + (1UL << k), k);
	}
	*head_byte(r, pfn) = HEAD_USED | order;
	pages_free -= 1UL << order;
	VALGRIND_MAKE_MEM_UNDEFINED(n, UK_PAGE_SIZE << order);
	return n;
}

/* Absorbs free buddies into [*pfn, 2^order), returning the final order. */
static unsigned int coalesce(struct region *r, uintptr_t *pfn, unsigned int order)
{
	while (order < UK_PAGE_MAX_ORDER) {
		uintptr_t buddy = *pfn ^ (1UL << order);

		if (buddy < r->first_pfn || buddy + (1UL << order) > r->frontier)
			break;
		if (*head_byte(r, buddy) != (HEAD_FREE | order))
			break;
		list_remove(node_at(buddy));
		*head_byte(r, buddy) = 0;
		*head_byte(r, *pfn) = 0;
		if (buddy < *pfn)
			*pfn = buddy;
		order++;
	}
	return order;
}

void uk_page_free(void *pages, unsigned int order)
{
	uintptr_t pfn = pfn_of(pages);
	struct region *r;
	uint8_t head;

	if (!pages)
		return;
	r = region_of(pfn);
	if ((uintptr_t)pages & (UK_PAGE_SIZE - 1) || !r || order > UK_PAGE_MAX_ORDER)
		uk_panic("uk_page_free(%p, %u): not a block from uk_page_alloc", pages, order);
	head = *head_byte(r, pfn);
	if (head == (HEAD_USED | order)) {
		VALGRIND_MAKE_MEM_NOACCESS(pages, UK_PAGE_SIZE << order);
		*head_byte(r, pfn) = 0;
		pages_free += 1UL << order;
		order = coalesce(r, &pfn, order);
		block_make_free(r, pfn, order);
		return;
	}
	if (head & HEAD_FREE)
		uk_panic("uk_page_free(%p, %u): double free", pages, order);
	if (head & HEAD_USED)
		uk_panic("uk_page_free(%p, %u): block was allocated with order %u", pages,
			 order, head & HEAD_ORDER_MASK);
	uk_panic("uk_page_free(%p, %u): not the start of an allocated block", pages, order);
}

static unsigned int order_for(size_t npages)
{
	unsigned int order = 0;

	while ((1UL << order) < npages)
		order++;
	return order;
}

/* Frees [pfn, pfn + npages) as the aligned power-of-two blocks it is made of. */
static void free_run(uintptr_t pfn, size_t npages)
{
	struct region *r = region_of(pfn);

	while (npages) {
		unsigned int order = fit_order(pfn, pfn + npages);
		*head_byte(r, pfn) = HEAD_USED | order;
		uk_page_free((void *)(pfn << UK_PAGE_SHIFT), order);
		pfn += 1UL << order;
		npages -= 1UL << order;
	}
}

void *uk_pages_alloc(size_t npages)
{
	unsigned int order;
	uint8_t *p;

	if (npages == 0 || npages > (1UL << UK_PAGE_MAX_ORDER))
		return NULL;
	order = order_for(npages);
	if (!(p = uk_page_alloc(order)))
		return NULL;
	/* The block's head keeps saying "order": uk_pages_free checks it. */
	if (npages < (1UL << order))
		free_run(pfn_of(p) + npages, (1UL << order) - npages);
	return p;
}

void uk_pages_free(void *pages, size_t npages)
{
	uintptr_t pfn = pfn_of(pages);
	struct region *r;

	if (!pages)
		return;
	r = region_of(pfn);
	if (!r || npages == 0 || npages > (1UL << UK_PAGE_MAX_ORDER) ||
	    (uintptr_t)pages & (UK_PAGE_SIZE - 1) ||
	    *head_byte(r, pfn) != (HEAD_USED | order_for(npages)))
		uk_panic("uk_pages_free(%p, %zu): not a run from uk_pages_alloc", pages, npages);
	free_run(pfn, npages);
}

void uk_mem_stats(struct uk_mem_stats *stats)
{
	stats->pages_total = pages_total;
	stats->pages_free = pages_free + uk_heap_spare_pages();
	uk_heap_stats(stats);
}
