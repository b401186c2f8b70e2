/*
 * Ethernet II: accepts frames for our MAC, broadcast, or a joined IPv4
 * multicast group; hands IPv4 and ARP on by EtherType; builds outgoing
 * headers. Everything else is dropped and counted.
 */
#include <errno.h>
#include <string.h>
#include <uk/alloc.h>

#include "net_private.h"

const uint8_t eth_broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

#define ETH_MCAST_MAX (sizeof(((struct net_if *)0)->mcast) / sizeof(ip4_addr_t))

/* RFC 1112 6.4: 01:00:5e followed by the group's low 23 bits. */
void eth_mcast_mac(ip4_addr_t group, uint8_t mac[6])
{
	const uint8_t *g = (const uint8_t *)&group;

	mac[0] = 0x01;
	mac[1] = 0x00;
	mac[2] = 0x5e;
	mac[3] = g[1] & 0x7f;
	mac[4] = g[2];
	mac[5] = g[3];
}

bool eth_mcast_member(const struct net_if *nif, ip4_addr_t group)
{
	for (unsigned int i = 0; i < nif->n_mcast; i++)
		if (nif->mcast[i] == group)
			return true;
	return false;
}

int eth_mcast_join(struct net_if *nif, ip4_addr_t group)
{
	if (!ip4_is_multicast(group))
		return -EINVAL;
	if (eth_mcast_member(nif, group))
		return 0;
	if (nif->n_mcast >= ETH_MCAST_MAX)
		return -ENOSPC;
	nif->mcast[nif->n_mcast++] = group;
	return 0;
}

void eth_mcast_leave(struct net_if *nif, ip4_addr_t group)
{
	for (unsigned int i = 0; i < nif->n_mcast; i++)
		if (nif->mcast[i] == group) {
			nif->mcast[i] = nif->mcast[--nif->n_mcast];
			return;
		}
}

static bool mac_accepted(const struct net_if *nif, const uint8_t *dst)
{
	uint8_t mac[6];

	if (!memcmp(dst, nif->link.mac, 6) || !memcmp(dst, eth_broadcast, 6))
		return true;
	if (!(dst[0] & 1))
		return false;
	/* Several groups share a MAC (23 bits of 28); ip4.c checks the group. */
	for (unsigned int i = 0; i < nif->n_mcast; i++) {
		eth_mcast_mac(nif->mcast[i], mac);
		if (!memcmp(dst, mac, 6))
			return true;
	}
	return false;
}

void eth_input(struct net_if *nif, const uint8_t *frame, size_t len)
{
	if (len < ETH_HLEN) {
		nif->stats.eth_truncated++;
		return;
	}
	if (!mac_accepted(nif, frame)) {
		nif->stats.eth_not_for_us++;
		return;
	}
	switch (net_get16(frame + 12)) {
	case ETH_TYPE_IP4:
		ip4_input(nif, frame + ETH_HLEN, len - ETH_HLEN);
		break;
	case ETH_TYPE_ARP:
		arp_input(nif, frame + ETH_HLEN, len - ETH_HLEN, frame + 6);
		break;
	default:
		nif->stats.eth_unknown_type++;
		break;
	}
}

int eth_output(struct net_if *nif, const uint8_t dst[6], uint16_t type, const void *payload,
	       size_t len)
{
	uint8_t stack_buf[ETH_HLEN + 1500];
	uint8_t *frame = stack_buf;
	int rc;

	if (len > nif->link.mtu)
		return -EMSGSIZE;
	/* A datagram ip4_output_room built with room for our header: no copy. */
	if (payload && payload == nif->tx_room)
		frame = nif->tx_room - ETH_HLEN;
	/* Links with jumbo MTUs get a heap buffer rather than a huge stack frame. */
	else if (ETH_HLEN + len > sizeof(stack_buf) && !(frame = uk_malloc(ETH_HLEN + len))) {
		nif->stats.nomem++;
		return -ENOMEM;
	}
	if (frame + ETH_HLEN != payload)
		memcpy(frame + ETH_HLEN, payload, len);
	rc = eth_send(nif, frame, dst, type, ETH_HLEN + len, 0);
	if (frame != stack_buf && frame + ETH_HLEN != payload)
		uk_free(frame);
	return rc;
}
