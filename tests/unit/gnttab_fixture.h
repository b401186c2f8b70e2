/*
 * What the tests of the simulator's grant tables (sim/gnttab.c) share
 * (gnttab_test.c, gnttab_pins_test.c).
 *
 * Each test gets a fresh simulator (virtual clock) with guest domains 1 and
 * 2 of 4 MiB. Nothing runs in the guests: the tests play the guest's part by
 * writing entries into domain 1's RAM the way a guest does (domid and frame,
 * then flags), after placing table frame 0 at TABLE_GFN with
 * sim_gnttab_place_frame, as XENMEM_add_to_physmap does. They then act as a
 * backend in dom0 (accessor 0) through the sim_gnttab_* calls.
 *
 * Each test file includes this header once, hence the static inline helpers.
 */
#ifndef TESTS_UNIT_GNTTAB_FIXTURE_H
#define TESTS_UNIT_GNTTAB_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <xen/grant_table.h>
#include <xen/xen.h>

#include "sim/domain.h"
#include "sim/gnttab.h"
#include "sim/sim.h"
#include "sim_fixture.h"

#define PAGE 4096
#define PER_FRAME (PAGE / sizeof(grant_entry_v1_t))
#define TABLE_GFN 0x200 /* table frames at 0x200, 0x201, ... */
#define DATA_GFN 0x300  /* granted pages at 0x300, 0x301, ... */
#define REF 10          /* the reference most tests use */

struct fixture {
	struct sim_fixture sf;
	struct sim *sim;
	struct sim_domain *d;  /* the granting guest, domid 1 */
	struct sim_domain *d2; /* another guest, domid 2 */
};

static inline int setup(void **state)
{
	static struct fixture f;
	struct sim_fixture_options o = { .guests = 2, .bare = true, .console_to_stdout = true };

	memset(&f, 0, sizeof(f));
	if (sim_fixture_create(&f.sf, &o) < 0)
		return -1;
	f.sim = f.sf.sim;
	f.d = f.sf.guest[0];
	f.d2 = f.sf.guest[1];
	if (sim_gnttab_place_frame(f.d, 0, TABLE_GFN) < 0)
		return -1;
	*state = &f;
	return 0;
}

static inline int teardown(void **state)
{
	struct fixture *f = *state;

	sim_fixture_destroy(&f->sf);
	return 0;
}

/* --- the guest's side, by hand --- */

static inline uint8_t *page_of(struct sim_domain *d, xen_pfn_t gfn)
{
	uint8_t *p = sim_domain_gfn_to_page(d, gfn);

	assert_non_null(p);
	return p;
}

/* The entry as the guest sees it: in the table frame where it placed it. */
static inline grant_entry_v1_t *ent(struct sim_domain *d, grant_ref_t ref)
{
	assert_true(ref / PER_FRAME < d->gnttab.nr_frames);
	return (grant_entry_v1_t *)page_of(d, d->gnttab.frame[ref / PER_FRAME]) + ref % PER_FRAME;
}

/* Xen's protocol: domid and frame, then the flags. */
static inline void grant(struct sim_domain *d, grant_ref_t ref, domid_t to, xen_pfn_t gfn,
			 uint16_t flags)
{
	grant_entry_v1_t *e = ent(d, ref);

	e->domid = to;
	e->frame = (uint32_t)gfn;
	__atomic_store_n(&e->flags, flags, __ATOMIC_RELEASE);
}

static inline uint16_t flags_of(struct sim_domain *d, grant_ref_t ref)
{
	return __atomic_load_n(&ent(d, ref)->flags, __ATOMIC_SEQ_CST);
}

#endif
