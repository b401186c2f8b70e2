/*
 * What the files of the IPv4 stack share (the .c files in net/ only; applications use
 * <net/net.h>, <net/netif.h>, <net/socket.h>).
 *
 * Threads and context: frames come in through net_if_input from the link
 * (netfront's event handler, in the scheduler's context); timers (ARP,
 * reassembly: <uk/timer.h>) run from the scheduler between threads;
 * sockets are used from application threads.
 * All run on one vCPU without preemption, so no locks; but nothing on the
 * input path or in a timer may block (ARP resolution queues, a full TX ring
 * drops and counts).
 */
#ifndef NET_NET_PRIVATE_H
#define NET_NET_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <net/ip4.h>
#include <net/netif.h>
#include <net/socket.h>
#include <uk/netfront.h> /* ETH_HLEN */
#include <uk/sched.h>

#define ETH_TYPE_IP4 0x0800
#define ETH_TYPE_ARP 0x0806
#define IP4_PROTO_ICMP 1
#define IP4_PROTO_TCP 6
#define IP4_PROTO_UDP 17
#define IP4_DEFAULT_TTL 64
#define IP4_MF 0x2000          /* more fragments, in the flags and offset field */
#define IP4_OFFSET_MASK 0x1fff /* the fragment offset, in 8-byte units */

struct arp_cache;
struct ip4_reass;
struct netfront;

/*
 * netif.c: the frame being input arrived in pieces (a multi-slot frame from
 * netfront): the bytes before head_end are at the frame pointer, the rest in
 * more[]. Only a TCP/IPv4 segment whose link checked its checksum and whose
 * IP and TCP headers all lie before head_end is input so; tcp_input takes
 * the payload from the pieces, and nothing else reads past the headers.
 */
struct net_rx_frags {
	const uint8_t *head_end;
	const struct netfront_frag *more;
	unsigned int nr_more;
};

/*
 * netif.c: a frame in pieces (len bytes in all, NETFRONT_RX_* flags), input
 * without joining them when it is a TCP/IPv4 segment with a checked
 * checksum and all its headers in frags[0]; false (nothing done) otherwise,
 * for the caller to join it and use net_if_input.
 */
bool net_if_input_frags(struct net_if *nif, const struct netfront_frag *frags, unsigned int nr,
			size_t len, unsigned int flags);

/*
 * A path to one destination resolved once and reused while it holds, as a
 * socket keeps Linux's dst_entry and its neighbour: the interface, the next
 * hop and the next hop's MAC. Valid while no interface, address or ARP
 * entry changed since (ip4_route_gen) and the MAC's ARP entry is fresh, so
 * a send through it does exactly what routing and arp_output would do.
 */
struct ip4_dst {
	uint64_t gen;             /* ip4_route_gen when resolved with a MAC; 0: no MAC */
	uint64_t expires;         /* the MAC's ARP entry's deadline */
	struct net_if *bound;     /* the interface asked for (NULL: routed) */
	struct net_if *nif;       /* NULL: no route */
	ip4_addr_t dst;
	ip4_addr_t next_hop;
	uint8_t mac[6];
	/* ip4.c: the IPv4 header for hdr_src and hdr_proto, total length, id and
	 * checksum 0, and the sum of its words (net_csum_ip4_words) */
	uint8_t hdr_proto;        /* 0: none built */
	ip4_addr_t hdr_src;
	uint32_t hdr_sum;
	uint8_t hdr[20];
};
struct net_if {
	struct net_link link;
	struct net_if_config cfg;
	bool configured;          /* cfg.addr is set */
	/* netif.c: cfg's subnet broadcast (prefixes up to /30), else 255.255.255.255. */
	ip4_addr_t subnet_broadcast;
	struct net_if_stats stats;
	struct arp_cache *arp;    /* arp.c */
	struct ip4_reass *reass;  /* ip4_reass.c */
	struct netfront *nf;      /* when attached to a vif */
	unsigned int index;
	struct net_if *next;
	/* eth.c: IPv4 multicast groups whose frames we accept (224.0.0.1 always). */
	ip4_addr_t mcast[8];
	unsigned int n_mcast;
	uint16_t ip_id;           /* ip4.c: next identification */
	bool rx_csum_valid;       /* netif.c: the frame being input has checked L4 checksums */
	const struct net_rx_frags *rx_frags; /* netif.c: the frame being input is in pieces */
	/* ip4.c, for eth_output: a datagram built with ETH_HLEN writable bytes
	 * before it, being sent down through arp_output; NULL: none. */
	uint8_t *tx_room;
	/* icmp.c: the path of the last echo reply (the pinger's, as a socket keeps one). */
	struct ip4_dst icmp_reply_dst;
	/* icmp.c: token bucket for ICMP errors; zeroes are a full bucket. */
	uint64_t icmp_rl_last;
	unsigned int icmp_rl_spent;
	/* tcp_lend.c: frames the link keeps (rx_keep) lent to sockets, not yet released. */
	unsigned int lent;
};

