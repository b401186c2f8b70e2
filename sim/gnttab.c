/*
 * Grant tables, hypervisor side, version 1 (contract in sim/gnttab.h).
 *
 * Xen keeps an "active" entry per pinned reference (pin counts, the
 * accessing domain, the frame). Here the mappings themselves are the pins:
 * a reference's pin counts are its live entries in maps[]. A copy would pin
 * only for the duration of one call, and the simulator runs nothing else in
 * between, so a copy makes the pin's checks and leaves the flags as the
 * release would, without setting them in between (copy_check). Unlike Xen,
 * the frame is read from the entry at every pin rather than remembered from
 * the first one.
 *
 * The guest changes its entries only between hypercalls (one vCPU, no
 * preemption), so the compare-and-exchange on the flags can only fail if
 * this file is wrong; it is kept, with Xen's bounded retries, to follow
 * _set_status_v1 step by step.
 */
#include <string.h>
#include <xen/errno.h>

#include "sim/domain.h"
#include "sim/xen_abi.h"
#include "sim/gnttab.h"
#include "sim/hot.h"
#include "sim/report.h"

#define ENTRIES_PER_FRAME (SIM_PAGE_SIZE / sizeof(grant_entry_v1_t))
_Static_assert(SIM_GNTTAB_MAX_ENTRIES == SIM_GNTTAB_MAX_FRAMES * ENTRIES_PER_FRAME,
	       "pins[] has a counter per reference a full table holds");
/* Xen's pin counters are 8 bits per kind and refuse once the top bit is set. */
#define PIN_LIMIT 128
#define CAS_RETRIES 5

/* How a reference is pinned: its live mappings, and by whom. */
struct pins {
	unsigned int ro, rw;
	domid_t who;
};

void sim_gnttab_init(struct sim_gnttab *g)
{
	memset(g, 0, sizeof(*g));
	for (unsigned int i = 0; i < SIM_GNTTAB_MAX_FRAMES; i++)
		g->frame[i] = SIM_GNTTAB_NO_FRAME;
	g->nr_frames = SIM_GNTTAB_INITIAL_FRAMES;
}

static grant_ref_t nr_entries(const struct sim_gnttab *g)
{
	return (grant_ref_t)(g->nr_frames * ENTRIES_PER_FRAME);
}

/*
 * The guest's entry for ref (< nr_entries), or NULL: an unplaced frame reads
 * as zero. Guest RAM never moves, so the frame's page is the one found when
 * it was placed.
 */
static grant_entry_v1_t *entry(struct sim_domain *d, grant_ref_t ref)
{
	grant_entry_v1_t *page = d->gnttab.entries[ref / ENTRIES_PER_FRAME];

	return page ? &page[ref % ENTRIES_PER_FRAME] : NULL;
}

static struct pins pins_of(const struct sim_gnttab *g, grant_ref_t ref)
{
	const struct sim_gnttab_pins *c = &g->pins[ref];

	return (struct pins){ .ro = c->ro, .rw = c->rw, .who = c->who };
}

/* maps[] gained (+1) or lost (-1) a mapping of ref. */
static void pins_count(struct sim_gnttab *g, const struct sim_gnttab_map *m, int delta)
{
	struct sim_gnttab_pins *c = &g->pins[m->ref];

	if (m->readonly)
		c->ro = (uint8_t)(c->ro + delta);
	else
		c->rw = (uint8_t)(c->rw + delta);
	c->who = m->mapper;
}

static bool is_pinned(const struct pins *p)
{
	return p->ro + p->rw > 0;
}

