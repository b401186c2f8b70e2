/*
 * The backend half of the xenbus handshake, written once for every PV
 * backend of the simulator (netback today, blkback later), in the role of
 * Linux's drivers/xen/xenbus/xenbus_probe_backend.c and xenbus_client.c.
 *
 * A device is TYPE/DEVID of a guest: its backend directory is
 * /local/domain/0/backend/TYPE/<domid>/DEVID, which the toolstack has
 * written (sim/toolstack/device.h) with the frontend's path in `frontend`,
 * as libxl does. xenbus_backend_create reads that path (as
 * xenbus_read_otherend_details), watches the frontend's `state` through a
 * dom0 xenstore connection and walks the backend's own `state` the way
 * Linux's netback and blkback do:
 *
 *   frontend Initialising         -> backend InitWait
 *   frontend Initialised/Connected -> ops->connect, then Connected
 *                                    (a failed connect: Closing, as xenbus_dev_fatal)
 *   frontend Closing or Closed     -> ops->disconnect if connected, Closing, Closed
 *   frontend Initialising again    -> InitWait (reconnects)
 *
 * Every state on the way is written. Watch events are handled from a timer
 * due now, outside xenstored's call, as Linux's xenwatch thread does.
 *
 * The frontend's keys are read with limits (a string's length, an unsigned
 * number's range); a key present but out of its limits is a protocol
 * violation, reported with sim_report_violation naming the device and the
 * key. Rings are mapped writable as dom0 through the simulator's grant
 * table, and a failed map is reported the same way.
 */
#ifndef SIM_XENBUS_BACKEND_H
#define SIM_XENBUS_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <xen/grant_table.h>
#include <xen/io/xenbus.h>

#include "sim/evtchn.h"

struct sim_domain;
struct xenbus_backend;

struct xenbus_backend_ops {
	/*
	 * The frontend is ready (Initialised or Connected): read its keys, map
	 * the rings, bind the event channel. Returns 0, or a negative errno
	 * after reporting why (the backend then goes Closing). Called with the
	 * backend in InitWait; may raise events (the backend is Connected once
	 * it returns 0).
	 */
	int (*connect)(struct xenbus_backend *be, void *arg);
	/* Leaving Connected: unmap, unbind. */
	void (*disconnect)(struct xenbus_backend *be, void *arg);
};

/* A feature-* key the backend publishes before InitWait (netback_probe, blkback_probe). */
struct xenbus_backend_feature {
	const char *key;     /* "feature-rx-copy" */
	unsigned int value;  /* 0 or 1, mostly */
};

/*
 * Starts the backend of TYPE/DEVID of guest d: reads the backend
 * directory's `frontend`, publishes the features (n of them), watches the
 * frontend and goes to InitWait. ops->connect / disconnect get arg.
 * Returns 0, -ENOENT when the toolstack has not added the device, -ENOMEM.
 */
int xenbus_backend_create(struct sim_domain *d, const char *type, unsigned int devid,
			  const struct xenbus_backend_feature *features, size_t n,
			  const struct xenbus_backend_ops *ops, void *arg,
			  struct xenbus_backend **out);
/* Disconnects if connected and stops watching; the directories are the toolstack's. */
void xenbus_backend_destroy(struct xenbus_backend *be);

/* "vif0": the device's name in reports. */
const char *xenbus_backend_name(const struct xenbus_backend *be);
enum xenbus_state xenbus_backend_state(const struct xenbus_backend *be);
bool xenbus_backend_connected(const struct xenbus_backend *be);
const char *xenbus_backend_frontend_path(const struct xenbus_backend *be);
const char *xenbus_backend_path(const struct xenbus_backend *be);
struct sim_domain *xenbus_backend_guest(const struct xenbus_backend *be);

/*
 * Reads the frontend's KEY as a decimal number from 0 to max. Returns 0,
 * -ENOENT when absent (not reported: the caller decides), or -EINVAL when
 * it is not such a number (reported as a violation naming device and key).
 */
int xenbus_backend_read_uint(struct xenbus_backend *be, const char *key, unsigned long max,
			     unsigned long *out);
/* As xenbus_backend_read_uint, but an absent key is a violation too. */
int xenbus_backend_need_uint(struct xenbus_backend *be, const char *key, unsigned long max,
			     unsigned long *out);
/*
 * Reads the frontend's KEY into buf (size bytes, NUL-terminated). Returns
 * the length, -ENOENT when absent (not reported), or -E2BIG when it does not
 * fit or holds a NUL (reported).
 */
int xenbus_backend_read_str(struct xenbus_backend *be, const char *key, char *buf,
			    size_t size);
/* Writes the backend's own KEY (a formatted value), as xenbus_printf. */
int xenbus_backend_printf(struct xenbus_backend *be, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Maps the guest's grant ref (read from the frontend's KEY, named in a
 * failure's report) writable into dom0, as xenbus_map_ring_valloc.
 * Returns 0 with *page and *handle, or -EINVAL after reporting.
 */
int xenbus_backend_map_ring(struct xenbus_backend *be, const char *key, unsigned long ref,
			    void **page, grant_handle_t *handle);
void xenbus_backend_unmap_ring(struct xenbus_backend *be, grant_handle_t handle);
/*
 * Binds the guest's port (from the frontend's KEY) to a dom0 port whose
 * events call fn(arg), as bind_interdomain_evtchn_to_irqhandler. Returns 0
 * with *local, or a negative errno after reporting.
 */
int xenbus_backend_bind_evtchn(struct xenbus_backend *be, const char *key, unsigned long port,
			       sim_evtchn_handler_fn fn, void *arg, evtchn_port_t *local);
void xenbus_backend_unbind_evtchn(struct xenbus_backend *be, evtchn_port_t local);
/* Raises dom0's end of a bound port (notify_remote_via_irq). */
void xenbus_backend_notify(struct xenbus_backend *be, evtchn_port_t local);

#endif
