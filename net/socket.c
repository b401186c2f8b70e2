/*
 * The socket API (<net/socket.h>): the generic half. Checks arguments,
 * dispatches to the socket type's ops (udp.c for NET_SOCK_DGRAM, tcp_sock.c
 * for NET_SOCK_STREAM), blocks callers and wakes them, and keeps the datagram
 * receive queue that datagram protocols share.
 *
 * Blocking: a receiver waits on its socket's rx_wait (one datagram or
 * stream reader at a time registered there, for the protocol to copy what
 * arrives straight into its buffer); net_poll waits on one
 * queue shared by every poller (poll_wq) and rechecks its sockets when
 * anything changes on any socket. Threads are cooperative, so checking a
 * condition and then waiting loses no wake-up.
 *
 * Closing: net_close leaves the protocol's tables, frees queued data and
 * wakes every thread blocked on the socket. Those threads hold the socket
 * (users) while they wait; the last one out frees it and each returns -EBADF.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <uk/alloc.h>
#include <uk/exit.h>
#include <uk/sched.h>

#include "net_private.h"

/* Every thread in net_poll, whichever sockets it watches. */
static struct uk_waitq poll_wq = UK_WAITQ_INIT;

struct net_socket *net_socket_alloc(enum net_socket_type type,
				    const struct net_socket_ops *ops)
{
	struct net_socket *s = uk_calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->type = type;
	s->ops = ops;
	uk_waitq_init(&s->rx_wait);
	return s;
}

