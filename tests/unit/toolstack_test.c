/*
 * The toolstack (sim/toolstack/): building a domain as libxl does, creating
 * one from a whole configuration with every failure undone, and --timeout
 * on guest time.
 *
 * Each test gets a fresh simulator on the virtual clock with no on_shutdown
 * hook, so a powered-off domain is only marked and the test can look at it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xen/arch-x86/hvm/start_info.h>
#include <xen/hvm/params.h>
#include <xen/sched.h>

#include "sim/domain.h"
#include "sim/evtchn.h"
#include "sim/sim.h"
#include "sim/toolstack/timeout.h"
#include "sim/toolstack/toolstack.h"
#include "sim/xenstored/xs_store.h"
#include "sim_checks.h"
#include "sim_fixture.h"

#define SEC 1000000000ULL
#define PAGE 4096

struct fixture {
	struct sim_fixture sf;
	struct sim *sim;
	struct sim_toolstack_config cfg;
};

static int setup(void **state)
{
	static struct fixture f;
	struct sim_fixture_options o = { .no_guests = true, .console_pipe = true };

	memset(&f, 0, sizeof(f));
	if (sim_fixture_create(&f.sf, &o) < 0)
		return -1;
	f.sim = f.sf.sim;
	f.cfg.sim = *sim_config(f.sim);
	f.cfg.dom = (struct sim_domain_config){ .domid = 3, .name = "three",
						.mem_bytes = 4 << 20, .cmdline = "a b" };
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sim_fixture_destroy(&f->sf);
	sim_toolstack_config_free(&f->cfg);
	return 0;
}

/* --- building (sim_toolstack_build_domain) --- */

static void test_build_writes_start_info_with_the_command_line_and_memory_map(void **state)
{
	struct fixture *f = *state;
	struct sim_domain *d;

	assert_int_equal(sim_toolstack_build_domain(f->sim, &f->cfg.dom, &d), 0);
	uint64_t si_pa = sim_domain_start_info_paddr(d);
	const struct hvm_start_info *si = sim_domain_gfn_to_page(d, si_pa / PAGE);
	assert_int_equal(si->magic, XEN_HVM_START_MAGIC_VALUE);
	assert_string_equal((char *)sim_domain_gfn_to_page(d, si->cmdline_paddr / PAGE), "a b");
	assert_int_equal(si->memmap_entries, 2);
	const struct hvm_memmap_table_entry *mm;
	assert_int_equal(sim_domain_memory_map(d, &mm), 2);
	assert_int_equal(mm[0].addr, SIM_RAM_START);
	assert_int_equal(mm[0].type, XEN_HVM_MEMMAP_TYPE_RAM);
	assert_int_equal(mm[1].type, XEN_HVM_MEMMAP_TYPE_RESERVED);
	assert_int_equal(mm[1].addr + mm[1].size, 4 << 20);
}

static void test_build_sets_the_ring_params_and_introduces_the_domain(void **state)
{
	struct fixture *f = *state;
	struct sim_domain *d;
	uint64_t pfn, port;
	char *v;

	assert_int_equal(sim_toolstack_build_domain(f->sim, &f->cfg.dom, &d), 0);
	assert_int_equal(sim_domain_get_param(d, HVM_PARAM_STORE_PFN, &pfn), 0);
	assert_int_equal(pfn, sim_domain_special_gfn(d, SIM_PAGE_XENSTORE));
	assert_int_equal(sim_domain_get_param(d, HVM_PARAM_CONSOLE_PFN, &pfn), 0);
	assert_int_equal(pfn, sim_domain_special_gfn(d, SIM_PAGE_CONSOLE));
	assert_int_equal(sim_domain_get_param(d, HVM_PARAM_STORE_EVTCHN, &port), 0);
	assert_true(port != 0);
	assert_non_null(v = sim_xs_get(f->sim, "/local/domain/3/name"));
	assert_string_equal(v, "three");
	free(v);
}

static void test_build_refuses_a_command_line_over_4095_bytes_and_leaves_no_domain(void **state)
{
	struct fixture *f = *state;
	static char big[PAGE + 1];
	struct sim_domain *d = NULL;

	memset(big, 'x', PAGE);
	f->cfg.dom.cmdline = big;
	assert_int_equal(sim_toolstack_build_domain(f->sim, &f->cfg.dom, &d), -E2BIG);
	assert_null(sim_domain_lookup(f->sim, 3));
}

