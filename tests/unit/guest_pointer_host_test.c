/*
 * Guest pointers into the simulator's own memory: outside guest RAM, only
 * the unikernel's image (the executable's segments) and its boot stack are
 * the guest's. A wild pointer that happens to land in memory the host can
 * read and write (the simulator's heap, a library's data) gets -EFAULT and
 * a violation report, and the hypercall writes nothing there; before, any
 * host-accessible pointer was accepted and written through.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include <xen/errno.h>
#include <xen/version.h>
#include <xen/xen.h>

#include "hypercall_shim/shim.h"
#include "runtime/include/uk/hypercall.h"
#include "sim/domain.h"
#include "sim/sim.h"
#include "sim/toolstack/toolstack.h"

struct fixture {
	struct sim *sim;
	struct sim_domain *d;
};

static int setup(void **state)
{
	static struct fixture f;
	struct sim_config sc = { .clock = SIM_CLOCK_VIRTUAL, .console_fd = 2 };
	struct sim_domain_config dc = { .domid = 1, .name = "one", .mem_bytes = 4 << 20 };

	memset(&f, 0, sizeof(f));
	if (sim_create(&f.sim, &sc) < 0 || sim_toolstack_build_domain(f.sim, &dc, &f.d) < 0)
		return -1;
	shim_set_current(f.d);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	shim_set_current(NULL);
	sim_destroy(f->sim);
	return 0;
}

#define assert_efault_reported(f, call)                                          \
	do {                                                                     \
		unsigned int before_ = (f)->d->violations;                       \
		assert_int_equal((call), -XEN_EFAULT);                           \
		assert_int_equal((f)->d->violations, before_ + 1);               \
		assert_false(sim_domain_is_shut_down((f)->d));                   \
	} while (0)

static void test_a_pointer_into_a_malloced_host_block_is_efault(void **state)
{
	struct fixture *f = *state;
	char *heap = malloc(64);

	assert_non_null(heap);
	memset(heap, 'h', 64);
	assert_efault_reported(f, sim_domain_guest_access(f->d, heap, 16, false, "heap"));
	assert_efault_reported(f, sim_domain_guest_access(f->d, heap, 16, true, "heap"));
	free(heap);
}

static void test_a_hypercall_writes_nothing_into_the_simulators_heap(void **state)
{
	struct fixture *f = *state;
	char *heap = malloc(sizeof(xen_extraversion_t));

	assert_non_null(heap);
	memset(heap, 'h', sizeof(xen_extraversion_t));
	assert_efault_reported(f, HYPERVISOR_xen_version(XENVER_extraversion, heap));
	for (size_t i = 0; i < sizeof(xen_extraversion_t); i++)
		assert_int_equal(heap[i], 'h');
	free(heap);
}

static void test_the_simulator_object_itself_is_not_guest_memory(void **state)
{
	struct fixture *f = *state;

	assert_efault_reported(f, sim_domain_guest_access(f->d, f->sim, 8, true, "sim"));
	assert_efault_reported(f, sim_domain_guest_access(f->d, f->d, 8, true, "domain"));
}

static void test_a_shared_librarys_data_is_not_guest_memory(void **state)
{
	struct fixture *f = *state;

	/* libc's FILE object lives in libc's data segment, not in the executable. */
	assert_efault_reported(f, sim_domain_guest_access(f->d, stderr, 8, false, "libc"));
}

static void test_the_executables_data_and_the_boot_stack_stay_guest_memory(void **state)
{
	struct fixture *f = *state;
	static char data[32];
	char stack[32] = "s";

	assert_int_equal(sim_domain_guest_access(f->d, data, sizeof(data), true, "data"), 0);
	assert_int_equal(sim_domain_guest_access(f->d, stack, sizeof(stack), true, "stack"), 0);
	assert_int_equal(HYPERVISOR_xen_version(XENVER_extraversion, data) >= 0, true);
}

/* The simulator's probes of host memory, counted: this definition stands in for libc's. */
static unsigned int probes;

ssize_t process_vm_readv(pid_t pid, const struct iovec *local, unsigned long nlocal,
			 const struct iovec *remote, unsigned long nremote, unsigned long flags)
{
	probes++;
	return syscall(SYS_process_vm_readv, pid, local, nlocal, remote, nremote, flags);
}

/*
 * Event handlers and the scheduler run on the boot stack: an argument in the
 * live part of it (this frame and its callers') is taken without a probe, two
 * system calls per hypercall; a range below the running frame is still probed.
 */
static void test_an_argument_on_the_live_boot_stack_is_taken_without_a_probe(void **state)
{
	struct fixture *f = *state;
	char stack[32] = "s";
	unsigned int before = probes;

	assert_int_equal(sim_domain_guest_access(f->d, stack, sizeof(stack), true, "stack"), 0);
	assert_int_equal(probes, before);
	(void)sim_domain_guest_access(f->d, (void *)((uintptr_t)stack - 8192), 16, false,
				      "below the running frame");
	assert_true(probes > before);
}

static void *create_elsewhere(void *arg)
{
	struct fixture *f = arg;
	struct sim_config sc = { .clock = SIM_CLOCK_VIRTUAL, .console_fd = 2 };
	struct sim_domain_config dc = { .domid = 1, .name = "one", .mem_bytes = 4 << 20 };

	if (sim_create(&f->sim, &sc) < 0 || sim_toolstack_build_domain(f->sim, &dc, &f->d) < 0)
		f->d = NULL;
	return NULL;
}

/* A simulator made on another thread still knows the main thread's stack. */
static void test_a_simulator_made_on_another_thread_finds_the_boot_stack(void **state)
{
	struct fixture f = { NULL, NULL };
	pthread_t t;
	char stack[32] = "s";
	char *heap = malloc(32);

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, create_elsewhere, &f), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_non_null(f.d);
	assert_int_equal(sim_domain_guest_access(f.d, stack, sizeof(stack), true, "stack"), 0);
	assert_int_equal(sim_domain_guest_access(f.d, heap, 32, true, "heap"), -XEN_EFAULT);
	free(heap);
	sim_destroy(f.sim);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_a_pointer_into_a_malloced_host_block_is_efault),
		T(test_a_hypercall_writes_nothing_into_the_simulators_heap),
		T(test_the_simulator_object_itself_is_not_guest_memory),
		T(test_a_shared_librarys_data_is_not_guest_memory),
		T(test_the_executables_data_and_the_boot_stack_stay_guest_memory),
		T(test_an_argument_on_the_live_boot_stack_is_taken_without_a_probe),
		cmocka_unit_test(test_a_simulator_made_on_another_thread_finds_the_boot_stack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
