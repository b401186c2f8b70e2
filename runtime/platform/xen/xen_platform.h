/*
 * The xen platform's private interface: what its files (entry, traps,
 * hypercall page, debug port) promise each other. Nothing outside
 * runtime/platform/xen includes it.
 *
 * Boot path: entry.S (32-bit PVH entry -> long mode) -> uk_xen_start()
 * (start.c: IDT, find Xen, hypercall page) -> uk_start() (runtime/boot.c).
 */
#ifndef UK_PLATFORM_XEN_H
#define UK_PLATFORM_XEN_H

#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/arch-x86/hvm/start_info.h>

/*
 * QEMU's isa-debug-exit device (iobase 0xf4) ends QEMU with status
 * (value << 1) | 1. Nothing listens on that port on Xen or real hardware,
 * so writing it is harmless there; the platform writes it only where it
 * would otherwise halt forever.
 */
#define UK_XEN_DEBUG_EXIT_PORT 0xf4
#define UK_XEN_DEBUG_EXIT_NO_XEN 0x10  /* no Xen found: QEMU exits 33 */
#define UK_XEN_DEBUG_EXIT_CRASH 0x11   /* a fault with no Xen to report to: QEMU exits 35 */

/* The HVM callback vector: Xen injects it while evtchn_upcall_pending is set. */
#define UK_XEN_CALLBACK_VECTOR 0xf3

/* entry.S calls this in long mode, on the boot stack, BSS cleared. */
_Noreturn void uk_xen_start(struct hvm_start_info *si);

/*
 * The debug port (0xe9): Xen prints what a guest writes there in its own
 * log (`xl dmesg`, with guest_loglvl=all), QEMU's isa-debugcon device to a
 * file. Usable from the first instruction; never blocks.
 */
void uk_xen_debugcon_write(const char *buf, size_t len);
void uk_xen_debugcon_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Leaves QEMU through isa-debug-exit, or (anywhere else) halts forever. */
_Noreturn void uk_xen_halt(uint32_t debug_exit_value);

/*
 * Finds Xen through the CPUID leaves from 0x40000000 and installs the
 * hypercall page. Returns 0, or -ENODEV with *signature_leaf set to what
 * CPUID 0x40000000 returned (eax, ebx, ecx, edx) when there is no Xen.
 */
int uk_xen_hypercall_init(uint32_t signature_leaf[4]);
/* Whether the hypercall page is installed (HYPERVISOR_* calls work). */
int uk_xen_hypercall_ready(void);

/* Loads the IDT: exception reports and the callback vector. */
void uk_xen_traps_init(void);

/* CPUID with a subleaf of 0. */
static inline void uk_xen_cpuid(uint32_t leaf, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(0));
}

static inline void uk_xen_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void uk_xen_outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

#endif
