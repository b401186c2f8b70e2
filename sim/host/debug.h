/*
 * Debugging the process: post-mortem core files of a crashed guest
 * (fault.c) and starting a unikernel under gdb with drydock's helpers
 * (options.c). docs/debugging.md says how they are used.
 */
#ifndef SHIM_DEBUG_H
#define SHIM_DEBUG_H

#include "sim/domain.h"

/*
 * --core: a crash leaves a core file. Raises the soft core size limit to
 * the hard one; 0, or -1 after saying why it cannot (hard limit 0).
 */
int shim_core_enable(void);
/*
 * Dumps core when the core size limit allows it (--core, or the shell's
 * ulimit -c): a forked copy of the process ends with sig and the default
 * action, so the kernel writes the copy's memory as it is here, and this
 * process goes on to exit with the crash status. Async-signal-safe.
 */
void shim_core_dump(int sig);
/* The on_shutdown hook: a crashed domain dumps core first, then shim_domain_ended. */
_Noreturn void shim_domain_ended_or_crashed(struct sim_domain *d, void *arg);

/*
 * --gdb: replaces the process with gdb running this executable with the
 * same options (less --gdb), drydock's helpers allowed to load. Returns
 * only on failure (-1, after saying why).
 */
int shim_exec_gdb(int argc, char **argv);

#endif
