/*
 * xenstored's Unix socket, for host programs: Xen's own xenstore-ls,
 * xenstore-read, xenstore-write, xenstore-watch (XENSTORED_PATH=PATH) and
 * anything else speaking <xen/io/xs_wire.h>. Clients here are dom0.
 * A client that sends an oversized length, or hangs up in the middle of a
 * message, is disconnected with a message on stderr; everyone else carries on.
 */
#ifndef SIM_XS_SOCKET_H
#define SIM_XS_SOCKET_H

#include <uv.h>

#include "sim/xenstored/xs_store.h"

struct xs_client;

struct xs_socket {
	uv_pipe_t server;
	struct xs_store *store;
	char *path;
	struct xs_client *clients; /* connected, not yet closing */
	unsigned int next_id;
};

/*
 * Listens on path (a stale socket file left by a dead run is replaced; any
 * other existing file is an error). Returns 0 or a negative errno.
 */
int xs_socket_listen(struct xs_socket *xs, uv_loop_t *loop, struct xs_store *store,
		     const char *path);
/* Stops listening, disconnects every client and removes the socket file. */
void xs_socket_close(struct xs_socket *xs);

#endif
