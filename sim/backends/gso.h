/*
 * Software offloads for the simulator's vif backends: what a NIC or
 * Linux's skb_gso_segment / skb_checksum_help do for a frame the guest
 * handed over with NETTXF_csum_blank and a XEN_NETIF_EXTRA_TYPE_GSO extra
 * (netback.c), for backends that need frames as they go on a wire (user,
 * pcap, null, the capture file).
 *
 * Frames are Ethernet II + IPv4 (no options needed, any allowed) + TCP or
 * UDP. Every length and offset is checked against the frame: a frame that
 * is not what it claims to be gets -EINVAL, never a read past its end.
 */
#ifndef SIM_BACKENDS_GSO_H
#define SIM_BACKENDS_GSO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest frame a guest can hand over as one: a 64 KiB IP datagram + Ethernet header. */
#define GSO_MAX_FRAME (14 + 65535)
/*
 * Largest segment gso_segment builds: Ethernet, IPv4 and TCP headers with
 * options, and an MSS within the largest MTU a vif takes (4082).
 */
#define GSO_MAX_SEGMENT (14 + 60 + 60 + 4082)

/*
 * Fills the TCP or UDP checksum of an IPv4 frame in place (whatever the
 * field held: a blank, or the pseudo-header sum Linux leaves there), as
 * skb_checksum_help does for CHECKSUM_PARTIAL. -EINVAL when the frame is
 * not IPv4 TCP/UDP or is truncated.
 */
int gso_csum_fill(uint8_t *frame, size_t len);

/*
 * Fills a checksum whatever the protocol, as skb_checksum_help does from a
 * virtio-net header's csum_start and csum_offset: the ones' complement sum
 * of [start, len), the field already holding the pseudo-header sum, stored
 * at start + offset (0 sent as 0xffff). -EINVAL when they lie outside len.
 */
int gso_csum_at(uint8_t *frame, size_t len, size_t start, size_t offset);

/* True for an untruncated TCP or UDP over IPv4 frame, not a fragment (gso_csum_fill's kind). */
bool gso_is_l4_ip4(const uint8_t *frame, size_t len);

/* Receives each segment; the data is valid only during the call. */
typedef void (*gso_emit_fn)(void *arg, const uint8_t *frame, size_t len);

/*
 * Cuts a TCP/IPv4 frame into segments of at most mss payload bytes, each
 * with its own IPv4 total length, identification (the first's + i),
 * header checksum, sequence number and TCP checksum; FIN and PSH only on
 * the last segment, CWR only on the first (Linux's tcp_gso_segment). A
 * frame whose payload fits one segment is emitted once, checksummed.
 * Returns the number of segments, or -EINVAL (mss 0, not TCP/IPv4,
 * truncated, over GSO_MAX_FRAME) or -EMSGSIZE (a segment over
 * GSO_MAX_SEGMENT, which no vif's MTU allows, but a host TAP's gso_size
 * may ask for) before any is emitted.
 */
int gso_segment(const uint8_t *frame, size_t len, uint16_t mss, gso_emit_fn emit, void *arg);

/*
 * Where a TCP/IPv4 frame's TCP header starts and where its payload does,
 * checked as gso_segment checks them: 0, or -EINVAL when the frame is not
 * TCP over IPv4 or is truncated. For the virtio-net header of a GSO frame
 * (csum_start, hdr_len).
 */
int gso_tcp_offsets(const uint8_t *frame, size_t len, size_t *l4, size_t *payload);

#endif
