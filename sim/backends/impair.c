/*
 * One direction of a vif's impairment (impair.h): the draws, the held
 * frames and the timers that let them go. What Linux's netem does in
 * netem_enqueue/netem_dequeue (net/sched/sch_netem.c), with two
 * departures: frames held by delay, jitter or rate keep their order in one
 * queue (netem keeps order only with a rate), and reorder= swaps a frame
 * with the next one rather than sending some frames without the delay.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/backends/impair.h"
#include "sim/splitmix64.h"

#define NSEC_PER_SEC 1000000000ULL
#define PPM 1000000u
#define ETH_HEADER_BYTES 14u /* corruption spares the Ethernet header: see corrupt() */

struct impair_frame {
	struct impair_frame *next;
	uint64_t release;    /* guest time it goes */
	int64_t jitter_ns;   /* its draw, kept for a frame held back */
	size_t len;
	uint8_t data[];
};

struct impair_list {
	struct impair_frame *head, *tail;
};

struct impair_path {
	struct sim *sim;
	struct impair_params p;
	struct impair_out out;
	struct impair_stats *stats;
	uint64_t rng;               /* splitmix64 state */
	struct impair_list queue;   /* held by delay, jitter, rate: in release order */
	struct impair_list held;    /* held back for reordering, with its duplicate */
	unsigned int nr_held;       /* frames in queue and held: at most p.limit */
	uint64_t link_free;         /* rate: when the link has sent what it took */
	uint64_t last_release;      /* no frame goes before one that entered earlier */
	bool waiting;               /* the queue's head is due; the receiver is not ready */
	struct sim_timer release_timer, hold_timer;
};

/* The draws every frame takes, in this order, whatever is switched on. */
struct impair_draws {
	uint64_t loss, dup, corrupt, corrupt_at, reorder, jitter;
};

/* True with probability ppm / 10^6: the draw's top 32 bits scaled to [0, 10^6). */
static bool chance(uint64_t draw, uint32_t ppm)
{
	return ((draw >> 32) * PPM >> 32) < ppm;
}

static void take_draws(struct impair_path *p, struct impair_draws *d)
{
	d->loss = sim_splitmix64_next(&p->rng);
	d->dup = sim_splitmix64_next(&p->rng);
	d->corrupt = sim_splitmix64_next(&p->rng);
	d->corrupt_at = sim_splitmix64_next(&p->rng);
	d->reorder = sim_splitmix64_next(&p->rng);
	d->jitter = sim_splitmix64_next(&p->rng);
}

/* Uniform in [-jitter, +jitter] ns: netem's tabledist without a distribution table. */
static int64_t jitter_of(const struct impair_path *p, uint64_t draw)
{
	if (!p->p.jitter_ns)
		return 0;
	return (int64_t)(draw % (2 * p->p.jitter_ns + 1)) - (int64_t)p->p.jitter_ns;
}

/*
 * Flips one bit of one byte. Past the Ethernet header, as a corrupted
 * payload that a real link's CRC let through: the receiver's IPv4 header or
 * TCP/UDP/ICMP checksum then catches it (one flipped bit always changes a
 * ones' complement sum), rather than its MAC filter.
 */
static void corrupt(struct impair_frame *f, uint64_t draw)
{
	size_t first = f->len > ETH_HEADER_BYTES ? ETH_HEADER_BYTES : 0;

	f->data[first + (size_t)(draw % (f->len - first))] ^= (uint8_t)(1u << (draw >> 61));
}

static void list_push(struct impair_list *l, struct impair_frame *f)
{
	f->next = NULL;
	if (l->tail)
		l->tail->next = f;
	else
		l->head = f;
	l->tail = f;
}

static struct impair_frame *list_pop(struct impair_list *l)
{
	struct impair_frame *f = l->head;

	if (f && !(l->head = f->next))
		l->tail = NULL;
	return f;
}

static void list_free(struct impair_list *l)
{
	struct impair_frame *f;

	while ((f = list_pop(l)))
		free(f);
}

static void path_release(struct sim_timer *t, void *arg);

/*
 * Guest time at which f, entering the link now, reaches the other end:
 * after the frames before it have been sent (rate), plus delay and jitter,
 * and never before a frame that entered earlier.
 */
static uint64_t release_time(struct impair_path *p, const struct impair_frame *f, uint64_t now)
{
	uint64_t at = now, delay = p->p.delay_ns;

	if (p->p.rate_bps) {
		uint64_t start = p->link_free > now ? p->link_free : now;
		/* len <= IMPAIR_FRAME_MAX: no overflow. */
		p->link_free = start + ((uint64_t)f->len * 8 * NSEC_PER_SEC + p->p.rate_bps - 1) /
					       p->p.rate_bps;
		at = p->link_free;
	}
	if (f->jitter_ns < 0)
		delay = (uint64_t)-f->jitter_ns > delay ? 0 : delay - (uint64_t)-f->jitter_ns;
	else
		delay += (uint64_t)f->jitter_ns;
	at += delay;
	if (at < p->last_release)
		at = p->last_release;
	p->last_release = at;
	return at;
}

/*
 * Sends f now when nothing waits before it and it is due; else queues it
 * (it counts as held already). Returns what the receiver said, or 0.
 */
