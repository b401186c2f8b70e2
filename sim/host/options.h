/* The host command line of a drydock unikernel. */
#ifndef SHIM_OPTIONS_H
#define SHIM_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <xen/xen.h>

#include "sim/domain.h"
#include "sim/sim.h"
#include "sim/backends/vif.h"

#define SHIM_DEFAULT_MEM_MIB 32
#define SHIM_CMDLINE_MAX 4095
#define SHIM_MAX_XS_ENTRIES 64

struct shim_options {
	uint64_t mem_mib;
	const char *name;
	domid_t domid;
	enum sim_clock_kind clock;
	uint64_t seed;
	bool trace_hypercalls;
	bool strict;
	bool help;
	const char *xenstore_socket;             /* --xenstore-socket PATH */
	const char *xs_entries[SHIM_MAX_XS_ENTRIES]; /* --xs PATH=VALUE */
	unsigned int nr_xs_entries;
	struct vif_config vifs[SIM_MAX_VIFS];   /* --vif SPEC, parsed; vif N is vifs[N] */
	const char *vif_specs[SIM_MAX_VIFS];    /* as given, for messages */
	unsigned int nr_vifs;
	char cmdline[SHIM_CMDLINE_MAX + 1]; /* the guest's, from the words after -- */
};

/*
 * Parses argv. Returns 0, or -1 after printing one line saying what is
 * wrong (the caller exits with status 2). The parsed vifs are the caller's:
 * vif_create takes them, or shim_options_free releases them.
 */
int shim_options_parse(struct shim_options *o, int argc, char **argv, const char *default_name);
void shim_options_usage(const char *prog, FILE *out);
void shim_options_free(struct shim_options *o);

#endif
