/*
 * The TCP replay's lines (tcp_replay_private.h): a flow named by its
 * recorded addresses, payload excerpts a person can read, one line per
 * divergence through the caller's say.
 */
#include <stdarg.h>
#include <stdio.h>

#include "traces/readdress.h"
#include "traces/tcp_replay_private.h"

#define TR_LINE_MAX 512

void tr_say(struct tcp_replay *tr, bool divergence, const char *fmt, ...)
{
	char line[TR_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (tr->cfg.say)
		tr->cfg.say(tr->cfg.ctx, divergence, line);
}

const char *tr_flow_name(const struct tcp_replay *tr, const struct tr_flow *f, char *buf,
			 size_t size)
{
	char peer[16], host[16];

	snprintf(buf, size, "flow %u %s:%u > %s:%u", f->id, trace_ip4_format(f->peer_ip, peer),
		 f->peer_port, trace_ip4_format(tr->cfg.as_ip, host), f->host_port);
	return buf;
}

/* Escapes as C does: \r \n \t \" \\, others outside printable ASCII as \xHH. */
const char *tr_excerpt(const uint8_t *p, size_t n, char *buf, size_t size)
{
	size_t o = 0;

	buf[o++] = '"';
	for (size_t i = 0; i < n && o + 6 < size; i++) {
		uint8_t c = p[i];
		if (c == '\r' || c == '\n' || c == '\t' || c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = c == '\r' ? 'r' : c == '\n' ? 'n' : c == '\t' ? 't' : (char)c;
		} else if (c >= 0x20 && c < 0x7f) {
			buf[o++] = (char)c;
		} else {
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
		}
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

void tr_diverge(struct tcp_replay *tr, struct tr_flow *f, const char *fmt, ...)
{
	char what[TR_LINE_MAX - 100], name[96];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!f->diverged) {
		f->diverged = true;
		tr->stats.diverged++;
	}
	tr_say(tr, true, "tcp %s: %s", tr_flow_name(tr, f, name, sizeof(name)), what);
}
