/* xenstored's Unix socket server, on libuv. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "sim/report.h"
#include "sim/xenstored/xs_reader.h"
#include "sim/xenstored/xs_socket.h"

/*
 * What a client may leave unread (replies and watch events libuv could not
 * yet write to the socket) before it is cut off. C xenstored bounds the
 * memory a connection may hold too (its per-domain memory quota); a socket
 * client is dom0 there and exempt, but here one stuck client must not
 * exhaust the simulator: 1 MiB is 256 maximal messages, far more than any
 * client that reads its replies ever has queued. docs/xenstore.md says it.
 */
#define XS_SOCKET_OUT_MAX (1024 * 1024)

struct xs_client {
	uv_pipe_t pipe;
	struct xs_client *next;
	struct xs_socket *xs;
	struct xs_conn *conn;
	struct xs_reader reader;
	char rbuf[8192];
	unsigned int id;
};

struct write_req {
	uv_write_t req;
	char data[];
};

/*
 * The connection goes with the handle, from the loop: a client may be cut
 * off while the store is sending to it (xs_send_fn must not destroy it).
 */
static void client_closed(uv_handle_t *h)
{
	struct xs_client *c = h->data;

	if (c->conn)
		xs_conn_destroy(c->conn);
	free(c);
}

static void unlink_client(struct xs_client *c)
{
	for (struct xs_client **pp = &c->xs->clients; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			return;
		}
	}
}

static void client_drop(struct xs_client *c, const char *why)
{
	if (uv_is_closing((uv_handle_t *)&c->pipe))
		return;
	unlink_client(c);
	if (why)
		sim_log("xenstore socket client %u: %s; closing its connection", c->id, why);
	uv_close((uv_handle_t *)&c->pipe, client_closed);
}

/* A failed write (EPIPE: the client hung up before reading) ends only that client. */
static void write_done(uv_write_t *req, int status)
{
	struct xs_client *c = req->handle->data;

	free(req->data);
	if (status == UV_EPIPE || status == UV_ECONNRESET)
		client_drop(c, "hung up before reading its replies");
	else if (status < 0 && status != UV_ECANCELED)
		client_drop(c, uv_strerror(status));
}

static void client_send(struct xs_conn *conn, const struct xsd_sockmsg *hdr, const char *payload,
			void *arg)
{
	struct xs_client *c = arg;
	size_t len = sizeof(*hdr) + hdr->len;
	size_t queued = uv_stream_get_write_queue_size((uv_stream_t *)&c->pipe);
	struct write_req *w;
	uv_buf_t buf;
	int rc;

	if (uv_is_closing((uv_handle_t *)&c->pipe))
		return;
	if (queued + len > XS_SOCKET_OUT_MAX) {
		char why[128];
		snprintf(why, sizeof(why), "leaves %zu bytes of replies and watch events unread "
			 "(limit %d)", queued + len, XS_SOCKET_OUT_MAX);
		client_drop(c, why);
		return;
	}
	if (!(w = malloc(sizeof(*w) + len))) {
		client_drop(c, "out of memory queueing a reply");
		return;
	}
	memcpy(w->data, hdr, sizeof(*hdr));
	if (hdr->len) /* an empty value comes with payload NULL */
		memcpy(w->data + sizeof(*hdr), payload, hdr->len);
	w->req.data = w;
	buf = uv_buf_init(w->data, (unsigned int)len);
	if ((rc = uv_write(&w->req, (uv_stream_t *)&c->pipe, &buf, 1, write_done)) < 0) {
		free(w);
		client_drop(c, uv_strerror(rc));
	}
}

/* Feeds received bytes through the message reassembly until the client is cut off. */
static void client_feed(struct xs_client *c, const char *p, size_t n)
{
	while (n > 0 && !uv_is_closing((uv_handle_t *)&c->pipe)) {
		bool whole;
		long took = xs_reader_take(&c->reader, p, n, &whole);

		if (took < 0) {
			char why[96];
			snprintf(why, sizeof(why), "message length %u exceeds XENSTORE_PAYLOAD_MAX (%d)",
				 c->reader.hdr.len, XENSTORE_PAYLOAD_MAX);
			client_drop(c, why);
			return;
		}
		p += took;
		n -= (size_t)took;
		if (whole)
			xs_conn_handle(c->conn, &c->reader.hdr, c->reader.payload);
	}
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct xs_client *c = h->data;
	*buf = uv_buf_init(c->rbuf, sizeof(c->rbuf));
}

