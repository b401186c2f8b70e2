/*
 * The simulator's grant tables (sim/gnttab.c) against Xen 4.17's checks,
 * order and status codes (xen/common/grant_table.c, version 1).
 *
 * Each test gets a fresh simulator (virtual clock) with guest domains 1 and
 * 2 of 4 MiB. Nothing runs in the guests: the tests play the guest's part by
 * writing entries into domain 1's RAM the way a guest does (domid and frame,
 * then flags), after placing table frame 0 at TABLE_GFN with
 * sim_gnttab_place_frame, as XENMEM_add_to_physmap does. They then act as a
 * backend in dom0 (accessor 0) through the sim_gnttab_* calls.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <xen/errno.h>

#include "gnttab_fixture.h"

static void fill(uint8_t *p, uint8_t seed)
{
	for (int i = 0; i < PAGE; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

/* --- placing the table (XENMEM_add_to_physmap) --- */

static void test_a_new_table_has_one_frame_of_at_most_64(void **state)
{
	struct fixture *f = *state;
	uint32_t nr, max;

	sim_gnttab_query_size(f->d2, &nr, &max);
	assert_int_equal(nr, 1);
	assert_int_equal(max, 64);
}

static void test_placing_frame_64_or_beyond_is_einval(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(sim_gnttab_place_frame(f->d, 64, TABLE_GFN + 1), -XEN_EINVAL);
	assert_int_equal(sim_gnttab_place_frame(f->d, 63, TABLE_GFN + 1), 0);
	assert_int_equal(f->d->gnttab.nr_frames, 64);
}

static void test_placing_a_frame_outside_guest_ram_is_einval(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(sim_gnttab_place_frame(f->d, 1, 0x10), -XEN_EINVAL);
	assert_int_equal(sim_gnttab_place_frame(f->d, 1, sim_domain_last_gfn(f->d) + 1),
			 -XEN_EINVAL);
	assert_int_equal(f->d->gnttab.nr_frames, 1);
}

static void test_a_new_frame_reads_as_zero(void **state)
{
	struct fixture *f = *state;
	uint8_t *p = page_of(f->d, TABLE_GFN + 1);
	static const uint8_t zero[PAGE];

	memset(p, 0xff, PAGE);
	assert_int_equal(sim_gnttab_place_frame(f->d, 1, TABLE_GFN + 1), 0);
	assert_memory_equal(p, zero, PAGE);
	assert_int_equal(f->d->gnttab.nr_frames, 2);
}

static void test_placing_a_later_frame_grows_the_table_over_the_gap(void **state)
{
	struct fixture *f = *state;
	uint32_t nr, max;
	void *page;

	assert_int_equal(sim_gnttab_place_frame(f->d, 3, TABLE_GFN + 3), 0);
	sim_gnttab_query_size(f->d, &nr, &max);
	assert_int_equal(nr, 4);
	/* Frames 1 and 2 exist, unplaced: their entries read as GTF_invalid. */
	assert_int_equal(sim_gnttab_map(f->d, 0, 2 * PER_FRAME, true, &page, &(grant_handle_t){0}),
			 GNTST_general_error);
	grant(f->d, 3 * PER_FRAME, 0, DATA_GFN, GTF_permit_access);
	assert_int_equal(sim_gnttab_copy_from(f->d, 0, 3 * PER_FRAME, 0, &(char){0}, 1),
			 GNTST_okay);
	assert_int_equal(sim_gnttab_copy_from(f->d, 0, 4 * PER_FRAME, 0, &(char){0}, 1),
			 GNTST_bad_gntref);
}

static void test_placing_a_frame_again_moves_it_with_its_entries(void **state)
{
	struct fixture *f = *state;
	uint8_t byte;

	fill(page_of(f->d, DATA_GFN), 1);
	grant(f->d, REF, 0, DATA_GFN, GTF_permit_access | GTF_readonly);
	assert_int_equal(sim_gnttab_place_frame(f->d, 0, TABLE_GFN + 9), 0);
	assert_int_equal(f->d->gnttab.frame[0], TABLE_GFN + 9);
	assert_int_equal(ent(f->d, REF)->flags, GTF_permit_access | GTF_readonly);
	assert_int_equal(ent(f->d, REF)->frame, DATA_GFN);
	assert_int_equal(sim_gnttab_copy_from(f->d, 0, REF, 0, &byte, 1), GNTST_okay);
	assert_int_equal(byte, 1);
	/* The old page is plain RAM again: writing it changes no entry. */
	memset(page_of(f->d, TABLE_GFN), 0, PAGE);
	assert_int_equal(sim_gnttab_copy_from(f->d, 0, REF, 0, &byte, 1), GNTST_okay);
}

