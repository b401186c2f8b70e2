/*
 * The ops of NET_SOCK_STREAM sockets: what <net/socket.h> promises for TCP,
 * on a struct tcp_pcb. Nothing here blocks: an op that would wait answers
 * -EAGAIN and socket.c waits on the socket until the stack wakes it.
 *
 * Errors: a connection that died keeps its reason (pcb->err: -ECONNRESET,
 * -ETIMEDOUT, -ECONNREFUSED) for the next call that can report it, once;
 * after it, receiving gives 0 (end of stream) and sending -EPIPE.
 */
#include <errno.h>
#include <limits.h>
#include <uk/random.h>
#include <uk/time.h>

#include "tcp_private.h"

static struct tcp_pcb *sock_pcb(const struct net_socket *s)
{
	return s->stream.pcb;
}

static int tcp_sock_open(struct net_socket *s)
{
	struct tcp_pcb *pcb = tcp_pcb_new();

	if (!pcb)
		return -ENOMEM;
	pcb->sock = s;
	pcb->ts_offset = uk_random_u32(); /* RFC 7323 5.4: a random timestamp offset */
	s->stream.pcb = pcb;
	return 0;
}

int tcp_sock_attach(struct tcp_pcb *pcb, struct net_socket **out)
{
	struct net_socket *s = net_socket_alloc(NET_SOCK_STREAM, &tcp_socket_ops);

	if (!s)
		return -ENOMEM;
	s->local_addr = pcb->laddr;
	s->local_port = pcb->lport;
	s->stream.pcb = pcb;
	pcb->sock = s;
	*out = s;
	return 0;
}

/* The error the connection died of, reported once. */
static int take_err(struct tcp_pcb *pcb)
{
	int e = pcb->err;

	pcb->err = 0;
	return e;
}

static int tcp_sock_bind(struct net_socket *s, ip4_addr_t addr, uint16_t port)
{
	struct tcp_pcb *pcb = sock_pcb(s);
	int rc;

	if (pcb->state != TCP_CLOSED || pcb->ever_connected)
		return -EINVAL;
	if ((rc = tcp_pcb_bind(pcb, addr, port)) < 0)
		return rc;
	s->local_addr = pcb->laddr;
	s->local_port = pcb->lport;
	return 0;
}

static int tcp_sock_bind_if(struct net_socket *s, struct net_if *nif)
{
	return sock_pcb(s)->state == TCP_CLOSED ? 0 : -EISCONN;
}

static int tcp_sock_sendto(struct net_socket *s, const void *buf, size_t len, ip4_addr_t dst,
			   uint16_t port)
{
	return -EOPNOTSUPP; /* net_send on a connection */
}

static int tcp_sock_recvfrom(struct net_socket *s, void *buf, size_t len, ip4_addr_t *src,
			     uint16_t *port)
{
	return -EOPNOTSUPP; /* net_recv on a connection */
}

/* --- connecting --- */

static int tcp_sock_connect(struct net_socket *s, ip4_addr_t addr, uint16_t port)
{
	struct tcp_pcb *pcb = sock_pcb(s);
	struct net_if *nif;
	ip4_addr_t next_hop;
	int rc;

	if (pcb->state != TCP_CLOSED || pcb->ever_connected)
		return pcb->state == TCP_LISTEN ? -EINVAL : -EISCONN;
	if (addr == IP4_ANY || addr == IP4_BROADCAST || ip4_is_multicast(addr) || port == 0)
		return -EINVAL;
	nif = s->nif ? s->nif : ip4_route(addr, &next_hop);
	if (!nif || !nif->configured)
		return -EHOSTUNREACH;
	if (!pcb->lport) {
		pcb->laddr = nif->cfg.addr;
		if ((rc = tcp_pcb_bind_ephemeral(pcb)) < 0)
			return rc;
	} else {
		if (pcb->laddr == IP4_ANY)
			pcb->laddr = nif->cfg.addr;
		if (tcp_tuple_used(pcb->laddr, pcb->lport, addr, port))
			return -EADDRINUSE;
	}
	s->local_addr = pcb->laddr;
	s->local_port = pcb->lport;
	/* A failed attempt before this one leaves nothing behind. */
	pcb->err = 0;
	pcb->retries = 0;
	pcb->wr_shut = pcb->fin_queued = pcb->fin_sent = pcb->rcv_fin = false;
	pcb->srtt_ns = pcb->rttvar_ns = 0;
	pcb->rto_ns = TCP_RTO_INITIAL_NS;
	pcb->nif = nif;
	pcb->raddr = addr;
	pcb->rport = port;
	tcp_pcb_hash(pcb);
	pcb->mss = tcp_mss_for(nif);
	pcb->rcv_ws = tcp_rcv_wscale(pcb);
	pcb->iss = tcp_isn(pcb->laddr, pcb->lport, addr, port);
	pcb->snd_una = pcb->snd_max = pcb->iss;
	pcb->active_open = true;
	pcb->last_rx_ns = pcb->rtt_start_ns = uk_now_ns();
	tcp_stats.conn_opened++;
	tcp_set_state(pcb, TCP_SYN_SENT);
	tcp_send_syn(pcb);
	tcp_rtx_arm(pcb);
	return 0;
}

