/*
 * What an xl.cfg says about a domain, onto the toolstack's configuration,
 * as xl's parse_config_data (tools/xl/xl_parse.c) reads it into a
 * libxl_domain_config. docs/drydock.md lists the keys.
 *
 *   name, memory (MiB), vcpus / maxvcpus (1: more are refused), type
 *   ("pvh"), kernel (kept for `drydock run`), cmdline, or extra when
 *   there is no cmdline, on_poweroff / on_reboot / on_crash (destroy,
 *   restart, preserve; coredump-destroy is preserve), vif = [ "mac=...,
 *   ip=...,bridge=...,vifname=...,rate=...,mtu=..." ], disk = [] (this
 *   drydock has no block backend: a disk is refused)
 *
 * drydock's own settings are keys xl does not look up (xl ignores keys it
 * does not know): drydock_clock, drydock_seed, drydock_strict,
 * drydock_timeout, drydock_xenstore_socket, drydock_xs = [ "PATH=VALUE" ],
 * drydock_vif = [ "--vif SPEC", ... ] (the backend and keys of vif N; vif N
 * without one is user-mode networking, or a TAP when it names a bridge or
 * vifname).
 *
 * A key of xl.cfg(5) drydock does not use is named in the one warning
 * line; any other key is an error, as a misspelt key should be.
 */
#ifndef SIM_TOOLSTACK_XLCFG_DOMAIN_H
#define SIM_TOOLSTACK_XLCFG_DOMAIN_H

#include <stddef.h>

#include "sim/toolstack/toolstack.h"
#include "sim/toolstack/xlcfg.h"

/* libxl_action_on_shutdown, the part drydock does. */
enum xlcfg_action {
	XLCFG_ACTION_DESTROY,   /* the process ends with the guest's status */
	XLCFG_ACTION_RESTART,   /* the domain is built again and boots afresh */
	XLCFG_ACTION_PRESERVE,  /* the process dumps core (abort) to keep the guest */
};

struct xlcfg_domain {
	const char *kernel;                  /* as written, or NULL */
	enum xlcfg_action on_poweroff, on_reboot, on_crash;
	const char *ips[SIM_MAX_VIFS];       /* vif N's ip=, or NULL */
	const char *bridges[SIM_MAX_VIFS];   /* vif N's bridge=, or NULL */
	const char *taps[SIM_MAX_VIFS];      /* the TAP device of vif N to add to it */
	unsigned int nr_vifs;                /* the vifs of the file: cfg's first ones */
	char warning[512];                   /* the one warning line, or "" */
};

/*
 * Maps c onto cfg, which holds the defaults (or what the command line set
 * before), and fills out. What cfg takes lives as long as c. Returns 0, or
 * -EINVAL after writing one line "FILE:LINE:COL: what" into err.
 */
int xlcfg_domain_apply(struct xlcfg *c, struct sim_toolstack_config *cfg,
		       struct xlcfg_domain *out, char *err, size_t errlen);
/*
 * Adds the xenstore entries that depend on the final domain id (the
 * backend's ip node of each vif, as libxl writes it): call once the
 * command line has had its say. Returns 0 or -errno with a line in err.
 */
int xlcfg_domain_finish(struct xlcfg *c, const struct xlcfg_domain *x,
			struct sim_toolstack_config *cfg, char *err, size_t errlen);
/* "destroy", "restart", "preserve". */
const char *xlcfg_action_name(enum xlcfg_action a);

#endif
