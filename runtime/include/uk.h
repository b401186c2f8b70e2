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
 *   <uk/alloc.h>     pages and the heap (uk_malloc ...)
 *   <uk/sched.h>     cooperative threads, sleeping, wait queues
 *   <uk/time.h>      guest time and wall-clock time
 *   <uk/timer.h>     callback timers on guest time
 *   <uk/random.h>    the runtime's seeded random numbers
 *   <uk/console.h>   uk_printf and the Xen console
 *   <uk/exit.h>      uk_exit, uk_atexit, uk_panic, UK_ASSERT
 *   <uk/boot.h>      app_main and the entry point
 *   <uk/xenbus.h>    xenstore: read, write, watch, transactions
 *
 * Not included here, also for applications: <uk/netfront.h> (Ethernet
 * frames on a vif), <uk/blk.h> (disks) and <uk/shutdown.h> (the control/shutdown watch the
 * runtime already set up). Event channels, grant tables and the frontend device
 * helpers are driver headers (<uk/drivers/...>, runtime/drivers/include),
 * which applications do not see: a device is reached through its driver.
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
#include <uk/exit.h>
#include <uk/sched.h>
#include <uk/random.h>
#include <uk/time.h>
#include <uk/timer.h>
#include <uk/xenbus.h>

#endif
