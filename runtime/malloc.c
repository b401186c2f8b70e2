/*
 * The guest heap: uk_malloc and friends over the page allocator (contract in
 * uk/alloc.h).
 *
 * Every block is preceded by a 16-byte header (struct blk_hdr) that says
 * whether it is live, its size class and its requested size. The header
 * doubles as the redzone memcheck sees in front of the block, and the header
 * of the next slot as the redzone behind it.
 *
 * Small blocks (up to 2048 bytes) live in slabs: a slab is a buddy block of
 * 1, 2 or 4 pages, aligned to its size, so the slab of a block is found by
 * masking the block's address. A slab starts with a struct slab, followed by
 * equal slots [header | block]. Free slots are chained through their headers;
 * slabs with a free slot are on their class's partial list. A slab that
 * becomes empty goes back to the page allocator, except the one empty slab a
 * class may keep (its "spare", as SLUB keeps min_partial slabs): a block
 * freed and allocated again for every network frame would otherwise build
 * and tear down a slab each time. The page allocator takes the spares back
 * (uk_heap_reclaim) before it fails a request, and counts their pages as
 * free, so keeping them changes no figure and no outcome.
 *
 * Large blocks get pages of their own: [header | block | at least 16 bytes].
 *
 * Valgrind: blocks are announced with MALLOCLIKE/FREELIKE (redzone 16).
 * Slot headers are NOACCESS except while this file reads or writes them, so
 * over- and underruns hit them; slab headers stay DEFINED (no block overlaps
 * them and they hold no pointer into a live block, so leak checking is exact).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <valgrind/memcheck.h>
#include "alloc_private.h"
#include <uk/exit.h>

#define REDZONE 16
#define BLK_LIVE 0x6c697665u /* "live" */
#define BLK_FREE 0x66726565u /* "free" */
#define SLAB_MAGIC 0x736c6162u
#define CLS_LARGE 0xffffu

struct blk_hdr {
	uint32_t magic;
	uint16_t cls;   /* index into class_size, or CLS_LARGE */
	uint16_t pages; /* large blocks: pages from uk_pages_alloc */
	union {
		uint64_t size;              /* live: the size asked for */
		struct blk_hdr *next_free; /* free slot: next free slot */
	} u;
};
_Static_assert(sizeof(struct blk_hdr) == REDZONE, "the header is the redzone");

struct slab {
	uint32_t magic;
	uint16_t cls;
	uint16_t nfree;
	struct slab *next, *prev; /* partial list of this class */
	struct blk_hdr *free;      /* chain of free slots */
};
_Static_assert(sizeof(struct slab) % 16 == 0, "slots must stay 16-byte aligned");

static const uint16_t class_size[] = {16,  32,  48,  64,  96,   128,  192,
				      256, 384, 512, 768, 1024, 1536, 2048};
#define NR_CLASSES (sizeof(class_size) / sizeof(class_size[0]))
#define SMALL_MAX 2048
/* Largest block: a max-order run of pages less a header and a tail redzone. */
#define LARGE_MAX ((UK_PAGE_SIZE << UK_PAGE_MAX_ORDER) - 2 * REDZONE)

static struct slab *partial[NR_CLASSES];
static struct slab *spare[NR_CLASSES]; /* an empty slab kept on partial[], or NULL */
static size_t spare_pages;
static size_t heap_bytes_used;
static size_t heap_blocks;

/*
 * The class of size, from its bits rather than a walk over class_size: 16 to
 * 64 in steps of 16, then 1.5 x 2^b and 2^(b+1) for b = 6..10.
 */
static unsigned int class_of(size_t size)
{
	size_t n = size ? size - 1 : 0;
	unsigned int b;

	if (size > SMALL_MAX)
		return CLS_LARGE;
	if (size <= 64)
		return (unsigned int)(n / 16);
	b = 63u - (unsigned int)__builtin_clzll(n); /* 6..10 */
	return 4u + 2u * (b - 6u) + (unsigned int)((n >> (b - 1u)) & 1u);
}

/* Slabs of bigger classes span more pages so that they hold >= 7 slots. */
static unsigned int slab_order(unsigned int cls)
{
	if (class_size[cls] <= 256)
		return 0;
	return class_size[cls] <= 1024 ? 1 : 2;
}

static size_t slab_bytes(unsigned int cls)
{
	return UK_PAGE_SIZE << slab_order(cls);
}

static size_t slot_stride(unsigned int cls)
{
	return REDZONE + class_size[cls];
}

/* The last slot leaves a redzone before the end of the slab. */
static unsigned int slab_slots(unsigned int cls)
{
	return (slab_bytes(cls) - sizeof(struct slab) - REDZONE) / slot_stride(cls);
}

static struct blk_hdr *slot_hdr(struct slab *s, unsigned int i)
{
	return (struct blk_hdr *)((char *)(s + 1) + (size_t)i * slot_stride(s->cls));
}

