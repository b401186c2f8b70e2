/*
 * HYPERVISOR_grant_table_op. Grant tables arrive with the network device;
 * until then every operation is refused the way Xen refuses an unknown one.
 */
#include <xen/errno.h>
#include <xen/grant_table.h>

#include "hypercall_shim/shim.h"
#include "runtime/include/uk/hypercall.h"

long HYPERVISOR_grant_table_op(unsigned int cmd, void *uop, unsigned int count)
{
	long rc = -XEN_ENOSYS;
	char e[24];

	if (shim_tracing())
		shim_trace("grant_table_op(%u, count=%u) = %s", cmd, count, shim_strerror(rc, e));
	return rc;
}