/* The interface whose link this is: tcp_in.c hands a segment &nif->link. */
static inline struct net_if *net_if_of_link(const struct net_link *link)
{
	return (struct net_if *)((uintptr_t)link - offsetof(struct net_if, link));
}

/* A received IPv4 datagram, as ip4.c hands it to the protocols. */
struct ip4_info {
	ip4_addr_t src, dst;
	uint8_t proto, ttl, tos;
	const uint8_t *header;    /* the IP header as received (for ICMP errors) */
	size_t header_len;
	bool broadcast;           /* sent to a broadcast address */
	bool csum_valid;          /* the link checked the TCP/UDP checksum (netif.c) */
};

/* Byte order: the only place it is converted. */
static inline uint16_t net_htons(uint16_t v) { return (uint16_t)((v << 8) | (v >> 8)); }
static inline uint16_t net_ntohs(uint16_t v) { return net_htons(v); }
static inline uint32_t net_htonl(uint32_t v) { return __builtin_bswap32(v); }
static inline uint32_t net_ntohl(uint32_t v) { return __builtin_bswap32(v); }
/*
 * Big-endian fields read and written at any alignment: a 16-bit load or
 * store and a byte swap, where bytes one at a time take twice the
 * instructions (several fields per datagram, each way).
 */
static inline uint16_t net_get16(const uint8_t *p)
{
	uint16_t v;

	__builtin_memcpy(&v, p, 2);
	return net_ntohs(v);
}
static inline uint32_t net_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void net_put16(uint8_t *p, uint16_t v)
{
	v = net_htons(v);
	__builtin_memcpy(p, &v, 2);
}
static inline void net_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/*
 * checksum.c: the Internet checksum (RFC 1071), the only implementation; its
 * folds and the IPv4 header's sums here, inline: every datagram in and out
 * has a header to check or complete, and a call cost a third of the sum.
 */
uint32_t net_csum_add(uint32_t sum, const void *data, size_t len);

/* acc folded to 32 bits (the end-around carries added back in). */
static inline uint32_t net_csum_fold32(uint64_t acc)
{
	acc = (acc & 0xffffffffu) + (acc >> 32);
	return (uint32_t)((acc & 0xffffffffu) + (acc >> 32));
}

/*
 * A sum of 16-bit words in host order, folded to 16 bits, as the sum of
 * the same words in big-endian order: RFC 1071 2(B), swapping the bytes of
 * every word swaps those of the sum. 0 stays 0, others are non-zero.
 */
static inline uint16_t net_csum_host_to_be(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s += s >> 16;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return __builtin_bswap16((uint16_t)s);
#else
	return (uint16_t)s;
#endif
}

/* The checksum field for sum: folded to 16 bits and complemented. */
static inline uint16_t net_csum_fold(uint32_t sum)
{
	/* Two steps fold any 32 bits: the first leaves at most 0x1fffe. */
	sum = (sum & 0xffff) + (sum >> 16);
	sum += sum >> 16;
	return (uint16_t)~sum;
}

/* A 20-byte IPv4 header's words summed in host order, folded to 32 bits. */
static inline uint32_t net_csum_ip4_words(const uint8_t *h)
{
	uint32_t w[5];

	memcpy(w, h, sizeof(w));
	return net_csum_fold32((uint64_t)w[0] + w[1] + w[2] + w[3] + w[4]);
}

/*
 * The checksum field of a 20-byte IPv4 header (no options), as
 * net_csum_fold(net_csum_add(0, h, 20)) gives it: five 32-bit words added
 * in 64 bits cannot carry out, so no end-around carry until the fold
 * (ip_fast_csum in Linux does the same).
 */
static inline uint16_t net_csum_ip4_header(const uint8_t *h)
{
	return net_csum_fold(net_csum_host_to_be(net_csum_ip4_words(h)));
}

