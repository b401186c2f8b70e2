/*
 * ARP (RFC 826) for IPv4 over Ethernet: a bounded cache, resolution with a
 * bounded queue of waiting packets, answers to requests for our address and
 * gratuitous announcements.
 *
 * Policy:
 * - An entry is trusted for ARP_REACHABLE_NS, then resolved again.
 * - At most ARP_ENTRIES entries; a new one evicts the oldest.
 * - Resolution sends ARP_TRIES requests ARP_RETRY_NS apart; then the queue
 *   is dropped (counted in arp_unresolved: those sends were accepted) and
 *   for ARP_FAILED_NS new sends fail at once with -EHOSTUNREACH.
 * - Unlike RFC 826's merge, a reply never creates an entry we did not ask
 *   for (arp_unsolicited_ignored); any ARP packet may refresh an existing
 *   one, and a request for our address creates one for its sender (who is
 *   about to talk to us).
 * - Each entry has one timer (uk_timer) for its next deadline: the next
 *   request while resolving, the end of trust or of failure otherwise. It
 *   runs from the scheduler and never blocks (sends go to a full ring's
 *   floor, not to sleep).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <uk/alloc.h>
#include <uk/time.h>
#include <uk/timer.h>

#include "net_private.h"

#define ARP_ENTRIES 64
#define ARP_REACHABLE_NS (60 * UK_NSEC_PER_SEC)
#define ARP_RETRY_NS UK_NSEC_PER_SEC
#define ARP_TRIES 3
#define ARP_FAILED_NS (3 * UK_NSEC_PER_SEC)
/* Queued bytes: one whole fragmented 64 KiB datagram per entry fits. */
#define ARP_QUEUE_ENTRY_BYTES (96 * 1024)
#define ARP_QUEUE_TOTAL_BYTES (256 * 1024)

#define ARP_LEN 28
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2

enum arp_state { ARP_FREE, ARP_RESOLVING, ARP_REACHABLE, ARP_FAILED };

struct arp_queued {
	struct arp_queued *next;
	size_t len;
	uint8_t data[];
};

struct arp_entry {
	ip4_addr_t ip;
	uint8_t mac[6];
	uint8_t state;
	uint8_t tries;     /* requests sent while resolving */
	uint64_t born;     /* created or last confirmed: the oldest is evicted */
	uint64_t deadline; /* reachable, failed: expiry; resolving: next request */
	struct uk_timer timer; /* armed for deadline while not free */
	struct arp_queued *head, *tail;
	size_t queued;     /* bytes */
};

struct arp_cache {
	struct arp_entry e[ARP_ENTRIES];
	size_t queued; /* bytes, all entries */
};

int arp_init(struct net_if *nif)
{
	nif->arp = uk_calloc(1, sizeof(*nif->arp));
	return nif->arp ? 0 : -ENOMEM;
}

/* Frees e's queue; returns how many packets it held. */
static unsigned int queue_drop(struct arp_cache *c, struct arp_entry *e)
{
	unsigned int n = 0;

	while (e->head) {
		struct arp_queued *q = e->head;

		e->head = q->next;
		uk_free(q);
		n++;
	}
	e->tail = NULL;
	c->queued -= e->queued;
	e->queued = 0;
	return n;
}

void arp_fini(struct net_if *nif)
{
	if (!nif->arp)
		return;
	for (unsigned int i = 0; i < ARP_ENTRIES; i++) {
		uk_timer_cancel(&nif->arp->e[i].timer);
		queue_drop(nif->arp, &nif->arp->e[i]);
	}
	ip4_routes_changed();
	uk_free(nif->arp);
	nif->arp = NULL;
}

static struct arp_entry *entry_find(struct arp_cache *c, ip4_addr_t ip)
{
	for (unsigned int i = 0; i < ARP_ENTRIES; i++)
		if (c->e[i].state != ARP_FREE && c->e[i].ip == ip)
			return &c->e[i];
	return NULL;
}

static void entry_timer_fire(struct uk_timer *t, void *arg);

/* Sets e's deadline and arms its timer for it. */
static void entry_set_deadline(struct arp_entry *e, uint64_t deadline)
{
	e->deadline = deadline;
	uk_timer_arm_at(&e->timer, deadline);
}

/* A free entry for ip, evicting the oldest when the cache is full. */
static struct arp_entry *entry_new(struct net_if *nif, ip4_addr_t ip, uint64_t now)
{
	struct arp_cache *c = nif->arp;
	struct arp_entry *e = NULL;

