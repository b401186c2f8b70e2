/*
 * xs_internal.h: what the xs_*.c files of the xenstored core share.  Not a
 * public interface: transports use sim/xenstored/xs_store.h only.
 */
#ifndef DRYDOCK_SIM_XS_INTERNAL_H
#define DRYDOCK_SIM_XS_INTERNAL_H

#include "sim/xenstored/xs_store.h"

/* Generation of a node that does not exist (xenstored's NO_GENERATION). */
#define XS_NO_GENERATION UINT64_MAX

/* Internal right: may change permissions. */
#define XS_STORE_PERM_OWNER 4u

struct xs_perms {
	struct xs_perm *p;
	unsigned n;
};

/*
 * A node.  In the committed tree it is keyed by its absolute path.  In a
 * transaction's overlay it is a private copy (or a tombstone, deleted) made
 * at the first access, remembering the committed generation it saw.
 */
struct xs_node {
	struct xs_node *hnext;
	char *path;
	char *value;
	uint32_t len;
	struct xs_perms perms;
	char *children;     /* names, each NUL-terminated, sorted */
	uint32_t childlen;
	uint64_t generation;
	uint64_t base_gen;  /* overlay: committed generation at first access */
	bool deleted;       /* overlay: tombstone */
	bool modified;      /* overlay: to be written back on commit */
};

struct xs_table {
	struct xs_node **buckets;
	size_t nbuckets;
	size_t count;
};

/* A change recorded for watches: fired at once, or on commit. */
struct xs_event {
	struct xs_event *next;
	struct xs_event *hnext; /* the transaction's index (xs_tx_events.c) */
	char *path;
	bool exact;                /* only watches on exactly this path */
	struct xs_perms node, parent, old; /* may a watcher see it? */
};

struct xs_tx {
	struct xs_tx *next;
	struct xs_conn *conn;
	uint32_t id;
	struct xs_table overlay;
	struct xs_event *events, **events_tail;
	struct xs_event **ehash; /* xs_tx_events.c */
	size_t ehash_size, nevents;
	int own_delta; /* nodes owned by conn's domain created - deleted */
	bool failed;   /* a change half-done: the commit must fail */
};

struct xs_watch {
	struct xs_watch *next, **pprev; /* the connection's list, oldest last */
	struct xs_watch *hnext;         /* the connection's index */
	char *path;        /* canonical, or "@..." */
	char *token;
	size_t rel_prefix; /* chars to strip for relative watches, else 0 */
};

struct xs_conn {
	struct xs_conn *next;
	struct xs_store *s;
	domid_t domid;
	xs_send_fn send;
	void *arg;
	struct xs_watch *watches;
	struct xs_watch **whash; /* xs_watch_index.c */
	size_t whash_size, nwatches;
	struct xs_tx *txs;
	uint32_t next_tx_id;
	unsigned ntx;
	unsigned outstanding;
	bool released;
};

struct xs_domain {
	struct xs_domain *next;
	domid_t domid;
	bool introduced;
	bool has_target;
	domid_t target;
	int nbentry; /* committed nodes it owns */
};

struct xs_store {
	struct xs_quota q;
	struct xs_table nodes;
	uint64_t generation;
	struct xs_conn *conns;
	struct xs_domain *domains;
	struct xs_perms special_intro, special_release;
	size_t nwatches, ntx, nconns;
};

/* Who does an operation, and in which transaction (tx may be NULL). */
struct xs_ctx {
	struct xs_store *s;
	struct xs_conn *conn; /* NULL for the direct (toolstack) API */
	domid_t domid;
	struct xs_tx *tx;
};

static inline bool xs_ctx_privileged(const struct xs_ctx *c)
{
	return c->domid == 0;
}

/* xs_table.c: nodes keyed by path. */
int xs_table_init(struct xs_table *t);
void xs_table_free(struct xs_table *t);
struct xs_node *xs_table_find(const struct xs_table *t, const char *path);
int xs_table_insert(struct xs_table *t, struct xs_node *n);
struct xs_node *xs_table_remove(struct xs_table *t, const char *path);
struct xs_node *xs_node_new(const char *path);
void xs_node_free(struct xs_node *n);
void xs_node_clear(struct xs_node *n);
int xs_node_copy(struct xs_node *dst, const struct xs_node *src);
int xs_node_set_value(struct xs_node *n, const char *value, size_t len);
size_t xs_node_size(const struct xs_node *n);
int xs_children_add(struct xs_node *n, const char *name);
void xs_children_del(struct xs_node *n, const char *name);

