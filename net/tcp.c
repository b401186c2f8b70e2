/*
 * TCP connections: the control blocks (struct tcp_pcb), the table of those
 * that hold a local port, lookup of the connection a segment belongs to,
 * ephemeral ports, state changes and the end of a connection.
 *
 * Lifetime: a pcb is made with its socket (net_socket) or by a listener for
 * a SYN. It is freed when it is CLOSED and no socket refers to it: a
 * connection the app closed (an orphan) finishes its close alone and is
 * freed at its end; a connection that ended under an open socket stays,
 * CLOSED, with its unread data and its error, until the app closes it.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <uk/alloc.h>
#include <uk/random.h>
#include <uk/time.h>

#include <uk/console.h>
#include <uk/exit.h>
#include <uk/sched.h>

#include "tcp_private.h"

#define TCP_EPHEMERAL_FIRST 49152u
#define TCP_EPHEMERAL_COUNT 16384u

struct tcp_stats tcp_stats;
uint64_t tcp_msl_ns = TCP_MSL_DEFAULT_NS;

/* Every pcb holding a local port: listeners, connections, bound sockets. */
static struct tcp_pcb *tcp_table;
static unsigned int tcp_live;
/* Connections by 4-tuple, so that a segment finds its own in O(1); and listeners. */
#define TCP_HASH_SIZE 1024
static struct tcp_pcb *tcp_hash_table[TCP_HASH_SIZE];
static struct tcp_pcb *tcp_listeners;

static unsigned int tcp_hash_of(ip4_addr_t raddr, uint16_t lport, uint16_t rport)
{
	uint32_t h = raddr ^ ((uint32_t)lport << 16 | rport);

	h ^= h >> 16;
	h *= 0x45d9f3bu;
	h ^= h >> 16;
	return h % TCP_HASH_SIZE;
}

void tcp_set_msl(uint64_t ns)
{
	tcp_msl_ns = ns;
}

void tcp_stats_get(struct tcp_stats *out)
{
	*out = tcp_stats;
}

unsigned int tcp_pcb_count(void)
{
	return tcp_live;
}

/* Closed by the application, with data or its FIN not yet acknowledged. */
static bool tcp_orphan_sending(const struct tcp_pcb *pcb)
{
	if (pcb->sock)
		return false;
	switch (pcb->state) {
	case TCP_FIN_WAIT_1:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		return true;
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
		return pcb->fin_queued; /* the FIN waits behind data */
	default:
		return false;
	}
}

/*
 * uk_atexit: the domain ends with the application, and a connection it
 * closed may still hold data the peer has not acknowledged (a kernel would
 * keep sending it after the process exits). Give such connections up to
 * TCP_EXIT_LINGER_NS to finish, and say so when they do not.
 */
void tcp_linger_at_exit(void)
{
	uint64_t start = uk_now_ns(), end = start + TCP_EXIT_LINGER_NS;
	unsigned int n;

	/* uk_exit from an event handler or a timer callback: nothing may sleep there (sched.c). */
	if (!uk_thread_self())
		end = start;

	for (;;) {
		n = 0;
		for (struct tcp_pcb *p = tcp_table; p; p = p->tbl.next)
			n += tcp_orphan_sending(p);
		if (!n || uk_now_ns() >= end)
			break;
		uk_sleep_ns(TCP_MS);
	}
	if (n)
		uk_printf("tcp: %u closed connection%s still sending after %u ms at exit: "
			  "the peer may not get all of its data\n", n, n == 1 ? "" : "s",
			  (unsigned int)((uk_now_ns() - start) / TCP_MS));
}

struct tcp_pcb *tcp_pcb_new(void)
{
	static bool linger_registered;
	struct tcp_pcb *pcb = uk_calloc(1, sizeof(*pcb));

	if (!linger_registered && uk_atexit(tcp_linger_at_exit) == 0)
		linger_registered = true;

	if (!pcb) {
		tcp_stats.nomem++;
		return NULL;
	}
	pcb->state = TCP_CLOSED;
	pcb->sndbuf = TCP_BUF_DEFAULT;
	pcb->rcvbuf = TCP_BUF_DEFAULT;
	pcb->mss = TCP_DEFAULT_MSS;
	pcb->rto_ns = TCP_RTO_INITIAL_NS;
	tcp_timers_init(pcb);
	return pcb;
}

/* --- lists a pcb leaves in O(1) (struct tcp_link, at offset off in the pcb) --- */

#define TCP_LINK(field) offsetof(struct tcp_pcb, field)

static struct tcp_link *tcp_link_of(struct tcp_pcb *pcb, size_t off)
{
	return (struct tcp_link *)((char *)pcb + off);
}

static bool tcp_linked(const struct tcp_link *l)
{
	return l->pprev != NULL;
}

/* Puts pcb where *at points (a list's head, or a pcb's next), before what was there. */
static void tcp_link_insert(struct tcp_pcb **at, struct tcp_pcb *pcb, size_t off)
{
	struct tcp_link *l = tcp_link_of(pcb, off);

	UK_ASSERT(!tcp_linked(l));
	l->next = *at;
	l->pprev = at;
	if (*at)
		tcp_link_of(*at, off)->pprev = &l->next;
	*at = pcb;
}

