/*
 * Entering the runtime. Both builds end up in uk_start: the PVH entry code
 * on Xen, main() in the simulator's hypercall shim. The application provides
 * app_main; its argv is the guest command line split at spaces (quotes and
 * backslashes as in a shell), with argv[0] the unikernel's name.
 */
#ifndef UK_BOOT_H
#define UK_BOOT_H

#include <xen/xen.h>
#include <xen/arch-x86/hvm/start_info.h>

_Noreturn void uk_start(struct hvm_start_info *si);

/* Provided by the application; its return value is passed to uk_exit. */
int app_main(int argc, char **argv);

/* The unikernel's name, set by drydock_add_unikernel. */
extern const char uk_app_name[];

/* Splits cmdline in place into at most max_args words; returns argc or -E2BIG. */
int uk_cmdline_split(char *cmdline, char **argv, int max_args);

#endif
