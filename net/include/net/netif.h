/*
 * Network interfaces of the IPv4 stack. An interface sits on a link that
 * carries Ethernet frames: normally a netfront vif (net_if_attach_netfront),
 * or, in tests and the fuzzer, any struct net_link. Frames enter with
 * net_if_input, in the caller's context (netfront's event handler, run by
 * the scheduler between threads); that path never blocks.
 *
 * Configuration (address, netmask, gateway, DNS servers) comes from the
 * guest command line, the backend's "ip" xenstore key, DHCP, or
 * net_if_set_config. Setting an address sends a gratuitous ARP.
 */
#ifndef NET_NETIF_H
#define NET_NETIF_H

#include <stddef.h>
#include <stdint.h>

#include <net/ip4.h>

struct net_if;
struct netfront;

struct net_link {
	/* Sends one Ethernet frame (14..mtu+14 bytes) without blocking; 0 or a
	 * negative errno (-ENOBUFS when the link is busy: the frame is dropped). */
	int (*send)(void *ctx, const uint8_t *frame, size_t len);
	void *ctx;
	uint8_t mac[6];
	unsigned int mtu; /* IP MTU, 1500 on Ethernet */
	/*
	 * Optional TCP segmentation offload (NULL, 0: none). Sends one TCP/IPv4
	 * frame of up to tso_max bytes (Ethernet header included) whose TCP
	 * checksum field holds the pseudo-header sum; the link fills the
	 * checksum and cuts it into segments of gso_size payload bytes. Same
	 * return values as send.
	 */
	int (*send_tso)(void *ctx, const uint8_t *frame, size_t len, uint16_t gso_size);
	unsigned int tso_max;
	/*
	 * Optional lending of received memory (NULL: none). Called while a
	 * frame in pieces is input (net_if_input_frags), rx_keep keeps the
	 * pieces valid after the input, until rx_release(ctx, *token); 0 or a
	 * negative errno (nothing kept). TCP lends them to a borrowing reader
	 * (net_recv_borrow).
	 */
	int (*rx_keep)(void *ctx, uint32_t *token);
	void (*rx_release)(void *ctx, uint32_t token);
};

#define NET_IF_MAX_DNS 2

struct net_if_config {
	ip4_addr_t addr, netmask, gateway;
	ip4_addr_t dns[NET_IF_MAX_DNS];
};

/* Counters of the stack's work and of every reason a frame was dropped. */
struct net_if_stats {
	uint64_t rx_frames, tx_frames;
	uint64_t eth_not_for_us, eth_unknown_type, eth_truncated;
	uint64_t arp_bad, arp_replies_sent, arp_requests_sent, arp_unsolicited_ignored;
	uint64_t ip_bad_header, ip_bad_checksum, ip_bad_length, ip_not_for_us, ip_ttl_expired;
	uint64_t ip_unknown_protocol, ip_frag_timeout, ip_frag_overlap, ip_frag_memory;
	uint64_t ip_frags_received, ip_reassembled, ip_frags_sent;
	uint64_t icmp_bad, icmp_echo_replies, icmp_unreach_sent, icmp_unreach_ratelimited;
	uint64_t udp_bad_checksum, udp_bad_length, udp_no_port;
	uint64_t no_route, arp_queue_full, nomem;
	uint64_t arp_unresolved; /* queued packets dropped: no ARP answer after the retries */
	uint64_t tx_errors;      /* frames the link refused (link.send < 0) */
};

/* Creates an interface on link (copied). 0 or -ENOMEM. */
int net_if_create(const struct net_link *link, struct net_if **out);
/* The interface of an open netfront vif (frames flow both ways); destroy it before
 * closing the vif (netfront_close panics meanwhile). -EBUSY if the vif has one. */
int net_if_attach_netfront(struct netfront *nf, struct net_if **out);
/* Removes and frees nif; panics while received frames of its link are lent (socket.h). */
void net_if_destroy(struct net_if *nif);
/* One received Ethernet frame; the stack copies what it keeps. */
void net_if_input(struct net_if *nif, const uint8_t *frame, size_t len);

int net_if_set_config(struct net_if *nif, const struct net_if_config *cfg);
void net_if_get_config(const struct net_if *nif, struct net_if_config *cfg);
void net_if_stats(const struct net_if *nif, struct net_if_stats *stats);
void net_if_mac(const struct net_if *nif, uint8_t mac[6]);

/* The interfaces, in creation order. */
unsigned int net_if_count(void);
struct net_if *net_if_get(unsigned int index);

#endif
