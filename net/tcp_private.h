/*
 * What the files of the TCP share (net/tcp*.c only).
 *
 *   tcp.c       connections (struct tcp_pcb): creation, the table, the
 *               4-tuple hash and the listeners, lookup, ports, state
 *               changes, the end of a connection
 *   tcp_isn.c   RFC 6528 initial sequence numbers
 *   tcp_opt.c   options: parsing and writing (MSS, window scale, SACK,
 *               timestamps)
 *   tcp_buf.c   the byte rings of the send and receive buffers, the
 *               out-of-order queue and the SACK blocks it makes
 *   tcp_rcvbuf.c receive buffer auto-tuning (Linux's tcp_rcv_space_adjust)
 *   tcp_in.c    segment arrival (RFC 9293 3.10.7)
 *   tcp_out.c   segment output: data, ACKs, SYNs, FINs, RSTs, probes
 *   tcp_timer.c retransmission, persist, delayed ACK, keep-alive, TIME-WAIT
 *   tcp_cc.c    RTT estimation (RFC 6298) and congestion control (RFC 5681/6582)
 *   tcp_sack.c  the sender's SACK scoreboard and hole retransmission (RFC 6675)
 *   tcp_rack.c  RACK-TLP loss detection (RFC 8985): per-segment send times,
 *               the reordering window, tail loss probes
 *   tcp_icmp.c  ICMP errors: refused connects, path MTU (RFC 1191, RFC 5927)
 *   tcp_sock.c  the NET_SOCK_STREAM socket ops
 *   tcp_lend.c  received bytes lent in place to a borrower (net_recv_borrow)
 *
 * Everything runs in the stack's cooperative threads and timer callbacks;
 * nothing here blocks (socket.c does the waiting).
 */
#ifndef NET_TCP_PRIVATE_H
#define NET_TCP_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <net/tcp.h>
#include <uk/netfront.h> /* NETFRONT_RX_MAX_SLOTS: a frame's pieces */
#include <uk/timer.h>

#include "net_private.h"
#include "tcp_seq.h"

#define TCP_HLEN 20
#define TCP_MAX_OPTLEN 40
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20

#define TCP_MS UINT64_C(1000000)
#define TCP_DEFAULT_MSS 536          /* RFC 9293 3.7.1: without the option */
#define TCP_RTO_INITIAL_NS (1000 * TCP_MS) /* RFC 6298 2.1 */
#define TCP_RTO_MIN_NS (200 * TCP_MS)      /* Linux's TCP_RTO_MIN (RFC 6298 allows less than 1 s) */
#define TCP_RTO_MAX_NS (60000 * TCP_MS)
#define TCP_SYN_RETRIES 6            /* SYNs at 0, 1, 3, 7, 15, 31, 63 s; ETIMEDOUT at 123 s */
#define TCP_SYNACK_RETRIES 5
#define TCP_DATA_RETRIES 12          /* then ETIMEDOUT (Linux: tcp_retries2 = 15) */
#define TCP_DELACK_NS (40 * TCP_MS)  /* Linux's TCP_DELACK_MIN; RFC 1122 allows up to 500 ms */
#define TCP_FIN_WAIT_2_NS (60000 * TCP_MS) /* an orphan in FIN-WAIT-2 (Linux tcp_fin_timeout) */
#define TCP_EXIT_LINGER_NS (3000 * TCP_MS) /* at exit, for closed connections still sending */
#define TCP_KEEPIDLE_NS (7200000 * TCP_MS) /* RFC 1122 4.2.3.6 */
#define TCP_KEEPINTVL_NS (75000 * TCP_MS)
#define TCP_KEEPCNT 9
#define TCP_BUF_DEFAULT (128 * 1024)
#define TCP_BUF_MIN 4096
#define TCP_BUF_MAX (4 * 1024 * 1024)
#define TCP_RCVBUF_AUTO_MAX (6 * 1024 * 1024) /* auto-tuning's limit (Linux's tcp_rmem[2]) */
#define TCP_OOO_MAX_SEGS 64          /* out-of-order segments kept; bytes are capped by the buffer */
#define TCP_BACKLOG_MAX 1024
#define TCP_SYN_QUEUE_MIN 64         /* half-open connections per listener: max(this, 2 * backlog) */
#define TCP_CHALLENGE_ACKS_PER_S 100 /* RFC 5961 7: a global limit */

