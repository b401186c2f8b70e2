/*
 * TCP (RFC 9293) in the stack: what is tunable stack-wide and what it counts.
 * Connections are used through the stream sockets of <net/socket.h>
 * (NET_SOCK_STREAM); this header holds only what is not per socket.
 *
 * What the TCP does, and the RFCs it follows:
 *   RFC 9293  the state machine (simultaneous open and close, half-close,
 *             TIME-WAIT for 2*MSL), RST generation and acceptance, segment
 *             acceptability, sequence arithmetic across the 2^32 wrap
 *   RFC 5961  challenge ACKs for in-window RST and for SYN, ACK range check
 *   RFC 6528  initial sequence numbers: a 4-microsecond clock plus a keyed
 *             hash of the connection's addresses and ports (key from
 *             <uk/random.h>, so deterministic under the simulator's --seed)
 *   RFC 6298  retransmission timer, Karn's rule, exponential backoff
 *   RFC 5681  slow start, congestion avoidance, fast retransmit; RFC 6582
 *             NewReno fast recovery; delayed ACKs (every second segment,
 *             at most TCP_DELACK_NS later); Nagle's algorithm; the
 *             receiver's silly-window avoidance (RFC 1122 4.2.3.3)
 *   RFC 7323  window scaling; timestamps for RTT measurement and PAWS
 *   RFC 2018  SACK: blocks for the out-of-order data we hold (on pure ACKs),
 *             and a scoreboard of the peer's, whose holes recovery resends
 *             one per duplicate ACK (RFC 6675's NextSeg, beside NewReno)
 *   RFC 6691  the MSS option (the interface MTU less 40)
 *   RFC 1122  zero-window probes, keep-alives
 *   RFC 1191  path MTU discovery: segments go with Don't Fragment, and an
 *             ICMP "fragmentation needed" lowers the connection's MSS
 * Not done: RFC 6675's pipe estimate (NewReno's window inflation stands in
 * for it), D-SACK, urgent data; the path MTU is per connection (no cache of
 * paths) and never raised again.
 */
#ifndef NET_TCP_H
#define NET_TCP_H

#include <stdint.h>

/* The maximum segment lifetime; TIME-WAIT lasts twice this (default 30 s). */
#define TCP_MSL_DEFAULT_NS (30ull * 1000000000ull)
/* Sets the MSL for connections entering TIME-WAIT from now on (tests shorten it). */
void tcp_set_msl(uint64_t ns);

struct tcp_stats {
	uint64_t segs_in, segs_out;
	uint64_t bad_checksum, bad_header;    /* dropped on arrival */
	uint64_t no_connection;               /* answered with a RST */
	uint64_t rst_sent, rst_accepted, challenge_acks;
	uint64_t retransmits, fast_retransmits, timeouts; /* timeouts: RTO expiries */
	uint64_t zero_window_probes, keepalive_probes;
	uint64_t paws_dropped;                /* old timestamp (RFC 7323 5) */
	uint64_t ooo_queued, ooo_dropped;     /* out-of-order segments kept / over the cap */
	uint64_t syn_queue_dropped;           /* embryonic connections evicted by newer SYNs */
	uint64_t accept_queue_full;           /* handshakes left unfinished: backlog full */
	uint64_t conn_opened, conn_accepted, conn_reset, conn_timed_out;
	uint64_t pmtu_reductions;             /* MSS lowered by ICMP fragmentation needed */
	uint64_t nomem;
	uint64_t rcv_direct_bytes;            /* received straight into a waiting reader's buffer */
	uint64_t rcv_lent_bytes;              /* lent in place to a borrower (net_recv_borrow) */
};
void tcp_stats_get(struct tcp_stats *out);
/* Connections the stack holds (any state but CLOSED, orphans included). */
unsigned int tcp_pcb_count(void);

#endif
