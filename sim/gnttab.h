/*
 * Grant tables on the hypervisor side (version 1). A guest's table lives in
 * the frames it placed with XENMEM_add_to_physmap(XENMAPSPACE_grant_table);
 * the simulator reads the entries from guest memory, and its backends reach
 * guest pages only through these operations, which check what Xen 4.17
 * checks (xen/common/grant_table.c), in Xen's order, and answer with Xen's
 * GNTST_* status codes:
 *   GNTST_bad_domain    the granting domain does not exist (d is NULL)
 *   GNTST_no_device_space  no free mapping handle (map only; checked before
 *                       the reference, as Xen takes the handle first)
 *   GNTST_bad_gntref    the reference is beyond the table's frames
 *   GNTST_general_error the entry is not GTF_permit_access for the accessing
 *                       domain (a map also refuses GTF_sub_page), is
 *                       read-only and write access was asked, is already in
 *                       use by another domain, or has 128 mappings of a kind
 *   GNTST_bad_page      the granted frame is not guest RAM
 *   GNTST_bad_copy_arg  offset + length beyond the page (checked last)
 *   GNTST_bad_handle    unmap of a handle that is not mapped
 * While a page is mapped (or being copied), GTF_reading / GTF_writing are
 * set in the guest's entry, and cleared when the last use ends. A guest that
 * rewrites an entry while it is mapped is reported (sim/report.h).
 */
#ifndef SIM_GNTTAB_H
#define SIM_GNTTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/grant_table.h>

struct sim_domain;

/* Frames a guest's table may have (Xen's default max_grant_frames is 64). */
#define SIM_GNTTAB_MAX_FRAMES 64
/* Frames a new table has, as on x86 Xen (INITIAL_NR_GRANT_FRAMES). */
#define SIM_GNTTAB_INITIAL_FRAMES 1
/* Mappings of one domain's grants at a time (Xen: per mapping domain, more). */
#define SIM_GNTTAB_MAX_MAPS 1024
/* frame[] of a frame the table has but the guest has not placed. */
#define SIM_GNTTAB_NO_FRAME (~(xen_pfn_t)0)

/* References a table of SIM_GNTTAB_MAX_FRAMES frames holds. */
#define SIM_GNTTAB_MAX_ENTRIES (SIM_GNTTAB_MAX_FRAMES * (4096 / sizeof(grant_entry_v1_t)))

/* A reference's live mappings (Xen's active entry pin count): all by one domain. */
struct sim_gnttab_pins {
	uint8_t ro, rw;
	domid_t who;
};

struct sim_gnttab_map {
	grant_ref_t ref;
	domid_t mapper;
	bool readonly;
	bool in_use;
};

struct sim_gnttab {
	/* gfn of each table frame, or SIM_GNTTAB_NO_FRAME while not placed */
	xen_pfn_t frame[SIM_GNTTAB_MAX_FRAMES];
	/* each placed frame's page, as frame[] says (NULL: not placed): one load per lookup */
	grant_entry_v1_t *entries[SIM_GNTTAB_MAX_FRAMES];
	/*
	 * Frames the table has (Xen's nr_grant_frames): it grows to idx + 1 when
	 * frame idx is placed. Entries of a frame not placed read as zero.
	 */
	unsigned int nr_frames;
	struct sim_gnttab_map maps[SIM_GNTTAB_MAX_MAPS]; /* index = grant_handle_t */
	unsigned int maps_end; /* one past the highest handle in use */
	unsigned int maps_free; /* no handle below it is free: where a map starts looking */
	/* maps[] counted per reference, so a map or unmap need not scan maps[] */
	struct sim_gnttab_pins pins[SIM_GNTTAB_MAX_ENTRIES];
};

void sim_gnttab_init(struct sim_gnttab *g);
/*
 * XENMEM_add_to_physmap(XENMAPSPACE_grant_table, idx, gpfn). 0 or -XEN_E*:
 * -XEN_EINVAL for idx >= SIM_GNTTAB_MAX_FRAMES, or gpfn not guest RAM (the
 * simulator keeps the frame's contents there), or gpfn holding another table
 * frame or shared_info (reported). A new frame reads as zero (Xen's page
 * replaces the guest's); placing a frame again moves it with its entries.
 */
