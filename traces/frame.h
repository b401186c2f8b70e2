/*
 * What the trace modules share to read Ethernet/IPv4 frames: big-endian
 * fields, offsets, and the ones' complement checksum (RFC 1071) with its
 * incremental update (RFC 1624). Host code; internal to traces/.
 */
#ifndef TRACES_FRAME_H
#define TRACES_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <linux/if_ether.h> /* ETH_HLEN, ETH_ALEN, ETH_P_IP, ETH_P_ARP, ETH_P_IPV6 */
#include <netinet/in.h>      /* IPPROTO_* */

#define TRACE_IP4_HLEN 20   /* without options */
#define TRACE_ARP_LEN 28    /* IPv4 over Ethernet */
#define TRACE_UDP_HLEN 8
#define TRACE_TCP_HLEN 20
#define TRACE_ICMP_HLEN 8

static inline uint16_t trace_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t trace_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void trace_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void trace_put32(uint8_t *p, uint32_t v)
{
	trace_put16(p, (uint16_t)(v >> 16));
	trace_put16(p + 2, (uint16_t)v);
}

/* An address in network byte order read from / written to a frame. */
static inline uint32_t trace_addr_get(const uint8_t *p)
{
	uint32_t a;

	memcpy(&a, p, 4);
	return a;
}

static inline uint16_t trace_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * sum plus the RFC 1071 sum of p[0..len) as 16-bit big-endian words (an
 * odd last byte padded with 0), not folded. Eight bytes at a time in the
 * host's order, folded and put in network order at the end (the sum does
 * not depend on byte order, RFC 1071 2.(B)), as Linux's do_csum does.
 */
static inline uint32_t trace_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	uint64_t acc = 0;
	uint32_t folded;

	/* At most 2^33 a step: a 64 KiB frame cannot overflow acc. */
	for (; len >= 8; p += 8, len -= 8) {
		uint64_t w;
		memcpy(&w, p, sizeof(w));
		acc += (w & 0xffffffffu) + (w >> 32);
	}
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	folded = (uint32_t)acc;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	folded = (folded >> 8 | folded << 8) & 0xffff;
#endif
	sum += folded;
	for (; len > 1; p += 2, len -= 2)
		sum += trace_get16(p);
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

/* The checksum of p[0..n) (an odd last byte padded with 0). */
static inline uint16_t trace_csum(const uint8_t *p, size_t n)
{
	return trace_csum_fold(trace_csum_add(0, p, n));
}

/*
 * The checksum hc after the n bytes (n even) at old became those at new:
 * HC' = ~(~HC + ~m + m') (RFC 1624, eqn. 3), as Linux's csum_replace4.
 */
static inline uint16_t trace_csum_adjust(uint16_t hc, const uint8_t *old, const uint8_t *new,
					 size_t n)
{
	uint32_t sum = (uint16_t)~hc;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint16_t)~trace_get16(old + i) + (uint32_t)trace_get16(new + i);
	return trace_csum_fold(sum);
}

#endif
