/*
 * Grant tables on the hypervisor side (version 1). A guest's table lives in
 * the frames it placed with XENMEM_add_to_physmap(XENMAPSPACE_grant_table);
 * the simulator reads the entries from guest memory, and its backends reach
 * guest pages only through these operations, which check what Xen checks
 * and answer with Xen's GNTST_* status codes:
 *   GNTST_bad_domain    the granting domain does not exist
 *   GNTST_bad_gntref    the reference is beyond the table
 *   GNTST_general_error the entry is not GTF_permit_access for the accessing
 *                       domain, or is read-only and write access was asked
 *   GNTST_bad_page      the granted frame is not guest RAM
 *   GNTST_bad_copy_arg  offset + length beyond the page
 *   GNTST_bad_handle    unmap of a handle that is not mapped
 *   GNTST_no_device_space  too many mappings
 * While a page is mapped (or being copied), GTF_reading / GTF_writing are
 * set in the guest's entry, and cleared when the last use ends.
 */
#ifndef SIM_GNTTAB_H
#define SIM_GNTTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/grant_table.h>

struct sim_domain;

/* Frames a guest's table may have (Xen's default max_grant_frames is 64). */
#define SIM_GNTTAB_MAX_FRAMES 64
#define SIM_GNTTAB_MAX_MAPS 1024

struct sim_gnttab_map {
	grant_ref_t ref;
	domid_t mapper;
	bool readonly;
	bool in_use;
};

struct sim_gnttab {
	xen_pfn_t frame[SIM_GNTTAB_MAX_FRAMES]; /* gfn of each table frame, or ~0 */
	unsigned int nr_frames;                 /* frames placed so far (contiguous from 0) */
	struct sim_gnttab_map maps[SIM_GNTTAB_MAX_MAPS]; /* index = grant_handle_t */
};

void sim_gnttab_init(struct sim_gnttab *g);
/* XENMEM_add_to_physmap(XENMAPSPACE_grant_table, idx, gpfn). 0 or -XEN_E*. */
int sim_gnttab_place_frame(struct sim_domain *d, unsigned int idx, xen_pfn_t gpfn);
/* GNTTABOP_query_size for d: frames in use and the maximum. */
void sim_gnttab_query_size(struct sim_domain *d, uint32_t *nr_frames, uint32_t *max_frames);

/*
 * Backend access to guest d's granted pages, as domain `accessor` (dom0).
 * Each returns GNTST_okay (0) or a negative GNTST_* code.
 */
int16_t sim_gnttab_copy_from(struct sim_domain *d, domid_t accessor, grant_ref_t ref,
			     uint16_t offset, void *dst, uint16_t len);
int16_t sim_gnttab_copy_to(struct sim_domain *d, domid_t accessor, grant_ref_t ref,
			   uint16_t offset, const void *src, uint16_t len);
/* GNTTABOP_map_grant_ref: *page is the host address of the whole page. */
int16_t sim_gnttab_map(struct sim_domain *d, domid_t accessor, grant_ref_t ref, bool readonly,
		       void **page, grant_handle_t *handle);
int16_t sim_gnttab_unmap(struct sim_domain *d, grant_handle_t handle);
/* Xen's name for a status code ("GNTST_bad_gntref", ...). */
const char *sim_gnttab_status_name(int16_t status);

#endif
