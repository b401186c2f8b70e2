/*
 * The host main() of every sim-build unikernel: parse the host options into
 * a toolstack configuration, create the simulator, have the toolstack create
 * the domain, then enter the runtime exactly as Xen's PVH entry would, with
 * hvm_start_info. The run ends in shim_domain_ended (the guest never returns).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/host/debug.h"
#include "sim/host/actions.h"
#include "sim/host/bridge.h"
#include "sim/host/options.h"
#include "sim/host/registry.h"
#include "hypercall_shim/shim.h"
#include "runtime/platform/sim/entry.h"
#include "sim/report.h"
#include "sim/toolstack/toolstack.h"

/* Defined by drydock_add_unikernel for each unikernel. */
extern const char uk_app_name[];

/* Everything a failed start made is freed before exit, so memcheck sees no leak. */
static int fail_start(struct sim *sim, struct shim_options *o)
{
	sim_destroy(sim);
	shim_options_free(o);
	return 1;
}

/* Enters the guest: the same start info the PVH entry code would be given. */
static _Noreturn void start_guest(struct sim_domain *dom, uint64_t seed)
{
	shim_set_current(dom);
	uk_platform_sim_start(dom->ram, sim_domain_start_info_paddr(dom), seed);
}

/*
 * With --config, what xl.cfg says happens at shutdown (actions.h); without,
 * the process ends with the guest's status. With --register, the domain's
 * entry in the runtime directory (registry.h).
 */
static int prepare_host(struct shim_options *o, struct shim_actions *a, char **argv)
{
	char err[512];

	if (o->xl) {
		*a = (struct shim_actions){ o->xl_dom.on_poweroff, o->xl_dom.on_reboot,
					    o->xl_dom.on_crash, argv };
		o->cfg.sim.on_shutdown = shim_actions_domain_ended;
		o->cfg.sim.on_shutdown_arg = a;
	}
	if (o->registered && shim_registry_claim(&o->cfg, err, sizeof(err)) < 0) {
		sim_log("%s", err);
		return -1;
	}
	return 0;
}

/* bridge= of the config's vifs: their TAP devices join the bridges, as vif-bridge does. */
static int join_bridges(const struct shim_options *o)
{
	char err[256];

	for (unsigned int i = 0; o->xl && i < o->xl_dom.nr_vifs; i++) {
		if (o->xl_dom.bridges[i] &&
		    shim_bridge_add(o->xl_dom.bridges[i], o->xl_dom.taps[i], err, sizeof(err)) < 0) {
			sim_log("%s: vif %u: bridge=%s: %s", o->config, i, o->xl_dom.bridges[i], err);
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	/* static: the toolstack's domain (its timeout) lives as long as the process. */
	static struct shim_options o;
	static struct sim_toolstack_domain td;
	static struct shim_actions actions;
	struct sim *sim;
	int rc;

	if (shim_options_parse(&o, argc, argv, uk_app_name) < 0)
		return 2;
	if (o.help) {
		shim_options_usage(argv[0], stdout);
		shim_options_free(&o);
		return 0;
	}
	if (o.gdb) {
		shim_options_free(&o);
		return shim_exec_gdb(argc, argv) < 0 ? 1 : 0;
	}
	if (o.core)
		shim_core_enable();
	o.cfg.sim.console_fd = STDOUT_FILENO;
	o.cfg.sim.on_shutdown = shim_domain_ended_or_crashed;
	if (prepare_host(&o, &actions, argv) < 0) {
		shim_options_free(&o);
		return 1;
	}
	if ((rc = sim_create(&sim, &o.cfg.sim)) < 0) {
		sim_log("cannot create the simulator: %s", strerror(-rc));
		shim_options_free(&o);
		return 1;
	}
	if (sim_toolstack_create_domain(sim, &o.cfg, &td) < 0)
		return fail_start(sim, &o);
	if (join_bridges(&o) < 0) {
		sim_toolstack_destroy_domain(&td);
		return fail_start(sim, &o);
	}
	if (shim_registry_publish(&o.cfg, o.config) < 0)
		sim_log("cannot register domain %s in the runtime directory", o.cfg.dom.name);
	shim_options_free(&o); /* the vifs took their configs */
	if (shim_watch_signals(td.dom) < 0)
		sim_log("cannot watch SIGINT/SIGTERM; they will end the process at once");
	if (shim_catch_faults() < 0)
		sim_log("cannot catch guest faults; they will end the process without a report");
	start_guest(td.dom, o.cfg.sim.seed);
}