static void test_placing_a_frame_over_another_frame_is_refused_and_reported(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(sim_gnttab_place_frame(f->d, 1, TABLE_GFN), -XEN_EINVAL);
	assert_int_equal(f->d->violations, 1);
	assert_int_equal(f->d->gnttab.nr_frames, 1);
}

static void test_placing_a_frame_over_shared_info_is_refused_and_reported(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(sim_domain_place_shared_info(f->d, TABLE_GFN + 5), 0);
	assert_int_equal(sim_gnttab_place_frame(f->d, 1, TABLE_GFN + 5), -XEN_EINVAL);
	assert_int_equal(f->d->violations, 1);
}

/* --- status codes, in Xen's order --- */

static void test_a_missing_domain_is_bad_domain(void **state)
{
	uint8_t buf[4];
	void *page;
	grant_handle_t h;

	assert_int_equal(sim_gnttab_copy_from(NULL, 0, REF, 0, buf, 4), GNTST_bad_domain);
	assert_int_equal(sim_gnttab_copy_to(NULL, 0, REF, 0, buf, 4), GNTST_bad_domain);
	assert_int_equal(sim_gnttab_map(NULL, 0, REF, true, &page, &h), GNTST_bad_domain);
}

static void test_a_ref_beyond_the_tables_frames_is_bad_gntref(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[4] = { 0 };
	void *page;
	grant_handle_t h;

	assert_int_equal(sim_gnttab_copy_from(f->d, 0, PER_FRAME, 0, buf, 4), GNTST_bad_gntref);
	assert_int_equal(sim_gnttab_copy_to(f->d, 0, PER_FRAME, 0, buf, 4), GNTST_bad_gntref);
	assert_int_equal(sim_gnttab_map(f->d, 0, PER_FRAME, true, &page, &h), GNTST_bad_gntref);
	assert_int_equal(sim_gnttab_map(f->d, 0, UINT32_MAX, true, &page, &h), GNTST_bad_gntref);
	/* The last entry of the frame exists (and is empty). */
	assert_int_equal(sim_gnttab_copy_from(f->d, 0, PER_FRAME - 1, 0, buf, 4),
			 GNTST_general_error);
}

static void test_an_entry_that_is_not_permit_access_is_general_error(void **state)
{
	struct fixture *f = *state;
	static const uint16_t types[] = { GTF_invalid, GTF_accept_transfer, GTF_transitive };
	uint8_t buf[4];
	void *page;
	grant_handle_t h;

	for (unsigned int i = 0; i < 3; i++) {
		grant(f->d, REF, 0, DATA_GFN, types[i]);
		assert_int_equal(sim_gnttab_copy_from(f->d, 0, REF, 0, buf, 4),
				 GNTST_general_error);
		assert_int_equal(sim_gnttab_map(f->d, 0, REF, true, &page, &h),
				 GNTST_general_error);
		assert_int_equal(flags_of(f->d, REF), types[i]);
	}
}

static void test_an_entry_for_another_domain_is_general_error(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[4] = { 0 };
	void *page;
	grant_handle_t h;

	grant(f->d, REF, 2, DATA_GFN, GTF_permit_access);
	assert_int_equal(sim_gnttab_copy_from(f->d, 0, REF, 0, buf, 4), GNTST_general_error);
	assert_int_equal(sim_gnttab_copy_to(f->d, 0, REF, 0, buf, 4), GNTST_general_error);
	assert_int_equal(sim_gnttab_map(f->d, 0, REF, false, &page, &h), GNTST_general_error);
	/* The domain it names may use it. */
	assert_int_equal(sim_gnttab_copy_from(f->d, 2, REF, 0, buf, 4), GNTST_okay);
	assert_int_equal(flags_of(f->d, REF), GTF_permit_access);
}

