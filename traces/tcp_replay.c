/*
 * The TCP replay (tcp_replay.h): the flow table, the guest's segments to
 * their flow, what is due when, and the frames queued for the guest.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "traces/frame.h"
#include "traces/tcp_replay_private.h"

int tcp_replay_create(const struct tcp_replay_config *cfg, struct tcp_replay **out)
{
	struct tcp_replay *tr = calloc(1, sizeof(*tr));

	if (!tr || trace_keytab_init(&tr->by_tuple) < 0) {
		free(tr);
		return -ENOMEM;
	}
	tr->cfg = *cfg;
	if (!tr->cfg.deadline_ns)
		tr->cfg.deadline_ns = TCP_REPLAY_DEADLINE_DEFAULT_NS;
	*out = tr;
	return 0;
}

void tcp_replay_destroy(struct tcp_replay *tr)
{
	if (!tr)
		return;
	for (size_t i = 0; i < tr->nr_flows; i++)
		tr_flow_free(tr->flows[i]);
	free(tr->flows);
	tcp_replay_unmap(tr); /* after the flows: their streams refer to it */
	free(tr->waiting);
	trace_keytab_free(&tr->by_tuple);
	free(tr->q);
	free(tr);
}

/* Start time, then the order of the recording. */
static int by_start(const void *a, const void *b)
{
	const struct tr_flow *f = *(struct tr_flow *const *)a, *g = *(struct tr_flow *const *)b;

	if (f->start_at != g->start_at)
		return f->start_at < g->start_at ? -1 : 1;
	return f->id < g->id ? -1 : f->id > g->id;
}

void tcp_replay_start(struct tcp_replay *tr, uint64_t origin, uint32_t guest_ip)
{
	uint64_t first = UINT64_MAX;

	if (tr->started)
		return;
	tr->guest_ip = guest_ip;
	tr->origin = origin;
	tr->guest_seen_at = origin;
	tr->started = true;
	/* The first SYN of the recording is at origin, the others as far after it as recorded. */
	for (size_t i = 0; i < tr->nr_flows; i++)
		if (tr->flows[i]->state == TR_WAIT && tr->flows[i]->syn_ts < first)
			first = tr->flows[i]->syn_ts;
	if (first == UINT64_MAX)
		return;
	if (!(tr->waiting = malloc(tr->nr_flows * sizeof(*tr->waiting)))) {
		/* Without the list no flow the peer opened can start: each is said at the end. */
		tr_say(tr, true, "tcp: out of memory starting the replay");
		return;
	}
	for (size_t i = 0; i < tr->nr_flows; i++) {
		struct tr_flow *f = tr->flows[i];
		if (f->state != TR_WAIT)
			continue;
		f->start_at = origin + (f->syn_ts - first);
		tr->waiting[tr->nr_waiting++] = f;
	}
	qsort(tr->waiting, tr->nr_waiting, sizeof(*tr->waiting), by_start);
}

void tr_flow_live(struct tcp_replay *tr, struct tr_flow *f)
{
	if (f->live)
		return;
	f->live = true;
	f->live_next = NULL;
	f->live_prev = tr->live_tail;
	if (tr->live_tail)
		tr->live_tail->live_next = f;
	else
		tr->live_head = f;
	tr->live_tail = f;
}

static void flow_unlive(struct tcp_replay *tr, struct tr_flow *f)
{
	if (f->live_prev)
		f->live_prev->live_next = f->live_next;
	else
		tr->live_head = f->live_next;
	if (f->live_next)
		f->live_next->live_prev = f->live_prev;
	else
		tr->live_tail = f->live_prev;
	f->live = false;
	f->live_prev = f->live_next = NULL;
}

void tr_flow_ack_later(struct tcp_replay *tr, struct tr_flow *f)
{
	f->ack_pending = true;
	if (f->ack_queued)
		return;
	f->ack_queued = true;
	f->ack_next = NULL;
	if (tr->ack_tail)
		tr->ack_tail->ack_next = f;
	else
		tr->ack_head = f;
	tr->ack_tail = f;
}