enum tcp_state {
	TCP_CLOSED,
	TCP_LISTEN,
	TCP_SYN_SENT,
	TCP_SYN_RCVD,
	TCP_ESTABLISHED,
	TCP_FIN_WAIT_1,
	TCP_FIN_WAIT_2,
	TCP_CLOSE_WAIT,
	TCP_CLOSING,
	TCP_LAST_ACK,
	TCP_TIME_WAIT,
};

#define TCP_SACK_BLOCKS 4            /* at most in one segment (3 beside timestamps) */
#define TCP_SACK_SCOREBOARD 8        /* SACKed ranges a sender remembers */

/* Options of one segment, as parsed (tcp_opt.c). */
struct tcp_opts {
	bool has_mss, has_ws, has_ts, sack_ok;
	uint16_t mss;
	uint8_t ws;
	uint32_t tsval, tsecr;
	uint8_t n_sack;              /* SACK blocks (RFC 2018), [start, end) each */
	uint32_t sack[TCP_SACK_BLOCKS][2];
};

/* A received segment, its lengths checked. */
struct tcp_seg {
	ip4_addr_t src, dst;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint16_t wnd;
	uint8_t flags;
	const uint8_t *data;  /* the payload */
	uint32_t len;         /* payload bytes (SEG.LEN less SYN and FIN) */
	/*
	 * A segment that came in pieces (net_rx_frags): head_len bytes at
	 * data, then more[]; len may be less than their sum, never more.
	 * Otherwise head_len >= len and nr_more is 0.
	 */
	uint32_t head_len;
	const struct netfront_frag *more;
	unsigned int nr_more;
	const struct net_link *link; /* with pieces: the link that may keep them (rx_keep) */
	struct tcp_opts opt;
};

/*
 * A ring of bytes; its storage is allocated when first needed and freed when
 * empty. peak: the most it held since it was last empty; last_peak: that
 * of the previous fill, the size the next storage starts at.
 */
struct tcp_ring {
	uint8_t *buf;
	uint32_t cap, head, len, peak, last_peak;
};

/* One out-of-order segment, kept sorted by seq, never overlapping another. */
struct tcp_ooo {
	struct tcp_ooo *next;
	uint32_t seq, len;
	uint8_t data[];
};

/* One transmitted segment [seq, end) (FIN included) of a SACK connection (tcp_rack.c). */
#define TCP_TX_SACKED 0x01
#define TCP_TX_LOST 0x02       /* RACK marked it lost; cleared when it is sent again */
#define TCP_TX_RETRANS 0x04
struct tcp_txseg {
	uint64_t xmit_ns;      /* its latest transmission */
	uint32_t xmit_order;   /* which transmission of the connection that was */
	uint32_t seq, end;
	uint8_t flags;
};

enum tcp_rack_mode { TCP_RACK_IDLE, TCP_RACK_REO, TCP_RACK_TLP };

enum tcp_rtx_mode { TCP_RTX_NONE, TCP_RTX_RETRANSMIT, TCP_RTX_PERSIST, TCP_RTX_TIME_WAIT,
		    TCP_RTX_FIN_WAIT_2 };

/*
 * A pcb's place in one list, left in O(1) without a walk (as Linux's
 * hlist_node): pprev points at whatever points at the pcb, the list's head
 * or the previous pcb's next. pprev is NULL while the pcb is in no list.
 */
struct tcp_link {
	struct tcp_pcb *next;
	struct tcp_pcb **pprev;
};

/* A listener's SYN or accept queue: oldest first, appended at the tail in O(1). */
struct tcp_queue {
	struct tcp_pcb *head;
	struct tcp_pcb **tail;       /* the last pcb's q.next; meaningless while head is NULL */
	unsigned int count;
};

