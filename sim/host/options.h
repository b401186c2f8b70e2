/* The host command line of a drydock unikernel. */
#ifndef SHIM_OPTIONS_H
#define SHIM_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <xen/xen.h>

#include "sim/toolstack/toolstack.h"
#include "sim/toolstack/xlcfg_domain.h"

#define SHIM_DEFAULT_MEM_MIB 32
#define SHIM_CMDLINE_MAX 4095

struct shim_options {
	/* What the toolstack makes of them; cfg.dom.cmdline points at cmdline. */
	struct sim_toolstack_config cfg;
	bool help;
	bool core; /* --core: a crash leaves a core file */
	bool gdb;  /* --gdb: run under gdb with drydock's helpers */
	bool registered;        /* --register: in the runtime directory (registry.h) */
	const char *config;     /* --config FILE, or NULL */
	struct xlcfg *xl;       /* its settings: what cfg points into */
	struct xlcfg_domain xl_dom; /* what it says beyond cfg (actions, kernel) */
	char cmdline[SHIM_CMDLINE_MAX + 1]; /* the guest's, from the words after -- */
};

/*
 * Parses argv. Returns 0, or -1 after printing one line saying what is
 * wrong (the caller exits with status 2). The parsed vifs are the caller's:
 * vif_create takes them, or shim_options_free releases them. o must not be
 * copied (o->cfg.dom.cmdline points into it).
 */
int shim_options_parse(struct shim_options *o, int argc, char **argv, const char *default_name);
void shim_options_usage(const char *prog, FILE *out);
void shim_options_free(struct shim_options *o);

#endif
