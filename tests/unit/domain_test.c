/*
 * A simulated domain's life (sim/domain.c, sim/console.c) as a misbehaving
 * guest and the toolstack see it: the memory map it asks Xen for, a console
 * ring it corrupts, and its destruction and re-creation under the same domid.
 *
 * The guest's side is played from here through the public hypercalls,
 * HYPERVISOR_memory_op and HYPERVISOR_event_channel_op, with the domain made
 * "current" by shim_set_current(), exactly as a booted guest calls them. The
 * test links the few shim files those need (shim.c, trace.c, memory_op.c,
 * event_channel_op.c).
 *
 * Each test gets a fresh simulator (virtual clock) with one guest, domid 1,
 * whose console output goes to a pipe the test reads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <xen/errno.h>
#include <xen/event_channel.h>
#include <xen/hvm/params.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/xen.h>
#include <xen/arch-x86/hvm/start_info.h>
#include <xen/io/console.h>

#include "hypercall_shim/shim.h"
#include "runtime/include/uk/hypercall.h"
#include "sim/domain.h"
#include "sim/evtchn.h"
#include "sim/sim.h"
#include "sim/toolstack/toolstack.h"
#include "sim_fixture.h"

#define E820_ENTRY_SIZE 20 /* addr, size (8 bytes each), type (4) */

struct fixture {
	struct sim_fixture sf;
	struct sim *sim;
	struct sim_domain *d;
	struct sim_domain_config dc; /* d's, to build it again */
	int console;                 /* what the guest wrote on its console, non-blocking */
	unsigned int shutdowns;      /* on_shutdown calls */
	struct sim_domain *shut_down; /* the domain on_shutdown was called for */
};

static void count_shutdown(struct sim_domain *d, void *arg)
{
	struct fixture *f = arg;

	f->shutdowns++;
	f->shut_down = d;
}

static int make(void **state, bool strict)
{
	static struct fixture f;
	struct sim_fixture_options o = { .strict = strict, .console_pipe = true,
					 .on_shutdown = count_shutdown, .on_shutdown_arg = &f };

	memset(&f, 0, sizeof(f));
	if (sim_fixture_create(&f.sf, &o) < 0)
		return -1;
	f.sim = f.sf.sim;
	f.d = f.sf.guest[0];
	f.console = f.sf.console_read;
	f.dc = (struct sim_domain_config){ .domid = 1, .name = "one", .mem_bytes = 4 << 20 };
	shim_set_current(f.d);
	*state = &f;
	return 0;
}

static int setup(void **state)
{
	return make(state, false);
}

static int setup_strict(void **state)
{
	return make(state, true);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	shim_set_current(NULL);
	sim_fixture_destroy(&f->sf);
	return 0;
}

/* --- helpers --- */

static struct hvm_start_info *start_info(struct sim_domain *d)
{
	return (void *)(d->ram + sim_domain_start_info_paddr(d));
}

static struct xencons_interface *console_ring(struct sim_domain *d)
{
	struct xencons_interface *c = sim_domain_gfn_to_page(d, d->hvm_param[HVM_PARAM_CONSOLE_PFN]);

	assert_non_null(c);
	return c;
}

/* EVTCHNOP_send on the domain's console port, as the guest notifies its backend. */
static long notify_console(struct sim_domain *d)
{
	struct evtchn_send s = { .port = d->console.guest_port };

	shim_set_current(d);
	return HYPERVISOR_event_channel_op(EVTCHNOP_send, &s);
}

/* dom0's ports that are not closed, and those of them that name domid peer. */
static unsigned int dom0_ports_in_use(struct sim *sim, domid_t peer, unsigned int *for_peer)
{
	struct sim_domain *dom0 = sim_domain_lookup(sim, 0);
	unsigned int n = 0;

	assert_non_null(dom0);
	*for_peer = 0;
	for (evtchn_port_t p = 1; p < dom0->evtchn.nr_ports; p++) {
		const struct sim_evtchn *c = &dom0->evtchn.ports[p];

		if (c->state == EVTCHNSTAT_closed)
			continue;
		n++;
		if ((c->state == EVTCHNSTAT_unbound || c->state == EVTCHNSTAT_interdomain) &&
		    c->remote_dom == peer)
			(*for_peer)++;
	}
	return n;
}

/* --- XENMEM_memory_map --- */

