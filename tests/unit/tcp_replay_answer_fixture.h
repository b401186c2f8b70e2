/*
 * What the tests of a mapped recording share (tcp_replay_map_test.c,
 * tcp_replay_truncated_fault_test.c), past tcp_replay_fixture.h: the
 * exchange recorded (the peer's 10-byte request, the recorded host's
 * 300-byte answer), the recording loaded from its file, and the guest's side
 * given to the replayer by hand.
 *
 * Each test file includes this header once, after tcp_replay_fixture.h.
 */
#ifndef TESTS_UNIT_TCP_REPLAY_ANSWER_FIXTURE_H
#define TESTS_UNIT_TCP_REPLAY_ANSWER_FIXTURE_H

#include "tcp_replay_fixture.h"

#define PEER_ISN 1000u
#define HOST_ISN 5000u
#define GUEST_ISN 90000u
#define T0 (5 * 1000 * MS)
#define ANSWER_LEN 300

static uint8_t answer[ANSWER_LEN];

/* The exchange up to the host's answer (file_open first): handshake and request. */
static inline void rec_start(struct file *f)
{
	for (unsigned int i = 0; i < ANSWER_LEN; i++)
		answer[i] = (uint8_t)('a' + i % 26);
	rec(f, &rec_peer, PEER_ISN, 0, TH_SYN, NULL, 0);
	rec(f, &rec_host, HOST_ISN, PEER_ISN + 1, TH_SYN | TH_ACK, NULL, 0);
	rec(f, &rec_peer, PEER_ISN + 1, HOST_ISN + 1, TH_ACK | TH_PUSH, request, 10);
}

/* The recording at f->path, mapped: returns the replay with the load done. */
static inline struct tcp_replay *mapped(const struct file *f, unsigned int flows)
{
	struct tcp_replay *tr = make(AS_IP);
	char err[256] = "";

	assert_int_equal(tcp_replay_load_file(tr, f->path, err, sizeof(err)), 1);
	assert_int_equal(tcp_replay_load_done(tr), flows);
	return tr;
}

/* The guest sends a segment to the replayer at now; what the replayer sends back is dropped. */
static inline void guest_says(struct tcp_replay *tr, uint64_t now, uint32_t seq, uint8_t flags,
			      const void *data, size_t len)
{
	uint8_t f[PEER_FRAME_MAX];
	struct peer_tcp h = { .sport = 80, .dport = 40000, .seq = seq,
			      .ack = flags & TH_SYN ? PEER_ISN + 1 : PEER_ISN + 11,
			      .flags = flags, .window = 8192 };
	const uint8_t *out;
	size_t n;

	tcp_replay_from_guest(tr, now, f, peer_tcp_frame(&guest, f, &h, data, len));
	tcp_replay_run(tr, now);
	while (tcp_replay_pop(tr, &out, &n))
		;
}

/* The replay started and the guest's SYN-ACK given: the request is the guest's. */
static inline void handshake(struct tcp_replay *tr)
{
	tcp_replay_start(tr, T0, GUEST_IP);
	tcp_replay_run(tr, T0);
	guest_says(tr, T0 + MS, GUEST_ISN, TH_SYN | TH_ACK, NULL, 0);
}

#endif
