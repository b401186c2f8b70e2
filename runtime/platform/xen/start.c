/*
 * From the PVH entry (entry.S) to the runtime: exception reports first, so
 * that anything after them that faults says so; then Xen and its hypercall
 * page; then uk_start, the C entry the simulator's main() reaches too.
 * Without Xen (QEMU's -kernel, bare metal) it says so on the debug port and
 * stops.
 */
#include <errno.h>
#include <stdint.h>

#include "platform/xen/xen_platform.h"
#include "boot_private.h"

#define MAPPED_LIMIT (4ULL << 30) /* entry.S maps the first 4 GiB */

static void printable(char *dst, const uint32_t regs[3])
{
	const uint8_t *b = (const uint8_t *)regs;

	for (int i = 0; i < 12; i++)
		dst[i] = b[i] >= 0x20 && b[i] < 0x7f && b[i] != '"' ? (char)b[i] : '.';
	dst[12] = '\0';
}

static _Noreturn void no_xen(const uint32_t leaf[4])
{
	char sig[13];

	printable(sig, leaf + 1);
	uk_xen_debugcon_printf("drydock: no Xen hypervisor found (CPUID 0x40000000: eax 0x%x, "
			       "signature \"%s\"); stopping\n", leaf[0], sig);
	uk_xen_halt(UK_XEN_DEBUG_EXIT_NO_XEN);
}

/*
 * Only the first 4 GiB are mapped: RAM above that is marked unusable in the
 * memory map before the runtime reads it, so the page allocator never
 * hands it out.
 */
static void clip_memmap(struct hvm_start_info *si)
{
	struct hvm_memmap_table_entry *map;
	uint64_t dropped = 0;

	if (si->version < 1 || si->memmap_paddr == 0 || si->memmap_paddr >= MAPPED_LIMIT)
		return;
	map = (struct hvm_memmap_table_entry *)(uintptr_t)si->memmap_paddr;
	for (uint32_t i = 0; i < si->memmap_entries; i++) {
		struct hvm_memmap_table_entry *e = &map[i];

		if (e->type != XEN_HVM_MEMMAP_TYPE_RAM || e->addr + e->size <= MAPPED_LIMIT)
			continue;
		if (e->addr >= MAPPED_LIMIT) {
			dropped += e->size;
			e->type = XEN_HVM_MEMMAP_TYPE_UNUSABLE;
		} else {
			dropped += e->addr + e->size - MAPPED_LIMIT;
			e->size = MAPPED_LIMIT - e->addr;
		}
	}
	if (dropped)
		uk_xen_debugcon_printf("drydock: %lu MiB of RAM above 4 GiB stay unused\n",
				       (unsigned long)(dropped >> 20));
}

_Noreturn void uk_xen_start(struct hvm_start_info *si)
{
	uint32_t leaf[4];
	int rc;

	uk_xen_traps_init();
	uk_xen_debugcon_printf("drydock: %s: PVH entry, hvm_start_info at 0x%lx\n", uk_app_name,
			       (unsigned long)(uintptr_t)si);
	clip_memmap(si);
	if ((rc = uk_xen_hypercall_init(leaf)) == -ENODEV)
		no_xen(leaf);
	if (rc < 0) {
		uk_xen_debugcon_printf("drydock: no hypercall page (error %d); stopping\n", -rc);
		uk_xen_halt(UK_XEN_DEBUG_EXIT_CRASH);
	}
	uk_start(si);
}