static void test_a_readonly_entry_refuses_writes_and_allows_reads(void **state)
{
	struct fixture *f = *state;
	uint8_t *data = page_of(f->d, DATA_GFN), before[PAGE], buf[16];
	void *page;
	grant_handle_t h;

	fill(data, 3);
	memcpy(before, data, PAGE);
	memset(buf, 0xaa, sizeof(buf));
	grant(f->d, REF, 0, DATA_GFN, GTF_permit_access | GTF_readonly);
	assert_int_equal(sim_gnttab_copy_to(f->d, 0, REF, 0, buf, 16), GNTST_general_error);
	assert_int_equal(sim_gnttab_map(f->d, 0, REF, false, &page, &h), GNTST_general_error);
	assert_memory_equal(data, before, PAGE);
	assert_int_equal(flags_of(f->d, REF), GTF_permit_access | GTF_readonly);

	assert_int_equal(sim_gnttab_copy_from(f->d, 0, REF, 0, buf, 16), GNTST_okay);
	assert_int_equal(sim_gnttab_map(f->d, 0, REF, true, &page, &h), GNTST_okay);
	/* Pinned read-only, a writable map is still refused. */
	assert_int_equal(sim_gnttab_map(f->d, 0, REF, false, &page, &(grant_handle_t){0}),
			 GNTST_general_error);
	assert_int_equal(sim_gnttab_unmap(f->d, h), GNTST_okay);
}

static void test_a_sub_page_entry_may_be_copied_but_not_mapped(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[4];
	void *page;
	grant_handle_t h;

	grant(f->d, REF, 0, DATA_GFN, GTF_permit_access | GTF_sub_page);
	assert_int_equal(sim_gnttab_map(f->d, 0, REF, true, &page, &h), GNTST_general_error);
	assert_int_equal(sim_gnttab_copy_from(f->d, 0, REF, 0, buf, 4), GNTST_okay);
}

static void test_a_frame_outside_guest_ram_is_bad_page_and_leaves_no_flags(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[4] = { 0 };
	void *page;
	grant_handle_t h;

	grant(f->d, REF, 0, 0x10, GTF_permit_access);
	assert_int_equal(sim_gnttab_copy_from(f->d, 0, REF, 0, buf, 4), GNTST_bad_page);
	assert_int_equal(sim_gnttab_copy_to(f->d, 0, REF, 0, buf, 4), GNTST_bad_page);
	assert_int_equal(sim_gnttab_map(f->d, 0, REF, false, &page, &h), GNTST_bad_page);
	grant(f->d, REF, 0, sim_domain_last_gfn(f->d) + 1, GTF_permit_access);
	assert_int_equal(sim_gnttab_map(f->d, 0, REF, true, &page, &h), GNTST_bad_page);
	assert_int_equal(flags_of(f->d, REF), GTF_permit_access);
}

static void test_a_copy_beyond_the_page_is_bad_copy_arg(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[200] = { 0 };

	grant(f->d, REF, 0, DATA_GFN, GTF_permit_access);
	assert_int_equal(sim_gnttab_copy_from(f->d, 0, REF, 4000, buf, 97), GNTST_bad_copy_arg);
	assert_int_equal(sim_gnttab_copy_to(f->d, 0, REF, 4000, buf, 97), GNTST_bad_copy_arg);
	assert_int_equal(sim_gnttab_copy_to(f->d, 0, REF, 0xffff, buf, 1), GNTST_bad_copy_arg);
	assert_int_equal(sim_gnttab_copy_from(f->d, 0, REF, 4000, buf, 96), GNTST_okay);
	assert_int_equal(sim_gnttab_copy_to(f->d, 0, REF, 0, buf, 0), GNTST_okay);
	assert_int_equal(flags_of(f->d, REF), GTF_permit_access);
}