int net_socket(enum net_socket_type type, struct net_socket **out)
{
	const struct net_socket_ops *ops;
	struct net_socket *s;
	int rc;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (type == NET_SOCK_DGRAM)
		ops = &udp_socket_ops;
	else if (type == NET_SOCK_STREAM)
		ops = &tcp_socket_ops;
	else
		return -EINVAL;
	if (!(s = net_socket_alloc(type, ops)))
		return -ENOMEM;
	if (ops->open && (rc = ops->open(s)) < 0) {
		uk_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

int net_bind(struct net_socket *s, ip4_addr_t addr, uint16_t port)
{
	if (!s || s->closed)
		return -EBADF;
	if (s->local_port)
		return -EINVAL; /* already bound (explicitly or by a send) */
	return s->ops->bind(s, addr, port);
}

int net_bind_if(struct net_socket *s, struct net_if *nif)
{
	int rc;

	if (!s || s->closed)
		return -EBADF;
	if (!nif)
		return -EINVAL;
	rc = s->ops->bind_if(s, nif);
	if (rc == 0)
		s->nif = nif;
	return rc;
}

int net_set_broadcast(struct net_socket *s, bool on)
{
	if (!s || s->closed)
		return -EBADF;
	s->broadcast = on;
	return 0;
}

int net_sendto(struct net_socket *s, const void *buf, size_t len, ip4_addr_t dst, uint16_t port)
{
	if (!s || s->closed)
		return -EBADF;
	if (!buf && len)
		return -EINVAL;
	return s->ops->sendto(s, buf, len, dst, port);
}

/* Drops the hold of one blocked caller; frees a closed socket when it was the last. */
static void socket_release(struct net_socket *s)
{
	UK_ASSERT(s->users > 0);
	s->users--;
	if (s->closed && s->users == 0)
		uk_free(s);
}

/*
 * Waits on s until it changes or the deadline: 0, -ETIMEDOUT, or -EBADF when
 * s was closed meanwhile (then s may be freed: the caller must not touch it).
 */
static int socket_block(struct net_socket *s, uint64_t deadline_ns)
{
	bool closed;
	int rc;

	s->users++;
	rc = uk_waitq_wait(&s->rx_wait, deadline_ns);
	closed = s->closed;
	socket_release(s); /* may free s */
	if (closed)
		return -EBADF;
	return rc == -ETIMEDOUT ? rc : 0;
}

/*
 * A reader blocked in net_recvfrom on an empty datagram queue: the next
 * datagram is copied straight into its buffer (net_dgram_enqueue) instead of
 * into a queued heap block that the reader copies out and frees.
 */
struct net_dgram_reader {
	void *buf;
	size_t len;
	ip4_addr_t src;
	uint16_t port;
	int rc; /* the datagram's full length once delivered, -EAGAIN before */
};

/* Copies a datagram into buf as net_dgram_dequeue does; returns its full length. */
static int dgram_copy_out(void *buf, size_t len, const uint8_t *data, size_t dlen)
{
	if (len)
		memcpy(buf, data, dlen < len ? dlen : len);
	return (int)dlen; /* at most 65507: the UDP length field bounds it */
}

/*
 * socket_block for a datagram reader that registers r on the empty queue of
 * s: as socket_block, except that a datagram delivered into r before the
 * deadline passed is returned (0), not lost to the timeout.
 */
static int dgram_block(struct net_socket *s, struct net_dgram_reader *r, uint64_t deadline_ns)
{
	bool closed;
	int rc;

	s->users++;
	s->dgram.reader = r;
	rc = uk_waitq_wait(&s->rx_wait, deadline_ns);
	if (s->dgram.reader == r)
		s->dgram.reader = NULL;
	closed = s->closed;
	socket_release(s); /* may free s */
	if (closed)
		return -EBADF;
	return rc == -ETIMEDOUT && r->rc == -EAGAIN ? rc : 0;
}

int net_recvfrom(struct net_socket *s, void *buf, size_t len, ip4_addr_t *src, uint16_t *port,
		 uint64_t deadline_ns)
{
	if (!s || s->closed)
		return -EBADF;
	if (!buf && len)
		return -EINVAL;
	for (;;) {
		struct net_dgram_reader r = { buf, len, 0, 0, -EAGAIN };
		bool dgram = s->ops->recvfrom == net_dgram_dequeue;
		int rc;

		if (s->error) {
			rc = s->error;
			s->error = 0;
			return rc;
		}
		/* A datagram socket's empty queue is seen here, without the call. */
		if (!dgram || s->dgram.head) {
			rc = s->ops->recvfrom(s, buf, len, src, port);
			if (rc != -EAGAIN)
				return rc;
		}
		if (!dgram || s->dgram.reader) {
			if ((rc = socket_block(s, deadline_ns)) < 0)
				return rc; /* s may be freed */
			continue;
		}
		if ((rc = dgram_block(s, &r, deadline_ns)) < 0)
			return rc; /* s may be freed */
		if (r.rc != -EAGAIN) {
			if (src)
				*src = r.src;
			if (port)
				*port = r.port;
			return r.rc;
		}
	}
}

/* --- stream sockets --- */

/* A stream call on s: -EBADF, -EOPNOTSUPP (a datagram socket), or 0. */
static int stream_check(const struct net_socket *s, const void *op)
{
	if (!s || s->closed)
		return -EBADF;
	return op ? 0 : -EOPNOTSUPP;
}

/* stream_check for send and recv, whose buffer may be NULL only when len is 0. */
static int stream_check_buf(const struct net_socket *s, const void *op, const void *buf,
			    size_t len)
{
	int rc = stream_check(s, op);

	if (rc < 0)
		return rc;
	return !buf && len ? -EINVAL : 0;
}

int net_connect(struct net_socket *s, ip4_addr_t addr, uint16_t port, uint64_t deadline_ns)
{
	int rc = stream_check(s, s ? s->ops->connect : NULL);

	if (rc < 0 || (rc = s->ops->connect(s, addr, port)) < 0)
		return rc;
	while ((rc = s->ops->connect_result(s)) == -EAGAIN) {
		if ((rc = socket_block(s, deadline_ns)) == -EBADF)
			return rc;
		if (rc == -ETIMEDOUT && (rc = s->ops->connect_result(s)) == -EAGAIN) {
			s->ops->abort(s); /* the attempt is abandoned */
			return -ETIMEDOUT;
		}
	}
	return rc;
}

int net_listen(struct net_socket *s, unsigned int backlog)
{
	int rc = stream_check(s, s ? s->ops->listen : NULL);

	return rc < 0 ? rc : s->ops->listen(s, backlog);
}

int net_accept(struct net_socket *s, struct net_socket **out, uint64_t deadline_ns)
{
	int rc = stream_check(s, s ? s->ops->accept : NULL);

	if (rc < 0)
		return rc;
	if (!out)
		return -EINVAL;
	*out = NULL;
	while ((rc = s->ops->accept(s, out)) == -EAGAIN)
		if ((rc = socket_block(s, deadline_ns)) < 0)
			return rc;
	return rc;
}

int net_send(struct net_socket *s, const void *buf, size_t len, uint64_t deadline_ns)
{
	int rc = stream_check_buf(s, s ? s->ops->send : NULL, buf, len);

	if (rc < 0)
		return rc;
	while ((rc = s->ops->send(s, buf, len)) == -EAGAIN)
		if ((rc = socket_block(s, deadline_ns)) < 0)
			return rc;
	return rc;
}

/*
 * socket_block for a stream reader that registers r on s, nothing to read:
 * the stack copies in-order data straight into r's buffer while it waits
 * (tcp_in.c). As dgram_block, bytes delivered before the deadline passed
 * are returned (0), not lost to the timeout.
 */
static int stream_block(struct net_socket *s, struct net_stream_reader *r, uint64_t deadline_ns)
{
	bool closed;
	int rc;

	s->users++;
	s->stream.reader = r;
	rc = uk_waitq_wait(&s->rx_wait, deadline_ns);
	if (s->stream.reader == r)
		s->stream.reader = NULL;
	closed = s->closed;
	socket_release(s); /* may free s */
	if (closed)
		return -EBADF;
	return rc == -ETIMEDOUT && !r->got ? rc : 0;
}

/*
 * Waits for stream data: as reader r when no other reader is registered
 * (one at a time takes data directly), otherwise behind that one, for the
 * ring. Returns what socket_block or stream_block returns (s may be freed
 * when it is negative). Out of line: inlined, it moved the compiler's
 * choices in the datagram path (bench/udp_cost.sh counted 4 more).
 */
static __attribute__((noinline)) int stream_wait(struct net_socket *s, struct net_stream_reader *r,
						 uint64_t deadline_ns)
{
	if (s->stream.reader)
		return socket_block(s, deadline_ns);
	return stream_block(s, r, deadline_ns);
}

int net_recv(struct net_socket *s, void *buf, size_t len, uint64_t deadline_ns)
{
	int rc = stream_check_buf(s, s ? s->ops->recv : NULL, buf, len);

	if (rc < 0)
		return rc;
	while ((rc = s->ops->recv(s, buf, len)) == -EAGAIN) {
		struct net_stream_reader r = { buf, len > INT_MAX ? INT_MAX : (uint32_t)len, 0 };

		if ((rc = stream_wait(s, &r, deadline_ns)) < 0)
			return rc; /* s may be freed */
		if (r.got) {
			s->ops->recv_done(s, r.got);
			return (int)r.got;
		}
	}
	return rc;
}

int net_recv_borrow(struct net_socket *s, struct net_piece *pieces, unsigned int max,
		    uint64_t deadline_ns)
{
	int rc = stream_check_buf(s, s ? s->ops->borrow : NULL, pieces, max);

	if (rc < 0)
		return rc;
	if (!max)
		return -EINVAL;
	while ((rc = s->ops->borrow(s, pieces, max)) == -EAGAIN) {
		/* Registered without a buffer: the stack lends frames as they come. */
		struct net_stream_reader r = { NULL, 0, 0 };

		if ((rc = stream_wait(s, &r, deadline_ns)) < 0)
			return rc; /* s may be freed */
	}
	return rc;
}

int net_recv_return(struct net_socket *s, size_t n)
{
	int rc = stream_check(s, s ? s->ops->borrow_return : NULL);

	return rc < 0 ? rc : s->ops->borrow_return(s, n);
}

int net_shutdown(struct net_socket *s)
{
	int rc = stream_check(s, s ? s->ops->shutdown : NULL);

	return rc < 0 ? rc : s->ops->shutdown(s);
}

int net_abort(struct net_socket *s)
{
	int rc = stream_check(s, s ? s->ops->abort : NULL);

	if (rc < 0)
		return rc;
	s->ops->abort(s);
	return net_close(s);
}

int net_getpeername(const struct net_socket *s, ip4_addr_t *addr, uint16_t *port)
{
	int rc = stream_check(s, s ? s->ops->getpeername : NULL);

	return rc < 0 ? rc : s->ops->getpeername(s, addr, port);
}

int net_setsockopt(struct net_socket *s, enum net_sockopt opt, unsigned int value)
{
	int rc = stream_check(s, s ? s->ops->setopt : NULL);

	return rc < 0 ? rc : s->ops->setopt(s, opt, value);
}

int net_getsockopt(const struct net_socket *s, enum net_sockopt opt, unsigned int *value)
{
	int rc = stream_check(s, s ? s->ops->getopt : NULL);

	if (rc < 0)
		return rc;
	return value ? s->ops->getopt(s, opt, value) : -EINVAL;
}

int net_close(struct net_socket *s)
{
	if (!s || s->closed)
		return -EBADF;
	s->ops->close(s);
	s->closed = true;
	if (s->users == 0) {
		uk_free(s);
		return 0;
	}
	/* The blocked callers free it; each returns -EBADF. */
	net_socket_wake(s);
	return 0;
}

int net_getsockname(const struct net_socket *s, ip4_addr_t *addr, uint16_t *port)
{
	if (!s || s->closed)
		return -EBADF;
	if (addr)
		*addr = s->local_addr;
	if (port)
		*port = s->local_port;
	return 0;
}

/* Fills revents; returns how many entries have any set. */
static int poll_scan(struct net_pollfd *fds, unsigned int n)
{
	int ready = 0;

	for (unsigned int i = 0; i < n; i++) {
		struct net_socket *s = fds[i].s;
		unsigned int now = s->ops->poll(s);

		if (s->error)
			now |= NET_POLLIN;
		fds[i].revents = now & (fds[i].events | NET_POLLHUP);
		if (fds[i].revents)
			ready++;
	}
	return ready;
}

/* Waits on poll_wq holding every socket; -EBADF when one was closed meanwhile. */
static int poll_wait(struct net_pollfd *fds, unsigned int n, uint64_t deadline_ns)
{
	bool closed = false;
	int rc;

	for (unsigned int i = 0; i < n; i++)
		fds[i].s->users++;
	rc = uk_waitq_wait(&poll_wq, deadline_ns);
	/* An entry may name one socket twice: look at every flag before freeing any. */
	for (unsigned int i = 0; i < n; i++)
		closed |= fds[i].s->closed;
	for (unsigned int i = 0; i < n; i++)
		socket_release(fds[i].s);
	return closed ? -EBADF : rc;
}

int net_poll(struct net_pollfd *fds, unsigned int n, uint64_t deadline_ns)
{
	if (n && !fds)
		return -EINVAL;
	for (unsigned int i = 0; i < n; i++) {
		if (!fds[i].s || fds[i].s->closed)
			return -EBADF;
		fds[i].revents = 0;
	}
	for (;;) {
		int ready = poll_scan(fds, n), rc;

		if (ready)
			return ready;
		rc = poll_wait(fds, n, deadline_ns);
		if (rc == -EBADF)
			return rc;
		if (rc == -ETIMEDOUT) {
			ready = poll_scan(fds, n);
			return ready ? ready : -ETIMEDOUT;
		}
	}
}

void net_socket_wake(struct net_socket *s)
{
	uk_waitq_wake_all(&s->rx_wait);
	uk_waitq_wake_all(&poll_wq);
}

/* --- the datagram receive queue --- */

/* net_dgram_enqueue's queueing, out of line: the hand-off to a reader saves no registers. */
static __attribute__((noinline)) int dgram_queue(struct net_socket *s, ip4_addr_t src,
						 uint16_t port, const uint8_t *data, size_t len)
{
	struct net_dgram *d;

	if (s->dgram.count >= NET_DGRAM_QUEUE_MAX ||
	    len > NET_DGRAM_QUEUE_BYTES - s->dgram.bytes) {
		s->dgram.dropped++;
		return -ENOBUFS;
	}
	d = uk_malloc(sizeof(*d) + len);
	if (!d) {
		s->dgram.dropped++;
		return -ENOMEM;
	}
	d->next = NULL;
	d->src = src;
	d->port = port;
	d->len = len;
	if (len)
		memcpy(d->data, data, len);
	if (s->dgram.tail)
		s->dgram.tail->next = d;
	else
		s->dgram.head = d;
	s->dgram.tail = d;
	s->dgram.count++;
	s->dgram.bytes += (uint32_t)len;
	net_socket_wake(s);
	return 0;
}

int net_dgram_enqueue(struct net_socket *s, ip4_addr_t src, uint16_t port,
		      const uint8_t *data, size_t len)
{
	struct net_dgram_reader *r = s->dgram.reader;

	if (!r || s->dgram.head)
		return dgram_queue(s, src, port, data, len);
	s->dgram.reader = NULL;
	r->rc = dgram_copy_out(r->buf, r->len, data, len);
	r->src = src;
	r->port = port;
	net_socket_wake(s);
	return 0;
}

int net_dgram_dequeue(struct net_socket *s, void *buf, size_t len, ip4_addr_t *src,
		      uint16_t *port)
{
	struct net_dgram *d = s->dgram.head;
	int full;

	if (!d)
		return -EAGAIN;
	s->dgram.head = d->next;
	if (!s->dgram.head)
		s->dgram.tail = NULL;
	s->dgram.count--;
	s->dgram.bytes -= (uint32_t)d->len;
	full = dgram_copy_out(buf, len, d->data, d->len);
	if (src)
		*src = d->src;
	if (port)
		*port = d->port;
	uk_free(d);
	return full;
}

void net_dgram_flush(struct net_socket *s)
{
	while (s->dgram.head) {
		struct net_dgram *d = s->dgram.head;

		s->dgram.head = d->next;
		uk_free(d);
	}
	s->dgram.tail = NULL;
	s->dgram.count = 0;
	s->dgram.bytes = 0;
}