/*
 * net_csum_ip4_header of a header whose words, with total length, id and
 * checksum 0, summed to words (net_csum_ip4_words), once total and id are in:
 * the fields' 16-bit words as a load from the header would give them (host
 * order) added to the kept sum; a one's complement sum does not depend on
 * the order of its words.
 */
static inline uint16_t net_csum_ip4_header_with(uint32_t words, uint16_t total, uint16_t id)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t acc = (uint64_t)words + __builtin_bswap16(total) + __builtin_bswap16(id);
#else
	uint64_t acc = (uint64_t)words + total + id;
#endif
	return net_csum_fold(net_csum_host_to_be(net_csum_fold32(acc)));
}
/* Sum of the TCP/UDP pseudo-header. */
uint32_t net_csum_pseudo(ip4_addr_t src, ip4_addr_t dst, uint8_t proto, uint16_t len);
/* The TCP/UDP checksum of data (at most 65535 bytes) with its pseudo-header, folded. */
uint16_t net_csum_l4(ip4_addr_t src, ip4_addr_t dst, uint8_t proto, const void *data,
		     size_t len);

/* eth.c */
void eth_input(struct net_if *nif, const uint8_t *frame, size_t len);
/* Joins/leaves an IPv4 multicast group (accepts its 01:00:5e MAC). 0, -ENOSPC, -EINVAL. */
int eth_mcast_join(struct net_if *nif, ip4_addr_t group);
void eth_mcast_leave(struct net_if *nif, ip4_addr_t group);
bool eth_mcast_member(const struct net_if *nif, ip4_addr_t group);
void eth_mcast_mac(ip4_addr_t group, uint8_t mac[6]);
int eth_output(struct net_if *nif, const uint8_t dst[6], uint16_t type, const void *payload,
	       size_t len);
/*
 * Writes the Ethernet header (dst, the link's MAC, type) into frame's first
 * ETH_HLEN bytes and hands the len-byte frame to the link, as a TSO frame
 * of gso_size payload bytes a segment unless gso_size is 0; counts it.
 * Inline in each caller: ip4_output_room_dst sends each datagram through a
 * kept path with it, no call between.
 */
static inline __attribute__((always_inline)) int
eth_send(struct net_if *nif, uint8_t *frame, const uint8_t dst[6], uint16_t type, size_t len,
	 uint16_t gso_size)
{
	int rc;

	memcpy(frame, dst, 6);
	memcpy(frame + 6, nif->link.mac, 6);
	net_put16(frame + 12, type);
	rc = gso_size ? nif->link.send_tso(nif->link.ctx, frame, len, gso_size)
		      : nif->link.send(nif->link.ctx, frame, len);
	if (rc < 0) {
		nif->stats.tx_errors++;
		return rc;
	}
	nif->stats.tx_frames++;
	return 0;
}
extern const uint8_t eth_broadcast[6];

/* arp.c */
int arp_init(struct net_if *nif);
void arp_fini(struct net_if *nif);
void arp_input(struct net_if *nif, const uint8_t *pkt, size_t len, const uint8_t *src_mac);
/*
 * Sends an IPv4 packet (header included) to next_hop on nif: at once when
 * the MAC is known, else queued behind an ARP request (bounded; -ENOBUFS
 * when full). The packet is copied.
 */
int arp_output(struct net_if *nif, ip4_addr_t next_hop, const void *packet, size_t len);
void arp_announce(struct net_if *nif); /* gratuitous ARP for cfg.addr */

/* ip4.c */
void ip4_input(struct net_if *nif, const uint8_t *pkt, size_t len);
/*
 * ip4_output_df for TCP segmentation offload: a TCP segment over the MTU,
 * whose checksum field holds the pseudo-header sum, goes to
 * netif_tso_output to be cut into segments of gso_size payload bytes by
 * the link (gso_size 0: exactly ip4_output_df).
 */
int ip4_output_df_gso(struct net_if *nif, ip4_addr_t src, ip4_addr_t dst, uint8_t proto,
		      const void *payload, size_t len, uint16_t gso_size);
/* The same for a payload with IP4_OUTPUT_ROOM writable bytes before it: both
 * headers are written there, and the segment is not copied (TCP's output). */
int ip4_output_df_gso_room(struct net_if *nif, ip4_addr_t src, ip4_addr_t dst, uint8_t proto,
			   uint8_t *payload, size_t len, uint16_t gso_size);