struct tcp_pcb {
	/* The lists a pcb is in (tcp.c), each left in O(1) (a SYN flood evicts one per SYN). */
	struct tcp_link tbl;         /* the table of pcbs holding a local port */
	struct tcp_link hash;        /* its 4-tuple hash chain, once connecting */
	struct tcp_link lis;         /* the list of listeners */
	struct tcp_link q;           /* its listener's SYN or accept queue (in_q) */
	struct tcp_queue *in_q;
	enum tcp_state state;
	struct net_socket *sock;     /* NULL: orphaned (closed by the app) or not accepted yet */
	struct net_if *nif;          /* the interface the connection uses */
	ip4_addr_t laddr, raddr;
	uint16_t lport, rport;
	int err;                     /* why the connection ended, reported once */
	bool active_open;            /* we sent the first SYN */
	bool ever_connected;

	/* A listener's children, and a child's listener until it is accepted. */
	struct tcp_pcb *parent;
	struct tcp_queue syn_q, acc_q;
	unsigned int backlog;

	/* Send sequence space (RFC 9293 3.3.1); snd_max: the highest ever sent. */
	uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1, snd_wl2, max_snd_wnd;
	struct tcp_ring sndq;        /* bytes from snd_una on */
	bool fin_queued;             /* the app shut down: a FIN follows sndq */
	bool fin_sent;               /* the FIN went out (at fin_seq) at least once */
	uint32_t fin_seq;
	bool wr_shut;
	uint16_t mss;                /* of segments we send */
	uint8_t snd_ws, rcv_ws;      /* window shifts (RFC 7323), 0 unless both sides sent WS */
	bool ws_ok, ts_ok, sack_ok;
	uint32_t ts_recent, ts_offset, last_ack_sent;
	/* SACK (RFC 2018, RFC 6675): what the peer holds beyond snd_una, sorted. */
	struct { uint32_t start, end; } sacked[TCP_SACK_SCOREBOARD];
	unsigned int n_sacked;
	uint32_t high_rxt;           /* retransmitted up to here in this recovery */
	uint32_t last_ooo_seq;       /* the latest out-of-order arrival: its block goes first */

	/* Receive sequence space. rcv_adv: the right edge we advertised. */
	uint32_t irs, rcv_nxt, rcv_adv;
	struct tcp_ring rcvq;
	/*
	 * Bytes copied straight into a waiting reader's buffer (tcp_in.c) that
	 * it has not returned with yet: until then they count as in rcvq, for
	 * the window and auto-tuning, as bytes the app has still to read.
	 */
	uint32_t rcv_direct;
	struct tcp_lend *lend; /* tcp_lend.c: bytes lent in place (net_recv_borrow); NULL */
	struct tcp_ooo *ooo;
	uint32_t ooo_bytes;
	unsigned int ooo_count;
	bool ooo_fin;                /* a FIN arrived out of order, at ooo_fin_seq */
	bool rcv_fin;                /* the peer's FIN arrived in order */
	uint32_t ooo_fin_seq;        /* after both bools, packed: an idle connection
				      * stays under 1 KiB (tcp_sock_test) */

	/* RTT and RTO (tcp_cc.c). */
	uint64_t srtt_ns, rttvar_ns, rto_ns;
	bool rtt_timing;             /* without timestamps: timing the segment ending at rtt_seq */
	uint32_t rtt_seq;
	uint64_t rtt_start_ns;
	unsigned int retries;        /* RTO expiries or unanswered probes since progress */

	/* Congestion control (tcp_cc.c). */
	uint32_t cwnd, ssthresh, recover, bytes_acked;
	unsigned int dupacks;
	bool in_recovery;

