/* Diagnostics on stderr, and protocol violations (fatal under --strict). */
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xen/sched.h>

#include "sim/domain.h"
#include "sim/report.h"

void sim_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("drydock: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* True when a debugger traces this process (Linux: TracerPid in /proc/self/status). */
static bool debugger_attached(void)
{
	char line[128];
	bool traced = false;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "TracerPid:", 10)) {
			traced = strtol(line + 10, NULL, 10) != 0;
			break;
		}
	}
	fclose(f);
	return traced;
}

/*
 * --break-on-violation: stops a debugger here, inside the hypercall or ring
 * check the guest's code called, so `bt` leads to that code. Without a
 * debugger the SIGTRAP would kill the process: it is not raised then.
 */
static void break_if_debugged(struct sim_domain *d)
{
	if (sim_config(d->sim)->break_on_violation && debugger_attached())
		raise(SIGTRAP);
}

void sim_report_violation(struct sim_domain *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "drydock: protocol violation by domain %u (%s): ", d->domid, d->name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	d->violations++;
	break_if_debugged(d);
	if (sim_config(d->sim)->strict)
		sim_domain_shutdown(d, SHUTDOWN_crash);
}
