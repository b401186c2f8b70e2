/*
 * Loading a recording into the replay's flows (tcp_replay.h): each TCP
 * flow of the recorded host becomes two byte streams (what each side sent,
 * with the ranges the capture lacks) and the peer's steps (its segments
 * with data, FIN or RST, each with the acknowledgement it carried).
 */
#include <errno.h>
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traces/frame.h"
#include "traces/readdress.h"
#include "traces/tcp_replay_private.h"

/*
 * A stream this large is mapped, in transparent huge pages where the
 * kernel gives them: a 1 GB download's 262,144 page faults were a third of
 * its replay's time.
 */
#define STREAM_MAP_MIN (2u << 20)

/* A segment this far past a stream's end is not of the flow (garbage, a wrapped ISN). */
#define STREAM_JUMP_MAX (64u << 20)

/*
 * Nor is one that would make the stream lack more than STREAM_LACK_RATIO
 * times the bytes captured (+ STREAM_LACK_SLACK): segments captured out of
 * order leave holes of a few segments, and backing a larger one with
 * memory let a few bytes of a hostile file reserve gigabytes.
 */
#define STREAM_LACK_RATIO 3u
#define STREAM_LACK_SLACK 4096u

/* A by_ref stream's extents grow by this many at first. */
#define STREAM_EXTENTS_MIN 64

static void stream_free(struct tr_stream *st)
{
	if (st->mapped)
		munmap(st->buf, st->cap);
	else
		free(st->buf);
	free(st->ext);
}

/* Room for cap bytes (a power of two, or UINT32_MAX): 0 or -ENOMEM. */
static int stream_grow(struct tr_stream *st, size_t cap)
{
	uint8_t *b;

	if (cap < STREAM_MAP_MIN) {
		if (!(b = realloc(st->buf, cap)))
			return -ENOMEM;
	} else if (st->mapped) {
		b = mremap(st->buf, st->cap, cap, MREMAP_MAYMOVE);
		if (b == MAP_FAILED)
			return -ENOMEM;
	} else {
		b = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (b == MAP_FAILED)
			return -ENOMEM;
		if (st->len)
			memcpy(b, st->buf, st->len);
		free(st->buf);
		st->mapped = true;
	}
	if (st->mapped)
		madvise(b, cap, MADV_HUGEPAGE); /* a hint: refused is as good, only slower */
	st->buf = b;
	st->cap = (uint32_t)cap;
	return 0;
}

void tr_flow_free(struct tr_flow *f)
{
	if (!f)
		return;
	stream_free(&f->peer);
	stream_free(&f->host);
	free(f->steps);
	free(f);
}

static void hole_add(struct tr_stream *st, uint32_t a, uint32_t b)
{
	if (a >= b)
		return;
	if (st->nr_holes == TCP_REPLAY_HOLES_MAX) {
		st->overflow = true;
		return;
	}
	st->holes[st->nr_holes][0] = a;
	st->holes[st->nr_holes++][1] = b;
}

/* [a, b) was recorded: holes shrink, split or go. */
static void hole_fill(struct tr_stream *st, uint32_t a, uint32_t b)
{
	for (unsigned int i = 0; i < st->nr_holes;) {
		uint32_t ha = st->holes[i][0], hb = st->holes[i][1];
		if (b <= ha || a >= hb) {
			i++;
			continue;
		}
		st->holes[i][0] = st->holes[--st->nr_holes][0]; /* remove, then add what is left */
		st->holes[i][1] = st->holes[st->nr_holes][1];
		hole_add(st, ha, a > ha ? a : ha);
		hole_add(st, b < hb ? b : hb, hb);
	}
}

/* A segment ending at end would make the stream lack far more than it holds. */
static bool stream_jumps(const struct tr_stream *st, uint32_t off, uint64_t end, uint32_t have)
{
	uint64_t got = st->captured + have;

	if (end > UINT32_MAX - 1 || (off > st->len && off - st->len > STREAM_JUMP_MAX))
		return true;
	return end > st->len && end > got && end - got > STREAM_LACK_RATIO * got + STREAM_LACK_SLACK;
}

