/*
 * Freestanding <stdio.h>: formatting into buffers only. Output goes through
 * the Xen console with uk_printf (<uk/console.h>).
 *
 * Both builds format with runtime/libc/vsnprintf.c, so that a guest prints
 * the same in the sim as on Xen (%f included: see vsnprintf.c). The
 * functions carry the link names uk_libc_snprintf and uk_libc_vsnprintf:
 * in the sim build they then live beside the host C library's own, which
 * the simulator keeps using.
 */
#ifndef UK_LIBC_STDIO_H
#define UK_LIBC_STDIO_H

#include <stdarg.h>
#include <stddef.h>

int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
	__asm__("uk_libc_snprintf") __attribute__((format(printf, 3, 4)));
int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt, va_list ap)
	__asm__("uk_libc_vsnprintf") __attribute__((format(printf, 3, 0)));

#endif