static void test_the_entry_is_checked_before_the_copy_bounds(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[200] = { 0 };

	grant(f->d, REF, 2, DATA_GFN, GTF_permit_access);
	assert_int_equal(sim_gnttab_copy_from(f->d, 0, REF, 4000, buf, 200), GNTST_general_error);
	grant(f->d, REF, 0, 0x10, GTF_permit_access);
	assert_int_equal(sim_gnttab_copy_to(f->d, 0, REF, 4000, buf, 200), GNTST_bad_page);
}

static void test_unmapping_a_handle_that_is_not_mapped_is_bad_handle(void **state)
{
	struct fixture *f = *state;
	void *page;
	grant_handle_t h;

	assert_int_equal(sim_gnttab_unmap(f->d, 0), GNTST_bad_handle);
	assert_int_equal(sim_gnttab_unmap(f->d, SIM_GNTTAB_MAX_MAPS), GNTST_bad_handle);
	assert_int_equal(sim_gnttab_unmap(f->d, UINT32_MAX), GNTST_bad_handle);
	grant(f->d, REF, 0, DATA_GFN, GTF_permit_access);
	assert_int_equal(sim_gnttab_map(f->d, 0, REF, false, &page, &h), GNTST_okay);
	assert_int_equal(sim_gnttab_unmap(f->d, h), GNTST_okay);
	assert_int_equal(sim_gnttab_unmap(f->d, h), GNTST_bad_handle);
}

static void test_running_out_of_handles_is_no_device_space_even_for_a_bad_ref(void **state)
{
	struct fixture *f = *state;
	static grant_handle_t h[SIM_GNTTAB_MAX_MAPS];
	void *page;

	/* 1025 references need three frames. */
	assert_int_equal(sim_gnttab_place_frame(f->d, 1, TABLE_GFN + 1), 0);
	assert_int_equal(sim_gnttab_place_frame(f->d, 2, TABLE_GFN + 2), 0);
	for (grant_ref_t r = 0; r <= SIM_GNTTAB_MAX_MAPS; r++)
		grant(f->d, r, 0, DATA_GFN, GTF_permit_access | GTF_readonly);
	for (grant_ref_t r = 0; r < SIM_GNTTAB_MAX_MAPS; r++)
		assert_int_equal(sim_gnttab_map(f->d, 0, r, true, &page, &h[r]), GNTST_okay);
	assert_int_equal(sim_gnttab_map(f->d, 0, SIM_GNTTAB_MAX_MAPS, true, &page,
					&(grant_handle_t){0}),
			 GNTST_no_device_space);
	/* Xen takes a handle before it looks at the reference. */
	assert_int_equal(sim_gnttab_map(f->d, 0, 99999, true, &page, &(grant_handle_t){0}),
			 GNTST_no_device_space);
	/* Copies need no handle. */
	assert_int_equal(sim_gnttab_copy_from(f->d, 0, SIM_GNTTAB_MAX_MAPS, 0, &(char){0}, 1),
			 GNTST_okay);
	for (grant_ref_t r = 0; r < SIM_GNTTAB_MAX_MAPS; r++)
		assert_int_equal(sim_gnttab_unmap(f->d, h[r]), GNTST_okay);
	assert_int_equal(flags_of(f->d, 0), GTF_permit_access | GTF_readonly);
	assert_int_equal(sim_gnttab_map(f->d, 0, SIM_GNTTAB_MAX_MAPS, true, &page, &h[0]),
			 GNTST_okay);
	assert_int_equal(sim_gnttab_unmap(f->d, h[0]), GNTST_okay);
}

static void test_a_ref_takes_at_most_128_mappings_of_a_kind(void **state)
{
	struct fixture *f = *state;
	grant_handle_t h[129];
	void *page;

	grant(f->d, REF, 0, DATA_GFN, GTF_permit_access);
	for (int i = 0; i < 128; i++)
		assert_int_equal(sim_gnttab_map(f->d, 0, REF, true, &page, &h[i]), GNTST_okay);
	/* Xen's 8-bit pin counter refuses once its top bit is set, for any kind. */
	assert_int_equal(sim_gnttab_map(f->d, 0, REF, true, &page, &h[128]), GNTST_general_error);
	assert_int_equal(sim_gnttab_map(f->d, 0, REF, false, &page, &h[128]), GNTST_general_error);
	assert_int_equal(sim_gnttab_unmap(f->d, h[0]), GNTST_okay);
	assert_int_equal(sim_gnttab_map(f->d, 0, REF, false, &page, &h[0]), GNTST_okay);
	for (int i = 0; i < 128; i++)
		assert_int_equal(sim_gnttab_unmap(f->d, h[i]), GNTST_okay);
	assert_int_equal(flags_of(f->d, REF), GTF_permit_access);
}