/* Takes pcb out of its list; returns what pointed at it (now at its successor). */
static struct tcp_pcb **tcp_link_remove(struct tcp_pcb *pcb, size_t off)
{
	struct tcp_link *l = tcp_link_of(pcb, off);
	struct tcp_pcb **pprev = l->pprev;

	*pprev = l->next;
	if (l->next)
		tcp_link_of(l->next, off)->pprev = pprev;
	l->next = NULL;
	l->pprev = NULL;
	return pprev;
}

void tcp_pcb_free(struct tcp_pcb *pcb)
{
	UK_ASSERT(!tcp_linked(&pcb->tbl) && !tcp_linked(&pcb->hash) && !tcp_linked(&pcb->lis) &&
		  !pcb->in_q && !pcb->sock);
	tcp_timers_stop(pcb);
	tcp_ring_free(&pcb->sndq);
	tcp_ring_free(&pcb->rcvq);
	tcp_lend_free(pcb);
	tcp_ooo_free(pcb);
	uk_free(pcb);
}

bool tcp_synchronized(enum tcp_state state)
{
	return state >= TCP_ESTABLISHED;
}

void tcp_set_state(struct tcp_pcb *pcb, enum tcp_state state)
{
	bool was_live = pcb->state != TCP_CLOSED, live = state != TCP_CLOSED;

	if (was_live != live)
		tcp_live += live ? 1 : -1;
	pcb->state = state;
	if (state == TCP_ESTABLISHED)
		pcb->ever_connected = true;
	tcp_pcb_wake(pcb);
}

void tcp_pcb_wake(struct tcp_pcb *pcb)
{
	if (pcb->sock)
		net_socket_wake(pcb->sock);
	else if (pcb->parent && pcb->parent->sock)
		net_socket_wake(pcb->parent->sock);
}

/* --- the table --- */

void tcp_pcb_table_add(struct tcp_pcb *pcb)
{
	tcp_link_insert(&tcp_table, pcb, TCP_LINK(tbl));
}

void tcp_pcb_hash(struct tcp_pcb *pcb)
{
	tcp_link_insert(&tcp_hash_table[tcp_hash_of(pcb->raddr, pcb->lport, pcb->rport)], pcb,
			TCP_LINK(hash));
}

void tcp_pcb_listen(struct tcp_pcb *pcb)
{
	tcp_link_insert(&tcp_listeners, pcb, TCP_LINK(lis));
}

/* Leaves the 4-tuple hash and the listeners (it keeps its port). */
static void tcp_pcb_unhash(struct tcp_pcb *pcb)
{
	if (tcp_linked(&pcb->hash))
		(void)tcp_link_remove(pcb, TCP_LINK(hash));
	if (tcp_linked(&pcb->lis))
		(void)tcp_link_remove(pcb, TCP_LINK(lis));
}

void tcp_pcb_table_remove(struct tcp_pcb *pcb)
{
	tcp_pcb_unhash(pcb);
	if (tcp_linked(&pcb->tbl))
		(void)tcp_link_remove(pcb, TCP_LINK(tbl));
}

/*
 * The connection for a segment src:sport -> dst:dport: the one with exactly
 * that 4-tuple, else a listener on dst (or any address) and dport. A
 * connection that ended (CLOSED) matches nothing.
 */
struct tcp_pcb *tcp_lookup(const struct net_if *nif, ip4_addr_t dst, uint16_t dport,
			   ip4_addr_t src, uint16_t sport)
{
	struct tcp_pcb *listener = NULL;

	for (struct tcp_pcb *p = tcp_hash_table[tcp_hash_of(src, dport, sport)]; p;
	     p = p->hash.next)
		if (p->lport == dport && p->rport == sport && p->raddr == src && p->laddr == dst &&
		    p->state != TCP_CLOSED && p->state != TCP_LISTEN)
			return p;
	for (struct tcp_pcb *p = tcp_listeners; p; p = p->lis.next) {
		if (p->lport != dport || p->state != TCP_LISTEN)
			continue;
		if ((p->laddr == dst || (p->laddr == IP4_ANY && !listener)) &&
		    (!p->sock || !p->sock->nif || p->sock->nif == nif))
			listener = p;
	}
	return listener;
}

/* --- ports --- */

/*
 * Another socket holds port on addr (or both take any address). Connections
 * in TIME-WAIT or orphaned do not count: a server restarts on its port at
 * once (as with Linux's SO_REUSEADDR); 4-tuples stay unique through
 * tcp_tuple_used.
 */
static bool tcp_port_conflict(const struct tcp_pcb *pcb, ip4_addr_t addr, uint16_t port)
{
	for (struct tcp_pcb *p = tcp_table; p; p = p->tbl.next)
		if (p != pcb && p->lport == port && p->sock && p->state != TCP_TIME_WAIT &&
		    (p->laddr == addr || p->laddr == IP4_ANY || addr == IP4_ANY))
			return true;
	return false;
}

