/*
 * TCP-aware replay: the replayer plays the peer of every TCP flow of a
 * recording in which the guest stands in for the recorded host (pcap=FILE,
 * as=IP,tcp=replay: sim/backends/vif_pcap.c). Host code without libpcap
 * and without the guest's stack; frames are Ethernet/IPv4.
 *
 * The recording is loaded first (tcp_replay_load, every frame in order, or
 * tcp_replay_load_file from a mapped file):
 * each flow's two byte streams and the peer's segments, each with the
 * acknowledgement it carried. Then, under the caller's clock:
 * - a flow the peer opened starts at its SYN's time in the recording; one
 *   the recorded host opened waits for the guest's SYN to the same peer
 *   address and port (from any port of the guest's; several connections to
 *   one peer in the order of the recording), answered with the recorded
 *   SYN-ACK (or RST), its options as far as the guest's SYN offered them;
 * - the peer's segments go when the guest has sent what the recording says
 *   the peer had received (its acknowledgement number), not at their time;
 *   sequence numbers stay the recorded peer's, acknowledgements are
 *   rewritten to the guest's initial sequence number, timestamps echo the
 *   guest's, window scale, MSS and SACK-permitted are offered as recorded;
 *   no SACK block is sent (the replayer acknowledges in order only);
 * - the guest's bytes are compared in order with the recorded host's,
 *   however the guest cuts them into segments; every segment of the guest
 *   is acknowledged (those given before one tcp_replay_run by one ACK), a
 *   retransmission with the current acknowledgement;
 *   the peer's bytes go in segments of the smaller of the guest's MSS and
 *   the peer's (cfg->mss or the recorded one) less the timestamp option,
 *   each frame within cfg->mtu;
 * - the peer's unacknowledged data and SYN are retransmitted (1 s, doubled);
 * - a flow with no progress for deadline_ns of guest time is given up, and
 *   one the guest never connected when it has sent nothing that long.
 * A guest segment finds its flow by hash; timers go over the flows in play
 * only: a trace of many flows one after another replays in time linear in
 * its frames.
 * Each divergence (flow, direction, byte offset, expected and received
 * bytes as a printable excerpt, or the segment the guest failed to send)
 * is one line through cfg->say. Nothing depends on real time or chance:
 * the same recording and the same guest give the same frames and lines.
 */
#ifndef TRACES_TCP_REPLAY_H
#define TRACES_TCP_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TCP_REPLAY_DEADLINE_DEFAULT_NS (10ULL * 1000000000ULL)

struct tcp_replay_config {
	uint32_t as_ip;             /* the recorded host (network byte order) */
	uint8_t guest_mac[6];
	uint64_t deadline_ns;       /* a flow without progress this long is given up */
	uint16_t mss;               /* the MSS the peer offers; 0: the recorded one */
	uint16_t mtu;               /* the link's MTU (IPv4 packet bytes); 0: 1500 */
	/* One line (no newline) per divergence, per flow not replayed, and the summary. */
	void (*say)(void *ctx, bool divergence, const char *line);
	void *ctx;
};

struct tcp_replay_stats {
	unsigned int flows;         /* flows of the recorded host in the recording */
	unsigned int matched;       /* replayed to their end as recorded */
	unsigned int diverged;      /* replayed, with a divergence reported */
	unsigned int not_replayed;  /* the recording cannot be replayed (said why) */
	uint64_t bytes_to_guest, bytes_from_guest; /* payload, first transmissions */
};

struct tcp_replay;

/* Returns 0 or -ENOMEM. */
int tcp_replay_create(const struct tcp_replay_config *cfg, struct tcp_replay **out);
/* NULL is allowed. */
void tcp_replay_destroy(struct tcp_replay *tr);
/*
 * A frame of the recording, every one in order, ts its timestamp in ns.
 * Returns 1 when it is a TCP segment to or from the recorded host (the
 * replayer's), 0 when not, -ENOMEM.
 */
int tcp_replay_load(struct tcp_replay *tr, const uint8_t *frame, size_t len, uint64_t ts);
/*
 * Loads every frame of the file at path when it is a classic pcap file of
 * Ethernet frames, mapped read-only for the replay's life: the recorded
 * host's bytes are referred to where they lie in the file, not copied
 * (a file changed under the replay is not supported). Returns 1 loaded, 0
 * when the file is not of that kind (pcapng, another link type, not
 * mappable: load it with tcp_replay_load), or a negative errno with the
 * reason in err (-EALREADY: frames were loaded before). A record the walk
 * cannot take ends the load there.
 */
int tcp_replay_load_file(struct tcp_replay *tr, const char *path, char *err, size_t errlen);
/*
 * For the process's SIGBUS handler (sim/host/fault.c): whether addr lies in
 * a file tcp_replay_load_file mapped. A file truncated under the replay
 * makes its pages past the new end a SIGBUS, which would end the process as
 * a crash; instead the mapping from addr's page on is replaced by zeros,
 * so the access goes on, and the replay says the recording was truncated
 * (a flow whose bytes then differ diverges with that reason, a load fails
 * with -EIO). False for any other address: the fault is the handler's.
 * Async-signal-safe.
 */
bool tcp_replay_map_fault(const void *addr);
/*
 * The recording is loaded: says one line for each flow that cannot be
 * replayed (a hole in a stream, no handshake) and one when no flow concerns
 * the recorded host. Returns how many flows will be replayed.
 */
unsigned int tcp_replay_load_done(struct tcp_replay *tr);
/* Whether frame is the replayer's: a TCP segment to or from the recorded host. */
bool tcp_replay_claims(const struct tcp_replay *tr, const uint8_t *frame, size_t len);
/*
 * The replay begins: the recording's first SYN is at guest time origin,
 * the guest is at guest_ip (network byte order). Later calls do nothing.
 */
void tcp_replay_start(struct tcp_replay *tr, uint64_t origin, uint32_t guest_ip);
/* A frame the guest sent, at guest time now (anything not TCP is ignored). */
void tcp_replay_from_guest(struct tcp_replay *tr, uint64_t now, const uint8_t *frame,
			   size_t len);
/*
 * Does what is due at now: the ACKs of the guest's segments given since the
 * last run (one a flow, however many segments: a batch of them is
 * acknowledged once), flows starting, retransmissions, deadlines.
 */
void tcp_replay_run(struct tcp_replay *tr, uint64_t now);
/* When tcp_replay_run has something to do next; UINT64_MAX: nothing. */
uint64_t tcp_replay_next_time(const struct tcp_replay *tr);
/* The next frame for the guest (valid until the next call), false when none. */
bool tcp_replay_pop(struct tcp_replay *tr, const uint8_t **frame, size_t *len);
/* Every flow has ended (matched, diverged or given up). */
bool tcp_replay_done(const struct tcp_replay *tr);
/* The replay ends: flows still open are given up (said), then the summary line. */
void tcp_replay_finish(struct tcp_replay *tr, uint64_t now);
const struct tcp_replay_stats *tcp_replay_stats(const struct tcp_replay *tr);

#endif