static void test_a_mapped_ref_cannot_be_used_by_another_domain(void **state)
{
	struct fixture *f = *state;
	void *page;
	grant_handle_t h;

	grant(f->d, REF, 0, DATA_GFN, GTF_permit_access);
	assert_int_equal(sim_gnttab_map(f->d, 0, REF, true, &page, &h), GNTST_okay);
	assert_int_equal(sim_gnttab_copy_from(f->d, 2, REF, 0, &(char){0}, 1),
			 GNTST_general_error);
	assert_int_equal(sim_gnttab_map(f->d, 2, REF, true, &page, &(grant_handle_t){0}),
			 GNTST_general_error);
	assert_int_equal(sim_gnttab_unmap(f->d, h), GNTST_okay);
}

/* --- GTF_reading and GTF_writing --- */

static void test_a_readonly_mapping_sets_gtf_reading_until_its_unmap(void **state)
{
	struct fixture *f = *state;
	void *page;
	grant_handle_t h;

	grant(f->d, REF, 0, DATA_GFN, GTF_permit_access);
	assert_int_equal(sim_gnttab_map(f->d, 0, REF, true, &page, &h), GNTST_okay);
	assert_int_equal(flags_of(f->d, REF), GTF_permit_access | GTF_reading);
	assert_int_equal(sim_gnttab_unmap(f->d, h), GNTST_okay);
	assert_int_equal(flags_of(f->d, REF), GTF_permit_access);
}

static void test_a_writable_mapping_sets_gtf_writing_until_its_unmap(void **state)
{
	struct fixture *f = *state;
	void *page;
	grant_handle_t ro, rw;

	grant(f->d, REF, 0, DATA_GFN, GTF_permit_access);
	assert_int_equal(sim_gnttab_map(f->d, 0, REF, true, &page, &ro), GNTST_okay);
	assert_int_equal(sim_gnttab_map(f->d, 0, REF, false, &page, &rw), GNTST_okay);
	assert_int_equal(flags_of(f->d, REF), GTF_permit_access | GTF_reading | GTF_writing);
	assert_int_equal(sim_gnttab_unmap(f->d, rw), GNTST_okay);
	assert_int_equal(flags_of(f->d, REF), GTF_permit_access | GTF_reading);
	assert_int_equal(sim_gnttab_unmap(f->d, ro), GNTST_okay);
	assert_int_equal(flags_of(f->d, REF), GTF_permit_access);
}

static void test_the_flags_clear_only_when_the_last_mapping_ends(void **state)
{
	struct fixture *f = *state;
	void *page;
	grant_handle_t a, b;

	grant(f->d, REF, 0, DATA_GFN, GTF_permit_access);
	assert_int_equal(sim_gnttab_map(f->d, 0, REF, false, &page, &a), GNTST_okay);
	assert_int_equal(sim_gnttab_map(f->d, 0, REF, false, &page, &b), GNTST_okay);
	assert_int_not_equal(a, b);
	assert_int_equal(sim_gnttab_unmap(f->d, a), GNTST_okay);
	assert_int_equal(flags_of(f->d, REF), GTF_permit_access | GTF_reading | GTF_writing);
	assert_int_equal(sim_gnttab_unmap(f->d, b), GNTST_okay);
	assert_int_equal(flags_of(f->d, REF), GTF_permit_access);
}

