/*
 * HYPERVISOR_grant_table_op, as Xen 4.17 answers a PVH domU
 * (xen/common/grant_table.c, do_grant_table_op and the gnttab_* it calls).
 *
 * Version 1 only, as Xen booted with gnttab=max-ver:1: set_version(2) fails
 * with -ENOSYS. query_size, setup_table and get_version accept only the
 * guest itself (a domU is not privileged over others). map, unmap and copy
 * act on the granting domain with the guest as the accessor, through
 * sim/gnttab.c, so a guest can exercise its own grants; each element gets
 * its status and the call returns 0.
 *
 * Where the simulator differs: a map pins the grant and returns a handle
 * and dev_bus_addr but does not put the page at host_addr in the guest's
 * physmap (guest RAM is one host mapping); handles encode the granting
 * domain (domid << 16 | slot); an unmap ignores dev_bus_addr and, as Xen
 * does, leaves the mapping alone when host_addr is 0. transfer,
 * unmap_and_replace, get_status_frames, swap_grant_ref and cache_flush are
 * not simulated (-ENOSYS).
 */
#include <inttypes.h>
#include <string.h>
#include <xen/errno.h>
#include <xen/grant_table.h>

#include "hypercall_shim/shim.h"
#include "sim/domain.h"
#include "sim/gnttab.h"
#include "sim/xen_abi.h"

/* do_grant_table_op: the low 12 bits are the command, the rest continuation state. */
#define GNTTABOP_CMD_MASK 0xfffu
#define HANDLE_SLOT_BITS 16

static const char *cmd_name(unsigned int cmd)
{
	switch (cmd) {
	case GNTTABOP_map_grant_ref: return "GNTTABOP_map_grant_ref";
	case GNTTABOP_unmap_grant_ref: return "GNTTABOP_unmap_grant_ref";
	case GNTTABOP_setup_table: return "GNTTABOP_setup_table";
	case GNTTABOP_dump_table: return "GNTTABOP_dump_table";
	case GNTTABOP_transfer: return "GNTTABOP_transfer";
	case GNTTABOP_copy: return "GNTTABOP_copy";
	case GNTTABOP_query_size: return "GNTTABOP_query_size";
	case GNTTABOP_unmap_and_replace: return "GNTTABOP_unmap_and_replace";
	case GNTTABOP_set_version: return "GNTTABOP_set_version";
	case GNTTABOP_get_status_frames: return "GNTTABOP_get_status_frames";
	case GNTTABOP_get_version: return "GNTTABOP_get_version";
	case GNTTABOP_swap_grant_ref: return "GNTTABOP_swap_grant_ref";
	case GNTTABOP_cache_flush: return "GNTTABOP_cache_flush";
	default: return "unknown";
	}
}

/* rcu_lock_domain_by_any_id: DOMID_SELF names the caller. */
static struct sim_domain *domain_by_any_id(struct sim_domain *d, domid_t domid)
{
	return domid == DOMID_SELF ? d : sim_domain_lookup(d->sim, domid);
}

/* The domain an op names, as query_size / setup_table check it (XSM_TARGET). */
static int16_t target_domain(struct sim_domain *d, domid_t domid)
{
	struct sim_domain *t = domain_by_any_id(d, domid);

	if (!t)
		return GNTST_bad_domain;
	return t == d ? GNTST_okay : GNTST_permission_denied;
}

static long query_size(struct sim_domain *d, struct gnttab_query_size *q, unsigned int count)
{
	if (count != 1)
		return -XEN_EINVAL;
	if (sim_domain_guest_access(d, q, sizeof(*q), true, "GNTTABOP_query_size argument"))
		return -XEN_EFAULT;
	q->status = target_domain(d, q->dom);
	if (q->status == GNTST_okay)
		sim_gnttab_query_size(d, &q->nr_frames, &q->max_nr_frames);
	return 0;
}

/* Xen's gnttab_setup_table: the table grows to nr_frames; each frame's gfn is reported. */
static long setup_table(struct sim_domain *d, struct gnttab_setup_table *s, unsigned int count)
{
	xen_pfn_t *list;

	if (count != 1)
		return -XEN_EINVAL;
	if (sim_domain_guest_access(d, s, sizeof(*s), true, "GNTTABOP_setup_table argument"))
		return -XEN_EFAULT;
	/* Xen checks the list (guest_handle_okay) before the domain; a list too long fails later. */
	list = s->frame_list.p;
	if (s->nr_frames <= SIM_GNTTAB_MAX_FRAMES &&
	    sim_domain_guest_access(d, list, s->nr_frames * sizeof(*list), true,
				    "GNTTABOP_setup_table frame_list"))
		return -XEN_EFAULT;
	if ((s->status = target_domain(d, s->dom)) != GNTST_okay)
		return 0;
	s->status = sim_gnttab_setup_table(d, s->nr_frames, list);
	return 0;
}

