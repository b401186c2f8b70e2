/*
 * Readdressing recorded frames (readdress.h). The replay side plays, for
 * the guest, every host the recorded host talked to: what they sent it is
 * rewritten to the guest, what the recorded host sent is the guest's own
 * part, and their MACs (learned from their frames) answer the guest's ARP
 * requests, as Linux's arp_process answers for a neighbour it knows.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "traces/frame.h"
#include "traces/keytab.h"
#include "traces/readdress.h"

#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2

struct trace_readdress {
	uint32_t as_ip, guest_ip;
	uint8_t guest_mac[TRACE_ETH_ALEN];
	uint8_t last_peer_mac[TRACE_ETH_ALEN];
	bool guest_known, have_last_peer;
	struct trace_keytab hosts; /* the recording's other hosts: their MACs */
	struct trace_readdress_stats stats;
};

/* The ARP header of an IPv4-over-Ethernet frame, or NULL. */
static uint8_t *arp_header(uint8_t *f, size_t len)
{
	uint8_t *a = f + ETH_HLEN;

	if (len < ETH_HLEN + TRACE_ARP_LEN || trace_get16(f + 12) != ETH_P_ARP)
		return NULL;
	if (trace_get16(a) != 1 || trace_get16(a + 2) != ETH_P_IP || a[4] != ETH_ALEN || a[5] != 4)
		return NULL;
	return a;
}

/* The IPv4 header of a frame with its header length in *ihl, or NULL. */
static uint8_t *ip4_header(uint8_t *f, size_t len, size_t *ihl)
{
	uint8_t *ip = f + ETH_HLEN;

	if (len < ETH_HLEN + TRACE_IP4_HLEN || trace_get16(f + 12) != ETH_P_IP || ip[0] >> 4 != 4)
		return NULL;
	*ihl = (size_t)(ip[0] & 15) * 4;
	if (*ihl < TRACE_IP4_HLEN || *ihl > len - ETH_HLEN)
		return NULL;
	return ip;
}

/* Writes to over the address at p if it is from; adjusts each of the nr checksums. */
static unsigned int replace_addr(uint8_t *p, uint32_t from, uint32_t to, uint8_t **sums,
				 unsigned int nr)
{
	uint8_t old[4];

	if (trace_addr_get(p) != from)
		return 0;
	memcpy(old, p, 4);
	memcpy(p, &to, 4);
	for (unsigned int i = 0; i < nr; i++)
		if (sums[i])
			trace_put16(sums[i], trace_csum_adjust(trace_get16(sums[i]), old, p, 4));
	return 1;
}

/* The header an ICMP error quotes (RFC 792): its addresses, its checksum and the ICMP one. */
static unsigned int replace_icmp_quote(uint8_t *icmp, size_t avail, uint32_t from, uint32_t to)
{
	uint8_t type = icmp[0], *q = icmp + TRACE_ICMP_HLEN, old[2], fromb[4], tob[4];
	unsigned int n = 0;

	if ((type != 3 && type != 4 && type != 5 && type != 11 && type != 12) ||
	    avail < TRACE_ICMP_HLEN + TRACE_IP4_HLEN || q[0] >> 4 != 4)
		return 0;
	memcpy(old, q + 10, 2);
	for (size_t off = 12; off <= 16; off += 4) {
		uint8_t *sums[] = { q + 10 };
		n += replace_addr(q + off, from, to, sums, 1);
	}
	if (!n)
		return 0;
	/* The ICMP checksum covers the quoted addresses and the quoted checksum. */
	memcpy(fromb, &from, 4);
	memcpy(tob, &to, 4);
	uint16_t c = trace_get16(icmp + 2);
	for (unsigned int i = 0; i < n; i++)
		c = trace_csum_adjust(c, fromb, tob, 4);
	trace_put16(icmp + 2, trace_csum_adjust(c, old, q + 10, 2));
	return n;
}