int sim_gnttab_place_frame(struct sim_domain *d, unsigned int idx, xen_pfn_t gpfn);
/* GNTTABOP_query_size for d: frames in use and the maximum. */
void sim_gnttab_query_size(struct sim_domain *d, uint32_t *nr_frames, uint32_t *max_frames);
/*
 * GNTTABOP_setup_table for d itself, as Xen's gnttab_setup_table answers a
 * translated guest: GNTST_general_error beyond SIM_GNTTAB_MAX_FRAMES;
 * otherwise the table grows to nr_frames (gnttab_grow_table; it never
 * shrinks) and gfns[i] (nr_frames of them, may be NULL when 0) is where the
 * guest placed frame i, or INVALID_GFN (~0) where it has not yet.
 */
int16_t sim_gnttab_setup_table(struct sim_domain *d, unsigned int nr_frames, xen_pfn_t *gfns);

/*
 * One side of a grant copy's checks (acquire and release as one step), for
 * len bytes at offset in ref's page: st is GNTST_okay (0) and at the bytes'
 * host address, or st a negative GNTST_* code and at NULL. Returned in two
 * registers: the check is a leaf, with no registers of its own to save.
 */
struct sim_gnttab_span {
	void *at;
	int16_t st;
};
struct sim_gnttab_span sim_gnttab_copy_span_from(struct sim_domain *d, domid_t accessor,
						 grant_ref_t ref, uint16_t offset, uint16_t len);
struct sim_gnttab_span sim_gnttab_copy_span_to(struct sim_domain *d, domid_t accessor,
					       grant_ref_t ref, uint16_t offset, uint16_t len);

/*
 * libc's memcpy: once GCC knows len is small it inlines a `rep movsq`
 * instead, whose start-up costs more than libc's whole copy of a frame. The
 * empty asm hides the bound.
 */
static inline void sim_gnttab_copy_bytes(void *dst, const void *src, size_t len)
{
	__asm__("" : "+r"(len));
	memcpy(dst, src, len);
}

/*
 * Backend access to guest d's granted pages, as domain `accessor` (dom0).
 * Each returns GNTST_okay (0) or a negative GNTST_* code. Inline: the
 * check out of line, the copy in the caller.
 */
static inline int16_t sim_gnttab_copy_from(struct sim_domain *d, domid_t accessor,
					   grant_ref_t ref, uint16_t offset, void *dst,
					   uint16_t len)
{
	struct sim_gnttab_span s = sim_gnttab_copy_span_from(d, accessor, ref, offset, len);

	if (s.st == GNTST_okay)
		sim_gnttab_copy_bytes(dst, s.at, len);
	return s.st;
}

static inline int16_t sim_gnttab_copy_to(struct sim_domain *d, domid_t accessor,
					 grant_ref_t ref, uint16_t offset, const void *src,
					 uint16_t len)
{
	struct sim_gnttab_span s = sim_gnttab_copy_span_to(d, accessor, ref, offset, len);

	if (s.st == GNTST_okay)
		sim_gnttab_copy_bytes(s.at, src, len);
	return s.st;
}
/* GNTTABOP_map_grant_ref: *page is the host address of the whole page. */
int16_t sim_gnttab_map(struct sim_domain *d, domid_t accessor, grant_ref_t ref, bool readonly,
		       void **page, grant_handle_t *handle);
int16_t sim_gnttab_unmap(struct sim_domain *d, grant_handle_t handle);
/* Whether handle is a live mapping of d's grants made by domain mapper. */
bool sim_gnttab_is_mapped_by(const struct sim_domain *d, grant_handle_t handle, domid_t mapper);
/*
 * What a copy does around its memcpy (Xen's acquire/release_grant_for_copy):
 * acquire checks the entry and sets GTF_reading (and GTF_writing unless
 * readonly) as for a map, and gives the page; release undoes it. Every
 * successful acquire must be released before returning to the guest.
 */
int16_t sim_gnttab_acquire(struct sim_domain *d, domid_t accessor, grant_ref_t ref,
			   bool readonly, void **page);
void sim_gnttab_release(struct sim_domain *d, grant_ref_t ref, bool readonly);
/* Xen's name for a status code ("GNTST_bad_gntref", ...). */
const char *sim_gnttab_status_name(int16_t status);

#endif
