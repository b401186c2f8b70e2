/*
 * A guest thread whose recursion never ends runs down through guest RAM
 * until it leaves it; on Xen it then faults in the guest. The simulator's
 * own stack (sim/stack.h) lies just below the domain's RAM, for gdb, with
 * a PROT_NONE gap in between: the fault must be the guest's crash, not
 * the simulator's stack overflow or "a drydock bug" (sim/host/fault.c).
 *
 * Run with "-- runaway", app_main recurses without end; CMakeLists.txt
 * checks the report. Otherwise a CMocka group checks the gap.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <valgrind/valgrind.h>

#include "hypercall_shim/shim.h"
#include "runtime/include/uk/boot.h"

const char uk_app_name[] = "guest_stack_runaway_test";

/* Runs off its stack long before depth wraps; each frame is kept (no tail call). */
static __attribute__((noinline)) unsigned long dive(unsigned long depth)
{
	volatile uint8_t frame[256];

	if (depth == ~0UL)
		return 0;
	frame[0] = (uint8_t)depth;
	return dive(depth + 1) + frame[0];
}

static void test_a_gap_lies_between_the_simulator_stack_and_guest_ram(void **state)
{
	const struct sim_domain *d = shim_current();

	(void)state;
	/* valgrind places mappings its own way (sim/stack.c): the stack is elsewhere. */
	if (RUNNING_ON_VALGRIND)
		skip();
	assert_true(d->stack.top + SIM_STACK_GAP_BYTES <= d->ram);
	assert_true(d->stack.top + SIM_STACK_GAP_BYTES == d->stack.map + d->stack.map_bytes);
}

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_gap_lies_between_the_simulator_stack_and_guest_ram),
	};

	if (argc > 1 && !strcmp(argv[1], "runaway"))
		return (int)dive(0); /* not returned from: the fault ends the process */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
