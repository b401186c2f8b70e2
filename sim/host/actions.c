/* on_poweroff, on_reboot, on_crash (actions.h), as xl's handle_domain_death. */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <xen/sched.h>

#include "hypercall_shim/shim.h"
#include "sim/host/actions.h"
#include "sim/host/registry.h"
#include "sim/report.h"

static enum xlcfg_action action_for(const struct shim_actions *a, const struct sim_domain *d)
{
	switch (d->shutdown_reason) {
	case SHUTDOWN_poweroff:
		return a->on_poweroff;
	case SHUTDOWN_reboot:
		return a->on_reboot;
	case SHUTDOWN_crash:
		/* uk_exit(N) is SHUTDOWN_crash with a status: only a real crash counts. */
		return d->exit_status == SIM_EXIT_CRASH ? a->on_crash : XLCFG_ACTION_DESTROY;
	default:
		return XLCFG_ACTION_DESTROY;
	}
}

_Noreturn void shim_actions_domain_ended(struct sim_domain *d, void *arg)
{
	const struct shim_actions *a = arg;

	switch (action_for(a, d)) {
	case XLCFG_ACTION_RESTART:
		sim_log("domain %u (%s) shut down (reason %u): restarting it", d->domid, d->name,
			d->shutdown_reason);
		sim_finish(d->sim);
		shim_registry_remove();
		execv("/proc/self/exe", a->argv);
		sim_log("cannot restart %s: %m", a->argv[0]);
		exit(1);
	case XLCFG_ACTION_PRESERVE:
		sim_log("domain %u (%s) crashed: preserving it in a core dump of the process "
			"(guest RAM included; `ulimit -c` must allow one)", d->domid, d->name);
		sim_finish(d->sim);
		shim_registry_remove();
		signal(SIGABRT, SIG_DFL);
		abort();
	default:
		shim_domain_ended(d, arg);
	}
}
