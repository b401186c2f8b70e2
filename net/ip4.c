/*
 * IPv4 (RFC 791, host rules of RFC 1122): header checks, local delivery,
 * routing and fragmentation of what we send.
 *
 * Every length in a received header is checked here, once, against the
 * bytes that arrived; the protocols get a payload whose length is right.
 * Drops are counted:
 *   ip_bad_length    shorter than 20 bytes, IHL beyond the packet, total
 *                    length below IHL*4 or beyond the frame
 *   ip_bad_header    version not 4, IHL < 5, a source address that no host
 *                    can have (broadcast, multicast, 127/8)
 *   ip_bad_checksum  header checksum
 *   ip_ttl_expired   TTL 0: no conforming sender emits it (RFC 1122 3.2.1.7
 *                    makes hosts accept TTL 1, and says nothing for 0)
 *   ip_not_for_us    destination not ours
 * Bytes beyond the total length (Ethernet pads to 60) are ignored; options
 * are skipped, never parsed.
 */
#include <errno.h>
#include <string.h>
#include <uk/alloc.h>

#include "net_private.h"

#define IP4_HLEN 20
_Static_assert(IP4_OUTPUT_ROOM == ETH_HLEN + IP4_HLEN, "ip4_output_room writes both headers");
#define IP4_DF 0x4000

/* Starts at 1: a zeroed ip4_dst (gen 0) is never fresh. */
uint64_t ip4_route_gen = 1;

bool ip4_is_local(const struct net_if *nif, ip4_addr_t a)
{
	/* Unconfigured, a DHCP offer may come unicast to the offered address. */
	if (!nif->configured)
		return true;
	return a == nif->cfg.addr || ip4_is_broadcast(nif, a) ||
	       (ip4_is_multicast(a) && eth_mcast_member(nif, a));
}

/* RFC 1122 3.2.1.3: a source no host can have is silently discarded. */
static bool source_valid(const struct net_if *nif, ip4_addr_t src)
{
	return !ip4_is_broadcast(nif, src) && !ip4_is_multicast(src) &&
	       ((const uint8_t *)&src)[0] != 127;
}

static void deliver(struct net_if *nif, const struct ip4_info *ip, const uint8_t *data,
		    size_t len)
{
	switch (ip->proto) {
	case IP4_PROTO_ICMP:
		icmp_input(nif, ip, data, len);
		break;
	case IP4_PROTO_UDP:
		udp_input(nif, ip, data, len);
		break;
	case IP4_PROTO_TCP:
		tcp_input(nif, ip, data, len);
		break;
	default:
		nif->stats.ip_unknown_protocol++;
		icmp_send_unreachable(nif, 2 /* protocol unreachable */, ip, data, len);
		break;
	}
}

static void header_build(uint8_t *h, size_t total, uint16_t id, uint16_t frag, uint8_t proto,
			 ip4_addr_t src, ip4_addr_t dst)
{
	h[0] = 0x45;
	h[1] = 0;
	net_put16(h + 2, (uint16_t)total);
	net_put16(h + 4, id);
	net_put16(h + 6, frag);
	h[8] = IP4_DEFAULT_TTL;
	h[9] = proto;
	net_put16(h + 10, 0);
	memcpy(h + 12, &src, 4);
	memcpy(h + 16, &dst, 4);
	net_put16(h + 10, net_csum_ip4_header(h));
}

/* Hands a reassembled datagram on, with the header ICMP errors would quote. */
static void input_fragment(struct net_if *nif, const struct ip4_info *ip, uint16_t id,
			   uint16_t frag, const uint8_t *data, size_t len)
{
	struct ip4_info whole = *ip;
	uint8_t hdr[IP4_HLEN], *dgram;
	size_t dlen;

	nif->stats.ip_frags_received++;
	if (ip4_reass_input(nif, ip, id, (uint16_t)((frag & IP4_OFFSET_MASK) * 8),
			    frag & IP4_MF, data, len, &dgram, &dlen) != 1)
		return;
	/* dlen <= IP4_MAX_PAYLOAD, so the total fits in 16 bits. */
	header_build(hdr, IP4_HLEN + dlen, id, 0, ip->proto, ip->src, ip->dst);
	hdr[8] = ip->ttl;
	net_put16(hdr + 10, 0);
	net_put16(hdr + 10, net_csum_ip4_header(hdr));
	whole.header = hdr;
	whole.header_len = IP4_HLEN;
	whole.csum_valid = false; /* the link vouched for one fragment, not the datagram */
	deliver(nif, &whole, dgram, dlen);
	uk_free(dgram);
}

