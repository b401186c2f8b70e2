/*
 * The test peer: frames a test sends into the stack, built independently
 * of the stack's own code (its checksum and header helpers are what is under
 * test), and a recording link that captures what the stack sends back, as
 * lwIP's tcp_helper.c does for its TCP tests.
 *
 * Builders write into a caller's buffer and return the bytes written:
 *   peer_eth_put      Ethernet header (14 bytes)
 *   peer_arp_put      ARP for IPv4 over Ethernet (28 bytes, after the Ethernet header)
 *   peer_ip4_put      IPv4 header (20 bytes, no options) with its checksum
 *   peer_udp_put      UDP header and data, checksum over the pseudo-header
 *   peer_icmp_echo_put ICMP echo request or reply with its checksum
 *   peer_tcp_put      TCP segment (header, options, data), checksum over the pseudo-header
 *   peer_*_frame      whole frames from a struct peer to its guest: ARP, UDP, ICMP echo,
 *                     TCP, or any IPv4 payload
 * Checksums (RFC 1071): peer_csum_add / peer_csum_fold / peer_csum_pseudo, and
 * peer_ip4_l4_csum_ok to check a TCP/UDP/ICMP checksum the stack computed.
 *
 * The recording link: a struct peer_capture is the ctx of a struct net_link
 * whose send is peer_capture_send; the frames the stack sends are kept in
 * order (the first PEER_CAPTURE_MAX of them; n counts all), with the guest
 * time of each when the capture has a clock. peer_capture_ip4 returns the
 * IPv4 packet of a captured frame when it carries the given protocol.
 *
 * Constants are the host's (ETH_HLEN, ETH_P_IP, IPPROTO_UDP, TH_SYN, ...).
 * IPv4 addresses are uint32_t in network byte order (the stack's ip4_addr_t,
 * PEER_IP4(10, 0, 0, 1)); multi-byte fields in frames are big-endian.
 * Host code; no dependency on the stack.
 */
#ifndef TESTS_SUPPORT_PEER_H
#define TESTS_SUPPORT_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/if_ether.h> /* ETH_HLEN, ETH_P_IP, ETH_P_ARP */
#include <netinet/in.h>      /* IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP */
#include <netinet/tcp.h>     /* TH_FIN, TH_SYN, TH_RST, TH_PUSH, TH_ACK, TH_URG */

#define PEER_FRAME_MAX 1600 /* a 1500-byte MTU frame plus room for tests that overrun it */
#define PEER_CAPTURE_MAX 128

/* a.b.c.d in network byte order, on this little-endian host. */
#define PEER_IP4(a, b, c, d) \
	((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)

extern const uint8_t peer_mac_broadcast[6];

/* --- bytes and checksums --- */
void peer_put16(uint8_t *p, uint16_t v);
void peer_put32(uint8_t *p, uint32_t v);
uint16_t peer_get16(const uint8_t *p);
uint32_t peer_get32(const uint8_t *p);
/* The running 32-bit sum of big-endian 16-bit words; an odd last byte is padded with 0. */
uint32_t peer_csum_add(uint32_t sum, const void *data, size_t len);
/* Folds the carries and complements: the checksum to store (0 over data that checks). */
uint16_t peer_csum_fold(uint32_t sum);
/* The sum of the TCP/UDP pseudo-header (RFC 768, RFC 9293 3.1). */
uint32_t peer_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, size_t len);

/* --- headers and payloads --- */
size_t peer_eth_put(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint16_t type);
size_t peer_arp_put(uint8_t *a, uint16_t op, const uint8_t sha[6], uint32_t spa,
		    const uint8_t tha[6], uint32_t tpa);

struct peer_ip4 {
	uint32_t src, dst;
	uint8_t proto;
	uint8_t ttl;   /* 0: 64 */
	uint16_t id;
	uint16_t frag; /* the flags and fragment offset field as sent (0x4000: DF) */
};
size_t peer_ip4_put(uint8_t *ip, const struct peer_ip4 *h, size_t payload_len);

size_t peer_udp_put(uint8_t *u, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
		    const void *data, size_t len);
/* type 8: request, 0: reply. */
size_t peer_icmp_echo_put(uint8_t *m, uint8_t type, uint16_t id, uint16_t seq,
			  const void *data, size_t len);

struct peer_tcp {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;           /* TH_SYN | TH_ACK ... */
	uint16_t window;
	const uint8_t *options;  /* a multiple of 4 bytes, at most 40 */
	size_t options_len;
};
size_t peer_tcp_put(uint8_t *t, uint32_t src, uint32_t dst, const struct peer_tcp *h,
		    const void *data, size_t len);

/* --- whole frames from the peer to its guest --- */
struct peer {
	uint8_t mac[6];
	uint32_t ip;
	uint8_t guest_mac[6];
	uint32_t guest_ip;
};
/* An ARP request for the guest's address (broadcast) or a reply to the guest. */
size_t peer_arp_frame(const struct peer *p, uint8_t *f, uint16_t op);
/* Any IPv4 payload from the peer to the guest (id 0x1234, TTL 64). */
size_t peer_ip4_frame(const struct peer *p, uint8_t *f, uint8_t proto, const void *payload,
		      size_t len);
size_t peer_udp_frame(const struct peer *p, uint8_t *f, uint16_t sport, uint16_t dport,
		      const void *data, size_t len);
size_t peer_icmp_echo_frame(const struct peer *p, uint8_t *f, uint16_t id, uint16_t seq,
			    const void *data, size_t len);
size_t peer_tcp_frame(const struct peer *p, uint8_t *f, const struct peer_tcp *h,
		      const void *data, size_t len);

/* Whether the TCP, UDP or ICMP checksum of an IPv4 packet (ip, ip_len bytes) checks. */
bool peer_ip4_l4_csum_ok(const uint8_t *ip, size_t ip_len);

/* --- what the stack sends --- */
struct peer_capture {
	unsigned int n;                      /* frames sent, including those not kept */
	int result;                          /* what peer_capture_send returns (0, -ENOBUFS) */
	uint64_t (*clock)(void);             /* optional: stamps each frame */
	size_t len[PEER_CAPTURE_MAX];
	uint64_t when[PEER_CAPTURE_MAX];
	uint8_t frame[PEER_CAPTURE_MAX][PEER_FRAME_MAX];
};
/* struct net_link's send: ctx is the struct peer_capture. */
int peer_capture_send(void *ctx, const uint8_t *frame, size_t len);
void peer_capture_reset(struct peer_capture *c);
/* Frame i, or NULL when there is none or it was not kept. */
const uint8_t *peer_capture_frame(const struct peer_capture *c, unsigned int i, size_t *len);
/* The IPv4 packet in frame i if it carries proto (any proto when 0), else NULL. */
const uint8_t *peer_capture_ip4(const struct peer_capture *c, unsigned int i, uint8_t proto,
				size_t *ip_len);

#endif
