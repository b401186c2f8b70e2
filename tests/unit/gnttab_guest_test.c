/*
 * Grant tables from inside a running guest: runtime/gnttab.c, and the
 * grant-table hypercalls as the shim answers them (hypercall_shim/
 * grant_table_op.c over sim/gnttab.c).
 *
 * This test is a unikernel (see sched_test.c): sim/host/main.c boots the
 * simulated domain and app_main runs the CMocka group in the guest's main
 * thread. The tests also reach into the simulator through shim_current(),
 * to look at the table the way Xen reads it and to map grants as a backend
 * in dom0 would.
 *
 * Run with "-- double-end" or "-- bad-ref", app_main instead commits that
 * misuse, which must end the domain with a PANIC naming it.
 *
 * Every test gives back the references and guest memory it took.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>
#include <xen/errno.h>
#include <xen/grant_table.h>

#include "hypercall_shim/shim.h"
#include "runtime/include/uk/alloc.h"
#include "runtime/include/uk/boot.h"
#include "runtime/gnttab_private.h"
#include "runtime/include/uk/hypercall.h"
#include "sim/gnttab.h"

const char uk_app_name[] = "gnttab_guest_test";

#define PAGE 4096
#define PER_FRAME (PAGE / sizeof(grant_entry_v1_t))
#define FRAMES 16 /* what gnttab_init places */
#define NO_SUCH_DOMAIN 77

static struct sim_domain *self(void)
{
	return shim_current();
}

/* The guest frame of a guest address, from the simulator's side. */
static xen_pfn_t gfn_of(const void *va)
{
	return (xen_pfn_t)(((const uint8_t *)va - self()->ram) / PAGE);
}

/* The entry as Xen reads it: in the frame the guest placed. */
static const grant_entry_v1_t *xen_entry(grant_ref_t ref)
{
	const struct sim_gnttab *g = &self()->gnttab;
	const grant_entry_v1_t *frame;

	assert_true(ref / PER_FRAME < g->nr_frames);
	frame = sim_domain_gfn_to_page(self(), g->frame[ref / PER_FRAME]);
	assert_non_null(frame);
	return &frame[ref % PER_FRAME];
}

static uint8_t *new_page(uint8_t seed)
{
	uint8_t *p = uk_page_alloc(0);

	assert_non_null(p);
	for (int i = 0; i < PAGE; i++)
		p[i] = (uint8_t)(seed + i * 3);
	return p;
}

static grant_ref_t grant(domid_t to, const void *page, bool readonly)
{
	grant_ref_t ref;

	assert_int_equal(gnttab_grant_access(to, page, readonly, &ref), 0);
	return ref;
}

static unsigned int initial_free;
static struct uk_mem_stats baseline;

static struct uk_mem_stats mem_now(void)
{
	struct uk_mem_stats s;

	uk_mem_stats(&s);
	return s;
}

static int group_setup(void **state)
{
	/* Until sim/domain.c calls sim_gnttab_init: a calloc'd table has no frames. */
	if (self()->gnttab.nr_frames == 0)
		sim_gnttab_init(&self()->gnttab);
	/* Until boot.c calls it. */
	if (gnttab_init() < 0)
		return -1;
	initial_free = gnttab_free_count();
	return 0;
}

static int setup(void **state)
{
	baseline = mem_now();
	return gnttab_free_count() == initial_free ? 0 : -1;
}

static int teardown(void **state)
{
	assert_int_equal(gnttab_free_count(), initial_free);
	assert_int_equal(mem_now().pages_free, baseline.pages_free);
	return 0;
}

/* --- the runtime's grant table --- */

static void test_gnttab_init_again_returns_0_and_changes_nothing(void **state)
{
	unsigned int nr = self()->gnttab.nr_frames;

	assert_int_equal(gnttab_init(), 0);
	assert_int_equal(gnttab_free_count(), initial_free);
	assert_int_equal(self()->gnttab.nr_frames, nr);
	assert_int_equal(mem_now().pages_free, baseline.pages_free);
}

static void test_the_table_is_4_placed_frames_with_2040_free_refs(void **state)
{
	assert_int_equal(initial_free, FRAMES * PER_FRAME - GNTTAB_NR_RESERVED_ENTRIES);
	for (unsigned int i = 0; i < FRAMES; i++)
		assert_int_not_equal(self()->gnttab.frame[i], SIM_GNTTAB_NO_FRAME);
}