static void hdr_write(struct blk_hdr *h, const struct blk_hdr *val)
{
	VALGRIND_MAKE_MEM_UNDEFINED(h, sizeof(*h));
	*h = *val;
	VALGRIND_MAKE_MEM_NOACCESS(h, sizeof(*h));
}

/*
 * A header read and then rewritten (malloc and free of a slot) is opened
 * once and closed once: two client requests where a read and a write took
 * four, on the path every frame takes.
 */
static void hdr_open(struct blk_hdr *h)
{
	VALGRIND_MAKE_MEM_DEFINED(h, sizeof(*h));
}

static void hdr_close(struct blk_hdr *h)
{
	VALGRIND_MAKE_MEM_NOACCESS(h, sizeof(*h));
}

static void partial_push(struct slab *s)
{
	s->prev = NULL;
	s->next = partial[s->cls];
	if (s->next)
		s->next->prev = s;
	partial[s->cls] = s;
}

static void partial_remove(struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		partial[s->cls] = s->next;
	if (s->next)
		s->next->prev = s->prev;
}

static struct slab *slab_create(unsigned int cls)
{
	struct slab *s = uk_page_alloc(slab_order(cls));
	unsigned int n = slab_slots(cls);

	if (!s)
		return NULL;
	VALGRIND_MAKE_MEM_NOACCESS(s, slab_bytes(cls));
	VALGRIND_MAKE_MEM_UNDEFINED(s, sizeof(*s));
	*s = (struct slab){.magic = SLAB_MAGIC, .cls = cls, .nfree = n};
	/* Chain from the top down so that slots are handed out in order. */
	for (unsigned int i = n; i-- > 0;) {
		struct blk_hdr h = {.magic = BLK_FREE, .cls = cls, .u.next_free = s->free};

		hdr_write(slot_hdr(s, i), &h);
		s->free = slot_hdr(s, i);
	}
	partial_push(s);
	return s;
}

static void *small_alloc(unsigned int cls, size_t size)
{
	struct slab *s = partial[cls] ? partial[cls] : slab_create(cls);
	struct blk_hdr *h;

	if (!s)
		return NULL;
	if (s == spare[cls]) {
		spare[cls] = NULL;
		spare_pages -= 1UL << slab_order(cls);
	}
	h = s->free;
	hdr_open(h);
	UK_ASSERT(h->magic == BLK_FREE && h->cls == cls);
	s->free = h->u.next_free;
	*h = (struct blk_hdr){.magic = BLK_LIVE, .cls = cls, .u.size = size};
	hdr_close(h);
	if (--s->nfree == 0)
		partial_remove(s);
	return h + 1;
}

/* Returns an empty slab's pages. */
static void slab_destroy(struct slab *s)
{
	unsigned int cls = s->cls;

	partial_remove(s);
	s->magic = 0;
	uk_page_free(s, slab_order(cls));
}

size_t uk_heap_reclaim(void)
{
	size_t pages = spare_pages;

	for (unsigned int cls = 0; cls < NR_CLASSES; cls++) {
		if (spare[cls]) {
			slab_destroy(spare[cls]);
			spare[cls] = NULL;
		}
	}
	spare_pages = 0;
	return pages;
}

size_t uk_heap_spare_pages(void)
{
	return spare_pages;
}

/* The slab holding h, after checking that h is one of its slot headers. */
static struct slab *slab_of(struct blk_hdr *h, unsigned int cls, const void *ptr)
{
	struct slab *s = (struct slab *)((uintptr_t)h & ~(slab_bytes(cls) - 1));
	uintptr_t off = (uintptr_t)h - (uintptr_t)(s + 1);

	if (s->magic != SLAB_MAGIC || s->cls != cls || off % slot_stride(cls) ||
	    off / slot_stride(cls) >= slab_slots(cls))
		uk_panic("uk_free(%p): heap corruption (block header does not match its slab)",
			 ptr);
	return s;
}

/* h is open (hdr_open); this closes it. */
static void small_free(struct blk_hdr *h, unsigned int cls, const void *ptr)
{
	struct slab *s = slab_of(h, cls, ptr);

	*h = (struct blk_hdr){.magic = BLK_FREE, .cls = cls, .u.next_free = s->free};
	hdr_close(h);
	s->free = h;
	if (s->nfree++ == 0)
		partial_push(s);
	if (s->nfree < slab_slots(cls))
		return;
	if (!spare[cls]) {
		spare[cls] = s;
		spare_pages += 1UL << slab_order(cls);
		return;
	}
	slab_destroy(s);
}

/* Pages for a large block: header, block, and at least a redzone behind it. */
static size_t large_pages(size_t size)
{
	return (size + 2 * REDZONE + UK_PAGE_SIZE - 1) / UK_PAGE_SIZE;
}

