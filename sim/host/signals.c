/*
 * SIGINT and SIGTERM, as a toolstack would treat them: the first asks the
 * guest to power off (control/shutdown, like `xl shutdown`); the second
 * stops it at once. Plain sigaction handlers rather than libuv's signal
 * watchers, because a guest spinning without a hypercall never lets the
 * loop run: the first signal only wakes the loop (uv_async_send is
 * async-signal-safe), the second acts inside the handler, where it also
 * writes the vif captures' buffered records and the disk logs' buffered
 * lines (a loop that never went idle never flushed them). Its line is made
 * at install: strsignal and snprintf are not async-signal-safe (a signal
 * landing in malloc or stdio could deadlock in them), write(2) is.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hypercall_shim/shim.h"
#include "sim/report.h"

/* The line a second signal writes, one per signal handled. */
struct shim_signal_line {
	int sig;
	char text[96];
	size_t len;
};

struct shim_signals {
	uv_async_t wake;
	struct sim_domain *dom;
	pid_t tid; /* the loop's thread, the only one the handler acts on */
	volatile sig_atomic_t count, first;
	struct shim_signal_line stop[2]; /* SIGINT's, SIGTERM's */
};

/* A signal handler has no argument to carry its context: this is it. */
static struct shim_signals signals;

static void on_wake(uv_async_t *a)
{
	struct sim_domain *d = signals.dom;
	int rc = sim_domain_request_shutdown(d, "poweroff");

	if (rc == 0)
		sim_log("%s: asking domain %u to power off (again to stop it at once)",
			strsignal(signals.first), d->domid);
	else
		sim_log("%s: cannot ask domain %u to power off: %s", strsignal(signals.first),
			d->domid, strerror(-rc));
}

/* "drydock: Interrupt: stopping domain 1", made while it is safe to (at install). */
static void stop_line_make(struct shim_signal_line *l, int sig, domid_t domid)
{
	int n = snprintf(l->text, sizeof(l->text), "drydock: %s: stopping domain %u\n",
			 strsignal(sig), domid);

	l->sig = sig;
	l->len = n < 0 ? 0 : (size_t)n < sizeof(l->text) ? (size_t)n : sizeof(l->text) - 1;
}

/* write(2) of sig's prepared line: async-signal-safe. */
static void stop_line_write(int sig)
{
	for (size_t i = 0; i < sizeof(signals.stop) / sizeof(signals.stop[0]); i++) {
		const struct shim_signal_line *l = &signals.stop[i];

		/* A failed write leaves nowhere to say it: the exit status still does. */
		if (l->sig == sig && write(STDERR_FILENO, l->text, l->len) < 0)
			break;
	}
}

static void on_signal(int sig)
{
	struct sim_domain *d = signals.dom;

	/*
	 * A signal to the process may land on another thread (libuv's workers
	 * block none), even while the loop's thread blocks it in this handler:
	 * it is passed on to the loop's thread, where it waits its turn.
	 */
	if (gettid() != signals.tid) {
		int saved_errno = errno;

		tgkill(getpid(), signals.tid, sig);
		errno = saved_errno;
		return;
	}
	if (++signals.count == 1) {
		signals.first = sig;
		uv_async_send(&signals.wake);
		return;
	}
	/* Only async-signal-safe work from here: write(), lseek(), unlink(), _exit(). */
	sim_console_drain_in_signal(&d->console);
	/* Captures end on their last whole record: none handled so far is lost. */
	sim_flush_captures_in_signal(d->sim);
	stop_line_write(sig);
	sim_remove_sockets(d->sim);
	_exit(128 + sig);
}

int shim_watch_signals(struct sim_domain *d)
{
	/*
	 * On the alternate signal stack (shim_catch_faults sets it up), not the
	 * guest thread's the signal lands on: the kernel's frame (3 KiB with
	 * AVX-512's state) and the handler's would be written under a thread
	 * deep in its 128 KiB, over its canary and the guest memory below, as
	 * hypercalls were before stack_switch.S.
	 */
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_ONSTACK };
	int rc;

	signals.dom = d;
	signals.tid = gettid();
	stop_line_make(&signals.stop[0], SIGINT, d->domid);
	stop_line_make(&signals.stop[1], SIGTERM, d->domid);
	if ((rc = uv_async_init(sim_loop(d->sim), &signals.wake, on_wake)) < 0)
		return rc;
	/* The other waits: a third signal inside the second's handler would write captures twice. */
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0)
		return -1;
	/* A socket peer that hangs up costs its connection (EPIPE), not the process: as xenstored. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return -1;
	/* A capture past the file size limit (ulimit -f) costs its tail (EFBIG), not the process. */
	if (signal(SIGXFSZ, SIG_IGN) == SIG_ERR)
		return -1;
	return 0;
}
