/* The rig's self-test guest: entry. Xen starts a PVH guest here (XEN_ELFNOTE_PHYS32_ENTRY) in
 * 32-bit flat protected mode, paging off, %ebx = struct hvm_start_info. */
        .section .note.Xen, "a", @note
        .balign 4
        .long 4                 /* name size: "Xen\0" */
        .long 4                 /* descriptor size */
        .long 18                /* XEN_ELFNOTE_PHYS32_ENTRY */
        .asciz "Xen"
        .balign 4
        .long _start
        .balign 4

        .text
        .code32
        .globl _start
_start:
        cli
        cld
        mov $stack_top, %esp
        push %ebx
        call selftest_main
1:      hlt
        jmp 1b

        .bss
        .balign 16
        .space 8192
stack_top:

        .section .note.GNU-stack, "", @progbits