int sim_gnttab_place_frame(struct sim_domain *d, unsigned int idx, xen_pfn_t gpfn)
{
	struct sim_gnttab *g = &d->gnttab;
	void *page = sim_domain_ram_page(d, gpfn);
	void *old;

	if (idx >= SIM_GNTTAB_MAX_FRAMES || !page)
		return -XEN_EINVAL;
	for (unsigned int j = 0; j < g->nr_frames; j++) {
		if (j != idx && g->frame[j] == gpfn) {
			sim_report_violation(d, "XENMEM_add_to_physmap puts grant frame %u at gfn "
					     "%#lx, where grant frame %u already is", idx,
					     (unsigned long)gpfn, j);
			return -XEN_EINVAL;
		}
	}
	if (gpfn == d->shared_info_gfn) {
		sim_report_violation(d, "XENMEM_add_to_physmap puts grant frame %u at gfn %#lx, "
				     "where shared_info is", idx, (unsigned long)gpfn);
		return -XEN_EINVAL;
	}
	old = g->entries[idx]; /* NULL: not placed (or past nr_frames) */
	if (old == page)
		return 0;
	/* Xen's frame replaces the guest's page: it arrives with its entries. */
	if (old)
		memcpy(page, old, SIM_PAGE_SIZE);
	else
		memset(page, 0, SIM_PAGE_SIZE);
	g->frame[idx] = gpfn;
	g->entries[idx] = page;
	/* Xen grows the table to the frame asked for; frames in between stay unplaced. */
	for (unsigned int j = g->nr_frames; j < idx; j++) {
		g->frame[j] = SIM_GNTTAB_NO_FRAME;
		g->entries[j] = NULL;
	}
	if (idx >= g->nr_frames)
		g->nr_frames = idx + 1;
	return 0;
}

void sim_gnttab_query_size(struct sim_domain *d, uint32_t *nr_frames, uint32_t *max_frames)
{
	*nr_frames = d->gnttab.nr_frames;
	*max_frames = SIM_GNTTAB_MAX_FRAMES;
}

int16_t sim_gnttab_setup_table(struct sim_domain *d, unsigned int nr_frames, xen_pfn_t *gfns)
{
	struct sim_gnttab *g = &d->gnttab;

	if (nr_frames > SIM_GNTTAB_MAX_FRAMES)
		return GNTST_general_error;
	/* gnttab_grow_table: the new frames exist but are not placed yet. */
	for (unsigned int i = g->nr_frames; i < nr_frames; i++) {
		g->frame[i] = SIM_GNTTAB_NO_FRAME;
		g->entries[i] = NULL;
	}
	if (nr_frames > g->nr_frames)
		g->nr_frames = nr_frames;
	/* SIM_GNTTAB_NO_FRAME is ~0, what Xen's gnttab_shared_gfn gives (INVALID_GFN). */
	for (unsigned int i = 0; i < nr_frames; i++)
		gfns[i] = g->frame[i];
	return GNTST_okay;
}

/*
 * A pinned entry must still grant access to the domain using it, with the
 * flags Xen set. A guest that revoked or reused it has let go of a page the
 * other domain can still reach: on Xen the backend keeps its mapping.
 */
static void check_still_granted(struct sim_domain *d, grant_entry_v1_t *e, grant_ref_t ref,
				const struct pins *p)
{
	uint16_t flags = e ? __atomic_load_n(&e->flags, __ATOMIC_SEQ_CST) : 0;
	domid_t domid = e ? __atomic_load_n(&e->domid, __ATOMIC_SEQ_CST) : 0;

	if ((flags & GTF_type_mask) == GTF_permit_access && (flags & GTF_reading) &&
	    (!p->rw || (flags & GTF_writing)) && domid == p->who)
		return;
	sim_report_violation(d, "grant ref %u was rewritten (flags %#x, domid %u) while domain %u "
			     "has it mapped; a grant in use cannot be revoked (end access only "
			     "once GTF_reading and GTF_writing are clear)", ref, flags, domid,
			     p->who);
}

