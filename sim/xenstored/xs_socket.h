/*
 * xenstored's Unix socket, for host programs: Xen's own xenstore-ls,
 * xenstore-read, xenstore-write, xenstore-watch (XENSTORED_PATH=PATH) and
 * anything else speaking <xen/io/xs_wire.h>. Clients here are dom0.
 * A client that sends an oversized length, hangs up in the middle of a
 * message or before reading its replies, or leaves more than 1 MiB of
 * replies and watch events unread, is disconnected with a message on stderr;
 * everyone else carries on. (Writes to a client that hung up fail with
 * EPIPE: the process must ignore SIGPIPE, as sim/host/signals.c does.)
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
 * other existing file is an error). A path of 108 bytes or more (sun_path)
 * or in a directory that does not exist is refused with a line on stderr
 * saying so. Returns 0 or a negative errno.
 */
int xs_socket_listen(struct xs_socket *xs, uv_loop_t *loop, struct xs_store *store,
		     const char *path);
/*
 * Stops listening, disconnects every client and removes the socket file.
 * Clients' store connections are destroyed by their handles' close
 * callbacks: run the loop before destroying the store.
 */
void xs_socket_close(struct xs_socket *xs);

#endif