static void test_a_copy_leaves_the_flags_as_it_found_them(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[8] = { 0 };
	void *page;
	grant_handle_t h;

	grant(f->d, REF, 0, DATA_GFN, GTF_permit_access);
	assert_int_equal(sim_gnttab_copy_from(f->d, 0, REF, 0, buf, 8), GNTST_okay);
	assert_int_equal(sim_gnttab_copy_to(f->d, 0, REF, 0, buf, 8), GNTST_okay);
	assert_int_equal(flags_of(f->d, REF), GTF_permit_access);
	assert_int_equal(sim_gnttab_map(f->d, 0, REF, true, &page, &h), GNTST_okay);
	assert_int_equal(sim_gnttab_copy_to(f->d, 0, REF, 0, buf, 8), GNTST_okay);
	assert_int_equal(flags_of(f->d, REF), GTF_permit_access | GTF_reading);
	assert_int_equal(sim_gnttab_unmap(f->d, h), GNTST_okay);
}

static void test_acquire_pins_like_a_mapping_until_release(void **state)
{
	struct fixture *f = *state;
	void *page;

	grant(f->d, REF, 0, DATA_GFN, GTF_permit_access);
	assert_int_equal(sim_gnttab_acquire(f->d, 0, REF, false, &page), GNTST_okay);
	assert_ptr_equal(page, page_of(f->d, DATA_GFN));
	assert_int_equal(flags_of(f->d, REF), GTF_permit_access | GTF_reading | GTF_writing);
	sim_gnttab_release(f->d, REF, false);
	assert_int_equal(flags_of(f->d, REF), GTF_permit_access);
}

/* --- data --- */

static void test_a_mapping_is_the_granted_page(void **state)
{
	struct fixture *f = *state;
	void *page;
	grant_handle_t h;

	grant(f->d, REF, 0, DATA_GFN + 1, GTF_permit_access);
	assert_int_equal(sim_gnttab_map(f->d, 0, REF, false, &page, &h), GNTST_okay);
	assert_ptr_equal(page, page_of(f->d, DATA_GFN + 1));
	((uint8_t *)page)[77] = 0x5a;
	assert_int_equal(page_of(f->d, DATA_GFN + 1)[77], 0x5a);
	assert_int_equal(sim_gnttab_unmap(f->d, h), GNTST_okay);
}

static void test_copy_from_reads_the_bytes_at_the_offset(void **state)
{
	struct fixture *f = *state;
	uint8_t *data = page_of(f->d, DATA_GFN), buf[50];

	fill(data, 9);
	grant(f->d, REF, 0, DATA_GFN, GTF_permit_access | GTF_readonly);
	assert_int_equal(sim_gnttab_copy_from(f->d, 0, REF, 100, buf, 50), GNTST_okay);
	assert_memory_equal(buf, data + 100, 50);
	assert_int_equal(sim_gnttab_copy_from(f->d, 0, REF, 4046, buf, 50), GNTST_okay);
	assert_memory_equal(buf, data + 4046, 50);
}

static void test_copy_to_writes_the_bytes_at_the_offset_and_nothing_else(void **state)
{
	struct fixture *f = *state;
	uint8_t *data = page_of(f->d, DATA_GFN), before[PAGE], buf[50];

	fill(data, 5);
	memcpy(before, data, PAGE);
	memset(buf, 0xee, sizeof(buf));
	grant(f->d, REF, 0, DATA_GFN, GTF_permit_access);
	assert_int_equal(sim_gnttab_copy_to(f->d, 0, REF, 300, buf, 50), GNTST_okay);
	assert_memory_equal(data, before, 300);
	assert_memory_equal(data + 300, buf, 50);
	assert_memory_equal(data + 350, before + 350, PAGE - 350);
}

/* --- misuse a real backend would suffer --- */

static void test_a_guest_that_revokes_a_mapped_grant_is_reported(void **state)
{
	struct fixture *f = *state;
	void *page;
	grant_handle_t h;

	grant(f->d, REF, 0, DATA_GFN, GTF_permit_access);
	assert_int_equal(sim_gnttab_map(f->d, 0, REF, false, &page, &h), GNTST_okay);
	__atomic_store_n(&ent(f->d, REF)->flags, 0, __ATOMIC_SEQ_CST);
	assert_int_equal(f->d->violations, 0);
	assert_int_equal(sim_gnttab_unmap(f->d, h), GNTST_okay);
	assert_int_equal(f->d->violations, 1);
	assert_int_equal(flags_of(f->d, REF), 0);
}

