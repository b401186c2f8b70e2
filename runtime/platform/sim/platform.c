/*
 * The sim platform: guest RAM is one host mapping; blocking the vCPU is
 * SCHEDOP_block, which runs the simulator until an event is pending;
 * entropy is the simulator's --seed, stretched.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <xen/sched.h>

#include "platform/platform.h"
#include "platform/sim/entry.h"
#include "boot_private.h"
#include "uk/exit.h"
#include "uk/hypercall.h"
#include "random_private.h"

static uint8_t *ram_base;
static uint64_t entropy_state; /* splitmix64's state, from --seed */

_Noreturn void uk_platform_sim_start(void *ram, uint64_t start_info_paddr, uint64_t seed)
{
	ram_base = ram;
	entropy_state = seed;
	uk_start(uk_platform_phys_to_virt(start_info_paddr));
}

void *uk_platform_phys_to_virt(uint64_t paddr)
{
	return ram_base + paddr;
}

uint64_t uk_platform_virt_to_phys(const void *va)
{
	const uint8_t *p = va;

	/* Only guest RAM has a frame number: the image and host memory do not. */
	if (p < ram_base)
		uk_panic("address %p is not in guest RAM (it has no guest frame number)", va);
	return (uint64_t)(p - ram_base);
}

/* The image is the host process: it is not in guest RAM. */
void uk_platform_reserved(uintptr_t *start, uintptr_t *end)
{
	*start = *end = 0;
}

/* In the simulator events are noticed when the vCPU blocks: nothing to set up. */
int uk_platform_events_init(void)
{
	return 0;
}

void uk_platform_block(void)
{
	HYPERVISOR_sched_op(SCHEDOP_block, NULL);
}

/*
 * Not the host's randomness, which would break repeatable runs: the bytes
 * of a splitmix64 stream started at --seed. Two seeds give two streams.
 */
int uk_platform_entropy(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len > 0) {
		uint64_t v = uk_splitmix64(&entropy_state);
		size_t n = len < sizeof(v) ? len : sizeof(v);

		memcpy(p, &v, n);
		p += n;
		len -= n;
	}
	return 0;
}
