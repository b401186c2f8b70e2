/* When to power a domain off, and the live-backend warning (lifecycle.h). */
#include "sim/backends/vif.h"
#include "sim/domain.h"
#include "sim/report.h"
#include "sim/toolstack/lifecycle.h"

bool sim_lifecycle_domain_has_input(struct sim_domain *d)
{
	for (unsigned int i = 0; i < SIM_MAX_VIFS; i++)
		if (d->vifs[i] && vif_has_input(d->vifs[i]))
			return true;
	return false;
}

static void lifecycle_linger_done(struct sim_timer *t, void *arg)
{
	struct sim_domain *d = arg;

	(void)t;
	if (d->state != SIM_DOMAIN_RUNNING || sim_lifecycle_domain_has_input(d))
		return; /* the input still running powers it off when it ends */
	if (sim_domain_request_shutdown(d, "poweroff") < 0)
		sim_log("could not ask domain %u to power off", d->domid);
}

void sim_lifecycle_input_ended(struct sim_domain *d, struct sim_timer *t, uint64_t linger_ns)
{
	sim_timer_start(d->sim, t, sim_now_ns(d->sim) + linger_ns, lifecycle_linger_done, d);
}

void sim_lifecycle_vif_added(struct vif *v, const char *spec)
{
	/* Live traffic comes in host time: guest timers would race ahead of it. */
	if (v->ops->live && sim_config(v->dom->sim)->clock == SIM_CLOCK_VIRTUAL)
		sim_log("--vif %s with --clock virtual: guest time jumps ahead while the guest "
			"waits for the host's traffic; use --clock real for live networks", spec);
}