/* netif_offload.c: TCP segmentation offload on links that have it. */
/*
 * Sends the IPv4 datagram pkt (a TCP segment with a pseudo-header checksum)
 * to next_hop through the link's send_tso. While next_hop's MAC is not
 * known, sends its first gso_size bytes as an ordinary segment instead (ARP
 * queues that; the rest is lost and retransmitted, as on a wire).
 */
int netif_tso_output(struct net_if *nif, ip4_addr_t next_hop, const uint8_t *pkt, size_t len,
		     uint16_t gso_size);
/* The most payload one TCP segment of mss may carry on nif: a multiple of mss, or mss. */
uint32_t netif_tso_payload_max(const struct net_if *nif, uint16_t mss);

/* arp.c: the MAC of next_hop when known and fresh (or broadcast/multicast); false if not. */
bool arp_lookup(struct net_if *nif, ip4_addr_t next_hop, uint8_t mac[6]);
/* arp_lookup, with until when the MAC holds (UINT64_MAX: broadcast or multicast). */
bool arp_lookup_until(struct net_if *nif, ip4_addr_t next_hop, uint8_t mac[6],
		      uint64_t *expires);
/*
 * Sends a datagram of len payload bytes. nif NULL: route by dst (on-link,
 * else the gateway of an interface). src IP4_ANY: the interface's address.
 * Fragments above the link MTU. 0, -EHOSTUNREACH (no route), -EMSGSIZE
 * (over 65515 bytes), -ENOBUFS, -ENOMEM.
 */
int ip4_output(struct net_if *nif, ip4_addr_t src, ip4_addr_t dst, uint8_t proto,
	       const void *payload, size_t len);
/*
 * As ip4_output, for a payload built with IP4_OUTPUT_ROOM writable bytes
 * before it: the IPv4 and Ethernet headers are written there instead of
 * each layer copying the datagram (unless it must be fragmented).
 */
#define IP4_OUTPUT_ROOM (ETH_HLEN + 20) /* Ethernet and an IPv4 header without options */
int ip4_output_room(struct net_if *nif, ip4_addr_t src, ip4_addr_t dst, uint8_t proto,
		    uint8_t *payload, size_t len);
/*
 * As ip4_output_room, with the route ip4_route_find found (nif and
 * next_hop), so that a caller that needed the interface first (for the
 * source address of its checksum) does not route twice.
 */
int ip4_output_room_via(struct net_if *nif, ip4_addr_t next_hop, ip4_addr_t src,
			ip4_addr_t dst, uint8_t proto, uint8_t *payload, size_t len);
/* Bumped whenever an interface, its configuration or an ARP entry changes. */
extern uint64_t ip4_route_gen;
static inline void ip4_routes_changed(void)
{
	ip4_route_gen++;
}
/* d was resolved for dst through bound, with a MAC, and still holds at now. */
static inline bool ip4_dst_fresh(const struct ip4_dst *d, ip4_addr_t dst,
				 const struct net_if *bound, uint64_t now)
{
	return d->gen == ip4_route_gen && d->dst == dst && d->bound == bound && now < d->expires;
}
/*
 * Resolves d for dst (through bound unless NULL) as ip4_route_find does;
 * false when there is no route (d->nif: bound, or NULL). With a route, the
 * MAC too when ARP knows it (d->gen set), counting nothing and sending
 * nothing: arp_output resolves the rest.
 */
bool ip4_dst_resolve(struct ip4_dst *d, struct net_if *bound, ip4_addr_t dst);
/*
 * ip4_output_room_via through a fresh d (ip4_dst_fresh): the headers are
 * written in place (the IPv4 one from d's kept header for src and proto)
 * and the frame goes to the link without a route or ARP lookup.
 */
int ip4_output_room_dst(struct ip4_dst *d, ip4_addr_t src, uint8_t proto,
			uint8_t *payload, size_t len);
/* The interface that routes dst (on-link first, then one with a gateway), or NULL. */
struct net_if *ip4_route(ip4_addr_t dst, ip4_addr_t *next_hop);
bool ip4_is_local(const struct net_if *nif, ip4_addr_t a);
/* 255.255.255.255, or nif's subnet broadcast (prefixes up to /30). */
static inline bool ip4_is_broadcast(const struct net_if *nif, ip4_addr_t a)
{
	return a == IP4_BROADCAST || a == nif->subnet_broadcast;
}
static inline bool ip4_is_multicast(ip4_addr_t a) { return ((const uint8_t *)&a)[0] >> 4 == 14; }
#define IP4_MAX_PAYLOAD 65515 /* 65535 less a 20-byte header */

