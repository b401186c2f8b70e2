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
#include "sim/xenstored/xs_socket.h"

struct xs_client {
	uv_pipe_t pipe;
	struct xs_client *next;
	struct xs_socket *xs;
	struct xs_conn *conn;
	struct xsd_sockmsg hdr;
	size_t have;
	char payload[XENSTORE_PAYLOAD_MAX];
	char rbuf[8192];
	unsigned int id;
};

struct write_req {
	uv_write_t req;
	char data[];
};

static void client_closed(uv_handle_t *h)
{
	free(h->data);
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
	unlink_client(c);
	if (why)
		sim_log("xenstore socket client %u: %s; closing its connection", c->id, why);
	if (c->conn)
		xs_conn_destroy(c->conn);
	c->conn = NULL;
	if (!uv_is_closing((uv_handle_t *)&c->pipe))
		uv_close((uv_handle_t *)&c->pipe, client_closed);
}

static void write_done(uv_write_t *req, int status)
{
	free(req->data);
}

static void client_send(struct xs_conn *conn, const struct xsd_sockmsg *hdr, const char *payload,
			void *arg)
{
	struct xs_client *c = arg;
	size_t len = sizeof(*hdr) + hdr->len;
	struct write_req *w = malloc(sizeof(*w) + len);
	uv_buf_t buf;

	if (!w || uv_is_closing((uv_handle_t *)&c->pipe)) {
		free(w);
		return;
	}
	memcpy(w->data, hdr, sizeof(*hdr));
	memcpy(w->data + sizeof(*hdr), payload, hdr->len);
	w->req.data = w;
	buf = uv_buf_init(w->data, (unsigned int)len);
	if (uv_write(&w->req, (uv_stream_t *)&c->pipe, &buf, 1, write_done) < 0)
		free(w);
	xs_conn_sent(conn);
}

/* Feeds received bytes through the message reassembly; false if the client was dropped. */
static bool client_feed(struct xs_client *c, const char *p, size_t n)
{
	while (n > 0) {
		size_t want, take;
		if (c->have < sizeof(c->hdr)) {
			want = sizeof(c->hdr) - c->have;
			take = n < want ? n : want;
			memcpy((char *)&c->hdr + c->have, p, take);
		} else {
			want = sizeof(c->hdr) + c->hdr.len - c->have;
			take = n < want ? n : want;
			memcpy(c->payload + (c->have - sizeof(c->hdr)), p, take);
		}
		c->have += take;
		p += take;
		n -= take;
		if (c->have == sizeof(c->hdr) && c->hdr.len > XENSTORE_PAYLOAD_MAX) {
			char why[96];
			snprintf(why, sizeof(why), "message length %u exceeds XENSTORE_PAYLOAD_MAX (%d)",
				 c->hdr.len, XENSTORE_PAYLOAD_MAX);
			client_drop(c, why);
			return false;
		}
		if (c->have == sizeof(c->hdr) + c->hdr.len) {
			c->have = 0;
			xs_conn_handle(c->conn, &c->hdr, c->payload);
		}
	}
	return true;
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
	if (nread == UV_EOF && c->have == 0)
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
	if ((rc = remove_stale(path)) < 0)
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
