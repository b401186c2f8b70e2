/*
 * The simulator's own stack (sim/stack.h): an anonymous mapping, a guard
 * page and a valgrind registration. Its pages cost nothing until a
 * hypercall reaches them.
 */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>
#include <valgrind/valgrind.h>

#include "sim/stack.h"
#include "sim/xen_abi.h"

_Static_assert(SIM_STACK_BYTES % SIM_PAGE_SIZE == 0 && SIM_STACK_GAP_BYTES % SIM_PAGE_SIZE == 0,
	       "whole pages");
_Static_assert(offsetof(struct sim_stack, top) == 0, "the trampoline reads top first");

/*
 * Mapped below the domain's RAM, where the guest's thread stacks are: gdb
 * follows a backtrace from the simulator's frames into the guest's only
 * when the older frames lie at higher addresses (otherwise it stops with
 * "previous frame inner to this frame (corrupt stack?)"). The main
 * thread's stack, where the runtime's scheduler runs, is above every
 * mapping. Fresh mappings are placed top-down, so the place is usually
 * free; where it is not the stack goes anywhere and still works, only such
 * backtraces stop at the switch.
 *
 * Between the stack's top and the RAM above it lies SIM_STACK_GAP_BYTES of
 * PROT_NONE: a guest thread that runs off the bottom of guest RAM (a
 * runaway recursion) faults there, as it faults below its RAM on Xen, and
 * the fault is the guest's crash. Without it the guest would write on down
 * through this stack and fault in its guard page, reported as the
 * simulator's overflow.
 */
int sim_stack_create(struct sim_stack *s, const void *below)
{
	const int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK;
	size_t bytes = SIM_PAGE_SIZE + SIM_STACK_BYTES + SIM_STACK_GAP_BYTES;
	uintptr_t hint = (uintptr_t)below > bytes ? (uintptr_t)below - bytes : 0;
	void *map = MAP_FAILED;

	/* Just below, if that place is free (the kernel would take a plain hint too, not valgrind). */
	if (hint)
		map = mmap((void *)hint, bytes, PROT_READ | PROT_WRITE, flags | MAP_FIXED_NOREPLACE,
			   -1, 0);
	if (map == MAP_FAILED)
		map = mmap(NULL, bytes, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (map == MAP_FAILED)
		return -ENOMEM;
	if (mprotect(map, SIM_PAGE_SIZE, PROT_NONE) < 0 ||
	    mprotect((uint8_t *)map + SIM_PAGE_SIZE + SIM_STACK_BYTES, SIM_STACK_GAP_BYTES,
		     PROT_NONE) < 0) {
		munmap(map, bytes);
		return -ENOMEM;
	}
	s->map = map;
	s->map_bytes = bytes;
	s->top = s->map + SIM_PAGE_SIZE + SIM_STACK_BYTES;
	/* valgrind takes the lowest and the highest byte of the stack. */
	s->vg_id = VALGRIND_STACK_REGISTER(s->map + SIM_PAGE_SIZE, s->top - 1);
	return 0;
}

void sim_stack_destroy(struct sim_stack *s)
{
	if (!s->map)
		return;
	VALGRIND_STACK_DEREGISTER(s->vg_id);
	munmap(s->map, s->map_bytes);
	*s = (struct sim_stack){ 0 };
}

bool sim_stack_guard_hit(const struct sim_stack *s, const void *addr)
{
	const uint8_t *p = addr;

	return s->map && p >= s->map && p < s->map + SIM_PAGE_SIZE;
}

bool sim_stack_contains(const struct sim_stack *s, const void *addr)
{
	const uint8_t *p = addr;

	return s->map && p >= s->map + SIM_PAGE_SIZE && p < s->top;
}

/*
 * The mapping starts zeroed and the stack grows down, so the lowest byte
 * that is not zero is (to within a few zero bytes) the deepest one written.
 * Below the stack pointer memcheck calls the bytes inaccessible: the scan
 * reads them with its reports off.
 */
size_t sim_stack_used(const struct sim_stack *s)
{
	const uint8_t *p = s->map + SIM_PAGE_SIZE;

	VALGRIND_DISABLE_ERROR_REPORTING;
	while (p < s->top && !*p)
		p++;
	VALGRIND_ENABLE_ERROR_REPORTING;
	return (size_t)(s->top - p);
}