static unsigned int replace_ip4(uint8_t *ip, size_t ihl, size_t avail, uint32_t from,
				uint32_t to)
{
	uint8_t *l4 = ip + ihl, *sums[2] = { ip + 10, NULL };
	size_t l4avail = avail - ihl;
	unsigned int n = 0;
	bool first_fragment = (trace_get16(ip + 6) & 0x1fff) == 0;

	/* A pseudo-header checksum lives in the first fragment only (RFC 768, RFC 9293). */
	if (first_fragment && ip[9] == IPPROTO_TCP && l4avail >= 18)
		sums[1] = l4 + 16;
	if (first_fragment && ip[9] == IPPROTO_UDP && l4avail >= TRACE_UDP_HLEN &&
	    trace_get16(l4 + 6) != 0)
		sums[1] = l4 + 6;
	n += replace_addr(ip + 12, from, to, sums, 2);
	n += replace_addr(ip + 16, from, to, sums, 2);
	/* 0 is "no checksum" in UDP: a computed 0 is sent as 0xffff (RFC 768). */
	if (sums[1] == l4 + 6 && trace_get16(l4 + 6) == 0)
		trace_put16(l4 + 6, 0xffff);
	if (first_fragment && ip[9] == IPPROTO_ICMP && l4avail >= TRACE_ICMP_HLEN)
		n += replace_icmp_quote(l4, l4avail, from, to);
	return n;
}

unsigned int trace_ip4_replace(uint8_t *f, size_t len, uint32_t from, uint32_t to)
{
	uint8_t *a, *ip;
	size_t ihl;

	if (from == to)
		return 0;
	if ((a = arp_header(f, len)))
		return replace_addr(a + 14, from, to, NULL, 0) +
		       replace_addr(a + 24, from, to, NULL, 0);
	if ((ip = ip4_header(f, len, &ihl)))
		return replace_ip4(ip, ihl, len - ETH_HLEN, from, to);
	return 0;
}

void trace_readdress_to(uint8_t *f, size_t len, const uint8_t mac[TRACE_ETH_ALEN],
			const uint8_t ip[4])
{
	uint8_t *a, *h;
	size_t ihl;

	if (len < ETH_HLEN)
		return;
	memcpy(f, mac, TRACE_ETH_ALEN);
	if ((a = arp_header(f, len))) {
		memcpy(a + 24, ip, 4);
	} else if ((h = ip4_header(f, len, &ihl))) {
		memcpy(h + 16, ip, 4);
		trace_put16(h + 10, 0);
		trace_put16(h + 10, trace_csum(h, ihl));
		if (h[9] == IPPROTO_UDP && len >= ETH_HLEN + ihl + TRACE_UDP_HLEN)
			trace_put16(h + ihl + 6, 0);
	}
}

/* --- the hosts of the recording, by address: keytab values hold their MACs --- */

static void host_key(uint32_t ip, uint8_t key[TRACE_KEY_LEN])
{
	memset(key, 0, TRACE_KEY_LEN);
	memcpy(key, &ip, 4);
}

/* The MAC known for ip into mac; false when none. */
static bool host_find(const struct trace_readdress *rd, uint32_t ip, uint8_t *mac)
{
	uint8_t key[TRACE_KEY_LEN];
	const struct trace_keytab_entry *e;

	host_key(ip, key);
	if (!(e = trace_keytab_find(&rd->hosts, key)))
		return false;
	for (int i = 0; i < TRACE_ETH_ALEN; i++)
		mac[i] = (uint8_t)(e->value >> (8 * (TRACE_ETH_ALEN - 1 - i)));
	return true;
}

/* Remembers (or updates) a host's MAC; out of memory, the host is just not answered for. */
static void host_learn(struct trace_readdress *rd, uint32_t ip, const uint8_t *mac)
{
	uint8_t key[TRACE_KEY_LEN];
	struct trace_keytab_entry *e;
	int added;

	if (!ip || ip == rd->as_ip || (mac[0] & 1))
		return;
	host_key(ip, key);
	if (!(e = trace_keytab_get(&rd->hosts, key, &added)))
		return;
	e->value = 0;
	for (int i = 0; i < TRACE_ETH_ALEN; i++)
		e->value = e->value << 8 | mac[i];
}

