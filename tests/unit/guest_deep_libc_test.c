/*
 * In the sim build a guest's libc calls (memcpy, strtoll: what
 * runtime/libc/include declares) are glibc's, reached through the PLT. With
 * lazy binding the first call of each runs the dynamic linker's resolver
 * (_dl_runtime_resolve_xsavec) on the caller's stack, and it saves the whole
 * FPU state there (about 3 KiB with AVX-512): under a guest thread deep in
 * its 128 KiB, over its canary and the guest memory below. The executables
 * are linked with -z now (cmake/Drydock.cmake), so no call resolves late.
 *
 * Run with "-- deep-libc", app_main's thread goes down to DEEP_STACK_LEFT
 * bytes above its stack's bottom (deep_stack.h), paints what lies below and
 * calls strtoll, which nothing calls before, then prints whether the paint
 * and the canary stayed intact; CMakeLists.txt checks that line. Otherwise a
 * CMocka group checks that strtoll's PLT slot is bound before the guest runs.
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
#include "deep_stack.h"

const char uk_app_name[] = "guest_deep_libc_test";

static long long value;
static struct deep_stack_found found;

static void call_strtoll(void)
{
	value = strtoll("1234", NULL, 10);
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
		deep_stack_run(call_strtoll, &found);
		if (value == 1234 && found.paint_intact && found.canary_intact)
			printf("deep-libc: the %zu bytes under the thread were left alone\n",
			       found.painted);
		else
			printf("deep-libc: the call wrote under the thread (canary %s)\n",
			       found.canary_intact ? "intact" : "overwritten");
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
