/* The pcap vif's TCP-aware replay (vif_pcap_tcp.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/domain.h"
#include "sim/parse.h"
#include "sim/report.h"
#include "sim/backends/vif_pcap_tcp.h"
#include "traces/pcap_reader.h"
#include "traces/tcp_replay.h"

#define TCP_DEADLINE_MAX_S 86400ULL
#define TCP_MSS_MIN 64

struct pcap_tcp {
	struct vif *v;
	struct sim *sim;
	struct tcp_replay *tr;
	FILE *report;
	struct sim_timer timer;
	bool file_done, finished, started;
	uint64_t linger_ns;
	uint64_t deadline_ns, file_done_at;
};

/* A line of the replayer's: on stderr, and a divergence in report=FILE too. */
static void pcap_tcp_say(void *ctx, bool divergence, const char *line)
{
	struct pcap_tcp *pt = ctx;

	sim_log("vif%u: %s", pt->v->index, line);
	if (divergence && pt->report) {
		fprintf(pt->report, "%s\n", line);
		fflush(pt->report);
	}
}

static int pcap_tcp_parse(const struct vif_config *cfg, struct tcp_replay_config *c,
			  char *err, size_t errlen)
{
	const char *deadline = vif_config_get(cfg, "tcp_deadline");
	const char *mss = vif_config_get(cfg, "tcp_mss");
	uint64_t v;

	if (deadline) {
		const char *end = sim_parse_fixed(deadline, 9, TCP_DEADLINE_MAX_S, &v);
		if (!end || *end || !v) {
			snprintf(err, errlen, "pcap: tcp_deadline=%s: expected seconds of guest time "
				 "up to %llu, such as 10 or 0.5", deadline, TCP_DEADLINE_MAX_S);
			return -EINVAL;
		}
		c->deadline_ns = v;
	}
	if (mss) {
		if (sim_parse_u64(mss, 65535, &v) < 0 || v < TCP_MSS_MIN) {
			snprintf(err, errlen, "pcap: tcp_mss=%s: expected an MSS from %d to 65535",
				 mss, TCP_MSS_MIN);
			return -EINVAL;
		}
		c->mss = (uint16_t)v;
	}
	return 0;
}

/* Reads (or maps) every frame of path into the replayer; 0 or a negative errno. */
static int pcap_tcp_load(struct pcap_tcp *pt, const char *path, char *err, size_t errlen)
{
	struct trace_reader *r;
	const uint8_t *f;
	size_t len;
	uint64_t ts;
	int rc;

	/* A classic pcap file is mapped, the recorded host's bytes not copied. */
	if ((rc = tcp_replay_load_file(pt->tr, path, err, errlen)) != 0)
		return rc < 0 ? rc : 0;
	if ((rc = trace_reader_open(path, &r, err, errlen)) < 0)
		return rc;
	while ((rc = trace_reader_next(r, &f, &len, &ts)) == 1)
		if ((rc = tcp_replay_load(pt->tr, f, len, ts)) < 0)
			break;
	if (rc == -ENOMEM)
		snprintf(err, errlen, "pcap: tcp=replay: out of memory loading %s", path);
	trace_reader_close(r);
	/* A malformed record ends the load; the feeding pass says what is wrong with it. */
	return rc == -ENOMEM ? rc : 0;
}

int pcap_tcp_open(struct vif *v, const struct vif_config *cfg, uint32_t as_ip, const char *path,
		  struct pcap_tcp **out, char *err, size_t errlen)
{
	const char *tcp = vif_config_get(cfg, "tcp"), *report = vif_config_get(cfg, "report");
	/* mtu= is 68..4082 (vif_config_parse): the replayer's frames fit it. */
	struct tcp_replay_config c = { .as_ip = as_ip, .say = pcap_tcp_say,
				       .mtu = (uint16_t)cfg->mtu };
	struct pcap_tcp *pt;
	int rc;

