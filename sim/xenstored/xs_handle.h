/*
 * xs_handle.h: one request as the handlers of xs_handle*.c see it, and the
 * argument parsing they share.  Private to the xenstored core.
 */
#ifndef DRYDOCK_SIM_XS_HANDLE_H
#define DRYDOCK_SIM_XS_HANDLE_H

#include "sim/xenstored/xs_internal.h"

struct xs_req {
	struct xs_conn *conn;
	struct xs_ctx ctx;
	const struct xsd_sockmsg *hdr;
	char *buf;  /* the payload, with a NUL added at buf[len] */
	size_t len; /* the payload's length from the header */
};

/* A handler answers success itself and returns 0, or returns -errno for
 * the dispatcher to answer with XS_ERROR. */
typedef int (*xs_handler_fn)(struct xs_req *r);

void xs_req_reply(struct xs_req *r, const char *payload, size_t len);
void xs_req_ack(struct xs_req *r);
const char *xs_req_onearg(const struct xs_req *r);
unsigned xs_req_strings(const struct xs_req *r, const char **vec,
                        unsigned n);
unsigned xs_req_nuls(const struct xs_req *r);
int xs_req_path(struct xs_req *r, const char *raw, char **canon);
int xs_req_domid(const char *s, domid_t *out);

/* xs_handle_node.c */
int xs_handle_read(struct xs_req *r);
int xs_handle_write(struct xs_req *r);
int xs_handle_mkdir(struct xs_req *r);
int xs_handle_rm(struct xs_req *r);
int xs_handle_directory(struct xs_req *r);
int xs_handle_directory_part(struct xs_req *r);
int xs_handle_get_perms(struct xs_req *r);
int xs_handle_set_perms(struct xs_req *r);

/* xs_handle_session.c */
int xs_handle_watch(struct xs_req *r);
int xs_handle_unwatch(struct xs_req *r);
int xs_handle_reset_watches(struct xs_req *r);
int xs_handle_transaction_start(struct xs_req *r);
int xs_handle_transaction_end(struct xs_req *r);

/* xs_handle_domain.c */
int xs_handle_get_domain_path(struct xs_req *r);
int xs_handle_is_domain_introduced(struct xs_req *r);
int xs_handle_introduce(struct xs_req *r);
int xs_handle_release(struct xs_req *r);
int xs_handle_set_target(struct xs_req *r);
int xs_handle_resume(struct xs_req *r);
int xs_handle_control(struct xs_req *r);

#endif
