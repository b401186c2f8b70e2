/*
 * UDP (RFC 768) and the datagram sockets' ops.
 *
 * Input: the length field must lie within the IP payload (at least the
 * 8-byte header; bytes beyond it are trimmed); a non-zero checksum must
 * verify over the pseudo-header (zero: the sender did not compute one).
 * A datagram goes to the socket bound to (its destination address, its port)
 * or else to one bound to (IP4_ANY, its port); a socket bound to an
 * interface hears only that interface, and broadcasts reach only sockets
 * with broadcast on. With no socket, a unicast datagram is answered with an
 * ICMP port unreachable. Every drop is counted in the interface's stats.
 *
 * Output always carries a checksum (a computed 0 is sent as 0xffff).
 * Unbound sockets get an ephemeral port (49152-65535) on their first send.
 */
#include <errno.h>
#include <string.h>
#include <uk/alloc.h>
#include <uk/time.h>

#include "net_private.h"

#define UDP_HLEN 8
#define UDP_MAX_PAYLOAD (65535 - 20 - UDP_HLEN)
/* A datagram up to one 1500-byte MTU is built on the stack, bigger ones on the heap. */
#define UDP_STACK_PAYLOAD (1500 - 20 - UDP_HLEN)
#define UDP_EPHEMERAL_FIRST 49152u
#define UDP_EPHEMERAL_COUNT 16384u
#define ICMP_DEST_UNREACH 3
#define ICMP_PORT_UNREACH 3

/* Bound UDP sockets, newest first. */
static struct net_socket *udp_bound;
/* Where the next search for a free ephemeral port starts. */
static uint16_t udp_next_ephemeral = UDP_EPHEMERAL_FIRST;

/* --- the table of bound sockets --- */

static bool udp_port_used(uint16_t port)
{
	for (struct net_socket *b = udp_bound; b; b = b->next)
		if (b->local_port == port)
			return true;
	return false;
}

/* Another socket already holds addr:port where nif (NULL: all) would hear it. */
static bool udp_conflict(const struct net_socket *s, ip4_addr_t addr, uint16_t port,
			 const struct net_if *nif)
{
	for (struct net_socket *b = udp_bound; b; b = b->next)
		if (b != s && b->local_port == port && b->local_addr == addr &&
		    (!nif || !b->nif || b->nif == nif))
			return true;
	return false;
}

/* A free ephemeral port, searched from where the last search ended; 0 if none. */
static uint16_t udp_ephemeral_port(void)
{
	for (unsigned int i = 0; i < UDP_EPHEMERAL_COUNT; i++) {
		uint16_t p = (uint16_t)(UDP_EPHEMERAL_FIRST +
					(udp_next_ephemeral - UDP_EPHEMERAL_FIRST + i) %
						UDP_EPHEMERAL_COUNT);

		if (!udp_port_used(p)) {
			udp_next_ephemeral = (uint16_t)(p == 65535 ? UDP_EPHEMERAL_FIRST : p + 1u);
			return p;
		}
	}
	return 0;
}

static bool udp_addr_is_ours(ip4_addr_t addr)
{
	for (struct net_if *nif = net_if_first(); nif; nif = nif->next)
		if (nif->configured && nif->cfg.addr == addr)
			return true;
	return false;
}

static int udp_bind(struct net_socket *s, ip4_addr_t addr, uint16_t port)
{
	if (addr != IP4_ANY && !udp_addr_is_ours(addr))
		return -EADDRNOTAVAIL;
	if (port == 0) {
		port = udp_ephemeral_port();
		if (!port)
			return -EADDRINUSE;
	} else if (udp_conflict(s, addr, port, s->nif)) {
		return -EADDRINUSE;
	}
	s->local_addr = addr;
	s->local_port = port;
	s->next = udp_bound;
	udp_bound = s;
	return 0;
}

static int udp_bind_if(struct net_socket *s, struct net_if *nif)
{
	if (s->local_port && udp_conflict(s, s->local_addr, s->local_port, nif))
		return -EADDRINUSE;
	return 0;
}

static void udp_unbind(struct net_socket *s)
{
	for (struct net_socket **p = &udp_bound; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			break;
		}
	s->next = NULL;
}

/*
 * The socket for a datagram to dst:port that arrived on nif: bound to dst
 * exactly, else to IP4_ANY. NULL when none will take it.
 */
static struct net_socket *udp_lookup(const struct net_if *nif, ip4_addr_t dst, uint16_t port,
				     bool broadcast)
{
	struct net_socket *any = NULL;

	for (struct net_socket *s = udp_bound; s; s = s->next) {
		if (s->local_port != port || (s->nif && s->nif != nif))
			continue;
		if (broadcast && !s->broadcast)
			continue;
		if (s->local_addr == dst)
			return s;
		if (s->local_addr == IP4_ANY && !any)
			any = s;
	}
	return any;
}

/* --- checksums --- */

/* The checksum over the pseudo-header and the whole datagram (its field included). */
static uint16_t udp_csum(ip4_addr_t src, ip4_addr_t dst, const uint8_t *dgram, size_t len)
{
	return net_csum_l4(src, dst, IP4_PROTO_UDP, dgram, len);
}

/* --- input --- */