	/*
	 * RACK-TLP (RFC 8985, tcp_rack.c), SACK connections only. txs: what is in
	 * flight, [snd_una, snd_max) in segments sorted by seq, at
	 * txs[txs_head .. txs_head + txs_n). rack_*: the RACK.* variables.
	 */
	struct tcp_txseg *txs;
	uint32_t txs_cap, txs_head, txs_n;
	unsigned int rack_lost;      /* segments marked lost and not sent again since */
	bool rack_valid;             /* rack_xmit_ns and rack_end_seq hold a delivered segment */
	bool rack_reordering_seen;
	uint64_t rack_xmit_ns, rack_rtt_ns, rack_min_rtt_ns;
	uint32_t rack_xmit_order, rack_fack, txs_order;
	uint32_t rack_reo_mult, rack_reo_persist; /* the window's DSACK-driven growth (6.2 step 4) */
	bool rack_dsack_round_on;
	uint32_t rack_dsack_round;
	bool tlp_out, tlp_rexmit;    /* a probe is outstanding, up to tlp_end_seq; it resent data */
	uint32_t tlp_end_seq;
	enum tcp_rack_mode rack_mode;
	struct uk_timer rack_timer;  /* the reordering timeout or the probe timeout */

	/* Acknowledgment. */
	unsigned int segs_unacked;   /* in-order segments received since our last ACK */
	bool ack_now;

	/* Options. */
	bool nodelay, keepalive;
	uint32_t sndbuf, rcvbuf;
	bool rcvbuf_locked;          /* NET_OPT_RCVBUF set it: no auto-tuning */

	/*
	 * Receive buffer auto-tuning (tcp_rcvbuf.c, Linux's rcvq_space and
	 * rcv_rtt_est): what the app read in the last measure (rcvq_space
	 * bytes; this one began at rcvq_seq, rcvq_time_ns), and the receiver's
	 * RTT estimate (0: none yet), the window measure ending at rcv_rtt_seq.
	 */
	uint32_t rcvq_space, rcvq_seq;
	uint64_t rcvq_time_ns;
	uint64_t rcv_rtt_ns, rcv_rtt_time_ns;
	uint32_t rcv_rtt_seq, rcv_rtt_last_tsecr;

	uint64_t last_rx_ns;
	uint64_t last_data_tx_ns;    /* when data last went out */
	enum tcp_rtx_mode rtx_mode;
	struct uk_timer rtx_timer, delack_timer, keep_timer;
};

extern struct tcp_stats tcp_stats;
extern uint64_t tcp_msl_ns;

/* Received bytes the app has not read (in the ring, or given a reader that has not returned). */
static inline uint32_t tcp_rcv_unread(const struct tcp_pcb *pcb)
{
	return pcb->rcvq.len + pcb->rcv_direct;
}

/* The receive ring's cap: the buffer less what a reader holds (rcv_direct). */
static inline uint32_t tcp_rcvq_cap(const struct tcp_pcb *pcb)
{
	return pcb->rcvbuf > pcb->rcv_direct ? pcb->rcvbuf - pcb->rcv_direct : 0;
}

/* What the receive buffer still takes. */
static inline uint32_t tcp_rcv_room(const struct tcp_pcb *pcb)
{
	return pcb->rcvbuf > tcp_rcv_unread(pcb) ? pcb->rcvbuf - tcp_rcv_unread(pcb) : 0;
}

/*
 * tcp_lend.c: received bytes lent in place (net_recv_borrow). At most
 * TCP_LEND_MAX frames or ring storages at once, each in up to
 * TCP_LEND_PIECES pieces.
 */
#define TCP_LEND_MAX 16
#define TCP_LEND_PIECES (NETFRONT_RX_MAX_SLOTS + 1)
/*
 * An in-order segment in pieces, for a socket that borrows, its ring
 * empty: its link keeps the pieces and they are lent whole (seg emptied).
 * Returns the bytes lent (0: none, the segment untouched).
 */
uint32_t tcp_lend_seg(struct tcp_pcb *pcb, struct tcp_seg *seg);
/* Describes the unread bytes from the first (the ring's taken too): pieces, or -ENOMEM. */
int tcp_lend_borrow(struct tcp_pcb *pcb, struct net_piece *out, unsigned int max);
/* The first n lent bytes are read: -EINVAL when fewer are lent. */
int tcp_lend_return(struct tcp_pcb *pcb, size_t n);
/* Copies up to len of the first lent bytes out and returns them: how many. */
uint32_t tcp_lend_copy(struct tcp_pcb *pcb, uint8_t *buf, uint32_t len);
/* Bytes lent and not returned. */
uint32_t tcp_lend_bytes(const struct tcp_pcb *pcb);
/* Gives everything lent back (its pages to the link), as if returned. */
void tcp_lend_free(struct tcp_pcb *pcb);

