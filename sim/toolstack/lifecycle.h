/*
 * The process's policy for a domain's lifetime, as a toolstack decides it
 * (the simulator's own, no libxl counterpart): when the last input of the
 * domain has ended (a pcap trace fed to its end), the guest runs on for
 * `linger` of guest time and is then asked to power off, as `xl shutdown`
 * does; and a live backend (vif_backend_ops.live: tap, user) under the
 * virtual clock gets a warning, since guest time would race ahead of the
 * host's traffic. Both are driven by what the backends declare.
 */
#ifndef SIM_TOOLSTACK_LIFECYCLE_H
#define SIM_TOOLSTACK_LIFECYCLE_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/sim.h"

struct sim_domain;
struct vif;

/*
 * An input of d has ended: arms t (owned by the input, stopped when it goes)
 * to fire linger_ns of guest time from now and then ask d to power off,
 * unless d is no longer running or some input of d still has more to come.
 */
void sim_lifecycle_input_ended(struct sim_domain *d, struct sim_timer *t, uint64_t linger_ns);
/* True while some vif of d still has input coming. */
bool sim_lifecycle_domain_has_input(struct sim_domain *d);
/* A vif was added from --vif SPEC: warns when it is live and the clock is virtual. */
void sim_lifecycle_vif_added(struct vif *v, const char *spec);

#endif