static void test_memory_map_comes_from_the_domains_copy_not_the_guests_start_info(void **state)
{
	struct fixture *f = *state;
	struct sim_domain *d = f->d;
	struct hvm_start_info *si = start_info(d);
	struct hvm_memmap_table_entry want[2];
	uint8_t out[8 * E820_ENTRY_SIZE];
	struct xen_memory_map m;
	unsigned int nr_want = si->memmap_entries;
	uint8_t *junk;

	/* What the domain booted with: the map the start info pointed at. */
	assert_int_equal(nr_want, 2);
	memcpy(want, d->ram + si->memmap_paddr, sizeof(want));
	assert_int_equal(want[0].type, XEN_HVM_MEMMAP_TYPE_RAM);

	/* The start info is the guest's own page: it points it at junk of its own... */
	junk = d->ram + SIM_RAM_START;
	memset(junk, 0xee, 4096);
	si->memmap_paddr = SIM_RAM_START;
	si->memmap_entries = 100;
	memset(out, 0, sizeof(out));
	m = (struct xen_memory_map){ .nr_entries = 8 };
	set_xen_guest_handle(m.buffer, out);
	assert_int_equal(HYPERVISOR_memory_op(XENMEM_memory_map, &m), 0);
	assert_int_equal(m.nr_entries, nr_want);
	for (unsigned int i = 0; i < nr_want; i++) {
		const uint8_t *e = out + i * E820_ENTRY_SIZE;
		uint64_t addr, size;
		uint32_t type;

		memcpy(&addr, e, 8);
		memcpy(&size, e + 8, 8);
		memcpy(&type, e + 16, 4);
		assert_int_equal(addr, want[i].addr);
		assert_int_equal(size, want[i].size);
		assert_int_equal(type, want[i].type);
	}
	/* Nothing beyond the real map was written. */
	for (size_t i = nr_want * E820_ENTRY_SIZE; i < sizeof(out); i++)
		assert_int_equal(out[i], 0);

	/* ...or far outside its RAM (the host's memory, were Xen to follow it). */
	si->memmap_paddr = 0x7fffffff000ULL;
	si->memmap_entries = 4;
	memset(out, 0, sizeof(out));
	m = (struct xen_memory_map){ .nr_entries = 4 };
	set_xen_guest_handle(m.buffer, out);
	assert_int_equal(HYPERVISOR_memory_op(XENMEM_memory_map, &m), 0);
	assert_int_equal(m.nr_entries, nr_want);
	assert_memory_equal(out, &want[0].addr, 8);
}

/* --- the console ring --- */

