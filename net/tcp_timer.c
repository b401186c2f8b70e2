/*
 * The timers of a connection, uk_timer callbacks (they never block):
 *   rtx_timer   one timer in one of four modes: retransmission (RFC 6298 5,
 *               with exponential backoff and a bounded number of retries,
 *               then -ETIMEDOUT), persist (zero-window probes, backed off
 *               like the RTO, as Linux's tcp_probe_timer), TIME-WAIT (2*MSL)
 *               and the FIN-WAIT-2 limit of an orphan (Linux tcp_fin_timeout)
 *   delack_timer  the delayed ACK (RFC 1122 4.2.3.2, RFC 5681 4.2)
 *   keep_timer  keep-alive probes (RFC 1122 4.2.3.6)
 *   rack_timer  RACK's reordering timeout and the tail loss probe (tcp_rack.c)
 */
#include <errno.h>
#include <uk/time.h>

#include "tcp_private.h"

static uint64_t tcp_backoff(const struct tcp_pcb *pcb)
{
	uint64_t t = pcb->rto_ns;

	for (unsigned int i = 0; i < pcb->retries && t < TCP_RTO_MAX_NS; i++)
		t *= 2;
	return t > TCP_RTO_MAX_NS ? TCP_RTO_MAX_NS : t;
}

void tcp_rtx_arm(struct tcp_pcb *pcb)
{
	pcb->rtx_mode = TCP_RTX_RETRANSMIT;
	uk_timer_arm(&pcb->rtx_timer, tcp_backoff(pcb));
}

void tcp_rtx_stop(struct tcp_pcb *pcb)
{
	if (pcb->rtx_mode == TCP_RTX_RETRANSMIT || pcb->rtx_mode == TCP_RTX_PERSIST) {
		uk_timer_cancel(&pcb->rtx_timer);
		pcb->rtx_mode = TCP_RTX_NONE;
	}
}

void tcp_persist_arm(struct tcp_pcb *pcb)
{
	pcb->rtx_mode = TCP_RTX_PERSIST;
	uk_timer_arm(&pcb->rtx_timer, tcp_backoff(pcb));
}

void tcp_delack_arm(struct tcp_pcb *pcb)
{
	if (!uk_timer_armed(&pcb->delack_timer))
		uk_timer_arm(&pcb->delack_timer, TCP_DELACK_NS);
}

/*
 * The delayed ACK made due now: it is sent by the scheduler's next pass,
 * after the event handler has input every frame the backend delivered.
 */
void tcp_ack_after_batch(struct tcp_pcb *pcb)
{
	uint64_t now = uk_now_ns();

	if (uk_timer_deadline(&pcb->delack_timer) > now)
		uk_timer_arm_at(&pcb->delack_timer, now);
}

void tcp_keepalive_arm(struct tcp_pcb *pcb)
{
	if (pcb->keepalive && tcp_synchronized(pcb->state))
		uk_timer_arm(&pcb->keep_timer, TCP_KEEPIDLE_NS);
	else
		uk_timer_cancel(&pcb->keep_timer);
}

/* The handshake timed out: a child is dropped, a connect fails. */
static void tcp_syn_timeout(struct tcp_pcb *pcb)
{
	unsigned int max = pcb->state == TCP_SYN_SENT ? TCP_SYN_RETRIES : TCP_SYNACK_RETRIES;

	if (++pcb->retries > max) {
		tcp_pcb_done(pcb, -ETIMEDOUT);
		return;
	}
	tcp_stats.retransmits++;
	/* RFC 6298 5.7: a lost SYN leaves the RTO at 3 s once data flows; Linux keeps 1 s. */
	tcp_send_syn(pcb);
	tcp_rtx_arm(pcb);
}

