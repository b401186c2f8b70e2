/*
 * Interrupt and exception entry points (the IDT itself is built in
 * traps.c).
 *
 * uk_xen_trap_stubs: 256 stubs, 16 bytes apart, one per vector. Each makes
 * the frame uniform (an error code of 0 where the CPU pushes none, then the
 * vector), saves every general register and calls uk_xen_trap(frame), which
 * reports and does not return.
 *
 * uk_xen_callback_entry: Xen's event callback vector. Events are dispatched
 * by the scheduler between threads (runtime/events.c), so the handler only
 * has to end the hlt in uk_platform_block. It returns with IF clear in the
 * restored RFLAGS: Xen keeps injecting the vector for as long as
 * evtchn_upcall_pending is set, and nothing here clears it, so returning
 * with interrupts on would take it again at once.
 *
 * Interrupts are on only in uk_platform_block's "sti; hlt", so the vector
 * interrupts either the hlt (the return address is past it) or, when it
 * comes in sti's shadow, the hlt before it ran. STI's shadow should prevent
 * the second, but Xen under QEMU's emulated SVM loses it (a #VMEXIT in the
 * shadow, and VMRUN does not restore it) and injects at the hlt. Returning
 * there with IF clear would run hlt with interrupts off, which Xen takes as
 * the last vCPU going down and powers the domain off (hvm_hlt,
 * hvm_vcpu_down: SHUTDOWN_poweroff, without a word): so a return address
 * at a hlt (0xf4) is moved past it.
 */
	.text

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERROR_CODE(v) \
	((v) == 8 || (v) == 10 || (v) == 11 || (v) == 12 || (v) == 13 || (v) == 14 || \
	 (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

	.balign 16
	.globl uk_xen_trap_stubs
uk_xen_trap_stubs:
	vector = 0
	.rept 256
	.balign 16
	.if !HAS_ERROR_CODE(vector)
	pushq $0
	.endif
	pushq $vector
	jmp trap_common
	vector = vector + 1
	.endr

trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	/* The CPU aligned %rsp to 16 before its 5 words; 2 + 15 more keep it so. */
	movq %rsp, %rdi
	cld
	call uk_xen_trap
1:	cli
	hlt
	jmp 1b

	.globl uk_xen_callback_entry
	.type uk_xen_callback_entry, @function
uk_xen_callback_entry:
	pushq %rax
	movq 8(%rsp), %rax             /* the return address */
	cmpb $0xf4, (%rax)             /* hlt: the vector came before it ran */
	jne 1f
	incq 8(%rsp)
1:	popq %rax
	andq $~0x200, 16(%rsp)         /* RFLAGS.IF in the frame: rip, cs, rflags */
	iretq
	.size uk_xen_callback_entry, . - uk_xen_callback_entry

	.section .note.GNU-stack, "", @progbits
