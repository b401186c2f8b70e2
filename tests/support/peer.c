/* The test peer's frame builders and recording link (see peer.h). */
#include "peer.h"

#include <errno.h>
#include <string.h>

const uint8_t peer_mac_broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

void peer_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void peer_put32(uint8_t *p, uint32_t v)
{
	peer_put16(p, (uint16_t)(v >> 16));
	peer_put16(p + 2, (uint16_t)v);
}

uint16_t peer_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t peer_get32(const uint8_t *p)
{
	return (uint32_t)peer_get16(p) << 16 | peer_get16(p + 2);
}

uint32_t peer_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (size_t i = 0; i + 1 < len; i += 2) {
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
		sum = (sum & 0xffff) + (sum >> 16); /* never overflows, whatever len */
	}
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	return sum;
}

uint16_t peer_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t peer_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, size_t len)
{
	uint8_t ph[12];

	memcpy(ph, &src, 4);
	memcpy(ph + 4, &dst, 4);
	ph[8] = 0;
	ph[9] = proto;
	peer_put16(ph + 10, (uint16_t)len);
	return peer_csum_add(0, ph, sizeof(ph));
}

size_t peer_eth_put(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	peer_put16(f + 12, type);
	return ETH_HLEN;
}

size_t peer_arp_put(uint8_t *a, uint16_t op, const uint8_t sha[6], uint32_t spa,
		    const uint8_t tha[6], uint32_t tpa)
{
	peer_put16(a, 1); /* Ethernet */
	peer_put16(a + 2, ETH_P_IP);
	a[4] = 6;
	a[5] = 4;
	peer_put16(a + 6, op);
	memcpy(a + 8, sha, 6);
	memcpy(a + 14, &spa, 4);
	memcpy(a + 18, tha, 6);
	memcpy(a + 24, &tpa, 4);
	return 28;
}

size_t peer_ip4_put(uint8_t *ip, const struct peer_ip4 *h, size_t payload_len)
{
	ip[0] = 0x45;
	ip[1] = 0;
	peer_put16(ip + 2, (uint16_t)(20 + payload_len));
	peer_put16(ip + 4, h->id);
	peer_put16(ip + 6, h->frag);
	ip[8] = h->ttl ? h->ttl : 64;
	ip[9] = h->proto;
	peer_put16(ip + 10, 0);
	memcpy(ip + 12, &h->src, 4);
	memcpy(ip + 16, &h->dst, 4);
	peer_put16(ip + 10, peer_csum_fold(peer_csum_add(0, ip, 20)));
	return 20;
}

size_t peer_udp_put(uint8_t *u, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
		    const void *data, size_t len)
{
	size_t n = 8 + len;
	uint16_t c;

	peer_put16(u, sport);
	peer_put16(u + 2, dport);
	peer_put16(u + 4, (uint16_t)n);
	peer_put16(u + 6, 0);
	if (len)
		memmove(u + 8, data, len);
	c = peer_csum_fold(peer_csum_add(peer_csum_pseudo(src, dst, IPPROTO_UDP, n), u, n));
	peer_put16(u + 6, c ? c : 0xffff); /* 0 means "no checksum" (RFC 768) */
	return n;
}

size_t peer_icmp_echo_put(uint8_t *m, uint8_t type, uint16_t id, uint16_t seq,
			  const void *data, size_t len)
{
	m[0] = type;
	m[1] = 0;
	peer_put16(m + 2, 0);
	peer_put16(m + 4, id);
	peer_put16(m + 6, seq);
	if (len)
		memmove(m + 8, data, len);
	peer_put16(m + 2, peer_csum_fold(peer_csum_add(0, m, 8 + len)));
	return 8 + len;
}

size_t peer_tcp_put(uint8_t *t, uint32_t src, uint32_t dst, const struct peer_tcp *h,
		    const void *data, size_t len)
{
	size_t hlen = 20 + h->options_len, n;

	peer_put16(t, h->sport);
	peer_put16(t + 2, h->dport);
	peer_put32(t + 4, h->seq);
	peer_put32(t + 8, h->ack);
	t[12] = (uint8_t)(hlen / 4 << 4);
	t[13] = h->flags;
	peer_put16(t + 14, h->window);
	peer_put16(t + 16, 0);
	peer_put16(t + 18, 0);
	if (h->options_len)
		memcpy(t + 20, h->options, h->options_len);
	if (len)
		memmove(t + hlen, data, len);
	n = hlen + len;
	peer_put16(t + 16, peer_csum_fold(peer_csum_add(peer_csum_pseudo(src, dst, IPPROTO_TCP,
									 n), t, n)));
	return n;
}

