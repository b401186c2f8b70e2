/*
 * The simulator's side of a hypercall runs on the simulator's own stack
 * (sim/stack.h, hypercall_shim/stack_switch.S), not on the calling guest
 * thread's. A unikernel with one vif on the test-only stackprobe backend
 * (sim_stack_probe.c), which records where it runs.
 *
 * Run with "-- overflow ...", app_main instead makes the backend recurse
 * into the stack's guard page: the process must end with the fault
 * handler's "simulator stack overflow" report (CMakeLists.txt checks it).
 * With "-- fault ...", the backend writes through a NULL pointer: the
 * report must blame the simulator, not the guest.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>
#include <valgrind/valgrind.h>

#include "hypercall_shim/shim.h"
#include "net/include/net/net.h"
#include "net/include/net/socket.h"
#include "runtime/include/uk/boot.h"
#include "runtime/include/uk/sched.h"
#include "runtime/include/uk/time.h"
#include "sim_stack_probe.h"

const char uk_app_name[] = "sim_stack_test";

/* Each send to a new address of the subnet: its ARP request leaves at once (nobody answers). */
static uint8_t next_host = 1;

static struct net_socket *sock;

static bool in_guest_ram(uintptr_t a)
{
	const struct sim_domain *d = shim_current();

	return a >= (uintptr_t)d->ram && a < (uintptr_t)d->ram + d->ram_bytes;
}

/* One datagram, whose ARP request reaches the backend from this thread. */
static void send_one(void)
{
	assert_int_equal(net_sendto(sock, "x", 1, IP4_ADDR(10, 0, 0, next_host++), 9), 1);
}

static void test_a_guest_threads_send_runs_the_backend_on_the_simulator_stack(void **state)
{
	volatile uint8_t mine = 0;
	unsigned int before = sim_stack_probe.frames;

	send_one();
	assert_true(sim_stack_probe.frames > before);
	assert_true(in_guest_ram((uintptr_t)&mine)); /* this thread runs in guest RAM */
	assert_true(sim_stack_contains(&shim_current()->stack, (void *)sim_stack_probe.sp));
	assert_false(in_guest_ram(sim_stack_probe.sp));
}

static void test_the_switch_keeps_the_guests_stack_pointer_in_the_top_slot(void **state)
{
	volatile uint8_t mine = 0;
	uintptr_t slot;

	send_one();
	slot = (uintptr_t)sim_stack_probe.slot_before;
	/* The send's caller was this thread: its stack pointer was a little below `mine`. */
	assert_true(slot < (uintptr_t)&mine && (uintptr_t)&mine - slot < 16 * 1024);
}

static void test_a_hypercall_made_on_the_simulator_stack_does_not_switch_again(void **state)
{
	send_one();
	assert_int_equal(sim_stack_probe.nested_rc, (4 << 16) | 17); /* Xen 4.17 */
	/* A second switch would have overwritten the outer call's saved stack pointer. */
	assert_true(sim_stack_probe.slot_after == sim_stack_probe.slot_before);
}

static void test_the_simulator_stack_lies_below_guest_ram_for_gdb(void **state)
{
	const struct sim_domain *d = shim_current();

	assert_int_equal(d->stack.top - d->stack.map, SIM_STACK_BYTES + 4096);
	assert_int_equal((uintptr_t)d->stack.top % 16, 0);
	/* valgrind places mappings its own way (sim/stack.c): gdb is not run under it. */
	if (RUNNING_ON_VALGRIND)
		skip();
	/* gdb walks from the simulator's frames to the guest's only upwards (sim/stack.c). */
	assert_true(d->stack.top <= d->ram);
}

static int probe_setup(void **state)
{
	return net_socket(NET_SOCK_DGRAM, &sock) < 0 || net_bind(sock, IP4_ANY, 7) < 0 ? -1 : 0;
}

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_guest_threads_send_runs_the_backend_on_the_simulator_stack),
		cmocka_unit_test(test_the_switch_keeps_the_guests_stack_pointer_in_the_top_slot),
		cmocka_unit_test(test_a_hypercall_made_on_the_simulator_stack_does_not_switch_again),
		cmocka_unit_test(test_the_simulator_stack_lies_below_guest_ram_for_gdb),
	};

	if (net_init(argc, argv, uk_now_ns() + UK_NSEC_PER_SEC) < 0)
		return 1;
	if (argc > 1 && (!strcmp(argv[1], "overflow") || !strcmp(argv[1], "fault"))) {
		sim_stack_probe.overflow = !strcmp(argv[1], "overflow");
		sim_stack_probe.fault = !strcmp(argv[1], "fault");
		probe_setup(NULL);
		send_one();
		return 3; /* not reached: the fault ends the process */
	}
	return cmocka_run_group_tests(tests, probe_setup, NULL);
}
