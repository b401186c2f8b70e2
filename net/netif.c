/*
 * Network interfaces: creation on a link or a netfront vif, configuration,
 * counters, and the list that routing walks. (ARP and reassembly keep
 * their own timers, <uk/timer.h>: the stack has no thread of its own.)
 */
#include <errno.h>
#include <string.h>
#include <uk/alloc.h>
#include <uk/exit.h>
#include <uk/random.h>

#include <uk/netfront.h>

#include "net_private.h"

static struct {
	struct net_if *head;
	unsigned int count;
} ifs;

static void if_free(struct net_if *nif)
{
	arp_fini(nif);
	ip4_reass_fini(nif);
	uk_free(nif);
}

int net_if_create(const struct net_link *link, struct net_if **out)
{
	struct net_if *nif = uk_calloc(1, sizeof(*nif)), **pp;

	if (!nif)
		return -ENOMEM;
	nif->link = *link;
	nif->subnet_broadcast = IP4_BROADCAST; /* unconfigured */
	if (!nif->link.mtu)
		nif->link.mtu = 1500;
	nif->ip_id = (uint16_t)uk_random_u32(); /* not the same after every boot */
	eth_mcast_join(nif, IP4_ADDR(224, 0, 0, 1)); /* all hosts (RFC 1112) */
	if (arp_init(nif) < 0 || ip4_reass_init(nif) < 0) {
		if_free(nif);
		return -ENOMEM;
	}
	for (pp = &ifs.head; *pp; pp = &(*pp)->next)
		;
	*pp = nif;
	nif->index = ifs.count++;
	ip4_routes_changed();
	*out = nif;
	return 0;
}

void net_if_destroy(struct net_if *nif)
{
	struct net_if **pp = &ifs.head;
	unsigned int index = 0;

	if (!nif)
		return;
	/* Their pages would go back through this freed link (tcp_lend.c): socket.h's rule. */
	if (nif->lent)
		uk_panic("net_if_destroy: interface %u still has %u received frame%s lent to "
			 "sockets (net_recv_borrow): return them (net_recv_return) or close the "
			 "sockets first", nif->index, nif->lent, nif->lent == 1 ? "" : "s");
	while (*pp && *pp != nif)
		pp = &(*pp)->next;
	if (*pp) {
		*pp = nif->next;
		ifs.count--;
	}
	for (struct net_if *n = ifs.head; n; n = n->next)
		n->index = index++;
	ip4_routes_changed();
	if (nif->nf) {
		netfront_set_rx_flags(nif->nf, NULL, NULL);
		netfront_set_holder(nif->nf, NULL); /* the vif may close now */
	}
	if_free(nif);
}

void net_if_input(struct net_if *nif, const uint8_t *frame, size_t len)
{
	nif->stats.rx_frames++;
	eth_input(nif, frame, len);
}

/* The subnet broadcast of cfg, or 255.255.255.255 when it has none. */
static ip4_addr_t subnet_broadcast(const struct net_if_config *cfg)
{
	ip4_addr_t host = ~cfg->netmask;

	/* Unconfigured, /31 and /32 have no broadcast address (RFC 3021). */
	if (cfg->addr == IP4_ANY || net_ntohl(host) < 3)
		return IP4_BROADCAST;
	return (cfg->addr & ~host) | host;
}

int net_if_set_config(struct net_if *nif, const struct net_if_config *cfg)
{
	ip4_addr_t old = nif->configured ? nif->cfg.addr : IP4_ANY;

	if (ip4_mask_prefix(cfg->netmask) < 0 || cfg->addr == IP4_BROADCAST ||
	    ip4_is_multicast(cfg->addr))
		return -EINVAL;
	nif->cfg = *cfg;
	nif->configured = cfg->addr != IP4_ANY;
	nif->subnet_broadcast = subnet_broadcast(cfg);
	ip4_routes_changed();
	if (nif->configured && cfg->addr != old)
		arp_announce(nif);
	return 0;
}

void net_if_get_config(const struct net_if *nif, struct net_if_config *cfg)
{
	*cfg = nif->cfg;
}

void net_if_stats(const struct net_if *nif, struct net_if_stats *stats)
{
	*stats = nif->stats;
}

void net_if_mac(const struct net_if *nif, uint8_t mac[6])
{
	memcpy(mac, nif->link.mac, 6);
}

unsigned int net_if_count(void)
{
	return ifs.count;
}

struct net_if *net_if_get(unsigned int index)
{
	struct net_if *nif = ifs.head;

	while (nif && index--)
		nif = nif->next;
	return nif;
}

struct net_if *net_if_first(void)
{
	return ifs.head;
}

/* Never blocks: the stack sends from netfront's event handler and its
 * timers, which must not sleep (an interface may be destroyed meanwhile). */
static int netfront_link_send(void *ctx, const uint8_t *frame, size_t len)
{
	return netfront_try_send(ctx, frame, len);
}

/*
 * A frame from netfront with what the backend said of it: a checksum it
 * checked (or left blank: the sender was in this host) is not checked
 * again; a GSO frame may exceed the MTU, but only as TCP over IPv4.
 */
