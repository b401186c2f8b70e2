/*
 * The DHCP client: messages (building and checking) and the state machine
 * of RFC 2131 in one thread per interface. See <net/dhcp.h>.
 *
 * Choices worth knowing:
 * - The BROADCAST flag is set in DISCOVER and in the REQUEST of REQUESTING
 *   (not when ciaddr is set: RENEWING and REBINDING get unicast replies to
 *   our address). The stack would accept a unicast reply to the offered
 *   address while unconfigured, but the flag makes no demand on that path
 *   and is what slirp and dnsmasq answer most plainly (slirp broadcasts its
 *   replies whatever the flag says; dnsmasq honours it).
 * - Messages are padded to 548 bytes (a 576-byte IP datagram, RFC 2131's
 *   minimum that every agent accepts): libslirp since 4.6 drops a BOOTP
 *   request shorter than its struct bootp_t (548 bytes after IP and UDP).
 * - xids and the +-1 s jitter come from <uk/random.h>, seeded at boot from
 *   the platform's entropy: RDRAND on Xen, the simulator's --seed in the
 *   sim build, so a run under --clock virtual repeats with its seed (and a
 *   replayed exchange gets its lease when replayed with the recording's
 *   seed).
 * - The flow stays a thread: each state reads as the RFC's sequence of
 *   send, wait for a reply or a deadline, retransmit. Its deadlines are
 *   those of the waits (the scheduler keeps them as timers); dhcp_stop
 *   interrupts a wait at once with a pending socket error.
 * - Option overload (52) is not followed: options in sname/file are ignored.
 *   Of an option that appears twice, the first counts (no RFC 3396
 *   concatenation). No ARP probe of the offered address (no DHCPDECLINE),
 *   no INIT-REBOOT, no DHCPRELEASE.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <uk/alloc.h>
#include <uk/boot.h>
#include <uk/random.h>
#include <uk/sched.h>
#include <uk/time.h>

#include <net/dhcp.h>
#include <net/socket.h>

#include "net_private.h"

#define SEC UK_NSEC_PER_SEC

/* BOOTP (RFC 951) fixed fields and the DHCP magic cookie. */
#define BOOTP_OP 0
#define BOOTP_HTYPE 1
#define BOOTP_HLEN 2
#define BOOTP_XID 4
#define BOOTP_SECS 8
#define BOOTP_FLAGS 10
#define BOOTP_CIADDR 12
#define BOOTP_YIADDR 16
#define BOOTP_SIADDR 20
#define BOOTP_CHADDR 28
#define BOOTP_COOKIE 236
#define BOOTP_OPTIONS 240
#define BOOTP_REQUEST 1
#define BOOTP_REPLY 2
#define BOOTP_FLAG_BROADCAST 0x8000
#define DHCP_COOKIE 0x63825363u
#define DHCP_MSG_LEN 548    /* what we send: 576 bytes of IP */
#define DHCP_RX_MAX 1500    /* the largest reply we take */

/* Options (RFC 2132). */
#define OPT_PAD 0
#define OPT_NETMASK 1
#define OPT_ROUTER 3
#define OPT_DNS 6
#define OPT_HOSTNAME 12
#define OPT_REQUESTED_ADDR 50
#define OPT_LEASE_TIME 51
#define OPT_MSG_TYPE 53
#define OPT_SERVER_ID 54
#define OPT_PARAM_LIST 55
#define OPT_T1 58
#define OPT_T2 59
#define OPT_CLIENT_ID 61
#define OPT_END 255

/* Message types (option 53). */
#define DHCPDISCOVER 1
#define DHCPOFFER 2
#define DHCPREQUEST 3
#define DHCPDECLINE 4
#define DHCPACK 5
#define DHCPNAK 6
#define DHCPRELEASE 7
#define DHCPINFORM 8

/* Timers (RFC 2131 4.1, 4.4.5). */
#define BACKOFF_FIRST_S 4
#define BACKOFF_MAX_S 64
#define REQUEST_TRIES 4
#define RETRANSMIT_MIN_NS (60 * SEC)

