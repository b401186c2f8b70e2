/*
 * The Xen console: output goes to the console ring page whose frame and
 * event channel come from HVM_PARAM_CONSOLE_PFN / HVM_PARAM_CONSOLE_EVTCHN.
 * Before the ring is up (and for crash messages) output also goes to
 * HYPERVISOR_console_io.
 */
#ifndef UK_CONSOLE_H
#define UK_CONSOLE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Writes all of buf, waiting for the backend when the ring is full. */
void uk_console_write(const char *buf, size_t len);
int uk_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int uk_vprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* Waits until the backend has consumed everything written so far. */
void uk_console_flush(void);

#endif
