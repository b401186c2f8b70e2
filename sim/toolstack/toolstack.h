/*
 * The toolstack: what libxl does for a domain. From one configuration (the
 * host options today, an xl.cfg tomorrow) it has the hypervisor create the
 * domain, builds it (start info, memory map, console and xenstore rings,
 * HVM params, the xenstore tree libxl writes, XS_INTRODUCE), adds its
 * devices and xenstore entries, and arms its --timeout.
 */
#ifndef SIM_TOOLSTACK_H
#define SIM_TOOLSTACK_H

#include <stdint.h>

#include "sim/domain.h"
#include "sim/sim.h"
#include "sim/backends/blkback.h"
#include "sim/backends/vif.h"
#include "sim/toolstack/timeout.h"
#include "sim/xenstored/xs_store.h"

#define SIM_TOOLSTACK_MAX_XS_ENTRIES 64

/* Everything that describes a run: the simulator, the domain and its devices. */
struct sim_toolstack_config {
	struct sim_config sim;        /* clock, seed, strict, tracing, console, on_shutdown */
	struct sim_domain_config dom; /* domid, name, memory, command line */
	struct vif_config vifs[SIM_MAX_VIFS]; /* vif N is vifs[N]; vif_create takes them */
	const char *vif_specs[SIM_MAX_VIFS];  /* as given, for messages */
	unsigned int nr_vifs;
	struct blkback_config disks[SIM_MAX_DISKS]; /* --disk, in order; blkback_create takes them */
	const char *disk_specs[SIM_MAX_DISKS];
	unsigned int nr_disks;
	const char *xs_entries[SIM_TOOLSTACK_MAX_XS_ENTRIES]; /* PATH=VALUE */
	unsigned int nr_xs_entries;
	const char *xenstore_socket;  /* also serve xenstore there, or NULL */
	uint64_t timeout_ns;          /* guest time the domain may run, 0: no limit */
};

/* A domain the toolstack made, and what it keeps for it. */
struct sim_toolstack_domain {
	struct sim_domain *dom;
	struct sim_timeout timeout;
	struct blkback *disks[SIM_MAX_DISKS];
};

/*
 * Makes the domain cfg describes in sim, as `xl create` does: build, vifs,
 * disks, --xs entries, the xenstore socket, the timeout. Each failure is said in
 * one line (sim_log) naming the option, and the domain is destroyed again
 * (with its devices and its xenstore home; --xs entries written outside
 * that home stay). Returns 0 or -errno; out->dom is NULL on error.
 */
int sim_toolstack_create_domain(struct sim *sim, struct sim_toolstack_config *cfg,
				struct sim_toolstack_domain *out);
/*
 * Refuses a configuration where a capture (a vif's or a disk's capture=) is
 * a file the run reads (a vif's pcap= input, a disk image) or another
 * capture's file: captures are created, truncating it, before the guest
 * runs (sim/toolstack/files.c). Says which in one line (sim_log); 0 or
 * -EINVAL. sim_toolstack_create_domain checks it first.
 */
int sim_toolstack_check_files(const struct sim_toolstack_config *cfg);
/* Undoes sim_toolstack_create_domain (the simulator itself stays). */
void sim_toolstack_destroy_domain(struct sim_toolstack_domain *td);
/* Frees what cfg still owns (the vif and disk configs no device took). */
void sim_toolstack_config_free(struct sim_toolstack_config *cfg);

/*
 * Creates the domain (sim_domain_create) and builds it as libxl__build_pvh
 * and libxl__build_post do (sim/toolstack/build.c): command line and
 * hvm_start_info with the memory map in the special pages, console and
 * xenstore rings with their event channels and HVM params, the console
 * backend, the xenstore tree and XS_INTRODUCE. The guest may then be entered
 * at sim_domain_start_info_paddr. Returns 0 or -errno (-E2BIG for a command
 * line over 4095 bytes); on error the domain is gone.
 */
int sim_toolstack_build_domain(struct sim *sim, const struct sim_domain_config *cfg,
			       struct sim_domain **out);

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