static void test_filling_the_table_hands_out_refs_8_up_then_enospc(void **state)
{
	static grant_ref_t refs[FRAMES * PER_FRAME];
	static bool seen[FRAMES * PER_FRAME];
	uint8_t *page = new_page(0);
	unsigned int n = 0;
	grant_ref_t extra;

	memset(seen, 0, sizeof(seen));
	while (n < initial_free) {
		refs[n] = grant(0, page, true);
		assert_in_range(refs[n], GNTTAB_NR_RESERVED_ENTRIES, FRAMES * PER_FRAME - 1);
		assert_false(seen[refs[n]]);
		seen[refs[n]] = true;
		n++;
	}
	assert_int_equal(gnttab_free_count(), 0);
	assert_int_equal(gnttab_grant_access(0, page, true, &extra), -ENOSPC);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(gnttab_end_access(refs[i]), 0);
	uk_page_free(page, 0);
}

static void test_grant_then_end_gives_the_ref_back(void **state)
{
	uint8_t *page = new_page(1);
	grant_ref_t ref = grant(0, page, false);

	assert_int_equal(gnttab_free_count(), initial_free - 1);
	assert_int_equal(gnttab_end_access(ref), 0);
	assert_int_equal(gnttab_free_count(), initial_free);
	assert_int_equal(xen_entry(ref)->flags, 0);
	/* And the reference is handed out again. */
	assert_int_equal(grant(0, page, false), ref);
	assert_int_equal(gnttab_end_access(ref), 0);
	uk_page_free(page, 0);
}

static void test_the_entry_is_what_xen_reads(void **state)
{
	uint8_t *page = new_page(2);
	grant_ref_t rw = grant(0, page, false), ro = grant(2, page, true);
	uint8_t buf[64];

	assert_int_equal(xen_entry(rw)->flags, GTF_permit_access);
	assert_int_equal(xen_entry(rw)->domid, 0);
	assert_int_equal(xen_entry(rw)->frame, gfn_of(page));
	assert_int_equal(xen_entry(ro)->flags, GTF_permit_access | GTF_readonly);
	assert_int_equal(xen_entry(ro)->domid, 2);
	assert_int_equal(xen_entry(ro)->frame, gfn_of(page));
	/* A backend in dom0 reads the page through it. */
	assert_int_equal(sim_gnttab_copy_from(self(), 0, rw, 100, buf, 64), GNTST_okay);
	assert_memory_equal(buf, page + 100, 64);
	assert_int_equal(gnttab_end_access(rw), 0);
	assert_int_equal(gnttab_end_access(ro), 0);
	uk_page_free(page, 0);
}

static void test_end_access_is_refused_while_the_backend_has_the_page_mapped(void **state)
{
	uint8_t *page = new_page(3);
	grant_ref_t ref = grant(0, page, false);
	grant_handle_t h;
	void *mapped;

	assert_int_equal(sim_gnttab_map(self(), 0, ref, false, &mapped, &h), GNTST_okay);
	assert_ptr_equal(mapped, page);
	assert_int_equal(gnttab_end_access(ref), -EBUSY);
	/* The grant stands: still valid, still in use, not given back. */
	assert_int_equal(xen_entry(ref)->flags, GTF_permit_access | GTF_reading | GTF_writing);
	assert_int_equal(gnttab_free_count(), initial_free - 1);
	assert_int_equal(sim_gnttab_unmap(self(), h), GNTST_okay);
	assert_int_equal(gnttab_end_access(ref), 0);
	assert_int_equal(self()->violations, 0);
	uk_page_free(page, 0);
}

static void test_end_access_is_refused_during_a_readonly_mapping_too(void **state)
{
	uint8_t *page = new_page(4);
	grant_ref_t ref = grant(0, page, true);
	grant_handle_t h;
	void *mapped;

	assert_int_equal(sim_gnttab_map(self(), 0, ref, true, &mapped, &h), GNTST_okay);
	assert_int_equal(gnttab_end_access(ref), -EBUSY);
	assert_int_equal(sim_gnttab_unmap(self(), h), GNTST_okay);
	assert_int_equal(gnttab_end_access(ref), 0);
	uk_page_free(page, 0);
}

