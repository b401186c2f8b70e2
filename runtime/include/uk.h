/*
 * drydock runtime: what a unikernel application may use.
 *
 * An application defines `int app_main(int argc, char **argv)` and is built
 * with drydock_add_unikernel(). It runs as the first thread of a Xen guest:
 * on Xen as a PVH domain, in the simulator as a Linux process. It may use
 * the C library subset in runtime/libc/include (string.h, ctype.h,
 * stdarg.h, stdint.h, inttypes.h, stddef.h, stdbool.h, limits.h, errno.h,
 * stdlib.h's strto*, stdio.h's snprintf/vsnprintf) and the headers below;
 * nothing else.
 *
 *   <uk/alloc.h>    pages and the heap (uk_malloc ...)
 *   <uk/sched.h>    cooperative threads, sleeping, wait queues
 *   <uk/time.h>     guest time and wall-clock time
 *   <uk/console.h>  uk_printf and the Xen console
 *   <uk/events.h>   Xen event channels
 *   <uk/exit.h>     uk_exit, uk_panic, UK_ASSERT
 *   <uk/boot.h>     app_main and the entry point
 *   <uk/xenbus.h>   xenstore: read, write, watch, transactions
 *   <uk/gnttab.h>   grant tables (for drivers)
 */
#ifndef UK_H
#define UK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <uk/alloc.h>
#include <uk/boot.h>
#include <uk/console.h>
#include <uk/events.h>
#include <uk/exit.h>
#include <uk/sched.h>
#include <uk/time.h>
#include <uk/xenbus.h>

#endif
