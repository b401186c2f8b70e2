/*
 * How the sim build enters the runtime (the counterpart of the PVH entry
 * code on Xen). The host main() (sim/host/main.c) calls this once the domain
 * exists. Guest RAM is one host mapping: guest physical address p is at
 * ram + p, and nothing outside it has a guest physical address.
 */
#ifndef UK_PLATFORM_SIM_ENTRY_H
#define UK_PLATFORM_SIM_ENTRY_H

#include <stdint.h>

_Noreturn void uk_platform_sim_start(void *ram, uint64_t start_info_paddr);

#endif
