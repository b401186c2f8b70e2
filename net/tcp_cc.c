/*
 * RTT estimation and the retransmission timeout (RFC 6298), and congestion
 * control: slow start and congestion avoidance (RFC 5681 3.1, with
 * appropriate byte counting, RFC 3465, L = 2 * SMSS), fast retransmit on the
 * third duplicate ACK or once SACK shows the first unacknowledged segment
 * lost (RFC 6675 IsLost) or RACK marks segments lost (RFC 8985, tcp_rack.c),
 * and NewReno fast recovery (RFC 6582), with the segments RACK marked lost
 * resent one per ACK that tells a segment left the network, and the window
 * collapse after a timeout (RFC 5681 3.1 eq. 4) and the restart after idle
 * (RFC 5681 4.1).
 */
#include <uk/time.h>

#include "tcp_private.h"

/* RFC 6928's initial window: min(10 * MSS, max(2 * MSS, 14600)). */
static uint32_t tcp_initial_window(uint32_t mss)
{
	uint32_t floor = 2 * mss > 14600 ? 2 * mss : 14600;

	return 10 * mss < floor ? 10 * mss : floor;
}

void tcp_cc_init(struct tcp_pcb *pcb)
{
	pcb->cwnd = tcp_initial_window(pcb->mss);
	pcb->ssthresh = UINT32_MAX; /* RFC 5681 3.1: arbitrarily high */
	pcb->dupacks = 0;
	pcb->in_recovery = false;
	pcb->recover = pcb->iss;
	pcb->bytes_acked = 0;
}

void tcp_cc_restart_after_idle(struct tcp_pcb *pcb, uint64_t now)
{
	uint32_t iw = tcp_initial_window(pcb->mss);

	/* RFC 5681 4.1: after an RTO of silence the ACK clock is gone: start again. */
	if (tcp_flight(pcb) == 0 && pcb->last_data_tx_ns &&
	    now - pcb->last_data_tx_ns > pcb->rto_ns && pcb->cwnd > iw)
		pcb->cwnd = iw;
}

uint32_t tcp_flight(const struct tcp_pcb *pcb)
{
	return pcb->snd_max - pcb->snd_una;
}

void tcp_rtt_sample(struct tcp_pcb *pcb, uint64_t r)
{
	uint64_t rto;

	if (!pcb->srtt_ns) { /* RFC 6298 2.2 */
		pcb->srtt_ns = r ? r : 1;
		pcb->rttvar_ns = r / 2;
	} else { /* 2.3, alpha 1/8, beta 1/4 */
		uint64_t diff = pcb->srtt_ns > r ? pcb->srtt_ns - r : r - pcb->srtt_ns;

		pcb->rttvar_ns = (3 * pcb->rttvar_ns + diff) / 4;
		pcb->srtt_ns = (7 * pcb->srtt_ns + r) / 8;
		if (!pcb->srtt_ns)
			pcb->srtt_ns = 1;
	}
	/* G, the clock granularity, is a millisecond (the timestamp clock). */
	rto = pcb->srtt_ns + (4 * pcb->rttvar_ns > TCP_MS ? 4 * pcb->rttvar_ns : TCP_MS);
	if (rto < TCP_RTO_MIN_NS)
		rto = TCP_RTO_MIN_NS;
	if (rto > TCP_RTO_MAX_NS)
		rto = TCP_RTO_MAX_NS;
	pcb->rto_ns = rto;
}

static uint32_t tcp_half_flight(const struct tcp_pcb *pcb)
{
	uint32_t half = tcp_flight(pcb) / 2;

	return half > 2u * pcb->mss ? half : 2u * pcb->mss; /* RFC 5681 eq. 4 */
}

/* Growth outside recovery: slow start or congestion avoidance. */
static void tcp_cc_grow(struct tcp_pcb *pcb, uint32_t acked)
{
	uint32_t mss = pcb->mss;

	if (pcb->cwnd < pcb->ssthresh) {
		pcb->cwnd += acked < 2 * mss ? acked : 2 * mss; /* RFC 3465 L = 2 */
		return;
	}
	/* Byte counting: one MSS per cwnd of data acknowledged. */
	pcb->bytes_acked += acked;
	if (pcb->bytes_acked >= pcb->cwnd) {
		pcb->bytes_acked -= pcb->cwnd;
		pcb->cwnd += mss;
	}
}

