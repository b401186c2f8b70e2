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
 * When the file is done (or turns out malformed: the message names the
 * file and the record), the backend tells vif_input_ended: the toolstack
 * (sim/toolstack/lifecycle.c) lets the guest run on for linger=SECONDS of
 * guest time (default 2, decimals allowed) and then asks it to power off,
 * unless another vif of the domain still has input; that vif's own end
 * then does.
 * A malformed header, unsupported link type or a bad first record makes
 * the open fail instead.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/domain.h"
#include "sim/parse.h"
#include "sim/report.h"
#include "sim/backends/vif.h"
#include "traces/pcap_reader.h"

#define NSEC_PER_SEC 1000000000ULL
#define PCAP_LINGER_DEFAULT_NS (2 * NSEC_PER_SEC)
/* linger= or gap= above this is surely a mistake (and would overflow guest time soon). */
#define PCAP_SECONDS_MAX 1000000000ULL
#define REPLAY_ETH_ALEN 6
/* Gaps longer than this are reported: from here a 100 ms guest tick costs seconds. */
#define PCAP_GAP_REPORT_NS (3600 * NSEC_PER_SEC)
/* After this many reports, the rest of a file's long gaps are only counted. */
#define PCAP_GAP_REPORTS_MAX 5

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
	bool warned_snapped;
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

static bool replay_is_own(const struct pcap_vif *p, const uint8_t *frame, size_t len)
{
	return len >= 2 * REPLAY_ETH_ALEN && !memcmp(frame + REPLAY_ETH_ALEN, p->v->cfg.mac, REPLAY_ETH_ALEN);
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
static void replay_cap_gap(struct pcap_vif *p, uint64_t ts)
{
	if (trace_reader_records(p->r) > 1 && ts > p->prev_ts) {
		uint64_t gap = ts - p->prev_ts;
		if (gap > PCAP_GAP_REPORT_NS)
			replay_report_gap(p, gap);
		if (p->has_gap_max && gap > p->gap_max_ns)
			p->cut += gap - p->gap_max_ns;
	}
	/* A record stamped before its predecessor goes right after it: no gap. */
	if (trace_reader_records(p->r) == 1 || ts > p->prev_ts)
		p->prev_ts = ts;
}

/*
 * Reads up to the next frame to feed. Returns 1 (p->frame set), 0 at the
 * end of the file, or a negative errno (the reader's message says why).
 */
static int replay_load_next(struct pcap_vif *p)
{
	const uint8_t *frame;
	size_t len;
	uint64_t ts;
	int rc;

	p->have_frame = false;
	while ((rc = trace_reader_next(p->r, &frame, &len, &ts)) == 1) {
		if (trace_reader_snapped(p->r) && !p->warned_snapped) {
			p->warned_snapped = true;
			sim_log("vif%u: %s: record %llu: frame captured shorter than it was on the "
				"wire; such frames are fed as captured (said once)", p->v->index,
				trace_reader_path(p->r),
				(unsigned long long)trace_reader_records(p->r));
		}
		if (trace_reader_records(p->r) == 1)
			p->first_ts = ts;
		replay_cap_gap(p, ts);
		if (len == 0) {
			p->empty_skipped++;
			continue;
		}
		if (replay_is_own(p, frame, len)) {
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

	return p && p->have_frame;
}

static void replay_feed(struct sim_timer *t, void *arg);

/* Schedules p->frame, or ends the input on end of file or error. */
static void replay_schedule(struct pcap_vif *p, int rc)
{
	if (rc < 0)
		sim_log("vif%u: %s; no more frames are fed from it", p->v->index,
			trace_reader_error(p->r));
	if (rc != 1) {
		/* The input is done: the toolstack gives the guest linger_ns, then a poweroff. */
		vif_input_ended(p->v, p->linger_ns);
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

static void replay_feed(struct sim_timer *t, void *arg)
{
	struct pcap_vif *p = arg;

	(void)t;
	if (!vif_rx_ready(p->v)) {
		p->waiting = true; /* until rx_ready */
		return;
	}
	/* A drop (too big, too small) is counted by vif. */
	vif_deliver(p->v, p->frame, p->len);
	replay_schedule(p, replay_load_next(p));
}

/* The guest posted buffers: the waiting frame goes now, the rest as much later. */
static void replay_rx_ready(struct vif *v)
{
	struct pcap_vif *p = v->backend;
	uint64_t now;

	if (!p || !p->waiting)
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

static int replay_parse_keys(struct pcap_vif *p, const struct vif_config *cfg, char *err,
			   size_t errlen)
{
	const char *linger = vif_config_get(cfg, "linger");
	const char *gap = vif_config_get(cfg, "gap");

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
	return 0;
}

static void replay_free(struct pcap_vif *p)
{
	sim_timer_stop(p->sim, &p->feed);
	trace_reader_close(p->r);
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
	if ((rc = replay_parse_keys(p, cfg, err, errlen)) < 0 ||
	    (rc = trace_reader_open(cfg->arg, &p->r, err, errlen)) < 0) {
		free(p);
		return rc;
	}
	v->backend = p;
	rc = replay_load_next(p);
	if (rc < 0) {
		snprintf(err, errlen, "%s", trace_reader_error(p->r));
		v->backend = NULL;
		replay_free(p);
		return rc;
	}
	p->open_time = sim_now_ns(p->sim);
	p->last_deadline = p->open_time;
	replay_schedule(p, rc);
	return 0;
}

static void replay_transmit(struct vif *v, const uint8_t *frame, size_t len)
{
	(void)v;
	(void)frame;
	(void)len;
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
	{ NULL, false },
};

const struct vif_backend_ops vif_pcap_ops = {
	.name = "pcap",
	.arg = "FILE",
	.arg_what = "a file",
	.keys = replay_keys,
	.open = replay_open,
	.transmit = replay_transmit,
	.has_input = replay_has_input,
	.close = replay_close,
	.rx_ready = replay_rx_ready,
};
