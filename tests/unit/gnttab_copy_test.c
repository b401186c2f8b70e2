/*
 * A grant copy's effect on the guest's entry (sim/gnttab.c, copy_check).
 *
 * Xen's gnttab_copy acquires each side (acquire_grant_for_copy: the checks
 * of _set_status_v1, then GTF_reading, and GTF_writing for a write) and
 * releases it after the copy (release_grant_for_copy: what no remaining
 * mapping needs is cleared). The simulator makes the checks and writes only
 * the flags that set-then-clear leaves, since nothing runs between the two.
 * These tests pin that result, flag by flag, against entries a guest may
 * leave in any state, stray flags included, and against the errors that
 * must leave the entry alone. Fixture: gnttab_fixture.h.
 */
#include "gnttab_fixture.h"

static void test_a_read_copy_clears_a_stray_reading_flag_and_keeps_writing(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[8];

	grant(f->d, REF, 0, DATA_GFN, GTF_permit_access | GTF_reading | GTF_writing);
	assert_int_equal(sim_gnttab_copy_from(f->d, 0, REF, 0, buf, sizeof(buf)), GNTST_okay);
	assert_int_equal(flags_of(f->d, REF), GTF_permit_access | GTF_writing);
}

static void test_a_write_copy_clears_stray_reading_and_writing_flags(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[8] = { 1 };

	grant(f->d, REF, 0, DATA_GFN, GTF_permit_access | GTF_reading | GTF_writing);
	assert_int_equal(sim_gnttab_copy_to(f->d, 0, REF, 0, buf, sizeof(buf)), GNTST_okay);
	assert_int_equal(flags_of(f->d, REF), GTF_permit_access);
}

static void test_a_write_copy_of_a_read_only_mapping_keeps_it_mapped_for_reading(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[8] = { 2 };
	void *page;
	grant_handle_t h;

	grant(f->d, REF, 0, DATA_GFN, GTF_permit_access);
	assert_int_equal(sim_gnttab_map(f->d, 0, REF, true, &page, &h), GNTST_okay);
	/* The guest drops GTF_reading under the mapping: reported, and set again. */
	grant(f->d, REF, 0, DATA_GFN, GTF_permit_access);
	assert_int_equal(sim_gnttab_copy_to(f->d, 0, REF, 0, buf, sizeof(buf)), GNTST_okay);
	assert_int_equal(f->d->violations, 1);
	assert_int_equal(flags_of(f->d, REF), GTF_permit_access | GTF_reading);
	assert_int_equal(sim_gnttab_unmap(f->d, h), GNTST_okay);
	assert_int_equal(flags_of(f->d, REF), GTF_permit_access);
}

static void test_a_read_copy_of_a_writable_mapping_leaves_its_flags(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[8];
	void *page;
	grant_handle_t h;

	grant(f->d, REF, 0, DATA_GFN, GTF_permit_access);
	assert_int_equal(sim_gnttab_map(f->d, 0, REF, false, &page, &h), GNTST_okay);
	assert_int_equal(sim_gnttab_copy_from(f->d, 0, REF, 0, buf, sizeof(buf)), GNTST_okay);
	assert_int_equal(sim_gnttab_copy_to(f->d, 0, REF, 0, buf, sizeof(buf)), GNTST_okay);
	assert_int_equal(flags_of(f->d, REF), GTF_permit_access | GTF_reading | GTF_writing);
	assert_int_equal(f->d->violations, 0);
	assert_int_equal(sim_gnttab_unmap(f->d, h), GNTST_okay);
}

static void test_a_refused_copy_leaves_the_entry_as_it_was(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[8] = { 3 };

	/* Written while GTF_readonly: _set_status_v1 refuses before any flag changes. */
	grant(f->d, REF, 0, DATA_GFN, GTF_permit_access | GTF_readonly | GTF_reading);
	assert_int_equal(sim_gnttab_copy_to(f->d, 0, REF, 0, buf, sizeof(buf)),
			 GNTST_general_error);
	assert_int_equal(flags_of(f->d, REF), GTF_permit_access | GTF_readonly | GTF_reading);
	/* Granted to another domain. */
	grant(f->d, REF, 2, DATA_GFN, GTF_permit_access | GTF_reading);
	assert_int_equal(sim_gnttab_copy_from(f->d, 0, REF, 0, buf, sizeof(buf)),
			 GNTST_general_error);
	assert_int_equal(flags_of(f->d, REF), GTF_permit_access | GTF_reading);
}

static void test_a_copy_failing_after_the_checks_leaves_the_flags_released(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[200] = { 4 };

	/* A frame below guest RAM: checked, then GNTST_bad_page, released. */
	grant(f->d, REF, 0, 0x10, GTF_permit_access | GTF_reading | GTF_writing);
	assert_int_equal(sim_gnttab_copy_to(f->d, 0, REF, 0, buf, 8), GNTST_bad_page);
	assert_int_equal(flags_of(f->d, REF), GTF_permit_access);
	/* Beyond the page's end: checked last, GNTST_bad_copy_arg, released. */
	grant(f->d, REF, 0, DATA_GFN, GTF_permit_access | GTF_reading | GTF_writing);
	assert_int_equal(sim_gnttab_copy_to(f->d, 0, REF, 4000, buf, sizeof(buf)),
			 GNTST_bad_copy_arg);
	assert_int_equal(flags_of(f->d, REF), GTF_permit_access);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_a_read_copy_clears_a_stray_reading_flag_and_keeps_writing, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_a_write_copy_clears_stray_reading_and_writing_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_a_write_copy_of_a_read_only_mapping_keeps_it_mapped_for_reading, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_a_read_copy_of_a_writable_mapping_leaves_its_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_refused_copy_leaves_the_entry_as_it_was,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_a_copy_failing_after_the_checks_leaves_the_flags_released, setup,
			teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
