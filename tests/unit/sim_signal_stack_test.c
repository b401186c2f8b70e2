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
 * Run with "-- deep-signal", app_main's thread goes down to DEPTH_LEFT bytes
 * above its stack's bottom (a frame with the FPU state of AVX-512 takes about
 * 3 KiB), paints what lies below, and sends itself SIGINT (the handler runs
 * before kill returns), then prints whether the paint and the canary stayed
 * intact; CMakeLists.txt checks that line. The SIGINT asks the
 * guest to power off, which then happens. Otherwise a CMocka group checks
 * the handlers' flags.
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
#include "runtime/include/uk/sched.h"
#include "runtime/include/uk/time.h"
#include "runtime/sched_private.h"

const char uk_app_name[] = "sim_signal_stack_test";

#define DEPTH_LEFT (3 * 1024) /* of the thread's stack left when the signal comes */
#define KILL_ROOM 256         /* under this frame, for kill()'s own: not painted */
#define PAINT 0x5a
#define CANARY_BYTES 8 /* runtime/sched.c's STACK_CANARY, at the stack's lowest address */

/* What the deep frames found, printed once back up (printf needs more stack). */
static struct {
	size_t painted;
	bool paint_intact, canary_intact;
} found;

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* Paints what lies under this frame, takes a SIGINT here, then looks at the paint. */
static __attribute__((noinline)) int signal_here(void)
{
	uint8_t *base = uk_thread_self()->stack;
	uint8_t *sp = __builtin_frame_address(0);
	uint64_t canary;

	found.painted = (size_t)(sp - KILL_ROOM - (base + CANARY_BYTES));
	memcpy(&canary, base, sizeof(canary));
	memset(base + CANARY_BYTES, PAINT, found.painted);
	kill(getpid(), SIGINT);
	found.paint_intact = all_bytes(base + CANARY_BYTES, found.painted, PAINT);
	found.canary_intact = memcmp(&canary, base, sizeof(canary)) == 0;
	/* Put back, or the next switch panics for an overflow the guest did not make. */
	memcpy(base, &canary, sizeof(canary));
	return 0;
}

/* Takes small frames down to DEPTH_LEFT above the stack's bottom, then signals. */
static __attribute__((noinline)) int descend(void)
{
	volatile uint8_t frame[128];
	uint8_t *base = uk_thread_self()->stack;

	frame[0] = 1;
	if ((uint8_t *)__builtin_frame_address(0) - base > DEPTH_LEFT)
		return descend() + frame[0] - 1;
	return signal_here() + frame[0] - 1;
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
		descend();
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
