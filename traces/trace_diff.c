/*
 * Two captures compared frame by frame (trace_diff.h): each side reads its
 * file through the trace reader, keeps the frames its filter lets through,
 * normalises a copy of each and remembers a few one-line summaries for the
 * context of a divergence.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "traces/dissect.h"
#include "traces/frame.h"
#include "traces/keytab.h"
#include "traces/pcap_reader.h"
#include "traces/readdress.h"
#include "traces/trace_diff.h"

#define CONTEXT_MAX 8
#define LINE_MAX_LEN 200
#define NSEC_PER_SEC 1000000000ULL
#define TCP_ACK 0x10

const char *const trace_norm_names[] = { "time", "ipid", "csum", "tcpseq", "mac", NULL };

struct ctx_line {
	uint64_t frame, record, rel_ns;
	char text[LINE_MAX_LEN];
};

struct side {
	const char *path;
	struct trace_reader *r;
	const struct trace_diff_filter *filter;
	struct trace_keytab isn;      /* TCP: each direction's first sequence number */
	uint64_t first_ts, frames;
	uint8_t *buf;                 /* the current frame, normalised */
	size_t cap, len;
	uint64_t rel_ns, record;      /* the current frame's time since the first, record */
	struct ctx_line ring[CONTEXT_MAX + 1];
};

int trace_norm_parse(const char *list, unsigned int *norm)
{
	const char *p = list;

	*norm = 0;
	if (!strcmp(list, "none"))
		return 0;
	if (!strcmp(list, "all")) {
		*norm = TRACE_NORM_ALL;
		return 0;
	}
	while (*p) {
		size_t n = strcspn(p, ","), i;
		for (i = 0; trace_norm_names[i]; i++)
			if (strlen(trace_norm_names[i]) == n && !strncmp(p, trace_norm_names[i], n))
				break;
		if (!trace_norm_names[i])
			return -EINVAL;
		*norm |= 1u << i;
		p += n + (p[n] == ',');
	}
	return 0;
}

static bool filter_pass(const struct trace_diff_filter *flt, const uint8_t *f, size_t len)
{
	if (flt->by_mac && (len < 2 * ETH_ALEN || memcmp(f + ETH_ALEN, flt->mac, ETH_ALEN)))
		return false;
	if (!flt->by_ip)
		return true;
	if (len >= ETH_HLEN + TRACE_ARP_LEN && trace_get16(f + 12) == ETH_P_ARP)
		return trace_addr_get(f + ETH_HLEN + 14) == flt->ip;
	if (len >= ETH_HLEN + TRACE_IP4_HLEN && trace_get16(f + 12) == ETH_P_IP)
		return trace_addr_get(f + ETH_HLEN + 12) == flt->ip;
	return false;
}

/* --- normalisations, on the side's copy --- */

/* The IPv4 header and its length, the transport header (NULL: none) and its bytes. */
static uint8_t *ip4_parts(uint8_t *f, size_t len, uint8_t **l4, size_t *l4len)
{
	uint8_t *ip = f + ETH_HLEN;
	size_t ihl;

	*l4 = NULL;
	if (len < ETH_HLEN + TRACE_IP4_HLEN || trace_get16(f + 12) != ETH_P_IP || ip[0] >> 4 != 4)
		return NULL;
	ihl = (size_t)(ip[0] & 15) * 4;
	if (ihl >= TRACE_IP4_HLEN && len >= ETH_HLEN + ihl && !(trace_get16(ip + 6) & 0x1fff)) {
		*l4 = ip + ihl;
		*l4len = len - ETH_HLEN - ihl;
	}
	return ip;
}

static void set_field(uint8_t *p, const uint8_t *v, size_t n, uint8_t *sum)
{
	if (sum)
		trace_put16(sum, trace_csum_adjust(trace_get16(sum), p, v, n));
	memcpy(p, v, n);
}

/* Sequence numbers from each direction's first (Wireshark's relative sequence numbers). */
static void norm_tcpseq(struct side *s, uint8_t *ip, uint8_t *t, size_t tl)
{
	uint8_t key[TRACE_KEY_LEN] = { 0 }, v[4];
	struct trace_keytab_entry *e;
	int added;

	if (ip[9] != IPPROTO_TCP || tl < TRACE_TCP_HLEN)
		return;
	memcpy(key, ip + 12, 8);
	memcpy(key + 8, t, 4);
	if ((e = trace_keytab_get(&s->isn, key, &added))) {
		if (added)
			e->value = trace_get32(t + 4);
		trace_put32(v, trace_get32(t + 4) - (uint32_t)e->value);
		set_field(t + 4, v, 4, t + 16);
	}
	memcpy(key, ip + 16, 4), memcpy(key + 4, ip + 12, 4);
	memcpy(key + 8, t + 2, 2), memcpy(key + 10, t, 2);
	if ((t[13] & TCP_ACK) && (e = trace_keytab_find(&s->isn, key))) {
		trace_put32(v, trace_get32(t + 8) - (uint32_t)e->value);
		set_field(t + 8, v, 4, t + 16);
	}
}

