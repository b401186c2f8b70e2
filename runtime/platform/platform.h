/*
 * What differs between the sim and xen builds, and nothing else: how guest
 * addresses map to guest frames, how the vCPU blocks, where entropy comes
 * from. runtime/platform/sim and runtime/platform/xen each implement all of
 * it; everything else in runtime/ and net/ is the same object code.
 */
#ifndef UK_PLATFORM_H
#define UK_PLATFORM_H

#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>

/* Guest physical address <-> pointer. Only guest RAM has a physical address. */
void *uk_platform_phys_to_virt(uint64_t paddr);
uint64_t uk_platform_virt_to_phys(const void *va);
static inline xen_pfn_t uk_platform_virt_to_gfn(const void *va)
{
	return (xen_pfn_t)(uk_platform_virt_to_phys(va) >> 12);
}

/*
 * Memory the page allocator must not hand out although the memory map says
 * RAM: on Xen the kernel image itself. [*start, *end) in virtual addresses;
 * an empty range when there is none.
 */
void uk_platform_reserved(uintptr_t *start, uintptr_t *end);

/*
 * Arranges for events to reach the vCPU (on Xen: the HVM callback vector
 * and interrupt descriptor table). Called once shared_info is mapped.
 * Returns 0 or a negative error number.
 */
int uk_platform_events_init(void);

/*
 * Blocks the vCPU until an event is pending for it. Called with no thread
 * runnable, after the timer is armed. Must not lose an event that became
 * pending just before the call.
 */
void uk_platform_block(void);

/*
 * Fills buf with len bytes of entropy: on Xen from RDRAND; in the simulator
 * derived from its --seed (so a run repeats). Returns 0, -ENOSYS when there
 * is none (a CPU without RDRAND), or -EIO when the source failed. Seeds
 * <uk/random.h> once at boot.
 */
int uk_platform_entropy(void *buf, size_t len);

/* Reads the time-stamp counter (the pvclock's input). */
static inline uint64_t uk_platform_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

#endif
