/*
 * Frames dissected the way tcpdump -n prints them (print-ether.c,
 * print-arp.c, print-ip.c, print-icmp.c, print-udp.c, print-tcp.c), to the
 * depth trace comparison needs (dissect.h).
 */
#include <stdbool.h>
#include <stdio.h>

#include "traces/dissect.h"
#include "traces/frame.h"

#define FIELDS_MAX 32

struct layout {
	struct trace_field f[FIELDS_MAX];
	size_t n;
	const char *rest;    /* what the bytes after the last field are */
	size_t rest_off;
};

static void add(struct layout *l, const char *name, size_t off, size_t len,
		enum trace_field_kind kind)
{
	if (l->n < FIELDS_MAX)
		l->f[l->n++] = (struct trace_field){ .name = name, .off = off, .len = len,
						     .kind = kind };
	l->rest_off = off + len;
}

static void layout_arp(struct layout *l)
{
	size_t a = ETH_HLEN;

	add(l, "arp.htype", a, 2, TRACE_FIELD_UINT);
	add(l, "arp.ptype", a + 2, 2, TRACE_FIELD_HEX);
	add(l, "arp.hlen", a + 4, 1, TRACE_FIELD_UINT);
	add(l, "arp.plen", a + 5, 1, TRACE_FIELD_UINT);
	add(l, "arp.op", a + 6, 2, TRACE_FIELD_UINT);
	add(l, "arp.sha", a + 8, 6, TRACE_FIELD_MAC);
	add(l, "arp.spa", a + 14, 4, TRACE_FIELD_IP4);
	add(l, "arp.tha", a + 18, 6, TRACE_FIELD_MAC);
	add(l, "arp.tpa", a + 24, 4, TRACE_FIELD_IP4);
	l->rest = "eth.padding";
}

static void layout_l4(struct layout *l, uint8_t proto, size_t t, const uint8_t *f, size_t len)
{
	if (proto == IPPROTO_UDP) {
		add(l, "udp.sport", t, 2, TRACE_FIELD_UINT);
		add(l, "udp.dport", t + 2, 2, TRACE_FIELD_UINT);
		add(l, "udp.len", t + 4, 2, TRACE_FIELD_UINT);
		add(l, "udp.sum", t + 6, 2, TRACE_FIELD_HEX);
		l->rest = "udp.payload";
	} else if (proto == IPPROTO_TCP) {
		add(l, "tcp.sport", t, 2, TRACE_FIELD_UINT);
		add(l, "tcp.dport", t + 2, 2, TRACE_FIELD_UINT);
		add(l, "tcp.seq", t + 4, 4, TRACE_FIELD_UINT);
		add(l, "tcp.ack", t + 8, 4, TRACE_FIELD_UINT);
		add(l, "tcp.doff", t + 12, 1, TRACE_FIELD_HEX);
		add(l, "tcp.flags", t + 13, 1, TRACE_FIELD_HEX);
		add(l, "tcp.win", t + 14, 2, TRACE_FIELD_UINT);
		add(l, "tcp.sum", t + 16, 2, TRACE_FIELD_HEX);
		add(l, "tcp.urp", t + 18, 2, TRACE_FIELD_UINT);
		l->rest = "tcp.payload";
		if (len > t + 12 && (f[t + 12] >> 4) * 4u > TRACE_TCP_HLEN) {
			l->rest = "tcp.options";
			l->rest_off = t + TRACE_TCP_HLEN;
		}
	} else if (proto == IPPROTO_ICMP) {
		add(l, "icmp.type", t, 1, TRACE_FIELD_UINT);
		add(l, "icmp.code", t + 1, 1, TRACE_FIELD_UINT);
		add(l, "icmp.sum", t + 2, 2, TRACE_FIELD_HEX);
		if (len > t && (f[t] == 0 || f[t] == 8)) {
			add(l, "icmp.id", t + 4, 2, TRACE_FIELD_UINT);
			add(l, "icmp.seq", t + 6, 2, TRACE_FIELD_UINT);
		} else {
			add(l, "icmp.rest", t + 4, 4, TRACE_FIELD_HEX);
		}
		l->rest = "icmp.payload";
	}
}

static void layout_ip4(struct layout *l, const uint8_t *f, size_t len)
{
	size_t ip = ETH_HLEN, ihl = (size_t)(f[ip] & 15) * 4;

	add(l, "ip.vhl", ip, 1, TRACE_FIELD_HEX);
	add(l, "ip.tos", ip + 1, 1, TRACE_FIELD_HEX);
	add(l, "ip.len", ip + 2, 2, TRACE_FIELD_UINT);
	add(l, "ip.id", ip + 4, 2, TRACE_FIELD_UINT);
	add(l, "ip.frag", ip + 6, 2, TRACE_FIELD_HEX);
	add(l, "ip.ttl", ip + 8, 1, TRACE_FIELD_UINT);
	add(l, "ip.proto", ip + 9, 1, TRACE_FIELD_UINT);
	add(l, "ip.sum", ip + 10, 2, TRACE_FIELD_HEX);
	add(l, "ip.src", ip + 12, 4, TRACE_FIELD_IP4);
	add(l, "ip.dst", ip + 16, 4, TRACE_FIELD_IP4);
	l->rest = "ip.payload";
	if (ihl < TRACE_IP4_HLEN || len < ip + ihl)
		return;
	if (ihl > TRACE_IP4_HLEN) {
		l->rest = "ip.options";
		return; /* the options' bytes, then the layers above, are not told apart */
	}
	if ((trace_get16(f + ip + 6) & 0x1fff) == 0)
		layout_l4(l, f[ip + 9], ip + ihl, f, len);
}

