/*
 * A guest that faults (a wild pointer, a division by zero) crashes its
 * domain, as on Xen, instead of killing the process without a word: the
 * report names the fault, the address and the instruction, and the process
 * exits 70 like any crash. A debugger attached to the process still sees the
 * signal first, at the faulting instruction.
 *
 * A crash (a fault, or a panic or failed assertion: SHUTDOWN_crash) can
 * also leave a core file, for gdb's drydock helpers post mortem.
 *
 * A fault in the guard page below the domain's simulator stack (sim/stack.h)
 * is not the guest's: the simulator itself ran out of stack inside one of
 * its hypercalls. Nor is any fault taken while the stack pointer was on
 * that stack: only the simulator's side of a hypercall runs there (the
 * guest's code never does), so it is a drydock or library bug. Both are
 * reported as that, and still end the process.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>
#include <xen/sched.h>

#include "hypercall_shim/shim.h"
#include "sim/host/debug.h"
#include "sim/report.h"
#include "sim/sim.h"
#include "traces/trace_map.h"

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

/* The one line that says what faulted: the guest, or the simulator (its stack ran out, or a bug). */
static int fault_line(char *msg, size_t size, int sig, const siginfo_t *si,
		      const ucontext_t *uc, const struct sim_domain *d)
{
	unsigned long long rip = (unsigned long long)uc->uc_mcontext.gregs[REG_RIP];

	if (d && sim_stack_guard_hit(&d->stack, si->si_addr))
		return snprintf(msg, size,
				"drydock: simulator stack overflow (its %d KiB ran out in a hypercall "
				"of domain %u (%s)): %s at address %p, rip %#llx; a drydock bug, "
				"not the guest's\n",
				SIM_STACK_BYTES / 1024, d->domid, d->name, strsignal(sig),
				si->si_addr, rip);
	if (d && sim_stack_contains(&d->stack, (const void *)uc->uc_mcontext.gregs[REG_RSP]))
		return snprintf(msg, size,
				"drydock: the simulator faulted in a hypercall of domain %u (%s): "
				"%s (%s) at address %p, rip %#llx; a drydock bug, not the guest's\n",
				d->domid, d->name, fault_name(sig), strsignal(sig), si->si_addr, rip);
	return snprintf(msg, size, "drydock: domain %u (%s) crashed: %s (%s) at address %p, rip %#llx\n",
			d ? d->domid : 0, d ? d->name : "?", fault_name(sig), strsignal(sig),
			si->si_addr, rip);
}

static void on_fault(int sig, siginfo_t *si, void *uc_void)
{
	ucontext_t *uc = uc_void;
	struct sim_domain *d = shim_current();
	char msg[320];
	int n;

	/* A trace truncated under its mapping (pcap=, tcp=replay): the replay says so, not a crash. */
	if (sig == SIGBUS && trace_map_fault(si->si_addr))
		return;
	n = fault_line(msg, sizeof(msg), sig, si, uc, d);
	if (d)
		sim_console_drain(&d->console);
	if (n < 0)
		n = 0;
	else if (n >= (int)sizeof(msg))
		n = (int)sizeof(msg) - 1; /* cut, as snprintf left it */
	if (write(STDERR_FILENO, msg, (size_t)n) < 0)
		_exit(SIM_EXIT_CRASH);
	shim_core_dump(sig);
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

	/* Its own stack: the fault may be a stack overflow (a guest thread's, or the simulator's). */
	if (sigaltstack(&ss, NULL) < 0)
		return -1;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) < 0)
			return -1;
	return 0;
}

int shim_core_enable(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_CORE, &rl) < 0 || rl.rlim_max == 0) {
		sim_log("--core: cannot dump core: the hard core size limit is 0 (ulimit -H -c)");
		return -1;
	}
	rl.rlim_cur = rl.rlim_max;
	return setrlimit(RLIMIT_CORE, &rl);
}

/* Writes s on stderr from a signal handler (no stdio). */
static void say(const char *s)
{
	if (write(STDERR_FILENO, s, strlen(s)) < 0)
		return;
}

void shim_core_dump(int sig)
{
	struct rlimit rl;
	sigset_t set;
	int status;
	pid_t pid;

	if (getrlimit(RLIMIT_CORE, &rl) < 0 || rl.rlim_cur == 0)
		return;
	pid = fork();
	if (pid == 0) {
		/* The copy: the kernel dumps it with sig's default action. */
		signal(sig, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		raise(sig);
		_exit(SIM_EXIT_CRASH);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		say("drydock: cannot dump core: fork failed\n");
		return;
	}
	if (WIFSIGNALED(status) && WCOREDUMP(status))
		say("drydock: core dumped (named by /proc/sys/kernel/core_pattern)\n");
	else
		say("drydock: no core was dumped (see /proc/sys/kernel/core_pattern)\n");
}

_Noreturn void shim_domain_ended_or_crashed(struct sim_domain *d, void *arg)
{
	/* A panic, a failed assertion, a violation under --strict: not uk_exit(N). */
	if (d->shutdown_reason == SHUTDOWN_crash && d->exit_status == SIM_EXIT_CRASH)
		shim_core_dump(SIGABRT);
	shim_domain_ended(d, arg);
}