static void *large_alloc(size_t size)
{
	struct blk_hdr *h;
	size_t pages;

	if (size > LARGE_MAX)
		return NULL;
	pages = large_pages(size);
	h = uk_pages_alloc(pages);
	if (!h)
		return NULL;
	VALGRIND_MAKE_MEM_NOACCESS(h, UK_PAGE_SIZE * pages);
	hdr_write(h, &(struct blk_hdr){ .magic = BLK_LIVE,
					.cls = CLS_LARGE,
					.pages = (uint16_t)pages,
					.u.size = size });
	return h + 1;
}

void *uk_malloc(size_t size)
{
	unsigned int cls = class_of(size);
	void *p = cls == CLS_LARGE ? large_alloc(size) : small_alloc(cls, size);

	if (!p)
		return NULL;
	heap_bytes_used += size;
	heap_blocks++;
	VALGRIND_MALLOCLIKE_BLOCK(p, size, REDZONE, 0);
	return p;
}

void *uk_calloc(size_t nmemb, size_t size)
{
	void *p;

	if (size && nmemb > SIZE_MAX / size)
		return NULL;
	p = uk_malloc(nmemb * size);
	/* Reused slots and pages hold old data: always clear. */
	if (p)
		memset(p, 0, nmemb * size);
	return p;
}

/*
 * The header of a live block, left open (hdr_open) for the caller to close,
 * or a panic naming what is wrong with ptr.
 */
static struct blk_hdr *live_hdr_open(const void *ptr, const char *who)
{
	struct blk_hdr *h = (struct blk_hdr *)ptr - 1;
	struct blk_hdr val;

	if ((uintptr_t)ptr % 16)
		uk_panic("%s(%p): not a block from uk_malloc (misaligned)", who, ptr);
	hdr_open(h);
	val = *h;
	if (val.magic == BLK_FREE)
		uk_panic("%s(%p): double free (block already freed)", who, ptr);
	if (val.magic != BLK_LIVE)
		uk_panic("%s(%p): not a block from uk_malloc, or its header was overwritten",
			 who, ptr);
	if (val.cls == CLS_LARGE ? (val.pages == 0 || val.pages > (1U << UK_PAGE_MAX_ORDER) ||
				    ((uintptr_t)ptr - REDZONE) % UK_PAGE_SIZE)
				 : val.cls >= NR_CLASSES)
		uk_panic("%s(%p): heap corruption (bad block header)", who, ptr);
	return h;
}

/* A copy of the header of a live block (live_hdr_open, closed again). */
static struct blk_hdr live_hdr(const void *ptr, const char *who)
{
	struct blk_hdr *h = live_hdr_open(ptr, who);
	struct blk_hdr val = *h;

	hdr_close(h);
	return val;
}

void uk_free(void *ptr)
{
	struct blk_hdr *h;
	struct blk_hdr val;

	if (!ptr)
		return;
	h = live_hdr_open(ptr, "uk_free");
	val = *h;
	heap_bytes_used -= val.u.size;
	heap_blocks--;
	/* FREELIKE makes the header NOACCESS too: only once it is written and closed. */
	if (val.cls != CLS_LARGE) {
		small_free(h, val.cls, ptr);
		VALGRIND_FREELIKE_BLOCK(ptr, REDZONE);
		return;
	}
	/* Mark it freed: if the page ends up inside a coalesced free block, a
	 * second uk_free still finds "free" here rather than a stale "live". */
	val.magic = BLK_FREE;
	*h = val;
	hdr_close(h);
	VALGRIND_FREELIKE_BLOCK(ptr, REDZONE);
	uk_pages_free(h, val.pages);
}

/* Whether a block of this header can hold size bytes without moving. */
static bool fits_in_place(const struct blk_hdr *val, size_t size)
{
	unsigned int cls = class_of(size);

	if (cls != val->cls)
		return false;
	return cls != CLS_LARGE || (size <= LARGE_MAX && large_pages(size) == val->pages);
}

void *uk_realloc(void *ptr, size_t size)
{
	struct blk_hdr val;
	void *p;

	if (!ptr)
		return uk_malloc(size);
	if (size == 0) {
		uk_free(ptr);
		return NULL;
	}
	val = live_hdr(ptr, "uk_realloc");
	if (fits_in_place(&val, size)) {
		VALGRIND_RESIZEINPLACE_BLOCK(ptr, val.u.size, size, REDZONE);
		heap_bytes_used = heap_bytes_used - val.u.size + size;
		val.u.size = size;
		hdr_write((struct blk_hdr *)ptr - 1, &val);
		return ptr;
	}
	p = uk_malloc(size);
	if (!p)
		return NULL; /* the old block stays valid, as C requires */
	memcpy(p, ptr, size < val.u.size ? size : val.u.size);
	uk_free(ptr);
	return p;
}

void uk_heap_stats(struct uk_mem_stats *stats)
{
	stats->heap_bytes_used = heap_bytes_used;
	stats->heap_blocks = heap_blocks;
}
