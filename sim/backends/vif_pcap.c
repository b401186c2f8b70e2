/*
 * The pcap vif backend: pcap=FILE feeds the frames of an Ethernet pcap file
 * to the guest at their timestamps, on guest time: a frame stamped t is
 * delivered at (guest time when the vif opened) + (t - the first record's
 * timestamp); one stamped earlier than its predecessor goes right after it.
 * Each frame is a sim_timer, so under the virtual clock time jumps from
 * frame to frame. A frame that falls due while the guest has no receive
 * buffer posted (or has not connected yet) waits for one (vif's rx_ready),
 * and the rest of the schedule moves by that wait, so no frame is lost and
 * the gaps between frames are kept. Frames whose source MAC is the vif's
 * own (the guest's side of a recorded conversation) are not fed. Frames
 * from the guest are dropped (capture=FILE records them).
 *
 * A long gap between two frames costs real time under the virtual clock
 * when the guest has a periodic timer: time can only move from one of the
 * guest's deadlines to the next, so a 30-day gap with a 100 ms tick is
 * 26 million wake-ups. Which of those wake-ups find nothing to do only the
 * guest knows, so time is never skipped behind its back. Instead a gap
 * longer than PCAP_GAP_REPORT_NS is reported (the vif, the file, the two
 * record numbers and the gap), and gap=SECONDS caps every gap between two
 * consecutive records: the later one and all after it move earlier by the
 * excess, the same way on every run, and capture=FILE shows the moved times.
 *
 * as=IP makes the guest stand in for host IP of the recording
 * (traces/readdress.h): frames to IP are rewritten to the guest's MAC and
 * address with their checksums fixed, frames from IP (the guest's part) are
 * not fed, frames of other hosts are dropped and counted, and the guest's
 * ARP requests are answered with the MACs of the recording's other hosts.
 * The guest's address is learned from its first frame (the gratuitous ARP a
 * static address sends): until then frames wait, as for receive buffers.
 * When the input ends, a line says how many frames were fed, not fed and
 * dropped. With tcp=replay, the recorded host's TCP flows are played by
 * the replayer instead (vif_pcap_tcp.h): their segments are not fed, and
 * the input ends when the file and the flows are done.
 *
 * A progress line (frames, percent, frames per second, guest time, ETA)
 * goes to stderr every half second when stderr is a terminal and the replay
 * has run for progress=SECONDS of real time (default 2); it is cleared at
 * the end. Silent otherwise.
 *
 * When the file is done (or turns out malformed: the message names the
 * file and the record), the backend tells vif_input_ended: the toolstack
 * (sim/toolstack/lifecycle.c) lets the guest run on for linger=SECONDS of
 * guest time (default 2, decimals allowed) and then asks it to power off,
 * unless another vif of the domain still has input; that vif's own end
 * then does.
 * A malformed header, unsupported link type or a bad first record makes
 * the open fail instead.
 *
 * A classic pcap file is walked from a read-only mapping (trace_reader_map):
 * each frame is a pointer into it, valid while it waits for its time or for
 * a buffer, which vif_deliver copies into the guest (and impair= and as=
 * copy before they change anything). A file truncated meanwhile ends the
 * input with a line naming the record instead of feeding zeros.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim/domain.h"
#include "sim/hot.h"
#include "sim/parse.h"
#include "sim/report.h"
#include "sim/backends/vif.h"
#include "sim/backends/vif_pcap_tcp.h"
#include "traces/pcap_reader.h"
#include "traces/readdress.h"

#define NSEC_PER_SEC 1000000000ULL
#define PCAP_LINGER_DEFAULT_NS (2 * NSEC_PER_SEC)
/* linger= or gap= above this is surely a mistake (and would overflow guest time soon). */
#define PCAP_SECONDS_MAX 1000000000ULL
#define REPLAY_ETH_ALEN 6
/* Gaps longer than this are reported: from here a 100 ms guest tick costs seconds. */
#define PCAP_GAP_REPORT_NS (3600 * NSEC_PER_SEC)
/* After this many reports, the rest of a file's long gaps are only counted. */
#define PCAP_GAP_REPORTS_MAX 5
/* ARP answers waiting to be fed: the guest asks for a few hosts at a time. */
#define PCAP_ARP_PENDING_MAX 8
/* as=: how long frames wait for the guest's address before that is said. */
#define PCAP_UNKNOWN_WARN_NS (5 * NSEC_PER_SEC)
/* The progress line: from this much real time on, this often, checked every so many frames. */
#define PCAP_PROGRESS_AFTER_DEFAULT_NS (2 * NSEC_PER_SEC)
#define PCAP_PROGRESS_EVERY_NS (NSEC_PER_SEC / 2)
#define PCAP_PROGRESS_CHECK_MASK 1023

