/*
 * The simulator's signal handlers (SIGINT, SIGTERM: sim/host/signals.c) run
 * on the process's alternate signal stack, never on the guest thread's stack
 * the signal happens to land on. A guest thread's stack is 128 KiB of guest
 * RAM: the kernel's signal frame (a kilobyte and more with the FPU state)
 * and the handler's frames written below a thread that is deep in its stack
 * would land on its canary and the guest memory under it, and the guest
 * would later panic for an overflow it never made. This is the stack_switch.S
 * reasoning for hypercalls, applied to the signals the simulator handles.
 *
 * Run with "-- deep-signal", app_main's thread goes down to DEEP_STACK_LEFT
 * bytes above its stack's bottom (deep_stack.h; a frame with the FPU state
 * of AVX-512 takes about 3 KiB), paints what lies below, and sends itself
 * SIGINT (the handler runs before kill returns), then prints whether the
 * paint and the canary stayed intact; CMakeLists.txt checks that line. The
 * SIGINT asks the guest to power off, which then happens. Otherwise a CMocka
 * group checks the handlers' flags.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "runtime/include/uk/boot.h"
#include "runtime/include/uk/time.h"
#include "deep_stack.h"

const char uk_app_name[] = "sim_signal_stack_test";

static struct deep_stack_found found;

/* The handler runs before kill returns. */
static void signal_self(void)
{
	kill(getpid(), SIGINT);
}

static void test_sigint_and_sigterm_run_on_the_alternate_signal_stack(void **state)
{
	const int sigs[] = { SIGINT, SIGTERM };
	stack_t ss;

	(void)state;
	assert_int_equal(sigaltstack(NULL, &ss), 0);
	assert_false(ss.ss_flags & SS_DISABLE);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction sa;

		assert_int_equal(sigaction(sigs[i], NULL, &sa), 0);
		assert_true(sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN);
		assert_true(sa.sa_flags & SA_ONSTACK);
	}
}

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sigint_and_sigterm_run_on_the_alternate_signal_stack),
	};

	if (argc > 1 && !strcmp(argv[1], "deep-signal")) {
		kill(getpid(), 0); /* kill's lazy binding done up here (it saves the FPU state too) */
		deep_stack_run(signal_self, &found);
		if (found.paint_intact && found.canary_intact)
			printf("deep-signal: the %zu bytes under the thread were left alone\n",
			       found.painted);
		else
			printf("deep-signal: the signal wrote under the thread (canary %s)\n",
			       found.canary_intact ? "intact" : "overwritten");
		fflush(stdout);
		for (;;)
			uk_sleep_ns(UK_NSEC_PER_SEC); /* until the SIGINT's power-off */
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
