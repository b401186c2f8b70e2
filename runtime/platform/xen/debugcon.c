/*
 * Early output: the 0xe9 debug port. Xen copies what a HVM or PVH guest
 * writes there into its log, line by line ("(d1) ..." in `xl dmesg`; Xen
 * prints it at guest debug level, so boot Xen with guest_loglvl=all); QEMU
 * has it as the isa-debugcon device. It needs nothing set up, which makes it
 * the channel of the boot path, of exception reports and of the "no Xen"
 * message.
 */
#include <stdarg.h>
#include <stdio.h>

#include "platform/xen/xen_platform.h"

#define DEBUGCON_PORT 0xe9

void uk_xen_debugcon_write(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		uk_xen_outb(DEBUGCON_PORT, (uint8_t)buf[i]);
}

void uk_xen_debugcon_printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	uk_xen_debugcon_write(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

_Noreturn void uk_xen_halt(uint32_t debug_exit_value)
{
	__asm__ volatile("cli");
	uk_xen_outl(UK_XEN_DEBUG_EXIT_PORT, debug_exit_value);
	for (;;)
		__asm__ volatile("hlt");
}
