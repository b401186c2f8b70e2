/*
 * Sockets for applications, blocking only the calling thread: datagram
 * (UDP) and stream (TCP) sockets on the same struct net_socket.
 *
 * Every call returns 0 (or a byte count) or a negative error number that
 * reads as what happened: -EADDRINUSE, -ECONNREFUSED (an ICMP port
 * unreachable answered a datagram we sent; a RST answered our SYN),
 * -ECONNRESET (the peer reset the connection), -EPIPE (sending after our
 * shutdown or after the connection died), -ENOTCONN (a stream call on a
 * socket that is not connected), -EHOSTUNREACH (no route or no ARP answer),
 * -EMSGSIZE, -ETIMEDOUT (the deadline passed; or the peer stopped answering
 * retransmissions), -EBADF (a closed socket), -ENOMEM. Deadlines are
 * absolute guest times (uk_now_ns()); 0 means wait forever.
 */
#ifndef NET_SOCKET_H
#define NET_SOCKET_H

#include <stddef.h>
#include <stdint.h>

#include <net/ip4.h>

struct net_socket;
struct net_if;

enum net_socket_type {
	NET_SOCK_DGRAM, /* UDP */
	NET_SOCK_STREAM, /* TCP */
};

int net_socket(enum net_socket_type type, struct net_socket **out);
/* Binds to a local address (IP4_ANY: every interface) and port (0: ephemeral). */
int net_bind(struct net_socket *s, ip4_addr_t addr, uint16_t port);
/* Sends and receives only through nif (as SO_BINDTODEVICE); DHCP needs it. */
int net_bind_if(struct net_socket *s, struct net_if *nif);
/* Lets the socket send to and receive from 255.255.255.255. */
int net_set_broadcast(struct net_socket *s, bool on);
int net_sendto(struct net_socket *s, const void *buf, size_t len, ip4_addr_t dst, uint16_t port);
/*
 * Receives one datagram (truncated to len; the full length is returned),
 * with its source in *src / *port when given. -ECONNREFUSED once after an
 * ICMP error for a datagram this socket sent.
 */
int net_recvfrom(struct net_socket *s, void *buf, size_t len, ip4_addr_t *src, uint16_t *port,
		 uint64_t deadline_ns);
int net_close(struct net_socket *s);
/* The local address and port (after bind or the first send). */
int net_getsockname(const struct net_socket *s, ip4_addr_t *addr, uint16_t *port);

/*
 * Stream sockets (TCP). A socket is either a listener (net_bind, net_listen,
 * net_accept) or one end of a connection (net_connect, or what net_accept
 * returns); a connection's calls may be made from several threads.
 */
/*
 * Opens a connection to addr:port (binding an ephemeral port first when
 * unbound) and waits until it is established. -ECONNREFUSED (a RST
 * answered), -ETIMEDOUT (no answer to the SYN retransmissions, or the
 * deadline: the attempt is then abandoned), -EADDRINUSE (that connection
 * exists), -EISCONN.
 */
int net_connect(struct net_socket *s, ip4_addr_t addr, uint16_t port, uint64_t deadline_ns);
/*
 * Makes a bound socket a listener (unbound: an ephemeral port). backlog
 * (1..1024) bounds the established connections waiting for net_accept;
 * beyond it the handshake is left unfinished, and half-open connections
 * are bounded too, so a SYN flood cannot grow memory without bound.
 */
int net_listen(struct net_socket *s, unsigned int backlog);
/* Waits for an established connection and returns its new socket in *out. */
int net_accept(struct net_socket *s, struct net_socket **out, uint64_t deadline_ns);
/*
 * Queues up to len bytes for sending and returns how many (at least 1),
 * blocking only while the send buffer is full. -EPIPE after net_shutdown
 * or once the connection is gone (its error, -ECONNRESET or -ETIMEDOUT, is
 * returned first, once).
 */