struct pcap_vif {
	struct vif *v;
	struct sim *sim;
	struct trace_reader *r;
	/* The next frame to feed (in the reader's buffer), if have_frame. */
	const uint8_t *frame;
	size_t len;
	uint64_t ts;
	bool have_frame;
	uint64_t open_time;   /* guest time when the vif opened */
	uint64_t first_ts;    /* the first record's timestamp */
	uint64_t shift;       /* guest time spent waiting for the guest's buffers */
	uint64_t last_deadline;
	bool waiting;         /* p->frame is due, the guest has no buffer for it */
	uint64_t linger_ns;
	uint64_t gap_max_ns;  /* gap=SECONDS, if has_gap_max */
	bool has_gap_max;
	uint64_t cut;         /* file time taken out of the schedule by gap= */
	uint64_t prev_ts;     /* the previous record's timestamp */
	unsigned int gaps_reported;
	struct sim_timer feed;
	uint64_t own_skipped, empty_skipped;
	uint32_t own_hi;      /* the vif's MAC, bytes 0-3 and 4-5 as loaded from a frame */
	uint16_t own_lo;
	bool warned_snapped;
	/* as=IP: the readdresser, a copy of the frame it rewrites, its answers. */
	struct trace_readdress *rd;
	uint32_t as_ip;
	uint8_t *copy;
	size_t copy_cap;
	uint8_t arp[PCAP_ARP_PENDING_MAX][TRACE_ARP_FRAME_LEN];
	unsigned int nr_arp;
	uint64_t arp_dropped;
	bool warned_unknown;
	struct sim_timer answer, unknown;
	struct pcap_tcp *tcp; /* tcp=replay */
	/* The progress line. */
	bool progress_tty, progress_shown;
	uint64_t progress_after_ns;
	uint64_t fed, started_real, last_progress_real;
};

/*
 * Parses SECONDS[.FRACTION] (at most 9 fraction digits) into ns.
 * Returns 0 or -EINVAL.
 */
static int parse_seconds(const char *s, uint64_t *ns)
{
	uint64_t v;
	const char *end = sim_parse_fixed(s, 9, PCAP_SECONDS_MAX, &v);

	if (!end || *end)
		return -EINVAL;
	*ns = v;
	return 0;
}

/* The source MAC is the vif's own: two loads and compares, not a memcmp call. */
static bool replay_is_own(const struct pcap_vif *p, const uint8_t *frame, size_t len)
{
	uint32_t hi;
	uint16_t lo;

	if (len < 2 * REPLAY_ETH_ALEN)
		return false;
	memcpy(&hi, frame + REPLAY_ETH_ALEN, sizeof(hi));
	memcpy(&lo, frame + REPLAY_ETH_ALEN + sizeof(hi), sizeof(lo));
	return hi == p->own_hi && lo == p->own_lo;
}

/* "2592000 s, 30 days", "7200 s, 2 h", "45 s" or "0.500 s": a gap as a person reads it. */
static void format_gap(uint64_t ns, char *buf, size_t size)
{
	uint64_t s = ns / NSEC_PER_SEC;

	if (s >= 2 * 86400)
		snprintf(buf, size, "%llu s, %llu days", (unsigned long long)s,
			 (unsigned long long)(s / 86400));
	else if (s >= 2 * 3600)
		snprintf(buf, size, "%llu s, %llu h", (unsigned long long)s,
			 (unsigned long long)(s / 3600));
	else if (ns % NSEC_PER_SEC)
		snprintf(buf, size, "%llu.%03llu s", (unsigned long long)s,
			 (unsigned long long)(ns % NSEC_PER_SEC / 1000000));
	else
		snprintf(buf, size, "%llu s", (unsigned long long)s);
}

