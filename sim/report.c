/* Diagnostics on stderr, and protocol violations (fatal under --strict). */
#include <stdarg.h>
#include <stdio.h>
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

void sim_report_violation(struct sim_domain *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "drydock: protocol violation by domain %u (%s): ", d->domid, d->name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	d->violations++;
	if (sim_config(d->sim)->strict)
		sim_domain_shutdown(d, SHUTDOWN_crash);
}