/* RFC 6298 5.4-5.6: retransmit the earliest segment, back off, collapse cwnd. */
static void tcp_retransmit_timeout(struct tcp_pcb *pcb)
{
	tcp_stats.timeouts++;
	if (pcb->state == TCP_SYN_SENT || pcb->state == TCP_SYN_RCVD) {
		tcp_syn_timeout(pcb);
		return;
	}
	if (++pcb->retries > TCP_DATA_RETRIES) {
		tcp_send_rst(pcb);
		tcp_pcb_done(pcb, -ETIMEDOUT);
		return;
	}
	tcp_cc_timeout(pcb);
	pcb->rtt_timing = false;
	pcb->snd_nxt = pcb->snd_una; /* go back: resend from the first unacknowledged byte */
	pcb->rtx_mode = TCP_RTX_NONE;
	tcp_output(pcb);
	/* A window shrunk to zero lets nothing go: the first segment goes anyway, as a probe. */
	if (pcb->snd_nxt == pcb->snd_una)
		tcp_retransmit_first(pcb);
	if (!uk_timer_armed(&pcb->rtx_timer))
		tcp_rtx_arm(pcb);
}

static void tcp_persist_timeout(struct tcp_pcb *pcb)
{
	tcp_stats.zero_window_probes++;
	/* The peer answers every probe while it lives; silence ends the connection. */
	if (++pcb->retries > TCP_DATA_RETRIES) {
		tcp_send_rst(pcb);
		tcp_pcb_done(pcb, -ETIMEDOUT);
		return;
	}
	tcp_send_probe(pcb);
	tcp_persist_arm(pcb);
}

static void tcp_rtx_fire(struct uk_timer *t, void *arg)
{
	struct tcp_pcb *pcb = arg;
	enum tcp_rtx_mode mode = pcb->rtx_mode;

	pcb->rtx_mode = TCP_RTX_NONE;
	switch (mode) {
	case TCP_RTX_RETRANSMIT:
		tcp_retransmit_timeout(pcb);
		break;
	case TCP_RTX_PERSIST:
		tcp_persist_timeout(pcb);
		break;
	case TCP_RTX_TIME_WAIT:
	case TCP_RTX_FIN_WAIT_2:
		tcp_pcb_done(pcb, 0);
		break;
	case TCP_RTX_NONE:
		break;
	}
}

static void tcp_delack_fire(struct uk_timer *t, void *arg)
{
	struct tcp_pcb *pcb = arg;

	if (tcp_synchronized(pcb->state) && pcb->state != TCP_TIME_WAIT)
		tcp_send_ack(pcb);
}

static void tcp_keep_fire(struct uk_timer *t, void *arg)
{
	struct tcp_pcb *pcb = arg;
	uint64_t idle = uk_now_ns() - pcb->last_rx_ns;
	unsigned int sent = 0;

	if (!pcb->keepalive || !tcp_synchronized(pcb->state) || pcb->state == TCP_TIME_WAIT)
		return;
	if (idle < TCP_KEEPIDLE_NS) { /* heard from the peer since: wait the rest */
		uk_timer_arm(&pcb->keep_timer, TCP_KEEPIDLE_NS - idle);
		return;
	}
	sent = (unsigned int)((idle - TCP_KEEPIDLE_NS) / TCP_KEEPINTVL_NS);
	if (sent >= TCP_KEEPCNT) {
		tcp_send_rst(pcb);
		tcp_pcb_done(pcb, -ETIMEDOUT);
		return;
	}
	tcp_stats.keepalive_probes++;
	tcp_send_probe(pcb);
	uk_timer_arm(&pcb->keep_timer, TCP_KEEPINTVL_NS);
}

void tcp_timers_init(struct tcp_pcb *pcb)
{
	uk_timer_init(&pcb->rtx_timer, tcp_rtx_fire, pcb);
	uk_timer_init(&pcb->delack_timer, tcp_delack_fire, pcb);
	uk_timer_init(&pcb->keep_timer, tcp_keep_fire, pcb);
	uk_timer_init(&pcb->rack_timer, tcp_rack_timer_fire, pcb);
}

void tcp_timers_stop(struct tcp_pcb *pcb)
{
	uk_timer_cancel(&pcb->rtx_timer);
	uk_timer_cancel(&pcb->delack_timer);
	uk_timer_cancel(&pcb->keep_timer);
	uk_timer_cancel(&pcb->rack_timer);
	pcb->rtx_mode = TCP_RTX_NONE;
	pcb->rack_mode = TCP_RACK_IDLE;
	tcp_rack_free(pcb); /* nothing is in flight any more */
}