static long set_version(struct sim_domain *d, struct gnttab_set_version *v)
{
	long rc;

	if (sim_domain_guest_access(d, v, sizeof(*v), true, "GNTTABOP_set_version argument"))
		return -XEN_EFAULT;
	if (v->version != 1 && v->version != 2)
		rc = -XEN_EINVAL;
	else
		rc = v->version == 2 ? -XEN_ENOSYS : 0;
	v->version = 1; /* Xen always writes back the version in effect */
	return rc;
}

static long get_version(struct sim_domain *d, struct gnttab_get_version *v)
{
	struct sim_domain *t;

	if (sim_domain_guest_access(d, v, sizeof(*v), true, "GNTTABOP_get_version argument"))
		return -XEN_EFAULT;
	if (!(t = domain_by_any_id(d, v->dom)))
		return -XEN_ESRCH;
	if (t != d)
		return -XEN_EPERM;
	v->version = 1;
	return 0;
}

static void map_one(struct sim_domain *d, struct gnttab_map_grant_ref *op)
{
	struct sim_domain *rd;
	grant_handle_t slot;
	void *page;

	if (!(op->flags & (GNTMAP_device_map | GNTMAP_host_map))) {
		op->status = GNTST_bad_gntref;
		return;
	}
	/* A PVH guest's paging is external: no device, application or PTE maps. */
	if (op->flags & (GNTMAP_device_map | GNTMAP_application_map | GNTMAP_contains_pte)) {
		op->status = GNTST_general_error;
		return;
	}
	/* rcu_lock_domain_by_id: DOMID_SELF is not a domain here. */
	if (!(rd = sim_domain_lookup(d->sim, op->dom))) {
		op->status = GNTST_bad_domain;
		return;
	}
	op->status = sim_gnttab_map(rd, d->domid, op->ref, op->flags & GNTMAP_readonly, &page,
				    &slot);
	if (op->status != GNTST_okay)
		return;
	op->handle = ((grant_handle_t)rd->domid << HANDLE_SLOT_BITS) | slot;
	op->dev_bus_addr = sim_domain_paddr_of(rd, page);
}

static void unmap_one(struct sim_domain *d, struct gnttab_unmap_grant_ref *op)
{
	struct sim_domain *rd = sim_domain_lookup(d->sim, (domid_t)(op->handle >> HANDLE_SLOT_BITS));
	grant_handle_t slot = op->handle & ((1u << HANDLE_SLOT_BITS) - 1);

	if (!sim_gnttab_is_mapped_by(rd, slot, d->domid)) {
		op->status = GNTST_bad_handle;
		return;
	}
	/* Xen removes only the mappings it is told where to find: none without host_addr. */
	if (!op->host_addr) {
		op->status = GNTST_okay;
		return;
	}
	op->status = sim_gnttab_unmap(rd, slot);
}

/* One side of a copy: a grant of some domain, or (DOMID_SELF only) a frame of ours. */
struct copy_side {
	struct sim_domain *dom;
	bool gref;
	bool readonly;
	bool acquired;
	uint8_t *page;
};

static int16_t copy_lock(struct sim_domain *d, const struct gnttab_copy_ptr *ptr, bool gref,
			 struct copy_side *s)
{
	if (!gref && ptr->domid != DOMID_SELF)
		return GNTST_permission_denied;
	if (!(s->dom = domain_by_any_id(d, ptr->domid)))
		return GNTST_bad_domain;
	s->gref = gref;
	return GNTST_okay;
}

static int16_t copy_claim(struct sim_domain *d, const struct gnttab_copy_ptr *ptr,
			  struct copy_side *s)
{
	void *page;
	int16_t rc;

	if (s->gref) {
		rc = sim_gnttab_acquire(s->dom, d->domid, ptr->u.ref, s->readonly, &page);
		if (rc != GNTST_okay)
			return rc;
		s->acquired = true;
	} else if (!(page = sim_domain_gfn_to_page(s->dom, ptr->u.gmfn))) {
		return GNTST_bad_page;
	}
	s->page = page;
	return GNTST_okay;
}

static void copy_release(const struct gnttab_copy_ptr *ptr, struct copy_side *s)
{
	if (s->acquired)
		sim_gnttab_release(s->dom, ptr->u.ref, s->readonly);
	s->acquired = false;
}

