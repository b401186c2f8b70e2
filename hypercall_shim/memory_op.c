/*
 * HYPERVISOR_memory_op: placing shared_info in the guest's physmap, the
 * domain's reservation, and its memory map.
 */
#include <inttypes.h>
#include <string.h>
#include <xen/errno.h>
#include <xen/memory.h>
#include <xen/arch-x86/hvm/start_info.h>

#include "hypercall_shim/shim.h"

static bool is_self(struct sim_domain *d, domid_t domid)
{
	return domid == DOMID_SELF || domid == d->domid;
}

static long add_to_physmap(struct sim_domain *d, struct xen_add_to_physmap *a)
{
	if (!is_self(d, a->domid))
		return -XEN_EPERM;
	switch (a->space) {
	case XENMAPSPACE_shared_info:
		if (a->idx != 0)
			return -XEN_EINVAL;
		return sim_domain_place_shared_info(d, a->gpfn);
	case XENMAPSPACE_grant_table:
		/* Checked before narrowing: idx is a xen_ulong_t. */
		if (a->idx >= SIM_GNTTAB_MAX_FRAMES)
			return -XEN_EINVAL;
		return sim_gnttab_place_frame(d, (unsigned int)a->idx, a->gpfn);
	default:
		return -XEN_EINVAL;
	}
}

/* The memory map toolstacks give Xen: e820 entries (addr, size, type; 20 bytes). */
static long memory_map(struct sim_domain *d, struct xen_memory_map *m)
{
	const struct hvm_memmap_table_entry *mm;
	unsigned int n = sim_domain_memory_map(d, &mm);
	uint8_t *out = m->buffer.p;

	if (m->nr_entries < n)
		n = m->nr_entries;
	if (sim_domain_guest_access(d, out, (size_t)n * 20, true, "XENMEM_memory_map buffer"))
		return -XEN_EFAULT;
	for (unsigned int i = 0; i < n; i++, out += 20) {
		memcpy(out, &mm[i].addr, 8);
		memcpy(out + 8, &mm[i].size, 8);
		memcpy(out + 16, &mm[i].type, 4);
	}
	m->nr_entries = n;
	return 0;
}

static const char *cmd_name(unsigned int cmd)
{
	switch (cmd) {
	case XENMEM_add_to_physmap: return "XENMEM_add_to_physmap";
	case XENMEM_current_reservation: return "XENMEM_current_reservation";
	case XENMEM_maximum_reservation: return "XENMEM_maximum_reservation";
	case XENMEM_maximum_ram_page: return "XENMEM_maximum_ram_page";
	case XENMEM_memory_map: return "XENMEM_memory_map";
	default: return "unknown";
	}
}

/* The size of each op's argument; 0: none (XENMEM_maximum_ram_page) or unknown. */
static size_t arg_size(unsigned int cmd)
{
	switch (cmd) {
	case XENMEM_add_to_physmap: return sizeof(struct xen_add_to_physmap);
	case XENMEM_current_reservation:
	case XENMEM_maximum_reservation: return sizeof(domid_t);
	case XENMEM_memory_map: return sizeof(struct xen_memory_map);
	default: return 0;
	}
}

static long do_op(struct sim_domain *d, unsigned int cmd, void *arg)
{
	if (arg_size(cmd) && sim_domain_guest_access(d, arg, arg_size(cmd), true, cmd_name(cmd)))
		return -XEN_EFAULT;
	switch (cmd) {
	case XENMEM_add_to_physmap:
		return add_to_physmap(d, arg);
	case XENMEM_current_reservation:
	case XENMEM_maximum_reservation:
		if (!is_self(d, *(domid_t *)arg))
			return -XEN_EPERM;
		return (long)sim_domain_nr_pages(d);
	case XENMEM_maximum_ram_page:
		return (long)sim_domain_last_gfn(d);
	case XENMEM_memory_map:
		return memory_map(d, arg);
	default:
		return -XEN_ENOSYS;
	}
}

long shim_memory_op(unsigned int cmd, void *arg)
{
	struct sim_domain *d = shim_current();
	long rc = do_op(d, cmd, arg);
	char e[24];

	if (!shim_tracing())
		return rc;
	if (cmd == XENMEM_add_to_physmap && rc != -XEN_EFAULT) {
		struct xen_add_to_physmap *a = arg;
		shim_trace("memory_op(XENMEM_add_to_physmap, space=%u, idx=%lu, gpfn=%#" PRIx64
			   ") = %s", a->space, (unsigned long)a->idx, (uint64_t)a->gpfn,
			   shim_strerror(rc, e));
	} else {
		shim_trace("memory_op(%s) = %s", cmd_name(cmd), shim_strerror(rc, e));
	}
	return rc;
}