static int tcp_sock_connect_result(struct net_socket *s)
{
	struct tcp_pcb *pcb = sock_pcb(s);

	if (pcb->state == TCP_SYN_SENT || pcb->state == TCP_SYN_RCVD)
		return -EAGAIN;
	if (pcb->state == TCP_CLOSED && !pcb->ever_connected)
		return pcb->err ? take_err(pcb) : -ECONNREFUSED;
	return 0;
}

/* --- listening --- */

static int tcp_sock_listen(struct net_socket *s, unsigned int backlog)
{
	struct tcp_pcb *pcb = sock_pcb(s);
	int rc;

	if (backlog < 1)
		backlog = 1;
	if (backlog > TCP_BACKLOG_MAX)
		backlog = TCP_BACKLOG_MAX;
	if (pcb->state == TCP_LISTEN) {
		pcb->backlog = backlog;
		return 0;
	}
	if (pcb->state != TCP_CLOSED || pcb->ever_connected)
		return -EINVAL;
	if (!pcb->lport) {
		if ((rc = tcp_pcb_bind_ephemeral(pcb)) < 0)
			return rc;
		s->local_port = pcb->lport;
	}
	pcb->backlog = backlog;
	tcp_pcb_listen(pcb);
	tcp_set_state(pcb, TCP_LISTEN);
	return 0;
}

static int tcp_sock_accept(struct net_socket *s, struct net_socket **out)
{
	struct tcp_pcb *pcb = sock_pcb(s), *c;
	int rc;

	if (pcb->state != TCP_LISTEN)
		return -EINVAL;
	if (!(c = pcb->acc_q.head))
		return -EAGAIN;
	tcp_child_unlink(c);
	if ((rc = tcp_sock_attach(c, out)) < 0) {
		tcp_send_rst(c);
		tcp_pcb_done(c, 0);
		return rc;
	}
	return 0;
}

/* --- data --- */

static int tcp_sock_send(struct net_socket *s, const void *buf, size_t len)
{
	struct tcp_pcb *pcb = sock_pcb(s);
	uint32_t space, n;

	if (pcb->state == TCP_CLOSED && pcb->err)
		return take_err(pcb);
	if (pcb->wr_shut)
		return -EPIPE;
	switch (pcb->state) {
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
		break;
	case TCP_SYN_SENT:
	case TCP_SYN_RCVD:
		return -EAGAIN;
	case TCP_CLOSED:
		return pcb->ever_connected ? -EPIPE : -ENOTCONN;
	case TCP_LISTEN:
		return -ENOTCONN;
	default:
		return -EPIPE;
	}
	if (!len)
		return 0;
	space = pcb->sndbuf > pcb->sndq.len ? pcb->sndbuf - pcb->sndq.len : 0;
	if (!space)
		return -EAGAIN;
	n = tcp_ring_write(&pcb->sndq, pcb->sndbuf, buf, len < space ? (uint32_t)len : space);
	if (!n)
		return -ENOMEM;
	tcp_output(pcb);
	return (int)n;
}

/* What a receive with nothing to read answers: 0 (end), the error, or -EAGAIN. */
static int tcp_recv_none(struct tcp_pcb *pcb)
{
	if (pcb->rcv_fin)
		return 0;
	if (pcb->state == TCP_CLOSED && pcb->err)
		return take_err(pcb);
	switch (pcb->state) {
	case TCP_CLOSED:
		return pcb->ever_connected ? 0 : -ENOTCONN;
	case TCP_LISTEN:
		return -ENOTCONN;
	default:
		return -EAGAIN;
	}
}

