/*
 * Reassembly of IPv4 fragments with RFC 815's hole descriptors, one
 * datagram per (source, destination, identification, protocol).
 *
 * Policy:
 * - A datagram must complete within REASS_TIMEOUT_NS of its first fragment
 *   (30 s, Linux's default; RFC 1122 suggests 60-120 s, but a shorter time
 *   holds the memory bound for less). On expiry it is dropped
 *   (ip_frag_timeout) and, when its first fragment came, ICMP time exceeded
 *   goes to the sender (RFC 792, RFC 1122 3.3.2).
 * - At most REASS_MAX_DGRAMS datagrams and REASS_MAX_BYTES of buffers and
 *   descriptors per interface; a fragment that would exceed either is
 *   dropped with its datagram (ip_frag_memory): a datagram that lost a
 *   fragment can never complete.
 * - Overlaps drop the whole datagram (ip_frag_overlap), the stance of
 *   RFC 5722 for IPv6 and of Linux for IPv4 since FragmentSmack: no
 *   teardrop-style ambiguity about which bytes win. A fragment whose bytes
 *   were all received already, with the same contents, is a harmless
 *   duplicate and is ignored.
 * - A fragment reaching beyond 65515 payload bytes (65535 with the header)
 *   drops its datagram (ip_bad_length); so does an empty fragment or a
 *   non-last one whose length is not a multiple of 8.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <uk/alloc.h>
#include <uk/time.h>
#include <uk/timer.h>

#include "net_private.h"

#define REASS_TIMEOUT_NS (30 * UK_NSEC_PER_SEC)
#define REASS_MAX_DGRAMS 16
#define REASS_MAX_BYTES (256 * 1024)
#define REASS_MAX_HOLES 64
#define REASS_NO_END UINT32_MAX

struct reass_hole {
	uint32_t first, last; /* inclusive byte offsets; last REASS_NO_END: open */
};

struct reass_dgram {
	struct reass_dgram *next;
	ip4_addr_t src, dst;
	uint16_t id;
	uint8_t proto, ttl;
	bool broadcast;
	struct uk_timer timer; /* fires REASS_TIMEOUT_NS after the first fragment */
	uint8_t *buf;
	size_t cap;
	uint32_t total;       /* payload length once the last fragment came, else 0 */
	uint32_t max_end;     /* end of the furthest fragment received */
	struct reass_hole holes[REASS_MAX_HOLES];
	unsigned int n_holes;
	uint8_t hdr[60];      /* the first fragment's header, for ICMP time exceeded */
	size_t hdr_len;       /* 0 until the first fragment came */
};

struct ip4_reass {
	struct reass_dgram *list;
	unsigned int count;
	size_t bytes;
};

int ip4_reass_init(struct net_if *nif)
{
	nif->reass = uk_calloc(1, sizeof(*nif->reass));
	return nif->reass ? 0 : -ENOMEM;
}

static void dgram_unlink(struct ip4_reass *r, struct reass_dgram *d)
{
	struct reass_dgram **pp = &r->list;

	while (*pp != d)
		pp = &(*pp)->next;
	*pp = d->next;
	r->count--;
	r->bytes -= sizeof(*d) + d->cap;
}

static void dgram_free(struct ip4_reass *r, struct reass_dgram *d)
{
	uk_timer_cancel(&d->timer);
	dgram_unlink(r, d);
	uk_free(d->buf);
	uk_free(d);
}

void ip4_reass_fini(struct net_if *nif)
{
	if (!nif->reass)
		return;
	while (nif->reass->list)
		dgram_free(nif->reass, nif->reass->list);
	uk_free(nif->reass);
	nif->reass = NULL;
}

static struct reass_dgram *dgram_find(struct ip4_reass *r, const struct ip4_info *ip,
				      uint16_t id)
{
	for (struct reass_dgram *d = r->list; d; d = d->next)
		if (d->src == ip->src && d->dst == ip->dst && d->id == id && d->proto == ip->proto)
			return d;
	return NULL;
}

static void dgram_timed_out(struct uk_timer *t, void *arg);

static struct reass_dgram *dgram_new(struct net_if *nif, const struct ip4_info *ip, uint16_t id)
{
	struct ip4_reass *r = nif->reass;
	struct reass_dgram *d;

	if (r->count >= REASS_MAX_DGRAMS || r->bytes + sizeof(*d) > REASS_MAX_BYTES) {
		nif->stats.ip_frag_memory++;
		return NULL;
	}
	if (!(d = uk_calloc(1, sizeof(*d)))) {
		nif->stats.nomem++;
		return NULL;
	}
	d->src = ip->src;
	d->dst = ip->dst;
	d->id = id;
	d->proto = ip->proto;
	d->ttl = ip->ttl;
	d->broadcast = ip->broadcast;
	uk_timer_init(&d->timer, dgram_timed_out, nif);
	uk_timer_arm(&d->timer, REASS_TIMEOUT_NS);
	d->holes[0] = (struct reass_hole){ 0, REASS_NO_END };
	d->n_holes = 1;
	d->next = r->list;
	r->list = d;
	r->count++;
	r->bytes += sizeof(*d);
	return d;
}

