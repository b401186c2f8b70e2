/*
 * Frontend device helpers: what every PV frontend (netfront, blkfront, ...)
 * needs from xenbus, written once, after Linux's xenbus_probe_frontend.c
 * and xenbus_client.c.
 *
 * A driver header, not an application header: it lives in
 * runtime/drivers/include, which only the runtime and its drivers see
 * (docs/architecture.md, "Headers"). An application reaches a device through
 * its driver's API (<uk/netfront.h>), never through these calls.
 *
 * A device is device/<type>/<id> in the domain's home (libxl writes it); its
 * "backend" key names the backend's directory (the other end), its
 * "backend-id" the backend's domain. The life of a frontend:
 *
 *   xenbus_dev_init(_nth)      find the device, its backend and backend-id
 *   xenbus_dev_watch_otherend  follow the backend's state (and a callback)
 *   xenbus_dev_switch_state    Initialising
 *   xenbus_dev_wait_otherend   InitWait (its features are written)
 *   xenbus_dev_read_*          the backend's features (feature-rx-copy,
 *                              feature-flush-cache, sectors, ...)
 *   xenbus_dev_write_*         our rings, event channel and features, in a
 *                              transaction (xenbus_transaction_retry, at
 *                              most XENBUS_DEV_PUBLISH_TRIES times)
 *   xenbus_dev_switch_state    Connected, then wait for the backend's
 *   xenbus_dev_close           Closing, Closed, each followed by the backend;
 *                              the watch ends
 *
 * Reading a key checks its value once, here: a value that is not of the
 * kind asked for is -EINVAL, one of the right kind beyond the limit given
 * (a number out of range, a string longer than the buffer) is -ERANGE. Every
 * failure leaves its one-line reason in dev->error; all but -ENOENT (an
 * absent key, often optional) also print it on the console.
 *
 * A struct xenbus_dev belongs to its driver (embed it); the helpers allocate
 * nothing but the watch. Every call except the watch callback must be made
 * from a thread. Functions return 0 or a negative errno.
 */
#ifndef UK_DRIVERS_XENBUS_DEV_H
#define UK_DRIVERS_XENBUS_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/io/xenbus.h>

#include <uk/sched.h>
#include <uk/xenbus.h>

/* A set of XenbusState values, for xenbus_dev_wait_otherend. */
#define XENBUS_STATE_BIT(s) (1u << (s))
/* The other end is leaving: the usual fail set while connecting. */
#define XENBUS_DEV_LEAVING                                                           \
	(XENBUS_STATE_BIT(XenbusStateClosing) | XENBUS_STATE_BIT(XenbusStateClosed))

#define XENBUS_DEV_TYPE_MAX 16  /* "vif", "vbd", ... with the NUL */
#define XENBUS_DEV_PATH_MAX 256 /* the backend's directory, with the NUL */
#define XENBUS_DEV_ERROR_MAX 160
/*
 * How often a frontend starts its publishing transaction over while the
 * commit says -EAGAIN (xenbus_transaction_retry's max_tries).
 */
#define XENBUS_DEV_PUBLISH_TRIES 16

/* Whose key: the device's own directory or the backend's. */
enum xenbus_dev_end {
	XENBUS_DEV_SELF,
	XENBUS_DEV_OTHEREND,
};

struct xenbus_dev;
/*
 * Runs in the xenbus thread after every change of the other end's state
 * (dev->otherend_state is already the new one). It may make xenbus calls.
 */
typedef void (*xenbus_dev_otherend_fn)(struct xenbus_dev *dev, void *arg);

struct xenbus_dev {
	char nodename[48];                /* device/<type>/<id>, relative to home */
	unsigned int id;                  /* <id>, the device number */
	char otherend[XENBUS_DEV_PATH_MAX]; /* the backend's directory */
	domid_t otherend_id;              /* backend-id */
	XenbusState state;                /* ours, as last published */
	bool state_published;             /* we wrote state at least once */
	/* Kept by the watch: XenbusStateUnknown while absent or unreadable. */
	XenbusState otherend_state;
	bool otherend_seen;               /* its state was readable once */
	char error[XENBUS_DEV_ERROR_MAX]; /* why the last call failed */

