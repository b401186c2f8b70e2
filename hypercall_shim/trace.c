/* --trace-hypercalls output, in the spirit of strace. */
#include <stdarg.h>
#include <stdio.h>
#include <xen/errno.h>

#include "hypercall_shim/shim.h"
#include "sim/sim.h"

void shim_trace(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("hypercall: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

const char *shim_strerror(long rc, char buf[24])
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
#define XEN_ERRNO(name, value) { value, #name },
#include <xen/errno.h>
	};

	if (rc >= 0) {
		snprintf(buf, 24, "%ld", rc);
		return buf;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i].err == -rc) {
			snprintf(buf, 24, "-%s", names[i].name);
			return buf;
		}
	}
	snprintf(buf, 24, "%ld", rc);
	return buf;
}