static void test_a_readonly_grant_refuses_a_writable_map(void **state)
{
	uint8_t *page = new_page(5);
	grant_ref_t ref = grant(0, page, true);
	grant_handle_t h;
	void *mapped;

	assert_int_equal(sim_gnttab_map(self(), 0, ref, false, &mapped, &h), GNTST_general_error);
	assert_int_equal(sim_gnttab_copy_to(self(), 0, ref, 0, "x", 1), GNTST_general_error);
	assert_int_equal(xen_entry(ref)->flags, GTF_permit_access | GTF_readonly);
	assert_int_equal(sim_gnttab_map(self(), 0, ref, true, &mapped, &h), GNTST_okay);
	assert_int_equal(sim_gnttab_unmap(self(), h), GNTST_okay);
	assert_int_equal(gnttab_end_access(ref), 0);
	uk_page_free(page, 0);
}

/* --- the hypercalls --- */

static void test_query_size_reports_the_frames_and_the_maximum(void **state)
{
	struct gnttab_query_size q = { .dom = DOMID_SELF };

	assert_int_equal(HYPERVISOR_grant_table_op(GNTTABOP_query_size, &q, 1), 0);
	assert_int_equal(q.status, GNTST_okay);
	assert_int_equal(q.nr_frames, self()->gnttab.nr_frames);
	assert_true(q.nr_frames >= FRAMES);
	assert_int_equal(q.max_nr_frames, 64);
	q = (struct gnttab_query_size){ .dom = self()->domid };
	assert_int_equal(HYPERVISOR_grant_table_op(GNTTABOP_query_size, &q, 1), 0);
	assert_int_equal(q.status, GNTST_okay);
	/* A domU may not ask about others. */
	q = (struct gnttab_query_size){ .dom = 0 };
	assert_int_equal(HYPERVISOR_grant_table_op(GNTTABOP_query_size, &q, 1), 0);
	assert_int_equal(q.status, GNTST_permission_denied);
	q = (struct gnttab_query_size){ .dom = NO_SUCH_DOMAIN };
	assert_int_equal(HYPERVISOR_grant_table_op(GNTTABOP_query_size, &q, 1), 0);
	assert_int_equal(q.status, GNTST_bad_domain);
	assert_int_equal(HYPERVISOR_grant_table_op(GNTTABOP_query_size, &q, 2), -XEN_EINVAL);
	assert_int_equal(HYPERVISOR_grant_table_op(GNTTABOP_query_size, NULL, 1), -XEN_EFAULT);
}

static void test_only_grant_table_version_1_is_available(void **state)
{
	struct gnttab_set_version sv = { .version = 2 };
	struct gnttab_get_version gv = { .dom = DOMID_SELF };

	assert_int_equal(HYPERVISOR_grant_table_op(GNTTABOP_set_version, &sv, 1), -XEN_ENOSYS);
	assert_int_equal(sv.version, 1);
	sv.version = 3;
	assert_int_equal(HYPERVISOR_grant_table_op(GNTTABOP_set_version, &sv, 1), -XEN_EINVAL);
	assert_int_equal(sv.version, 1);
	assert_int_equal(HYPERVISOR_grant_table_op(GNTTABOP_set_version, &sv, 1), 0);
	assert_int_equal(HYPERVISOR_grant_table_op(GNTTABOP_get_version, &gv, 1), 0);
	assert_int_equal(gv.version, 1);
	gv.dom = NO_SUCH_DOMAIN;
	assert_int_equal(HYPERVISOR_grant_table_op(GNTTABOP_get_version, &gv, 1), -XEN_ESRCH);
	gv.dom = 0;
	assert_int_equal(HYPERVISOR_grant_table_op(GNTTABOP_get_version, &gv, 1), -XEN_EPERM);
}

static void test_unknown_commands_and_bad_buffers_are_refused(void **state)
{
	struct gnttab_copy c = { 0 };

	assert_int_equal(HYPERVISOR_grant_table_op(99, &c, 1), -XEN_ENOSYS);
	assert_int_equal(HYPERVISOR_grant_table_op(GNTTABOP_copy | (1u << 12), &c, 1),
			 -XEN_EINVAL);
	assert_int_equal(HYPERVISOR_grant_table_op(GNTTABOP_copy, &c, 0x80000000u), -XEN_EINVAL);
	assert_int_equal(HYPERVISOR_grant_table_op(GNTTABOP_copy, NULL, 1), -XEN_EFAULT);
	assert_int_equal(HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, NULL, 1), -XEN_EFAULT);
	assert_int_equal(HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, NULL, 1),
			 -XEN_EFAULT);
	assert_int_equal(HYPERVISOR_grant_table_op(GNTTABOP_copy, NULL, 0), 0);
}