static void test_a_guest_that_regrants_a_mapped_ref_is_reported(void **state)
{
	struct fixture *f = *state;
	void *page;
	grant_handle_t h;

	grant(f->d, REF, 0, DATA_GFN, GTF_permit_access);
	assert_int_equal(sim_gnttab_map(f->d, 0, REF, true, &page, &h), GNTST_okay);
	grant(f->d, REF, 2, DATA_GFN + 1, GTF_permit_access);
	/* A second use of the pinned entry notices too. */
	assert_int_equal(sim_gnttab_copy_from(f->d, 0, REF, 0, &(char){0}, 1), GNTST_okay);
	assert_int_equal(f->d->violations, 1);
	assert_int_equal(sim_gnttab_unmap(f->d, h), GNTST_okay);
	assert_int_equal(f->d->violations, 2);
}

static void test_a_guest_that_follows_the_protocol_is_not_reported(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[16] = { 0 };
	void *page;
	grant_handle_t h;

	grant(f->d, REF, 0, DATA_GFN, GTF_permit_access);
	assert_int_equal(sim_gnttab_map(f->d, 0, REF, false, &page, &h), GNTST_okay);
	assert_int_equal(sim_gnttab_copy_to(f->d, 0, REF, 0, buf, 16), GNTST_okay);
	assert_int_equal(sim_gnttab_unmap(f->d, h), GNTST_okay);
	/* Ended the way the guest runtime does it, then granted anew. */
	__atomic_store_n(&ent(f->d, REF)->flags, 0, __ATOMIC_SEQ_CST);
	grant(f->d, REF, 2, DATA_GFN, GTF_permit_access);
	assert_int_equal(sim_gnttab_copy_from(f->d, 2, REF, 0, buf, 16), GNTST_okay);
	assert_int_equal(f->d->violations, 0);
}

/* --- GNTTABOP_setup_table and the handle check of an unmap --- */

static void test_setup_table_grows_the_table_and_lists_each_frames_gfn(void **state)
{
	struct fixture *f = *state;
	xen_pfn_t gfns[3];

	assert_int_equal(sim_gnttab_setup_table(f->d, 3, gfns), GNTST_okay);
	assert_int_equal(f->d->gnttab.nr_frames, 3);
	assert_int_equal(gfns[0], TABLE_GFN);
	assert_int_equal(gfns[1], ~(xen_pfn_t)0); /* grown, not placed: INVALID_GFN */
	assert_int_equal(gfns[2], ~(xen_pfn_t)0);
}

static void test_setup_table_never_shrinks_the_table(void **state)
{
	struct fixture *f = *state;
	xen_pfn_t gfns[4];

	assert_int_equal(sim_gnttab_place_frame(f->d, 3, TABLE_GFN + 3), 0);
	assert_int_equal(sim_gnttab_setup_table(f->d, 1, gfns), GNTST_okay);
	assert_int_equal(f->d->gnttab.nr_frames, 4);
	assert_int_equal(gfns[0], TABLE_GFN);
	assert_int_equal(sim_gnttab_setup_table(f->d, 0, NULL), GNTST_okay);
	assert_int_equal(f->d->gnttab.nr_frames, 4);
}

static void test_setup_table_beyond_64_frames_is_general_error_and_changes_nothing(void **state)
{
	struct fixture *f = *state;
	xen_pfn_t gfns[SIM_GNTTAB_MAX_FRAMES + 1];

	assert_int_equal(sim_gnttab_setup_table(f->d, SIM_GNTTAB_MAX_FRAMES + 1, gfns),
			 GNTST_general_error);
	assert_int_equal(f->d->gnttab.nr_frames, 1);
	assert_int_equal(sim_gnttab_setup_table(f->d, SIM_GNTTAB_MAX_FRAMES, gfns), GNTST_okay);
	assert_int_equal(f->d->gnttab.nr_frames, SIM_GNTTAB_MAX_FRAMES);
}

