/*
 * The sender's side of SACK (RFC 2018, RFC 6675): a scoreboard of the
 * ranges above snd_una the peer reported holding, which bounds what a
 * retransmission at a hole carries and tells when snd_una's segment is lost
 * (RFC 6675 IsLost, tcp_cc.c). Which holes are lost, and when, is RACK's
 * decision, on per-segment send times (tcp_rack.c).
 *
 * Blocks are checked against what we sent: outside (snd_una, snd_max] or
 * empty, they are ignored (RFC 2018 says a sender must not trust them more).
 * The scoreboard is advisory: it is cleared after a timeout (RFC 2018 8)
 * and a SACKed byte is still retransmitted if the peer later reneges.
 */
#include "tcp_private.h"

static void sack_remove(struct tcp_pcb *pcb, unsigned int i)
{
	for (; i + 1 < pcb->n_sacked; i++)
		pcb->sacked[i] = pcb->sacked[i + 1];
	pcb->n_sacked--;
}

/* Adds [start, end), merging what it overlaps or touches; keeps the list sorted. */
static void sack_add(struct tcp_pcb *pcb, uint32_t start, uint32_t end)
{
	unsigned int i = 0;

	while (i < pcb->n_sacked) {
		uint32_t s = pcb->sacked[i].start, e = pcb->sacked[i].end;

		if (tcp_seq_lt(e, start) || tcp_seq_gt(s, end)) {
			i++;
			continue;
		}
		start = tcp_seq_min(start, s);
		end = tcp_seq_max(end, e);
		sack_remove(pcb, i);
	}
	for (i = 0; i < pcb->n_sacked && tcp_seq_lt(pcb->sacked[i].start, start); i++)
		;
	if (pcb->n_sacked == TCP_SACK_SCOREBOARD) {
		if (i == TCP_SACK_SCOREBOARD)
			return; /* full: forget the highest range, it matters least */
		pcb->n_sacked--;
	}
	for (unsigned int j = pcb->n_sacked; j > i; j--)
		pcb->sacked[j] = pcb->sacked[j - 1];
	pcb->sacked[i].start = start;
	pcb->sacked[i].end = end;
	pcb->n_sacked++;
}

/* Whether the scoreboard already holds all of [start, end). */
static bool sack_covers(const struct tcp_pcb *pcb, uint32_t start, uint32_t end)
{
	for (unsigned int i = 0; i < pcb->n_sacked; i++)
		if (tcp_seq_le(pcb->sacked[i].start, start) && tcp_seq_ge(pcb->sacked[i].end, end))
			return true;
	return false;
}

bool tcp_sack_update(struct tcp_pcb *pcb, const struct tcp_seg *seg)
{
	bool news = false;

	if (!pcb->sack_ok)
		return false;
	for (unsigned int b = 0; b < seg->opt.n_sack; b++) {
		uint32_t s = seg->opt.sack[b][0], e = seg->opt.sack[b][1];

		if (!tcp_seq_lt(s, e) || !tcp_seq_gt(s, pcb->snd_una) ||
		    tcp_seq_gt(e, pcb->snd_max))
			continue;
		news |= !sack_covers(pcb, s, e);
		sack_add(pcb, s, e);
	}
	return news;
}

void tcp_sack_trim(struct tcp_pcb *pcb)
{
	while (pcb->n_sacked && tcp_seq_le(pcb->sacked[0].start, pcb->snd_una)) {
		if (tcp_seq_gt(pcb->sacked[0].end, pcb->snd_una)) {
			pcb->sacked[0].start = pcb->snd_una;
			break;
		}
		sack_remove(pcb, 0);
	}
}

void tcp_sack_clear(struct tcp_pcb *pcb)
{
	pcb->n_sacked = 0;
}

uint32_t tcp_sack_hole_len(const struct tcp_pcb *pcb, uint32_t seq, uint32_t max)
{
	for (unsigned int i = 0; i < pcb->n_sacked; i++)
		if (tcp_seq_gt(pcb->sacked[i].start, seq)) {
			uint32_t gap = pcb->sacked[i].start - seq;

			return gap < max ? gap : max;
		}
	return max;
}