static void norm_csum(uint8_t *ip, uint8_t *t, size_t tl)
{
	memset(ip + 10, 0, 2);
	if (!t)
		return;
	if (ip[9] == IPPROTO_UDP && tl >= TRACE_UDP_HLEN)
		memset(t + 6, 0, 2);
	else if (ip[9] == IPPROTO_TCP && tl >= 18)
		memset(t + 16, 0, 2);
	else if (ip[9] == IPPROTO_ICMP && tl >= 4)
		memset(t + 2, 0, 2);
}

static void normalise(struct side *s, const struct trace_diff_options *o, bool expected)
{
	uint8_t *f = s->buf, *ip, *t;
	size_t len = s->len, tl = 0;

	for (unsigned int i = 0; expected && i < o->nr_map; i++)
		trace_ip4_replace(f, len, o->map[i].from, o->map[i].to);
	ip = ip4_parts(f, len, &t, &tl);
	if ((o->norm & TRACE_NORM_TCPSEQ) && t)
		norm_tcpseq(s, ip, t, tl);
	if ((o->norm & TRACE_NORM_IPID) && ip) {
		static const uint8_t zero[2];
		set_field(ip + 4, zero, 2, ip + 10);
	}
	if ((o->norm & TRACE_NORM_MAC) && len >= ETH_HLEN) {
		memset(f, 0, 2 * ETH_ALEN);
		if (len >= ETH_HLEN + TRACE_ARP_LEN && trace_get16(f + 12) == ETH_P_ARP) {
			memset(f + ETH_HLEN + 8, 0, ETH_ALEN);
			memset(f + ETH_HLEN + 18, 0, ETH_ALEN);
		}
	}
	if ((o->norm & TRACE_NORM_CSUM) && ip)
		norm_csum(ip, t, tl);
}

/* --- reading --- */

static int side_open(struct side *s, const char *path, const struct trace_diff_filter *flt,
		     char *err, size_t errlen)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->path = path;
	s->filter = flt;
	if ((rc = trace_keytab_init(&s->isn)) < 0) {
		snprintf(err, errlen, "%s: out of memory", path);
		return rc;
	}
	return trace_reader_open(path, &s->r, err, errlen);
}

static void side_close(struct side *s)
{
	trace_reader_close(s->r);
	trace_keytab_free(&s->isn);
	free(s->buf);
}

/* The next frame the filter lets through, normalised: 1, 0 at the end, or -errno. */
static int side_next(struct side *s, const struct trace_diff_options *o, bool expected)
{
	const uint8_t *frame;
	size_t len;
	uint64_t ts;
	int rc;

	while ((rc = trace_reader_next(s->r, &frame, &len, &ts)) == 1) {
		if (!filter_pass(s->filter, frame, len))
			continue;
		if (len > s->cap) {
			uint8_t *b = realloc(s->buf, len);
			if (!b)
				return -ENOMEM;
			s->buf = b;
			s->cap = len;
		}
		if (!s->frames++)
			s->first_ts = ts;
		memcpy(s->buf, frame, len);
		s->len = len;
		s->rel_ns = ts >= s->first_ts ? ts - s->first_ts : 0;
		s->record = trace_reader_records(s->r);
		struct ctx_line *c = &s->ring[s->frames % (CONTEXT_MAX + 1)];
		c->frame = s->frames;
		c->record = s->record;
		c->rel_ns = s->rel_ns;
		trace_dissect_line(frame, len, c->text, sizeof(c->text));
		normalise(s, o, expected);
		return 1;
	}
	return rc;
}

/* --- the report --- */

static void print_context(FILE *out, const char *label, struct side *s, uint64_t at,
			  unsigned int before, bool after)
{
	uint64_t from = at > before ? at - before : 1, to = after ? s->frames : at;

	fprintf(out, "%s (%s):\n", label, s->path);
	if (to > at + 1)
		to = at + 1;
	for (uint64_t n = from; n <= to && n <= s->frames; n++) {
		const struct ctx_line *c = &s->ring[n % (CONTEXT_MAX + 1)];
		if (c->frame != n)
			continue;
		fprintf(out, "  %s %4llu  %llu.%09llu  %s\n", n == at ? ">" : " ",
			(unsigned long long)n, (unsigned long long)(c->rel_ns / NSEC_PER_SEC),
			(unsigned long long)(c->rel_ns % NSEC_PER_SEC), c->text);
	}
	if (s->frames < at)
		fprintf(out, "  > %4llu  (end of trace)\n", (unsigned long long)at);
}

