/*
 * The PVH entry (Xen's "direct boot" ABI, also what QEMU's -kernel uses for
 * an ELF with this note): Xen starts the vCPU at the address in the
 * XEN_ELFNOTE_PHYS32_ENTRY note, in 32-bit flat protected mode with paging
 * off, interrupts off and %ebx = physical address of struct hvm_start_info.
 *
 * From there: our GDT, BSS cleared, identity-mapped page tables for the
 * first 4 GiB (2 MiB pages), PAE + long mode, SSE (the compiler may use
 * it), the boot stack, and uk_xen_start(si) in C. The image is linked and
 * loaded at 1 MiB and runs where it was loaded: virtual = physical.
 */
#include <xen/elfnote.h>

#define CR0_PE (1 << 0)
#define CR0_MP (1 << 1)
#define CR0_EM (1 << 2)
#define CR0_NE (1 << 5)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define CR4_OSFXSR (1 << 9)
#define CR4_OSXMMEXCPT (1 << 10)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)

#define PTE_PRESENT_RW 0x3
#define PDE_2MIB (0x80 | PTE_PRESENT_RW)
#define MAPPED_GIB 4

#define GDT_CODE64 0x08
#define GDT_DATA 0x10

/* The scheduler and uk_start run on this stack; threads have their own. */
#define BOOT_STACK_SIZE (64 * 1024)

/*
 * The entry note. Its 8-byte value is read by Xen's libelf (any numeric
 * size) and by QEMU's PVH loader (which reads a 64-bit word).
 */
	.section .note.Xen, "a", @note
	.balign 4
	.long 4                        /* namesz: "Xen\0" */
	.long 8                        /* descsz */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.balign 4
	.quad uk_xen_entry32
	.balign 4

	.section .text.boot, "ax", @progbits
	.code32
	.globl uk_xen_entry32
	.type uk_xen_entry32, @function
uk_xen_entry32:
	cli
	cld
	movl %ebx, %esi                /* hvm_start_info: %esi survives to long mode */

	/* The GDTR Xen leaves is not ours to use: load our own first. */
	lgdt gdt_desc
	movl $GDT_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs

	/* BSS, where the page tables and the boot stack are. */
	movl $__bss_start, %edi
	movl $_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	movl $boot_stack_top, %esp

	/* pml4[0] -> pdpt; pdpt[0..3] -> pd[0..3]; pd: 2048 2 MiB pages from 0. */
	movl $(pdpt + PTE_PRESENT_RW), %eax
	movl %eax, pml4
	movl $(pd + PTE_PRESENT_RW), %eax
	xorl %ecx, %ecx
1:	movl %eax, pdpt(, %ecx, 8)
	addl $4096, %eax
	incl %ecx
	cmpl $MAPPED_GIB, %ecx
	jb 1b
	movl $PDE_2MIB, %eax
	xorl %ecx, %ecx
2:	movl %eax, pd(, %ecx, 8)
	addl $0x200000, %eax
	incl %ecx
	cmpl $(MAPPED_GIB * 512), %ecx
	jb 2b

	/* PAE and SSE in CR4, the page tables in CR3, long mode in EFER. */
	movl %cr4, %eax
	orl $(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
	movl %eax, %cr4
	movl $pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr

	/* Paging on (which activates long mode); FPU/SSE without emulation. */
	movl %cr0, %eax
	andl $~CR0_EM, %eax
	orl $(CR0_PE | CR0_MP | CR0_NE | CR0_PG), %eax
	movl %eax, %cr0
	ljmp $GDT_CODE64, $entry64

	.code64
entry64:
	movl $GDT_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movq $boot_stack_top, %rsp
	fninit
	movl %esi, %edi                /* uk_xen_start(si) */
	xorl %ebp, %ebp                /* the end of every backtrace */
	call uk_xen_start
3:	cli
	hlt
	jmp 3b
	.size uk_xen_entry32, . - uk_xen_entry32

/*
 * Null, 64-bit code, flat data. The accessed bits are preset so that the
 * CPU never writes to the table.
 */
	.data
	.balign 16
gdt:
	.quad 0
	.quad 0x00af9b000000ffff       /* 0x08: code, long mode, DPL 0 */
	.quad 0x00cf93000000ffff       /* 0x10: data, 4 GiB flat */
gdt_end:
	.balign 8
	/* lgdt reads 6 bytes in 32-bit mode, 10 in long mode: the base is below 4 GiB. */
gdt_desc:
	.word gdt_end - gdt - 1
	.quad gdt

	.section .bss.pagetables, "aw", @nobits
	.balign 4096
pml4:
	.skip 4096
pdpt:
	.skip 4096
pd:
	.skip MAPPED_GIB * 4096

	.section .bss.stack, "aw", @nobits
	.balign 16
	.globl uk_xen_boot_stack
uk_xen_boot_stack:
	.skip BOOT_STACK_SIZE
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