static bool flow_in_play(const struct tr_flow *f)
{
	return f->state == TR_SYN_SENT || f->state == TR_OPEN || f->state == TR_SYN_RCVD;
}

/*
 * The guest's SYN to a peer the recorded host connected to: the next flow
 * of that peer it has not connected yet takes the guest's port (a SYN
 * again with the same ISN is the bound flow's retransmission). NULL: none.
 */
static struct tr_flow *flow_of_connect(struct tcp_replay *tr, const struct tr_seg *s,
				       struct tr_flow *bound)
{
	uint8_t key[TRACE_KEY_LEN];
	struct trace_keytab_entry *e, *g;
	struct tr_flow *f;
	int added;

	if (bound && bound->guest_isn == s->seq && bound->state != TR_LISTEN)
		return bound;
	tr_key(TR_KEY_SERVER, s->dst, s->dport, 0, key);
	if (!(e = trace_keytab_find(&tr->by_tuple, key)) || !e->value)
		return bound;
	f = tr->flows[e->value - 1];
	tr_key(TR_KEY_GUEST, s->dst, s->dport, s->sport, key);
	if (!(g = trace_keytab_get(&tr->by_tuple, key, &added)))
		return bound; /* out of memory: the flow is given up at its deadline */
	tr_key(TR_KEY_SERVER, s->dst, s->dport, 0, key);
	e = trace_keytab_find(&tr->by_tuple, key); /* the table may have grown */
	e->value = f->listen_next ? f->listen_next->id : 0;
	g->value = f->id;
	f->guest_port = s->sport;
	return f;
}

/* The flow of a segment of the guest: the open one of its addresses and ports. */
static struct tr_flow *flow_of_guest(struct tcp_replay *tr, const struct tr_seg *s)
{
	uint8_t key[TRACE_KEY_LEN];
	struct trace_keytab_entry *e;
	struct tr_flow *f, *last = NULL;

	tr_key(TR_KEY_GUEST, s->dst, s->dport, s->sport, key);
	e = tr->host_opens ? trace_keytab_find(&tr->by_tuple, key) : NULL;
	f = e ? tr->flows[e->value - 1] : NULL;
	if ((s->flags & (TCPF_SYN | TCPF_ACK | TCPF_RST)) == TCPF_SYN && tr->listening)
		return flow_of_connect(tr, s, f);
	if (f)
		return f;
	tr_tuple_key(s->dst, s->dport, s->sport, key);
	if (!(e = trace_keytab_find(&tr->by_tuple, key)))
		return NULL;
	for (f = tr->flows[e->value - 1]; f; f = f->same_next) {
		if (f->state == TR_SYN_SENT || f->state == TR_OPEN)
			return f;
		if (f->state == TR_ENDED)
			last = f;
	}
	return last;
}

void tcp_replay_from_guest(struct tcp_replay *tr, uint64_t now, const uint8_t *frame,
			   size_t len)
{
	struct tr_seg s;
	struct tr_flow *f;

	if (!tr->started || !tr_seg_parse(frame, len, &s) || s.src != tr->guest_ip ||
	    s.have != s.len)
		return;
	if ((f = flow_of_guest(tr, &s))) {
		tr->guest_seen_at = now;
		tr_flow_input(tr, f, now, &s);
	}
}

/*
 * The flows the guest was to connect, when it has sent nothing of any flow
 * for the deadline: it will not (one per run, no timer of their own).
 */
static void listeners_give_up(struct tcp_replay *tr, uint64_t now)
{
	char when[48];

	if (!tr->listening || now < tr->guest_seen_at + tr->cfg.deadline_ns)
		return;
	tr_deadline_words(tr, when, sizeof(when));
	for (size_t i = 0; i < tr->nr_flows && tr->listening; i++)
		if (tr->flows[i]->state == TR_LISTEN)
			tr_flow_give_up(tr, tr->flows[i], when);
}