/* ip4_reass.c: fragment reassembly (RFC 815 hole list), bounded. */
int ip4_reass_init(struct net_if *nif);
void ip4_reass_fini(struct net_if *nif);
/*
 * Takes one fragment (frag_off: its byte offset, the header's field times 8;
 * ip: the fragment's header, kept from offset 0 for ICMP time exceeded);
 * when it completes a datagram, returns 1 and the whole
 * payload in *out and *out_len (uk_malloc'd; the caller frees). 0: kept; <0: dropped.
 */
int ip4_reass_input(struct net_if *nif, const struct ip4_info *ip, uint16_t id,
		    uint16_t frag_off, bool more, const uint8_t *data, size_t len,
		    uint8_t **out, size_t *out_len);

/* icmp.c */
void icmp_input(struct net_if *nif, const struct ip4_info *ip, const uint8_t *data, size_t len);
/*
 * An ICMP error (type 3 unreachable, 11 time exceeded) quoting ip's header
 * and 8 bytes of payload; rate limited, and never about a broadcast, an
 * ICMP error, a non-initial fragment or an invalid source (RFC 1122 3.2.2).
 */
void icmp_send_error(struct net_if *nif, uint8_t type, uint8_t code, const struct ip4_info *ip,
		     const uint8_t *payload, size_t payload_len);
/* Destination unreachable (rate limited) about a received datagram. */
void icmp_send_unreachable(struct net_if *nif, uint8_t code, const struct ip4_info *ip,
			   const uint8_t *payload, size_t payload_len);

/* udp.c */
void udp_input(struct net_if *nif, const struct ip4_info *ip, const uint8_t *data, size_t len);
/* An ICMP error about a UDP datagram we sent (orig: its IP header + 8 bytes). */
void udp_icmp_error(uint8_t type, uint8_t code, const uint8_t *orig, size_t len);

/*
 * Sockets (socket.c: the generic half; udp.c, later tcp.c: the protocols).
 * A socket has a type and an ops table for it; socket.c checks arguments,
 * blocks and wakes, the ops do the protocol's work. Added by the UDP/socket
 * implementation; a stream socket adds its ops and its own member of the
 * union below.
 */
struct net_socket_ops {
	/* addr/port as given to net_bind (port 0: ephemeral). The socket is unbound. */
	int (*bind)(struct net_socket *s, ip4_addr_t addr, uint16_t port);
	/* s->nif changed (net_bind_if): the protocol may refuse a conflict. */
	int (*bind_if)(struct net_socket *s, struct net_if *nif);
	int (*sendto)(struct net_socket *s, const void *buf, size_t len, ip4_addr_t dst,
		      uint16_t port);
	/* Non-blocking: a byte count, or -EAGAIN when nothing is there (socket.c waits). */
	int (*recvfrom)(struct net_socket *s, void *buf, size_t len, ip4_addr_t *src,
			uint16_t *port);
	/* NET_POLLIN / NET_POLLOUT as they are now (pending errors count as POLLIN). */
	unsigned int (*poll)(const struct net_socket *s);
	/* Leaves the protocol's tables and frees what the protocol holds. */
	void (*close)(struct net_socket *s);
	/* --- stream sockets (tcp_sock.c); NULL in datagram ops: -EOPNOTSUPP --- */
	int (*open)(struct net_socket *s); /* at net_socket: the protocol's state */
	int (*connect)(struct net_socket *s, ip4_addr_t addr, uint16_t port); /* starts it */
	/* 0 once connected, -EAGAIN while the handshake runs, or why it failed. */
	int (*connect_result)(struct net_socket *s);
	int (*listen)(struct net_socket *s, unsigned int backlog);
	/* The rest answer -EAGAIN where the call would wait (socket.c waits). */
	int (*accept)(struct net_socket *s, struct net_socket **out);
	int (*send)(struct net_socket *s, const void *buf, size_t len);
	int (*recv)(struct net_socket *s, void *buf, size_t len);
	/* A reader returns with n bytes the protocol gave it directly (net_stream_reader). */
	void (*recv_done)(struct net_socket *s, uint32_t n);
	/* net_recv_borrow's pieces (-EAGAIN: none yet) and net_recv_return. */
	int (*borrow)(struct net_socket *s, struct net_piece *pieces, unsigned int max);
	int (*borrow_return)(struct net_socket *s, size_t n);
	int (*shutdown)(struct net_socket *s);
	void (*abort)(struct net_socket *s); /* RST; the socket stays, unconnected */
	int (*getpeername)(const struct net_socket *s, ip4_addr_t *addr, uint16_t *port);
	int (*setopt)(struct net_socket *s, enum net_sockopt opt, unsigned int value);
	int (*getopt)(const struct net_socket *s, enum net_sockopt opt, unsigned int *value);
	/* --- end stream sockets --- */
};

