/*
 * The xenbus client's internal interface, between its three files:
 *
 *   xenbus_ring.c   the store ring: writing requests, reassembling replies
 *                   and watch events in the event handler, matching replies
 *                   to waiting requests by req_id, xenbus_init
 *   xenbus_watch.c  watches: registration, per-watch event queues, the
 *                   "xenbus" thread that runs watch callbacks
 *   xenbus.c        the calls of <uk/xenbus.h> that build requests and parse
 *                   replies (read, write, directory, perms, transactions)
 *
 * and xenbus_dev.c (the device, its keys) and xenbus_dev_state.c (states,
 * the watch on the other end): the frontend device helpers of
 * <uk/drivers/xenbus_dev.h>, built on the public calls.
 */
#ifndef UK_XENBUS_PRIVATE_H
#define UK_XENBUS_PRIVATE_H

/* First, so that <xen/io/xs_wire.h> sees EINVAL and defines xsd_errors[]. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uk/xenbus.h"

struct xenbus_dev;

/* One piece of a request's payload. */
struct xb_iov {
	const void *base;
	size_t len;
};

/*
 * Sends one request (type, transaction t, payload = the pieces of iov in
 * order) and waits for its reply. On success, when reply is not NULL,
 * *reply is the reply's payload (uk_malloc'd, with a NUL after the *len
 * bytes); otherwise it is freed. XS_ERROR replies become their negative
 * errno. -E2BIG for a payload over XENSTORE_PAYLOAD_MAX, -EIO when the store
 * is unusable or not connected, -ENOMEM. Must be called from a thread.
 */
int xb_talk(uint32_t type, xenbus_transaction_t t, const struct xb_iov *iov, unsigned int n,
	    char **reply, uint32_t *len);

/* Connects to the store ring at boot (HVM_PARAM_STORE_PFN/_EVTCHN); -EBUSY when connected. */
int xenbus_init(void);

/* True once the ring has been found corrupt: every request fails with -EIO. */
bool xb_broken(void);

/*
 * From the event handler: an XS_WATCH_EVENT arrived with body[0..len)
 * ("path\0token\0"; body[len] is NUL). Queues it; never blocks.
 */
void xb_watch_event(const char *body, uint32_t len);
/* From the event handler: the store broke; wakes every xenbus_watch_wait. */
void xb_watch_break(void);
/* Starts the "xenbus" thread that runs watch callbacks (from xenbus_init). */
int xb_watch_thread_start(void);

/* xenbus_dev*.c: a key's path, <dir>/<key>, with a backend directory of XENBUS_DEV_PATH_MAX. */
#define XB_DEV_KEY_PATH_MAX (256 + 64)

/*
 * xenbus_dev.c and xenbus_dev_state.c: records in dev->error (and, unless
 * quiet, prints) why a call failed; returns rc.
 */
int xb_dev_fail(struct xenbus_dev *dev, int rc, bool quiet, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
