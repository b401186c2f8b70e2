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

#include "gnttab_fixture.h"

#define TWIN (REF + 64) /* another ref, REF's twin under a 64-bit summary */

static void test_a_ref_stays_pinned_when_another_ref_is_unmapped(void **state)
{
	struct fixture *f = *state;
	grant_handle_t h, twin;
	void *page;
	char c = 0;

	grant(f->d, REF, 0, DATA_GFN, GTF_permit_access);
	grant(f->d, TWIN, 0, DATA_GFN + 1, GTF_permit_access);
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

	grant(f->d, REF, 0, DATA_GFN, GTF_permit_access);
	assert_int_equal(sim_gnttab_map(f->d, 0, REF, true, &page, &h), GNTST_okay);
	assert_int_equal(sim_gnttab_unmap(f->d, h), GNTST_okay);
	grant(f->d, REF, 2, DATA_GFN, GTF_permit_access); /* regranted to domain 2 once unmapped */
	assert_int_equal(sim_gnttab_copy_from(f->d, 2, REF, 0, &c, 1), GNTST_okay);
	assert_int_equal(flags_of(f->d, REF), GTF_permit_access);
}

static void test_a_copy_of_an_unmapped_ref_leaves_no_flags(void **state)
{
	struct fixture *f = *state;
	char c = 1;

	grant(f->d, TWIN, 0, DATA_GFN + 1, GTF_permit_access);
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
