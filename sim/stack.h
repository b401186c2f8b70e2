/*
 * The simulator's own stack, the counterpart of Xen's per-CPU hypervisor
 * stack. A guest thread's stack is 128 KiB of guest RAM; the simulator's
 * side of a hypercall (libuv, the vif backends, libslirp, xenstored) does not
 * run there: the hypercall shim switches to this stack first
 * (hypercall_shim/stack_switch.S). One per domain, mapped below the
 * domain's RAM (why: sim_stack_create), with a PROT_NONE guard page below
 * it that the fault handler (sim/host/fault.c) reports as a simulator stack
 * overflow, a PROT_NONE gap between it and the RAM (why: sim_stack_create),
 * and registered with valgrind as a stack.
 *
 * This header is also read by the trampoline's assembly: only macros
 * outside the __ASSEMBLER__ block.
 */
#ifndef SIM_STACK_H
#define SIM_STACK_H

/*
 * Its size. The deepest use measured was 81,040 bytes (echo and kvstore
 * over the user backend: libslirp's if_encap keeps a 64 KiB frame on its
 * stack), see docs/architecture.md; 1 MiB leaves room for twelve of those.
 */
#define SIM_STACK_BYTES (1024 * 1024)
/*
 * PROT_NONE between the stack's top and the domain's RAM above it: more
 * than the largest frame a guest thread's 128 KiB stack can hold, so a
 * guest running off the bottom of its RAM cannot step over it.
 */
#define SIM_STACK_GAP_BYTES (128 * 1024)
/*
 * The top two words are the trampoline's: the guest's stack pointer at the
 * switch (at top - SIM_STACK_SAVED_SP), then padding that keeps the stack
 * pointer 16-byte aligned at the call, as the System V ABI wants.
 */
#define SIM_STACK_SAVED_SP 16

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_stack {
	/* One past the highest byte: the trampoline's stack pointer starts here (first member:
	 * the trampoline reads it at a fixed offset, hypercall_shim/stack_switch.h). */
	uint8_t *top;
	uint8_t *map;         /* the mapping: the guard page, the stack, the gap */
	size_t map_bytes;
	unsigned int vg_id;   /* valgrind's id for the registered stack */
};

/*
 * Maps a stack of SIM_STACK_BYTES with a guard page below it, at a lower
 * address than below (the domain's RAM, or NULL: anywhere). 0 or -ENOMEM.
 */
int sim_stack_create(struct sim_stack *s, const void *below);
void sim_stack_destroy(struct sim_stack *s);
/* Whether addr lies in the guard page (a fault there is the stack's overflow). */
bool sim_stack_guard_hit(const struct sim_stack *s, const void *addr);
/* Whether addr lies in the stack itself. */
bool sim_stack_contains(const struct sim_stack *s, const void *addr);
/* How many bytes of the stack were ever written (its high-water mark). */
size_t sim_stack_used(const struct sim_stack *s);
#endif

#endif
