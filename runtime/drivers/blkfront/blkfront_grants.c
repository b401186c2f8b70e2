/*
 * blkfront's granted pages: the shared ring, the data page pool and the
 * indirect segment pages. Each page is granted once and revoked once at
 * close; a page whose grant cannot be revoked (the backend still maps it)
 * is leaked, never freed, as netfront_grants.c does. A caller's page granted
 * in place whose grant the backend still maps at the response stays granted
 * and is remembered, and its grant is ended at a later response or at close,
 * once the backend lets go.
 */
#include <errno.h>
#include <string.h>

#include <uk/console.h>
#include <uk/drivers/gnttab.h>

#include "blkfront_private.h"

#define END_ACCESS_TRIES 10
#define END_ACCESS_WAIT_NS (10 * UK_NSEC_PER_MSEC)

int blkfront_ring_alloc(struct uk_blk *b)
{
	unsigned int n = 1u << b->ring_order;
	blkif_sring_t *s;
	int rc;

	if (!(b->ring_page = uk_page_alloc(b->ring_order)))
		return -ENOMEM;
	memset(b->ring_page, 0, n * UK_PAGE_SIZE);
	for (unsigned int i = 0; i < n; i++) {
		rc = gnttab_grant_access(b->dev.otherend_id,
					 (uint8_t *)b->ring_page + i * UK_PAGE_SIZE, false,
					 &b->ring_refs[i]);
		if (rc < 0)
			return rc;
		b->nr_ring_granted++;
	}
	s = b->ring_page;
	SHARED_RING_INIT(s);
	FRONT_RING_INIT(&b->ring, s, n * UK_PAGE_SIZE);
	b->ring_size = RING_SIZE(&b->ring);
	return 0;
}

int blkfront_slots_alloc(struct uk_blk *b)
{
	if (!(b->shadow = uk_calloc(b->ring_size, sizeof(*b->shadow))) ||
	    !(b->free_ids = uk_calloc(b->ring_size, sizeof(*b->free_ids))))
		return -ENOMEM;
	b->nr_free = 0;
	for (unsigned int i = b->ring_size; i-- > 0;)
		b->free_ids[b->nr_free++] = (uint16_t)i;
	b->pool_max = b->ring_size * b->max_segs;
	return 0;
}

static struct blkfront_page *page_new(struct uk_blk *b, bool readonly)
{
	struct blkfront_page *p = uk_calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	if (!(p->page = uk_page_alloc(0))) {
		uk_free(p);
		return NULL;
	}
	if (gnttab_grant_access(b->dev.otherend_id, p->page, readonly, &p->gref) < 0) {
		uk_page_free(p->page, 0);
		uk_free(p);
		return NULL;
	}
	return p;
}

struct blkfront_page *blkfront_page_get(struct uk_blk *b)
{
	struct blkfront_page *p = b->pool;

	if (p) {
		b->pool = p->next;
		p->next = NULL;
		return p;
	}
	if (b->pool_pages >= b->pool_max || !(p = page_new(b, false)))
		return NULL;
	b->pool_pages++;
	return p;
}

void blkfront_page_put(struct uk_blk *b, struct blkfront_page *p)
{
	p->next = b->pool;
	b->pool = p;
}

/* The backend only reads the segment descriptors: granted read-only. */
struct blkfront_page *blkfront_indirect_page(struct uk_blk *b, struct blkfront_shadow *s)
{
	if (!s->indirect)
		s->indirect = page_new(b, true);
	return s->indirect;
}

bool blkfront_direct_grant(struct uk_blk *b, struct blkfront_shadow *s, const void *buf,
			   size_t bytes, bool readonly)
{
	unsigned int n = (unsigned int)((bytes + UK_PAGE_SIZE - 1) / UK_PAGE_SIZE);

	if (gnttab_free_count() < n + BLKFRONT_DIRECT_RESERVE ||
	    (!s->direct && !(s->direct = uk_calloc(b->max_segs, sizeof(*s->direct)))))
		return false;
	for (s->ndirect = 0; s->ndirect < n; s->ndirect++) {
		const uint8_t *page = (const uint8_t *)buf + (size_t)s->ndirect * UK_PAGE_SIZE;

		if (gnttab_grant_access(b->dev.otherend_id, page, readonly,
					&s->direct[s->ndirect]) < 0) {
			blkfront_direct_end(b, s); /* not yet on the ring: revokes */
			return false;
		}
	}
	return true;
}