/* tcp.c */
struct tcp_pcb *tcp_pcb_new(void);
/* uk_atexit, registered by the first tcp_pcb_new: up to TCP_EXIT_LINGER_NS
 * for connections the application closed to deliver their data. */
void tcp_linger_at_exit(void);
/* Frees a pcb that is in no table and has no socket. */
void tcp_pcb_free(struct tcp_pcb *pcb);
int tcp_pcb_bind(struct tcp_pcb *pcb, ip4_addr_t addr, uint16_t port);
int tcp_pcb_bind_ephemeral(struct tcp_pcb *pcb);
bool tcp_tuple_used(ip4_addr_t laddr, uint16_t lport, ip4_addr_t raddr, uint16_t rport);
void tcp_pcb_table_add(struct tcp_pcb *pcb);
/* Leaves the table, the hash and the listeners. */
void tcp_pcb_table_remove(struct tcp_pcb *pcb);
/* Enters the 4-tuple hash (its addresses and ports are set) or the listeners. */
void tcp_pcb_hash(struct tcp_pcb *pcb);
void tcp_pcb_listen(struct tcp_pcb *pcb);
struct tcp_pcb *tcp_lookup(const struct net_if *nif, ip4_addr_t dst, uint16_t dport,
			   ip4_addr_t src, uint16_t sport);
void tcp_set_state(struct tcp_pcb *pcb, enum tcp_state state);
/* The connection is over: timers stop, queues go, err is kept for the socket. */
void tcp_pcb_done(struct tcp_pcb *pcb, int err);
/* Wakes the threads waiting on what pcb changes (its socket, or its listener's). */
void tcp_pcb_wake(struct tcp_pcb *pcb);
/* A child of a listener leaves its queue (the SYN or the accept queue). */
void tcp_child_unlink(struct tcp_pcb *child);
/* child joins the end of q, a queue of its listener parent. */
void tcp_child_enqueue(struct tcp_pcb *parent, struct tcp_queue *q, struct tcp_pcb *child);
/* Enters TIME-WAIT (2 * MSL). */
void tcp_enter_time_wait(struct tcp_pcb *pcb);
uint16_t tcp_mss_for(const struct net_if *nif);
uint32_t tcp_ts_now(const struct tcp_pcb *pcb);
bool tcp_synchronized(enum tcp_state state);

/* tcp_isn.c */
uint32_t tcp_isn(ip4_addr_t laddr, uint16_t lport, ip4_addr_t raddr, uint16_t rport);

/* tcp_opt.c */
/* Parses the options (opt, len bytes); -EINVAL when one runs past the end. */
int tcp_opt_parse(const uint8_t *opt, size_t len, bool syn, struct tcp_opts *out);
/* Writes the options of a segment; returns their length (a multiple of 4, at most 40). */
size_t tcp_opt_write(uint8_t *p, const struct tcp_opts *o);

/* tcp_buf.c */
/* Appends up to len bytes within cap; returns how many. */
uint32_t tcp_ring_write(struct tcp_ring *r, uint32_t cap, const uint8_t *data, uint32_t len);
/* The same for a segment's payload, from its pieces if it came in pieces. */
uint32_t tcp_ring_write_seg(struct tcp_ring *r, uint32_t cap, const struct tcp_seg *seg);
/*
 * Takes n <= seg->len payload bytes off the segment's front, across its
 * pieces, copying them to out unless it is NULL.
 */
