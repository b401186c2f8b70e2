/*
 * What the toolstack (libxl) writes into xenstore for a new PVH domain, and
 * asks of it later: the domain's home directory with its permissions, its
 * console and store entries, control/ and data/ for the guest to use.
 */
#ifndef SIM_TOOLSTACK_H
#define SIM_TOOLSTACK_H

#include "sim/xenstored/xs_store.h"

struct sim_domain;

/* /local/domain/0 for the simulator itself (Domain-0). */
int sim_toolstack_init_dom0(struct xs_store *xs);
/* The domain's tree, as libxl__domain_make and the console/store setup write it. */
int sim_toolstack_write_domain(struct xs_store *xs, struct sim_domain *d, uint64_t seed,
			       uint64_t start_time);
/*
 * Adds an entry given as PATH=VALUE on the command line; a relative PATH is
 * below the domain's home. Returns 0 or -errno (-EINVAL for a missing '=').
 */
int sim_toolstack_write_entry(struct xs_store *xs, struct sim_domain *d, const char *spec);

#endif
