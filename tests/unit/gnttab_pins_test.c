/*
 * sim/gnttab.c counts the mappings of each ref (pins[], as Xen's pin counts),
 * so a map, an unmap or a grant copy never scans the mappings: a ref stays
 * pinned while it is mapped whatever happens to other refs (REF and TWIN once
 * shared a bit of a 64-bit summary), a ref whose last mapping ended is free
 * for others again, and a copy of an unmapped ref leaves no flags behind.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>
#include <xen/grant_table.h>
#include <xen/xen.h>

#include "sim/domain.h"
#include "sim/gnttab.h"
#include "sim/sim.h"
#include "sim_fixture.h"

#define PER_FRAME (4096 / sizeof(grant_entry_v1_t))
#define TABLE_GFN 0x200
#define DATA_GFN 0x300
#define REF 10
#define TWIN (REF + 64) /* another ref, REF's twin under a 64-bit summary */

struct fixture {
	struct sim_fixture sf;
	struct sim_domain *d;  /* the granting guest, domid 1 */
};

static int setup(void **state)
{
	static struct fixture f;
	struct sim_fixture_options o = { .guests = 2, .bare = true, .console_to_stdout = true };

	memset(&f, 0, sizeof(f));
	if (sim_fixture_create(&f.sf, &o) < 0)
		return -1;
	f.d = f.sf.guest[0];
	if (sim_gnttab_place_frame(f.d, 0, TABLE_GFN) < 0)
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sim_fixture_destroy(&f->sf);
	return 0;
}

static grant_entry_v1_t *ent(struct sim_domain *d, grant_ref_t ref)
{
	uint8_t *page = sim_domain_gfn_to_page(d, d->gnttab.frame[ref / PER_FRAME]);

	assert_non_null(page);
	return (grant_entry_v1_t *)page + ref % PER_FRAME;
}

static void grant(struct sim_domain *d, grant_ref_t ref, domid_t to, xen_pfn_t gfn)
{
	grant_entry_v1_t *e = ent(d, ref);

	e->domid = to;
	e->frame = (uint32_t)gfn;
	__atomic_store_n(&e->flags, GTF_permit_access, __ATOMIC_RELEASE);
}

static uint16_t flags_of(struct sim_domain *d, grant_ref_t ref)
{
	return __atomic_load_n(&ent(d, ref)->flags, __ATOMIC_SEQ_CST);
}

static void test_a_ref_stays_pinned_when_another_ref_is_unmapped(void **state)
{
	struct fixture *f = *state;
	grant_handle_t h, twin;
	void *page;
	char c = 0;

	grant(f->d, REF, 0, DATA_GFN);
	grant(f->d, TWIN, 0, DATA_GFN + 1);
	assert_int_equal(sim_gnttab_map(f->d, 0, REF, false, &page, &h), GNTST_okay);
	assert_int_equal(sim_gnttab_map(f->d, 0, TWIN, false, &page, &twin), GNTST_okay);
	assert_int_equal(sim_gnttab_unmap(f->d, twin), GNTST_okay);
	assert_int_equal(flags_of(f->d, TWIN), GTF_permit_access);
	/* REF is still mapped by domain 0: a copy leaves its flags set, domain 2 is refused. */
	assert_int_equal(sim_gnttab_copy_from(f->d, 0, REF, 0, &c, 1), GNTST_okay);
	assert_int_equal(flags_of(f->d, REF), GTF_permit_access | GTF_reading | GTF_writing);
	assert_int_equal(sim_gnttab_copy_from(f->d, 2, REF, 0, &c, 1), GNTST_general_error);
	assert_int_equal(sim_gnttab_unmap(f->d, h), GNTST_okay);
	assert_int_equal(flags_of(f->d, REF), GTF_permit_access);
}

static void test_a_ref_whose_mapping_ended_is_free_for_another_domain(void **state)
{
	struct fixture *f = *state;
	grant_handle_t h;
	void *page;
	char c = 0;

	grant(f->d, REF, 0, DATA_GFN);
	assert_int_equal(sim_gnttab_map(f->d, 0, REF, true, &page, &h), GNTST_okay);
	assert_int_equal(sim_gnttab_unmap(f->d, h), GNTST_okay);
	grant(f->d, REF, 2, DATA_GFN); /* regranted to domain 2 once unmapped */
	assert_int_equal(sim_gnttab_copy_from(f->d, 2, REF, 0, &c, 1), GNTST_okay);
	assert_int_equal(flags_of(f->d, REF), GTF_permit_access);
}

static void test_a_copy_of_an_unmapped_ref_leaves_no_flags(void **state)
{
	struct fixture *f = *state;
	char c = 1;

	grant(f->d, TWIN, 0, DATA_GFN + 1);
	assert_int_equal(sim_gnttab_copy_to(f->d, 0, TWIN, 0, &c, 1), GNTST_okay);
	assert_int_equal(flags_of(f->d, TWIN), GTF_permit_access);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_a_ref_stays_pinned_when_another_ref_is_unmapped),
		T(test_a_ref_whose_mapping_ended_is_free_for_another_domain),
		T(test_a_copy_of_an_unmapped_ref_leaves_no_flags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