/* Xen's gnttab_copy_one: both domains, then source, then dest, then the bounds. */
static int16_t copy_one(struct sim_domain *d, const struct gnttab_copy *op)
{
	struct copy_side src = { .readonly = true }, dst = { .readonly = false };
	int16_t rc;

	if ((rc = copy_lock(d, &op->source, op->flags & GNTCOPY_source_gref, &src)) ||
	    (rc = copy_lock(d, &op->dest, op->flags & GNTCOPY_dest_gref, &dst)))
		return rc;
	if (!(rc = copy_claim(d, &op->source, &src)) && !(rc = copy_claim(d, &op->dest, &dst))) {
		if ((unsigned int)op->source.offset + op->len > SIM_PAGE_SIZE ||
		    (unsigned int)op->dest.offset + op->len > SIM_PAGE_SIZE)
			rc = GNTST_bad_copy_arg;
		else
			memmove(dst.page + op->dest.offset, src.page + op->source.offset, op->len);
	}
	copy_release(&op->source, &src);
	copy_release(&op->dest, &dst);
	return rc;
}

/* The size of one element of a batched op. */
static size_t op_size(unsigned int cmd)
{
	switch (cmd) {
	case GNTTABOP_map_grant_ref: return sizeof(struct gnttab_map_grant_ref);
	case GNTTABOP_unmap_grant_ref: return sizeof(struct gnttab_unmap_grant_ref);
	default: return sizeof(struct gnttab_copy);
	}
}

static long do_op(struct sim_domain *d, unsigned int cmd, void *uop, unsigned int count)
{
	if ((int)count < 0)
		return -XEN_EINVAL;
	if ((cmd & ~GNTTABOP_CMD_MASK) && (cmd & GNTTABOP_CMD_MASK) != GNTTABOP_cache_flush)
		return -XEN_EINVAL;
	switch (cmd) {
	case GNTTABOP_query_size:
		return query_size(d, uop, count);
	case GNTTABOP_setup_table:
		return setup_table(d, uop, count);
	case GNTTABOP_set_version:
		return set_version(d, uop);
	case GNTTABOP_get_version:
		return get_version(d, uop);
	case GNTTABOP_map_grant_ref:
	case GNTTABOP_unmap_grant_ref:
	case GNTTABOP_copy:
		break;
	default:
		return -XEN_ENOSYS;
	}
	if (sim_domain_guest_access(d, uop, count * op_size(cmd), true, cmd_name(cmd)))
		return -XEN_EFAULT;
	for (unsigned int i = 0; i < count; i++) {
		if (cmd == GNTTABOP_map_grant_ref)
			map_one(d, (struct gnttab_map_grant_ref *)uop + i);
		else if (cmd == GNTTABOP_unmap_grant_ref)
			unmap_one(d, (struct gnttab_unmap_grant_ref *)uop + i);
		else
			((struct gnttab_copy *)uop)[i].status = copy_one(d, (struct gnttab_copy *)uop + i);
	}
	return 0;
}

/* The first element's status, for the trace line; 1 when the op has none. */
static int first_status(unsigned int cmd, const void *uop, unsigned int count, long rc)
{
	if (!uop || rc < 0)
		return 1;
	switch (cmd) {
	case GNTTABOP_map_grant_ref:
		return count ? ((const struct gnttab_map_grant_ref *)uop)->status : 1;
	case GNTTABOP_unmap_grant_ref:
		return count ? ((const struct gnttab_unmap_grant_ref *)uop)->status : 1;
	case GNTTABOP_copy:
		return count ? ((const struct gnttab_copy *)uop)->status : 1;
	case GNTTABOP_query_size:
		return ((const struct gnttab_query_size *)uop)->status;
	case GNTTABOP_setup_table:
		return ((const struct gnttab_setup_table *)uop)->status;
	default:
		return 1;
	}
}

long shim_grant_table_op(unsigned int cmd, void *uop, unsigned int count)
{
	struct sim_domain *d = shim_current();
	long rc = do_op(d, cmd, uop, count);
	int st;
	char e[24];

	if (!shim_tracing())
		return rc;
	st = first_status(cmd, uop, count, rc);
	if (st <= 0)
		shim_trace("grant_table_op(%s, count=%u) = %s, status[0]=%s", cmd_name(cmd), count,
			   shim_strerror(rc, e), sim_gnttab_status_name((int16_t)st));
	else
		shim_trace("grant_table_op(%s, count=%u) = %s", cmd_name(cmd), count,
			   shim_strerror(rc, e));
	return rc;
}