static void replay_report_gap(struct pcap_vif *p, uint64_t gap)
{
	unsigned long long record = trace_reader_records(p->r);
	char what[64], cap[64];

	if (++p->gaps_reported > PCAP_GAP_REPORTS_MAX) {
		if (p->gaps_reported == PCAP_GAP_REPORTS_MAX + 1)
			sim_log("vif%u: %s: more gaps longer than %llu s are not reported",
				p->v->index, trace_reader_path(p->r),
				(unsigned long long)(PCAP_GAP_REPORT_NS / NSEC_PER_SEC));
		return;
	}
	format_gap(gap, what, sizeof(what));
	if (p->has_gap_max) {
		format_gap(p->gap_max_ns, cap, sizeof(cap));
		sim_log("vif%u: %s: records %llu-%llu: gap of %s between frames; fed %s apart "
			"(gap=)", p->v->index, trace_reader_path(p->r), record - 1, record, what,
			cap);
	} else {
		sim_log("vif%u: %s: records %llu-%llu: gap of %s between frames; the guest's "
			"timers run through all of it (gap=SECONDS caps it)", p->v->index,
			trace_reader_path(p->r), record - 1, record, what);
	}
}

/*
 * Takes the excess over gap= of the gap before the record just read (stamped
 * ts) out of the schedule, and reports the gap if long. Record 1 has none.
 */
/* records: the reader's count with this record (1: the first). */
static SIM_HOT_INLINE void replay_cap_gap(struct pcap_vif *p, uint64_t ts, uint64_t records)
{
	if (records > 1 && ts > p->prev_ts) {
		uint64_t gap = ts - p->prev_ts;
		if (gap > PCAP_GAP_REPORT_NS)
			replay_report_gap(p, gap);
		if (p->has_gap_max && gap > p->gap_max_ns)
			p->cut += gap - p->gap_max_ns;
	}
	/* A record stamped before its predecessor goes right after it: no gap. */
	if (records == 1 || ts > p->prev_ts)
		p->prev_ts = ts;
}

/*
 * as=: whether the recording's next frame is fed; one that is not is counted
 * (and needs no copy: it is not rewritten).
 */
static bool replay_readdress_feeds(struct pcap_vif *p, const uint8_t *frame, size_t len)
{
	if (trace_readdress_classify(p->rd, frame, len) == TRACE_READDRESS_FEED)
		return true;
	trace_readdress_from_trace(p->rd, (uint8_t *)frame, len); /* counts, changes nothing */
	return false;
}

/* as=: p->frame rewritten for the guest into p->copy; false when out of memory. */
static bool replay_readdress(struct pcap_vif *p)
{
	if (p->len > p->copy_cap) {
		uint8_t *c = realloc(p->copy, p->len);
		if (!c)
			return false;
		p->copy = c;
		p->copy_cap = p->len;
	}
	memcpy(p->copy, p->frame, p->len);
	trace_readdress_from_trace(p->rd, p->copy, p->len);
	return true;
}

/*
 * Reads up to the next frame to feed. Returns 1 (p->frame set), 0 at the
 * end of the file, or a negative errno (the reader's message says why).
 * Inline (with replay_cap_gap) in replay_feed, which reads a record per
 * frame fed: one function's registers saved per frame, not three.
 */
