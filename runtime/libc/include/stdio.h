/*
 * Freestanding <stdio.h>: formatting into buffers only. Output goes through
 * the Xen console with uk_printf (<uk/console.h>).
 */
#ifndef UK_LIBC_STDIO_H
#define UK_LIBC_STDIO_H

#include <stdarg.h>
#include <stddef.h>

int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
	__attribute__((format(printf, 3, 4)));
int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

#endif
