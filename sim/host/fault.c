/*
 * A guest that faults (a wild pointer, a division by zero) crashes its
 * domain, as on Xen, instead of killing the process without a word: the
 * report names the fault, the address and the instruction, and the process
 * exits 70 like any crash. A debugger attached to the process still sees the
 * signal first, at the faulting instruction.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#include "hypercall_shim/shim.h"
#include "sim/sim.h"

#define FAULT_STACK_SIZE (64 * 1024)

static const char *fault_name(int sig)
{
	switch (sig) {
	case SIGSEGV: return "page fault";
	case SIGBUS: return "bus error";
	case SIGFPE: return "arithmetic exception";
	case SIGILL: return "invalid instruction";
	default: return "fault";
	}
}

static void on_fault(int sig, siginfo_t *si, void *uc_void)
{
	ucontext_t *uc = uc_void;
	struct sim_domain *d = shim_current();
	char msg[256];
	int n;

	n = snprintf(msg, sizeof(msg),
		     "drydock: domain %u (%s) crashed: %s (%s) at address %p, rip %#llx\n",
		     d ? d->domid : 0, d ? d->name : "?", fault_name(sig), strsignal(sig),
		     si->si_addr, (unsigned long long)uc->uc_mcontext.gregs[REG_RIP]);
	if (d)
		sim_console_drain(&d->console);
	if (write(STDERR_FILENO, msg, (size_t)n) < 0)
		_exit(SIM_EXIT_CRASH);
	if (d)
		sim_finish(d->sim);
	_exit(SIM_EXIT_CRASH);
}

int shim_catch_faults(void)
{
	static char stack[FAULT_STACK_SIZE];
	stack_t ss = { .ss_sp = stack, .ss_size = sizeof(stack) };
	struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO | SA_ONSTACK };
	const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL };

	/* Its own stack: the fault may be a guest thread's stack overflow. */
	if (sigaltstack(&ss, NULL) < 0)
		return -1;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) < 0)
			return -1;
	return 0;
}