static SIM_HOT_INLINE int replay_load_next(struct pcap_vif *p)
{
	struct trace_record rec;
	int rc;

	p->have_frame = false;
	while ((rc = trace_reader_read(p->r, &rec)) == 1) {
		const uint8_t *frame = rec.frame;
		size_t len = rec.len;
		uint64_t ts = rec.ts_ns, records = rec.number;

		if (rec.snapped && !p->warned_snapped) {
			p->warned_snapped = true;
			sim_log("vif%u: %s: record %llu: frame captured shorter than it was on the "
				"wire; such frames are fed as captured (said once)", p->v->index,
				trace_reader_path(p->r),
				(unsigned long long)records);
		}
		if (records == 1)
			p->first_ts = ts;
		replay_cap_gap(p, ts, records);
		if (len == 0) {
			p->empty_skipped++;
			continue;
		}
		if (p->tcp && pcap_tcp_claims(p->tcp, frame, len)) {
			trace_readdress_learn(p->rd, frame, len); /* the guest ARPs for the peer */
			continue;
		}
		if (p->rd) {
			if (!replay_readdress_feeds(p, frame, len))
				continue;
		} else if (replay_is_own(p, frame, len)) {
			p->own_skipped++;
			continue;
		}
		p->frame = frame;
		p->len = len;
		p->ts = ts;
		p->have_frame = true;
		return 1;
	}
	return rc;
}

static bool replay_has_input(struct vif *v)
{
	struct pcap_vif *p = v->backend;

	return p && (p->have_frame || pcap_tcp_busy(p->tcp));
}

static void replay_feed(struct sim_timer *t, void *arg);

static uint64_t real_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* The progress line, when stderr is a terminal and the replay is long (see the top). */
static void replay_progress(struct pcap_vif *p)
{
	uint64_t now, elapsed, done, size, percent = 0, eta = 0, guest;

	if (!p->progress_tty || (p->fed & PCAP_PROGRESS_CHECK_MASK))
		return;
	now = real_now_ns();
	elapsed = now - p->started_real;
	if (elapsed < p->progress_after_ns ||
	    (p->progress_shown && now - p->last_progress_real < PCAP_PROGRESS_EVERY_NS))
		return;
	p->last_progress_real = now;
	if (trace_reader_progress(p->r, &done, &size) == 0 && size && done) {
		percent = done >= size ? 100 : done * 100 / size;
		eta = (uint64_t)((double)elapsed * (double)(size - (done < size ? done : size)) /
				 (double)done / (double)NSEC_PER_SEC);
	}
	guest = sim_now_ns(p->sim) - p->open_time;
	fprintf(stderr, "\rvif%u: %s: %llu frames, %llu%%, %.0f frames/s, guest time %llu.%03llu s, "
		"ETA %llu s\033[K", p->v->index, trace_reader_path(p->r),
		(unsigned long long)p->fed, (unsigned long long)percent,
		(double)p->fed * (double)NSEC_PER_SEC / (double)elapsed,
		(unsigned long long)(guest / NSEC_PER_SEC),
		(unsigned long long)(guest % NSEC_PER_SEC / 1000000), (unsigned long long)eta);
	p->progress_shown = true;
}

/* The input is done: the progress line goes, the readdressing is summed up. */
static void replay_report_end(struct pcap_vif *p)
{
	char as[16], guest[16];

	if (p->progress_shown) {
		fputs("\r\033[K", stderr);
		p->progress_shown = false;
	}
	if (!p->rd)
		return;
	const struct trace_readdress_stats *st = trace_readdress_stats(p->rd);
	if (p->tcp && !st->fed && !st->own && !st->dropped)
		return; /* all TCP: the replayer's summary says it */
	sim_log("vif%u: %s as=%s: %llu frames fed to the guest at %s, %llu of %s's own not fed, "
		"%llu of other hosts dropped; %llu ARP requests answered, %llu not", p->v->index,
		trace_reader_path(p->r), trace_ip4_format(p->as_ip, as),
		(unsigned long long)st->fed,
		trace_readdress_guest_known(p->rd) ?
			trace_ip4_format(trace_readdress_guest_ip(p->rd), guest) : "?",
		(unsigned long long)st->own, as, (unsigned long long)st->dropped,
		(unsigned long long)st->arp_answered,
		(unsigned long long)(st->arp_unanswered + p->arp_dropped));
}