/* --- creating from a whole configuration (sim_toolstack_create_domain) --- */

static void test_create_writes_the_xs_entries_relative_to_the_domains_home(void **state)
{
	struct fixture *f = *state;
	struct sim_toolstack_domain td;
	char *v;

	f->cfg.xs_entries[f->cfg.nr_xs_entries++] = "data/x=1";
	f->cfg.xs_entries[f->cfg.nr_xs_entries++] = "/tool/y=2";
	assert_int_equal(sim_toolstack_create_domain(f->sim, &f->cfg, &td), 0);
	assert_non_null(td.dom);
	assert_non_null(v = sim_xs_get(f->sim, "/local/domain/3/data/x"));
	assert_string_equal(v, "1");
	free(v);
	assert_non_null(v = sim_xs_get(f->sim, "/tool/y"));
	assert_string_equal(v, "2");
	free(v);
	sim_toolstack_destroy_domain(&td);
	assert_null(sim_domain_lookup(f->sim, 3));
	assert_null(v = sim_xs_get(f->sim, "/local/domain/3/name"));
}

static void test_a_bad_xs_entry_fails_the_create_and_leaves_no_domain(void **state)
{
	struct fixture *f = *state;
	struct sim_toolstack_domain td;

	f->cfg.xs_entries[f->cfg.nr_xs_entries++] = "bad//path=1";
	assert_true(sim_toolstack_create_domain(f->sim, &f->cfg, &td) < 0);
	assert_null(td.dom);
	assert_null(sim_domain_lookup(f->sim, 3));
	assert_null(sim_xs_get(f->sim, "/local/domain/3/name"));
}

static void test_a_vif_that_cannot_open_fails_the_create_and_leaves_no_domain(void **state)
{
	struct fixture *f = *state;
	struct sim_toolstack_domain td;
	char err[128];

	assert_int_equal(vif_config_parse(&f->cfg.vifs[0], "null", err, sizeof(err)), 0);
	assert_int_equal(vif_config_parse(&f->cfg.vifs[1], "pcap=/nonexistent/x.pcap", err,
					  sizeof(err)), 0);
	f->cfg.vif_specs[0] = "null";
	f->cfg.vif_specs[1] = "pcap=/nonexistent/x.pcap";
	f->cfg.nr_vifs = 2;
	assert_true(sim_toolstack_create_domain(f->sim, &f->cfg, &td) < 0);
	assert_null(sim_domain_lookup(f->sim, 3));
	assert_null(sim_xs_get(f->sim, "/local/domain/0/backend/vif/3/0/state"));
}

static void test_a_domid_in_use_fails_the_create_and_keeps_the_first_domain(void **state)
{
	struct fixture *f = *state;
	struct sim_toolstack_domain one, two;

	assert_int_equal(sim_toolstack_create_domain(f->sim, &f->cfg, &one), 0);
	assert_int_equal(sim_toolstack_create_domain(f->sim, &f->cfg, &two), -EEXIST);
	assert_ptr_equal(sim_domain_lookup(f->sim, 3), one.dom);
	assert_false(sim_domain_is_shut_down(one.dom));
}

/* --- --timeout --- */

static void test_timeout_powers_the_domain_off_at_exactly_that_guest_time(void **state)
{
	struct fixture *f = *state;
	struct sim_toolstack_domain td;

	f->cfg.timeout_ns = 5 * SEC / 2;
	assert_int_equal(sim_toolstack_create_domain(f->sim, &f->cfg, &td), 0);
	/* A guest with a timer far away: time jumps to the timeout, not the timer. */
	sim_domain_set_timer(td.dom, 3600 * SEC);
	sim_run_until_event(f->sim, td.dom);
	assert_true(sim_domain_is_shut_down(td.dom));
	assert_int_equal(td.dom->shutdown_reason, SHUTDOWN_poweroff);
	assert_int_equal(td.dom->exit_status, SIM_TIMEOUT_EXIT_STATUS);
	assert_int_equal(sim_now_ns(f->sim), 5 * SEC / 2);
}

