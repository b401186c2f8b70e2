/*
 * Protocol violations: what a guest did that Xen would refuse or that breaks
 * a ring protocol. Reported on stderr with the guest's view of what went
 * wrong; under --strict the domain is crashed.
 */
#ifndef SIM_REPORT_H
#define SIM_REPORT_H

struct sim_domain;

void sim_report_violation(struct sim_domain *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A plain diagnostic from the simulator ("drydock: ..."). */
void sim_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
