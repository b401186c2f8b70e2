/*
 * What the trampoline (stack_switch.S) needs to know of struct sim_domain,
 * as a number the assembler can read: where the current domain's stack top
 * is. shim.c checks it against the structure.
 */
#ifndef SHIM_STACK_SWITCH_H
#define SHIM_STACK_SWITCH_H

/* offsetof(struct sim_domain, stack.top) */
#define SHIM_DOMAIN_STACK_TOP 8

#endif