static void test_a_handle_is_mapped_only_by_the_domain_that_mapped_it(void **state)
{
	struct fixture *f = *state;
	grant_handle_t h;
	void *page;

	grant(f->d, REF, 2, DATA_GFN, GTF_permit_access);
	assert_int_equal(sim_gnttab_map(f->d, 2, REF, false, &page, &h), GNTST_okay);
	assert_true(sim_gnttab_is_mapped_by(f->d, h, 2));
	assert_false(sim_gnttab_is_mapped_by(f->d, h, 0));
	assert_false(sim_gnttab_is_mapped_by(f->d, h + 1, 2));
	assert_false(sim_gnttab_is_mapped_by(f->d, SIM_GNTTAB_MAX_MAPS, 2));
	assert_false(sim_gnttab_is_mapped_by(NULL, h, 2));
	assert_int_equal(sim_gnttab_unmap(f->d, h), GNTST_okay);
	assert_false(sim_gnttab_is_mapped_by(f->d, h, 2));
}

static void test_status_names_are_xens(void **state)
{
	assert_string_equal(sim_gnttab_status_name(GNTST_okay), "GNTST_okay");
	assert_string_equal(sim_gnttab_status_name(GNTST_bad_gntref), "GNTST_bad_gntref");
	assert_string_equal(sim_gnttab_status_name(GNTST_bad_copy_arg), "GNTST_bad_copy_arg");
	assert_string_equal(sim_gnttab_status_name(GNTST_no_device_space),
			    "GNTST_no_device_space");
	assert_string_equal(sim_gnttab_status_name(-99), "GNTST_unknown");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_a_new_table_has_one_frame_of_at_most_64),
		T(test_placing_frame_64_or_beyond_is_einval),
		T(test_placing_a_frame_outside_guest_ram_is_einval),
		T(test_a_new_frame_reads_as_zero),
		T(test_placing_a_later_frame_grows_the_table_over_the_gap),
		T(test_placing_a_frame_again_moves_it_with_its_entries),
		T(test_placing_a_frame_over_another_frame_is_refused_and_reported),
		T(test_placing_a_frame_over_shared_info_is_refused_and_reported),
		T(test_a_missing_domain_is_bad_domain),
		T(test_a_ref_beyond_the_tables_frames_is_bad_gntref),
		T(test_an_entry_that_is_not_permit_access_is_general_error),
		T(test_an_entry_for_another_domain_is_general_error),
		T(test_a_readonly_entry_refuses_writes_and_allows_reads),
		T(test_a_sub_page_entry_may_be_copied_but_not_mapped),
		T(test_a_frame_outside_guest_ram_is_bad_page_and_leaves_no_flags),
		T(test_a_copy_beyond_the_page_is_bad_copy_arg),
		T(test_the_entry_is_checked_before_the_copy_bounds),
		T(test_unmapping_a_handle_that_is_not_mapped_is_bad_handle),
		T(test_running_out_of_handles_is_no_device_space_even_for_a_bad_ref),
		T(test_a_ref_takes_at_most_128_mappings_of_a_kind),
		T(test_a_mapped_ref_cannot_be_used_by_another_domain),
		T(test_a_readonly_mapping_sets_gtf_reading_until_its_unmap),
		T(test_a_writable_mapping_sets_gtf_writing_until_its_unmap),
		T(test_the_flags_clear_only_when_the_last_mapping_ends),
		T(test_a_copy_leaves_the_flags_as_it_found_them),
		T(test_acquire_pins_like_a_mapping_until_release),
		T(test_a_mapping_is_the_granted_page),
		T(test_copy_from_reads_the_bytes_at_the_offset),
		T(test_copy_to_writes_the_bytes_at_the_offset_and_nothing_else),
		T(test_a_guest_that_revokes_a_mapped_grant_is_reported),
		T(test_a_guest_that_regrants_a_mapped_ref_is_reported),
		T(test_a_guest_that_follows_the_protocol_is_not_reported),
		T(test_setup_table_grows_the_table_and_lists_each_frames_gfn),
		T(test_setup_table_never_shrinks_the_table),
		T(test_setup_table_beyond_64_frames_is_general_error_and_changes_nothing),
		T(test_a_handle_is_mapped_only_by_the_domain_that_mapped_it),
		T(test_status_names_are_xens),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
