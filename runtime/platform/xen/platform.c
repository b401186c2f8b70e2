/*
 * The xen platform (runtime/platform/platform.h): the image runs identity
 * mapped (virtual = guest physical, the first 4 GiB); the vCPU blocks in
 * hlt with the HVM callback vector to wake it; entropy comes from RDRAND.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>

#include "platform/platform.h"
#include "platform/xen/xen_platform.h"
#include "events_private.h"
#include "uk/exit.h"
#include "uk/hypercall.h"

#define MAPPED_LIMIT (4ULL << 30) /* entry.S maps the first 4 GiB */
#define CPUID1_ECX_RDRAND (1u << 30)
#define RDRAND_RETRIES 10

/* The image, from the linker script. */
extern char _start[], _end[];

void *uk_platform_phys_to_virt(uint64_t paddr)
{
	if (paddr >= MAPPED_LIMIT)
		uk_panic("guest physical address 0x%lx is above the 4 GiB that are mapped",
			 (unsigned long)paddr);
	return (void *)(uintptr_t)paddr;
}

uint64_t uk_platform_virt_to_phys(const void *va)
{
	return (uint64_t)(uintptr_t)va;
}

/*
 * The image [_start, _end), and everything below it: the first MiB holds the
 * firmware's and the loader's leftovers where there are any, and page 0 is
 * never handed out.
 */
void uk_platform_reserved(uintptr_t *start, uintptr_t *end)
{
	*start = 0;
	*end = (uintptr_t)_end;
}

int uk_platform_events_init(void)
{
	struct xen_hvm_param p = {
		.domid = DOMID_SELF,
		.index = HVM_PARAM_CALLBACK_IRQ,
		.value = ((uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR << 56) | UK_XEN_CALLBACK_VECTOR,
	};

	return (int)HYPERVISOR_hvm_op(HVMOP_set_param, &p);
}

/*
 * Interrupts are off everywhere but here. The check for a pending event is
 * made with them off, and sti's one-instruction shadow makes "sti; hlt"
 * atomic: an event that arrives after the check interrupts the hlt rather
 * than being missed before it. The callback vector returns with interrupts
 * off again (traps.S), past the hlt when it came before the hlt ran (a
 * shadow lost under QEMU's emulated SVM): a hlt with interrupts off is a
 * poweroff on Xen.
 */
void uk_platform_block(void)
{
	__asm__ volatile("cli" : : : "memory");
	if (evtchn_pending())
		return;
	__asm__ volatile("sti; hlt; cli" : : : "memory");
}

static int have_rdrand(void)
{
	uint32_t r[4];

	uk_xen_cpuid(1, r);
	return (r[2] & CPUID1_ECX_RDRAND) != 0;
}

static int rdrand64(uint64_t *v)
{
	for (int i = 0; i < RDRAND_RETRIES; i++) {
		unsigned char ok;

		__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
		if (ok)
			return 0;
	}
	return -EIO;
}

int uk_platform_entropy(void *buf, size_t len)
{
	uint8_t *p = buf;

	if (!have_rdrand())
		return -ENOSYS;
	while (len > 0) {
		uint64_t v;
		size_t n = len < sizeof(v) ? len : sizeof(v);

		if (rdrand64(&v) < 0)
			return -EIO;
		memcpy(p, &v, n);
		p += n;
		len -= n;
	}
	return 0;
}
