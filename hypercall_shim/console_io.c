/*
 * HYPERVISOR_console_io: the hypervisor's own console. Xen prints a domU's
 * writes (in debug builds) as "(dN) text"; we print them on stderr, where
 * crash messages belong.
 */
#include <stdio.h>
#include <xen/errno.h>
#include <xen/xen.h>

#include "hypercall_shim/shim.h"

#define CONSOLE_IO_MAX 4096

static long do_op(struct sim_domain *d, int cmd, int count, const char *str)
{
	switch (cmd) {
	case CONSOLEIO_write:
		if (count < 0)
			return -XEN_EINVAL;
		if (count > CONSOLE_IO_MAX)
			count = CONSOLE_IO_MAX;
		if (sim_domain_guest_access(d, str, (size_t)count, false, "CONSOLEIO_write buffer"))
			return -XEN_EFAULT;
		fprintf(stderr, "(d%u) %.*s", d->domid, count, str);
		if (count && str[count - 1] != '\n')
			fputc('\n', stderr);
		return 0;
	case CONSOLEIO_read:
		return -XEN_EPERM; /* only the control domain reads Xen's console */
	default:
		return -XEN_ENOSYS;
	}
}

long shim_console_io(int cmd, int count, char *str)
{
	long rc = do_op(shim_current(), cmd, count, str);
	char e[24];

	if (shim_tracing())
		shim_trace("console_io(%s, %d) = %s", cmd == CONSOLEIO_write ? "CONSOLEIO_write" :
			   cmd == CONSOLEIO_read ? "CONSOLEIO_read" : "unknown", count,
			   shim_strerror(rc, e));
	return rc;
}