size_t peer_arp_frame(const struct peer *p, uint8_t *f, uint16_t op)
{
	static const uint8_t unknown[6];
	bool request = op == 1;

	peer_eth_put(f, request ? peer_mac_broadcast : p->guest_mac, p->mac, ETH_P_ARP);
	return ETH_HLEN + peer_arp_put(f + ETH_HLEN, op, p->mac, p->ip,
					    request ? unknown : p->guest_mac, p->guest_ip);
}

size_t peer_ip4_frame(const struct peer *p, uint8_t *f, uint8_t proto, const void *payload,
		      size_t len)
{
	struct peer_ip4 h = { .src = p->ip, .dst = p->guest_ip, .proto = proto, .id = 0x1234 };
	uint8_t *ip = f + ETH_HLEN;

	peer_eth_put(f, p->guest_mac, p->mac, ETH_P_IP);
	if (len)
		memmove(ip + 20, payload, len);
	return ETH_HLEN + peer_ip4_put(ip, &h, len) + len;
}

/* The layer-4 part is built in place, 34 bytes in, then wrapped. */
#define L4(f) ((f) + ETH_HLEN + 20)

size_t peer_udp_frame(const struct peer *p, uint8_t *f, uint16_t sport, uint16_t dport,
		      const void *data, size_t len)
{
	size_t n = peer_udp_put(L4(f), p->ip, p->guest_ip, sport, dport, data, len);

	return peer_ip4_frame(p, f, IPPROTO_UDP, L4(f), n);
}

size_t peer_icmp_echo_frame(const struct peer *p, uint8_t *f, uint16_t id, uint16_t seq,
			    const void *data, size_t len)
{
	size_t n = peer_icmp_echo_put(L4(f), 8, id, seq, data, len);

	return peer_ip4_frame(p, f, IPPROTO_ICMP, L4(f), n);
}

size_t peer_tcp_frame(const struct peer *p, uint8_t *f, const struct peer_tcp *h,
		      const void *data, size_t len)
{
	size_t n = peer_tcp_put(L4(f), p->ip, p->guest_ip, h, data, len);

	return peer_ip4_frame(p, f, IPPROTO_TCP, L4(f), n);
}

bool peer_ip4_l4_csum_ok(const uint8_t *ip, size_t ip_len)
{
	size_t hlen = (size_t)(ip[0] & 15) * 4, total = peer_get16(ip + 2), n;
	uint32_t src, dst, sum = 0;

	if (ip_len < 20 || hlen < 20 || total < hlen || total > ip_len)
		return false;
	n = total - hlen;
	memcpy(&src, ip + 12, 4);
	memcpy(&dst, ip + 16, 4);
	if (ip[9] == IPPROTO_UDP && n >= 8 && peer_get16(ip + hlen + 6) == 0)
		return true; /* not computed */
	if (ip[9] == IPPROTO_TCP || ip[9] == IPPROTO_UDP)
		sum = peer_csum_pseudo(src, dst, ip[9], n);
	else if (ip[9] != IPPROTO_ICMP)
		return false;
	return peer_csum_fold(peer_csum_add(sum, ip + hlen, n)) == 0;
}

int peer_capture_send(void *ctx, const uint8_t *frame, size_t len)
{
	struct peer_capture *c = ctx;

	if (c->n < PEER_CAPTURE_MAX) {
		c->len[c->n] = len; /* over PEER_FRAME_MAX: counted, not kept */
		if (len <= PEER_FRAME_MAX)
			memcpy(c->frame[c->n], frame, len);
		c->when[c->n] = c->clock ? c->clock() : 0;
	}
	c->n++;
	return c->result;
}

void peer_capture_reset(struct peer_capture *c)
{
	c->n = 0;
}

const uint8_t *peer_capture_frame(const struct peer_capture *c, unsigned int i, size_t *len)
{
	if (i >= c->n || i >= PEER_CAPTURE_MAX || c->len[i] > PEER_FRAME_MAX)
		return NULL;
	*len = c->len[i];
	return c->frame[i];
}

const uint8_t *peer_capture_ip4(const struct peer_capture *c, unsigned int i, uint8_t proto,
				size_t *ip_len)
{
	size_t len;
	const uint8_t *f = peer_capture_frame(c, i, &len);

	if (!f || len < ETH_HLEN + 20 || peer_get16(f + 12) != ETH_P_IP ||
	    (proto && f[ETH_HLEN + 9] != proto))
		return NULL;
	*ip_len = len - ETH_HLEN;
	return f + ETH_HLEN;
}