static int tcp_sock_recv(struct net_socket *s, void *buf, size_t len)
{
	struct tcp_pcb *pcb = sock_pcb(s);
	uint32_t want = len > INT_MAX ? INT_MAX : (uint32_t)len, n;

	if (tcp_lend_bytes(pcb)) { /* lent bytes come first: read as if returned */
		n = tcp_lend_copy(pcb, buf, want);
	} else if ((n = pcb->rcvq.len < want ? pcb->rcvq.len : want)) {
		tcp_ring_peek(&pcb->rcvq, 0, buf, n);
		tcp_ring_drop(&pcb->rcvq, n);
	}
	if (n) {
		tcp_rcv_space_adjust(pcb);
		tcp_window_update(pcb);
		return (int)n;
	}
	if (!len)
		return 0;
	return tcp_recv_none(pcb);
}

/* Lends the unread bytes from the first (tcp_lend.c); as recv when there are none. */
static int tcp_sock_borrow(struct net_socket *s, struct net_piece *pieces, unsigned int max)
{
	struct tcp_pcb *pcb = sock_pcb(s);
	int n = pcb->state == TCP_LISTEN ? 0 : tcp_lend_borrow(pcb, pieces, max);

	return n ? n : tcp_recv_none(pcb); /* a listener lends nothing: -ENOTCONN */
}

/* The app read the first n lent bytes: as a read of n from the ring. */
static int tcp_sock_borrow_return(struct net_socket *s, size_t n)
{
	struct tcp_pcb *pcb = sock_pcb(s);
	int rc = tcp_lend_return(pcb, n);

	if (rc < 0 || !n)
		return rc;
	tcp_rcv_space_adjust(pcb);
	tcp_window_update(pcb);
	return 0;
}

/* A reader returns with n bytes tcp_in.c gave it directly: the app read them now. */
static void tcp_sock_recv_done(struct net_socket *s, uint32_t n)
{
	struct tcp_pcb *pcb = sock_pcb(s);

	pcb->rcv_direct -= n;
	tcp_rcv_space_adjust(pcb);
	tcp_window_update(pcb);
}

static int tcp_sock_shutdown(struct net_socket *s)
{
	struct tcp_pcb *pcb = sock_pcb(s);

	if (pcb->wr_shut)
		return 0;
	switch (pcb->state) {
	case TCP_ESTABLISHED:
	case TCP_SYN_RCVD:
		tcp_set_state(pcb, TCP_FIN_WAIT_1);
		break;
	case TCP_CLOSE_WAIT:
		tcp_set_state(pcb, TCP_LAST_ACK);
		break;
	case TCP_SYN_SENT:
		tcp_pcb_done(pcb, 0);
		break;
	default:
		return -ENOTCONN;
	}
	pcb->wr_shut = true;
	pcb->fin_queued = pcb->state != TCP_CLOSED;
	tcp_output(pcb);
	return 0;
}

/* --- the end --- */

/* A listener's children go with it: a RST for those that finished their handshake. */
static void tcp_listener_close(struct tcp_pcb *pcb)
{
	while (pcb->syn_q.head)
		tcp_pcb_done(pcb->syn_q.head, 0);
	while (pcb->acc_q.head) {
		tcp_send_rst(pcb->acc_q.head);
		tcp_pcb_done(pcb->acc_q.head, 0);
	}
}

static void tcp_sock_abort(struct net_socket *s)
{
	struct tcp_pcb *pcb = sock_pcb(s);

	if (pcb->state == TCP_LISTEN)
		tcp_listener_close(pcb);
	else if (pcb->state != TCP_CLOSED && pcb->state != TCP_SYN_SENT &&
		 pcb->state != TCP_TIME_WAIT)
		tcp_send_rst(pcb);
	tcp_pcb_done(pcb, 0);
	pcb->err = 0;
	pcb->wr_shut = true;
	tcp_ring_free(&pcb->rcvq);
}

/* The socket lets go of its connection; an orphan finishes its close alone. */
static void tcp_sock_detach(struct net_socket *s, struct tcp_pcb *pcb)
{
	tcp_lend_free(pcb); /* nobody can return them now */
	s->stream.pcb = NULL;
	pcb->sock = NULL;
}

static void tcp_sock_close(struct net_socket *s)
{
	struct tcp_pcb *pcb = sock_pcb(s);

	if (pcb->state == TCP_LISTEN)
		tcp_listener_close(pcb);
	if (pcb->state == TCP_LISTEN || pcb->state == TCP_CLOSED || pcb->state == TCP_SYN_SENT) {
		tcp_sock_detach(s, pcb);
		tcp_pcb_done(pcb, 0);
		return;
	}
	if (tcp_rcv_unread(pcb)) { /* unread data: abortive, as Linux (RFC 2525 2.17) */
		tcp_send_rst(pcb);
		tcp_sock_detach(s, pcb);
		tcp_pcb_done(pcb, 0);
		return;
	}
	if (!pcb->wr_shut)
		tcp_sock_shutdown(s);
	tcp_sock_detach(s, pcb);
	if (pcb->state == TCP_FIN_WAIT_2) {
		pcb->rtx_mode = TCP_RTX_FIN_WAIT_2;
		uk_timer_arm(&pcb->rtx_timer, TCP_FIN_WAIT_2_NS);
	} else if (pcb->state == TCP_CLOSED) {
		tcp_pcb_done(pcb, 0);
	}
}