int net_send(struct net_socket *s, const void *buf, size_t len, uint64_t deadline_ns);
/*
 * Receives up to len bytes (at least 1), blocking while none are there; 0
 * at the end of the stream (the peer's FIN, after the data before it).
 * -ECONNRESET or -ETIMEDOUT once when the connection died, then 0.
 */
int net_recv(struct net_socket *s, void *buf, size_t len, uint64_t deadline_ns);
/*
 * Zero-copy receive: net_recv_borrow lends the application the stream's
 * unread bytes where they lie, as lwIP hands out pbufs or Linux's
 * TCP_ZEROCOPY_RECEIVE maps the received pages: the pages a frame came in
 * (a vif's RX pages, when the frame came in pieces, with receive offloads,
 * while the reader waits) or the receive buffer's storage. It fills up to
 * max pieces with the first unread bytes, in stream order, the same bytes
 * a net_recv would copy out (the stream does not advance), blocking while
 * there are none; returns how many pieces (at least 1), 0 at the end of
 * the stream, or the error net_recv would give. Bytes stay lent, and count
 * as unread (the window stays closed by them), until net_recv_return hands
 * the first n of them back, in order: a part of a piece, or several. A
 * borrow while bytes are lent describes them again first, then what came
 * after. The pieces stay valid until returned or net_close, even after a
 * FIN or a reset; a net_close with bytes lent gives them back (a close
 * with unread data: a RST). A net_recv reads lent bytes first, returning
 * them as it copies them out.
 * Closing the interface frees its pages: return or close first
 * (net_if_destroy panics, naming the interface, while any are lent).
 */
struct net_piece {
	const uint8_t *data;
	size_t len;
};
int net_recv_borrow(struct net_socket *s, struct net_piece *pieces, unsigned int max,
		    uint64_t deadline_ns);
/* Returns the first n lent bytes: they are read. -EINVAL when fewer are lent. */
int net_recv_return(struct net_socket *s, size_t n);
/* Closes the sending direction: a FIN follows the queued data. Receiving goes on. */
int net_shutdown(struct net_socket *s);
/*
 * net_close on a stream socket is graceful: queued data is still sent,
 * then a FIN, while the call returns at once (the stack finishes the close
 * on its own). Unread received data makes it abortive, as in Linux.
 * net_abort closes at once with a RST and discards what is queued.
 */
int net_abort(struct net_socket *s);
/* The connected peer's address and port; -ENOTCONN. */
int net_getpeername(const struct net_socket *s, ip4_addr_t *addr, uint16_t *port);

enum net_sockopt {
	NET_OPT_NODELAY,   /* bool: send small segments at once (no Nagle) */
	NET_OPT_SNDBUF,    /* bytes of the send buffer (4096..4 MiB; default 128 KiB) */
	NET_OPT_RCVBUF,    /* bytes of the receive buffer (4096..4 MiB; default 128 KiB,
			    * auto-tuned up to 6 MiB while the app reads fast; setting it
			    * turns that off), set before connect or listen to take full
			    * effect (window scale); reading it gives the current size */
	NET_OPT_KEEPALIVE, /* bool: probe an idle connection (2 h idle, 9 probes 75 s apart) */
};
/* Stream sockets only; -EOPNOTSUPP elsewhere, -EINVAL for a value out of range. */
int net_setsockopt(struct net_socket *s, enum net_sockopt opt, unsigned int value);
int net_getsockopt(const struct net_socket *s, enum net_sockopt opt, unsigned int *value);

/* Waiting on several sockets at once. */
#define NET_POLLIN 1u  /* data, an end of stream, a connection to accept, or an error */
#define NET_POLLOUT 2u /* sending would not block */
#define NET_POLLHUP 4u /* a stream socket's connection is over both ways (always reported) */
struct net_pollfd {
	struct net_socket *s;
	unsigned int events, revents;
};
/* Returns how many entries have revents set, or -ETIMEDOUT at the deadline. */
int net_poll(struct net_pollfd *fds, unsigned int n, uint64_t deadline_ns);

#endif