	for (unsigned int i = 0; i < ARP_ENTRIES; i++) {
		if (c->e[i].state == ARP_FREE) {
			e = &c->e[i];
			break;
		}
		if (!e || c->e[i].born < e->born)
			e = &c->e[i];
	}
	nif->stats.arp_unresolved += queue_drop(c, e);
	uk_timer_cancel(&e->timer);
	if (e->state == ARP_REACHABLE)
		ip4_routes_changed(); /* an ip4_dst may hold its MAC */
	memset(e, 0, sizeof(*e));
	uk_timer_init(&e->timer, entry_timer_fire, nif);
	e->ip = ip;
	e->born = now;
	return e;
}

static int arp_send(struct net_if *nif, uint16_t op, const uint8_t tha[6], ip4_addr_t tpa,
		    const uint8_t eth_dst[6])
{
	uint8_t p[ARP_LEN];

	net_put16(p, 1);             /* hardware: Ethernet */
	net_put16(p + 2, ETH_TYPE_IP4);
	p[4] = 6;
	p[5] = 4;
	net_put16(p + 6, op);
	memcpy(p + 8, nif->link.mac, 6);
	memcpy(p + 14, &nif->cfg.addr, 4); /* 0 while unconfigured (an RFC 5227 probe) */
	memcpy(p + 18, tha, 6);
	memcpy(p + 24, &tpa, 4);
	if (op == ARP_OP_REQUEST)
		nif->stats.arp_requests_sent++;
	else
		nif->stats.arp_replies_sent++;
	return eth_output(nif, eth_dst, ETH_TYPE_ARP, p, sizeof(p));
}

static const uint8_t zero_mac[6];

static void request(struct net_if *nif, struct arp_entry *e, uint64_t now)
{
	e->tries++;
	entry_set_deadline(e, now + ARP_RETRY_NS);
	arp_send(nif, ARP_OP_REQUEST, zero_mac, e->ip, eth_broadcast);
}

void arp_announce(struct net_if *nif)
{
	if (nif->configured)
		arp_send(nif, ARP_OP_REQUEST, zero_mac, nif->cfg.addr, eth_broadcast);
}

static int enqueue(struct net_if *nif, struct arp_entry *e, const void *packet, size_t len)
{
	struct arp_cache *c = nif->arp;
	struct arp_queued *q;

	if (e->queued + len > ARP_QUEUE_ENTRY_BYTES || c->queued + len > ARP_QUEUE_TOTAL_BYTES) {
		nif->stats.arp_queue_full++;
		return -ENOBUFS;
	}
	if (!(q = uk_malloc(sizeof(*q) + len))) {
		nif->stats.nomem++;
		return -ENOMEM;
	}
	q->next = NULL;
	q->len = len;
	memcpy(q->data, packet, len);
	if (e->tail)
		e->tail->next = q;
	else
		e->head = q;
	e->tail = q;
	e->queued += len;
	c->queued += len;
	return 0;
}

/* The MAC for a destination that needs no resolution; false for unicast. */
static bool mac_without_arp(const struct net_if *nif, ip4_addr_t ip, uint8_t mac[6])
{
	if (ip4_is_broadcast(nif, ip)) {
		memcpy(mac, eth_broadcast, 6);
		return true;
	}
	if (ip4_is_multicast(ip)) {
		eth_mcast_mac(ip, mac);
		return true;
	}
	return false;
}

bool arp_lookup_until(struct net_if *nif, ip4_addr_t next_hop, uint8_t mac[6],
		      uint64_t *expires)
{
	struct arp_entry *e;

	if (mac_without_arp(nif, next_hop, mac)) {
		*expires = UINT64_MAX;
		return true;
	}
	e = entry_find(nif->arp, next_hop);
	if (!e || e->state != ARP_REACHABLE || uk_now_ns() >= e->deadline)
		return false;
	memcpy(mac, e->mac, 6);
	*expires = e->deadline;
	return true;
}

bool arp_lookup(struct net_if *nif, ip4_addr_t next_hop, uint8_t mac[6])
{
	uint64_t expires;

	return arp_lookup_until(nif, next_hop, mac, &expires);
}