/* End of file (rc 0) or error: the input is done. Out of replay_schedule's line. */
static __attribute__((noinline)) void replay_end(struct pcap_vif *p, int rc)
{
	if (rc < 0)
		sim_log("vif%u: %s; no more frames are fed from it", p->v->index,
			trace_reader_error(p->r));
	replay_report_end(p);
	/* The toolstack gives the guest linger_ns, then a poweroff. */
	if (p->tcp)
		pcap_tcp_input_ended(p->tcp, p->linger_ns);
	else
		vif_input_ended(p->v, p->linger_ns);
}

/* Schedules p->frame, or ends the input on end of file or error. */
static inline void replay_schedule(struct pcap_vif *p, int rc)
{
	if (rc != 1) {
		replay_end(p, rc);
		return;
	}
	uint64_t deadline = p->open_time + p->shift, offset = 0;
	if (p->ts > p->first_ts && p->ts - p->first_ts > p->cut)
		offset = p->ts - p->first_ts - p->cut;
	/* Past the end of guest time (584 years): as late as it goes. */
	deadline = offset > UINT64_MAX - deadline ? UINT64_MAX : deadline + offset;
	if (deadline < p->last_deadline)
		deadline = p->last_deadline;
	p->last_deadline = deadline;
	sim_timer_start(p->sim, &p->feed, deadline, replay_feed, p);
}

/* as=: the guest has said nothing for a while; a DHCP guest never will. */
static void replay_warn_unknown(struct sim_timer *t, void *arg)
{
	struct pcap_vif *p = arg;

	(void)t;
	if (!trace_readdress_guest_known(p->rd))
		sim_log("vif%u: %s: as=: frames wait for the guest's first frame with its IPv4 "
			"address (a static ip= announces it)", p->v->index,
			trace_reader_path(p->r));
}

static void replay_feed(struct sim_timer *t, void *arg)
{
	struct pcap_vif *p = arg;

	(void)t;
	/* as=: the guest's address is needed to rewrite to, so wait for it like for a buffer. */
	if (!vif_rx_ready(p->v) || (p->rd && !trace_readdress_guest_known(p->rd))) {
		p->waiting = true; /* until rx_ready or the guest's first frame */
		if (p->rd && !trace_readdress_guest_known(p->rd) && !p->warned_unknown) {
			p->warned_unknown = true;
			sim_timer_start(p->sim, &p->unknown, sim_now_ns(p->sim) + PCAP_UNKNOWN_WARN_NS,
					replay_warn_unknown, p);
		}
		return;
	}
	/* A mapped file truncated since the frame was read: said, not fed as zeros. */
	if (trace_reader_check_frame(p->r, p->frame, p->len) < 0) {
		p->have_frame = false;
		replay_schedule(p, -EIO);
		return;
	}
	if (p->rd && !replay_readdress(p)) {
		sim_log("vif%u: %s: record %llu: out of memory to readdress it; not fed",
			p->v->index, trace_reader_path(p->r),
			(unsigned long long)trace_reader_records(p->r));
	} else {
		/* A drop (too big, too small) is counted by vif. */
		vif_deliver(p->v, p->rd ? p->copy : p->frame, p->len);
		p->fed++;
		replay_progress(p);
	}
	replay_schedule(p, replay_load_next(p));
}

/*
 * The guest posted buffers (or, with as=, sent its first frame): the waiting
 * frame goes now, the rest as much later.
 */
static void replay_resume(struct pcap_vif *p)
{
	uint64_t now;

	if (!p->waiting)
		return;
	p->waiting = false;
	now = sim_now_ns(p->sim);
	if (now > p->last_deadline) {
		p->shift += now - p->last_deadline;
		p->last_deadline = now;
	}
	/* From the timer list rather than from inside netback's notification. */
	sim_timer_start(p->sim, &p->feed, now, replay_feed, p);
}

static void replay_rx_ready(struct vif *v)
{
	struct pcap_vif *p = v->backend;

	if (p)
		replay_resume(p);
}