static void layout_frame(const uint8_t *f, size_t len, struct layout *l)
{
	l->n = 0;
	l->rest = "frame";
	l->rest_off = 0;
	if (len < ETH_HLEN)
		return;
	add(l, "eth.dst", 0, 6, TRACE_FIELD_MAC);
	add(l, "eth.src", 6, 6, TRACE_FIELD_MAC);
	add(l, "eth.type", 12, 2, TRACE_FIELD_HEX);
	l->rest = "eth.payload";
	uint16_t type = trace_get16(f + 12);
	if (type == ETH_P_ARP && len >= ETH_HLEN + 8)
		layout_arp(l);
	else if (type == ETH_P_IP && len > ETH_HLEN && f[ETH_HLEN] >> 4 == 4)
		layout_ip4(l, f, len);
}

void trace_dissect_field(const uint8_t *frame, size_t len, size_t off, struct trace_field *out)
{
	struct layout l;

	layout_frame(frame, len, &l);
	for (size_t i = 0; i < l.n; i++) {
		if (off >= l.f[i].off && off < l.f[i].off + l.f[i].len) {
			*out = l.f[i];
			/* A field cut by the end of the frame is compared bytewise. */
			if (out->off + out->len > len) {
				out->kind = TRACE_FIELD_BYTE;
				out->index = off - out->off;
				out->off = off;
				out->len = 1;
			}
			return;
		}
	}
	*out = (struct trace_field){ .name = l.rest, .off = off, .len = 1,
				     .kind = TRACE_FIELD_BYTE,
				     .index = off >= l.rest_off ? off - l.rest_off : off };
}

void trace_field_format(const struct trace_field *fld, const uint8_t *frame, char *buf,
			size_t size)
{
	const uint8_t *p = frame + fld->off;
	uint32_t v = 0;

	for (size_t i = 0; i < fld->len && i < 4; i++)
		v = v << 8 | p[i];
	switch (fld->kind) {
	case TRACE_FIELD_UINT:
		snprintf(buf, size, "%u", v);
		break;
	case TRACE_FIELD_HEX:
		snprintf(buf, size, "0x%0*x", (int)(2 * fld->len), v);
		break;
	case TRACE_FIELD_MAC:
		snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", p[0], p[1], p[2], p[3], p[4],
			 p[5]);
		break;
	case TRACE_FIELD_IP4:
		snprintf(buf, size, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
		break;
	case TRACE_FIELD_BYTE:
		if (p[0] >= 0x20 && p[0] < 0x7f && p[0] != '\'')
			snprintf(buf, size, "0x%02x '%c'", p[0], p[0]);
		else
			snprintf(buf, size, "0x%02x", p[0]);
		break;
	}
}

/* --- one line per frame --- */

static void line_arp(const uint8_t *f, size_t len, char *buf, size_t size)
{
	const uint8_t *a = f + ETH_HLEN;

	if (len < ETH_HLEN + TRACE_ARP_LEN) {
		snprintf(buf, size, "ARP, truncated, length %zu", len - ETH_HLEN);
		return;
	}
	uint16_t op = trace_get16(a + 6);
	if (op == 1)
		snprintf(buf, size, "ARP, Request who-has %u.%u.%u.%u tell %u.%u.%u.%u, length %zu",
			 a[24], a[25], a[26], a[27], a[14], a[15], a[16], a[17], len - ETH_HLEN);
	else if (op == 2)
		snprintf(buf, size, "ARP, Reply %u.%u.%u.%u is-at "
			 "%02x:%02x:%02x:%02x:%02x:%02x, length %zu", a[14], a[15], a[16], a[17],
			 a[8], a[9], a[10], a[11], a[12], a[13], len - ETH_HLEN);
	else
		snprintf(buf, size, "ARP, op %u, length %zu", op, len - ETH_HLEN);
}

static void tcp_flags(uint8_t fl, char *out)
{
	static const struct { uint8_t bit; char c; } names[] = {
		{ 0x01, 'F' }, { 0x02, 'S' }, { 0x04, 'R' }, { 0x08, 'P' }, { 0x20, 'U' },
		{ 0x40, 'E' }, { 0x80, 'W' }, { 0x10, '.' },
	};
	size_t n = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (fl & names[i].bit)
			out[n++] = names[i].c;
	if (!n)
		out[n++] = 'n', out[n++] = 'o', out[n++] = 'n', out[n++] = 'e';
	out[n] = 0;
}

