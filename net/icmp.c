/*
 * ICMP (RFC 792, host rules of RFC 1122 3.2.2): echo replies, errors we
 * send (rate limited), and errors we receive about UDP datagrams we sent.
 *
 * Echo requests to a broadcast or multicast address get no answer (RFC
 * 1122 3.2.2.6 allows either; silence prevents smurf amplification).
 */
#include <string.h>
#include <uk/alloc.h>
#include <uk/time.h>

#include "net_private.h"

#define ICMP_ECHO_REPLY 0
#define ICMP_UNREACH 3
#define ICMP_ECHO 8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_HLEN 8

/* Errors: 10 a second, in bursts of at most 10. */
#define ICMP_RL_BURST 10
#define ICMP_RL_INTERVAL_NS (UK_NSEC_PER_SEC / 10)

/* Replies that fit one frame are built on the stack: no allocation per ping. */
#define ICMP_REPLY_ON_STACK 1480

/*
 * Sends an echo reply built with room in front back to dst through nif:
 * by the path kept for the last one while it holds (a ping flood comes
 * from one host), else routed and looked up as ip4_output_room does.
 */
static int echo_send(struct net_if *nif, ip4_addr_t dst, uint8_t *reply, size_t len)
{
	struct ip4_dst *d = &nif->icmp_reply_dst;

	if (ip4_dst_fresh(d, dst, nif, uk_now_ns()) || (ip4_dst_resolve(d, nif, dst) && d->gen))
		return ip4_output_room_dst(d, IP4_ANY, IP4_PROTO_ICMP, reply, len);
	return ip4_output_room(nif, IP4_ANY, dst, IP4_PROTO_ICMP, reply, len);
}

static void echo_reply(struct net_if *nif, const struct ip4_info *ip, const uint8_t *data,
		       size_t len)
{
	/* Built with room in front: ip4_output_room writes the IPv4 and Ethernet headers there. */
	uint8_t small[IP4_OUTPUT_ROOM + ICMP_REPLY_ON_STACK], *buf = small, *reply;

	if (ip->broadcast || ip->src == IP4_ANY || !nif->configured)
		return;
	if (len > ICMP_REPLY_ON_STACK && !(buf = uk_malloc(IP4_OUTPUT_ROOM + len))) {
		nif->stats.nomem++;
		return;
	}
	reply = buf + IP4_OUTPUT_ROOM;
	memcpy(reply, data, len); /* same identifier, sequence number and data */
	reply[0] = ICMP_ECHO_REPLY;
	reply[1] = 0;
	net_put16(reply + 2, 0);
	net_put16(reply + 2, net_csum_fold(net_csum_add(0, reply, len)));
	if (echo_send(nif, ip->src, reply, len) == 0)
		nif->stats.icmp_echo_replies++;
	if (buf != small)
		uk_free(buf);
}

/* Hands the quoted header + 8 bytes of an error about UDP or TCP to udp.c or tcp_icmp.c. */
static void error_input(struct net_if *nif, const uint8_t *data, size_t len)
{
	const uint8_t *orig = data + ICMP_HLEN;
	size_t olen = len - ICMP_HLEN, ohl;

	if (olen < 20 || orig[0] >> 4 != 4 || (ohl = (size_t)(orig[0] & 0x0f) * 4) < 20 ||
	    olen < ohl + 8) {
		nif->stats.icmp_bad++;
		return;
	}
	if (orig[9] == IP4_PROTO_UDP)
		udp_icmp_error(data[0], data[1], orig, ohl + 8);
	else if (orig[9] == IP4_PROTO_TCP)
		tcp_icmp_error(data[0], data[1], net_get16(data + 6), orig, ohl + 8);
}

void icmp_input(struct net_if *nif, const struct ip4_info *ip, const uint8_t *data, size_t len)
{
	if (len < ICMP_HLEN || net_csum_fold(net_csum_add(0, data, len)) != 0) {
		nif->stats.icmp_bad++;
		return;
	}
	switch (data[0]) {
	case ICMP_ECHO:
		echo_reply(nif, ip, data, len);
		break;
	case ICMP_UNREACH:
	case ICMP_TIME_EXCEEDED:
		error_input(nif, data, len);
		break;
	default: /* replies and other queries: nothing asked for them */
		break;
	}
}

/* Whether an ICMP message of this type is a query (echo, timestamp, info, mask). */
static bool icmp_is_query(uint8_t type)
{
	return type == 0 || type == 8 || (type >= 13 && type <= 18);
}

/* RFC 1122 3.2.2: the datagrams an error must never answer. */
static bool error_allowed(const struct net_if *nif, const struct ip4_info *ip,
			  const uint8_t *payload, size_t payload_len)
{
	if (!nif->configured || ip->broadcast || ip->src == IP4_ANY ||
	    ip4_is_broadcast(nif, ip->src) || ip4_is_multicast(ip->src))
		return false;
	if (ip->header_len < 20 || ip->header_len > 60 ||
	    (net_get16(ip->header + 6) & 0x1fff) != 0) /* not the first fragment */
		return false;
	if (ip->proto == IP4_PROTO_ICMP && (payload_len < 1 || !icmp_is_query(payload[0])))
		return false;
	return true;
}

/* Takes a token from the bucket; false when empty. */
static bool ratelimit_take(struct net_if *nif)
{
	uint64_t now = uk_now_ns();
	uint64_t refill = (now - nif->icmp_rl_last) / ICMP_RL_INTERVAL_NS;

	if (refill >= nif->icmp_rl_spent) {
		nif->icmp_rl_spent = 0;
		nif->icmp_rl_last = now;
	} else {
		nif->icmp_rl_spent -= (unsigned int)refill;
		nif->icmp_rl_last += refill * ICMP_RL_INTERVAL_NS;
	}
	if (nif->icmp_rl_spent >= ICMP_RL_BURST)
		return false;
	nif->icmp_rl_spent++;
	return true;
}

void icmp_send_error(struct net_if *nif, uint8_t type, uint8_t code, const struct ip4_info *ip,
		     const uint8_t *payload, size_t payload_len)
{
	uint8_t msg[ICMP_HLEN + 60 + 8];
	size_t n = payload_len < 8 ? payload_len : 8;

	if (!error_allowed(nif, ip, payload, payload_len))
		return;
	if (!ratelimit_take(nif)) {
		nif->stats.icmp_unreach_ratelimited++;
		return;
	}
	memset(msg, 0, ICMP_HLEN); /* checksum and the unused word */
	msg[0] = type;
	msg[1] = code;
	memcpy(msg + ICMP_HLEN, ip->header, ip->header_len);
	memcpy(msg + ICMP_HLEN + ip->header_len, payload, n);
	n += ICMP_HLEN + ip->header_len;
	net_put16(msg + 2, net_csum_fold(net_csum_add(0, msg, n)));
	if (ip4_output(nif, IP4_ANY, ip->src, IP4_PROTO_ICMP, msg, n) == 0)
		nif->stats.icmp_unreach_sent++;
}

void icmp_send_unreachable(struct net_if *nif, uint8_t code, const struct ip4_info *ip,
			   const uint8_t *payload, size_t payload_len)
{
	icmp_send_error(nif, ICMP_UNREACH, code, ip, payload, payload_len);
}
