/*
 * Ending the domain. uk_exit asks Xen to shut the domain down
 * (SCHEDOP_shutdown): reason SHUTDOWN_poweroff for status 0, SHUTDOWN_crash
 * otherwise (only the low 8 bits of status count, as with exit(3)). The reason field carries the status in bits 8..15; Xen reads
 * only the low 8 bits, so on Xen the status shows as poweroff or crash, and
 * drydock's simulator turns it into the process exit status.
 */
#ifndef UK_EXIT_H
#define UK_EXIT_H

_Noreturn void uk_exit(int status);
/*
 * Registers fn to run in uk_exit (in the exiting thread, last registered
 * first), e.g. to print final counters when the toolstack powers the domain
 * off. At most UK_ATEXIT_MAX functions; -ENOSPC beyond. Not run on a panic.
 */
#define UK_ATEXIT_MAX 8
int uk_atexit(void (*fn)(void));
/* Prints "PANIC: ..." with the thread's name and crashes the domain. */
_Noreturn void uk_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define UK_STRINGIFY_(x) #x
#define UK_STRINGIFY(x) UK_STRINGIFY_(x)
/* Always checked (also in optimised builds): a failed assertion is a crash. */
#define UK_ASSERT(cond)                                                                   \
	do {                                                                              \
		if (!(cond))                                                              \
			uk_panic("assertion failed at %s:%d: %s", __FILE__, __LINE__,     \
				 #cond);                                                  \
	} while (0)

#endif
