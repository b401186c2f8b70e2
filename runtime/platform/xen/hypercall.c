/*
 * Hypercalls on Xen: find Xen through its CPUID leaves, have it fill our
 * hypercall page (the MSR that CPUID leaf base+2 names), and call into the
 * page at 32 bytes per hypercall number with Xen's 64-bit convention:
 * arguments in rdi, rsi, rdx, r10, r8; the result in rax. The HYPERVISOR_*
 * functions are those of uk/hypercall.h, the same the simulator's shim
 * implements.
 */
#include <errno.h>
#include <string.h>
#include <xen/xen.h>

#include "platform/xen/xen_platform.h"
#include "uk/hypercall.h"

#define CPUID_XEN_FIRST 0x40000000u
#define CPUID_XEN_LAST 0x40010000u
#define CPUID_XEN_STEP 0x100u
#define HYPERCALL_ENTRY_SIZE 32

static uint8_t hypercall_page[4096] __attribute__((aligned(4096)));
static int hypercall_ready;

static void wrmsr(uint32_t msr, uint64_t v)
{
	/* "memory": Xen writes the hypercall page during this instruction. */
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

static uint32_t find_xen(uint32_t signature_leaf[4])
{
	for (uint32_t base = CPUID_XEN_FIRST; base < CPUID_XEN_LAST; base += CPUID_XEN_STEP) {
		uint32_t r[4];

		uk_xen_cpuid(base, r);
		if (base == CPUID_XEN_FIRST)
			memcpy(signature_leaf, r, sizeof(r));
		/* The signature is in ebx, ecx, edx; eax is the last leaf Xen has. */
		if (memcmp(&r[1], "XenVMMXenVMM", 12) == 0 && r[0] >= base + 2)
			return base;
	}
	return 0;
}

int uk_xen_hypercall_init(uint32_t signature_leaf[4])
{
	uint32_t base = find_xen(signature_leaf), r[4];

	if (!base)
		return -ENODEV;
	uk_xen_cpuid(base + 2, r); /* eax: number of pages, ebx: the MSR */
	wrmsr(r[1], (uint64_t)(uintptr_t)hypercall_page);
	/* Xen fills the page during the wrmsr: an empty page means it did not. */
	if (hypercall_page[0] == 0) {
		uk_xen_debugcon_printf("drydock: Xen did not fill the hypercall page (MSR 0x%x)\n",
				       r[1]);
		return -EIO;
	}
	hypercall_ready = 1;
	uk_xen_cpuid(base + 1, r);
	uk_xen_debugcon_printf("drydock: Xen %u.%u (CPUID base 0x%x), hypercall page at 0x%lx\n",
			       r[0] >> 16, r[0] & 0xffff, base,
			       (unsigned long)(uintptr_t)hypercall_page);
	return 0;
}

int uk_xen_hypercall_ready(void)
{
	return hypercall_ready;
}

/*
 * Every hypercall the runtime makes has at most three arguments. A debug
 * Xen deliberately corrupts the argument registers a hypercall does not
 * use, hence all of them are clobbered.
 */
static long hypercall3(unsigned int op, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t rdi __asm__("rdi") = a1;
	register uint64_t rsi __asm__("rsi") = a2;
	register uint64_t rdx __asm__("rdx") = a3;
	register uint64_t r10 __asm__("r10") = 0;
	register uint64_t r8 __asm__("r8") = 0;
	const void *entry = hypercall_page + op * HYPERCALL_ENTRY_SIZE;
	long ret;

	if (!hypercall_ready)
		return -ENOSYS;
	__asm__ volatile("call *%[entry]"
			 : "=a"(ret), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8)
			 : [entry] "r"(entry)
			 : "memory", "cc", "rcx", "r9", "r11");
	return ret;
}

#define ARG(x) ((uint64_t)(uintptr_t)(x))

long HYPERVISOR_sched_op(int cmd, void *arg)
{
	return hypercall3(__HYPERVISOR_sched_op, (uint64_t)(int64_t)cmd, ARG(arg), 0);
}

long HYPERVISOR_set_timer_op(uint64_t timeout)
{
	return hypercall3(__HYPERVISOR_set_timer_op, timeout, 0, 0);
}

long HYPERVISOR_event_channel_op(int cmd, void *arg)
{
	return hypercall3(__HYPERVISOR_event_channel_op, (uint64_t)(int64_t)cmd, ARG(arg), 0);
}

long HYPERVISOR_hvm_op(int op, void *arg)
{
	return hypercall3(__HYPERVISOR_hvm_op, (uint64_t)(int64_t)op, ARG(arg), 0);
}

long HYPERVISOR_memory_op(unsigned int cmd, void *arg)
{
	return hypercall3(__HYPERVISOR_memory_op, cmd, ARG(arg), 0);
}

long HYPERVISOR_xen_version(int cmd, void *arg)
{
	return hypercall3(__HYPERVISOR_xen_version, (uint64_t)(int64_t)cmd, ARG(arg), 0);
}

/*
 * A release Xen refuses CONSOLEIO_write from a domU (-EPERM), and without
 * Xen there is no hypercall at all: then the text goes to the debug port,
 * which ends up in the same log on Xen. Returns 0 when it went out there.
 */
long HYPERVISOR_console_io(int cmd, int count, char *str)
{
	long rc = hypercall3(__HYPERVISOR_console_io, (uint64_t)(int64_t)cmd,
			     (uint64_t)(int64_t)count, ARG(str));

	if (rc < 0 && cmd == CONSOLEIO_write && count > 0) {
		uk_xen_debugcon_write(str, (size_t)count);
		return 0;
	}
	return rc;
}

long HYPERVISOR_vcpu_op(int cmd, unsigned int vcpuid, void *extra_args)
{
	return hypercall3(__HYPERVISOR_vcpu_op, (uint64_t)(int64_t)cmd, vcpuid, ARG(extra_args));
}

long HYPERVISOR_grant_table_op(unsigned int cmd, void *uop, unsigned int count)
{
	return hypercall3(__HYPERVISOR_grant_table_op, cmd, ARG(uop), count);
}
