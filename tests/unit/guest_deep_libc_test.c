/*
 * In the sim build a guest's libc calls (memcpy, strtoll: what
 * runtime/libc/include declares) are glibc's, reached through the PLT. With
 * lazy binding the first call of each runs the dynamic linker's resolver
 * (_dl_runtime_resolve_xsavec) on the caller's stack, and it saves the whole
 * FPU state there (about 3 KiB with AVX-512): under a guest thread deep in
 * its 128 KiB, over its canary and the guest memory below. The executables
 * are linked with -z now (cmake/Drydock.cmake), so no call resolves late.
 *
 * Run with "-- deep-libc", app_main's thread goes down to DEPTH_LEFT bytes
 * above its stack's bottom, paints what lies below and calls strtoll, which
 * nothing calls before, then prints whether the paint and the canary stayed
 * intact; CMakeLists.txt checks that line. Otherwise a CMocka group checks
 * that strtoll's PLT slot is bound before the guest runs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/include/uk/boot.h"
#include "runtime/include/uk/sched.h"
#include "runtime/sched_private.h"

const char uk_app_name[] = "guest_deep_libc_test";

#define DEPTH_LEFT (3 * 1024) /* of the thread's stack left at the call */
#define CALL_ROOM 256         /* under this frame, for strtoll's own: not painted */
#define PAINT 0x5a
#define CANARY_BYTES 8 /* runtime/sched.c's STACK_CANARY, at the stack's lowest address */

static struct {
	size_t painted;
	long long value;
	bool paint_intact, canary_intact;
} found;

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* Paints what lies under this frame, calls strtoll, then looks at the paint. */
static __attribute__((noinline)) int call_here(void)
{
	uint8_t *base = uk_thread_self()->stack;
	uint8_t *sp = __builtin_frame_address(0);
	uint64_t canary;

	found.painted = (size_t)(sp - CALL_ROOM - (base + CANARY_BYTES));
	memcpy(&canary, base, sizeof(canary));
	memset(base + CANARY_BYTES, PAINT, found.painted);
	found.value = strtoll("1234", NULL, 10);
	found.paint_intact = all_bytes(base + CANARY_BYTES, found.painted, PAINT);
	found.canary_intact = memcmp(&canary, base, sizeof(canary)) == 0;
	/* Put back, or the next switch panics for an overflow the guest did not make. */
	memcpy(base, &canary, sizeof(canary));
	return 0;
}

/* Takes small frames down to DEPTH_LEFT above the stack's bottom, then calls. */
static __attribute__((noinline)) int descend(void)
{
	volatile uint8_t frame[128];
	uint8_t *base = uk_thread_self()->stack;

	frame[0] = 1;
	if ((uint8_t *)__builtin_frame_address(0) - base > DEPTH_LEFT)
		return descend() + frame[0] - 1;
	return call_here() + frame[0] - 1;
}

/* Whether the executable's dynamic section says every symbol is bound at load (-z now). */
static bool bound_at_load(void)
{
	for (const ElfW(Dyn) *d = _DYNAMIC; d->d_tag != DT_NULL; d++) {
		if (d->d_tag == DT_BIND_NOW)
			return true;
		if (d->d_tag == DT_FLAGS && (d->d_un.d_val & DF_BIND_NOW))
			return true;
		if (d->d_tag == DT_FLAGS_1 && (d->d_un.d_val & DF_1_NOW))
			return true;
	}
	return false;
}

static void test_the_executable_binds_every_libc_call_before_the_guest_runs(void **state)
{
	(void)state;
	assert_true(bound_at_load());
}

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_executable_binds_every_libc_call_before_the_guest_runs),
	};

	if (argc > 1 && !strcmp(argv[1], "deep-libc")) {
		descend();
		if (found.value == 1234 && found.paint_intact && found.canary_intact)
			printf("deep-libc: the %zu bytes under the thread were left alone\n",
			       found.painted);
		else
			printf("deep-libc: the call wrote under the thread (canary %s)\n",
			       found.canary_intact ? "intact" : "overwritten");
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
