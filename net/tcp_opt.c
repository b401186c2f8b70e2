/*
 * TCP options (RFC 9293 3.2, RFC 7323, RFC 2018): parsing what arrives and
 * writing what we send. We send MSS, window scale and SACK-permitted only
 * with SYN, timestamps on every segment once both sides sent them, and SACK
 * blocks (RFC 2018) for out-of-order data on pure ACKs once both sides sent
 * SACK-permitted (tcp_out.c); blocks that arrive feed tcp_sack.c.
 *
 * Parsing follows RFC 9293 3.1: an unknown kind with a length is skipped; a
 * length below 2 or beyond the header ends the parse as malformed, and the
 * segment is dropped (as Linux's tcp_parse_options stops; we are stricter).
 * MSS and window scale count only on a SYN; a window scale above 14 is taken
 * as 14 (RFC 7323 2.3).
 */
#include <errno.h>

#include "tcp_private.h"

#define OPT_END 0
#define OPT_NOP 1
#define OPT_MSS 2
#define OPT_WS 3
#define OPT_SACK_OK 4
#define OPT_SACK 5
#define OPT_TS 8

/* One option of known kind and length l at p. */
static void opt_take(const uint8_t *p, uint8_t l, bool syn, struct tcp_opts *out)
{
	switch (p[0]) {
	case OPT_MSS:
		if (l == 4 && syn) {
			out->has_mss = true;
			out->mss = net_get16(p + 2);
		}
		break;
	case OPT_WS:
		if (l == 3 && syn) {
			out->has_ws = true;
			out->ws = p[2] > 14 ? 14 : p[2];
		}
		break;
	case OPT_SACK_OK:
		if (l == 2 && syn)
			out->sack_ok = true;
		break;
	case OPT_SACK:
		if (!syn && l >= 10 && (l - 2) % 8 == 0) {
			unsigned int n = (unsigned int)(l - 2) / 8;

			if (n > TCP_SACK_BLOCKS)
				n = TCP_SACK_BLOCKS;
			for (unsigned int b = 0; b < n; b++) {
				out->sack[b][0] = net_get32(p + 2 + 8 * b);
				out->sack[b][1] = net_get32(p + 6 + 8 * b);
			}
			out->n_sack = (uint8_t)n;
		}
		break;
	case OPT_TS:
		if (l == 10) {
			out->has_ts = true;
			out->tsval = net_get32(p + 2);
			out->tsecr = net_get32(p + 6);
		}
		break;
	default:
		break;
	}
}

int tcp_opt_parse(const uint8_t *opt, size_t len, bool syn, struct tcp_opts *out)
{
	size_t i = 0;

	*out = (struct tcp_opts){ 0 };
	while (i < len) {
		uint8_t l;

		if (opt[i] == OPT_END)
			break;
		if (opt[i] == OPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2 || (l = opt[i + 1]) < 2 || l > len - i)
			return -EINVAL;
		opt_take(opt + i, l, syn, out);
		i += l;
	}
	return 0;
}

size_t tcp_opt_write(uint8_t *p, const struct tcp_opts *o)
{
	size_t n = 0;

	if (o->has_mss) {
		p[n++] = OPT_MSS;
		p[n++] = 4;
		net_put16(p + n, o->mss);
		n += 2;
	}
	if (o->has_ws) {
		p[n++] = OPT_NOP;
		p[n++] = OPT_WS;
		p[n++] = 3;
		p[n++] = o->ws;
	}
	if (o->sack_ok) {
		p[n++] = OPT_NOP;
		p[n++] = OPT_NOP;
		p[n++] = OPT_SACK_OK;
		p[n++] = 2;
	}
	if (o->has_ts) {
		p[n++] = OPT_NOP;
		p[n++] = OPT_NOP;
		p[n++] = OPT_TS;
		p[n++] = 10;
		net_put32(p + n, o->tsval);
		net_put32(p + n + 4, o->tsecr);
		n += 8;
	}
	if (o->n_sack) {
		p[n++] = OPT_NOP;
		p[n++] = OPT_NOP;
		p[n++] = OPT_SACK;
		p[n++] = (uint8_t)(2 + 8 * o->n_sack);
		for (unsigned int b = 0; b < o->n_sack; b++, n += 8) {
			net_put32(p + n, o->sack[b][0]);
			net_put32(p + n + 4, o->sack[b][1]);
		}
	}
	return n;
}
