/*
 * Software segmentation and checksums for TCP/IPv4 frames (gso.h): what
 * Linux's tcp_gso_segment (net/ipv4/tcp_offload.c) and skb_checksum_help
 * do, for a frame that arrives whole with a blank checksum.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "sim/backends/gso.h"
#include "traces/frame.h" /* trace_csum_add, trace_csum_fold */

#define ETH_HDR 14
#define ETH_P_IP4 0x0800
#define IP_PROTO_TCP 6
#define IP_PROTO_UDP 17
#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80

/* Where the headers of an IPv4 TCP/UDP frame lie, checked once. */
struct gso_frame {
	size_t ip;      /* offset of the IPv4 header */
	size_t l4;      /* offset of the TCP/UDP header */
	size_t l4_hlen; /* TCP header with options; 8 for UDP */
	size_t end;     /* the IP datagram's end (total length), <= the frame */
	uint8_t proto;
};

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* Checks the Ethernet, IPv4 and TCP/UDP headers against len. */
static int frame_parse(const uint8_t *f, size_t len, struct gso_frame *g)
{
	size_t ihl, total;

	if (len < ETH_HDR + 20 || get16(f + 12) != ETH_P_IP4 || (f[ETH_HDR] >> 4) != 4)
		return -EINVAL;
	ihl = (size_t)(f[ETH_HDR] & 0x0f) * 4;
	total = get16(f + ETH_HDR + 2);
	if (ihl < 20 || total < ihl || ETH_HDR + total > len)
		return -EINVAL;
	/* A fragment has no L4 header of its own to fill. */
	if (get16(f + ETH_HDR + 6) & 0x3fff)
		return -EINVAL;
	g->ip = ETH_HDR;
	g->l4 = ETH_HDR + ihl;
	g->end = ETH_HDR + total;
	g->proto = f[ETH_HDR + 9];
	if (g->proto == IP_PROTO_UDP) {
		g->l4_hlen = 8;
	} else if (g->proto == IP_PROTO_TCP) {
		if (g->end < g->l4 + 20)
			return -EINVAL;
		g->l4_hlen = (size_t)(f[g->l4 + 12] >> 4) * 4;
	} else {
		return -EINVAL;
	}
	return g->l4_hlen >= 8 && g->l4 + g->l4_hlen <= g->end ? 0 : -EINVAL;
}

/* The TCP/UDP checksum of the datagram [ip, end) with the pseudo-header. */
static void l4_csum(uint8_t *f, const struct gso_frame *g)
{
	size_t l4len = g->end - g->l4;
	size_t field = g->l4 + (g->proto == IP_PROTO_TCP ? 16 : 6);
	uint32_t sum = 0;
	uint16_t c;

	put16(f + field, 0);
	sum = trace_csum_add(sum, f + g->ip + 12, 8); /* source and destination */
	sum += g->proto + (uint32_t)l4len;
	c = trace_csum_fold(trace_csum_add(sum, f + g->l4, l4len));
	/* UDP: 0 means "no checksum"; an all-ones sum is sent as 0xffff (RFC 768). */
	put16(f + field, (g->proto == IP_PROTO_UDP && c == 0) ? 0xffff : c);
}

static void ip_csum(uint8_t *f, const struct gso_frame *g)
{
	put16(f + g->ip + 10, 0);
	put16(f + g->ip + 10, trace_csum_fold(trace_csum_add(0, f + g->ip, g->l4 - g->ip)));
}

int gso_tcp_offsets(const uint8_t *frame, size_t len, size_t *l4, size_t *payload)
{
	struct gso_frame g;

	if (len > GSO_MAX_FRAME || frame_parse(frame, len, &g) < 0 || g.proto != IP_PROTO_TCP)
		return -EINVAL;
	*l4 = g.l4;
	*payload = g.l4 + g.l4_hlen;
	return 0;
}

int gso_csum_at(uint8_t *frame, size_t len, size_t start, size_t offset)
{
	uint16_t c;

	if (start > len || offset > len - start || len - start - offset < 2)
		return -EINVAL;
	c = trace_csum_fold(trace_csum_add(0, frame + start, len - start));
	put16(frame + start + offset, c ? c : 0xffff); /* skb_checksum_help's CSUM_MANGLED_0 */
	return 0;
}

bool gso_is_l4_ip4(const uint8_t *frame, size_t len)
{
	struct gso_frame g;

	return len <= GSO_MAX_FRAME && frame_parse(frame, len, &g) == 0;
}

int gso_csum_fill(uint8_t *frame, size_t len)
{
	struct gso_frame g;

	if (frame_parse(frame, len, &g) < 0)
		return -EINVAL;
	l4_csum(frame, &g);
	return 0;
}

/* Segment i of n: headers from the original, payload [off, off + n). */
static size_t segment_build(uint8_t *seg, const uint8_t *f, const struct gso_frame *g,
			    size_t off, size_t n, unsigned int i, bool last)
{
	size_t hdr = g->l4 + g->l4_hlen, total = hdr - g->ip + n;
	struct gso_frame sg = *g;
	uint8_t flags = f[g->l4 + 13];

	memcpy(seg, f, hdr);
	memcpy(seg + hdr, f + hdr + off, n);
	put16(seg + g->ip + 2, (uint16_t)total);
	put16(seg + g->ip + 4, (uint16_t)(get16(f + g->ip + 4) + i));
	put32(seg + g->l4 + 4, get32(f + g->l4 + 4) + (uint32_t)off);
	if (!last)
		flags &= (uint8_t)~(TCP_FIN | TCP_PSH);
	if (i > 0)
		flags &= (uint8_t)~TCP_CWR;
	seg[g->l4 + 13] = flags;
	sg.end = g->ip + total;
	ip_csum(seg, &sg);
	l4_csum(seg, &sg);
	return sg.end;
}

int gso_segment(const uint8_t *frame, size_t len, uint16_t mss, gso_emit_fn emit, void *arg)
{
	struct gso_frame g;
	size_t payload, hdr, off = 0;
	unsigned int i = 0;
	/* On the stack: a segment has no reason to fail for memory halfway through a frame. */
	uint8_t seg[GSO_MAX_SEGMENT];

	if (mss == 0 || len > GSO_MAX_FRAME || frame_parse(frame, len, &g) < 0 ||
	    g.proto != IP_PROTO_TCP)
		return -EINVAL;
	hdr = g.l4 + g.l4_hlen;
	payload = g.end - hdr;
	if (hdr + (payload < mss ? payload : mss) > sizeof(seg))
		return -EMSGSIZE;
	do {
		size_t n = payload - off < mss ? payload - off : mss;
		size_t slen = segment_build(seg, frame, &g, off, n, i, off + n == payload);

		emit(arg, seg, slen);
		off += n;
		i++;
	} while (off < payload);
	return (int)i;
}
