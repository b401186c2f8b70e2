/*
 * Grant tables, version 1: the guest lets another domain (a backend) read or
 * write one of its pages. The table's frames are placed in the guest's
 * physmap with XENMEM_add_to_physmap(XENMAPSPACE_grant_table); entries are
 * written with Xen's race-free protocol (domid and frame before flags) and
 * revoked with a compare-and-exchange that refuses while the backend has the
 * page mapped (GTF_reading / GTF_writing). References 0-7 are never handed
 * out (GNTTAB_NR_RESERVED_ENTRIES).
 *
 * A driver header (runtime/drivers/include): applications do not see it.
 */
#ifndef UK_DRIVERS_GNTTAB_H
#define UK_DRIVERS_GNTTAB_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/grant_table.h>

/*
 * Grants domid access to the page at va (page-aligned, in guest RAM).
 * Returns 0 and the reference in *ref, or -ENOSPC when the table is full.
 */
int gnttab_grant_access(domid_t domid, const void *va, bool readonly, grant_ref_t *ref);
/*
 * Revokes a grant and frees the reference. -EBUSY while the other domain
 * still has the page mapped or is copying (the grant stays valid then).
 */
int gnttab_end_access(grant_ref_t ref);
/* Free references left. */
unsigned int gnttab_free_count(void);

#endif
