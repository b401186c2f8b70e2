/*
 * xs_store: the core of the simulator's xenstored, as a pure library.
 *
 * It speaks the wire protocol of <xen/io/xs_wire.h> and behaves as C
 * xenstored (Xen 4.17, tools/xenstore/) does: the same tree, permissions,
 * transactions with per-node generation counts, watches and quotas, the same
 * error strings.  It does no I/O: a transport (the guest's ring page, a Unix
 * socket) hands it complete requests with xs_conn_handle() and receives
 * replies and watch events through the connection's xs_send_fn.
 *
 * All state lives in a struct xs_store and its struct xs_conn objects; there
 * are no globals, so a program may create any number of stores.  Nothing
 * here is thread-safe: one thread drives one store.
 *
 * Functions returning int return 0 or a negative errno (host <errno.h>
 * values, which are also Xen's).
 */
#ifndef DRYDOCK_SIM_XS_STORE_H
#define DRYDOCK_SIM_XS_STORE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/io/xs_wire.h>

struct xs_store;
struct xs_conn;

/*
 * Delivers one complete message (a reply, or an XS_WATCH_EVENT) to client c.
 * hdr->len bytes of payload follow; payload is only valid during the call.
 * Called synchronously from xs_conn_handle(), xs_store_*() and
 * xs_domain_*().  The callback must not destroy c or the store.
 */
typedef void (*xs_send_fn)(struct xs_conn *c, const struct xsd_sockmsg *hdr,
                           const char *payload, void *arg);

/*
 * Limits applied to unprivileged (domid != 0) clients, as xenstored's
 * command-line quotas.  Error on excess (as xenstored 4.17):
 *   nodes_per_domain        ENOSPC when creating a node would exceed it
 *   watches_per_domain      E2BIG; xenstored tests "count > quota" before
 *                           adding, so a domain may hold quota + 1 watches
 *   transactions_per_domain ENOSPC; same "> quota" test: quota + 1 open
 *   node_size               ENOSPC when a node record (24-byte header +
 *                           8 bytes per permission + value + child names)
 *                           would be >= node_size
 *   perms_per_node          ENOSPC for XS_SET_PERMS with more entries
 *   path_len                EINVAL for a path longer than this, not counting
 *                           a leading "/local/domain/<id>/"
 *   transaction_nodes       ENOSPC when a transaction would touch more nodes
 *   outstanding_requests    no error: xs_conn_may_read() turns false, the
 *                           transport stops reading (xenstored's behaviour)
 */
struct xs_quota {
	unsigned nodes_per_domain;
	unsigned watches_per_domain;
	unsigned transactions_per_domain;
	unsigned node_size;
	unsigned perms_per_node;
	unsigned path_len;
	unsigned transaction_nodes;
	unsigned outstanding_requests;
};

/* xenstored 4.17's defaults: 1000, 128, 10, 2048, 5, 2048, 1024, 20. */
void xs_quota_defaults(struct xs_quota *q);

/* Access rights, as in XS_SET_PERMS strings: 'n', 'r', 'w', 'b' (both). */
#define XS_STORE_PERM_NONE  0u
#define XS_STORE_PERM_READ  1u
#define XS_STORE_PERM_WRITE 2u
#define XS_STORE_PERM_BOTH  (XS_STORE_PERM_READ | XS_STORE_PERM_WRITE)

/*
 * One permission entry.  Entry 0 of a node's list names the owner (who has
 * every right) and, in perms, the access of every domain not listed; entries
 * 1.. grant a listed domain exactly their perms.  Dom0 may do anything.
 */
struct xs_perm {
	domid_t id;
	unsigned perms; /* XS_STORE_PERM_* */
};

/*
 * Creates an empty store holding "/", "/local", "/local/domain" and "/tool"
 * (owner dom0, no access for others), as xenstored and the Xen toolstack set
 * up.  q == NULL means xs_quota_defaults().  Dom0 counts as introduced.
 * Returns 0 and *out, or -ENOMEM.
 */
int xs_store_create(struct xs_store **out, const struct xs_quota *q);

/* Destroys the store and every connection still attached to it. */
void xs_store_destroy(struct xs_store *s);

/*
 * A new client: a guest domain (through its ring) or a dom0 socket client
 * (domid 0 = privileged).  send/arg receive its replies and watch events.
 * Returns NULL when out of memory.
 */
struct xs_conn *xs_conn_create(struct xs_store *s, domid_t domid,
                               xs_send_fn send, void *arg);

/* Ends a client: drops its watches and aborts its open transactions. */
void xs_conn_destroy(struct xs_conn *c);

domid_t xs_conn_domid(const struct xs_conn *c);

/*
 * One complete request.  The transport has checked hdr->len <=
 * XENSTORE_PAYLOAD_MAX and read exactly hdr->len bytes of payload (which
 * need not be NUL-terminated; NULL is allowed when hdr->len is 0).  The
 * reply (echoing req_id and tx_id) and any watch events go out through the
 * send callbacks before this returns.  Any content is answered, never
 * crashed on: malformed requests get XS_ERROR with xenstored's error string.
 * A connection whose domain was released ignores further requests.
 */
void xs_conn_handle(struct xs_conn *c, const struct xsd_sockmsg *hdr,
                    const char *payload);

/*
 * Flow control, as xenstored's outstanding-requests quota: every message
 * sent to an unprivileged client counts as outstanding until the transport
 * reports with xs_conn_sent() that it left (e.g. was copied into the ring).
 * xs_conn_may_read() is false while outstanding_requests are pending; the
 * transport should then stop reading requests from that client.
 */
bool xs_conn_may_read(const struct xs_conn *c);
void xs_conn_sent(struct xs_conn *c);

/*
 * Domain lifecycle, as the toolstack drives it.  introduce marks domid
 * introduced and fires @introduceDomain (-EEXIST if already introduced);
 * release marks it gone, cuts off its connections (their watches and
 * transactions are dropped, further requests ignored) and fires
 * @releaseDomain (-ENOENT if not introduced, -EINVAL for dom0).
 */
int xs_domain_introduce(struct xs_store *s, domid_t domid);
int xs_domain_release(struct xs_store *s, domid_t domid);
bool xs_domain_is_introduced(const struct xs_store *s, domid_t domid);

/*
 * Direct access for the simulator acting as the toolstack (dom0), with
 * absolute paths only.  They validate paths as the wire does (-EINVAL),
 * create missing parents, and fire watches like a dom0 client would.
 * xs_store_read returns a malloc'd copy of the value, NUL-terminated beyond
 * *len for convenience; the caller frees it.  xs_store_rm succeeds if the
 * node is already gone but its parent exists (-ENOENT otherwise).
 */
int xs_store_write(struct xs_store *s, const char *path, const char *value,
                   size_t len);
int xs_store_read(struct xs_store *s, const char *path, char **value,
                  size_t *len);
int xs_store_mkdir(struct xs_store *s, const char *path);
int xs_store_rm(struct xs_store *s, const char *path);
int xs_store_set_perms(struct xs_store *s, const char *path,
                       const struct xs_perm *perms, unsigned n);
/* Writes dir/name with a formatted value (-E2BIG when path or value would be cut). */
int xs_store_printf(struct xs_store *s, const char *dir, const char *name,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Live objects, so that tests can prove nothing leaks. */
struct xs_counts {
	size_t nodes;        /* committed nodes in the tree, "/" included */
	size_t watches;
	size_t transactions; /* open */
	size_t conns;
};
void xs_store_counts(const struct xs_store *s, struct xs_counts *out);

#endif
