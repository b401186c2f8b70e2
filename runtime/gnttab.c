/*
 * Grant tables, version 1, guest side (contract in uk/gnttab.h).
 *
 * Size. The table has GNTTAB_FRAMES frames (16, 64 KiB): 8192 entries, of
 * which 8184 can be handed out (0-7 are GNTTAB_NR_RESERVED_ENTRIES, which
 * the toolstack may use for the console and xenstore). A netfront with full
 * 256-slot TX and RX rings holds 514 references, so the simulator's eight
 * vifs fit; drivers must cope with -ENOSPC all the same. Fewer frames are used when
 * Xen's limit (GNTTABOP_query_size's max_nr_frames) is lower.
 *
 * Placing the table. Each frame is a page of ours handed to
 * XENMEM_add_to_physmap(XENMAPSPACE_grant_table): Xen maps its grant frame
 * over that guest frame, so the page's old contents vanish and the page is
 * never given back to the allocator. The table is not cleared: the
 * toolstack may have filled the reserved entries.
 *
 * Free references form a stack threaded through next_free[]; in_use[] lets
 * end_access catch a double end or a reference it never handed out.
 * The runtime is single-vCPU and cooperative, so these need no lock; the
 * entries themselves are shared with Xen and written with its protocol
 * (uk/gnttab.h, and the comment at the top of <xen/grant_table.h>).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <xen/grant_table.h>
#include <xen/memory.h>

#include "platform/platform.h"
#include "uk/alloc.h"
#include "uk/exit.h"
#include "gnttab_private.h"
#include "uk/hypercall.h"

#define GNTTAB_FRAMES 16
#define ENTRIES_PER_FRAME (UK_PAGE_SIZE / sizeof(grant_entry_v1_t))
#define MAX_ENTRIES (GNTTAB_FRAMES * ENTRIES_PER_FRAME)
#define END_OF_LIST ((grant_ref_t)~0U)

static struct {
	bool ready;
	grant_entry_v1_t *table; /* GNTTAB_FRAMES contiguous pages */
	grant_ref_t nr_entries;  /* entries in the frames we placed */
	grant_ref_t free_head;
	unsigned int free_count;
	grant_ref_t next_free[MAX_ENTRIES];
	bool in_use[MAX_ENTRIES];
} gt;

static void put_free(grant_ref_t ref)
{
	gt.in_use[ref] = false;
	gt.next_free[ref] = gt.free_head;
	gt.free_head = ref;
	gt.free_count++;
}

static int query_max_frames(unsigned int *max)
{
	struct gnttab_query_size q = { .dom = DOMID_SELF };
	long rc = HYPERVISOR_grant_table_op(GNTTABOP_query_size, &q, 1);

	if (rc < 0)
		return (int)rc;
	if (q.status != GNTST_okay)
		return -EIO;
	*max = q.max_nr_frames;
	return 0;
}

static int place_frame(unsigned int idx, void *page)
{
	struct xen_add_to_physmap xatp = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_grant_table,
		.idx = idx,
		.gpfn = uk_platform_virt_to_gfn(page),
	};

	return (int)HYPERVISOR_memory_op(XENMEM_add_to_physmap, &xatp);
}

int gnttab_init(void)
{
	unsigned int max = 0, nr;
	uint8_t *pages;
	int rc;

	if (gt.ready)
		return 0;
	if ((rc = query_max_frames(&max)) < 0)
		return rc;
	nr = max < GNTTAB_FRAMES ? max : GNTTAB_FRAMES;
	if (nr == 0)
		return -ENODEV;
	if (!(pages = uk_pages_alloc(nr)))
		return -ENOMEM;
	for (unsigned int i = 0; i < nr; i++) {
		/* A frame already placed belongs to Xen now: the pages are not freed. */
		if ((rc = place_frame(i, pages + i * UK_PAGE_SIZE)) < 0)
			return rc;
	}
	gt.table = (grant_entry_v1_t *)pages;
	gt.nr_entries = (grant_ref_t)(nr * ENTRIES_PER_FRAME);
	gt.free_head = END_OF_LIST;
	/* Pushed from the top, so the lowest references come out first. */
	for (grant_ref_t ref = gt.nr_entries; ref-- > GNTTAB_NR_RESERVED_ENTRIES;)
		put_free(ref);
	gt.ready = true;
	return 0;
}

int gnttab_grant_access(domid_t domid, const void *va, bool readonly, grant_ref_t *ref)
{
	grant_entry_v1_t *e;
	xen_pfn_t gfn;
	grant_ref_t r;

	if (!gt.ready)
		uk_panic("gnttab_grant_access before gnttab_init");
	if ((uintptr_t)va % UK_PAGE_SIZE)
		uk_panic("gnttab_grant_access(%p): not a page address", va);
	gfn = uk_platform_virt_to_gfn(va);
	if (gfn > UINT32_MAX)
		uk_panic("gnttab_grant_access(%p): frame %#lx beyond a v1 entry's 32 bits", va,
			 (unsigned long)gfn);
	if (gt.free_head == END_OF_LIST)
		return -ENOSPC;
	r = gt.free_head;
	gt.free_head = gt.next_free[r];
	gt.free_count--;
	gt.in_use[r] = true;

	/* Xen's order: domid and frame, a write barrier, then the flags. */
	e = &gt.table[r];
	e->domid = domid;
	e->frame = (uint32_t)gfn;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&e->flags, (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0)),
			 __ATOMIC_RELAXED);
	*ref = r;
	return 0;
}

int gnttab_end_access(grant_ref_t ref)
{
	uint16_t flags;

	if (!gt.ready || ref < GNTTAB_NR_RESERVED_ENTRIES || ref >= gt.nr_entries)
		uk_panic("gnttab_end_access(%u): not a grant reference this guest hands out "
			 "(%u..%u)", ref, GNTTAB_NR_RESERVED_ENTRIES, gt.nr_entries - 1);
	if (!gt.in_use[ref])
		uk_panic("gnttab_end_access(%u): the grant was already ended (or never made)", ref);
	/* Invalidating an unused entry: refuse while Xen has it pinned. */
	flags = __atomic_load_n(&gt.table[ref].flags, __ATOMIC_SEQ_CST);
	do {
		if (flags & (GTF_reading | GTF_writing))
			return -EBUSY;
	} while (!__atomic_compare_exchange_n(&gt.table[ref].flags, &flags, 0, false,
					      __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	put_free(ref);
	return 0;
}

unsigned int gnttab_free_count(void)
{
	return gt.free_count;
}