/*
 * A direct grant the backend still maps: it stays granted while the backend
 * may write the page, and is remembered, so that it ends once the backend
 * lets go rather than stay valid for good on memory the caller reuses.
 */
static void unrevoked_keep(struct uk_blk *b, grant_ref_t ref)
{
	b->unrevoked++;
	if (b->nr_unrevoked == b->unrevoked_cap) {
		unsigned int cap = b->unrevoked_cap ? 2 * b->unrevoked_cap : 8;
		grant_ref_t *n = uk_realloc(b->unrevoked_refs, cap * sizeof(*n));

		if (!n) {
			uk_printf("blkfront %u: no memory to remember grant %u the backend still "
				  "maps; it is leaked\n", b->index, ref);
			return;
		}
		b->unrevoked_refs = n;
		b->unrevoked_cap = cap;
	}
	b->unrevoked_refs[b->nr_unrevoked++] = ref;
}

bool blkfront_direct_end(struct uk_blk *b, struct blkfront_shadow *s)
{
	bool all = true;

	while (s->ndirect > 0) {
		grant_ref_t ref = s->direct[--s->ndirect];

		if (gnttab_end_access(ref) < 0) {
			unrevoked_keep(b, ref);
			all = false;
		}
	}
	return all;
}

unsigned int blkfront_unrevoked_retry(struct uk_blk *b)
{
	for (unsigned int i = 0; i < b->nr_unrevoked;) {
		if (gnttab_end_access(b->unrevoked_refs[i]) == 0)
			b->unrevoked_refs[i] = b->unrevoked_refs[--b->nr_unrevoked];
		else
			i++;
	}
	return b->nr_unrevoked;
}

/* Revokes p's grant: 0 and p freed, -EBUSY (still mapped), or another error (leaked). */
static int page_release(struct blkfront_page *p, bool last, unsigned int *leaked)
{
	int rc = gnttab_end_access(p->gref);

	if (rc == -EBUSY && !last)
		return -EBUSY;
	if (rc < 0)
		(*leaked)++;
	else
		uk_page_free(p->page, 0);
	uk_free(p);
	return 0;
}

/* One pass over the pool, the indirect pages and the ring; how many are still mapped. */
static unsigned int release_pass(struct uk_blk *b, bool last, unsigned int *leaked)
{
	struct blkfront_page **pp = &b->pool;
	unsigned int busy = 0;

	while (*pp) {
		struct blkfront_page *p = *pp, *next = p->next;

		if (page_release(p, last, leaked) == -EBUSY) {
			busy++;
			pp = &p->next;
		} else {
			*pp = next;
			b->pool_pages--;
		}
	}
	for (unsigned int i = 0; b->shadow && i < b->ring_size; i++) {
		struct blkfront_shadow *s = &b->shadow[i];

		if (s->indirect && page_release(s->indirect, last, leaked) == -EBUSY)
			busy++;
		else
			s->indirect = NULL;
	}
	busy += blkfront_unrevoked_retry(b);
	if (last)
		*leaked += b->nr_unrevoked;
	while (b->nr_ring_granted > 0) {
		int rc = gnttab_end_access(b->ring_refs[b->nr_ring_granted - 1]);

		if (rc == -EBUSY && !last)
			return busy + 1;
		if (rc < 0)
			b->ring_page = NULL; /* leaked: the backend may still write it */
		b->nr_ring_granted--;
	}
	return busy;
}

void blkfront_release_all(struct uk_blk *b)
{
	unsigned int leaked = 0;

	for (unsigned int i = 1; i < END_ACCESS_TRIES; i++) {
		if (release_pass(b, false, &leaked) == 0)
			break;
		if (uk_thread_self())
			uk_sleep_ns(END_ACCESS_WAIT_NS);
	}
	release_pass(b, true, &leaked);
	if (b->ring_page)
		uk_page_free(b->ring_page, b->ring_order);
	else if (b->rings_published)
		leaked++;
	b->ring_page = NULL;
	if (leaked)
		uk_printf("blkfront %u: %u grant(s) could not be revoked; leaking their pages\n",
			  b->index, leaked);
	for (unsigned int i = 0; b->shadow && i < b->ring_size; i++)
		uk_free(b->shadow[i].direct);
	uk_free(b->unrevoked_refs);
	b->unrevoked_refs = NULL;
	b->nr_unrevoked = b->unrevoked_cap = 0;
	uk_free(b->shadow);
	uk_free(b->free_ids);
	b->shadow = NULL;
	b->free_ids = NULL;
}