/* A received message, checked; addresses in network order. */
struct dhcp_msg {
	uint8_t type;
	ip4_addr_t yiaddr;
	ip4_addr_t server, netmask, router;
	ip4_addr_t dns[NET_IF_MAX_DNS];
	uint32_t lease, t1, t2;
	bool has_server, has_netmask, has_lease, has_t1, has_t2;
};

/* What to put in a message we send. */
struct dhcp_out {
	uint8_t type;
	ip4_addr_t ciaddr, requested, server; /* requested/server: IP4_ANY leaves them out */
	bool broadcast;
};

struct dhcp_client {
	struct net_if *nif;
	struct net_socket *sock;
	struct uk_thread *thread;
	uint8_t mac[6];
	enum dhcp_state state;
	bool stopping;
	bool configured;            /* we set an address on nif */
	unsigned int waiters;       /* threads in dhcp_wait_bound */
	struct uk_waitq wake;       /* dhcp_stop wakes the client's sleeps */
	struct uk_waitq bound_wq;   /* dhcp_wait_bound */
	uint32_t xid;
	uint64_t exchange_start;    /* for secs */
	uint64_t request_sent;      /* first transmission of the current REQUEST */
	unsigned int naks;          /* consecutive NAKs */
	ip4_addr_t offer_addr, offer_server;
	struct dhcp_lease lease;
	struct dhcp_stats stats;
	struct dhcp_client *next;
	uint8_t tx[DHCP_MSG_LEN];
	uint8_t rx[DHCP_RX_MAX];
};

static struct dhcp_client *clients;

/* --- small helpers --- */

static struct dhcp_client *client_of(const struct net_if *nif)
{
	for (struct dhcp_client *c = clients; c; c = c->next)
		if (c->nif == nif)
			return c;
	return NULL;
}

/* RFC 2131 4.1: 4, 8, 16, 32, 64, 64 ... seconds, each +-1 s at random. */
static uint64_t backoff_ns(struct dhcp_client *c, unsigned int attempt)
{
	uint64_t base = attempt >= 4 ? BACKOFF_MAX_S : (uint64_t)BACKOFF_FIRST_S << attempt;
	uint64_t jitter = uk_random_below(2 * SEC + 1);

	return base * SEC + jitter - SEC;
}

static bool addr_is_unicast(ip4_addr_t a)
{
	uint8_t first = (uint8_t)(a & 0xff); /* network order: the first octet is lowest */

	return a != IP4_ANY && a != IP4_BROADCAST && first != 0 && first != 127 && first < 224;
}

/* RFC 1122's default when no subnet mask is given (class A, B or C). */
static ip4_addr_t classful_mask(ip4_addr_t a)
{
	uint8_t first = (uint8_t)(a & 0xff);

	return ip4_prefix_mask(first < 128 ? 8 : first < 192 ? 16 : 24);
}

static void set_state(struct dhcp_client *c, enum dhcp_state s)
{
	c->state = s;
	if (s == DHCP_BOUND || s == DHCP_RENEWING || s == DHCP_REBINDING)
		uk_waitq_wake_all(&c->bound_wq);
}

/* Sleeps until deadline (UINT64_MAX: forever) or dhcp_stop. */
static void sleep_until(struct dhcp_client *c, uint64_t deadline)
{
	while (!c->stopping && uk_now_ns() < deadline)
		uk_waitq_wait(&c->wake, deadline == UINT64_MAX ? 0 : deadline);
}

static void new_exchange(struct dhcp_client *c)
{
	c->xid = uk_random_u32();
	c->exchange_start = uk_now_ns();
}

/* --- building --- */

static uint8_t *opt_put(uint8_t *p, uint8_t code, const void *val, uint8_t len)
{
	*p++ = code;
	*p++ = len;
	memcpy(p, val, len);
	return p + len;
}

/* The unikernel's name as a host name: letters, digits and '-', at most 63. */
static uint8_t hostname(char out[64])
{
	uint8_t n = 0;

	for (const char *s = uk_app_name; *s && n < 63; s++) {
		char ch = *s;
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9');
		out[n++] = ok ? ch : '-';
	}
	return n;
}

