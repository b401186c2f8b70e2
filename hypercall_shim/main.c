/*
 * The host main() of every sim-build unikernel: parse host options, create
 * the simulator and the domain (RAM, start info, console), then enter the
 * runtime exactly as Xen's PVH entry would, with hvm_start_info.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hypercall_shim/options.h"
#include "hypercall_shim/shim.h"
#include "runtime/platform/sim/entry.h"
#include "sim/report.h"
#include "sim/toolstack.h"

/* Defined by drydock_add_unikernel for each unikernel. */
extern const char uk_app_name[];

struct shim_host {
	struct sim_domain *dom;
	uv_signal_t sigint, sigterm;
	int signals;
};

/* First signal: a clean shutdown request to the guest; second: end now. */
static void on_signal(uv_signal_t *h, int signum)
{
	struct shim_host *host = h->data;
	struct sim_domain *d = host->dom;

	if (++host->signals == 1 && sim_domain_request_shutdown(d, "poweroff") == 0) {
		sim_log("%s: asking domain %u to power off (again to stop it at once)",
			strsignal(signum), d->domid);
		return;
	}
	sim_log("%s: stopping domain %u", strsignal(signum), d->domid);
	d->exit_status = 128 + signum;
	sim_console_drain(&d->console);
	sim_finish(d->sim);
	_exit(128 + signum);
}

static int watch_signals(struct shim_host *host, uv_loop_t *loop)
{
	uv_signal_t *hs[] = { &host->sigint, &host->sigterm };
	int sigs[] = { SIGINT, SIGTERM };

	for (int i = 0; i < 2; i++) {
		int rc = uv_signal_init(loop, hs[i]);
		if (rc == 0)
			rc = uv_signal_start(hs[i], on_signal, sigs[i]);
		if (rc < 0)
			return rc;
		hs[i]->data = host;
	}
	return 0;
}

static struct sim_domain *create_domain(const struct shim_options *o, struct sim **simp)
{
	struct sim_config sc = {
		.clock = o->clock,
		.seed = o->seed,
		.strict = o->strict,
		.trace_hypercalls = o->trace_hypercalls,
		.console_fd = STDOUT_FILENO,
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
	static struct shim_host host;
	struct shim_options o;
	struct sim *sim;

	if (shim_options_parse(&o, argc, argv, uk_app_name) < 0)
		return 2;
	if (o.help) {
		shim_options_usage(argv[0], stdout);
		return 0;
	}
	if (!(host.dom = create_domain(&o, &sim)))
		return 1;
	if (watch_signals(&host, sim_loop(sim)) < 0)
		sim_log("cannot watch SIGINT/SIGTERM; they will end the process at once");
	if (shim_catch_faults() < 0)
		sim_log("cannot catch guest faults; they will end the process without a report");
	shim_set_current(host.dom);
	uk_platform_sim_start(host.dom->ram, sim_domain_start_info_paddr(host.dom));
}
