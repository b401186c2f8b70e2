/*
 * The hypercall shim: HYPERVISOR_* as C functions over the simulator.
 *
 * A hypercall names no domain: it acts on the calling vCPU's domain, which
 * the shim holds as "current", exactly as Xen's `current` does. That pointer
 * (and its --trace-hypercalls flag, cached beside it), and what signal
 * handlers need (signals.c, fault.c: a handler gets no context argument),
 * are the only global state on the host side of drydock.
 */
#ifndef SHIM_SHIM_H
#define SHIM_SHIM_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/domain.h"
#include "sim/sim.h"

void shim_set_current(struct sim_domain *d);

/*
 * The hypercalls, with the arguments of Xen's HYPERVISOR_* (runtime's
 * <uk/hypercall.h>). The guest calls HYPERVISOR_<op>, which runs
 * shim_<op> on the current domain's simulator stack (stack_switch.S).
 */
long shim_sched_op(int cmd, void *arg);
long shim_set_timer_op(uint64_t timeout);
long shim_event_channel_op(int cmd, void *arg);
long shim_hvm_op(int op, void *arg);
long shim_memory_op(unsigned int cmd, void *arg);
long shim_xen_version(int cmd, void *arg);
long shim_console_io(int cmd, int count, char *str);
long shim_vcpu_op(int cmd, unsigned int vcpuid, void *extra_args);
long shim_grant_table_op(unsigned int cmd, void *uop, unsigned int count);
/* Read at every hypercall: inline, one load. */
extern struct sim_domain *current_domain;
static inline struct sim_domain *shim_current(void)
{
	return current_domain;
}

/* The simulator's on_shutdown hook: flush what we own and end the process. */
_Noreturn void shim_domain_ended(struct sim_domain *d, void *arg);

/* SIGINT/SIGTERM: first a poweroff request to d, then a hard stop. */
int shim_watch_signals(struct sim_domain *d);

/* Turns guest faults (SIGSEGV, SIGBUS, SIGFPE, SIGILL) into a reported crash. */
int shim_catch_faults(void);

/*
 * --trace-hypercalls: one line per call, "name(args) = result". Whether the
 * current domain asked for it is read once, when it is made current (its
 * configuration does not change), so each hypercall pays one load and one
 * predictable branch for the check.
 */
extern bool shim_trace_hypercalls;
static inline bool shim_tracing(void)
{
	return __builtin_expect(shim_trace_hypercalls, 0);
}
void shim_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Xen's name for a negative error (e.g. "-EINVAL"), or the number as text. */
const char *shim_strerror(long rc, char buf[24]);

#endif
