/*
 * --timeout: a limit on how long a domain may run, in guest time. When it
 * passes, the domain is powered off from outside (as `xl destroy` would),
 * one line says so, and the process exits SIM_TIMEOUT_EXIT_STATUS. Guest
 * time is the simulator's: under the virtual clock the limit is what time
 * jumps to when nothing else is due, so a guest that only sleeps or polls
 * is ended at once in wall time. The timer fires only while the guest makes
 * hypercalls that let the simulator run (a guest spinning in a loop
 * without any is not interrupted).
 */
#ifndef SIM_TOOLSTACK_TIMEOUT_H
#define SIM_TOOLSTACK_TIMEOUT_H

#include <stddef.h>
#include <stdint.h>

#include "sim/sim.h"

/* As timeout(1) exits when its command times out. */
#define SIM_TIMEOUT_EXIT_STATUS 124
/* The longest --timeout, in seconds (guest time in ns stays far from 2^64). */
#define SIM_TIMEOUT_MAX_SEC 4294967295ULL

struct sim_timeout {
	struct sim_timer timer;
	struct sim *sim;
	struct sim_domain *dom;
	uint64_t after_ns;
};

/* Arms t: d is powered off after_ns of guest time from now (0: no limit). */
void sim_timeout_start(struct sim_timeout *t, struct sim_domain *d, uint64_t after_ns);
void sim_timeout_stop(struct sim_timeout *t);

/*
 * Parses SECONDS: digits with an optional fraction ("5", "0.25", "1.5"),
 * more than 0 and at most SIM_TIMEOUT_MAX_SEC, to ns (digits beyond the
 * ninth decimal are refused). Returns 0 or -EINVAL.
 */
int sim_timeout_parse_seconds(const char *s, uint64_t *ns);
/* ns as seconds without trailing zeros ("5", "2.5"), for messages. */
void sim_timeout_format_seconds(uint64_t ns, char *buf, size_t len);

#endif