void tcp_cc_ack(struct tcp_pcb *pcb, uint32_t acked)
{
	pcb->dupacks = 0;
	if (!pcb->in_recovery) {
		/* Keep recover just behind snd_una, so it never falls 2^31 behind. */
		if (tcp_seq_gt(pcb->snd_una - 1, pcb->recover))
			pcb->recover = pcb->snd_una - 1;
		tcp_cc_grow(pcb, acked);
		return;
	}
	if (tcp_seq_gt(pcb->snd_una, pcb->recover)) {
		/* RFC 6582 3.2 step 3 (1), full ACK: min(ssthresh, max(FlightSize, SMSS) + SMSS). */
		uint32_t fl = (tcp_flight(pcb) > pcb->mss ? tcp_flight(pcb) : pcb->mss) + pcb->mss;

		pcb->cwnd = pcb->ssthresh < fl ? pcb->ssthresh : fl;
		pcb->in_recovery = false;
		return;
	}
	/*
	 * Partial ACK. With SACK (RFC 6675): resend the next segment RACK found
	 * lost; cwnd stays ssthresh and the pipe, not cwnd's inflation, says
	 * how much new data goes (tcp_out.c). NewReno: retransmit the next hole,
	 * deflate by what was acked, add one MSS.
	 */
	if (pcb->sack_ok) {
		tcp_rack_rexmit_lost(pcb);
		tcp_rtx_arm(pcb);
		return;
	}
	if (tcp_seq_ge(pcb->snd_una, pcb->high_rxt))
		tcp_retransmit_first(pcb);
	pcb->cwnd = pcb->cwnd > acked ? pcb->cwnd - acked : 0;
	if (acked >= pcb->mss)
		pcb->cwnd += pcb->mss;
	if (pcb->cwnd < pcb->mss)
		pcb->cwnd = pcb->mss;
	tcp_rtx_arm(pcb);
}

static void tcp_cc_enter_recovery(struct tcp_pcb *pcb);

void tcp_cc_dupack(struct tcp_pcb *pcb)
{
	if (pcb->in_recovery) {
		if (!pcb->sack_ok)
			pcb->cwnd += pcb->mss; /* RFC 6582 3.2 step 4: inflate */
		tcp_rack_rexmit_lost(pcb); /* a segment left: resend the next one RACK found lost */
		return;
	}
	/* Once the path reordered, RACK's time window alone calls losses (RFC 8985 6.2). */
	if (pcb->sack_ok && pcb->rack_reordering_seen)
		return;
	if (++pcb->dupacks != 3)
		return;
	tcp_cc_enter_recovery(pcb);
}

/* Fast retransmit and the start of fast recovery (RFC 6582 3.2 step 2). */
static void tcp_cc_enter_recovery(struct tcp_pcb *pcb)
{
	/* RFC 6582 3.2 step 2: only when the ACK covers more than recover. */
	if (!tcp_seq_gt(pcb->snd_una, pcb->recover))
		return;
	pcb->dupacks = 0;
	pcb->ssthresh = tcp_half_flight(pcb);
	pcb->recover = pcb->snd_max - 1;
	pcb->in_recovery = true;
	pcb->high_rxt = pcb->snd_una;
	pcb->tlp_out = false;
	tcp_rack_recovery_started(pcb);
	tcp_stats.fast_retransmits++;
	if (!tcp_rack_rexmit_lost(pcb))
		tcp_retransmit_first(pcb);
	/* With SACK the pipe counts what left the network (RFC 6675 5): no inflation. */
	pcb->cwnd = pcb->ssthresh + (pcb->sack_ok ? 0 : 3 * pcb->mss);
}

void tcp_cc_sack_loss_check(struct tcp_pcb *pcb)
{
	uint32_t sacked = 0;

	if (pcb->in_recovery || !pcb->n_sacked || pcb->rack_reordering_seen)
		return;
	for (unsigned int i = 0; i < pcb->n_sacked; i++)
		sacked += pcb->sacked[i].end - pcb->sacked[i].start;
	/* RFC 6675 4 IsLost(SND.UNA): more than (DupThresh - 1) * SMSS SACKed above it. */
	if (sacked > 2 * pcb->mss)
		tcp_cc_enter_recovery(pcb);
}

void tcp_cc_rack_loss(struct tcp_pcb *pcb)
{
	tcp_cc_enter_recovery(pcb);
}

void tcp_cc_tlp_repaired(struct tcp_pcb *pcb)
{
	uint32_t half = pcb->cwnd / 2 > 2u * pcb->mss ? pcb->cwnd / 2 : 2u * pcb->mss;

	if (pcb->in_recovery)
		return;
	pcb->ssthresh = half;
	pcb->cwnd = half;
	pcb->bytes_acked = 0;
}

void tcp_cc_timeout(struct tcp_pcb *pcb)
{
	tcp_sack_clear(pcb); /* RFC 2018 8: the peer may have dropped what it held */
	tcp_rack_rto(pcb);
	pcb->ssthresh = tcp_half_flight(pcb);
	pcb->cwnd = pcb->mss; /* the loss window */
	pcb->bytes_acked = 0;
	pcb->dupacks = 0;
	pcb->in_recovery = false;
	pcb->recover = pcb->snd_max - 1; /* RFC 6582 4.1: no fast retransmit for older dupacks */
}