static void read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct xs_client *c = s->data;

	if (nread > 0) {
		client_feed(c, buf->base, (size_t)nread);
		return;
	}
	if (nread == 0)
		return;
	if (nread == UV_EOF && xs_reader_idle(&c->reader))
		client_drop(c, NULL); /* a clean goodbye between messages */
	else if (nread == UV_EOF)
		client_drop(c, "hung up in the middle of a message");
	else
		client_drop(c, uv_strerror((int)nread));
}

static void on_connection(uv_stream_t *server, int status)
{
	struct xs_socket *xs = server->data;
	struct xs_client *c;

	if (status < 0) {
		sim_log("xenstore socket: accept failed: %s", uv_strerror(status));
		return;
	}
	if (!(c = calloc(1, sizeof(*c))))
		return;
	c->xs = xs;
	c->id = ++xs->next_id;
	uv_pipe_init(server->loop, &c->pipe, 0);
	c->pipe.data = c;
	c->next = xs->clients;
	xs->clients = c;
	if (uv_accept(server, (uv_stream_t *)&c->pipe) < 0 ||
	    !(c->conn = xs_conn_create(xs->store, 0, client_send, c)) ||
	    uv_read_start((uv_stream_t *)&c->pipe, alloc_cb, read_cb) < 0)
		client_drop(c, "could not be set up");
}

/*
 * Refuses what bind() would get wrong: a path too long for sun_path would be
 * cut short (and the socket bound elsewhere), and a missing directory comes
 * back from libuv as EACCES. Says which, on stderr.
 */
static int check_path(const char *path)
{
	struct sockaddr_un sa;
	struct stat st;
	char *dir, *slash;
	int rc = 0;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		sim_log("xenstore socket path is %zu bytes long: a Unix socket path must be shorter "
			"than %zu bytes (sun_path)", strlen(path), sizeof(sa.sun_path));
		return -ENAMETOOLONG;
	}
	if (!(dir = strdup(path)))
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	if (stat(dir, &st) < 0) {
		rc = -errno;
		sim_log("xenstore socket %s: directory %s: %s", path, dir, strerror(errno));
	} else if (!S_ISDIR(st.st_mode)) {
		rc = -ENOTDIR;
		sim_log("xenstore socket %s: %s is not a directory", path, dir);
	}
	free(dir);
	return rc;
}

/* Only a socket nobody listens on may be replaced. */
static int remove_stale(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		return -errno;
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	if (rc == 0)
		return -EADDRINUSE;
	return unlink(path) < 0 ? -errno : 0;
}

int xs_socket_listen(struct xs_socket *xs, uv_loop_t *loop, struct xs_store *store,
		     const char *path)
{
	int rc;

	memset(xs, 0, sizeof(*xs));
	xs->store = store;
	if ((rc = check_path(path)) < 0 || (rc = remove_stale(path)) < 0)
		return rc;
	if (!(xs->path = strdup(path)))
		return -ENOMEM;
	uv_pipe_init(loop, &xs->server, 0);
	xs->server.data = xs;
	if ((rc = uv_pipe_bind(&xs->server, path)) < 0 ||
	    (rc = uv_listen((uv_stream_t *)&xs->server, 16, on_connection)) < 0) {
		uv_close((uv_handle_t *)&xs->server, NULL);
		free(xs->path);
		xs->path = NULL;
		return rc;
	}
	return 0;
}

void xs_socket_close(struct xs_socket *xs)
{
	if (!xs->path)
		return;
	while (xs->clients)
		client_drop(xs->clients, NULL);
	uv_close((uv_handle_t *)&xs->server, NULL);
	unlink(xs->path);
	free(xs->path);
	xs->path = NULL;
}