static size_t msg_build(struct dhcp_client *c, const struct dhcp_out *o)
{
	static const uint8_t params[] = { OPT_NETMASK, OPT_ROUTER, OPT_DNS, OPT_LEASE_TIME,
					  OPT_T1, OPT_T2 };
	uint8_t *b = c->tx, *p;
	uint8_t client_id[7] = { 1 };
	uint64_t secs = (uk_now_ns() - c->exchange_start) / SEC;
	char name[64];
	uint8_t name_len = hostname(name);

	memset(b, 0, sizeof(c->tx));
	b[BOOTP_OP] = BOOTP_REQUEST;
	b[BOOTP_HTYPE] = 1;
	b[BOOTP_HLEN] = 6;
	net_put32(b + BOOTP_XID, c->xid);
	net_put16(b + BOOTP_SECS, (uint16_t)(secs > 0xffff ? 0xffff : secs));
	net_put16(b + BOOTP_FLAGS, o->broadcast ? BOOTP_FLAG_BROADCAST : 0);
	memcpy(b + BOOTP_CIADDR, &o->ciaddr, 4);
	memcpy(b + BOOTP_CHADDR, c->mac, 6);
	net_put32(b + BOOTP_COOKIE, DHCP_COOKIE);
	p = b + BOOTP_OPTIONS;
	p = opt_put(p, OPT_MSG_TYPE, &o->type, 1);
	memcpy(client_id + 1, c->mac, 6);
	p = opt_put(p, OPT_CLIENT_ID, client_id, sizeof(client_id));
	if (o->requested != IP4_ANY)
		p = opt_put(p, OPT_REQUESTED_ADDR, &o->requested, 4);
	if (o->server != IP4_ANY)
		p = opt_put(p, OPT_SERVER_ID, &o->server, 4);
	p = opt_put(p, OPT_PARAM_LIST, params, sizeof(params));
	if (name_len)
		p = opt_put(p, OPT_HOSTNAME, name, name_len);
	*p = OPT_END;
	return sizeof(c->tx);
}

static void msg_send(struct dhcp_client *c, const struct dhcp_out *o, ip4_addr_t dst)
{
	size_t len = msg_build(c, o);
	int rc = net_sendto(c->sock, c->tx, len, dst, DHCP_SERVER_PORT);

	if (rc < 0)
		c->stats.send_errors++;
	else if (o->type == DHCPDISCOVER)
		c->stats.discovers++;
	else
		c->stats.requests++;
}

/* --- checking what arrives --- */

/* Takes one option we use; -EBADMSG when its length or value is wrong. */
static int opt_take(struct dhcp_msg *m, uint8_t code, const uint8_t *v, size_t len)
{
	switch (code) {
	case OPT_MSG_TYPE:
		if (len != 1)
			return -EBADMSG;
		m->type = v[0];
		return 0;
	case OPT_NETMASK:
		if (len != 4)
			return -EBADMSG;
		memcpy(&m->netmask, v, 4);
		if (ip4_mask_prefix(m->netmask) < 1)
			return -EBADMSG;
		m->has_netmask = true;
		return 0;
	case OPT_ROUTER:
	case OPT_DNS:
		if (len < 4 || len % 4)
			return -EBADMSG;
		if (code == OPT_ROUTER)
			memcpy(&m->router, v, 4);
		for (size_t i = 0; code == OPT_DNS && i < NET_IF_MAX_DNS && i * 4 < len; i++)
			memcpy(&m->dns[i], v + i * 4, 4);
		return 0;
	case OPT_SERVER_ID:
	case OPT_LEASE_TIME:
	case OPT_T1:
	case OPT_T2:
		if (len != 4)
			return -EBADMSG;
		if (code == OPT_SERVER_ID) {
			memcpy(&m->server, v, 4);
			m->has_server = true;
		} else if (code == OPT_LEASE_TIME) {
			m->lease = net_get32(v);
			m->has_lease = true;
		} else if (code == OPT_T1) {
			m->t1 = net_get32(v);
			m->has_t1 = true;
		} else {
			m->t2 = net_get32(v);
			m->has_t2 = true;
		}
		return 0;
	default:
		return 0;
	}
}