static bool tcp_port_used(uint16_t port)
{
	for (struct tcp_pcb *p = tcp_table; p; p = p->tbl.next)
		if (p->lport == port)
			return true;
	return false;
}

bool tcp_tuple_used(ip4_addr_t laddr, uint16_t lport, ip4_addr_t raddr, uint16_t rport)
{
	for (struct tcp_pcb *p = tcp_hash_table[tcp_hash_of(raddr, lport, rport)]; p;
	     p = p->hash.next)
		if (p->lport == lport && p->rport == rport && p->raddr == raddr &&
		    p->laddr == laddr && p->state != TCP_CLOSED && p->state != TCP_LISTEN)
			return true;
	return false;
}

static bool tcp_addr_is_ours(ip4_addr_t addr)
{
	for (struct net_if *nif = net_if_first(); nif; nif = nif->next)
		if (nif->configured && nif->cfg.addr == addr)
			return true;
	return false;
}

int tcp_pcb_bind(struct tcp_pcb *pcb, ip4_addr_t addr, uint16_t port)
{
	if (addr != IP4_ANY && !tcp_addr_is_ours(addr))
		return -EADDRNOTAVAIL;
	if (port == 0) {
		pcb->laddr = addr;
		return tcp_pcb_bind_ephemeral(pcb);
	}
	if (tcp_port_conflict(pcb, addr, port))
		return -EADDRINUSE;
	pcb->laddr = addr;
	pcb->lport = port;
	tcp_pcb_table_add(pcb);
	return 0;
}

/* RFC 6056 algorithm 1: a random start, then the next free port. */
int tcp_pcb_bind_ephemeral(struct tcp_pcb *pcb)
{
	uint32_t start = (uint32_t)uk_random_below(TCP_EPHEMERAL_COUNT);

	for (uint32_t i = 0; i < TCP_EPHEMERAL_COUNT; i++) {
		uint16_t port = (uint16_t)(TCP_EPHEMERAL_FIRST + (start + i) % TCP_EPHEMERAL_COUNT);

		if (!tcp_port_used(port)) {
			pcb->lport = port;
			tcp_pcb_table_add(pcb);
			return 0;
		}
	}
	return -EADDRINUSE;
}

/* --- helpers of every file --- */

/* RFC 6691: the MSS we announce is the interface MTU less the IP and TCP headers. */
uint16_t tcp_mss_for(const struct net_if *nif)
{
	unsigned int mtu = nif ? nif->link.mtu : 576;

	return (uint16_t)(mtu > 40 + 64 ? (mtu > 65535 ? 65535 : mtu) - 40 : 64);
}

/* Timestamp clock: milliseconds of guest time plus the connection's random offset. */
uint32_t tcp_ts_now(const struct tcp_pcb *pcb)
{
	return (uint32_t)(uk_now_ns() / TCP_MS) + pcb->ts_offset;
}

/* --- the end of a connection --- */

void tcp_child_enqueue(struct tcp_pcb *parent, struct tcp_queue *q, struct tcp_pcb *child)
{
	UK_ASSERT(!child->in_q && (q == &parent->syn_q || q == &parent->acc_q));
	tcp_link_insert(q->head ? q->tail : &q->head, child, TCP_LINK(q));
	q->tail = &child->q.next;
	q->count++;
	child->in_q = q;
	child->parent = parent;
}

void tcp_child_unlink(struct tcp_pcb *child)
{
	struct tcp_queue *q = child->in_q;

	if (q) {
		struct tcp_pcb **at = tcp_link_remove(child, TCP_LINK(q));

		if (!*at) /* it was the last */
			q->tail = at;
		q->count--;
		child->in_q = NULL;
	}
	child->parent = NULL;
}

void tcp_pcb_done(struct tcp_pcb *pcb, int err)
{
	struct tcp_pcb *parent = pcb->parent;

	tcp_timers_stop(pcb);
	tcp_ooo_free(pcb);
	tcp_ring_free(&pcb->sndq);
	pcb->fin_queued = false;
	if (err && !pcb->err)
		pcb->err = err;
	if (err == -ECONNRESET)
		tcp_stats.conn_reset++;
	else if (err == -ETIMEDOUT)
		tcp_stats.conn_timed_out++;
	tcp_set_state(pcb, TCP_CLOSED);
	if (pcb->sock) {
		/* Unread data stays readable; the port stays bound until net_close. */
		tcp_pcb_unhash(pcb);
		return;
	}
	tcp_child_unlink(pcb);
	if (parent && parent->sock)
		net_socket_wake(parent->sock);
	tcp_pcb_table_remove(pcb);
	tcp_pcb_free(pcb);
}

void tcp_enter_time_wait(struct tcp_pcb *pcb)
{
	tcp_set_state(pcb, TCP_TIME_WAIT);
	tcp_ring_free(&pcb->sndq);
	tcp_ooo_free(pcb);
	uk_timer_cancel(&pcb->delack_timer);
	uk_timer_cancel(&pcb->keep_timer);
	pcb->rtx_mode = TCP_RTX_TIME_WAIT;
	uk_timer_arm(&pcb->rtx_timer, 2 * tcp_msl_ns);
}