void udp_input(struct net_if *nif, const struct ip4_info *ip, const uint8_t *data, size_t len)
{
	struct net_socket *s;
	uint16_t ulen, sport, dport;

	if (len < UDP_HLEN) {
		nif->stats.udp_bad_length++;
		return;
	}
	ulen = net_get16(data + 4);
	if (ulen < UDP_HLEN || ulen > len) {
		nif->stats.udp_bad_length++;
		return;
	}
	len = ulen; /* trailing bytes beyond the UDP length are not the datagram's */
	if (!ip->csum_valid && net_get16(data + 6) != 0 && udp_csum(ip->src, ip->dst, data, len) != 0) {
		nif->stats.udp_bad_checksum++;
		return;
	}
	sport = net_get16(data);
	dport = net_get16(data + 2);
	s = udp_lookup(nif, ip->dst, dport, ip->broadcast);
	if (!s) {
		nif->stats.udp_no_port++;
		if (!ip->broadcast)
			icmp_send_unreachable(nif, ICMP_PORT_UNREACH, ip, data, len);
		return;
	}
	if (net_dgram_enqueue(s, ip->src, sport, data + UDP_HLEN, len - UDP_HLEN) == -ENOMEM)
		nif->stats.nomem++;
}

void udp_icmp_error(uint8_t type, uint8_t code, const uint8_t *orig, size_t len)
{
	size_t ihl;
	ip4_addr_t src;
	uint16_t sport;

	if (!orig || len < 20 || (orig[0] >> 4) != 4)
		return;
	ihl = (size_t)(orig[0] & 0x0f) * 4;
	if (ihl < 20 || len < ihl + UDP_HLEN || orig[9] != IP4_PROTO_UDP)
		return;
	memcpy(&src, orig + 12, sizeof(src));
	sport = net_get16(orig + ihl);
	for (struct net_socket *s = udp_bound; s; s = s->next)
		if (s->local_port == sport && (s->local_addr == IP4_ANY || s->local_addr == src)) {
			bool refused = type == ICMP_DEST_UNREACH && code == ICMP_PORT_UNREACH;

			s->error = refused ? -ECONNREFUSED : -EHOSTUNREACH;
			net_socket_wake(s);
			return;
		}
}

/* --- output --- */

static int udp_sendto(struct net_socket *s, const void *buf, size_t len, ip4_addr_t dst,
		      uint16_t port)
{
	/* Room before the datagram for the IPv4 and Ethernet headers (ip4_output_room). */
	uint8_t stack_pkt[IP4_OUTPUT_ROOM + UDP_HLEN + UDP_STACK_PAYLOAD];
	struct ip4_dst *d = s->dgram.dst, unkept;
	struct net_if *nif;
	ip4_addr_t src;
	uint8_t *pkt = stack_pkt + IP4_OUTPUT_ROOM;
	uint16_t csum;
	bool routed = true, resolved;
	int rc;

	if (port == 0 || dst == IP4_ANY)
		return -EINVAL;
	if (len > UDP_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (dst == IP4_BROADCAST && !s->broadcast)
		return -EACCES;
	/*
	 * Routed once, here (the source address is needed for the checksum),
	 * and not again while the path to the last destination holds.
	 */
	if (!d && !(d = s->dgram.dst = uk_calloc(1, sizeof(*d)))) {
		memset(&unkept, 0, sizeof(unkept)); /* no memory to keep it: this send only */
		d = &unkept;
	}
	resolved = ip4_dst_fresh(d, dst, s->nif, uk_now_ns());
	if (!resolved) {
		routed = ip4_dst_resolve(d, s->nif, dst);
		resolved = d->gen != 0;
	}
	if (!(nif = d->nif))
		return -EHOSTUNREACH;
	if (!s->local_port && (rc = udp_bind(s, IP4_ANY, 0)) < 0)
		return rc;
	src = s->local_addr != IP4_ANY ? s->local_addr
				       : (nif->configured ? nif->cfg.addr : IP4_ANY);
	if (len > UDP_STACK_PAYLOAD && !(pkt = uk_malloc(UDP_HLEN + len)))
		return -ENOMEM;
	net_put16(pkt, s->local_port);
	net_put16(pkt + 2, port);
	net_put16(pkt + 4, (uint16_t)(UDP_HLEN + len));
	net_put16(pkt + 6, 0);
	if (len)
		memcpy(pkt + UDP_HLEN, buf, len);
	csum = udp_csum(src, dst, pkt, UDP_HLEN + len);
	/* 0 on the wire means "no checksum": its one's complement twin stands in. */
	net_put16(pkt + 6, csum ? csum : 0xffff);
	if (pkt != stack_pkt + IP4_OUTPUT_ROOM) {
		rc = ip4_output(nif, src, dst, IP4_PROTO_UDP, pkt, UDP_HLEN + len);
		uk_free(pkt);
	} else if (resolved) {
		rc = ip4_output_room_dst(d, src, IP4_PROTO_UDP, pkt, UDP_HLEN + len);
	} else if (routed) {
		rc = ip4_output_room_via(nif, d->next_hop, src, dst, IP4_PROTO_UDP, pkt,
					 UDP_HLEN + len);
	} else {
		/* A bound interface that cannot reach dst: fails there, and is counted. */
		rc = ip4_output_room(nif, src, dst, IP4_PROTO_UDP, pkt, UDP_HLEN + len);
	}
	return rc < 0 ? rc : (int)len;
}

/* --- the socket ops of NET_SOCK_DGRAM --- */

static unsigned int udp_poll(const struct net_socket *s)
{
	return NET_POLLOUT | (s->dgram.count ? NET_POLLIN : 0u);
}

static void udp_close(struct net_socket *s)
{
	if (s->local_port)
		udp_unbind(s);
	net_dgram_flush(s);
	uk_free(s->dgram.dst);
	s->dgram.dst = NULL;
}

const struct net_socket_ops udp_socket_ops = {
	.bind = udp_bind,
	.bind_if = udp_bind_if,
	.sendto = udp_sendto,
	.recvfrom = net_dgram_dequeue,
	.poll = udp_poll,
	.close = udp_close,
};
