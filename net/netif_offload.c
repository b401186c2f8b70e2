/*
 * TCP segmentation offload on a link that has it (struct net_link's
 * send_tso: netfront with feature-sg, feature-gso-tcpv4 and checksum
 * offload): TCP sends up to 64 KiB in one segment whose checksum field
 * holds the pseudo-header sum, as Linux's tcp_v4_send_check leaves a
 * CHECKSUM_PARTIAL skb, and the link (netback, the host kernel) fills the
 * checksum and cuts it into MSS-sized segments.
 */
#include <errno.h>
#include <string.h>

#include <uk/alloc.h>

#include "net_private.h"
#include "tcp_private.h"

#define IP4_HLEN 20

uint32_t netif_tso_payload_max(const struct net_if *nif, uint16_t mss)
{
	uint32_t room, k;

	if (!nif || !nif->link.send_tso || mss == 0 ||
	    nif->link.tso_max <= ETH_HLEN + IP4_HLEN + TCP_HLEN + TCP_MAX_OPTLEN)
		return mss;
	room = nif->link.tso_max - (ETH_HLEN + IP4_HLEN + TCP_HLEN + TCP_MAX_OPTLEN);
	k = room / mss;
	return k > 1 ? k * mss : mss;
}

/*
 * The MAC is not known yet: the first gso_size bytes go as an ordinary
 * segment through arp_output (which queues it and asks), its checksum
 * completed here; the rest is lost like frames dropped on a wire.
 */
static int tso_first_segment(struct net_if *nif, ip4_addr_t next_hop, const uint8_t *pkt,
			     size_t len, uint16_t gso_size)
{
	size_t thlen = (size_t)(pkt[IP4_HLEN + 12] >> 4) * 4, hdr = IP4_HLEN + thlen;
	size_t n = len - hdr < gso_size ? len - hdr : gso_size;
	ip4_addr_t src, dst;
	uint8_t *seg;
	uint32_t sum;
	int rc;

	if (!(seg = uk_malloc(hdr + n))) {
		nif->stats.nomem++;
		return -ENOMEM;
	}
	memcpy(seg, pkt, hdr + n);
	net_put16(seg + 2, (uint16_t)(hdr + n));
	seg[IP4_HLEN + 13] &= (uint8_t)~(TCP_FIN | TCP_PSH); /* not the end of what was sent */
	net_put16(seg + 10, 0);
	net_put16(seg + 10, net_csum_fold(net_csum_add(0, seg, IP4_HLEN)));
	net_put16(seg + IP4_HLEN + 16, 0);
	memcpy(&src, seg + 12, 4); /* network byte order, as the stack keeps addresses */
	memcpy(&dst, seg + 16, 4);
	sum = net_csum_pseudo(src, dst, IP4_PROTO_TCP, (uint16_t)(thlen + n));
	net_put16(seg + IP4_HLEN + 16, net_csum_fold(net_csum_add(sum, seg + IP4_HLEN, thlen + n)));
	rc = arp_output(nif, next_hop, seg, hdr + n);
	uk_free(seg);
	return rc;
}

int netif_tso_output(struct net_if *nif, ip4_addr_t next_hop, const uint8_t *pkt, size_t len,
		     uint16_t gso_size)
{
	uint8_t mac[6], *frame;
	int rc;

	if (!nif->link.send_tso || ETH_HLEN + len > nif->link.tso_max || len < IP4_HLEN + TCP_HLEN)
		return -EMSGSIZE;
	if (!arp_lookup(nif, next_hop, mac))
		return tso_first_segment(nif, next_hop, pkt, len, gso_size);
	/* A datagram ip4_output_df_gso_room built with room for our header: no copy. */
	if (pkt == nif->tx_room) {
		frame = nif->tx_room - ETH_HLEN;
	} else if (!(frame = uk_malloc(ETH_HLEN + len))) {
		nif->stats.nomem++;
		return -ENOMEM;
	} else {
		memcpy(frame + ETH_HLEN, pkt, len);
	}
	rc = eth_send(nif, frame, mac, ETH_TYPE_IP4, ETH_HLEN + len, gso_size);
	if (pkt != nif->tx_room)
		uk_free(frame);
	return rc;
}
