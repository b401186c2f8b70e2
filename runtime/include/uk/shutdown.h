/*
 * Power requests from the toolstack. `xl shutdown` (and drydock's simulator
 * on SIGINT/SIGTERM) writes "poweroff" to the domain's control/shutdown
 * node; `xl reboot` writes "reboot", and so on.
 *
 * uk_shutdown_watch_init watches control/shutdown (a callback in the xenbus
 * watch thread). On "poweroff" it acknowledges the request as Linux does
 * (writes "" back, in a transaction), prints "shutdown requested: poweroff"
 * and ends the domain with uk_exit(0). Any other request ("reboot",
 * "suspend", "halt", ...) is reported as not supported, cleared, and the
 * unikernel keeps running. An empty value (an acknowledgement, or the
 * watch's first firing) does nothing.
 *
 * Call it once, from a thread, after xenbus_init. It returns once the
 * watch's first firing has been handled (so a request made before boot is
 * acted on before the application starts; at most one second of guest time
 * is spent waiting for it). Returns 0, or a negative errno from
 * xenbus_watch_add (-EBUSY when called again).
 */
#ifndef UK_SHUTDOWN_H
#define UK_SHUTDOWN_H

int uk_shutdown_watch_init(void);

#endif