/* Walks the options field; every length is checked against its end. */
static int opts_parse(const uint8_t *p, size_t len, struct dhcp_msg *m)
{
	uint8_t seen[32] = { 0 };
	size_t i = 0;

	while (i < len) {
		uint8_t code = p[i];

		if (code == OPT_PAD) {
			i++;
			continue;
		}
		if (code == OPT_END)
			return 0;
		if (len - i < 2 || p[i + 1] > len - i - 2)
			return -EBADMSG; /* the length byte or the value runs past the end */
		if (!(seen[code / 8] & (1u << (code % 8)))) {
			seen[code / 8] |= (uint8_t)(1u << (code % 8));
			if (opt_take(m, code, p + i + 2, p[i + 1]) < 0)
				return -EBADMSG;
		}
		i += 2u + p[i + 1];
	}
	return -EBADMSG; /* no end option */
}

/* 0 when buf[0..n) is a well-formed reply to our current exchange; else counts why not. */
static int msg_parse(struct dhcp_client *c, const uint8_t *buf, size_t n, struct dhcp_msg *m)
{
	struct dhcp_stats *st = &c->stats;

	memset(m, 0, sizeof(*m));
	if (n < BOOTP_OPTIONS || n > DHCP_RX_MAX) {
		st->malformed++;
		st->truncated++;
		return -EBADMSG;
	}
	if (buf[BOOTP_OP] != BOOTP_REPLY || buf[BOOTP_HTYPE] != 1 || buf[BOOTP_HLEN] != 6 ||
	    net_get32(buf + BOOTP_COOKIE) != DHCP_COOKIE) {
		st->malformed++;
		st->bad_header++;
		return -EBADMSG;
	}
	if (net_get32(buf + BOOTP_XID) != c->xid) {
		st->wrong_xid++;
		return -ESRCH;
	}
	if (memcmp(buf + BOOTP_CHADDR, c->mac, 6) != 0) {
		st->wrong_chaddr++;
		return -ESRCH;
	}
	if (opts_parse(buf + BOOTP_OPTIONS, n - BOOTP_OPTIONS, m) < 0) {
		st->malformed++;
		st->bad_options++;
		return -EBADMSG;
	}
	if (m->type < DHCPDISCOVER || m->type > DHCPINFORM) {
		st->malformed++;
		st->no_msg_type++;
		return -EBADMSG;
	}
	memcpy(&m->yiaddr, buf + BOOTP_YIADDR, 4);
	return 0;
}

/* Whether a well-formed message is one this state can act on (counts when not). */
static bool msg_usable(struct dhcp_client *c, const struct dhcp_msg *m, unsigned int want)
{
	ip4_addr_t expect_server = c->state == DHCP_REQUESTING ? c->offer_server
				 : c->state == DHCP_RENEWING   ? c->lease.server
							       : IP4_ANY;

	if (!(want & (1u << m->type))) {
		c->stats.unexpected++;
		return false;
	}
	if (expect_server != IP4_ANY && m->has_server && m->server != expect_server) {
		c->stats.unexpected++;
		return false;
	}
	if ((m->type == DHCPOFFER && (!addr_is_unicast(m->yiaddr) || !m->has_server)) ||
	    (m->type == DHCPACK && (!addr_is_unicast(m->yiaddr) || !m->has_lease))) {
		c->stats.unusable++;
		return false;
	}
	return true;
}

/*
 * Waits for a usable reply of a type in want (a bit per type) until
 * deadline. 1 with it in *m, 0 at the deadline, -ENOENT when stopping (dhcp_stop).
 */