/* One received datagram in a socket's queue. */
struct net_dgram {
	struct net_dgram *next;
	ip4_addr_t src;
	uint16_t port;
	size_t len;
	uint8_t data[];
};

/*
 * A reader blocked in net_recv on a stream socket with nothing to read
 * (socket.c): in-order data arriving while the receive ring is empty is
 * copied straight into buf (tcp_in.c), got bytes so far, up to len. With
 * buf NULL, a borrower (net_recv_borrow): frames are lent instead, got
 * counting their bytes (tcp_lend.c).
 */
struct net_stream_reader {
	uint8_t *buf;
	uint32_t len;
	uint32_t got;
};

/* Receive queue bounds of a datagram socket: beyond either, drop and count. */
#define NET_DGRAM_QUEUE_MAX 64
#define NET_DGRAM_QUEUE_BYTES (256 * 1024)

struct net_socket {
	enum net_socket_type type;
	const struct net_socket_ops *ops;
	ip4_addr_t local_addr;    /* IP4_ANY: every interface */
	uint16_t local_port;      /* host byte order; 0: not bound */
	struct net_if *nif;       /* net_bind_if, or NULL */
	bool broadcast;           /* net_set_broadcast */
	bool closed;              /* net_close ran; freed when users drops to 0 */
	unsigned int users;       /* threads blocked inside a call on it */
	int error;                /* pending -errno for the next receive, or 0 */
	struct uk_waitq rx_wait;  /* receivers waiting for data or an error */
	struct net_socket *next;  /* the protocol's table of bound sockets */
	union {
		struct {
			struct net_dgram *head, *tail;
			struct net_dgram_reader *reader; /* socket.c: blocked on an empty queue */
			uint32_t count;
			uint32_t bytes;   /* at most NET_DGRAM_QUEUE_BYTES */
			uint64_t dropped; /* queue full or no memory */
			/* udp.c: the path of the last datagram sent (from the first send on;
			 * a pointer, so that stream sockets, in the union, stay small) */
			struct ip4_dst *dst;
		} dgram;
		struct {
			struct tcp_pcb *pcb; /* tcp.c; NULL once net_close ran */
			struct net_stream_reader *reader; /* socket.c: blocked, nothing to read */
		} stream;
	};
};

/* socket.c, for the protocols: wake receivers and pollers of s. */
void net_socket_wake(struct net_socket *s);
/* Queues a copy of one datagram on s (bounded) and wakes. 0, -ENOBUFS, -ENOMEM. */
int net_dgram_enqueue(struct net_socket *s, ip4_addr_t src, uint16_t port,
		      const uint8_t *data, size_t len);
/* Takes the oldest datagram (as ops->recvfrom); -EAGAIN when empty. */
int net_dgram_dequeue(struct net_socket *s, void *buf, size_t len, ip4_addr_t *src,
		      uint16_t *port);
void net_dgram_flush(struct net_socket *s);

/* udp.c */
extern const struct net_socket_ops udp_socket_ops;

/* --- TCP (net/tcp*.c, tcp_private.h) and stream sockets --- */
struct tcp_pcb;
extern const struct net_socket_ops tcp_socket_ops;
void tcp_input(struct net_if *nif, const struct ip4_info *ip, const uint8_t *data, size_t len);
/*
 * An ICMP error about a TCP segment we sent (orig: its IP header + 8 bytes;
 * mtu: the next-hop MTU of a "fragmentation needed", RFC 1191).
 */
void tcp_icmp_error(uint8_t type, uint8_t code, uint16_t mtu, const uint8_t *orig, size_t len);
/* ip4.c: ip4_output with Don't Fragment; -EMSGSIZE beyond the link MTU. */
int ip4_output_df(struct net_if *nif, ip4_addr_t src, ip4_addr_t dst, uint8_t proto,
		  const void *payload, size_t len);
/* socket.c: a new socket of type with ops (for a connection net_accept returns). */
struct net_socket *net_socket_alloc(enum net_socket_type type,
				    const struct net_socket_ops *ops);
/* --- end TCP --- */

/* netif.c: the interface list. */
struct net_if *net_if_first(void);

#endif