/* The header's lengths against the bytes that came: 0 or the counter to bump. */
static uint64_t *header_check(struct net_if *nif, const uint8_t *pkt, size_t len)
{
	size_t hlen, total;

	if (len < IP4_HLEN)
		return &nif->stats.ip_bad_length;
	hlen = (size_t)(pkt[0] & 0x0f) * 4;
	if (pkt[0] >> 4 != 4 || hlen < IP4_HLEN)
		return &nif->stats.ip_bad_header;
	total = net_get16(pkt + 2);
	if (hlen > len || total < hlen || total > len)
		return &nif->stats.ip_bad_length;
	if (hlen == IP4_HLEN ? net_csum_ip4_header(pkt) != 0
			     : net_csum_fold(net_csum_add(0, pkt, hlen)) != 0)
		return &nif->stats.ip_bad_checksum;
	if (pkt[8] == 0)
		return &nif->stats.ip_ttl_expired;
	return NULL;
}

void ip4_input(struct net_if *nif, const uint8_t *pkt, size_t len)
{
	uint64_t *drop = header_check(nif, pkt, len);
	struct ip4_info ip; /* every field set below, before any use */
	size_t hlen, total;
	uint16_t frag;

	if (drop) {
		(*drop)++;
		return;
	}
	hlen = (size_t)(pkt[0] & 0x0f) * 4;
	total = net_get16(pkt + 2);
	memcpy(&ip.src, pkt + 12, 4);
	memcpy(&ip.dst, pkt + 16, 4);
	ip.proto = pkt[9];
	ip.ttl = pkt[8];
	ip.tos = pkt[1];
	ip.header = pkt;
	ip.header_len = hlen;
	ip.csum_valid = nif->rx_csum_valid;
	if (!source_valid(nif, ip.src)) {
		nif->stats.ip_bad_header++;
		return;
	}
	if (!ip4_is_local(nif, ip.dst)) {
		nif->stats.ip_not_for_us++;
		return;
	}
	ip.broadcast = ip4_is_broadcast(nif, ip.dst) || ip4_is_multicast(ip.dst);
	frag = net_get16(pkt + 6);
	if (frag & (IP4_MF | IP4_OFFSET_MASK))
		input_fragment(nif, &ip, net_get16(pkt + 4), frag, pkt + hlen, total - hlen);
	else
		deliver(nif, &ip, pkt + hlen, total - hlen);
}

static bool on_link(const struct net_if *nif, ip4_addr_t dst)
{
	return nif->configured && (dst & nif->cfg.netmask) == (nif->cfg.addr & nif->cfg.netmask);
}

/* The next hop for dst through nif, or false when nif cannot reach it. */
static bool next_hop_on(const struct net_if *nif, ip4_addr_t dst, ip4_addr_t *next_hop)
{
	*next_hop = dst;
	if (dst == IP4_BROADCAST || ip4_is_multicast(dst) || on_link(nif, dst))
		return true;
	*next_hop = nif->cfg.gateway;
	return nif->configured && nif->cfg.gateway != IP4_ANY;
}

struct net_if *ip4_route(ip4_addr_t dst, ip4_addr_t *next_hop)
{
	struct net_if *nif;

	for (nif = net_if_first(); nif; nif = nif->next)
		if (on_link(nif, dst) && next_hop_on(nif, dst, next_hop))
			return nif;
	/* Broadcast and multicast leave by the first interface, as by default routes. */
	for (nif = net_if_first(); nif; nif = nif->next)
		if (next_hop_on(nif, dst, next_hop))
			return nif;
	return NULL;
}

