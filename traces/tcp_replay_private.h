/*
 * What the TCP replay's files share (tcp_replay.h): a flow's script as
 * loaded from the recording and its state during the replay. Offsets in a
 * stream count payload bytes from 0 (the byte after the SYN); a FIN takes
 * the offset after the last byte. Internal to traces/.
 */
#ifndef TRACES_TCP_REPLAY_PRIVATE_H
#define TRACES_TCP_REPLAY_PRIVATE_H

#include <signal.h>

#include "traces/keytab.h"
#include "traces/trace_map.h"
#include "traces/tcp_replay.h"

#define TCP_REPLAY_HOLES_MAX 16
#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_PSH 0x08
#define TCPF_ACK 0x10

/* A parsed TCP segment (of the recording or of the guest). */
struct tr_seg {
	uint32_t src, dst;          /* IPv4, network byte order */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	const uint8_t *data;
	uint32_t len;               /* payload length from the IP header */
	uint32_t have;              /* of it, the bytes captured */
	const uint8_t *mac_src;
	/* Options. */
	bool has_mss, has_ws, sack_ok, has_ts;
	uint16_t mss;
	uint8_t ws;
	uint32_t tsval, tsecr;
};

/* Bytes [off, next extent's off or the stream's len) of a stream lie at p in the file's mapping. */
struct tr_extent {
	uint32_t off;
	const uint8_t *p;
};

/*
 * One direction's bytes as recorded, and the ranges the recording lacks.
 * The recorded host's stream, while its segments come in order and whole
 * from a mapped file (tcp_replay_load_file), is a list of extents in the
 * mapping (by_ref), not a copy; anything else (a hole, a snapped or
 * differing retransmission) copies it into buf, as a stream not mapped is.
 * Read it with tr_stream_at.
 */
struct tr_stream {
	uint8_t *buf;               /* malloc'd, or mapped from STREAM_MAP_MIN on (tcp_replay_load.c) */
	uint32_t len, cap;          /* highest offset recorded */
	bool mapped;
	bool by_ref;                /* the bytes are ext[], buf is unused */
	struct tr_extent *ext;
	size_t nr_ext, cap_ext;
	size_t cursor;              /* the extent tr_stream_at found last: reads go in order */
	uint32_t holes[TCP_REPLAY_HOLES_MAX][2]; /* [start, end) not recorded */
	unsigned int nr_holes;
	bool overflow;              /* more holes than that, or jumped: nothing more is kept */
	bool jumped;                /* a segment at jump_at lay far past the bytes captured */
	uint32_t jump_at;
	uint64_t captured;          /* payload bytes captured (again for a retransmission) */
	bool fin, rst;              /* the stream ends with a FIN (at len) / a RST */
	uint32_t rst_at;
};

/* A segment the peer sent (with data, FIN or RST): when the replay sends it. */
struct tr_step {
	uint32_t off, len;          /* its bytes in the peer's stream */
	uint32_t need;              /* the guest's bytes it acknowledged (+1 for a FIN) */
	uint8_t flags;              /* TCPF_FIN, TCPF_RST */
	uint16_t win;               /* the window it advertised, as recorded */
};

enum tr_state {
	TR_WAIT,        /* not started: the peer's SYN is due at start_at */
	TR_SYN_SENT,    /* waiting for the guest's SYN-ACK */
	TR_LISTEN,      /* the recorded host opened it: waiting for the guest's SYN */
	TR_SYN_RCVD,    /* the peer's SYN-ACK sent: waiting for the guest's ACK */
	TR_OPEN,        /* exchanging */
	TR_ENDED,       /* matched, diverged or given up: only acknowledged from now */
	TR_SKIPPED,     /* not replayable (said at load) */
};

struct tr_flow {
	unsigned int id;            /* 1, 2, ... in the order of the recording */
	struct tr_flow *same_next;  /* a later flow of the same addresses and ports */
	struct tr_flow *listen_next; /* the next flow the recorded host opened to the same peer */
	uint32_t peer_ip;
	uint16_t peer_port, host_port;
	uint16_t guest_port;        /* the guest's port: host_port, or its own when it connects */
	uint8_t peer_mac[6];
	uint64_t syn_ts;            /* the peer's SYN in the recording */
	/* The recording. */
	/*
	 * peer_syn: the peer's ISN is known (its SYN, or its SYN-ACK when the
	 * recorded host opened: host_opened, peer_synack); host_synack: the
	 * host's (its SYN-ACK, or its SYN).
	 */
	bool peer_syn, peer_synack, host_synack, host_refused, host_opened, peer_refused;
	bool mid_stream;
	uint32_t peer_isn, host_isn;
	struct tr_seg syn;          /* the peer's SYN's or SYN-ACK's options (data unused) */
	struct tr_stream peer, host;
	struct tr_step *steps;
	size_t nr_steps, cap_steps;
	/* The replay. */
	enum tr_state state;
	uint64_t start_at, progress_at, rto_at, rto_ns;
	uint32_t guest_isn, guest_ts_recent, guest_wnd, ts_base;
	uint16_t guest_mss;
	uint8_t guest_ws;
	bool ts_ok, ws_ok, sack_ok;
	uint32_t rcv_nxt;           /* guest bytes received in order (+1 for its FIN) */
	bool guest_fin;
	uint32_t snd_una, snd_nxt;  /* peer's stream: acknowledged, sent (+1 for the FIN) */
	size_t next_step;
	bool fin_sent, diverged;
	bool ack_pending;           /* the guest's segments since the last run want an ACK */
	/* The replay's lists (tcp_replay.c): flows with timers, flows owing an ACK. */
	struct tr_flow *live_prev, *live_next, *ack_next;
	bool live, ack_queued;
	uint16_t win_last;          /* the peer's window on its last segment */
	uint32_t tsval_last;        /* the recorded SYN's TSval, moved on by guest time */
};

