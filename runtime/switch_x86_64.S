/*
 * uk_ctx_switch(uint64_t *save_rsp, const uint64_t *load_rsp)
 *
 * Saves the System V callee-saved registers on the current stack, stores the
 * stack pointer in *save_rsp, loads *load_rsp and restores that context's
 * registers. Everything else is caller-saved, so the C compiler has already
 * saved what it needs around the call. A new thread's stack is laid out by
 * sched.c to "return" into its start function.
 */
	.text
	.globl uk_ctx_switch
	.type uk_ctx_switch, @function
uk_ctx_switch:
	.cfi_startproc
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq (%rsi), %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.cfi_endproc
	.size uk_ctx_switch, . - uk_ctx_switch

	.section .note.GNU-stack, "", @progbits