/* Sends payload as one datagram or as fragments of the link MTU. */
static int send_fragments(struct net_if *nif, ip4_addr_t src, ip4_addr_t dst, uint8_t proto,
			  ip4_addr_t next_hop, const uint8_t *payload, size_t len)
{
	size_t max = (nif->link.mtu - IP4_HLEN) & ~(size_t)7; /* non-last fragments: 8-byte units */
	bool fragmented = IP4_HLEN + len > nif->link.mtu;
	uint16_t id = nif->ip_id++;
	size_t off = 0, need = IP4_HLEN + (fragmented ? max : len);
	uint8_t stack_buf[1500]; /* up to a 1500-byte MTU: no heap block per datagram */
	uint8_t *buf = stack_buf;
	int rc = 0;

	if (nif->link.mtu < 68) /* RFC 791's minimum */
		return -EMSGSIZE;
	if (need > sizeof(stack_buf) && !(buf = uk_malloc(need))) {
		nif->stats.nomem++;
		return -ENOMEM;
	}
	do {
		size_t n = fragmented && len - off > max ? max : len - off;
		uint16_t frag = (uint16_t)(off / 8) | (off + n < len ? IP4_MF : 0);

		header_build(buf, IP4_HLEN + n, id, frag, proto, src, dst);
		memcpy(buf + IP4_HLEN, payload + off, n);
		if ((rc = arp_output(nif, next_hop, buf, IP4_HLEN + n)) < 0)
			break;
		if (fragmented)
			nif->stats.ip_frags_sent++;
		off += n;
	} while (off < len);
	if (buf != stack_buf)
		uk_free(buf);
	return rc;
}

/*
 * The route to dst as ip4_output finds it, counting nothing: *nif NULL:
 * ip4_route (*nif stays NULL without a route); else the next hop through
 * *nif. False when there is none.
 */
static bool ip4_route_find(struct net_if **nif, ip4_addr_t dst, ip4_addr_t *next_hop)
{
	return !*nif ? (*nif = ip4_route(dst, next_hop)) != NULL : next_hop_on(*nif, dst, next_hop);
}

/* The interface and next hop for dst (nif: NULL to route), counting a failure. */
static int route_out(struct net_if **nif, ip4_addr_t dst, ip4_addr_t *next_hop)
{
	if (!ip4_route_find(nif, dst, next_hop)) {
		struct net_if *count = *nif ? *nif : net_if_first();

		if (count)
			count->stats.no_route++;
		return -EHOSTUNREACH;
	}
	return 0;
}

/*
 * As ip4_output, but the datagram goes with Don't Fragment set and is never
 * fragmented here: -EMSGSIZE when it exceeds the link MTU (TCP's path MTU
 * discovery, RFC 1191).
 */
int ip4_output_df(struct net_if *nif, ip4_addr_t src, ip4_addr_t dst, uint8_t proto,
		  const void *payload, size_t len)
{
	return ip4_output_df_gso(nif, src, dst, proto, payload, len, 0);
}

int ip4_output_df_gso_room(struct net_if *nif, ip4_addr_t src, ip4_addr_t dst, uint8_t proto,
			   uint8_t *payload, size_t len, uint16_t gso_size)
{
	ip4_addr_t next_hop;
	uint8_t *dgram = payload - IP4_HLEN;
	int rc;

	if (route_out(&nif, dst, &next_hop) < 0)
		return -EHOSTUNREACH;
	if (IP4_HLEN + len > (gso_size ? IP4_MAX_PAYLOAD + IP4_HLEN : nif->link.mtu))
		return -EMSGSIZE;
	if (src == IP4_ANY)
		src = nif->cfg.addr;
	/* A GSO frame's segments take ids from this one up (gso.c, tcp_gso_segment). */
	header_build(dgram, IP4_HLEN + len, nif->ip_id, IP4_DF, proto, src, dst);
	nif->ip_id = (uint16_t)(nif->ip_id + (gso_size ? (len + gso_size - 1) / gso_size : 1));
	nif->tx_room = dgram; /* the Ethernet header goes in front, in place */
	rc = gso_size ? netif_tso_output(nif, next_hop, dgram, IP4_HLEN + len, gso_size)
		      : arp_output(nif, next_hop, dgram, IP4_HLEN + len);
	nif->tx_room = NULL;
	return rc;
}

int ip4_output_df_gso(struct net_if *nif, ip4_addr_t src, ip4_addr_t dst, uint8_t proto,
		      const void *payload, size_t len, uint16_t gso_size)
{
	uint8_t *buf = uk_malloc(IP4_OUTPUT_ROOM + len);
	int rc;

	if (!buf) {
		struct net_if *count = nif ? nif : net_if_first();

		if (count)
			count->stats.nomem++;
		return -ENOMEM;
	}
	memcpy(buf + IP4_OUTPUT_ROOM, payload, len);
	rc = ip4_output_df_gso_room(nif, src, dst, proto, buf + IP4_OUTPUT_ROOM, len, gso_size);
	uk_free(buf);
	return rc;
}