static void test_the_guest_can_copy_through_its_own_grants(void **state)
{
	uint8_t *src = new_page(6), *dst = new_page(7), *before = new_page(7);
	grant_ref_t sref = grant(self()->domid, src, true), dref = grant(self()->domid, dst, false);
	struct gnttab_copy c[3] = {
		{ /* grant -> own frame */
			.source = { .u.ref = sref, .domid = DOMID_SELF, .offset = 10 },
			.dest = { .u.gmfn = gfn_of(dst), .domid = DOMID_SELF, .offset = 20 },
			.len = 100,
			.flags = GNTCOPY_source_gref,
		},
		{ /* own frame -> grant, beyond the page */
			.source = { .u.gmfn = gfn_of(src), .domid = DOMID_SELF, .offset = 0 },
			.dest = { .u.ref = dref, .domid = DOMID_SELF, .offset = 4090 },
			.len = 7,
			.flags = GNTCOPY_dest_gref,
		},
		{ /* a frame may be named only by DOMID_SELF */
			.source = { .u.gmfn = gfn_of(src), .domid = self()->domid },
			.dest = { .u.ref = dref, .domid = DOMID_SELF },
			.len = 1,
			.flags = GNTCOPY_dest_gref,
		},
	};

	assert_int_equal(HYPERVISOR_grant_table_op(GNTTABOP_copy, c, 3), 0);
	assert_int_equal(c[0].status, GNTST_okay);
	assert_int_equal(c[1].status, GNTST_bad_copy_arg);
	assert_int_equal(c[2].status, GNTST_permission_denied);
	assert_memory_equal(dst + 20, src + 10, 100);
	assert_memory_equal(dst, before, 20);
	assert_memory_equal(dst + 120, before + 120, PAGE - 120);
	/* Into a read-only grant: refused by its entry. */
	c[0] = (struct gnttab_copy){
		.source = { .u.gmfn = gfn_of(dst), .domid = DOMID_SELF },
		.dest = { .u.ref = sref, .domid = DOMID_SELF },
		.len = 1,
		.flags = GNTCOPY_dest_gref,
	};
	assert_int_equal(HYPERVISOR_grant_table_op(GNTTABOP_copy, c, 1), 0);
	assert_int_equal(c[0].status, GNTST_general_error);
	assert_int_equal(xen_entry(sref)->flags, GTF_permit_access | GTF_readonly);
	assert_int_equal(xen_entry(dref)->flags, GTF_permit_access);
	assert_int_equal(gnttab_end_access(sref), 0);
	assert_int_equal(gnttab_end_access(dref), 0);
	uk_page_free(src, 0);
	uk_page_free(dst, 0);
	uk_page_free(before, 0);
}

static void test_the_guest_can_map_its_own_grant_and_end_waits_for_the_unmap(void **state)
{
	uint8_t *page = new_page(8), *where = new_page(9);
	grant_ref_t ref = grant(self()->domid, page, false);
	struct gnttab_map_grant_ref m = {
		.host_addr = (uint64_t)gfn_of(where) * PAGE,
		.flags = GNTMAP_host_map,
		.ref = ref,
		.dom = self()->domid,
	};
	struct gnttab_unmap_grant_ref u = { .host_addr = m.host_addr };

	assert_int_equal(HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &m, 1), 0);
	assert_int_equal(m.status, GNTST_okay);
	assert_int_equal(m.dev_bus_addr, (uint64_t)gfn_of(page) * PAGE);
	assert_int_equal(gnttab_end_access(ref), -EBUSY);
	u.handle = m.handle;
	assert_int_equal(HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1), 0);
	assert_int_equal(u.status, GNTST_okay);
	assert_int_equal(HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1), 0);
	assert_int_equal(u.status, GNTST_bad_handle);
	assert_int_equal(gnttab_end_access(ref), 0);
	uk_page_free(page, 0);
	uk_page_free(where, 0);
}