	/* private: */
	struct xenbus_watch watch;
	bool watching;
	xenbus_dev_otherend_fn fn;
	void *arg;
	struct uk_waitq wq;
};

/*
 * How many devices of type the toolstack gave this domain: the entries
 * under device/<type> that are device numbers (decimal, < 2^32); others
 * are not devices.
 */
int xenbus_dev_count(const char *type);
/*
 * Finds device/<type>/<id>: its backend's directory and backend-id.
 * -ENOENT when there is no such device; -EINVAL or -ERANGE (reason in
 * dev->error) when its backend or backend-id is unusable.
 */
int xenbus_dev_init(struct xenbus_dev *dev, const char *type, unsigned int id);
/*
 * The same for device number n (0 .. xenbus_dev_count - 1) in ascending
 * device-number order, skipping (with a console line) entries that are
 * not device numbers: disk 0 is xvda, before xvdb. -ENOENT when there are
 * n or fewer devices.
 */
int xenbus_dev_init_nth(struct xenbus_dev *dev, const char *type, unsigned int n);

/* Copies the value of key (with its NUL) into buf; -ERANGE when it needs more than size. */
int xenbus_dev_read_str(struct xenbus_dev *dev, enum xenbus_dev_end end, const char *key,
			char *buf, size_t size);
/* A whole decimal number in [min, max]: -EINVAL when not a number, -ERANGE outside. */
int xenbus_dev_read_uint(struct xenbus_dev *dev, enum xenbus_dev_end end, const char *key,
			 uint64_t min, uint64_t max, uint64_t *out);
/* A MAC address, "aa:bb:cc:dd:ee:ff" exactly (either case); -EINVAL otherwise. */
int xenbus_dev_read_mac(struct xenbus_dev *dev, enum xenbus_dev_end end, const char *key,
			uint8_t mac[6]);
/*
 * A feature flag of the backend (feature-rx-copy, feature-flush-cache, ...):
 * *on is true for "1", false for "0" or an absent key; -EINVAL for anything
 * else.
 */
int xenbus_dev_read_feature(struct xenbus_dev *dev, const char *key, bool *on);

/* Writes a key of the device's own directory, inside transaction t (or XBT_NIL). */
int xenbus_dev_write_str(struct xenbus_dev *dev, xenbus_transaction_t t, const char *key,
			 const char *value);
int xenbus_dev_write_uint(struct xenbus_dev *dev, xenbus_transaction_t t, const char *key,
			  uint64_t value);

/* Publishes our state (device/<type>/<id>/state), as Linux's xenbus_switch_state. */
int xenbus_dev_switch_state(struct xenbus_dev *dev, XenbusState state);
/* The state published in our directory (XenbusStateUnknown when absent or unreadable). */
XenbusState xenbus_dev_read_state(struct xenbus_dev *dev);

/*
 * Watches <backend>/state: dev->otherend_state is current on return and
 * kept current from then on; fn (may be NULL) runs after every change.
 * -EBUSY when already watching.
 */
int xenbus_dev_watch_otherend(struct xenbus_dev *dev, xenbus_dev_otherend_fn fn, void *arg);
/*
 * Waits until the other end's state is in want (a set of
 * XENBUS_STATE_BIT). Returns 0 then; -ENODEV as soon as it is in fail
 * (usually XENBUS_DEV_LEAVING) or, unless XenbusStateUnknown is in want,
 * once its state node has gone after having been seen (the toolstack
 * unplugged the device); -ETIMEDOUT when guest time reaches deadline_ns
 * (0: no deadline); -EINVAL without xenbus_dev_watch_otherend.
 */
int xenbus_dev_wait_otherend(struct xenbus_dev *dev, unsigned int want, unsigned int fail,
			     uint64_t deadline_ns);
/*
 * Disconnects as Linux's xenbus_frontend_closed does, and ends the watch.
 * With follow (the other end may hold something of ours, such as mapped
 * rings): Closing, wait until the other end is Closing, Closed or gone;
 * Closed, wait until it is Closed or gone. Without: Closed only. Nothing is
 * written when we never published a state or the other end has gone (the
 * device's directories were removed). -ETIMEDOUT when the other end did not
 * follow by deadline_ns; we are Closed anyway.
 */
int xenbus_dev_close(struct xenbus_dev *dev, bool follow, uint64_t deadline_ns);

#endif
