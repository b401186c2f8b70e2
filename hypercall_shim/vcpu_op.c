/* HYPERVISOR_vcpu_op: vCPU 0's state and its single-shot timer. */
#include <inttypes.h>
#include <xen/errno.h>
#include <xen/vcpu.h>

#include "hypercall_shim/shim.h"

static long singleshot(struct sim_domain *d, struct vcpu_set_singleshot_timer *t)
{
	if (sim_domain_guest_access(d, t, sizeof(*t), false, "VCPUOP_set_singleshot_timer argument"))
		return -XEN_EFAULT;
	/* With VCPU_SSHOTTMR_future a deadline already passed is refused. */
	if ((t->flags & VCPU_SSHOTTMR_future) && t->timeout_abs_ns < sim_now_ns(d->sim))
		return -XEN_ETIME;
	/* A deadline in the past (0 included) fires at once, as on Xen. */
	sim_domain_set_timer(d, t->timeout_abs_ns ? t->timeout_abs_ns : 1);
	return 0;
}

static long do_op(struct sim_domain *d, int cmd, unsigned int vcpuid, void *arg)
{
	if (vcpuid != 0)
		return -XEN_ENOENT;
	switch (cmd) {
	case VCPUOP_is_up:
		return 1;
	case VCPUOP_set_singleshot_timer:
		return singleshot(d, arg);
	case VCPUOP_stop_singleshot_timer:
		sim_domain_set_timer(d, 0);
		return 0;
	case VCPUOP_stop_periodic_timer:
		return 0; /* PVH vCPUs have no periodic timer running */
	default:
		return -XEN_ENOSYS;
	}
}

long shim_vcpu_op(int cmd, unsigned int vcpuid, void *extra_args)
{
	struct sim_domain *d = shim_current();
	long rc = do_op(d, cmd, vcpuid, extra_args);
	char e[24];

	if (shim_tracing())
		shim_trace("vcpu_op(%d, vcpu=%u) = %s", cmd, vcpuid, shim_strerror(rc, e));
	return rc;
}