static int replay_parse_keys(struct pcap_vif *p, const struct vif_config *cfg, char *err,
			   size_t errlen)
{
	const char *linger = vif_config_get(cfg, "linger");
	const char *gap = vif_config_get(cfg, "gap");
	const char *as = vif_config_get(cfg, "as");
	const char *progress = vif_config_get(cfg, "progress");

	p->linger_ns = PCAP_LINGER_DEFAULT_NS;
	if (linger && parse_seconds(linger, &p->linger_ns) < 0) {
		snprintf(err, errlen, "pcap: linger=%s: expected seconds, such as 2 or 0.5",
			 linger);
		return -EINVAL;
	}
	if (gap && parse_seconds(gap, &p->gap_max_ns) < 0) {
		snprintf(err, errlen, "pcap: gap=%s: expected seconds up to %llu, such as 10 or 0.5",
			 gap, PCAP_SECONDS_MAX);
		return -EINVAL;
	}
	p->has_gap_max = gap != NULL;
	p->progress_after_ns = PCAP_PROGRESS_AFTER_DEFAULT_NS;
	if (progress && parse_seconds(progress, &p->progress_after_ns) < 0) {
		snprintf(err, errlen, "pcap: progress=%s: expected seconds, such as 2 or 0", progress);
		return -EINVAL;
	}
	if (as && trace_ip4_parse(as, &p->as_ip) < 0) {
		snprintf(err, errlen, "pcap: as=%s: expected the IPv4 address of the recorded host "
			 "the guest stands in for, such as 10.0.0.2", as);
		return -EINVAL;
	}
	if (as && (p->as_ip == 0 || p->as_ip == 0xffffffffu)) {
		snprintf(err, errlen, "pcap: as=%s: not a host's address", as);
		return -EINVAL;
	}
	if (as && trace_readdress_create(p->as_ip, p->v->cfg.mac, &p->rd) < 0) {
		snprintf(err, errlen, "pcap: out of memory");
		return -ENOMEM;
	}
	return 0;
}

static void replay_free(struct pcap_vif *p)
{
	sim_timer_stop(p->sim, &p->feed);
	sim_timer_stop(p->sim, &p->answer);
	sim_timer_stop(p->sim, &p->unknown);
	if (p->progress_shown)
		fputs("\r\033[K", stderr);
	trace_reader_close(p->r);
	pcap_tcp_close(p->tcp);
	trace_readdress_destroy(p->rd);
	free(p->copy);
	free(p);
}

static int replay_open(struct vif *v, const struct vif_config *cfg, char *err, size_t errlen)
{
	struct pcap_vif *p;
	int rc;

	if (!cfg->arg || !*cfg->arg) {
		snprintf(err, errlen, "pcap: a file is required (pcap=FILE)");
		return -EINVAL;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "pcap: out of memory");
		return -ENOMEM;
	}
	p->v = v;
	p->sim = v->dom->sim;
	memcpy(&p->own_hi, v->cfg.mac, sizeof(p->own_hi));
	memcpy(&p->own_lo, v->cfg.mac + sizeof(p->own_hi), sizeof(p->own_lo));
	if ((rc = replay_parse_keys(p, cfg, err, errlen)) < 0 ||
	    (rc = pcap_tcp_open(v, cfg, p->as_ip, cfg->arg, &p->tcp, err, errlen)) < 0 ||
	    (rc = trace_reader_open(cfg->arg, &p->r, err, errlen)) < 0) {
		pcap_tcp_close(p->tcp);
		trace_readdress_destroy(p->rd);
		free(p);
		return rc;
	}
	/* A classic pcap file is walked in place: each frame handed to the vif by pointer. */
	trace_reader_map(p->r);
	p->progress_tty = isatty(STDERR_FILENO);
	p->started_real = real_now_ns();
	v->backend = p;
	rc = replay_load_next(p);
	/* With tcp=replay the first record fed may be far in: a bad one ends the input there. */
	if (rc < 0 && !(p->tcp && trace_reader_records(p->r) > 1)) {
		snprintf(err, errlen, "%s", trace_reader_error(p->r));
		v->backend = NULL;
		replay_free(p);
		return rc;
	}
	/*
	 * tcp=replay compares bytes, not segments: the guest's TCP GSO frames
	 * come whole (replay_transmit_gso) unless sg=0, gso=0 or csum=0 keep
	 * netback from offering them (the capture still shows wire segments).
	 */
	v->tx_offload = p->tcp != NULL;
	p->open_time = sim_now_ns(p->sim);
	p->last_deadline = p->open_time;
	replay_schedule(p, rc);
	return 0;
}

