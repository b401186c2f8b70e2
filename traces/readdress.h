/*
 * Readdressing recorded frames, so that a guest can stand in for a host of a
 * recording (pcap=FILE,as=IP: sim/backends/vif_pcap.c) and so that two
 * captures made at different addresses can be compared (trace_diff's
 * address map). Host code without libpcap; frames are Ethernet.
 *
 * IPv4 addresses are uint32_t in network byte order. Every checksum a
 * rewrite touches is adjusted incrementally (RFC 1624), so a checksum that
 * was wrong in the recording stays wrong, a frame captured short is
 * rewritten in the bytes it has, and a UDP checksum of 0 (none) stays 0.
 * Only fields inside len are read or written.
 */
#ifndef TRACES_READDRESS_H
#define TRACES_READDRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACE_ETH_ALEN 6
#define TRACE_ARP_FRAME_LEN 42 /* Ethernet header + ARP for IPv4 over Ethernet */

/*
 * Replaces the IPv4 address from by to wherever it stands in frame: the
 * IPv4 source and destination (header checksum fixed; the TCP or UDP
 * checksum of a first fragment fixed for its pseudo-header; the header an
 * ICMP error quotes, with its checksum and the ICMP checksum) and ARP's
 * sender and target protocol addresses. Returns how many addresses changed.
 */
unsigned int trace_ip4_replace(uint8_t *frame, size_t len, uint32_t from, uint32_t to);

/*
 * Readdresses frame to one interface so that a stack reads it past its
 * address checks (fuzzer seeds, tests/robustness/net_corpus): the
 * destination MAC becomes mac; ARP's target protocol address and IPv4's
 * destination become ip (header checksum fixed, a UDP checksum cleared, as
 * the frame may not have checked before). Frames shorter than 14 bytes are
 * left alone.
 */
void trace_readdress_to(uint8_t *frame, size_t len, const uint8_t mac[TRACE_ETH_ALEN],
			const uint8_t ip[4]);

/*
 * A replay's readdresser: the guest (guest_mac, and the address learned from
 * its first frame) stands in for the recorded host as_ip.
 */
struct trace_readdress;

enum trace_readdress_verdict {
	TRACE_READDRESS_FEED,   /* to the recorded host: rewritten for the guest */
	TRACE_READDRESS_OWN,    /* from the recorded host: the guest's part, not fed */
	TRACE_READDRESS_DROP,   /* neither: a host the recording does not concern */
};

struct trace_readdress_stats {
	uint64_t fed, own, dropped; /* frames of the trace, by verdict */
	uint64_t arp_answered;      /* the guest's ARP requests answered */
	uint64_t arp_unanswered;    /* for an address no frame has come from yet */
};

/* Returns 0 or -ENOMEM. */
int trace_readdress_create(uint32_t as_ip, const uint8_t guest_mac[TRACE_ETH_ALEN],
			   struct trace_readdress **out);
/* NULL is allowed. */
void trace_readdress_destroy(struct trace_readdress *rd);
/* The guest's address: given, or learned by trace_readdress_from_guest. */
void trace_readdress_set_guest_ip(struct trace_readdress *rd, uint32_t ip);
/* True once the guest's address is known: frames can be rewritten to it. */
bool trace_readdress_guest_known(const struct trace_readdress *rd);
/* The guest's address (network byte order), 0 while not known. */
uint32_t trace_readdress_guest_ip(const struct trace_readdress *rd);
/* What trace_readdress_from_trace will make of frame, without learning or counting. */
enum trace_readdress_verdict trace_readdress_classify(const struct trace_readdress *rd,
						      const uint8_t *frame, size_t len);
/*
 * A frame of the recording, next in order (the guest's address must be
 * known): learns the MAC of the host it comes from when it concerns the
 * recorded host, and, when the verdict is FEED, rewrites it in place for
 * the guest (destination MAC unless a group address, the recorded host's
 * address replaced by the guest's, checksums fixed).
 */
enum trace_readdress_verdict trace_readdress_from_trace(struct trace_readdress *rd,
							uint8_t *frame, size_t len);
/*
 * A frame from the guest: learns the guest's address (from its ARP sender or
 * IPv4 source address, when not 0.0.0.0); when it is an ARP request for
 * another host, writes the answer, playing that host of the recording, into
 * reply (TRACE_ARP_FRAME_LEN bytes) and returns true. A host the recording
 * has not shown yet is answered with the MAC of the last host a frame was
 * fed from (the guest's gateway, for a recording's off-link peers).
 */
bool trace_readdress_from_guest(struct trace_readdress *rd, const uint8_t *frame, size_t len,
				uint8_t reply[TRACE_ARP_FRAME_LEN]);
/*
 * A frame of the recording that is not fed (the TCP replay plays it): the
 * MAC of the host it comes from is learned when it is for the recorded
 * host, as trace_readdress_from_trace does; nothing is counted. rd may be
 * NULL.
 */
void trace_readdress_learn(struct trace_readdress *rd, const uint8_t *frame, size_t len);
const struct trace_readdress_stats *trace_readdress_stats(const struct trace_readdress *rd);
/* Parses a dotted-quad IPv4 address into *ip (network byte order); 0 or -EINVAL. */
int trace_ip4_parse(const char *s, uint32_t *ip);
/* Formats ip as a dotted quad into buf (at least 16 bytes); returns buf. */
char *trace_ip4_format(uint32_t ip, char *buf);

#endif
