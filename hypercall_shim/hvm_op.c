/* HYPERVISOR_hvm_op: HVMOP_get_param / HVMOP_set_param for the calling domain. */
#include <inttypes.h>
#include <xen/errno.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>

#include "hypercall_shim/shim.h"

static long param_op(struct sim_domain *d, int op, struct xen_hvm_param *p)
{
	if (p->domid != DOMID_SELF && p->domid != d->domid)
		return -XEN_EPERM;
	if (op == HVMOP_get_param)
		return sim_domain_get_param(d, p->index, &p->value);
	return sim_domain_guest_set_param(d, p->index, p->value);
}

long shim_hvm_op(int op, void *arg)
{
	struct sim_domain *d = shim_current();
	struct xen_hvm_param *p = arg;
	long rc;
	char e[24];

	if (op != HVMOP_get_param && op != HVMOP_set_param)
		rc = -XEN_ENOSYS;
	else if (sim_domain_guest_access(d, p, sizeof(*p), true, "HVMOP_*_param argument"))
		rc = -XEN_EFAULT;
	else
		rc = param_op(d, op, p);
	if (rc == -XEN_EFAULT || rc == -XEN_ENOSYS)
		p = NULL; /* not to be read for the trace */
	if (shim_tracing())
		shim_trace("hvm_op(%s, index=%" PRIu32 ", value=%#" PRIx64 ") = %s",
			   op == HVMOP_get_param ? "HVMOP_get_param" :
			   op == HVMOP_set_param ? "HVMOP_set_param" : "unknown",
			   p ? p->index : 0, p ? p->value : 0, shim_strerror(rc, e));
	return rc;
}