static unsigned int tcp_sock_poll(const struct net_socket *s)
{
	const struct tcp_pcb *pcb = sock_pcb(s);
	unsigned int ev = 0;

	switch (pcb->state) {
	case TCP_LISTEN:
		return pcb->acc_q.head ? NET_POLLIN : 0;
	case TCP_SYN_SENT:
	case TCP_SYN_RCVD:
		return 0;
	case TCP_CLOSED:
		return NET_POLLHUP | NET_POLLOUT | (pcb->ever_connected || pcb->err ? NET_POLLIN : 0);
	default:
		break;
	}
	if (pcb->rcvq.len || tcp_lend_bytes(pcb) || pcb->rcv_fin || pcb->err)
		ev |= NET_POLLIN;
	if (pcb->wr_shut || pcb->sndq.len < pcb->sndbuf)
		ev |= NET_POLLOUT;
	if (pcb->rcv_fin && pcb->wr_shut)
		ev |= NET_POLLHUP;
	return ev;
}

static int tcp_sock_getpeername(const struct net_socket *s, ip4_addr_t *addr, uint16_t *port)
{
	const struct tcp_pcb *pcb = sock_pcb(s);

	if (!pcb->ever_connected && !tcp_synchronized(pcb->state))
		return -ENOTCONN;
	if (addr)
		*addr = pcb->raddr;
	if (port)
		*port = pcb->rport;
	return 0;
}

static int tcp_sock_setopt(struct net_socket *s, enum net_sockopt opt, unsigned int v)
{
	struct tcp_pcb *pcb = sock_pcb(s);

	switch (opt) {
	case NET_OPT_NODELAY:
		pcb->nodelay = v != 0;
		tcp_output(pcb); /* what Nagle held back goes now */
		return 0;
	case NET_OPT_SNDBUF:
	case NET_OPT_RCVBUF:
		if (v < TCP_BUF_MIN || v > TCP_BUF_MAX)
			return -EINVAL;
		*(opt == NET_OPT_SNDBUF ? &pcb->sndbuf : &pcb->rcvbuf) = v;
		if (opt == NET_OPT_RCVBUF) /* as Linux's SOCK_RCVBUF_LOCK: no auto-tuning */
			pcb->rcvbuf_locked = true;
		return 0;
	case NET_OPT_KEEPALIVE:
		pcb->keepalive = v != 0;
		tcp_keepalive_arm(pcb);
		return 0;
	}
	return -EINVAL;
}

static int tcp_sock_getopt(const struct net_socket *s, enum net_sockopt opt, unsigned int *v)
{
	const struct tcp_pcb *pcb = sock_pcb(s);

	switch (opt) {
	case NET_OPT_NODELAY:
		*v = pcb->nodelay;
		return 0;
	case NET_OPT_SNDBUF:
		*v = pcb->sndbuf;
		return 0;
	case NET_OPT_RCVBUF:
		*v = pcb->rcvbuf;
		return 0;
	case NET_OPT_KEEPALIVE:
		*v = pcb->keepalive;
		return 0;
	}
	return -EINVAL;
}

const struct net_socket_ops tcp_socket_ops = {
	.bind = tcp_sock_bind,
	.bind_if = tcp_sock_bind_if,
	.sendto = tcp_sock_sendto,
	.recvfrom = tcp_sock_recvfrom,
	.poll = tcp_sock_poll,
	.close = tcp_sock_close,
	.open = tcp_sock_open,
	.connect = tcp_sock_connect,
	.connect_result = tcp_sock_connect_result,
	.listen = tcp_sock_listen,
	.accept = tcp_sock_accept,
	.send = tcp_sock_send,
	.recv = tcp_sock_recv,
	.recv_done = tcp_sock_recv_done,
	.borrow = tcp_sock_borrow,
	.borrow_return = tcp_sock_borrow_return,
	.shutdown = tcp_sock_shutdown,
	.abort = tcp_sock_abort,
	.getpeername = tcp_sock_getpeername,
	.setopt = tcp_sock_setopt,
	.getopt = tcp_sock_getopt,
};
