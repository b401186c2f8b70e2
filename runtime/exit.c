/* Ending the domain: SCHEDOP_shutdown, after the console is flushed. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <xen/sched.h>

#include "console_private.h"
#include "uk/exit.h"
#include "uk/hypercall.h"
#include "uk/sched.h"

static _Noreturn void shutdown(unsigned int reason)
{
	struct sched_shutdown s = { .reason = reason };

	for (;;)
		HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
}

static void (*atexit_fns[UK_ATEXIT_MAX])(void);
static unsigned int nr_atexit;

int uk_atexit(void (*fn)(void))
{
	if (nr_atexit == UK_ATEXIT_MAX)
		return -ENOSPC;
	atexit_fns[nr_atexit++] = fn;
	return 0;
}

_Noreturn void uk_exit(int status)
{
	/* Each runs once, even if one of them calls uk_exit again. */
	while (nr_atexit > 0)
		atexit_fns[--nr_atexit]();
	uk_console_flush();
	/* Like exit(3), only the low 8 bits count: uk_exit(256) is a success. */
	if ((status & 0xff) == 0)
		shutdown(SHUTDOWN_poweroff);
	/* Xen reads the low byte (crash); drydock's simulator also reads the status. */
	shutdown(SHUTDOWN_crash | (((unsigned int)status & 0xff) << 8));
}

_Noreturn void uk_panic(const char *fmt, ...)
{
	static bool panicking;
	char msg[256];
	va_list ap;
	int n;

	if (panicking)
		shutdown(SHUTDOWN_crash); /* a panic while panicking: just stop */
	panicking = true;
	uk_console_set_polling();
	n = snprintf(msg, sizeof(msg), "PANIC in %s: ", uk_thread_name(uk_thread_self()));
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	n = (int)strlen(msg);
	msg[n++] = '\n';
	msg[n] = '\0';
	/* On the console ring for the user, and on Xen's console for the log. */
	if (uk_console_ready()) {
		uk_console_write(msg, (size_t)n);
		uk_console_flush();
	}
	HYPERVISOR_console_io(CONSOLEIO_write, n, msg);
	shutdown(SHUTDOWN_crash);
}