void tcp_seg_pull(struct tcp_seg *seg, uint8_t *out, uint32_t n);
/* Copies len bytes from offset off (off + len <= r->len). */
void tcp_ring_peek(const struct tcp_ring *r, uint32_t off, uint8_t *out, uint32_t len);
/* Drops the first n bytes (n <= r->len); frees the storage when it empties. */
void tcp_ring_drop(struct tcp_ring *r, uint32_t n);
void tcp_ring_free(struct tcp_ring *r);
/*
 * Keeps an out-of-order segment [seq, seq+len) (+ fin) for later, trimmed
 * against what is already queued; the queue stays within cap bytes and
 * TCP_OOO_MAX_SEGS segments. 0, or -ENOBUFS / -ENOMEM (dropped).
 */
int tcp_ooo_insert(struct tcp_pcb *pcb, uint32_t seq, const uint8_t *data, uint32_t len,
		   bool fin, uint32_t cap);
/* The out-of-order queue as SACK blocks, the latest arrival's first; returns how many. */
unsigned int tcp_ooo_sack_blocks(const struct tcp_pcb *pcb, uint32_t blocks[][2],
				 unsigned int max);
/* Moves what the queue holds at rcv_nxt into the receive ring; returns true for a FIN. */
bool tcp_ooo_drain(struct tcp_pcb *pcb);
void tcp_ooo_free(struct tcp_pcb *pcb);

/* tcp_rcvbuf.c */
/* The window shift for the largest the receive buffer may become (RFC 7323 2.3). */
uint8_t tcp_rcv_wscale(const struct tcp_pcb *pcb);
/* At ESTABLISHED: the first measure starts. */
void tcp_rcvbuf_init(struct tcp_pcb *pcb);
/* In-order data arrived (seg, rcv_nxt moved): a receiver RTT sample when one is due. */
void tcp_rcv_rtt_measure(struct tcp_pcb *pcb, const struct tcp_seg *seg);
/* The app read: once per RTT, grows rcvbuf with what it read in that RTT (unless locked). */
void tcp_rcv_space_adjust(struct tcp_pcb *pcb);

/* tcp_in.c */
void tcp_input(struct net_if *nif, const struct ip4_info *ip, const uint8_t *data, size_t len);

/* tcp_out.c */
/* Sends what the windows, Nagle and the state allow; an ACK when one is due. */
void tcp_output(struct tcp_pcb *pcb);
void tcp_send_ack(struct tcp_pcb *pcb);
/* SYN (SYN_SENT) or SYN-ACK (SYN_RCVD), with our options. */
void tcp_send_syn(struct tcp_pcb *pcb);
/* Retransmits the segment at snd_una (fast retransmit, partial ACKs). */
void tcp_retransmit_first(struct tcp_pcb *pcb);
/* Retransmits len bytes at seq (snd_una <= seq, within what was sent). */
void tcp_retransmit_at(struct tcp_pcb *pcb, uint32_t seq, uint32_t len);
/* A tail loss probe of new data (past cwnd, within the peer's window); false if none went. */
bool tcp_send_new_probe(struct tcp_pcb *pcb);
/* A RST for the connection (seq snd_nxt). */
void tcp_send_rst(struct tcp_pcb *pcb);
/* A RST answering a segment that has no connection (RFC 9293 3.10.7.1). */
void tcp_send_rst_reply(struct net_if *nif, const struct tcp_seg *seg);
/* A segment with seq snd_una - 1 and no data: the peer must answer with an ACK. */
void tcp_send_probe(struct tcp_pcb *pcb);
/* The window we would advertise now (receiver SWS avoidance), unscaled bytes. */
uint32_t tcp_rcv_window(struct tcp_pcb *pcb);
/* After the app read: sends a window update when the window opened enough. */
void tcp_window_update(struct tcp_pcb *pcb);

/* tcp_timer.c */
void tcp_timers_init(struct tcp_pcb *pcb);
void tcp_timers_stop(struct tcp_pcb *pcb);
/* (Re)starts the retransmission timer at the current RTO. */
void tcp_rtx_arm(struct tcp_pcb *pcb);
void tcp_rtx_stop(struct tcp_pcb *pcb);
void tcp_persist_arm(struct tcp_pcb *pcb);
void tcp_delack_arm(struct tcp_pcb *pcb);
void tcp_ack_after_batch(struct tcp_pcb *pcb);
void tcp_keepalive_arm(struct tcp_pcb *pcb);

