/* HYPERVISOR_set_timer_op: the vCPU's single-shot timer, fired as VIRQ_TIMER. */
#include <inttypes.h>

#include "hypercall_shim/shim.h"

long shim_set_timer_op(uint64_t timeout)
{
	struct sim_domain *d = shim_current();

	/* 0 stops the timer; a deadline in the past fires at the next chance, as on Xen. */
	sim_domain_set_timer(d, timeout);
	if (shim_tracing())
		shim_trace("set_timer_op(%" PRIu64 ") = 0 (now %" PRIu64 ")", timeout,
			   sim_now_ns(d->sim));
	return 0;
}
