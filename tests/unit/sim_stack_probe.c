/*
 * The stackprobe vif backend: the simulator's side of a guest's send, seen
 * from inside (tests/unit/sim_stack_test.c). Each frame is dropped after
 * recording where the backend's frame lies and what a hypercall made from
 * there (as simulator code never does, but nothing forbids) finds: the
 * trampoline must see it is on the simulator's stack already and not
 * switch again, which would overwrite the outer call's saved stack pointer.
 * With overflow set, a transmit recurses until it hits the guard page; with
 * fault set, it writes through a NULL pointer (a simulator bug, on its stack).
 */
#include <xen/version.h>

#include "hypercall_shim/shim.h"
#include "runtime/include/uk/hypercall.h"
#include "sim/backends/vif.h"
#include "sim_stack_probe.h"

struct sim_stack_probe sim_stack_probe;

static int probe_open(struct vif *v, const struct vif_config *cfg, char *err, size_t errlen)
{
	return 0;
}

/*
 * 4 KiB a level, used after the call so that it is neither a tail call nor
 * optimised away; 4 MiB deep at most, past the 1 MiB stack's guard page.
 */
static __attribute__((noinline)) unsigned int recurse(unsigned int depth)
{
	volatile uint8_t page[4096];

	if (depth > 1024)
		return 0;
	page[0] = (uint8_t)depth;
	page[sizeof(page) - 1] = (uint8_t)depth;
	return recurse(depth + 1) + page[0] + page[sizeof(page) - 1];
}

static uint64_t saved_sp_slot(void)
{
	return *(const uint64_t *)(shim_current()->stack.top - SIM_STACK_SAVED_SP);
}

static void probe_transmit(struct vif *v, const uint8_t *frame, size_t len)
{
	volatile uint8_t here = 0;
	struct sim_stack_probe *p = &sim_stack_probe;

	p->frames++;
	p->sp = (uintptr_t)&here;
	p->slot_before = saved_sp_slot();
	p->nested_rc = HYPERVISOR_xen_version(XENVER_version, NULL);
	p->slot_after = saved_sp_slot();
	if (p->overflow)
		p->frames += recurse(here);
	if (p->fault) {
		volatile unsigned int *volatile nowhere = NULL;

		*nowhere = p->frames;
	}
}

static void probe_close(struct vif *v)
{
}

const struct vif_backend_ops vif_stackprobe_ops = {
	.name = "stackprobe",
	.open = probe_open,
	.transmit = probe_transmit,
	.close = probe_close,
};