const uint8_t *tr_stream_at(struct tr_stream *st, uint32_t off, uint32_t *n)
{
	size_t i = st->cursor, lo = 0, hi = st->nr_ext;
	uint32_t next;

	if (!st->by_ref) {
		*n = st->len - off;
		return st->buf + off;
	}
	/* Reads go forward: the extent of the last read, or the one after it, mostly. */
	if (i >= st->nr_ext || st->ext[i].off > off)
		i = 0;
	else if (i + 1 < st->nr_ext && st->ext[i + 1].off <= off)
		i++;
	if (i + 1 < st->nr_ext && st->ext[i + 1].off <= off) {
		while (hi - lo > 1) { /* the last extent starting at or before off */
			size_t mid = lo + (hi - lo) / 2;
			if (st->ext[mid].off <= off)
				lo = mid;
			else
				hi = mid;
		}
		i = lo;
	}
	st->cursor = i;
	next = i + 1 < st->nr_ext ? st->ext[i + 1].off : st->len;
	*n = next - off;
	return st->ext[i].p + (off - st->ext[i].off);
}

void tr_stream_read(struct tr_stream *st, uint32_t off, uint8_t *dst, uint32_t n)
{
	uint32_t piece;

	for (uint32_t i = 0; i < n; i += piece) {
		const uint8_t *p = tr_stream_at(st, off + i, &piece);

		piece = piece < n - i ? piece : n - i;
		memcpy(dst + i, p, piece);
	}
}

/* Whether the stream holds p[0..n) at off (all of it recorded). */
static bool stream_holds(struct tr_stream *st, uint32_t off, const uint8_t *p, uint32_t n)
{
	uint32_t piece;

	for (; n; off += piece, p += piece, n -= piece) {
		const uint8_t *q = tr_stream_at(st, off, &piece);
		if (piece > n)
			piece = n;
		if (memcmp(q, p, piece))
			return false;
	}
	return true;
}

/*
 * By reference: a whole segment continuing the stream, or retransmitting
 * bytes it holds the same. Returns 1 when taken, 0 when the stream must be
 * a copy from now on (a hole, different bytes), -ENOMEM.
 */
