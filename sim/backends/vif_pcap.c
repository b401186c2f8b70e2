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
#include "sim/report.h"
#include "sim/backends/vif.h"
#include "traces/pcap_reader.h"

#define NSEC_PER_SEC 1000000000ULL
#define PCAP_LINGER_DEFAULT_NS (2 * NSEC_PER_SEC)
/* linger= above this is surely a mistake (and would overflow guest time soon). */
#define PCAP_LINGER_MAX_S 1000000000ULL
#define REPLAY_ETH_ALEN 6

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
	uint64_t sec = 0, frac = 0, scale = NSEC_PER_SEC;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		sec = sec * 10 + (uint64_t)(*p - '0');
		if (sec > PCAP_LINGER_MAX_S)
			return -EINVAL;
	}
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (scale == 1)
				return -EINVAL;
			scale /= 10;
			frac += (uint64_t)(*p - '0') * scale;
		}
	}
	if (*p)
		return -EINVAL;
	*ns = sec * NSEC_PER_SEC + frac;
	return 0;
}

static bool replay_is_own(const struct pcap_vif *p, const uint8_t *frame, size_t len)
{
	return len >= 2 * REPLAY_ETH_ALEN && !memcmp(frame + REPLAY_ETH_ALEN, p->v->cfg.mac, REPLAY_ETH_ALEN);
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
	uint64_t deadline = p->open_time + p->shift;
	if (p->ts > p->first_ts)
		deadline += p->ts - p->first_ts;
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

	p->linger_ns = PCAP_LINGER_DEFAULT_NS;
	if (linger && parse_seconds(linger, &p->linger_ns) < 0) {
		snprintf(err, errlen, "pcap: linger=%s: expected seconds, such as 2 or 0.5",
			 linger);
		return -EINVAL;
	}
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
