/* HVMOP_get_param for this domain: where the toolstack put the console and store rings. */
#include <xen/hvm/hvm_op.h>

#include "uk/hypercall.h"

int uk_hvm_get_param(uint32_t index, uint64_t *value)
{
	struct xen_hvm_param p = { .domid = DOMID_SELF, .index = index };
	int rc = (int)HYPERVISOR_hvm_op(HVMOP_get_param, &p);

	*value = p.value;
	return rc;
}