/* The first difference of two frames present on both sides, into line; false: none. */
static bool frame_differs(const struct side *e, const struct side *a, unsigned int norm,
			  char *line, size_t size)
{
	size_t common = e->len < a->len ? e->len : a->len;
	struct trace_field fe, fa;
	char ve[64], va[64];

	for (size_t i = 0; i < common; i++) {
		if (e->buf[i] == a->buf[i])
			continue;
		trace_dissect_field(e->buf, e->len, i, &fe);
		trace_dissect_field(a->buf, a->len, i, &fa);
		if (fa.off != fe.off || fa.len != fe.len || fa.off + fa.len > a->len)
			fa = (struct trace_field){ .name = fe.name, .off = i, .len = 1,
						   .kind = TRACE_FIELD_BYTE, .index = fe.index };
		if (fe.kind == TRACE_FIELD_BYTE)
			fa.index = fe.index, fe.off = fa.off = i, fe.len = fa.len = 1;
		trace_field_format(&fe, e->buf, ve, sizeof(ve));
		trace_field_format(&fa, a->buf, va, sizeof(va));
		if (fe.kind == TRACE_FIELD_BYTE)
			snprintf(line, size, "%s[%zu] (frame byte %zu): expected %s, got %s",
				 fe.name, fe.index, i, ve, va);
		else
			snprintf(line, size, "%s: expected %s, got %s", fe.name, ve, va);
		return true;
	}
	if (e->len != a->len) {
		snprintf(line, size, "length: expected %zu bytes, got %zu", e->len, a->len);
		return true;
	}
	if (!(norm & TRACE_NORM_TIME) && e->rel_ns != a->rel_ns) {
		snprintf(line, size, "time since the first frame: expected %llu.%09llu s, "
			 "got %llu.%09llu s", (unsigned long long)(e->rel_ns / NSEC_PER_SEC),
			 (unsigned long long)(e->rel_ns % NSEC_PER_SEC),
			 (unsigned long long)(a->rel_ns / NSEC_PER_SEC),
			 (unsigned long long)(a->rel_ns % NSEC_PER_SEC));
		return true;
	}
	return false;
}

static void report(FILE *out, struct side *e, struct side *a, const struct trace_diff_options *o,
		   uint64_t n, const char *what)
{
	bool filtered = e->filter->by_ip || e->filter->by_mac || a->filter->by_ip ||
			a->filter->by_mac;

	if (filtered && e->frames >= n && a->frames >= n)
		fprintf(out, "frame %llu (record %llu of %s, record %llu of %s): %s\n",
			(unsigned long long)n, (unsigned long long)e->record, e->path,
			(unsigned long long)a->record, a->path, what);
	else
		fprintf(out, "frame %llu: %s\n", (unsigned long long)n, what);
	/* One frame after the divergence, where there is one. */
	bool e_more = e->frames >= n && side_next(e, o, true) == 1;
	bool a_more = a->frames >= n && side_next(a, o, false) == 1;
	print_context(out, "expected", e, n, o->context, e_more);
	print_context(out, "got", a, n, o->context, a_more);
}

static int compare(struct side *e, struct side *a, const struct trace_diff_options *o,
		   FILE *out, char *err, size_t errlen)
{
	char line[256], text[LINE_MAX_LEN];

	for (uint64_t n = 1;; n++) {
		int re = side_next(e, o, true), ra = side_next(a, o, false);
		struct side *bad = re < 0 ? e : ra < 0 ? a : NULL;
		if (bad) {
			int rc = re < 0 ? re : ra;
			snprintf(err, errlen, "%s", rc == -ENOMEM ? "out of memory" :
				 trace_reader_error(bad->r));
			return rc;
		}
		if (!re && !ra)
			return 0;
		if (!re || !ra) {
			struct side *more = re ? e : a;
			snprintf(text, sizeof(text), "%s", more->ring[n % (CONTEXT_MAX + 1)].text);
			if (re)
				snprintf(line, sizeof(line), "missing: expected %.200s, got the end of "
					 "the trace", text);
			else
				snprintf(line, sizeof(line), "extra: expected the end of the trace, "
					 "got %.200s", text);
			report(out, e, a, o, n, line);
			return 1;
		}
		if (frame_differs(e, a, o->norm, line, sizeof(line))) {
			report(out, e, a, o, n, line);
			return 1;
		}
	}
}

int trace_diff_files(const char *expected, const char *actual,
		     const struct trace_diff_options *opt, FILE *out, char *err, size_t errlen)
{
	struct trace_diff_options o = *opt;
	struct side e, a;
	int rc;

	if (o.context > CONTEXT_MAX - 1)
		o.context = CONTEXT_MAX - 1;
	if ((rc = side_open(&e, expected, &o.expected_filter, err, errlen)) < 0) {
		side_close(&e);
		return rc;
	}
	if ((rc = side_open(&a, actual, &o.actual_filter, err, errlen)) < 0) {
		side_close(&e);
		side_close(&a);
		return rc;
	}
	rc = compare(&e, &a, &o, out, err, errlen);
	side_close(&e);
	side_close(&a);
	return rc;
}
