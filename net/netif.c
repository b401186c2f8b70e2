/*
 * Network interfaces: creation on a link or a netfront vif, configuration,
 * counters, the list that routing walks, and the stack's timer thread.
 *
 * The timer thread starts with the first interface and ends on its first
 * tick after the last one is destroyed; every NET_TIMER_PERIOD_NS of guest
 * time it runs ARP retries and expiry and reassembly timeouts.
 */
#include <errno.h>
#include <string.h>
#include <uk/alloc.h>
#include <uk/sched.h>
#include <uk/time.h>

#include <uk/netfront.h>

#include "net_private.h"

#define NET_TIMER_PERIOD_NS (100 * UK_NSEC_PER_MSEC)

static struct {
	struct net_if *head;
	unsigned int count;
	unsigned int gen;   /* changes whenever the list does */
	bool timer_running;
} ifs;

static void timers_run(uint64_t now)
{
	unsigned int gen = ifs.gen;

	/* A timer may send, and a send may block: then the list may change. */
	for (struct net_if *nif = ifs.head; nif; nif = nif->next) {
		arp_timer(nif, now);
		if (gen != ifs.gen)
			return;
		ip4_reass_timer(nif, now);
		if (gen != ifs.gen)
			return;
	}
}

static int timer_thread(void *arg)
{
	while (ifs.head) {
		uk_sleep_ns(NET_TIMER_PERIOD_NS);
		timers_run(uk_now_ns());
	}
	ifs.timer_running = false;
	return 0;
}

int net_timers_start(void)
{
	struct uk_thread *t;

	if (ifs.timer_running)
		return 0;
	if (!(t = uk_thread_create("net-timers", timer_thread, NULL)))
		return -ENOMEM;
	uk_thread_detach(t);
	ifs.timer_running = true;
	return 0;
}

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
	if (!nif->link.mtu)
		nif->link.mtu = 1500;
	nif->ip_id = (uint16_t)uk_now_ns(); /* not always 0 after a reboot */
	eth_mcast_join(nif, IP4_ADDR(224, 0, 0, 1)); /* all hosts (RFC 1112) */
	if (arp_init(nif) < 0 || ip4_reass_init(nif) < 0 || net_timers_start() < 0) {
		if_free(nif);
		return -ENOMEM;
	}
	for (pp = &ifs.head; *pp; pp = &(*pp)->next)
		;
	*pp = nif;
	nif->index = ifs.count++;
	ifs.gen++;
	*out = nif;
	return 0;
}

void net_if_destroy(struct net_if *nif)
{
	struct net_if **pp = &ifs.head;
	unsigned int index = 0;

	if (!nif)
		return;
	while (*pp && *pp != nif)
		pp = &(*pp)->next;
	if (*pp) {
		*pp = nif->next;
		ifs.count--;
		ifs.gen++;
	}
	for (struct net_if *n = ifs.head; n; n = n->next)
		n->index = index++;
	if (nif->nf)
		netfront_set_rx(nif->nf, NULL, NULL);
	if_free(nif);
}

void net_if_input(struct net_if *nif, const uint8_t *frame, size_t len)
{
	nif->stats.rx_frames++;
	eth_input(nif, frame, len);
}

int net_if_set_config(struct net_if *nif, const struct net_if_config *cfg)
{
	ip4_addr_t old = nif->configured ? nif->cfg.addr : IP4_ANY;

	if (ip4_mask_prefix(cfg->netmask) < 0 || cfg->addr == IP4_BROADCAST ||
	    ip4_is_multicast(cfg->addr))
		return -EINVAL;
	nif->cfg = *cfg;
	nif->configured = cfg->addr != IP4_ANY;
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

/* Never blocks: the stack sends from its receive and timer threads too,
 * which must not sleep (an interface may be destroyed meanwhile). */
static int netfront_link_send(void *ctx, const uint8_t *frame, size_t len)
{
	return netfront_try_send(ctx, frame, len);
}

static void netfront_link_rx(struct netfront *nf, const uint8_t *frame, size_t len, void *arg)
{
	net_if_input(arg, frame, len);
}

int net_if_attach_netfront(struct netfront *nf, struct net_if **out)
{
	struct net_link link = { .send = netfront_link_send, .ctx = nf };
	struct net_if *nif;
	int rc;

	netfront_mac(nf, link.mac);
	link.mtu = netfront_mtu(nf);
	if ((rc = net_if_create(&link, &nif)) < 0)
		return rc;
	nif->nf = nf;
	netfront_set_rx(nf, netfront_link_rx, nif);
	*out = nif;
	return 0;
}
