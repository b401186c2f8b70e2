/* HYPERVISOR_hvm_op: HVMOP_get_param / HVMOP_set_param for the calling domain. */
#include <inttypes.h>
#include <xen/errno.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>

#include "hypercall_shim/shim.h"
#include "runtime/include/uk/hypercall.h"

/* The params a guest may set on itself (Xen's hvm_allow_set_param). */
static bool guest_may_set(uint32_t index)
{
	switch (index) {
	case HVM_PARAM_CALLBACK_IRQ:
	case HVM_PARAM_STORE_EVTCHN:
	case HVM_PARAM_CONSOLE_EVTCHN:
		return true;
	default:
		return false;
	}
}

static long param_op(struct sim_domain *d, int op, struct xen_hvm_param *p)
{
	if (p->domid != DOMID_SELF && p->domid != d->domid)
		return -XEN_EPERM;
	if (p->index >= HVM_NR_PARAMS)
		return -XEN_EINVAL;
	if (op == HVMOP_get_param) {
		p->value = d->hvm_param[p->index];
		return 0;
	}
	if (!guest_may_set(p->index))
		return -XEN_EPERM;
	d->hvm_param[p->index] = p->value;
	return 0;
}

long HYPERVISOR_hvm_op(int op, void *arg)
{
	struct sim_domain *d = shim_current();
	struct xen_hvm_param *p = arg;
	long rc;
	char e[24];

	if (op != HVMOP_get_param && op != HVMOP_set_param)
		rc = -XEN_ENOSYS;
	else if (!p)
		rc = -XEN_EFAULT;
	else
		rc = param_op(d, op, p);
	if (shim_tracing())
		shim_trace("hvm_op(%s, index=%" PRIu32 ", value=%#" PRIx64 ") = %s",
			   op == HVMOP_get_param ? "HVMOP_get_param" :
			   op == HVMOP_set_param ? "HVMOP_set_param" : "unknown",
			   p ? p->index : 0, p ? p->value : 0, shim_strerror(rc, e));
	return rc;
}
