/* The grant table's runtime-internal side (runtime/gnttab.c). Drivers use <uk/drivers/gnttab.h>. */
#ifndef UK_GNTTAB_PRIVATE_H
#define UK_GNTTAB_PRIVATE_H

#include "drivers/include/uk/drivers/gnttab.h"

/* Maps the table at boot (GNTTABOP_query_size, XENMAPSPACE_grant_table); idempotent. */
int gnttab_init(void);

#endif
