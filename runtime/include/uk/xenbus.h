/*
 * The xenbus client: the guest's side of xenstore, over the ring page named
 * by HVM_PARAM_STORE_PFN / HVM_PARAM_STORE_EVTCHN (struct
 * xenstore_domain_interface, messages as in <xen/io/xs_wire.h>).
 *
 * Every call blocks only the calling thread; many threads may have requests
 * in flight at once, and replies are matched to them by req_id. Paths may be
 * absolute or relative to the domain's home, /local/domain/<domid>.
 * Functions return 0 (or a count) or a negative error number: xenstored's
 * error strings ("ENOENT", "EACCES", "EAGAIN", ...) become -ENOENT, -EACCES,
 * -EAGAIN...; -ENOMEM when guest memory runs out; -EIO when the store is
 * unusable (a corrupt ring or a reply that does not parse).
 *
 * Strings returned to the caller are allocated with uk_malloc and freed by
 * the caller with uk_free.
 */
#ifndef UK_XENBUS_H
#define UK_XENBUS_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/io/xs_wire.h>

#include <uk/sched.h>

typedef uint32_t xenbus_transaction_t;
#define XBT_NIL ((xenbus_transaction_t)0)

/* Reads a node's value (NUL-terminated; *len, if given, excludes the NUL). */
int xenbus_read(xenbus_transaction_t t, const char *path, char **value, uint32_t *len);
int xenbus_write(xenbus_transaction_t t, const char *path, const char *value);
int xenbus_mkdir(xenbus_transaction_t t, const char *path);
int xenbus_rm(xenbus_transaction_t t, const char *path);
/*
 * Lists a node's children: *names is one uk_malloc'd block holding the array
 * and the strings (free it with one uk_free). Returns the number of children.
 */
int xenbus_directory(xenbus_transaction_t t, const char *path, char ***names);

/* Permissions as XS_SET_PERMS spells them: 'r', 'w', 'b' (both) or 'n' (none). */
struct xenbus_perm {
	domid_t domid;
	char perm;
};
/* Fills up to max entries; returns the node's number of entries. */
int xenbus_get_perms(xenbus_transaction_t t, const char *path, struct xenbus_perm *perms,
		     unsigned int max);
int xenbus_set_perms(xenbus_transaction_t t, const char *path, const struct xenbus_perm *perms,
		     unsigned int n);

/*
 * A whole decimal number (as xenstore values are): 0, -EINVAL when s is not
 * one, -ERANGE when it is larger than max.
 */
int xenbus_parse_uint(const char *s, unsigned long max, unsigned long *out);

/* This domain's id, and the home directory of a domain. */
int xenbus_get_domid(domid_t *domid);
int xenbus_get_domain_path(domid_t domid, char **path);

/* Transactions: isolated until ended; -EAGAIN from end means "conflict, redo it". */
int xenbus_transaction_start(xenbus_transaction_t *t);
int xenbus_transaction_end(xenbus_transaction_t t, bool abort);
/*
 * Runs fn inside a transaction and commits it, starting over while the
 * commit says -EAGAIN (at most max_tries times; then -EAGAIN). fn returning
 * a negative error aborts the transaction and returns that error.
 */
int xenbus_transaction_retry(int (*fn)(xenbus_transaction_t t, void *arg), void *arg,
			     unsigned int max_tries);

/*
 * Watches. A watch fires once when registered and then whenever the node or
 * a descendant changes. Either give a callback, which runs in the xenbus
 * watch thread (it may make xenbus calls and sleep), or none and collect
 * events with xenbus_watch_wait. The struct must stay alive until removed.
 */
struct xenbus_watch;
typedef void (*xenbus_watch_fn)(struct xenbus_watch *w, const char *path, void *arg);

struct xenbus_event; /* a queued event (private) */
struct xenbus_watch {
	/* private: */
	char *path;
	char token[24];
	xenbus_watch_fn fn;
	void *arg;
	struct xenbus_event *head, *tail;
	unsigned int pending;
	struct uk_waitq wq;
	struct xenbus_watch *next;
};

int xenbus_watch_add(struct xenbus_watch *w, const char *path, xenbus_watch_fn fn, void *arg);
int xenbus_watch_remove(struct xenbus_watch *w);
/*
 * For a watch without a callback: waits for the next event until guest time
 * deadline_ns (0: forever) and returns the path that fired in *path (to be
 * uk_free'd). -ETIMEDOUT at the deadline.
 */
int xenbus_watch_wait(struct xenbus_watch *w, char **path, uint64_t deadline_ns);

#endif