static void netfront_link_rx(struct netfront *nf, const uint8_t *frame, size_t len,
			     unsigned int flags, void *arg)
{
	struct net_if *nif = arg;

	if ((flags & NETFRONT_RX_GSO) && len > ETH_HLEN + nif->link.mtu &&
	    (len < ETH_HLEN + 20 || net_get16(frame + 12) != ETH_TYPE_IP4 ||
	     frame[ETH_HLEN + 9] != IP4_PROTO_TCP)) {
		nif->stats.rx_frames++;
		nif->stats.ip_bad_length++;
		return;
	}
	nif->rx_csum_valid = (flags & NETFRONT_RX_CSUM_VALID) != 0;
	net_if_input(nif, frame, len);
	nif->rx_csum_valid = false;
}

/*
 * Whether a multi-slot frame may go up in pieces: a TCP/IPv4 segment, not
 * a fragment, its checksum checked by the backend, and its Ethernet, IP
 * and TCP headers all in the first piece (as netback fills slots, whole
 * pages from the frame's start). Anything else is joined by netfront.
 */
static bool frags_fit(const struct netfront_frag *first, unsigned int flags)
{
	const uint8_t *f = first->data;
	size_t ihl, l4;

	if (!(flags & NETFRONT_RX_CSUM_VALID) || first->len < ETH_HLEN + 20 + 20 ||
	    net_get16(f + 12) != ETH_TYPE_IP4 || f[ETH_HLEN + 9] != IP4_PROTO_TCP ||
	    (net_get16(f + ETH_HLEN + 6) & (IP4_MF | IP4_OFFSET_MASK)))
		return false;
	ihl = (size_t)(f[ETH_HLEN] & 0x0f) * 4;
	if (ihl < 20 || ETH_HLEN + ihl + 20 > first->len)
		return false;
	l4 = ETH_HLEN + ihl;
	return l4 + (size_t)(f[l4 + 12] >> 4) * 4 <= first->len;
}

bool net_if_input_frags(struct net_if *nif, const struct netfront_frag *frags, unsigned int nr,
			size_t len, unsigned int flags)
{
	struct net_rx_frags rest;
	size_t sum = 0;

	if (nr < 2 || !frags_fit(&frags[0], flags))
		return false;
	for (unsigned int i = 0; i < nr; i++)
		sum += frags[i].len;
	if (sum != len) /* what ip4.c and tcp_in.c trust the pieces to hold */
		return false;
	rest.head_end = frags[0].data + frags[0].len;
	rest.more = frags + 1;
	rest.nr_more = nr - 1;
	nif->rx_frags = &rest;
	netfront_link_rx(nif->nf, frags[0].data, len, flags, nif);
	nif->rx_frags = NULL;
	return true;
}

/* A multi-slot frame from netfront, in its slots' pieces (netfront_rx_sg_fn). */
static bool netfront_link_rx_sg(struct netfront *nf, const struct netfront_frag *frags,
				unsigned int nr, size_t len, unsigned int flags, void *arg)
{
	return net_if_input_frags(arg, frags, nr, len, flags);
}

static int netfront_link_rx_keep(void *ctx, uint32_t *token)
{
	return netfront_rx_keep(ctx, token);
}

static void netfront_link_rx_release(void *ctx, uint32_t token)
{
	netfront_rx_release(ctx, token);
}

static int netfront_link_send_tso(void *ctx, const uint8_t *frame, size_t len,
				  uint16_t gso_size)
{
	return netfront_try_send_tso(ctx, frame, len, gso_size);
}

int net_if_attach_netfront(struct netfront *nf, struct net_if **out)
{
	struct net_link link = { .send = netfront_link_send, .ctx = nf,
				 .rx_keep = netfront_link_rx_keep,
				 .rx_release = netfront_link_rx_release };
	struct netfront_offloads off;
	struct net_if *nif;
	int rc;

	netfront_mac(nf, link.mac);
	link.mtu = netfront_mtu(nf);
	netfront_offloads(nf, &off);
	if (off.tso_max) { /* the backend takes 64 KiB TCP frames (netif_offload.c) */
		link.send_tso = netfront_link_send_tso;
		link.tso_max = off.tso_max;
	}
	/* Closing the vif under the interface would leave it calling into freed state. */
	if ((rc = netfront_set_holder(nf, "a network interface (net_if_attach_netfront): "
				      "destroy it first (net_if_destroy)")) < 0)
		return rc; /* another interface has it */
	if ((rc = net_if_create(&link, &nif)) < 0) {
		netfront_set_holder(nf, NULL);
		return rc;
	}
	nif->nf = nf;
	/* The stack never blocks on receive (netfront_link_send): run it from the event. */
	netfront_set_rx_nonblocking(nf, netfront_link_rx, nif);
	netfront_set_rx_sg(nf, netfront_link_rx_sg); /* multi-slot frames without a join copy */
	*out = nif;
	return 0;
}