static void test_a_guest_woken_before_the_limit_runs_on_until_destroyed(void **state)
{
	struct fixture *f = *state;
	struct sim_toolstack_domain td;
	evtchn_port_t port;

	f->cfg.timeout_ns = 5 * SEC;
	assert_int_equal(sim_toolstack_create_domain(f->sim, &f->cfg, &td), 0);
	assert_int_equal(sim_evtchn_bind_virq(td.dom, VIRQ_TIMER, 0, &port), 0);
	sim_domain_set_timer(td.dom, 4 * SEC);
	sim_run_until_event(f->sim, td.dom); /* the guest's timer wakes it first */
	assert_int_equal(sim_now_ns(f->sim), 4 * SEC);
	assert_false(sim_domain_is_shut_down(td.dom));
	sim_toolstack_destroy_domain(&td); /* stops the timeout with the domain */
	assert_null(sim_domain_lookup(f->sim, 3));
}

static bool never(struct sim_domain *d, void *arg)
{
	return false;
}

static void test_no_timeout_means_no_limit(void **state)
{
	struct fixture *f = *state;
	struct sim_toolstack_domain td;

	assert_int_equal(sim_toolstack_create_domain(f->sim, &f->cfg, &td), 0);
	sim_run_until(f->sim, td.dom, 1000 * SEC, never, NULL);
	assert_int_equal(sim_now_ns(f->sim), 1000 * SEC);
	assert_false(sim_domain_is_shut_down(td.dom));
}

static void test_timeout_seconds_parse_with_decimals_down_to_the_ns(void **state)
{
	uint64_t ns;

	assert_int_equal(sim_timeout_parse_seconds("5", &ns), 0);
	assert_int_equal(ns, 5 * SEC);
	assert_int_equal(sim_timeout_parse_seconds("0.25", &ns), 0);
	assert_int_equal(ns, SEC / 4);
	assert_int_equal(sim_timeout_parse_seconds("1.000000001", &ns), 0);
	assert_int_equal(ns, SEC + 1);
	assert_int_equal(sim_timeout_parse_seconds("4294967295", &ns), 0);
	assert_int_equal(ns, 4294967295ULL * SEC);
}

static void test_timeout_seconds_refuse_zero_signs_units_and_excess(void **state)
{
	static const char *const bad[] = { "", "0", "0.0", "-1", "+1", "1s", "1.", ".5",
					   "1.0000000001", "4294967296", "4294967295.5", "1e3",
					   " 1", "99999999999999999999999" };
	uint64_t ns = 7;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(sim_timeout_parse_seconds(bad[i], &ns), -EINVAL);
		assert_int_equal(ns, 7);
	}
}

static void test_timeout_seconds_format_without_trailing_zeros(void **state)
{
	char buf[32];

	sim_timeout_format_seconds(5 * SEC, buf, sizeof(buf));
	assert_string_equal(buf, "5");
	sim_timeout_format_seconds(5 * SEC / 2, buf, sizeof(buf));
	assert_string_equal(buf, "2.5");
	sim_timeout_format_seconds(SEC / 1000, buf, sizeof(buf));
	assert_string_equal(buf, "0.001");
	sim_timeout_format_seconds(SEC + 1, buf, sizeof(buf));
	assert_string_equal(buf, "1.000000001");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_build_writes_start_info_with_the_command_line_and_memory_map),
		T(test_build_sets_the_ring_params_and_introduces_the_domain),
		T(test_build_refuses_a_command_line_over_4095_bytes_and_leaves_no_domain),
		T(test_create_writes_the_xs_entries_relative_to_the_domains_home),
		T(test_a_bad_xs_entry_fails_the_create_and_leaves_no_domain),
		T(test_a_vif_that_cannot_open_fails_the_create_and_leaves_no_domain),
		T(test_a_domid_in_use_fails_the_create_and_keeps_the_first_domain),
		T(test_timeout_powers_the_domain_off_at_exactly_that_guest_time),
		T(test_a_guest_woken_before_the_limit_runs_on_until_destroyed),
		T(test_no_timeout_means_no_limit),
		cmocka_unit_test(test_timeout_seconds_parse_with_decimals_down_to_the_ns),
		cmocka_unit_test(test_timeout_seconds_refuse_zero_signs_units_and_excess),
		cmocka_unit_test(test_timeout_seconds_format_without_trailing_zeros),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