/* Makes room for end bytes within the memory bound. */
static int dgram_grow(struct net_if *nif, struct reass_dgram *d, size_t end)
{
	struct ip4_reass *r = nif->reass;
	size_t cap = d->total ? d->total : (end + 2047) & ~(size_t)2047;
	uint8_t *buf;

	if (end <= d->cap)
		return 0;
	if (cap > IP4_MAX_PAYLOAD)
		cap = IP4_MAX_PAYLOAD;
	if (r->bytes + (cap - d->cap) > REASS_MAX_BYTES) {
		nif->stats.ip_frag_memory++;
		return -ENOBUFS;
	}
	if (!(buf = uk_realloc(d->buf, cap))) {
		nif->stats.nomem++;
		return -ENOMEM;
	}
	r->bytes += cap - d->cap;
	d->buf = buf;
	d->cap = cap;
	return 0;
}

/* The hole that holds [first, end) whole, or -1. */
static int hole_find(const struct reass_dgram *d, uint32_t first, uint32_t end)
{
	for (unsigned int i = 0; i < d->n_holes; i++)
		if (d->holes[i].first <= first && end - 1 <= d->holes[i].last)
			return (int)i;
	return -1;
}

/* Whether [first, end) was received already, with these very bytes. */
static bool is_duplicate(const struct reass_dgram *d, uint32_t first, uint32_t end,
			 const uint8_t *data)
{
	for (unsigned int i = 0; i < d->n_holes; i++)
		if (d->holes[i].first < end && first <= d->holes[i].last)
			return false;
	return end <= d->max_end && !memcmp(d->buf + first, data, end - first);
}

/* RFC 815 steps 4-6 for a fragment inside hole i; the new holes need room. */
static int hole_fill(struct net_if *nif, struct reass_dgram *d, int i, uint32_t first,
		     uint32_t end, bool more)
{
	struct reass_hole h = d->holes[i];
	unsigned int added = (first > h.first) + (end - 1 < h.last && more);

	if (d->n_holes - 1 + added > REASS_MAX_HOLES) {
		nif->stats.ip_frag_memory++;
		return -ENOBUFS;
	}
	d->holes[i] = d->holes[--d->n_holes];
	if (first > h.first)
		d->holes[d->n_holes++] = (struct reass_hole){ h.first, first - 1 };
	if (end - 1 < h.last && more)
		d->holes[d->n_holes++] = (struct reass_hole){ end, h.last };
	return 0;
}

/* Places one fragment: 1 placed, 0 duplicate ignored, <0 the datagram must go. */
static int fragment_place(struct net_if *nif, struct reass_dgram *d, uint32_t first,
			  uint32_t end, bool more, const uint8_t *data)
{
	int i = hole_find(d, first, end), rc;

	if (i < 0 && is_duplicate(d, first, end, data))
		return 0;
	/* A last fragment must end the datagram where no byte was received yet. */
	if (i < 0 || (!more && (d->total || end < d->max_end))) {
		nif->stats.ip_frag_overlap++;
		return -EINVAL;
	}
	if (!more)
		d->total = end;
	if ((rc = dgram_grow(nif, d, end)) < 0 || (rc = hole_fill(nif, d, i, first, end, more)) < 0)
		return rc;
	memcpy(d->buf + first, data, end - first);
	if (end > d->max_end)
		d->max_end = end;
	return 1;
}

static void first_header_keep(struct reass_dgram *d, const struct ip4_info *ip)
{
	size_t n = ip->header_len < sizeof(d->hdr) ? ip->header_len : sizeof(d->hdr);

	memcpy(d->hdr, ip->header, n);
	d->hdr_len = n;
}

int ip4_reass_input(struct net_if *nif, const struct ip4_info *ip, uint16_t id,
		    uint16_t frag_off, bool more, const uint8_t *data, size_t len,
		    uint8_t **out, size_t *out_len)
{
	struct ip4_reass *r = nif->reass;
	struct reass_dgram *d = dgram_find(r, ip, id);
	uint32_t end = (uint32_t)frag_off + (uint32_t)len;
	int rc;

	if (!len || (more && (len & 7)) || end > IP4_MAX_PAYLOAD) {
		nif->stats.ip_bad_length++;
		if (d)
			dgram_free(r, d);
		return -EINVAL;
	}
	if (!d && !(d = dgram_new(nif, ip, id)))
		return -ENOBUFS;
	if ((rc = fragment_place(nif, d, frag_off, end, more, data)) <= 0) {
		if (rc < 0)
			dgram_free(r, d);
		return rc;
	}
	if (frag_off == 0)
		first_header_keep(d, ip);
	if (d->n_holes)
		return 0;
	*out = d->buf;
	*out_len = d->total;
	d->buf = NULL; /* handed to the caller */
	dgram_free(r, d);
	nif->stats.ip_reassembled++;
	return 1;
}

/* ICMP time exceeded (code 1: reassembly) for d, when its first fragment came. */
static void time_exceeded(struct net_if *nif, struct reass_dgram *d)
{
	struct ip4_info ip = {
		.src = d->src, .dst = d->dst, .proto = d->proto, .ttl = d->ttl,
		.header = d->hdr, .header_len = d->hdr_len, .broadcast = d->broadcast,
	};

	/* The first fragment is a non-empty multiple of 8 bytes: 8 are there. */
	if (d->hdr_len)
		icmp_send_error(nif, 11, 1, &ip, d->buf, 8);
}

/* d's time is up: it is dropped, and its sender told when it can be. */
static void dgram_timed_out(struct uk_timer *t, void *arg)
{
	struct net_if *nif = arg;
	struct reass_dgram *d = (struct reass_dgram *)((char *)t - offsetof(struct reass_dgram, timer));

	nif->stats.ip_frag_timeout++;
	dgram_unlink(nif->reass, d);
	time_exceeded(nif, d);
	uk_free(d->buf);
	uk_free(d);
}