/* xs_path.c */
char *xs_path_canonical(domid_t domid, const char *path);
int xs_path_check(const struct xs_ctx *c, const char *path);
bool xs_path_is_child(const char *child, const char *parent);
char *xs_path_parent(const char *path);
const char *xs_path_basename(const char *path);
char *xs_path_join(const char *dir, const char *name);
size_t xs_path_domain_prefix(domid_t domid);

/* xs_perms.c */
unsigned xs_perms_for(const struct xs_ctx *c, const struct xs_perms *p);
int xs_perms_dup(struct xs_perms *dst, const struct xs_perms *src);
void xs_perms_free(struct xs_perms *p);
int xs_perms_parse(struct xs_perms *out, const char *strings, size_t len,
                   unsigned n);
char *xs_perms_format(const struct xs_perms *p, size_t *len);

/* xs_tree.c: operations on the tree as seen by ctx (errors negative). */
int xs_tree_get(struct xs_ctx *c, const char *path, unsigned want,
                struct xs_node **out);
int xs_tree_write(struct xs_ctx *c, const char *path, const char *value,
                  size_t len);
int xs_tree_mkdir(struct xs_ctx *c, const char *path);
int xs_tree_rm(struct xs_ctx *c, const char *path);
int xs_tree_set_perms(struct xs_ctx *c, const char *path,
                      const struct xs_perms *perms);
int xs_tree_init(struct xs_store *s);
void xs_tree_account(struct xs_store *s, domid_t owner, int delta);

/* xs_transaction.c */
int xs_tx_start(struct xs_conn *conn, uint32_t *id);
struct xs_tx *xs_tx_find(struct xs_conn *conn, uint32_t id);
int xs_tx_end(struct xs_tx *tx, bool commit);
struct xs_node *xs_tx_slot(struct xs_tx *tx, struct xs_store *s,
                           const char *path, int *err);

/* xs_watch.c */
int xs_watch_add(struct xs_conn *conn, const char *path, const char *token);
int xs_watch_remove(struct xs_conn *conn, const char *path, const char *token);
void xs_watch_remove_all(struct xs_conn *conn);
int xs_event_record(struct xs_ctx *c, const char *path, bool exact,
                    const struct xs_perms *node, const struct xs_perms *parent,
                    const struct xs_perms *old);
void xs_event_fire(struct xs_store *s, const struct xs_event *e);
void xs_event_free(struct xs_event *e);
void xs_watch_fire_special(struct xs_store *s, const char *name);
void xs_watch_fire_new(struct xs_conn *conn);

/* xs_watch_index.c: a connection's watches by (path, token). */
struct xs_watch **xs_watch_index_find(struct xs_conn *conn, const char *path,
                                      const char *token);
int xs_watch_index_insert(struct xs_conn *conn, struct xs_watch *w);
void xs_watch_index_remove(struct xs_conn *conn, struct xs_watch *w);
void xs_watch_index_free(struct xs_conn *conn);

/* xs_tx_events.c: a transaction's events, one per (path, exact). */
struct xs_event *xs_tx_event_find(const struct xs_tx *tx, const char *path,
                                  bool exact);
int xs_tx_event_add(struct xs_tx *tx, struct xs_event *e);
void xs_tx_events_free(struct xs_tx *tx);

/* xs_domain.c */
struct xs_domain *xs_domain_find(const struct xs_store *s, domid_t domid);
struct xs_domain *xs_domain_get(struct xs_store *s, domid_t domid);
void xs_domains_free(struct xs_store *s);
struct xs_perms *xs_special_perms(struct xs_store *s, const char *name);

/* xs_handle.c / xs_handle_*.c */
void xs_conn_send(struct xs_conn *c, uint32_t type, uint32_t req_id,
                  uint32_t tx_id, const char *payload, size_t len);

#endif