	*out = NULL;
	if (!tcp) {
		if (report || vif_config_get(cfg, "tcp_deadline") || vif_config_get(cfg, "tcp_mss"))
			return snprintf(err, errlen, "pcap: report=, tcp_deadline= and tcp_mss= "
					"go with tcp=replay"), -EINVAL;
		return 0;
	}
	if (strcmp(tcp, "replay"))
		return snprintf(err, errlen, "pcap: tcp=%s: expected tcp=replay", tcp), -EINVAL;
	if (!as_ip)
		return snprintf(err, errlen, "pcap: tcp=replay needs as=IP, the recorded host "
				"the guest stands in for"), -EINVAL;
	if ((rc = pcap_tcp_parse(cfg, &c, err, errlen)) < 0)
		return rc;
	if (!(pt = calloc(1, sizeof(*pt))))
		return snprintf(err, errlen, "pcap: out of memory"), -ENOMEM;
	pt->v = v;
	pt->sim = v->dom->sim;
	memcpy(c.guest_mac, v->cfg.mac, 6);
	c.ctx = pt;
	pt->deadline_ns = c.deadline_ns ? c.deadline_ns : TCP_REPLAY_DEADLINE_DEFAULT_NS;
	if (report && !(pt->report = fopen(report, "w"))) {
		snprintf(err, errlen, "pcap: report=%s: %s", report, strerror(errno));
		free(pt);
		return -errno;
	}
	if ((rc = tcp_replay_create(&c, &pt->tr)) < 0) {
		snprintf(err, errlen, "pcap: out of memory");
	} else if ((rc = pcap_tcp_load(pt, path, err, errlen)) == 0) {
		tcp_replay_load_done(pt->tr);
		*out = pt;
		return 0;
	}
	tcp_replay_destroy(pt->tr);
	if (pt->report)
		fclose(pt->report);
	free(pt);
	return rc;
}

static void pcap_tcp_finish(struct pcap_tcp *pt)
{
	if (pt->finished)
		return;
	pt->finished = true;
	tcp_replay_finish(pt->tr, sim_now_ns(pt->sim));
}

static void pcap_tcp_tick(struct sim_timer *t, void *arg)
{
	struct pcap_tcp *pt = arg;
	const uint8_t *f;
	size_t len;
	uint64_t next;
	uint64_t now = sim_now_ns(pt->sim);

	(void)t;
	tcp_replay_run(pt->tr, now);
	/* A drop (no buffer posted) is counted by vif; the replayer retransmits. */
	while (tcp_replay_pop(pt->tr, &f, &len))
		vif_deliver(pt->v, f, len);
	/* Done; or the guest never said its address (a DHCP guest): its flows never start. */
	if (pt->file_done && !pt->finished &&
	    (tcp_replay_done(pt->tr) || (!pt->started && now >= pt->file_done_at + pt->deadline_ns))) {
		pcap_tcp_finish(pt);
		vif_input_ended(pt->v, pt->linger_ns);
	}
	next = tcp_replay_next_time(pt->tr);
	if (pt->file_done && !pt->finished && !pt->started)
		next = pt->file_done_at + pt->deadline_ns;
	if (next != UINT64_MAX)
		sim_timer_start(pt->sim, &pt->timer, next, pcap_tcp_tick, pt);
}

void pcap_tcp_end(struct pcap_tcp *pt)
{
	/* Not after a failed open: nothing was replayed, and the open's error says why. */
	if (pt && (pt->file_done || pt->started))
		pcap_tcp_finish(pt);
}

void pcap_tcp_close(struct pcap_tcp *pt)
{
	if (!pt)
		return;
	sim_timer_stop(pt->sim, &pt->timer);
	/* Not after a failed open: nothing was replayed, and the open's error says why. */
	if (pt->file_done || pt->started)
		pcap_tcp_finish(pt);
	tcp_replay_destroy(pt->tr);
	if (pt->report)
		fclose(pt->report);
	free(pt);
}

bool pcap_tcp_busy(const struct pcap_tcp *pt)
{
	return pt && !pt->finished;
}

bool pcap_tcp_claims(const struct pcap_tcp *pt, const uint8_t *frame, size_t len)
{
	return pt && tcp_replay_claims(pt->tr, frame, len);
}

void pcap_tcp_from_guest(struct pcap_tcp *pt, const uint8_t *frame, size_t len,
			 uint32_t guest_ip)
{
	uint64_t now;

	if (!pt || !guest_ip)
		return;
	now = sim_now_ns(pt->sim);
	tcp_replay_start(pt->tr, now, guest_ip); /* its address known: the replay begins */
	pt->started = true;
	tcp_replay_from_guest(pt->tr, now, frame, len);
	/* From the timer list rather than from inside netback's notification. */
	sim_timer_start(pt->sim, &pt->timer, now, pcap_tcp_tick, pt);
}

void pcap_tcp_input_ended(struct pcap_tcp *pt, uint64_t linger_ns)
{
	pt->file_done = true;
	pt->file_done_at = sim_now_ns(pt->sim);
	pt->linger_ns = linger_ns;
	sim_timer_start(pt->sim, &pt->timer, sim_now_ns(pt->sim), pcap_tcp_tick, pt);
}