static int stream_put_ref(struct tr_stream *st, uint32_t off, const uint8_t *p, uint32_t len)
{
	uint32_t end = off + len, old;

	if (off > st->len || (off < st->len && !stream_holds(st, off, p, (end < st->len ? end :
									   st->len) - off)))
		return 0;
	if (end <= st->len)
		return 1;
	if (st->nr_ext == st->cap_ext) {
		size_t cap = st->cap_ext ? st->cap_ext * 2 : STREAM_EXTENTS_MIN;
		struct tr_extent *e = realloc(st->ext, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		st->ext = e;
		st->cap_ext = cap;
	}
	old = st->len;
	st->ext[st->nr_ext++] = (struct tr_extent){ old, p + (old - off) };
	st->len = end;
	st->by_ref = true;
	return 1;
}

/* A by_ref stream becomes a copy (in buf), as a stream not mapped is: 0 or -ENOMEM. */
static int stream_copy_out(struct tr_stream *st)
{
	uint32_t len = st->len;
	uint64_t cap = 4096;

	while (cap < len)
		cap *= 2;
	st->len = 0; /* stream_grow has nothing to carry over */
	if (stream_grow(st, cap > UINT32_MAX ? UINT32_MAX : (size_t)cap) < 0) {
		st->len = len;
		return -ENOMEM;
	}
	st->len = len;
	tr_stream_read(st, 0, st->buf, len);
	st->by_ref = false;
	free(st->ext);
	st->ext = NULL;
	st->nr_ext = st->cap_ext = st->cursor = 0;
	return 0;
}

/*
 * Writes the have captured bytes of a len-byte payload at off. Returns 0,
 * -ERANGE for a segment far past the end (the stream is then marked
 * jumped), -ENOMEM. Once a stream has overflowed or jumped, the flow is
 * not replayable: nothing more is kept.
 */
static int stream_put(struct tr_stream *st, uint32_t off, const uint8_t *p, uint32_t have,
		      uint32_t len, bool by_ref)
{
	uint64_t end = (uint64_t)off + len;
	int rc;

	if (st->overflow)
		return 0;
	if (stream_jumps(st, off, end, have)) {
		st->jumped = true;
		st->jump_at = off;
		return -ERANGE;
	}
	/* by_ref: p lies in the mapped file, whole; the stream starts (or goes on) as extents. */
	if (by_ref && have == len && (st->by_ref || (!st->len && !st->buf))) {
		if ((rc = stream_put_ref(st, off, p, len)) != 0) {
			st->captured += rc > 0 ? have : 0;
			return rc < 0 ? rc : 0;
		}
	}
	if (st->by_ref && stream_copy_out(st) < 0)
		return -ENOMEM;
	st->captured += have;
	if (end > st->cap) {
		uint64_t cap = st->cap ? st->cap : 4096;
		while (cap < end)
			cap *= 2;
		if (stream_grow(st, cap > UINT32_MAX ? UINT32_MAX : (size_t)cap) < 0)
			return -ENOMEM;
	}
	if (off > st->len)
		hole_add(st, st->len, off);
	memcpy(st->buf + off, p, have);
	hole_fill(st, off, off + have);
	if (end > st->len) {
		hole_add(st, off + have > st->len ? off + have : st->len, (uint32_t)end);
		st->len = (uint32_t)end;
	}
	return 0;
}

static struct tr_flow *flow_new(struct tcp_replay *tr, const struct tr_seg *s, bool from_host,
				uint8_t *key)
{
	struct tr_flow *f = calloc(1, sizeof(*f)), *first = NULL;
	struct trace_keytab_entry *e;
	int added;

	if (!f)
		return NULL;
	if (tr->nr_flows == tr->cap_flows) {
		size_t cap = tr->cap_flows ? tr->cap_flows * 2 : 16;
		struct tr_flow **n = realloc(tr->flows, cap * sizeof(*n));
		if (!n)
			return free(f), NULL;
		tr->flows = n;
		tr->cap_flows = cap;
	}
	if (!(e = trace_keytab_get(&tr->by_tuple, key, &added)))
		return free(f), NULL;
	if (!added)
		first = tr->flows[e->value - 1];
	else
		e->value = tr->nr_flows + 1;
	while (first && first->same_next)
		first = first->same_next;
	if (first)
		first->same_next = f;
	tr->flows[tr->nr_flows++] = f;
	f->id = (unsigned int)tr->nr_flows;
	f->peer_ip = from_host ? s->dst : s->src;
	f->peer_port = from_host ? s->dport : s->sport;
	f->host_port = from_host ? s->sport : s->dport;
	f->guest_port = f->host_port;
	return f;
}

/* The flow a recorded segment belongs to, new for a new SYN; NULL when out of memory. */
static struct tr_flow *flow_of(struct tcp_replay *tr, const struct tr_seg *s, bool from_host)
{
	uint8_t key[TRACE_KEY_LEN];
	struct trace_keytab_entry *e;
	struct tr_flow *f = NULL;
	bool syn = (s->flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN;

	if (from_host)
		tr_tuple_key(s->dst, s->dport, s->sport, key);
	else
		tr_tuple_key(s->src, s->sport, s->dport, key);
	if ((e = trace_keytab_find(&tr->by_tuple, key))) {
		f = tr->flows[e->value - 1];
		while (f->same_next)
			f = f->same_next;
	}
	/* A SYN opening again (not a retransmission of the flow's own) starts a new flow. */
	if (f && syn && !from_host && f->peer_syn && s->seq != f->peer_isn)
		f = NULL;
	/* The host's SYN opening again (not a retransmission of its own) too. */
	if (f && syn && from_host && (f->peer_syn || (f->host_opened && s->seq != f->host_isn)))
		f = NULL;
	return f ? f : flow_new(tr, s, from_host, key);
}

/*
 * Drops the part of a segment before its stream's first byte (a keep-alive
 * probe's one old byte, a SYN's data): false when nothing is left.
 */
static bool trim_before_start(uint32_t *off, struct tr_seg *s)
{
	uint32_t cut;

	if ((int32_t)*off >= 0)
		return true;
	cut = -*off;
	if (cut >= s->len)
		return false;
	s->data += cut;
	s->have = s->have > cut ? s->have - cut : 0;
	s->len -= cut;
	*off = 0;
	return true;
}

static int add_step(struct tr_flow *f, uint32_t off, uint32_t len, uint32_t need, uint8_t flags,
		    uint16_t win)
{
	if (f->nr_steps == f->cap_steps) {
		size_t cap = f->cap_steps ? f->cap_steps * 2 : 16;
		struct tr_step *n = realloc(f->steps, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		f->steps = n;
		f->cap_steps = cap;
	}
	f->steps[f->nr_steps++] = (struct tr_step){ off, len, need, flags, win };
	return 0;
}

/* A segment of the peer's: its SYN, or a step (data, FIN, RST) when it adds to the stream. */
static int load_peer(struct tr_flow *f, struct tr_seg *s)
{
	uint32_t off, need = 0, end;
	int rc;

	if ((s->flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN) {
		if (!f->peer_syn) {
			f->peer_syn = true;
			f->peer_isn = s->seq;
			f->syn = *s;
			f->syn.data = NULL;
			f->syn.mac_src = NULL;
		}
		return 0;
	}
	if (s->flags & TCPF_SYN) {
		/* The peer's SYN-ACK to the recorded host's SYN: the replayer's, to the guest's. */
		if (!f->host_opened)
			f->mid_stream = true;
		else if (!f->peer_syn) {
			f->peer_syn = f->peer_synack = true;
			f->peer_isn = s->seq;
			f->syn = *s;
			f->syn.data = NULL;
			f->syn.mac_src = NULL;
		}
		return 0;
	}
	if ((s->flags & TCPF_RST) && f->host_opened && !f->peer_syn) {
		f->peer_refused = true; /* the peer refused the recorded host's connection */
		return 0;
	}
	if (!f->peer_syn) {
		f->mid_stream = true;
		return 0;
	}
	off = s->seq - f->peer_isn - 1;
	if ((s->flags & TCPF_ACK) && f->host_synack && (int32_t)(s->ack - f->host_isn - 1) > 0)
		need = s->ack - f->host_isn - 1;
	if (s->flags & TCPF_RST)
		return add_step(f, off > f->peer.len ? f->peer.len : off, 0, need, TCPF_RST, s->win);
	if (!s->len && !(s->flags & TCPF_FIN))
		return 0; /* a pure ACK: the replayer makes its own */
	if (!trim_before_start(&off, s))
		return 0;
	if ((rc = stream_put(&f->peer, off, s->data, s->have, s->len, false)) < 0)
		return rc;
	end = off + s->len;
	if (s->flags & TCPF_FIN)
		f->peer.fin = true;
	/* A retransmission in the recording adds nothing to send. */
	if (f->nr_steps && end <= f->steps[f->nr_steps - 1].off + f->steps[f->nr_steps - 1].len &&
	    !(s->flags & TCPF_FIN))
		return 0;
	if (f->nr_steps && (f->steps[f->nr_steps - 1].flags & TCPF_FIN))
		return 0;
	return add_step(f, off, s->len, need, s->flags & TCPF_FIN, s->win);
}

/* Whether [p, p + n) lies in the file tcp_replay_load_file mapped. */
static bool in_map(const struct tcp_replay *tr, const uint8_t *p, uint32_t n)
{
	uintptr_t a = (uintptr_t)tr->map.p, q = (uintptr_t)p;

	return tr->map.p && q >= a && q - a <= tr->map.len && n <= tr->map.len - (q - a);
}

/*
 * A segment of the recorded host's: its SYN-ACK, its bytes, its FIN or RST.
 * Its bytes are referred to where they lie in a mapped file, not copied
 * (the peer's are always copied: the replay sends them in its own segments).
 */
static int load_host(const struct tcp_replay *tr, struct tr_flow *f, struct tr_seg *s)
{
	uint32_t off;
	int rc;

	if ((s->flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN) {
		f->host_opened = true; /* the recorded host connected: the guest will */
		if (!f->host_synack && !f->peer_syn) {
			f->host_synack = true;
			f->host_isn = s->seq;
		}
		return 0;
	}
	if (s->flags & TCPF_SYN) {
		if (!f->host_synack) {
			f->host_synack = true;
			f->host_isn = s->seq;
		}
		return 0;
	}
	if ((s->flags & TCPF_RST) && !f->host_synack) {
		f->host_refused = f->peer_syn;
		f->mid_stream |= !f->peer_syn;
		return 0;
	}
	if (!f->host_synack) {
		f->mid_stream = true;
		return 0;
	}
	off = s->seq - f->host_isn - 1;
	if (s->flags & TCPF_RST) {
		if (!f->host.rst)
			f->host.rst_at = off > f->host.len ? f->host.len : off;
		f->host.rst = true;
		return 0;
	}
	if (!s->len && !(s->flags & TCPF_FIN))
		return 0; /* a pure ACK: its sequence number may be past a FIN */
	if (!trim_before_start(&off, s))
		return 0;
	if ((rc = stream_put(&f->host, off, s->data, s->have, s->len,
			     in_map(tr, s->data, s->have))) < 0)
		return rc;
	if (s->flags & TCPF_FIN)
		f->host.fin = true;
	return 0;
}

int tcp_replay_load(struct tcp_replay *tr, const uint8_t *frame, size_t len, uint64_t ts)
{
	struct tr_seg s;
	struct tr_flow *f;
	bool from_host;
	int rc;

	if (!tr_seg_parse(frame, len, &s) || (s.src == tr->cfg.as_ip) == (s.dst == tr->cfg.as_ip))
		return 0;
	from_host = s.src == tr->cfg.as_ip;
	if (!(f = flow_of(tr, &s, from_host)))
		return -ENOMEM;
	if (!from_host && !f->peer_syn && !(s.flags & TCPF_ACK))
		f->syn_ts = ts;
	if (!from_host)
		memcpy(f->peer_mac, s.mac_src, 6);
	else if (!f->peer_syn)
		memcpy(f->peer_mac, frame, 6);
	rc = from_host ? load_host(tr, f, &s) : load_peer(f, &s);
	if (rc == -ERANGE) {
		/* Garbage or a jump of the sequence: the flow's recording is broken there. */
		(from_host ? &f->host : &f->peer)->overflow = true;
		rc = 0;
	}
	return rc < 0 ? rc : 1;
}

bool tcp_replay_claims(const struct tcp_replay *tr, const uint8_t *frame, size_t len)
{
	struct tr_seg s;

	return tr_seg_parse(frame, len, &s) &&
	       (s.src == tr->cfg.as_ip) != (s.dst == tr->cfg.as_ip);
}

/* Why the flow's recording cannot be replayed into buf, or NULL when it can. */
static const char *flow_unplayable(const struct tr_flow *f, char *buf, size_t size)
{
	const struct tr_stream *st[2] = { &f->peer, &f->host };
	static const char *const who[2] = { "peer's", "recorded host's" };

	if (f->host_opened && f->peer_syn && !f->peer_synack)
		return "both ends opened it (a simultaneous open)";
	if (f->host_opened && f->host_synack && !f->mid_stream && f->peer_refused && !f->peer_syn)
		return NULL; /* the guest's SYN will be refused as the recording's was */
	if (f->host_opened && f->host_synack && !f->peer_syn && !f->mid_stream)
		return "the recording lacks the peer's SYN-ACK";
	if (f->mid_stream || !f->peer_syn)
		return "the recording begins after its handshake";
	for (int i = 0; i < 2; i++) {
		if (st[i]->jumped) {
			snprintf(buf, size, "the %s sequence numbers jump to byte %u with %llu bytes "
				 "captured before it (garbage, a wrapped sequence number, or a "
				 "capture that lost most of them)", who[i], st[i]->jump_at,
				 (unsigned long long)st[i]->captured);
			return buf;
		}
		if (st[i]->overflow) {
			snprintf(buf, size, "the capture lacks more than %d ranges of the %s bytes",
				 TCP_REPLAY_HOLES_MAX, who[i]);
			return buf;
		}
		if (st[i]->nr_holes) {
			snprintf(buf, size, "the capture lacks the %s bytes %u-%u (a hole)", who[i],
				 st[i]->holes[0][0], st[i]->holes[0][1] - 1);
			return buf;
		}
	}
	return NULL;
}

/*
 * The flows the recorded host opened, by the peer's address and port, in
 * the order of the recording: the guest's SYNs to that peer take them in
 * turn (TR_KEY_SERVER, tcp_replay.c). 0 or -ENOMEM.
 */
static int listen_chains(struct tcp_replay *tr)
{
	uint8_t key[TRACE_KEY_LEN];
	struct trace_keytab_entry *e;
	int added;

	for (size_t i = tr->nr_flows; i-- > 0;) {
		struct tr_flow *f = tr->flows[i];
		if (f->state != TR_LISTEN)
			continue;
		tr_key(TR_KEY_SERVER, f->peer_ip, f->peer_port, 0, key);
		if (!(e = trace_keytab_get(&tr->by_tuple, key, &added)))
			return -ENOMEM;
		f->listen_next = added ? NULL : tr->flows[e->value - 1];
		e->value = i + 1;
	}
	return 0;
}

unsigned int tcp_replay_load_done(struct tcp_replay *tr)
{
	char why[256], name[96], as[16];
	unsigned int n = 0;

	tr->stats.flows = (unsigned int)tr->nr_flows;
	for (size_t i = 0; i < tr->nr_flows; i++) {
		struct tr_flow *f = tr->flows[i];
		const char *w = flow_unplayable(f, why, sizeof(why));
		if (w) {
			f->state = TR_SKIPPED;
			tr->stats.not_replayed++;
			tr_say(tr, true, "tcp %s: not replayed: %s", tr_flow_name(tr, f, name,
			       sizeof(name)), w);
			continue;
		}
		f->state = f->host_opened ? TR_LISTEN : TR_WAIT;
		tr->listening += f->host_opened;
		tr->host_opens |= f->host_opened;
		n++;
	}
	if (tr->listening && listen_chains(tr) < 0)
		tr_say(tr, true, "tcp: out of memory: the flows the recorded host opened are "
		       "not replayed");
	if (!tr->nr_flows)
		tr_say(tr, true, "tcp: no TCP flow of the recording concerns %s (as=): nothing to "
		       "replay", trace_ip4_format(tr->cfg.as_ip, as));
	return n;
}