static int wait_reply(struct dhcp_client *c, uint64_t deadline, unsigned int want,
		      struct dhcp_msg *m)
{
	for (;;) {
		int n;

		if (c->stopping)
			return -ENOENT;
		if (uk_now_ns() >= deadline)
			return 0;
		n = net_recvfrom(c->sock, c->rx, sizeof(c->rx), NULL, NULL, deadline);
		if (n == -ETIMEDOUT || n == -ECONNREFUSED)
			continue;
		if (n < 0) {
			/* Unexpected: let time pass rather than spin on it. */
			sleep_until(c, deadline);
			continue;
		}
		if (msg_parse(c, c->rx, (size_t)n, m) == 0 && msg_usable(c, m, want))
			return 1;
	}
}

/* --- the lease --- */

static void lease_times(struct dhcp_lease *l, const struct dhcp_msg *m, uint64_t start)
{
	uint32_t lease = m->lease < DHCP_MIN_LEASE_S ? DHCP_MIN_LEASE_S : m->lease;
	uint64_t ns = (uint64_t)lease * SEC;
	bool server_t2 = m->has_t2 && m->t2 <= lease;
	bool server_t1 = m->has_t1 && m->t1 <= (server_t2 ? m->t2 : lease / 8 * 7);

	l->start_ns = start;
	l->lease_s = lease;
	if (lease == DHCP_INFINITE_LEASE) {
		l->t1_s = l->t2_s = DHCP_INFINITE_LEASE;
		l->t1_ns = l->t2_ns = l->expiry_ns = UINT64_MAX;
		return;
	}
	/* The server's times to the second, the defaults (1/2, 7/8) to the nanosecond. */
	l->expiry_ns = start + ns;
	l->t2_ns = start + (server_t2 ? (uint64_t)m->t2 * SEC : ns / 8 * 7);
	l->t1_ns = start + (server_t1 ? (uint64_t)m->t1 * SEC : ns / 2);
	if (l->t1_ns > l->t2_ns)
		l->t1_ns = l->t2_ns;
	l->t2_s = (uint32_t)((l->t2_ns - start) / SEC);
	l->t1_s = (uint32_t)((l->t1_ns - start) / SEC);
}

static void unconfigure(struct dhcp_client *c)
{
	struct net_if_config cfg;

	if (!c->configured)
		return;
	memset(&cfg, 0, sizeof(cfg));
	net_if_set_config(c->nif, &cfg);
	c->configured = false;
	memset(&c->lease, 0, sizeof(c->lease));
}

/* An ACK: takes the lease and configures nif (only when something changed). */
static void lease_take(struct dhcp_client *c, const struct dhcp_msg *m)
{
	struct dhcp_lease *l = &c->lease;
	struct net_if_config cfg, now;

	l->addr = m->yiaddr;
	l->netmask = m->has_netmask ? m->netmask : classful_mask(m->yiaddr);
	l->router = addr_is_unicast(m->router) ? m->router : IP4_ANY;
	memcpy(l->dns, m->dns, sizeof(l->dns));
	if (m->has_server)
		l->server = m->server;
	else if (c->state == DHCP_REQUESTING)
		l->server = c->offer_server;
	lease_times(l, m, c->request_sent);

	memset(&cfg, 0, sizeof(cfg));
	cfg.addr = l->addr;
	cfg.netmask = l->netmask;
	cfg.gateway = l->router;
	memcpy(cfg.dns, l->dns, sizeof(cfg.dns));
	net_if_get_config(c->nif, &now);
	if (!c->configured || memcmp(&cfg, &now, sizeof(cfg)) != 0)
		net_if_set_config(c->nif, &cfg);
	c->configured = true;
	c->naks = 0;
	c->stats.acks++;
}

static enum dhcp_state after_nak(struct dhcp_client *c)
{
	c->stats.naks++;
	c->naks++;
	unconfigure(c);
	return DHCP_INIT;
}

/* --- the states: each runs until it knows the next --- */

static enum dhcp_state run_init(struct dhcp_client *c)
{
	/* After a NAK: again at once the first time, then backing off. */
	if (c->naks > 1)
		sleep_until(c, uk_now_ns() + backoff_ns(c, c->naks - 2));
	new_exchange(c);
	return DHCP_SELECTING;
}

static enum dhcp_state run_selecting(struct dhcp_client *c)
{
	const struct dhcp_out out = { .type = DHCPDISCOVER, .broadcast = true };
	struct dhcp_msg m;

