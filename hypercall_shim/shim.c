/* The current domain, process exit, and hypercall tracing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "hypercall_shim/shim.h"
#include "hypercall_shim/stack_switch.h"
#include "runtime/include/uk/hypercall.h"

_Static_assert(offsetof(struct sim_domain, stack.top) == SHIM_DOMAIN_STACK_TOP,
	       "stack_switch.S reads the current domain's stack top at SHIM_DOMAIN_STACK_TOP");

/*
 * The guest calls HYPERVISOR_<op> as <uk/hypercall.h> declares it, and the
 * trampoline passes the registers on to shim_<op> untouched: the two must
 * take the same arguments, which the assembly cannot check.
 */
#define SHIM_SAME_ARGS(op)                                                              \
	_Static_assert(__builtin_types_compatible_p(__typeof__(HYPERVISOR_##op),        \
						    __typeof__(shim_##op)),             \
		       "shim_" #op " must take HYPERVISOR_" #op "'s arguments (uk/hypercall.h)")
SHIM_SAME_ARGS(sched_op);
SHIM_SAME_ARGS(set_timer_op);
SHIM_SAME_ARGS(event_channel_op);
SHIM_SAME_ARGS(hvm_op);
SHIM_SAME_ARGS(memory_op);
SHIM_SAME_ARGS(xen_version);
SHIM_SAME_ARGS(console_io);
SHIM_SAME_ARGS(vcpu_op);
SHIM_SAME_ARGS(grant_table_op);

/* Global, not static, for shim.h's inline shim_current; gdb's helpers read it by this name. */
struct sim_domain *current_domain;
bool shim_trace_hypercalls; /* the current domain's --trace-hypercalls (shim.h) */

void shim_set_current(struct sim_domain *d)
{
	current_domain = d;
	shim_trace_hypercalls = d && sim_config(d->sim)->trace_hypercalls;
}

_Noreturn void shim_domain_ended(struct sim_domain *d, void *arg)
{
	/* We are standing on the domain's simulator stack, called from a guest
	 * thread whose frames are in guest RAM: nothing can be unmapped here. The
	 * simulator stays reachable through current_domain and the process
	 * end takes it all. */
	sim_finish(d->sim);
	exit(d->exit_status);
}
