/*
 * ICMP errors about segments we sent (RFC 1122 4.2.3.9, RFC 5927).
 *
 * The quoted TCP header must name a connection of ours and a sequence
 * number we sent and that is not acknowledged (RFC 5927 4.1), else the
 * message is ignored: a blind attacker cannot guess one. A hard error
 * (protocol or port unreachable) while connecting refuses the connection,
 * as Linux's tcp_v4_err does; any other unreachable is soft: it is what a
 * connect reports if the handshake then times out. Established connections
 * ignore them (the retransmission timer decides). Fragmentation needed
 * (path MTU, RFC 1191) is not acted on: segments are sent without DF.
 */
#include <errno.h>
#include <string.h>

#include "tcp_private.h"

#define ICMP_DEST_UNREACH 3
#define ICMP_PROTO_UNREACH 2
#define ICMP_PORT_UNREACH 3

void tcp_icmp_error(uint8_t type, uint8_t code, const uint8_t *orig, size_t len)
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
	if (pcb->state != TCP_SYN_SENT)
		return;
	if (code == ICMP_PROTO_UNREACH || code == ICMP_PORT_UNREACH)
		tcp_pcb_done(pcb, -ECONNREFUSED);
	else
		pcb->err = -EHOSTUNREACH; /* reported if the handshake times out */
}