	for (unsigned int attempt = 0;; attempt++) {
		int rc;

		msg_send(c, &out, IP4_BROADCAST);
		rc = wait_reply(c, uk_now_ns() + backoff_ns(c, attempt), 1u << DHCPOFFER, &m);
		if (rc < 0)
			return DHCP_STOPPED;
		if (rc > 0) {
			c->stats.offers++;
			c->offer_addr = m.yiaddr;
			c->offer_server = m.server;
			return DHCP_REQUESTING;
		}
	}
}

static enum dhcp_state run_requesting(struct dhcp_client *c)
{
	const struct dhcp_out out = { .type = DHCPREQUEST, .requested = c->offer_addr,
				      .server = c->offer_server, .broadcast = true };
	const unsigned int want = 1u << DHCPACK | 1u << DHCPNAK;
	struct dhcp_msg m;

	c->request_sent = uk_now_ns();
	for (unsigned int attempt = 0; attempt < REQUEST_TRIES; attempt++) {
		int rc;

		msg_send(c, &out, IP4_BROADCAST);
		rc = wait_reply(c, uk_now_ns() + backoff_ns(c, attempt), want, &m);
		if (rc < 0)
			return DHCP_STOPPED;
		if (rc > 0 && m.type == DHCPNAK)
			return after_nak(c);
		if (rc > 0) {
			lease_take(c, &m);
			c->stats.leases++;
			return DHCP_BOUND;
		}
	}
	return DHCP_INIT;
}

static enum dhcp_state run_bound(struct dhcp_client *c)
{
	sleep_until(c, c->lease.t1_ns);
	return c->stopping ? DHCP_STOPPED : DHCP_RENEWING;
}

/*
 * RENEWING (unicast to the server until T2) and REBINDING (broadcast until
 * the lease ends): retransmit after half the time left, at least 60 s.
 */
static enum dhcp_state run_extend(struct dhcp_client *c, bool renew)
{
	const struct dhcp_out out = { .type = DHCPREQUEST, .ciaddr = c->lease.addr };
	const unsigned int want = 1u << DHCPACK | 1u << DHCPNAK;
	uint64_t end = renew ? c->lease.t2_ns : c->lease.expiry_ns;
	struct dhcp_msg m;

	new_exchange(c);
	c->request_sent = c->exchange_start;
	for (;;) {
		uint64_t now = uk_now_ns(), wait;
		int rc;

		if (now >= end)
			break;
		wait = (end - now) / 2 > RETRANSMIT_MIN_NS ? (end - now) / 2 : RETRANSMIT_MIN_NS;
		msg_send(c, &out, renew ? c->lease.server : IP4_BROADCAST);
		rc = wait_reply(c, end - now > wait ? now + wait : end, want, &m);
		if (rc < 0)
			return DHCP_STOPPED;
		if (rc > 0 && m.type == DHCPNAK)
			return after_nak(c);
		if (rc > 0) {
			lease_take(c, &m);
			if (renew)
				c->stats.renewals++;
			else
				c->stats.rebinds++;
			return DHCP_BOUND;
		}
	}
	if (renew)
		return DHCP_REBINDING;
	c->stats.expiries++;
	unconfigure(c);
	return DHCP_INIT;
}

static int client_thread(void *arg)
{
	struct dhcp_client *c = arg;

	while (!c->stopping && c->state != DHCP_STOPPED) {
		enum dhcp_state next;

		switch (c->state) {
		case DHCP_INIT:
			next = run_init(c);
			break;
		case DHCP_SELECTING:
			next = run_selecting(c);
			break;
		case DHCP_REQUESTING:
			next = run_requesting(c);
			break;
		case DHCP_BOUND:
			next = run_bound(c);
			break;
		case DHCP_RENEWING:
			next = run_extend(c, true);
			break;
		case DHCP_REBINDING:
			next = run_extend(c, false);
			break;
		default:
			next = DHCP_STOPPED;
			break;
		}
		if (!c->stopping)
			set_state(c, next);
	}
	return 0;
}

/* --- the public calls --- */

