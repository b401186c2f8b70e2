/*
 * HYPERVISOR_<op>: each hypercall runs shim_<op> (the C function in
 * <op>.c) on the simulator's stack, the counterpart of Xen entering the
 * hypervisor on its own per-CPU stack.
 *
 * Why: a guest thread's stack is 128 KiB of guest RAM, and the simulator's
 * side of a hypercall is deep. EVTCHNOP_send to netback runs the vif
 * backend at once (libslirp's if_encap keeps a 64 KiB frame on its stack),
 * SCHEDOP_block runs the whole libuv loop. On the guest's stack a thread
 * that made one from more than about 50 KiB deep wrote below its stack,
 * into its neighbour's memory.
 *
 * The stack is the current domain's (current_domain->stack, sim/stack.h).
 * A caller already on it (simulator code making a hypercall, as a test's
 * backend may) carries on there: the trampoline jumps straight to
 * shim_<op>, and nested calls are safe. Otherwise (a guest thread's stack;
 * the main thread's, where the runtime's scheduler and the host-side unit
 * tests run) it saves the caller's stack pointer in the top slot, calls
 * shim_<op> from just below it and switches back. Nothing else
 * is kept: rax and r11 are scratch registers in the System V ABI, the
 * arguments (rdi, rsi, rdx) pass through untouched, and shim_<op> keeps
 * the callee-saved registers as any C function does.
 *
 * gdb: while shim_<op> runs, the canonical frame address of this frame is
 * the saved stack pointer + 8 (a DWARF expression, since no register holds
 * it), so a backtrace from a backend walks on into the guest's frames.
 * valgrind: this stack and the guest's thread stacks are registered
 * (sim/stack.c, runtime/sched.c), so memcheck takes the move of the stack
 * pointer between them for a switch (from the main thread's stack, the
 * distance of the move tells it).
 */
#include "sim/stack.h"
#include "hypercall_shim/stack_switch.h"

/* DW_CFA_def_cfa_expression, 5 bytes: DW_OP_breg7 (rsp) 0; DW_OP_deref; DW_OP_plus_uconst 8 */
#define CFA_IS_SAVED_SP_PLUS_8 .cfi_escape 0x0f, 0x05, 0x77, 0x00, 0x06, 0x23, 0x08

.macro on_sim_stack op
	.globl HYPERVISOR_\op
	.type HYPERVISOR_\op, @function
	.p2align 4
HYPERVISOR_\op:
	.cfi_startproc
	/* Direct: the shim is linked into the executable (no GOT load). */
	movq current_domain(%rip), %rax
	movq SHIM_DOMAIN_STACK_TOP(%rax), %rax
	/* On the simulator's stack already (top - rsp <= its size): no switch. */
	movq %rax, %r11
	subq %rsp, %r11
	cmpq $SIM_STACK_BYTES, %r11
	jbe shim_\op@PLT
	movq %rsp, -SIM_STACK_SAVED_SP(%rax)
	leaq -SIM_STACK_SAVED_SP(%rax), %rsp
	CFA_IS_SAVED_SP_PLUS_8
	call shim_\op@PLT
	movq (%rsp), %rsp
	.cfi_def_cfa %rsp, 8
	ret
	.cfi_endproc
	.size HYPERVISOR_\op, . - HYPERVISOR_\op
.endm

	.text
	on_sim_stack sched_op
	on_sim_stack set_timer_op
	on_sim_stack event_channel_op
	on_sim_stack hvm_op
	on_sim_stack memory_op
	on_sim_stack xen_version
	on_sim_stack console_io
	on_sim_stack vcpu_op
	on_sim_stack grant_table_op

	.section .note.GNU-stack, "", @progbits