int trace_readdress_create(uint32_t as_ip, const uint8_t guest_mac[TRACE_ETH_ALEN],
			   struct trace_readdress **out)
{
	struct trace_readdress *rd = calloc(1, sizeof(*rd));

	if (!rd || trace_keytab_init(&rd->hosts) < 0) {
		free(rd);
		return -ENOMEM;
	}
	rd->as_ip = as_ip;
	memcpy(rd->guest_mac, guest_mac, TRACE_ETH_ALEN);
	*out = rd;
	return 0;
}

void trace_readdress_destroy(struct trace_readdress *rd)
{
	if (!rd)
		return;
	trace_keytab_free(&rd->hosts);
	free(rd);
}

void trace_readdress_set_guest_ip(struct trace_readdress *rd, uint32_t ip)
{
	rd->guest_ip = ip;
	rd->guest_known = true;
}

bool trace_readdress_guest_known(const struct trace_readdress *rd)
{
	return rd->guest_known;
}

uint32_t trace_readdress_guest_ip(const struct trace_readdress *rd)
{
	return rd->guest_known ? rd->guest_ip : 0;
}

const struct trace_readdress_stats *trace_readdress_stats(const struct trace_readdress *rd)
{
	return &rd->stats;
}

/* The frame is for the recorded host: the guest's MAC, its address, the sender learned. */
static enum trace_readdress_verdict readdress_feed(struct trace_readdress *rd, uint8_t *f,
						   size_t len, uint32_t sender)
{
	host_learn(rd, sender, f + TRACE_ETH_ALEN);
	if (!(f[TRACE_ETH_ALEN] & 1)) {
		memcpy(rd->last_peer_mac, f + TRACE_ETH_ALEN, TRACE_ETH_ALEN);
		rd->have_last_peer = true;
	}
	if (!(f[0] & 1))
		memcpy(f, rd->guest_mac, TRACE_ETH_ALEN);
	trace_ip4_replace(f, len, rd->as_ip, rd->guest_ip);
	rd->stats.fed++;
	return TRACE_READDRESS_FEED;
}

static enum trace_readdress_verdict readdress_arp(struct trace_readdress *rd, uint8_t *f,
						  size_t len, uint8_t *a)
{
	uint32_t spa = trace_addr_get(a + 14), tpa = trace_addr_get(a + 24);

	if (spa == rd->as_ip) {
		rd->stats.own++;
		return TRACE_READDRESS_OWN;
	}
	if (tpa != rd->as_ip || spa == tpa) {
		rd->stats.dropped++;
		return TRACE_READDRESS_DROP;
	}
	/* A reply's target hardware address is the recorded host's: now the guest's. */
	if (trace_get16(a + 6) == ARP_OP_REPLY)
		memcpy(a + 18, rd->guest_mac, TRACE_ETH_ALEN);
	return readdress_feed(rd, f, len, spa);
}

enum trace_readdress_verdict trace_readdress_classify(const struct trace_readdress *rd,
						      const uint8_t *frame, size_t len)
{
	uint8_t *f = (uint8_t *)frame; /* the helpers only read here */
	uint8_t *a, *ip;
	size_t ihl;
	uint32_t src, dst;

	if ((a = arp_header(f, len))) {
		src = trace_addr_get(a + 14);
		dst = trace_addr_get(a + 24);
	} else if ((ip = ip4_header(f, len, &ihl))) {
		src = trace_addr_get(ip + 12);
		dst = trace_addr_get(ip + 16);
	} else {
		return TRACE_READDRESS_DROP;
	}
	if (src == rd->as_ip)
		return TRACE_READDRESS_OWN;
	return dst == rd->as_ip ? TRACE_READDRESS_FEED : TRACE_READDRESS_DROP;
}

enum trace_readdress_verdict trace_readdress_from_trace(struct trace_readdress *rd,
							uint8_t *f, size_t len)
{
	uint8_t *a, *ip;
	size_t ihl;

	if ((a = arp_header(f, len)))
		return readdress_arp(rd, f, len, a);
	if ((ip = ip4_header(f, len, &ihl))) {
		if (trace_addr_get(ip + 12) == rd->as_ip) {
			rd->stats.own++;
			return TRACE_READDRESS_OWN;
		}
		if (trace_addr_get(ip + 16) == rd->as_ip)
			return readdress_feed(rd, f, len, trace_addr_get(ip + 12));
	}
	rd->stats.dropped++;
	return TRACE_READDRESS_DROP;
}