static void test_map_checks_flags_domain_and_entry_per_element(void **state)
{
	uint8_t *page = new_page(10);
	grant_ref_t ro = grant(self()->domid, page, true);
	struct gnttab_map_grant_ref m[5] = {
		{ .flags = 0, .ref = ro, .dom = self()->domid },
		{ .flags = GNTMAP_host_map | GNTMAP_device_map, .ref = ro, .dom = self()->domid },
		{ .flags = GNTMAP_host_map, .ref = ro, .dom = DOMID_SELF },
		{ .flags = GNTMAP_host_map, .ref = ro, .dom = self()->domid },
		{ .flags = GNTMAP_host_map, .ref = 1u << 30, .dom = self()->domid },
	};

	assert_int_equal(HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, m, 5), 0);
	assert_int_equal(m[0].status, GNTST_bad_gntref);
	assert_int_equal(m[1].status, GNTST_general_error);
	assert_int_equal(m[2].status, GNTST_bad_domain);
	assert_int_equal(m[3].status, GNTST_general_error); /* writable map of a r/o grant */
	assert_int_equal(m[4].status, GNTST_bad_gntref);
	assert_int_equal(xen_entry(ro)->flags, GTF_permit_access | GTF_readonly);
	assert_int_equal(gnttab_end_access(ro), 0);
	uk_page_free(page, 0);
}

static void test_setup_table_lists_the_placed_frames_and_grows_the_table(void **state)
{
	const struct sim_gnttab *g = &self()->gnttab;
	unsigned int n = g->nr_frames + 1;
	xen_pfn_t list[SIM_GNTTAB_MAX_FRAMES + 1];
	struct gnttab_setup_table s = { .dom = DOMID_SELF, .nr_frames = n };

	set_xen_guest_handle(s.frame_list, list);
	assert_int_equal(HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &s, 1), 0);
	assert_int_equal(s.status, GNTST_okay);
	for (unsigned int i = 0; i < FRAMES; i++)
		assert_int_equal(list[i], g->frame[i]);
	assert_int_equal(list[n - 1], ~(xen_pfn_t)0); /* not placed: no gfn */
	assert_int_equal(g->nr_frames, n);
	s.nr_frames = SIM_GNTTAB_MAX_FRAMES + 1;
	assert_int_equal(HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &s, 1), 0);
	assert_int_equal(s.status, GNTST_general_error);
	s = (struct gnttab_setup_table){ .dom = 0, .nr_frames = 1 };
	set_xen_guest_handle(s.frame_list, list);
	assert_int_equal(HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &s, 1), 0);
	assert_int_equal(s.status, GNTST_permission_denied);
	s.nr_frames = 1;
	set_xen_guest_handle(s.frame_list, NULL);
	assert_int_equal(HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &s, 1), -XEN_EFAULT);
}

/* The misuse runs: each must end the domain with a PANIC. */
static int misuse(const char *what)
{
	uint8_t *page;
	grant_ref_t ref;

	if (gnttab_init() < 0 || !(page = uk_page_alloc(0)))
		return 2;
	if (!strcmp(what, "double-end")) {
		if (gnttab_grant_access(0, page, false, &ref) < 0 || gnttab_end_access(ref) < 0)
			return 2;
		gnttab_end_access(ref);
	} else if (!strcmp(what, "bad-ref")) {
		gnttab_end_access(GNTTAB_NR_RESERVED_ENTRIES - 1);
	}
	return 1; /* not reached when the runtime panics */
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_gnttab_init_again_returns_0_and_changes_nothing),
		T(test_the_table_is_4_placed_frames_with_2040_free_refs),
		T(test_filling_the_table_hands_out_refs_8_up_then_enospc),
		T(test_grant_then_end_gives_the_ref_back),
		T(test_the_entry_is_what_xen_reads),
		T(test_end_access_is_refused_while_the_backend_has_the_page_mapped),
		T(test_end_access_is_refused_during_a_readonly_mapping_too),
		T(test_a_readonly_grant_refuses_a_writable_map),
		T(test_query_size_reports_the_frames_and_the_maximum),
		T(test_only_grant_table_version_1_is_available),
		T(test_unknown_commands_and_bad_buffers_are_refused),
		T(test_the_guest_can_copy_through_its_own_grants),
		T(test_the_guest_can_map_its_own_grant_and_end_waits_for_the_unmap),
		T(test_map_checks_flags_domain_and_entry_per_element),
		T(test_setup_table_lists_the_placed_frames_and_grows_the_table),
	};

	if (argc > 1)
		return misuse(argv[1]);
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