void tcp_replay_run(struct tcp_replay *tr, uint64_t now)
{
	if (!tr->started)
		return;
	while (tr->ack_head) {
		struct tr_flow *f = tr->ack_head;
		tr->ack_head = f->ack_next;
		if (!tr->ack_head)
			tr->ack_tail = NULL;
		f->ack_queued = false;
		tr_flow_send_owed_ack(tr, f);
	}
	while (tr->next_waiting < tr->nr_waiting &&
	       tr->waiting[tr->next_waiting]->start_at <= now) {
		struct tr_flow *f = tr->waiting[tr->next_waiting++];
		if (f->state == TR_WAIT)
			tr_flow_begin(tr, f, now);
	}
	for (struct tr_flow *f = tr->live_head, *next; f; f = next) {
		next = f->live_next;
		if (flow_in_play(f))
			tr_flow_timer(tr, f, now);
		if (!flow_in_play(f))
			flow_unlive(tr, f);
	}
	listeners_give_up(tr, now);
}

uint64_t tcp_replay_next_time(const struct tcp_replay *tr)
{
	uint64_t next = UINT64_MAX;

	if (!tr->started)
		return next;
	if (tr->ack_head)
		return 0; /* now */
	if (tr->listening)
		next = tr->guest_seen_at + tr->cfg.deadline_ns;
	if (tr->next_waiting < tr->nr_waiting && tr->waiting[tr->next_waiting]->start_at < next)
		next = tr->waiting[tr->next_waiting]->start_at;
	for (const struct tr_flow *f = tr->live_head; f; f = f->live_next) {
		uint64_t t = tr_flow_next_time(tr, f);
		if (t < next)
			next = t;
	}
	return next;
}

bool tcp_replay_pop(struct tcp_replay *tr, const uint8_t **frame, size_t *len)
{
	if (tr->q_head >= tr->q_len)
		return false;
	*len = trace_get32(tr->q + tr->q_head);
	*frame = tr->q + tr->q_head + 4;
	tr->q_head += 4 + *len;
	return true;
}

bool tcp_replay_done(const struct tcp_replay *tr)
{
	if (!tr->started) {
		for (size_t i = 0; i < tr->nr_flows; i++)
			if (tr->flows[i]->state != TR_ENDED && tr->flows[i]->state != TR_SKIPPED)
				return false;
		return true;
	}
	if (tr->next_waiting < tr->nr_waiting || tr->listening)
		return false;
	for (const struct tr_flow *f = tr->live_head; f; f = f->live_next)
		if (flow_in_play(f))
			return false;
	return true;
}

void tcp_replay_finish(struct tcp_replay *tr, uint64_t now)
{
	(void)now;
	for (size_t i = 0; i < tr->nr_flows; i++) {
		struct tr_flow *f = tr->flows[i];
		if (f->state == TR_WAIT) {
			f->state = TR_ENDED;
			tr_diverge(tr, f, "never started: the replay ended before the peer's SYN "
				   "was due%s", tr->started ? "" : " (the guest never said its address)");
		} else if (f->state != TR_ENDED && f->state != TR_SKIPPED) {
			tr_flow_give_up(tr, f, "before the replay ended");
		}
	}
	tr_say(tr, false, "tcp=replay: %u flows: %u matched, %u diverged, %u not replayed; "
	       "%llu bytes to the guest, %llu from it", tr->stats.flows, tr->stats.matched,
	       tr->stats.diverged, tr->stats.not_replayed,
	       (unsigned long long)tr->stats.bytes_to_guest,
	       (unsigned long long)tr->stats.bytes_from_guest);
}

const struct tcp_replay_stats *tcp_replay_stats(const struct tcp_replay *tr)
{
	return &tr->stats;
}
