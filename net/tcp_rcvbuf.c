/*
 * Receive buffer auto-tuning: Linux's dynamic right-sizing
 * (tcp_rcv_space_adjust, tcp_rcv_rtt_measure in net/ipv4/tcp_input.c).
 *
 * A connection starts with TCP_BUF_DEFAULT of receive buffer, and so with
 * the same first window as before auto-tuning. Once per receiver-side RTT,
 * when the application reads, the bytes it read in that RTT are compared
 * with those of the previous measure; when they grew, the buffer grows to
 * about twice what the application consumes per RTT (more when the rate
 * is still rising, as in slow start), up to TCP_RCVBUF_AUTO_MAX. The
 * sender can then keep a bandwidth-delay product in flight and not stop
 * at two 64 KiB segments.
 *
 * Only connections whose application reads grow: an idle connection, or
 * one whose application does not read, keeps its first buffer. The ring's
 * storage still grows only with the bytes queued (tcp_buf.c), so a larger
 * buffer costs memory only while data waits in it. An explicit
 * NET_OPT_RCVBUF locks the size, as Linux's SOCK_RCVBUF_LOCK.
 */
#include <uk/time.h>

#include "tcp_private.h"

uint8_t tcp_rcv_wscale(const struct tcp_pcb *pcb)
{
	/* As tcp_select_initial_window: the shift for the largest the buffer may grow to. */
	uint32_t space = pcb->rcvbuf_locked ? pcb->rcvbuf : TCP_RCVBUF_AUTO_MAX;
	uint8_t s = 0;

	if (space < pcb->rcvbuf)
		space = pcb->rcvbuf;
	while (s < 14 && (space >> s) > 65535)
		s++;
	return s;
}

/* The first byte the application has not read (Linux's copied_seq). */
static uint32_t tcp_copied_seq(const struct tcp_pcb *pcb)
{
	return pcb->rcv_nxt - tcp_rcv_unread(pcb) - (pcb->rcv_fin ? 1 : 0);
}

void tcp_rcvbuf_init(struct tcp_pcb *pcb)
{
	/* tcp_init_buffer_space: the first measure expects an initial window's worth. */
	uint32_t iw = 10 * (uint32_t)pcb->mss;

	pcb->rcvq_space = pcb->rcvbuf < iw ? pcb->rcvbuf : iw;
	pcb->rcvq_seq = tcp_copied_seq(pcb);
	pcb->rcvq_time_ns = uk_now_ns();
	pcb->rcv_rtt_ns = 0;
	pcb->rcv_rtt_time_ns = 0;
}

/* tcp_rcv_rtt_update: win_dep samples (a window's time) only lower the estimate. */
static void tcp_rcv_rtt_update(struct tcp_pcb *pcb, uint64_t sample, bool win_dep)
{
	if (!sample)
		sample = 1;
	if (!pcb->rcv_rtt_ns)
		pcb->rcv_rtt_ns = sample;
	else if (win_dep)
		pcb->rcv_rtt_ns = sample < pcb->rcv_rtt_ns ? sample : pcb->rcv_rtt_ns;
	else if (sample >= pcb->rcv_rtt_ns)
		pcb->rcv_rtt_ns += (sample - pcb->rcv_rtt_ns) / 8;
	else
		pcb->rcv_rtt_ns -= (pcb->rcv_rtt_ns - sample) / 8;
}

void tcp_rcv_rtt_measure(struct tcp_pcb *pcb, const struct tcp_seg *seg)
{
	uint64_t now = uk_now_ns();

	/* tcp_rcv_rtt_measure_ts: an echoed timestamp of ours, when it says more than 0 ms. */
	if (pcb->ts_ok && seg->opt.has_ts && seg->opt.tsecr &&
	    seg->opt.tsecr != pcb->rcv_rtt_last_tsecr && seg->len >= pcb->mss) {
		uint32_t ms = tcp_ts_now(pcb) - seg->opt.tsecr;

		pcb->rcv_rtt_last_tsecr = seg->opt.tsecr;
		if (ms && ms < 60000)
			tcp_rcv_rtt_update(pcb, (uint64_t)ms * TCP_MS, false);
	}
	/*
	 * tcp_rcv_rtt_measure: the time the peer took to fill the window we
	 * had advertised when the measure began is at least one RTT.
	 */
	if (pcb->rcv_rtt_time_ns) {
		if (tcp_seq_lt(pcb->rcv_nxt, pcb->rcv_rtt_seq))
			return;
		tcp_rcv_rtt_update(pcb, now - pcb->rcv_rtt_time_ns, true);
	}
	pcb->rcv_rtt_seq = tcp_seq_gt(pcb->rcv_adv, pcb->rcv_nxt) ? pcb->rcv_adv : pcb->rcv_nxt + 1;
	pcb->rcv_rtt_time_ns = now;
}

/* The buffer for an application that read copied bytes in the last RTT and space before. */
static uint32_t tcp_rcvbuf_for(const struct tcp_pcb *pcb, uint32_t copied, uint32_t space)
{
	uint64_t win = 2 * (uint64_t)copied + 16 * (uint64_t)pcb->mss;

	if (win >= TCP_RCVBUF_AUTO_MAX) /* and the product below stays within 64 bits */
		return TCP_RCVBUF_AUTO_MAX;
	/* Still accelerating (slow start): the next RTT may bring more again. */
	win += 2 * (win * (copied - space) / space);
	return win > TCP_RCVBUF_AUTO_MAX ? TCP_RCVBUF_AUTO_MAX : (uint32_t)win;
}

void tcp_rcv_space_adjust(struct tcp_pcb *pcb)
{
	uint64_t now = uk_now_ns();
	uint32_t copied_seq = tcp_copied_seq(pcb), copied;

	if (!pcb->rcv_rtt_ns || now - pcb->rcvq_time_ns < pcb->rcv_rtt_ns)
		return;
	copied = copied_seq - pcb->rcvq_seq;
	if (copied > pcb->rcvq_space) {
		if (!pcb->rcvbuf_locked && pcb->rcvq_space) {
			uint32_t buf = tcp_rcvbuf_for(pcb, copied, pcb->rcvq_space);

			if (buf > pcb->rcvbuf)
				pcb->rcvbuf = buf;
		}
		pcb->rcvq_space = copied;
	}
	pcb->rcvq_seq = copied_seq;
	pcb->rcvq_time_ns = now;
}
