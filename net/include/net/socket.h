/*
 * Sockets for applications, blocking only the calling thread. UDP today;
 * TCP will use the same calls (net_connect, net_listen, net_accept, net_send,
 * net_recv) on the same struct net_socket.
 *
 * Every call returns 0 (or a byte count) or a negative error number that
 * reads as what happened: -EADDRINUSE, -ECONNREFUSED (an ICMP port
 * unreachable answered a datagram we sent), -EHOSTUNREACH (no route or no
 * ARP answer), -EMSGSIZE, -ETIMEDOUT (the deadline passed), -EBADF (a closed
 * socket), -ENOMEM. Deadlines are absolute guest times (uk_now_ns()); 0
 * means wait forever.
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

/* Waiting on several sockets at once. */
#define NET_POLLIN 1u  /* a datagram (or an error) is waiting */
#define NET_POLLOUT 2u /* sending would not block */
struct net_pollfd {
	struct net_socket *s;
	unsigned int events, revents;
};
/* Returns how many entries have revents set, or -ETIMEDOUT at the deadline. */
int net_poll(struct net_pollfd *fds, unsigned int n, uint64_t deadline_ns);

#endif