/* Xen's _set_status_v1: checks entry e (NULL: unplaced), sets GTF_reading / GTF_writing. */
static SIM_HOT_INLINE int16_t set_status(grant_entry_v1_t *e, domid_t accessor,
					 bool readonly, bool mapping, bool pinned)
{
	uint16_t mask = GTF_type_mask | (mapping ? GTF_sub_page : 0);
	uint16_t set = GTF_reading | (readonly ? 0 : GTF_writing);
	uint16_t flags;

	if (!e)
		return GNTST_general_error;
	flags = __atomic_load_n(&e->flags, __ATOMIC_SEQ_CST);
	for (int tries = 0;; tries++) {
		if (!pinned && ((flags & mask) != GTF_permit_access ||
				__atomic_load_n(&e->domid, __ATOMIC_SEQ_CST) != accessor))
			return GNTST_general_error;
		if (!readonly && (flags & GTF_readonly))
			return GNTST_general_error;
		if (__atomic_compare_exchange_n(&e->flags, &flags, (uint16_t)(flags | set), false,
						__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			return GNTST_okay;
		if (tries == CAS_RETRIES - 1)
			return GNTST_general_error; /* "shared grant entry is unstable" */
	}
}

/*
 * Clears what no remaining mapping needs after a use of entry e (NULL:
 * unplaced) ended or failed; p: the pins that remain.
 */
static void unpin_entry(grant_entry_v1_t *e, const struct pins *p, bool readonly)
{
	uint16_t clear = 0;

	if (!readonly && !p->rw)
		clear |= GTF_writing;
	if (!is_pinned(p))
		clear |= GTF_reading;
	if (e && clear)
		__atomic_fetch_and(&e->flags, (uint16_t)~clear, __ATOMIC_SEQ_CST);
}

static void unpin(struct sim_domain *d, grant_ref_t ref, bool readonly)
{
	struct pins p = pins_of(&d->gnttab, ref);

	unpin_entry(entry(d, ref), &p, readonly);
}

/* What pin found: the entry, and the pins there were before this one. */
struct pinned {
	grant_entry_v1_t *e;
	struct pins before;
};

/*
 * Pins ref (< nr_entries) for accessor as map_grant_ref / acquire_grant_for_copy
 * do. The entry is looked up and the mappings scanned once; *out lets a copy,
 * which adds no mapping, unpin without doing either again.
 */
static SIM_HOT_INLINE int16_t pin(struct sim_domain *d, domid_t accessor, grant_ref_t ref,
				  bool readonly, bool mapping, void **page, struct pinned *out)
{
	struct pins p = pins_of(&d->gnttab, ref);
	bool pinned = is_pinned(&p);
	grant_entry_v1_t *e = entry(d, ref);
	int16_t rc;

	if (pinned && (p.who != accessor || p.ro >= PIN_LIMIT || p.rw >= PIN_LIMIT))
		return GNTST_general_error;
	if (pinned)
		check_still_granted(d, e, ref, &p);
	if (!pinned || (!readonly && !p.rw)) {
		rc = set_status(e, accessor, readonly, mapping, pinned);
		if (rc != GNTST_okay)
			return rc;
	}
	/* Pinned or just checked, the entry is in a placed frame. */
	*page = e ? sim_domain_ram_page(d, __atomic_load_n(&e->frame, __ATOMIC_SEQ_CST)) : NULL;
	if (!*page) {
		unpin_entry(e, &p, readonly);
		return GNTST_bad_page;
	}
	out->e = e;
	out->before = p;
	return GNTST_okay;
}

int16_t sim_gnttab_acquire(struct sim_domain *d, domid_t accessor, grant_ref_t ref,
			   bool readonly, void **page)
{
	struct pinned pd;

	if (!d)
		return GNTST_bad_domain;
	if (ref >= nr_entries(&d->gnttab))
		return GNTST_bad_gntref;
	return pin(d, accessor, ref, readonly, false, page, &pd);
}

void sim_gnttab_release(struct sim_domain *d, grant_ref_t ref, bool readonly)
{
	if (d && ref < nr_entries(&d->gnttab))
		unpin(d, ref, readonly);
}

/*
 * One side of gnttab_copy, acquire_grant_for_copy and release_grant_for_copy
 * as one step: nothing runs between them here (one thread; the guest waits in
 * its hypercall), so the GTF_reading / GTF_writing that Xen sets for the copy
 * and clears after it can never be seen. What is left is every check pin and
 * set_status make, in their order, and the flags the release would leave:
 * those bits cleared where no pin remains that needs them, written only when
 * a stray guest write had set them. GNTST_okay: *page is ref's page, copy.
 */
static SIM_HOT_INLINE int16_t copy_check(struct sim_domain *d, domid_t accessor,
					 grant_ref_t ref, uint16_t offset, uint16_t len,
					 bool readonly, void **page, bool unpinned)
{
	grant_entry_v1_t *e;
	struct pins p;
	bool pinned, status;
	uint16_t flags, after;

	if (!d)
		return GNTST_bad_domain;
	if (ref >= nr_entries(&d->gnttab))
		return GNTST_bad_gntref;
	p = pins_of(&d->gnttab, ref);
	pinned = !unpinned && is_pinned(&p); /* unpinned: the caller found no pin */
	e = entry(d, ref);
	if (pinned && (p.who != accessor || p.ro >= PIN_LIMIT || p.rw >= PIN_LIMIT))
		return GNTST_general_error;
	if (pinned)
		check_still_granted(d, e, ref, &p);
	/* Where pin calls set_status, its checks; then the flags set and cleared again. */
	status = !pinned || (!readonly && !p.rw);
	if (status) {
		if (!e)
			return GNTST_general_error;
		flags = __atomic_load_n(&e->flags, __ATOMIC_SEQ_CST);
		if (!pinned && ((flags & GTF_type_mask) != GTF_permit_access ||
				__atomic_load_n(&e->domid, __ATOMIC_SEQ_CST) != accessor))
			return GNTST_general_error;
		if (!readonly && (flags & GTF_readonly))
			return GNTST_general_error;
		/* set_status's bits, less what unpin_entry clears for the pins that remain. */
		after = (uint16_t)((flags | GTF_reading | (readonly ? 0 : GTF_writing)) &
				   ~((readonly ? 0 : GTF_writing) | (pinned ? 0 : GTF_reading)));
		if (after != flags)
			__atomic_store_n(&e->flags, after, __ATOMIC_SEQ_CST);
	}
	*page = e ? sim_domain_ram_page(d, __atomic_load_n(&e->frame, __ATOMIC_SEQ_CST)) : NULL;
	if (!*page)
		return GNTST_bad_page;
	if ((unsigned int)offset + len > SIM_PAGE_SIZE)
		return GNTST_bad_copy_arg;
	return GNTST_okay;
}

/* Any copy, the check whole: a bad domain or reference, or a pinned one. */
static __attribute__((noinline)) struct sim_gnttab_span
copy_span(struct sim_domain *d, domid_t accessor, grant_ref_t ref, uint16_t offset,
	  uint16_t len, bool readonly)
{
	void *page;
	int16_t rc = copy_check(d, accessor, ref, offset, len, readonly, &page, false);

	return (struct sim_gnttab_span){
		.at = rc == GNTST_okay ? (uint8_t *)page + offset : NULL,
		.st = rc,
	};
}

/*
 * The common copy, of a reference nobody maps: copy_check knowing it is not
 * pinned, with no call in it (and so no registers to save); the rest goes
 * to copy_span, which checks again from the start.
 */
static SIM_HOT_INLINE struct sim_gnttab_span copy_span_unpinned(struct sim_domain *d,
								domid_t accessor,
								grant_ref_t ref,
								uint16_t offset, uint16_t len,
								bool readonly)
{
	void *page;
	int16_t rc;

	if (!d || ref >= nr_entries(&d->gnttab) || d->gnttab.pins[ref].ro + d->gnttab.pins[ref].rw)
		return copy_span(d, accessor, ref, offset, len, readonly);
	rc = copy_check(d, accessor, ref, offset, len, readonly, &page, true);
	return (struct sim_gnttab_span){
		.at = rc == GNTST_okay ? (uint8_t *)page + offset : NULL,
		.st = rc,
	};
}

struct sim_gnttab_span sim_gnttab_copy_span_from(struct sim_domain *d, domid_t accessor,
						 grant_ref_t ref, uint16_t offset, uint16_t len)
{
	return copy_span_unpinned(d, accessor, ref, offset, len, true);
}

struct sim_gnttab_span sim_gnttab_copy_span_to(struct sim_domain *d, domid_t accessor,
					       grant_ref_t ref, uint16_t offset, uint16_t len)
{
	return copy_span_unpinned(d, accessor, ref, offset, len, false);
}

/* The lowest free handle, as before, found from maps_free rather than 0. */
static int free_handle(const struct sim_gnttab *g)
{
	for (unsigned int h = g->maps_free; h < SIM_GNTTAB_MAX_MAPS; h++)
		if (!g->maps[h].in_use)
			return (int)h;
	return -1;
}

int16_t sim_gnttab_map(struct sim_domain *d, domid_t accessor, grant_ref_t ref, bool readonly,
		       void **page, grant_handle_t *handle)
{
	struct pinned pd;
	int h;
	int16_t rc;

	if (!d)
		return GNTST_bad_domain;
	/* Xen takes the handle before it looks at the reference. */
	if ((h = free_handle(&d->gnttab)) < 0)
		return GNTST_no_device_space;
	if (ref >= nr_entries(&d->gnttab))
		return GNTST_bad_gntref;
	if ((rc = pin(d, accessor, ref, readonly, true, page, &pd)) != GNTST_okay)
		return rc;
	d->gnttab.maps[h] = (struct sim_gnttab_map){
		.ref = ref,
		.mapper = accessor,
		.readonly = readonly,
		.in_use = true,
	};
	pins_count(&d->gnttab, &d->gnttab.maps[h], +1);
	d->gnttab.maps_free = (unsigned int)h + 1;
	if ((unsigned int)h >= d->gnttab.maps_end)
		d->gnttab.maps_end = (unsigned int)h + 1;
	*handle = (grant_handle_t)h;
	return GNTST_okay;
}

int16_t sim_gnttab_unmap(struct sim_domain *d, grant_handle_t handle)
{
	struct sim_gnttab_map *m;
	struct pins p;

	if (!d || handle >= SIM_GNTTAB_MAX_MAPS || !d->gnttab.maps[handle].in_use)
		return GNTST_bad_handle;
	m = &d->gnttab.maps[handle];
	p = pins_of(&d->gnttab, m->ref);
	check_still_granted(d, entry(d, m->ref), m->ref, &p);
	m->in_use = false;
	pins_count(&d->gnttab, m, -1);
	if (handle < d->gnttab.maps_free)
		d->gnttab.maps_free = handle;
	while (d->gnttab.maps_end && !d->gnttab.maps[d->gnttab.maps_end - 1].in_use)
		d->gnttab.maps_end--;
	unpin(d, m->ref, m->readonly);
	return GNTST_okay;
}

bool sim_gnttab_is_mapped_by(const struct sim_domain *d, grant_handle_t handle, domid_t mapper)
{
	return d && handle < SIM_GNTTAB_MAX_MAPS && d->gnttab.maps[handle].in_use &&
	       d->gnttab.maps[handle].mapper == mapper;
}

const char *sim_gnttab_status_name(int16_t status)
{
	switch (status) {
	case GNTST_okay: return "GNTST_okay";
	case GNTST_general_error: return "GNTST_general_error";
	case GNTST_bad_domain: return "GNTST_bad_domain";
	case GNTST_bad_gntref: return "GNTST_bad_gntref";
	case GNTST_bad_handle: return "GNTST_bad_handle";
	case GNTST_bad_virt_addr: return "GNTST_bad_virt_addr";
	case GNTST_bad_dev_addr: return "GNTST_bad_dev_addr";
	case GNTST_no_device_space: return "GNTST_no_device_space";
	case GNTST_permission_denied: return "GNTST_permission_denied";
	case GNTST_bad_page: return "GNTST_bad_page";
	case GNTST_bad_copy_arg: return "GNTST_bad_copy_arg";
	case GNTST_address_too_big: return "GNTST_address_too_big";
	case GNTST_eagain: return "GNTST_eagain";
	case GNTST_no_space: return "GNTST_no_space";
	default: return "GNTST_unknown";
	}
}
