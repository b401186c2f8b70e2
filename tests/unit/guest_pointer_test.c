/*
 * Guest pointers in hypercalls (issue 10, defect 6): a pointer the guest
 * passes that is not its memory gets -EFAULT and a violation report, as
 * Xen's copy_from_guest / copy_to_guest answer, and the simulator lives on.
 * Before the check, EVTCHNOP_send, console_io and memory_op with pointer
 * 0x10 crashed the simulator inside simulator code.
 *
 * The guest's side is played through the public HYPERVISOR_* calls with the
 * domain made current (shim_set_current), as a booted guest calls them.
 * Each test gets a fresh simulator (virtual clock) with one built guest.
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
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/version.h>
#include <xen/xen.h>

#include "hypercall_shim/shim.h"
#include "runtime/include/uk/hypercall.h"
#include "sim/domain.h"
#include "sim/sim.h"
#include "sim/toolstack/toolstack.h"
#include "sim_fixture.h"

#define WILD ((void *)0x10)
#define PAGE 4096

struct fixture {
	struct sim_fixture sf;
	struct sim *sim;
	struct sim_domain *d;
};

static int make(void **state, bool strict, bool trace)
{
	static struct fixture f;
	struct sim_fixture_options o = { .strict = strict, .trace_hypercalls = trace,
					 .console_pipe = true };

	memset(&f, 0, sizeof(f));
	if (sim_fixture_create(&f.sf, &o) < 0)
		return -1;
	f.sim = f.sf.sim;
	f.d = f.sf.guest[0];
	shim_set_current(f.d);
	*state = &f;
	return 0;
}

static int setup(void **state)
{
	return make(state, false, false);
}

static int setup_strict(void **state)
{
	return make(state, true, false);
}

static int setup_traced(void **state)
{
	return make(state, false, true);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	shim_set_current(NULL);
	sim_fixture_destroy(&f->sf);
	return 0;
}

/* The call returned -EFAULT, one more violation was reported, the domain runs. */
#define assert_efault_reported(f, call)                                          \
	do {                                                                     \
		unsigned int before_ = (f)->d->violations;                       \
		assert_int_equal((call), -XEN_EFAULT);                           \
		assert_int_equal((f)->d->violations, before_ + 1);               \
		assert_false(sim_domain_is_shut_down((f)->d));                   \
	} while (0)

/* A new unbound port of the guest's. */
static evtchn_port_t a_port(struct fixture *f)
{
	struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = 0 };

	assert_int_equal(HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a), 0);
	return a.port;
}

static void test_evtchnop_send_with_pointer_0x10_is_efault_and_reported(void **state)
{
	struct fixture *f = *state;

	assert_efault_reported(f, HYPERVISOR_event_channel_op(EVTCHNOP_send, WILD));
	assert_efault_reported(f, HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, WILD));
	assert_efault_reported(f, HYPERVISOR_event_channel_op(EVTCHNOP_status, WILD));
	/* The simulator still answers a good call. */
	struct evtchn_close c = { .port = a_port(f) };
	assert_int_equal(HYPERVISOR_event_channel_op(EVTCHNOP_close, &c), 0);
}

static void test_console_io_with_pointer_0x10_is_efault_and_reported(void **state)
{
	struct fixture *f = *state;

	assert_efault_reported(f, HYPERVISOR_console_io(CONSOLEIO_write, 5, WILD));
	assert_int_equal(HYPERVISOR_console_io(CONSOLEIO_write, 0, WILD), 0); /* nothing read */
	assert_int_equal(HYPERVISOR_console_io(CONSOLEIO_write, 3, "ok\n"), 0);
}

static void test_memory_op_with_pointer_0x10_is_efault_and_reported(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[8 * 20];
	struct xen_memory_map m = { .nr_entries = 8 };

	assert_efault_reported(f, HYPERVISOR_memory_op(XENMEM_memory_map, WILD));
	assert_efault_reported(f, HYPERVISOR_memory_op(XENMEM_add_to_physmap, WILD));
	assert_efault_reported(f, HYPERVISOR_memory_op(XENMEM_current_reservation, WILD));
	/* A good argument whose buffer is wild. */
	set_xen_guest_handle(m.buffer, WILD);
	assert_efault_reported(f, HYPERVISOR_memory_op(XENMEM_memory_map, &m));
	set_xen_guest_handle(m.buffer, buf);
	assert_int_equal(HYPERVISOR_memory_op(XENMEM_memory_map, &m), 0);
	assert_int_equal(m.nr_entries, 2);
}