void trace_readdress_learn(struct trace_readdress *rd, const uint8_t *frame, size_t len)
{
	uint8_t *f = (uint8_t *)frame; /* the helpers only read here */
	uint8_t *ip;
	size_t ihl;

	if (!rd || !(ip = ip4_header(f, len, &ihl)) || trace_addr_get(ip + 16) != rd->as_ip)
		return;
	host_learn(rd, trace_addr_get(ip + 12), f + TRACE_ETH_ALEN);
	if (!(f[TRACE_ETH_ALEN] & 1)) {
		memcpy(rd->last_peer_mac, f + TRACE_ETH_ALEN, TRACE_ETH_ALEN);
		rd->have_last_peer = true;
	}
}

/* The answer of the recording's host tpa (mac) to the guest's request a (Linux's arp_send). */
static void arp_answer(struct trace_readdress *rd, const uint8_t *a, const uint8_t *mac,
		       uint8_t reply[TRACE_ARP_FRAME_LEN])
{
	uint8_t *r = reply + ETH_HLEN;

	memcpy(reply, a + 8, TRACE_ETH_ALEN);
	memcpy(reply + TRACE_ETH_ALEN, mac, TRACE_ETH_ALEN);
	trace_put16(reply + 12, ETH_P_ARP);
	memcpy(r, a, 6);                 /* hardware and protocol types and sizes */
	trace_put16(r + 6, ARP_OP_REPLY);
	memcpy(r + 8, mac, TRACE_ETH_ALEN);
	memcpy(r + 14, a + 24, 4);       /* the address asked for */
	memcpy(r + 18, a + 8, 10);       /* the asker's hardware and protocol addresses */
	rd->stats.arp_answered++;
}

bool trace_readdress_from_guest(struct trace_readdress *rd, const uint8_t *frame, size_t len,
				uint8_t reply[TRACE_ARP_FRAME_LEN])
{
	uint8_t *f = (uint8_t *)frame; /* the helpers only read here */
	uint8_t *a, *ip;
	size_t ihl;
	uint32_t src = 0;

	if ((a = arp_header(f, len)))
		src = trace_addr_get(a + 14);
	else if ((ip = ip4_header(f, len, &ihl)))
		src = trace_addr_get(ip + 12);
	if (src && !rd->guest_known)
		trace_readdress_set_guest_ip(rd, src);
	if (!a || trace_get16(a + 6) != ARP_OP_REQUEST)
		return false;
	uint32_t tpa = trace_addr_get(a + 24);
	if (tpa == trace_addr_get(a + 14) || (rd->guest_known && tpa == rd->guest_ip))
		return false; /* an announcement, or a probe for its own address */
	uint8_t mac[TRACE_ETH_ALEN];
	if (host_find(rd, tpa, mac)) {
		arp_answer(rd, a, mac, reply);
		return true;
	}
	if (rd->have_last_peer) {
		arp_answer(rd, a, rd->last_peer_mac, reply);
		return true;
	}
	rd->stats.arp_unanswered++;
	return false;
}

int trace_ip4_parse(const char *s, uint32_t *ip)
{
	uint8_t bytes[4];

	for (int i = 0; i < 4; i++) {
		unsigned int v = 0, digits = 0;

		for (; *s >= '0' && *s <= '9' && digits < 4; s++, digits++)
			v = v * 10 + (unsigned int)(*s - '0');
		if (!digits || digits > 3 || v > 255 || *s != (i < 3 ? '.' : '\0'))
			return -EINVAL;
		bytes[i] = (uint8_t)v;
		s += i < 3;
	}
	memcpy(ip, bytes, 4);
	return 0;
}

char *trace_ip4_format(uint32_t ip, char *buf)
{
	const uint8_t *b = (const uint8_t *)&ip;

	snprintf(buf, 16, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
	return buf;
}
