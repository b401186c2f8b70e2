/*
 * The runtime directory where a running domain registers, so that `drydock
 * list`, `shutdown`, `xenstore` and `console` find it by name (as xl finds
 * a domain through xenstored): DIR/NAME/info, a few KEY=VALUE lines, and
 * DIR/NAME/xenstore.sock, the domain's xenstore for Xen's tools. DIR is
 * $DRYDOCK_RUN_DIR, else $XDG_RUNTIME_DIR/drydock, else /run/drydock for
 * root and /tmp/drydock-UID for anyone else. `drydock run -d` writes the
 * console to DIR/NAME.console, which stays after the domain has gone.
 *
 * The info file's keys: name, domid, pid, clock (real|virtual), seed,
 * started (CLOCK_MONOTONIC at boot, ns), xenstore (the socket), config (the
 * xl.cfg, or empty), vif (one line per vif, its --vif SPEC).
 */
#ifndef SIM_HOST_REGISTRY_H
#define SIM_HOST_REGISTRY_H

#include <limits.h>
#include <stddef.h>

#include "sim/toolstack/toolstack.h"

#define SHIM_REGISTRY_INFO "info"
#define SHIM_REGISTRY_SOCKET "xenstore.sock"

/* The runtime directory, created (mode 0700) when missing. Returns 0 or -errno. */
int shim_registry_dir(char *out, size_t size);

/*
 * Claims DIR/NAME for this process: refused (-EEXIST, with a line in err)
 * while another live process holds it; a stale entry is taken over. Sets
 * cfg->xenstore_socket to DIR/NAME/xenstore.sock when cfg has none. The
 * entry goes when the process exits (atexit) or re-executes itself.
 */
int shim_registry_claim(struct sim_toolstack_config *cfg, char *err, size_t errlen);
/* Writes the info file, once the domain exists. Returns 0 or -errno. */
int shim_registry_publish(const struct sim_toolstack_config *cfg, const char *config);
/* Removes this process's entry (its info file and directory), if any. */
void shim_registry_remove(void);

#endif