static void test_every_hypercall_with_a_struct_refuses_pointer_0x10(void **state)
{
	struct fixture *f = *state;
	struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 2 };
	evtchn_port_t ports[1] = { 0 };
	struct sched_poll poll = { .nr_ports = 1, .timeout = 1 };

	assert_efault_reported(f, HYPERVISOR_hvm_op(HVMOP_get_param, WILD));
	assert_efault_reported(f, HYPERVISOR_grant_table_op(GNTTABOP_query_size, WILD, 1));
	assert_efault_reported(f, HYPERVISOR_grant_table_op(GNTTABOP_copy, WILD, 1));
	set_xen_guest_handle(st.frame_list, WILD);
	assert_efault_reported(f, HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1));
	assert_efault_reported(f, HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, WILD));
	assert_efault_reported(f, HYPERVISOR_xen_version(XENVER_extraversion, WILD));
	assert_efault_reported(f, HYPERVISOR_sched_op(SCHEDOP_shutdown, WILD));
	set_xen_guest_handle(poll.ports, WILD);
	assert_efault_reported(f, HYPERVISOR_sched_op(SCHEDOP_poll, &poll));
	set_xen_guest_handle(poll.ports, ports);
	assert_int_equal(HYPERVISOR_sched_op(SCHEDOP_poll, &poll), 0);
}

static void test_guest_ram_below_1_mib_and_past_its_end_is_not_guest_memory(void **state)
{
	struct fixture *f = *state;
	uint8_t *ram = sim_domain_gfn_to_page(f->d, SIM_RAM_START / PAGE);
	uint8_t *end = sim_domain_gfn_to_page(f->d, sim_domain_last_gfn(f->d)) + PAGE;

	assert_efault_reported(f, sim_domain_guest_access(f->d, ram - 64, 16, false, "below"));
	assert_efault_reported(f, sim_domain_guest_access(f->d, ram - 8, 16, false, "across"));
	assert_efault_reported(f, sim_domain_guest_access(f->d, end - 8, 16, true, "past"));
	assert_int_equal(sim_domain_guest_access(f->d, ram, PAGE, true, "first"), 0);
	assert_int_equal(sim_domain_guest_access(f->d, end - 16, 16, true, "last"), 0);
}

static void test_read_only_memory_may_be_read_but_not_written(void **state)
{
	struct fixture *f = *state;
	static const char text[] = "constant";
	char stack[16] = "x";

	assert_int_equal(sim_domain_guest_access(f->d, text, sizeof(text), false, "ro"), 0);
	assert_efault_reported(f, sim_domain_guest_access(f->d, text, sizeof(text), true, "ro"));
	assert_efault_reported(f, HYPERVISOR_xen_version(XENVER_extraversion, (void *)text));
	assert_int_equal(sim_domain_guest_access(f->d, stack, sizeof(stack), true, "stack"), 0);
	assert_string_equal(stack, "x"); /* the probe wrote back what was there */
}

static void test_a_range_that_wraps_or_starts_at_null_is_efault(void **state)
{
	struct fixture *f = *state;

	assert_efault_reported(f, sim_domain_guest_access(f->d, (void *)(UINTPTR_MAX - 7), 16,
							  false, "wrap"));
	assert_efault_reported(f, sim_domain_guest_access(f->d, NULL, 1, false, "null"));
	assert_int_equal(sim_domain_guest_access(f->d, NULL, 0, false, "empty"), 0);
}

static void test_a_wild_pointer_under_strict_crashes_the_domain_not_the_simulator(void **state)
{
	struct fixture *f = *state;

	/* --strict: the same report, then the domain crashes. */
	assert_int_equal(HYPERVISOR_event_channel_op(EVTCHNOP_send, WILD), -XEN_EFAULT);
	assert_true(sim_domain_is_shut_down(f->d));
	assert_int_equal(f->d->shutdown_reason, SHUTDOWN_crash);
}

/* --trace-hypercalls decodes arguments: it must not follow a pointer the call refused. */
static void test_tracing_a_refused_call_reads_nothing_and_reports_once(void **state)
{
	struct fixture *f = *state;

	assert_efault_reported(f, HYPERVISOR_sched_op(SCHEDOP_shutdown, WILD));
	assert_efault_reported(f, HYPERVISOR_memory_op(XENMEM_add_to_physmap, WILD));
	assert_efault_reported(f, HYPERVISOR_hvm_op(HVMOP_set_param, WILD));
	assert_efault_reported(f, HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, WILD));
	assert_efault_reported(f, HYPERVISOR_grant_table_op(GNTTABOP_setup_table, WILD, 1));
	assert_efault_reported(f, HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, WILD, 1));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_evtchnop_send_with_pointer_0x10_is_efault_and_reported),
		T(test_console_io_with_pointer_0x10_is_efault_and_reported),
		T(test_memory_op_with_pointer_0x10_is_efault_and_reported),
		T(test_every_hypercall_with_a_struct_refuses_pointer_0x10),
		T(test_guest_ram_below_1_mib_and_past_its_end_is_not_guest_memory),
		T(test_read_only_memory_may_be_read_but_not_written),
		T(test_a_range_that_wraps_or_starts_at_null_is_efault),
		cmocka_unit_test_setup_teardown(
			test_a_wild_pointer_under_strict_crashes_the_domain_not_the_simulator,
			setup_strict, teardown),
		cmocka_unit_test_setup_teardown(
			test_tracing_a_refused_call_reads_nothing_and_reports_once, setup_traced,
			teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