/* as=: the ARP answers of the recording's hosts, fed from the timer list. */
static void replay_answer(struct sim_timer *t, void *arg)
{
	struct pcap_vif *p = arg;

	(void)t;
	for (unsigned int i = 0; i < p->nr_arp; i++)
		vif_deliver(p->v, p->arp[i], TRACE_ARP_FRAME_LEN);
	p->nr_arp = 0;
}

/*
 * Frames from the guest go nowhere (capture=FILE records them); with as=
 * they tell the guest's address and ask for the recording's hosts.
 */
static __attribute__((noinline)) void replay_transmit_as(struct pcap_vif *p,
							 const uint8_t *frame, size_t len)
{
	uint8_t reply[TRACE_ARP_FRAME_LEN];
	bool known;

	known = trace_readdress_guest_known(p->rd);
	if (trace_readdress_from_guest(p->rd, frame, len, reply)) {
		if (p->nr_arp == PCAP_ARP_PENDING_MAX) {
			p->arp_dropped++;
		} else {
			memcpy(p->arp[p->nr_arp++], reply, TRACE_ARP_FRAME_LEN);
			sim_timer_start(p->sim, &p->answer, sim_now_ns(p->sim), replay_answer, p);
		}
	}
	pcap_tcp_from_guest(p->tcp, frame, len, trace_readdress_guest_ip(p->rd));
	if (!known && trace_readdress_guest_known(p->rd))
		replay_resume(p);
}

/*
 * Without as= (the common case) nothing is done: replay_transmit_as is out
 * of line, so no registers are saved for it.
 */
static void replay_transmit(struct vif *v, const uint8_t *frame, size_t len)
{
	struct pcap_vif *p = v->backend;

	if (p && p->rd)
		replay_transmit_as(p, frame, len);
}

/*
 * tcp=replay: a TCP/IPv4 GSO frame of the guest's, whole (vif.c hands it
 * over only while v->tx_offload is set). The replayer follows the byte
 * stream, so 64 KiB goes in one call instead of some 45 segments cut and
 * checksummed; its checksum field holds the pseudo-header sum only, and the
 * replayer checks no checksum.
 */
static void replay_transmit_gso(struct vif *v, const uint8_t *frame, size_t len,
				uint16_t gso_size)
{
	(void)gso_size;
	replay_transmit(v, frame, len);
}

/* The guest exited with the vif open: the TCP replay's flows are judged now. */
static void replay_finish(struct vif *v)
{
	struct pcap_vif *p = v->backend;

	if (p)
		pcap_tcp_end(p->tcp);
}

static void replay_close(struct vif *v)
{
	struct pcap_vif *p = v->backend;

	if (!p)
		return;
	v->backend = NULL;
	replay_free(p);
}

static const struct vif_backend_key replay_keys[] = {
	{ "linger", false }, /* linger=SECONDS */
	{ "gap", false },    /* gap=SECONDS */
	{ "as", false },     /* as=IP: the guest stands in for the recorded host IP */
	{ "progress", false }, /* progress=SECONDS: the progress line after so long */
	{ "tcp", false },    /* tcp=replay: the replayer plays the peer of as='s TCP flows */
	{ "report", false }, /* report=FILE: tcp=replay's divergences */
	{ "tcp_deadline", false }, /* tcp_deadline=SECONDS: a flow without progress is given up */
	{ "tcp_mss", false }, /* tcp_mss=N: the MSS the replayed peer offers */
	{ NULL, false },
};

const struct vif_backend_ops vif_pcap_ops = {
	.name = "pcap",
	.arg = "FILE",
	.arg_what = "a file",
	.keys = replay_keys,
	.open = replay_open,
	.transmit = replay_transmit,
	.transmit_gso = replay_transmit_gso,
	.has_input = replay_has_input,
	.close = replay_close,
	.finish = replay_finish,
	.rx_ready = replay_rx_ready,
};