static int path_schedule(struct impair_path *p, struct impair_frame *f)
{
	uint64_t now = sim_now_ns(p->sim);
	int rc;

	f->release = release_time(p, f, now);
	if (f->release == now && !p->queue.head) {
		p->nr_held--;
		rc = p->out.pass(p->out.arg, f->data, f->len);
		free(f);
		return rc;
	}
	p->stats->delayed += f->release > now;
	list_push(&p->queue, f);
	if (p->queue.head == f && !p->waiting)
		sim_timer_start(p->sim, &p->release_timer, f->release, path_release, p);
	return 0;
}

/* Lets the queue's due frames go, in order, while the receiver takes them. */
static void path_release(struct sim_timer *t, void *arg)
{
	struct impair_path *p = arg;
	uint64_t now = sim_now_ns(p->sim);
	struct impair_frame *f;

	(void)t;
	while ((f = p->queue.head) && f->release <= now) {
		if (p->out.ready && !p->out.ready(p->out.arg)) {
			p->waiting = true; /* until impair_path_resume */
			return;
		}
		list_pop(&p->queue);
		p->nr_held--;
		p->out.pass(p->out.arg, f->data, f->len);
		free(f);
	}
	if (f)
		sim_timer_start(p->sim, &p->release_timer, f->release, path_release, p);
	else if (!p->nr_held && p->out.drained)
		p->out.drained(p->out.arg);
}

void impair_path_resume(struct impair_path *p)
{
	if (!p || !p->waiting)
		return;
	p->waiting = false;
	/* From the timer list rather than from inside the receiver's notification. */
	sim_timer_start(p->sim, &p->release_timer, sim_now_ns(p->sim), path_release, p);
}

/* The frames held back for reordering go now, behind the frame that just went. */
static void release_held(struct impair_path *p)
{
	struct impair_frame *f;

	sim_timer_stop(p->sim, &p->hold_timer);
	while ((f = list_pop(&p->held)))
		path_schedule(p, f);
	if (!p->nr_held && p->out.drained)
		p->out.drained(p->out.arg);
}

static void hold_expired(struct sim_timer *t, void *arg)
{
	(void)t;
	release_held(arg);
}

/* A copy of frame as a held frame, counted against limit=; NULL when there is no room. */
static struct impair_frame *frame_copy(struct impair_path *p, const uint8_t *frame, size_t len,
				       int64_t jitter_ns)
{
	struct impair_frame *f;

	if (p->nr_held >= p->p.limit || !(f = malloc(sizeof(*f) + len))) {
		p->stats->queue_dropped++;
		return NULL;
	}
	memcpy(f->data, frame, len);
	f->len = len;
	f->jitter_ns = jitter_ns;
	f->next = NULL;
	p->nr_held++;
	return f;
}

int impair_path_input(struct impair_path *p, const uint8_t *frame, size_t len)
{
	struct impair_draws d;
	struct impair_frame *f, *copy = NULL;
	bool held_before = p->held.head != NULL;
	int rc;

	if (len > IMPAIR_FRAME_MAX)
		return -EMSGSIZE;
	take_draws(p, &d);
	if (chance(d.loss, p->p.loss_ppm)) {
		p->stats->lost++;
		return 0;
	}
	if (!(f = frame_copy(p, frame, len, jitter_of(p, d.jitter))))
		return -ENOBUFS;
	/* The copy is the frame as it came, as netem_enqueue's clone is sent uncorrupted. */
	if (chance(d.dup, p->p.dup_ppm) && (copy = frame_copy(p, frame, len, f->jitter_ns)))
		p->stats->duplicated++;
	if (len && chance(d.corrupt, p->p.corrupt_ppm)) {
		corrupt(f, d.corrupt_at);
		p->stats->corrupted++;
	}
	if (!held_before && chance(d.reorder, p->p.reorder_ppm)) {
		/* Held back until the next frame has gone (or the hold ends). */
		p->stats->reordered++;
		list_push(&p->held, f);
		if (copy)
			list_push(&p->held, copy);
		sim_timer_start(p->sim, &p->hold_timer, sim_now_ns(p->sim) + IMPAIR_REORDER_HOLD_NS,
				hold_expired, p);
		return 0;
	}
	rc = path_schedule(p, f);
	if (copy)
		path_schedule(p, copy);
	if (held_before)
		release_held(p);
	return rc;
}

unsigned int impair_path_held(const struct impair_path *p)
{
	return p ? p->nr_held : 0;
}

int impair_path_create(struct impair_path **out, struct sim *sim, const struct impair_params *par,
		       uint64_t seed, unsigned int index, enum impair_dir dir,
		       const struct impair_out *o, struct impair_stats *stats)
{
	struct impair_path *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->sim = sim;
	p->p = *par;
	if (!p->p.limit)
		p->p.limit = IMPAIR_LIMIT_DEFAULT;
	p->out = *o;
	p->stats = stats;
	/* Each vif and direction its own sequence: the seed, then index and direction mixed in. */
	p->rng = seed;
	p->rng = sim_splitmix64_next(&p->rng) ^ ((uint64_t)index << 1 | (uint64_t)dir);
	sim_splitmix64_next(&p->rng);
	*out = p;
	return 0;
}

void impair_path_destroy(struct impair_path *p)
{
	if (!p)
		return;
	sim_timer_stop(p->sim, &p->release_timer);
	sim_timer_stop(p->sim, &p->hold_timer);
	list_free(&p->queue);
	list_free(&p->held);
	free(p);
}