static void line_l4(const uint8_t *ip, size_t ihl, size_t avail, const char *src,
		    const char *dst, char *buf, size_t size)
{
	const uint8_t *t = ip + ihl;
	size_t tl = avail - ihl, iplen = trace_get16(ip + 2);
	size_t paylen = iplen > ihl ? iplen - ihl : 0;
	char flags[12];

	if (ip[9] == IPPROTO_UDP && tl >= TRACE_UDP_HLEN) {
		uint16_t ul = trace_get16(t + 4);
		snprintf(buf, size, "IP %s.%u > %s.%u: UDP, length %u", src, trace_get16(t), dst,
			 trace_get16(t + 2), ul >= TRACE_UDP_HLEN ? ul - TRACE_UDP_HLEN : 0);
	} else if (ip[9] == IPPROTO_TCP && tl >= TRACE_TCP_HLEN) {
		size_t doff = (size_t)(t[12] >> 4) * 4;
		tcp_flags(t[13], flags);
		snprintf(buf, size, "IP %s.%u > %s.%u: Flags [%s], seq %u, ack %u, win %u, "
			 "length %zu", src, trace_get16(t), dst, trace_get16(t + 2), flags,
			 trace_get32(t + 4), trace_get32(t + 8), trace_get16(t + 14),
			 paylen > doff ? paylen - doff : 0);
	} else if (ip[9] == IPPROTO_ICMP && tl >= TRACE_ICMP_HLEN && (t[0] == 0 || t[0] == 8)) {
		snprintf(buf, size, "IP %s > %s: ICMP echo %s, id %u, seq %u, length %zu", src,
			 dst, t[0] ? "request" : "reply", trace_get16(t + 4), trace_get16(t + 6),
			 paylen);
	} else if (ip[9] == IPPROTO_ICMP && tl >= TRACE_ICMP_HLEN) {
		snprintf(buf, size, "IP %s > %s: ICMP type %u code %u, length %zu", src, dst, t[0],
			 t[1], paylen);
	} else {
		snprintf(buf, size, "IP %s > %s: ip-proto-%u %zu", src, dst, ip[9], paylen);
	}
}

static void line_ip4(const uint8_t *f, size_t len, char *buf, size_t size)
{
	const uint8_t *ip = f + ETH_HLEN;
	size_t avail = len - ETH_HLEN, ihl;
	char src[16], dst[16];

	if (avail < TRACE_IP4_HLEN || (ihl = (size_t)(ip[0] & 15) * 4) < TRACE_IP4_HLEN ||
	    ihl > avail) {
		snprintf(buf, size, "IP truncated-ip, length %zu", avail);
		return;
	}
	snprintf(src, sizeof(src), "%u.%u.%u.%u", ip[12], ip[13], ip[14], ip[15]);
	snprintf(dst, sizeof(dst), "%u.%u.%u.%u", ip[16], ip[17], ip[18], ip[19]);
	if (trace_get16(ip + 6) & 0x1fff)
		snprintf(buf, size, "IP %s > %s: ip-proto-%u (frag %u)", src, dst, ip[9],
			 (trace_get16(ip + 6) & 0x1fff) * 8u);
	else
		line_l4(ip, ihl, avail, src, dst, buf, size);
}

void trace_dissect_line(const uint8_t *f, size_t len, char *buf, size_t size)
{
	if (len < ETH_HLEN) {
		snprintf(buf, size, "[|ether], length %zu", len);
		return;
	}
	uint16_t type = trace_get16(f + 12);
	if (type == ETH_P_ARP)
		line_arp(f, len, buf, size);
	else if (type == ETH_P_IP)
		line_ip4(f, len, buf, size);
	else if (type == ETH_P_IPV6)
		snprintf(buf, size, "IP6, length %zu", len - ETH_HLEN);
	else
		snprintf(buf, size, "ethertype 0x%04x, length %zu", type, len);
}

int trace_dissect_flow(const uint8_t *f, size_t len, struct trace_flow_key *k)
{
	const uint8_t *ip = f + ETH_HLEN;
	size_t ihl;

	if (len < ETH_HLEN + TRACE_IP4_HLEN || trace_get16(f + 12) != ETH_P_IP ||
	    ip[0] >> 4 != 4 || (ihl = (size_t)(ip[0] & 15) * 4) < TRACE_IP4_HLEN)
		return 0;
	*k = (struct trace_flow_key){ .src = trace_addr_get(ip + 12),
				      .dst = trace_addr_get(ip + 16), .proto = ip[9] };
	bool ports = (ip[9] == IPPROTO_TCP || ip[9] == IPPROTO_UDP) &&
		     (trace_get16(ip + 6) & 0x1fff) == 0 && len >= ETH_HLEN + ihl + 4;
	if (ports) {
		k->sport = trace_get16(ip + ihl);
		k->dport = trace_get16(ip + ihl + 2);
	}
	return 1;
}