/* tcp_sack.c */
/* Takes the SACK blocks of an ACK into the scoreboard (RFC 2018 4). */
/* Takes the segment's SACK blocks into the scoreboard; true when they SACK bytes it lacked. */
bool tcp_sack_update(struct tcp_pcb *pcb, const struct tcp_seg *seg);
/* Forgets what snd_una now covers; after a timeout, everything (RFC 2018 8). */
void tcp_sack_trim(struct tcp_pcb *pcb);
void tcp_sack_clear(struct tcp_pcb *pcb);
/* Bytes from seq on up to the next SACKed range (at most max). */
uint32_t tcp_sack_hole_len(const struct tcp_pcb *pcb, uint32_t seq, uint32_t max);

/* tcp_rack.c */
/* The connection sent [seq, end) (FIN counted) now: new data, or data again. */
void tcp_rack_sent(struct tcp_pcb *pcb, uint32_t seq, uint32_t end);
/*
 * An acceptable ACK (before snd_una moves): what it delivers, cumulatively
 * and in SACK blocks, updates RACK, then segments sent before the latest
 * delivered one by more than the reordering window are marked lost.
 */
void tcp_rack_ack(struct tcp_pcb *pcb, const struct tcp_seg *seg);
/*
 * RFC 6675's pipe: bytes below snd_nxt neither SACKed nor marked lost
 * (resent ones count once), what cwnd bounds in recovery.
 */
uint32_t tcp_rack_pipe(const struct tcp_pcb *pcb);
/* Retransmits the lowest segment marked lost; false when none is. */
bool tcp_rack_rexmit_lost(struct tcp_pcb *pcb);
/* (Re)arms the tail loss probe after new data went out or an ACK moved snd_una. */
void tcp_tlp_arm(struct tcp_pcb *pcb);
/* A retransmission timeout: the scoreboard goes (RFC 2018 8), no probe is outstanding. */
void tcp_rack_rto(struct tcp_pcb *pcb);
void tcp_rack_recovery_started(struct tcp_pcb *pcb);
void tcp_rack_timer_fire(struct uk_timer *t, void *arg);
void tcp_rack_free(struct tcp_pcb *pcb);

/* tcp_cc.c */
void tcp_cc_init(struct tcp_pcb *pcb);
void tcp_rtt_sample(struct tcp_pcb *pcb, uint64_t rtt_ns);
/* New data acked (acked bytes); in recovery, the NewReno partial/full ACK rules. */
void tcp_cc_ack(struct tcp_pcb *pcb, uint32_t acked);
/* A duplicate ACK; the third starts fast retransmit (until SACK showed reordering). */
void tcp_cc_dupack(struct tcp_pcb *pcb);
/*
 * After each ACK: outside recovery, more than 2 * MSS SACKed above snd_una
 * means snd_una's segment is lost (RFC 6675 IsLost), and fast retransmit
 * starts without waiting for three duplicate ACKs, which a small window or
 * ACKs that move snd_una may never give. Once the peer's SACKs showed
 * reordering, RACK's time-based rule alone decides (tcp_rack.c).
 */
void tcp_cc_sack_loss_check(struct tcp_pcb *pcb);
void tcp_cc_timeout(struct tcp_pcb *pcb);
/* RACK marked segments lost outside recovery: fast recovery starts (RFC 8985 9.3). */
void tcp_cc_rack_loss(struct tcp_pcb *pcb);
/* A tail loss probe repaired a loss the ACK clock never saw: reduce as recovery would. */
void tcp_cc_tlp_repaired(struct tcp_pcb *pcb);
/* Before new data after silence: cwnd back to the initial window (RFC 5681 4.1). */
void tcp_cc_restart_after_idle(struct tcp_pcb *pcb, uint64_t now);
uint32_t tcp_flight(const struct tcp_pcb *pcb);

/* tcp_sock.c */
/* Gives an accepted child its socket. */
int tcp_sock_attach(struct tcp_pcb *pcb, struct net_socket **out);

#endif