struct tcp_replay {
	struct tcp_replay_config cfg;
	struct tr_flow **flows;
	size_t nr_flows, cap_flows;
	/*
	 * Index + 1 of: the latest flow of a (peer, ports) (TR_KEY_TUPLE); the
	 * flow the guest's port is bound to when it connected (TR_KEY_GUEST);
	 * the next flow the recorded host opened to a (peer, port) that the
	 * guest has not yet connected to (TR_KEY_SERVER; 0: none left).
	 */
	struct trace_keytab by_tuple;
	/*
	 * So that an event costs what the flows in play cost, not all of the
	 * recording's: the flows not yet started by start time (then id), the
	 * next one due; the flows started and not known ended (their timers);
	 * the flows owing an ACK, in the order they came to.
	 */
	struct tr_flow **waiting;
	size_t nr_waiting, next_waiting;
	struct tr_flow *live_head, *live_tail, *ack_head, *ack_tail;
	unsigned int listening;     /* flows in TR_LISTEN */
	bool host_opens;            /* some flow is the recorded host's connection */
	uint64_t guest_seen_at;     /* the guest's last segment of a flow (or the start) */
	uint32_t guest_ip;
	uint64_t origin;
	bool started;
	uint16_t ip_id;
	/*
	 * The file tcp_replay_load_file mapped (by_ref streams point into it;
	 * map.p NULL: none); map.lost: it was truncated under the mapping and
	 * trace_map_fault put zeros there.
	 */
	struct trace_map map;
	/* Frames for the guest: each a 4-byte length and the bytes. */
	uint8_t *q;
	size_t q_len, q_cap, q_head;
	struct tcp_replay_stats stats;
};

/* tcp_replay_seg.c: parsing and building segments. */
bool tr_seg_parse(const uint8_t *frame, size_t len, struct tr_seg *s);
enum tr_key { TR_KEY_TUPLE, TR_KEY_GUEST, TR_KEY_SERVER };
void tr_tuple_key(uint32_t peer_ip, uint16_t peer_port, uint16_t host_port,
		  uint8_t key[TRACE_KEY_LEN]);
void tr_key(enum tr_key kind, uint32_t peer_ip, uint16_t peer_port, uint16_t port,
	    uint8_t key[TRACE_KEY_LEN]);
/*
 * Queues a segment of the peer of f for the guest; false when out of memory
 * or (said) too long for IPv4's 16-bit total length.
 */
bool tr_send(struct tcp_replay *tr, struct tr_flow *f, uint32_t seq, uint8_t flags,
	     const uint8_t *data, uint32_t len, uint16_t win, bool syn_opts);

/* tcp_replay_load.c */
void tr_flow_free(struct tr_flow *f);
/*
 * The stream's bytes from off (< st->len, recorded): a pointer to them and
 * in *n how many lie there in one piece (at least 1).
 */
const uint8_t *tr_stream_at(struct tr_stream *st, uint32_t off, uint32_t *n);
/* Copies the stream's n bytes from off (all recorded) to dst, piece by piece. */
void tr_stream_read(struct tr_stream *st, uint32_t off, uint8_t *dst, uint32_t n);

/* tcp_replay_map.c: the file tcp_replay_load_file mapped goes (once nothing refers to it). */
void tcp_replay_unmap(struct tcp_replay *tr);

/* tcp_replay.c: the flow has started (its timers run) / owes the guest an ACK at the next run. */
void tr_flow_live(struct tcp_replay *tr, struct tr_flow *f);
void tr_flow_ack_later(struct tcp_replay *tr, struct tr_flow *f);

/* tcp_replay_flow.c: one flow during the replay. */
void tr_flow_begin(struct tcp_replay *tr, struct tr_flow *f, uint64_t now);
void tr_flow_input(struct tcp_replay *tr, struct tr_flow *f, uint64_t now,
		   const struct tr_seg *s);
void tr_flow_timer(struct tcp_replay *tr, struct tr_flow *f, uint64_t now);
/* Sends the ACK the flow owes (tr_flow_ack_later), if it still does. */
void tr_flow_send_owed_ack(struct tcp_replay *tr, struct tr_flow *f);
uint64_t tr_flow_next_time(const struct tcp_replay *tr, const struct tr_flow *f);
/* Gives up on an open flow, saying what the guest did not send, when ("in 10 s"). */
void tr_flow_give_up(struct tcp_replay *tr, struct tr_flow *f, const char *when);
/* "in 10 s" for the deadline into buf. */
const char *tr_deadline_words(const struct tcp_replay *tr, char *buf, size_t size);

/* tcp_replay_report.c: the lines. */
void tr_say(struct tcp_replay *tr, bool divergence, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "flow 2 10.0.0.1:41000 > 10.0.0.2:80" into buf. */
const char *tr_flow_name(const struct tcp_replay *tr, const struct tr_flow *f, char *buf,
			 size_t size);
/* A printable excerpt of n bytes at p, quoted, into buf. */
const char *tr_excerpt(const uint8_t *p, size_t n, char *buf, size_t size);
/* The flow has diverged: the line, and the flow counted as such. */
void tr_diverge(struct tcp_replay *tr, struct tr_flow *f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