static void test_a_corrupt_console_ring_under_strict_shuts_the_domain_down_once(void **state)
{
	struct fixture *f = *state;
	struct sim_domain *d = f->d;
	struct xencons_interface *c = console_ring(d);
	char buf[64];

	/* out_prod far beyond out_cons + the ring's size: nothing in it can be trusted. */
	c->out_cons = 0;
	c->out_prod = 100000;
	notify_console(d);
	/* Reported once, shut down once (a crash), and the drain at shutdown did
	 * not find the same corruption again and recurse. */
	assert_int_equal(d->violations, 1);
	assert_true(sim_domain_is_shut_down(d));
	assert_int_equal(d->shutdown_reason, SHUTDOWN_crash);
	assert_int_equal(f->shutdowns, 1);
	assert_ptr_equal(f->shut_down, d);
	/* The ring's contents were discarded, not printed. */
	assert_int_equal(c->out_cons, 100000);
	assert_int_equal(read(f->console, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EAGAIN);
}

/* --- destroying a domain --- */

/* dom0's ports that are not closed but name domid peer and still have a backend handler. */
static unsigned int dom0_handlers_for(struct sim *sim, domid_t peer)
{
	struct sim_domain *dom0 = sim_domain_lookup(sim, 0);
	unsigned int n = 0;

	for (evtchn_port_t p = 1; p < dom0->evtchn.nr_ports; p++) {
		const struct sim_evtchn *c = &dom0->evtchn.ports[p];

		if (c->state != EVTCHNSTAT_closed && c->remote_dom == peer && c->handler)
			n++;
	}
	return n;
}

static void test_destroying_a_domain_unhooks_dom0s_backends_and_its_successor_has_a_console(
	void **state)
{
	struct fixture *f = *state;
	struct xencons_interface *c;
	char buf[64];
	ssize_t len;

	assert_true(dom0_handlers_for(f->sim, 1) >= 2); /* the console and xenstore backends */
	for (int round = 0; round < 3; round++) {
		sim_domain_destroy(f->d);
		f->d = NULL;
		shim_set_current(NULL);
		/* No dom0 port is left to call into the freed backends. */
		assert_int_equal(dom0_handlers_for(f->sim, 1), 0);
		assert_int_equal(sim_toolstack_build_domain(f->sim, &f->dc, &f->d), 0);
	}

	/* The domain created with the same domid has a console that reaches its backend. */
	c = console_ring(f->d);
	memcpy(c->out, "hello", 5);
	c->out_prod = 5;
	assert_int_equal(notify_console(f->d), 0);
	assert_int_equal(f->d->violations, 0);
	len = read(f->console, buf, sizeof(buf));
	assert_int_equal(len, 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(c->out_cons, 5);
}

/*
 * Not done yet (expected to fail, see CMakeLists.txt): sim_domain_destroy
 * closes dom0's ends first, then the guest's own ports, and closing a
 * guest's interdomain port puts dom0's (already closed) end back to unbound
 * for the dead domid. So every destroy leaves dom0 two ports in use.
 */
static void test_a_domain_destroyed_and_created_again_leaves_dom0_no_extra_ports(void **state)
{
	struct fixture *f = *state;
	unsigned int with_one, for_one, n, for_peer;

	with_one = dom0_ports_in_use(f->sim, 1, &for_one);
	assert_true(for_one >= 2); /* at least the console and the xenstore ring */
	for (int round = 0; round < 3; round++) {
		sim_domain_destroy(f->d);
		f->d = NULL;
		shim_set_current(NULL);
		n = dom0_ports_in_use(f->sim, 1, &for_peer);
		assert_int_equal(for_peer, 0);
		assert_int_equal(n, with_one - for_one);
		assert_int_equal(sim_toolstack_build_domain(f->sim, &f->dc, &f->d), 0);
		n = dom0_ports_in_use(f->sim, 1, &for_peer);
		assert_int_equal(for_peer, for_one);
		assert_int_equal(n, with_one);
	}
}

/* --- what the hypervisor keeps: params, and powering off from outside --- */

static void test_a_guest_may_set_only_the_params_xen_allows(void **state)
{
	struct fixture *f = *state;
	uint64_t v;

	assert_int_equal(sim_domain_get_param(f->d, HVM_PARAM_STORE_PFN, &v), 0);
	assert_int_equal(sim_domain_guest_set_param(f->d, HVM_PARAM_STORE_PFN, 5), -XEN_EPERM);
	assert_int_equal(sim_domain_get_param(f->d, HVM_PARAM_STORE_PFN, &v), 0);
	assert_int_equal(v, sim_domain_special_gfn(f->d, SIM_PAGE_XENSTORE));
	assert_int_equal(sim_domain_guest_set_param(f->d, HVM_PARAM_CALLBACK_IRQ, 7), 0);
	assert_int_equal(sim_domain_get_param(f->d, HVM_PARAM_CALLBACK_IRQ, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(sim_domain_guest_set_param(f->d, HVM_NR_PARAMS, 1), -XEN_EINVAL);
	assert_int_equal(sim_domain_set_param(f->d, HVM_NR_PARAMS, 1), -XEN_EINVAL);
	assert_int_equal(sim_domain_get_param(f->d, HVM_NR_PARAMS, &v), -XEN_EINVAL);
}

static void test_power_off_from_outside_gives_its_status_and_calls_on_shutdown_once(void **state)
{
	struct fixture *f = *state;

	sim_domain_power_off(f->d, 124);
	sim_domain_power_off(f->d, 9);
	sim_domain_shutdown(f->d, SHUTDOWN_crash);
	assert_true(sim_domain_is_shut_down(f->d));
	assert_int_equal(f->d->shutdown_reason, SHUTDOWN_poweroff);
	assert_int_equal(f->d->exit_status, 124);
	assert_int_equal(f->shutdowns, 1);
	assert_ptr_equal(f->shut_down, f->d);
}

static void test_a_bare_domain_has_ram_and_tables_but_no_rings_until_the_toolstack_builds_it(
	void **state)
{
	struct fixture *f = *state;
	struct sim_domain_config dc = { .domid = 2, .name = "bare", .mem_bytes = 4 << 20 };
	struct sim_domain *d;
	uint64_t v;

	assert_int_equal(sim_domain_create(f->sim, &dc, &d), 0);
	assert_ptr_equal(sim_domain_lookup(f->sim, 2), d);
	assert_int_equal(sim_domain_nr_pages(d), 1024);
	assert_int_equal(sim_domain_get_param(d, HVM_PARAM_STORE_PFN, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(sim_domain_create(f->sim, &dc, &(struct sim_domain *){ NULL }), -EEXIST);
	sim_domain_destroy(d);
	assert_null(sim_domain_lookup(f->sim, 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_memory_map_comes_from_the_domains_copy_not_the_guests_start_info,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_a_corrupt_console_ring_under_strict_shuts_the_domain_down_once,
			setup_strict, teardown),
		cmocka_unit_test_setup_teardown(
			test_destroying_a_domain_unhooks_dom0s_backends_and_its_successor_has_a_console,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_a_domain_destroyed_and_created_again_leaves_dom0_no_extra_ports,
			setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_guest_may_set_only_the_params_xen_allows,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_power_off_from_outside_gives_its_status_and_calls_on_shutdown_once,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_a_bare_domain_has_ram_and_tables_but_no_rings_until_the_toolstack_builds_it,
			setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
