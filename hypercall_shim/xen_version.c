/* HYPERVISOR_xen_version: we present ourselves as Xen 4.17 with PVH features. */
#include <string.h>
#include <xen/errno.h>
#include <xen/features.h>
#include <xen/version.h>

#include "hypercall_shim/shim.h"

#define SIM_XEN_MAJOR 4
#define SIM_XEN_MINOR 17

static long get_features(struct xen_feature_info *fi)
{
	if (fi->submap_idx != 0) {
		fi->submap = 0;
		return 0;
	}
	fi->submap = (1U << XENFEAT_writable_page_tables) |
		     (1U << XENFEAT_auto_translated_physmap) |
		     (1U << XENFEAT_supervisor_mode_kernel) |
		     (1U << XENFEAT_hvm_callback_vector) |
		     (1U << XENFEAT_hvm_safe_pvclock) |
		     (1U << XENFEAT_hvm_pirqs);
	return 0;
}

/* Xen's copy_to_guest of the answer (or copy_from_guest for get_features). */
static bool bad_arg(int cmd, void *arg, size_t size)
{
	static const char *const names[] = {
		[XENVER_extraversion] = "XENVER_extraversion buffer",
		[XENVER_capabilities] = "XENVER_capabilities buffer",
		[XENVER_get_features] = "XENVER_get_features argument",
	};

	return sim_domain_guest_access(shim_current(), arg, size, true, names[cmd]) < 0;
}

static long do_op(int cmd, void *arg)
{
	switch (cmd) {
	case XENVER_version:
		return (SIM_XEN_MAJOR << 16) | SIM_XEN_MINOR;
	case XENVER_extraversion:
		if (bad_arg(cmd, arg, sizeof(xen_extraversion_t)))
			return -XEN_EFAULT;
		memset(arg, 0, sizeof(xen_extraversion_t));
		strcpy(arg, "-drydock");
		return 0;
	case XENVER_capabilities:
		if (bad_arg(cmd, arg, sizeof(xen_capabilities_info_t)))
			return -XEN_EFAULT;
		memset(arg, 0, sizeof(xen_capabilities_info_t));
		strcpy(arg, "hvm-3.0-x86_64");
		return 0;
	case XENVER_get_features:
		if (bad_arg(cmd, arg, sizeof(struct xen_feature_info)))
			return -XEN_EFAULT;
		return get_features(arg);
	case XENVER_pagesize:
		return 4096;
	default:
		return -XEN_ENOSYS;
	}
}

long shim_xen_version(int cmd, void *arg)
{
	long rc = do_op(cmd, arg);
	char e[24];

	if (shim_tracing())
		shim_trace("xen_version(%d) = %s", cmd, shim_strerror(rc, e));
	return rc;
}
