/*
 * Entering the runtime (runtime/boot.c, runtime/cmdline.c). Both builds end
 * up in uk_start: the PVH entry code on Xen (platform/xen/start.c), the
 * simulator's main() through platform/sim/platform.c.
 */
#ifndef UK_BOOT_PRIVATE_H
#define UK_BOOT_PRIVATE_H

#include <xen/xen.h>
#include <xen/arch-x86/hvm/start_info.h>

#include "include/uk/boot.h"

_Noreturn void uk_start(struct hvm_start_info *si);

/* Splits cmdline in place into at most max_args words; returns argc or -E2BIG. */
int uk_cmdline_split(char *cmdline, char **argv, int max_args);

#endif
