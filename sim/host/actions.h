/*
 * What happens when the domain shuts down, as xl's domain_death handling
 * does with on_poweroff / on_reboot / on_crash (xl.cfg(5)): destroy ends the
 * process with the guest's status; restart builds the domain again from the
 * same options (the process re-executes itself, so the new guest boots on a
 * fresh simulator, as a new domain on Xen does); preserve keeps the crashed
 * guest by dumping core (its RAM is in the process), for gdb.
 */
#ifndef SIM_HOST_ACTIONS_H
#define SIM_HOST_ACTIONS_H

#include "sim/domain.h"
#include "sim/toolstack/xlcfg_domain.h"

struct shim_actions {
	enum xlcfg_action on_poweroff, on_reboot, on_crash;
	char **argv;  /* the process's own, to restart with */
};

/* The simulator's on_shutdown: arg is a struct shim_actions. */
_Noreturn void shim_actions_domain_ended(struct sim_domain *d, void *arg);

#endif
