/*
 * The host main() of every sim-build unikernel: parse host options, create
 * the simulator and the domain (RAM, start info, console), then enter the
 * runtime exactly as Xen's PVH entry would, with hvm_start_info.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/host/options.h"
#include "hypercall_shim/shim.h"
#include "runtime/platform/sim/entry.h"
#include "sim/report.h"
#include "sim/toolstack/lifecycle.h"
#include "sim/toolstack/toolstack.h"

/* Defined by drydock_add_unikernel for each unikernel. */
extern const char uk_app_name[];

/* The --vif devices, in order: vif N is the Nth --vif. */
static int create_vifs(struct shim_options *o, struct sim_domain *d)
{
	char err[512];
	struct vif *v;

	for (unsigned int i = 0; i < o->nr_vifs; i++) {
		if (vif_create(d, i, &o->vifs[i], &v, err, sizeof(err)) < 0) {
			sim_log("--vif %s: %s", o->vif_specs[i], err);
			return -1;
		}
		sim_lifecycle_vif_added(v, o->vif_specs[i]);
	}
	return 0;
}

static struct sim_domain *create_domain(struct shim_options *o, struct sim **simp)
{
	struct sim_config sc = {
		.clock = o->clock,
		.seed = o->seed,
		.strict = o->strict,
		.trace_hypercalls = o->trace_hypercalls,
		.console_fd = STDOUT_FILENO,
		.on_shutdown = shim_domain_ended,
	};
	struct sim_domain_config dc = {
		.domid = o->domid,
		.name = o->name,
		.mem_bytes = o->mem_mib << 20,
		.cmdline = o->cmdline,
	};
	struct sim_domain *d;
	int rc;

	if ((rc = sim_create(simp, &sc)) < 0) {
		sim_log("cannot create the simulator: %s", strerror(-rc));
		return NULL;
	}
	if ((rc = sim_domain_create(*simp, &dc, &d)) < 0) {
		sim_log("cannot create domain %u with %llu MiB: %s", o->domid,
			(unsigned long long)o->mem_mib, strerror(-rc));
		return NULL;
	}
	if (create_vifs(o, d) < 0)
		return NULL;
	for (unsigned int i = 0; i < o->nr_xs_entries; i++) {
		if ((rc = sim_toolstack_write_entry(sim_xenstore(*simp), d, o->xs_entries[i])) < 0) {
			sim_log("--xs %s: %s", o->xs_entries[i], strerror(-rc));
			return NULL;
		}
	}
	if (o->xenstore_socket && (rc = sim_xenstore_listen(*simp, o->xenstore_socket)) < 0) {
		sim_log("--xenstore-socket %s: %s", o->xenstore_socket, strerror(-rc));
		return NULL;
	}
	return d;
}

int main(int argc, char **argv)
{
	struct shim_options o;
	struct sim_domain *dom;
	struct sim *sim;

	if (shim_options_parse(&o, argc, argv, uk_app_name) < 0)
		return 2;
	if (o.help) {
		shim_options_usage(argv[0], stdout);
		shim_options_free(&o);
		return 0;
	}
	if (!(dom = create_domain(&o, &sim)))
		return 1;
	if (shim_watch_signals(dom) < 0)
		sim_log("cannot watch SIGINT/SIGTERM; they will end the process at once");
	if (shim_catch_faults() < 0)
		sim_log("cannot catch guest faults; they will end the process without a report");
	shim_set_current(dom);
	uk_platform_sim_start(dom->ram, sim_domain_start_info_paddr(dom), o.seed);
}