int arp_output(struct net_if *nif, ip4_addr_t next_hop, const void *packet, size_t len)
{
	uint64_t now = uk_now_ns();
	struct arp_entry *e;
	uint8_t mac[6];
	int rc;

	if (mac_without_arp(nif, next_hop, mac))
		return eth_output(nif, mac, ETH_TYPE_IP4, packet, len);
	e = entry_find(nif->arp, next_hop);
	if (e && e->state == ARP_REACHABLE && now < e->deadline)
		return eth_output(nif, e->mac, ETH_TYPE_IP4, packet, len);
	if (e && e->state == ARP_FAILED && now < e->deadline)
		return -EHOSTUNREACH;
	if (!e)
		e = entry_new(nif, next_hop, now);
	if (e->state != ARP_RESOLVING) { /* new, expired or failed long enough ago */
		e->state = ARP_RESOLVING;
		e->tries = 0;
	}
	rc = enqueue(nif, e, packet, len);
	if (e->tries == 0)
		request(nif, e, now);
	return rc;
}

/* Sends what waited for e's MAC, in order. */
static void queue_flush(struct net_if *nif, struct arp_entry *e)
{
	struct arp_queued *q = e->head;

	e->head = e->tail = NULL;
	nif->arp->queued -= e->queued;
	e->queued = 0;
	while (q) {
		struct arp_queued *next = q->next;

		eth_output(nif, e->mac, ETH_TYPE_IP4, q->data, q->len);
		uk_free(q);
		q = next;
	}
}

static void entry_confirm(struct net_if *nif, struct arp_entry *e, const uint8_t *mac)
{
	uint64_t now = uk_now_ns();

	memcpy(e->mac, mac, 6);
	e->state = ARP_REACHABLE;
	ip4_routes_changed(); /* a new MAC or deadline for the ip4_dst that hold it */
	e->born = now;
	entry_set_deadline(e, now + ARP_REACHABLE_NS);
	queue_flush(nif, e);
}

/* Learns (or not) the sender's address; see the policy at the top. */
static void merge(struct net_if *nif, uint16_t op, const uint8_t *sha, ip4_addr_t spa,
		  bool for_us)
{
	struct arp_entry *e;

	if (spa == IP4_ANY || (nif->configured && spa == nif->cfg.addr) ||
	    ip4_is_broadcast(nif, spa))
		return;
	e = entry_find(nif->arp, spa);
	if (e)
		entry_confirm(nif, e, sha);
	else if (op == ARP_OP_REQUEST && for_us)
		entry_confirm(nif, entry_new(nif, spa, uk_now_ns()), sha);
	else if (op == ARP_OP_REPLY)
		nif->stats.arp_unsolicited_ignored++;
}

void arp_input(struct net_if *nif, const uint8_t *pkt, size_t len, const uint8_t *src_mac)
{
	uint16_t op;
	ip4_addr_t spa, tpa;
	bool for_us;

	/* Longer packets are fine: Ethernet pads ARP to 46 bytes. */
	if (len < ARP_LEN || net_get16(pkt) != 1 || net_get16(pkt + 2) != ETH_TYPE_IP4 ||
	    pkt[4] != 6 || pkt[5] != 4) {
		nif->stats.arp_bad++;
		return;
	}
	op = net_get16(pkt + 6);
	/* A group address is never a sender's own. */
	if ((op != ARP_OP_REQUEST && op != ARP_OP_REPLY) || (pkt[8] & 1)) {
		nif->stats.arp_bad++;
		return;
	}
	memcpy(&spa, pkt + 14, 4);
	memcpy(&tpa, pkt + 24, 4);
	for_us = nif->configured && tpa == nif->cfg.addr;
	merge(nif, op, pkt + 8, spa, for_us);
	if (op == ARP_OP_REQUEST && for_us)
		arp_send(nif, ARP_OP_REPLY, pkt + 8, spa, pkt + 8);
}

/* e's deadline came: the next request, giving up, or forgetting. */
static void entry_timer_fire(struct uk_timer *t, void *arg)
{
	struct net_if *nif = arg;
	struct arp_entry *e = (struct arp_entry *)((char *)t - offsetof(struct arp_entry, timer));
	uint64_t now = uk_now_ns();

	if (e->state == ARP_RESOLVING && e->tries < ARP_TRIES) {
		request(nif, e, now);
	} else if (e->state == ARP_RESOLVING) {
		nif->stats.arp_unresolved += queue_drop(nif->arp, e);
		e->state = ARP_FAILED;
		entry_set_deadline(e, now + ARP_FAILED_NS);
	} else {
		e->state = ARP_FREE; /* expired: the next send resolves again */
		ip4_routes_changed();
	}
}