/* What ip4_output and ip4_output_room check first: the size, the route, the source. */
static int output_begin(struct net_if **nif, ip4_addr_t *src, ip4_addr_t dst, size_t len,
			ip4_addr_t *next_hop)
{
	if (len > IP4_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (route_out(nif, dst, next_hop) < 0)
		return -EHOSTUNREACH;
	if (*src == IP4_ANY)
		*src = (*nif)->cfg.addr;
	return 0;
}

int ip4_output(struct net_if *nif, ip4_addr_t src, ip4_addr_t dst, uint8_t proto,
	       const void *payload, size_t len)
{
	ip4_addr_t next_hop;
	int rc;

	if ((rc = output_begin(&nif, &src, dst, len, &next_hop)) < 0)
		return rc;
	return send_fragments(nif, src, dst, proto, next_hop, payload, len);
}

int ip4_output_room(struct net_if *nif, ip4_addr_t src, ip4_addr_t dst, uint8_t proto,
		    uint8_t *payload, size_t len)
{
	ip4_addr_t next_hop;
	int rc;

	if ((rc = output_begin(&nif, &src, dst, len, &next_hop)) < 0)
		return rc;
	return ip4_output_room_via(nif, next_hop, src, dst, proto, payload, len);
}

int ip4_output_room_via(struct net_if *nif, ip4_addr_t next_hop, ip4_addr_t src,
			ip4_addr_t dst, uint8_t proto, uint8_t *payload, size_t len)
{
	uint8_t *dgram = payload - IP4_HLEN;
	int rc;

	/* output_begin's checks but the route, which the caller found. */
	if (len > IP4_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (src == IP4_ANY)
		src = nif->cfg.addr;
	if (nif->link.mtu < 68 || IP4_HLEN + len > nif->link.mtu)
		return send_fragments(nif, src, dst, proto, next_hop, payload, len);
	header_build(dgram, IP4_HLEN + len, nif->ip_id++, 0, proto, src, dst);
	nif->tx_room = dgram;
	rc = arp_output(nif, next_hop, dgram, IP4_HLEN + len);
	nif->tx_room = NULL;
	return rc;
}

bool ip4_dst_resolve(struct ip4_dst *d, struct net_if *bound, ip4_addr_t dst)
{
	d->gen = 0;
	d->hdr_proto = 0;
	d->dst = dst;
	d->bound = bound;
	d->nif = bound;
	if (!ip4_route_find(&d->nif, dst, &d->next_hop))
		return false;
	if (arp_lookup_until(d->nif, d->next_hop, d->mac, &d->expires))
		d->gen = ip4_route_gen;
	return true;
}

int ip4_output_room_dst(struct ip4_dst *d, ip4_addr_t src, uint8_t proto,
			uint8_t *payload, size_t len)
{
	struct net_if *nif = d->nif;
	uint8_t *dgram = payload - IP4_HLEN;

	/* Fragments go the long way (ip4_output_room_via sends each through ARP). */
	if (nif->link.mtu < 68 || IP4_HLEN + len > nif->link.mtu)
		return ip4_output_room_via(nif, d->next_hop, src, d->dst, proto, payload, len);
	if (src == IP4_ANY)
		src = nif->cfg.addr;
	if (d->hdr_proto != proto || d->hdr_src != src) {
		header_build(d->hdr, 0, 0, 0, proto, src, d->dst);
		net_put16(d->hdr + 10, 0);
		d->hdr_sum = net_csum_ip4_words(d->hdr);
		d->hdr_proto = proto;
		d->hdr_src = src;
	}
	/* The kept header with this datagram's length and id; its checksum from the kept sum. */
	memcpy(dgram, d->hdr, IP4_HLEN);
	net_put16(dgram + 2, (uint16_t)(IP4_HLEN + len));
	net_put16(dgram + 4, nif->ip_id);
	net_put16(dgram + 10, net_csum_ip4_header_with(d->hdr_sum, (uint16_t)(IP4_HLEN + len),
							nif->ip_id));
	nif->ip_id++;
	return eth_send(nif, dgram - ETH_HLEN, d->mac, ETH_TYPE_IP4, ETH_HLEN + IP4_HLEN + len, 0);
}
