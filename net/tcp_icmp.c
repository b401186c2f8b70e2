/*
 * ICMP errors about segments we sent (RFC 1122 4.2.3.9, RFC 5927).
 *
 * The quoted TCP header must name a connection of ours and a sequence
 * number we sent and that is not acknowledged (RFC 5927 4.1), else the
 * message is ignored: a blind attacker cannot guess one. A hard error
 * (protocol or port unreachable) while connecting refuses the connection,
 * as Linux's tcp_v4_err does; any other unreachable is soft: it is what a
 * connect reports if the handshake then times out. Established connections
 * ignore them (the retransmission timer decides), but for "fragmentation
 * needed": segments go with Don't Fragment, and the next-hop MTU the router
 * reports lowers the connection's MSS, after which what is in flight is sent
 * again in smaller segments (RFC 1191, as Linux's tcp_v4_mtu_reduced and
 * tcp_simple_retransmit; no congestion response: nothing was congested).
 */
#include <errno.h>
#include <string.h>

#include "tcp_private.h"

#define ICMP_DEST_UNREACH 3
#define ICMP_PROTO_UNREACH 2
#define ICMP_PORT_UNREACH 3
#define ICMP_FRAG_NEEDED 4
#define TCP_PMTU_MIN 68 /* RFC 791: every link carries 68 bytes */

/* RFC 1191: the path is narrower than our segments. */
static void tcp_pmtu_reduce(struct tcp_pcb *pcb, uint16_t mtu)
{
	uint32_t mss;

	if (mtu < TCP_PMTU_MIN)
		mtu = 576; /* an old router that does not say: RFC 1191 5's plateau */
	mss = (uint32_t)mtu - 40 - (pcb->ts_ok ? 12 : 0);
	if (mss < 32)
		mss = 32;
	if (mss >= pcb->mss)
		return;
	pcb->mss = (uint16_t)mss;
	tcp_stats.pmtu_reductions++;
	if (!tcp_synchronized(pcb->state))
		return;
	pcb->snd_nxt = pcb->snd_una;
	pcb->rtt_timing = false;
	tcp_output(pcb);
}

void tcp_icmp_error(uint8_t type, uint8_t code, uint16_t mtu, const uint8_t *orig, size_t len)
{
	size_t ihl;
	ip4_addr_t src, dst;
	struct tcp_pcb *pcb = NULL;
	uint32_t seq;

	if (!orig || len < 20 || (orig[0] >> 4) != 4)
		return;
	ihl = (size_t)(orig[0] & 0x0f) * 4;
	if (ihl < 20 || len < ihl + 8 || orig[9] != IP4_PROTO_TCP || type != ICMP_DEST_UNREACH)
		return;
	memcpy(&src, orig + 12, 4);
	memcpy(&dst, orig + 16, 4);
	seq = net_get32(orig + ihl + 4);
	/* The quoted segment went from src:sport to dst:dport; look it up as if it came back. */
	for (struct net_if *nif = net_if_first(); nif && !pcb; nif = nif->next)
		pcb = tcp_lookup(nif, src, net_get16(orig + ihl), dst, net_get16(orig + ihl + 2));
	if (!pcb || pcb->state == TCP_LISTEN || !tcp_seq_ge(seq, pcb->snd_una) ||
	    !tcp_seq_lt(seq, pcb->snd_max))
		return;
	if (code == ICMP_FRAG_NEEDED) {
		tcp_pmtu_reduce(pcb, mtu);
		return;
	}
	if (pcb->state != TCP_SYN_SENT)
		return;
	if (code == ICMP_PROTO_UNREACH || code == ICMP_PORT_UNREACH)
		tcp_pcb_done(pcb, -ECONNREFUSED);
	else
		pcb->err = -EHOSTUNREACH; /* reported if the handshake times out */
}