static int open_socket(struct net_if *nif, struct net_socket **out)
{
	struct net_socket *s;
	int rc = net_socket(NET_SOCK_DGRAM, &s);

	if (rc < 0)
		return rc;
	if ((rc = net_bind_if(s, nif)) < 0 || (rc = net_set_broadcast(s, true)) < 0 ||
	    (rc = net_bind(s, IP4_ANY, DHCP_CLIENT_PORT)) < 0) {
		net_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

int dhcp_start(struct net_if *nif)
{
	struct dhcp_client *c;
	char name[32];
	int rc;

	if (client_of(nif))
		return -EBUSY;
	c = uk_calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->nif = nif;
	net_if_mac(nif, c->mac);
	uk_waitq_init(&c->wake);
	uk_waitq_init(&c->bound_wq);
	c->state = DHCP_INIT;
	rc = open_socket(nif, &c->sock);
	if (rc < 0) {
		uk_free(c);
		return rc;
	}
	snprintf(name, sizeof(name), "dhcp-%u", nif->index);
	c->thread = uk_thread_create(name, client_thread, c);
	if (!c->thread) {
		net_close(c->sock);
		uk_free(c);
		return -ENOMEM;
	}
	c->next = clients;
	clients = c;
	return 0;
}

static bool has_lease(const struct dhcp_client *c)
{
	return c->state == DHCP_BOUND || c->state == DHCP_RENEWING ||
	       c->state == DHCP_REBINDING;
}

int dhcp_wait_bound(struct net_if *nif, uint64_t deadline_ns)
{
	struct dhcp_client *c = client_of(nif);
	int rc = 0;

	if (!c)
		return -ENOENT;
	c->waiters++;
	while (!c->stopping && !has_lease(c) && rc == 0)
		rc = uk_waitq_wait(&c->bound_wq, deadline_ns);
	c->waiters--;
	if (c->stopping)
		return -ENOENT;
	return has_lease(c) ? 0 : rc;
}

int dhcp_stop(struct net_if *nif)
{
	struct dhcp_client *c = client_of(nif), **pp;

	if (!c || c->stopping)
		return -ENOENT;
	c->stopping = true;
	uk_waitq_wake_all(&c->wake);
	/* A receive in progress returns this at once (the socket's pending error). */
	c->sock->error = -ENOENT;
	net_socket_wake(c->sock);
	uk_thread_join(c->thread);
	/* Let dhcp_wait_bound callers see it stop before it goes. */
	uk_waitq_wake_all(&c->bound_wq);
	while (c->waiters)
		uk_yield();
	for (pp = &clients; *pp != c; pp = &(*pp)->next)
		;
	*pp = c->next;
	unconfigure(c);
	net_close(c->sock);
	uk_free(c);
	return 0;
}

enum dhcp_state dhcp_get_state(const struct net_if *nif)
{
	const struct dhcp_client *c = client_of(nif);

	return c && !c->stopping ? c->state : DHCP_STOPPED;
}

const char *dhcp_state_name(enum dhcp_state state)
{
	static const char *const names[] = {
		[DHCP_STOPPED] = "STOPPED",     [DHCP_INIT] = "INIT",
		[DHCP_SELECTING] = "SELECTING", [DHCP_REQUESTING] = "REQUESTING",
		[DHCP_BOUND] = "BOUND",         [DHCP_RENEWING] = "RENEWING",
		[DHCP_REBINDING] = "REBINDING",
	};

	return (unsigned int)state < sizeof(names) / sizeof(names[0]) ? names[state] : "?";
}

int dhcp_get_lease(const struct net_if *nif, struct dhcp_lease *lease)
{
	const struct dhcp_client *c = client_of(nif);

	if (!c)
		return -ENOENT;
	if (!has_lease(c))
		return -EAGAIN;
	*lease = c->lease;
	return 0;
}

int dhcp_get_stats(const struct net_if *nif, struct dhcp_stats *stats)
{
	const struct dhcp_client *c = client_of(nif);

	if (!c)
		return -ENOENT;
	*stats = c->stats;
	return 0;
}
