/*
 * traces/tcp_replay*.c: the replayer playing the peer of a recorded TCP
 * flow. A recording (peer 10.0.0.1:40000, recorded host 10.0.0.2:80: a
 * 10-byte request, a 31-byte answer, the host's FIN, the peer's FIN) is
 * built with the test peer (tests/support), whose checksum code is not the
 * replayer's; the guest at 10.0.0.7 is played by the test, segment by
 * segment, and what the replayer sends back is checked field by field.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tcp_replay_fixture.h"
#include "traces/tcp_replay_private.h" /* a stream's capacity, to bound the memory a load takes */

#define PEER_ISN 1000u
#define HOST_ISN 5000u
#define GUEST_ISN 90000u
#define T0 (5 * S) /* guest time when the replay starts */

static const char answer[] = "HELLO WORLD, THIS IS THE ANSWER"; /* 31 bytes */

static void load(struct tcp_replay *tr, const struct peer *from, uint32_t seq, uint32_t ack,
		 uint8_t flags, const void *data, size_t len, const uint8_t *opts, size_t olen)
{
	uint8_t f[PEER_FRAME_MAX];
	bool up = from == &rec_peer;
	struct peer_tcp h = { .sport = up ? 40000 : 80, .dport = up ? 80 : 40000, .seq = seq,
			      .ack = ack, .flags = flags, .window = 512, .options = opts,
			      .options_len = olen };
	size_t n = peer_tcp_frame(from, f, &h, data, len);

	assert_int_equal(tcp_replay_load(tr, f, n, 0), 1);
}

/* MSS 1460, SACK permitted, timestamps (TSval 100), window scale 7: as Linux's SYN. */
static const uint8_t syn_opts[] = { 2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 1, 8, 10, 0, 0, 0, 100,
				    0, 0, 0, 0, 1, 3, 3, 7 };

/* The whole exchange, the peer's pure ACKs included; peer_data replaces the request. */
static void load_exchange(struct tcp_replay *tr, const char *peer_data, uint32_t peer_len)
{
	load(tr, &rec_peer, PEER_ISN, 0, TH_SYN, NULL, 0, syn_opts, sizeof(syn_opts));
	load(tr, &rec_host, HOST_ISN, PEER_ISN + 1, TH_SYN | TH_ACK, NULL, 0, NULL, 0);
	load(tr, &rec_peer, PEER_ISN + 1, HOST_ISN + 1, TH_ACK, NULL, 0, NULL, 0);
	load(tr, &rec_peer, PEER_ISN + 1, HOST_ISN + 1, TH_ACK | TH_PUSH, peer_data, peer_len,
	     NULL, 0);
	load(tr, &rec_host, HOST_ISN + 1, PEER_ISN + 1 + peer_len, TH_ACK | TH_PUSH, answer, 31,
	     NULL, 0);
	load(tr, &rec_host, HOST_ISN + 32, PEER_ISN + 1 + peer_len, TH_ACK | TH_FIN, NULL, 0,
	     NULL, 0);
	load(tr, &rec_peer, PEER_ISN + 1 + peer_len, HOST_ISN + 33, TH_ACK | TH_FIN, NULL, 0,
	     NULL, 0);
	load(tr, &rec_host, HOST_ISN + 33, PEER_ISN + 2 + peer_len, TH_ACK, NULL, 0, NULL, 0);
}

/* The replay of the standard exchange, started at T0 with the peer's SYN sent. */
static struct tcp_replay *started(void)
{
	struct tcp_replay *tr = make(AS_IP);

	load_exchange(tr, request, 10);
	assert_int_equal(tcp_replay_load_done(tr), 1);
	tcp_replay_start(tr, T0, GUEST_IP);
	assert_int_equal(tcp_replay_next_time(tr), T0);
	tcp_replay_run(tr, T0);
	return tr;
}

/* A segment of the guest's at time now. */
static void guest_says(struct tcp_replay *tr, uint64_t now, uint32_t seq, uint32_t ack,
		       uint8_t flags, const void *data, size_t len, uint16_t mss)
{
	uint8_t f[PEER_FRAME_MAX], opts[20] = { 1, 1, 8, 10, 0, 0, 0x30, 0x39, 0, 0, 0, 100 };
	size_t olen = 12;
	struct peer_tcp h = { .sport = 80, .dport = 40000, .seq = seq, .ack = ack,
			      .flags = flags, .window = 8192, .options = opts };

	if (flags & TH_SYN) { /* timestamps, then MSS and window scale 2 */
		uint8_t more[8] = { 2, 4, (uint8_t)(mss >> 8), (uint8_t)mss, 1, 3, 3, 2 };
		memcpy(opts + olen, more, sizeof(more));
		olen += sizeof(more);
	}
	h.options_len = olen;
	tcp_replay_from_guest(tr, now, f, peer_tcp_frame(&guest, f, &h, data, len));
	tcp_replay_run(tr, now); /* as the pcap vif does after each frame of the guest's */
}

/* The replayer's next frame (out_pop), sent to the guest's address. */
static bool next_out(struct tcp_replay *tr, struct out *o)
{
	const uint8_t *f;
	uint32_t dst;

	if (!out_pop(tr, o, &f))
		return false;
	memcpy(&dst, f + 14 + 16, 4);
	assert_int_equal(dst, GUEST_IP);
	return true;
}

static void assert_only_ack(struct tcp_replay *tr, uint32_t ack)
{
	struct out o;

	assert_true(next_out(tr, &o));
	assert_int_equal(o.flags, TH_ACK);
	assert_int_equal(o.ack, ack);
	assert_int_equal(o.len, 0);
	assert_false(next_out(tr, &o));
}

/* Whether opts holds option kind (its bytes from kind on copied to *at). */
static bool has_option(const struct out *o, uint8_t kind, const uint8_t **at)
{
	for (size_t i = 0; i < o->olen;) {
		if (o->opts[i] == 1) {
			i++;
			continue;
		}
		if (o->opts[i] == kind) {
			*at = o->opts + i;
			return true;
		}
		if (!o->opts[i] || i + 1 >= o->olen || o->opts[i + 1] < 2)
			return false;
		i += o->opts[i + 1];
	}
	return false;
}

static void test_the_peer_syn_goes_at_start_with_the_recorded_isn_and_options(void **state)
{
	struct tcp_replay *tr = started();
	const uint8_t *at;
	struct out o;

	assert_true(next_out(tr, &o));
	assert_int_equal(o.flags, TH_SYN);
	assert_int_equal(o.seq, PEER_ISN);
	assert_true(has_option(&o, 2, &at));
	assert_int_equal(at[2] << 8 | at[3], 1460);
	assert_true(has_option(&o, 3, &at));
	assert_int_equal(at[2], 7);
	assert_true(has_option(&o, 4, &at));
	assert_true(has_option(&o, 8, &at));
	assert_false(next_out(tr, &o));
	assert_int_equal(nr_lines, 0);
	tcp_replay_destroy(tr);
	(void)state;
}

static void test_the_request_follows_the_guest_synack_acknowledging_the_guest_isn(void **state)
{
	struct tcp_replay *tr = started();
	const uint8_t *at;
	struct out o;

	assert_true(next_out(tr, &o));
	guest_says(tr, T0 + MS, GUEST_ISN, PEER_ISN + 1, TH_SYN | TH_ACK, NULL, 0, 1460);
	assert_true(next_out(tr, &o));
	assert_int_equal(o.seq, PEER_ISN + 1);
	assert_int_equal(o.ack, GUEST_ISN + 1);
	assert_true(o.flags & TH_ACK);
	assert_int_equal(o.len, 10);
	assert_memory_equal(o.data, request, 10);
	/* Timestamps echo the guest's TSval; no SACK block is ever sent. */
	assert_true(has_option(&o, 8, &at));
	assert_int_equal(at[6] << 24 | at[7] << 16 | at[8] << 8 | at[9], 12345);
	assert_false(has_option(&o, 5, &at));
	assert_false(next_out(tr, &o));
	tcp_replay_destroy(tr);
	(void)state;
}

/* Handshake and request: the guest has the request. */
static struct tcp_replay *requested(void)
{
	struct tcp_replay *tr = started();
	struct out o;

	guest_says(tr, T0 + MS, GUEST_ISN, PEER_ISN + 1, TH_SYN | TH_ACK, NULL, 0, 1460);
	while (next_out(tr, &o))
		;
	return tr;
}

static void test_an_answer_cut_differently_matches_and_ends_when_both_fins_are_acked(
	void **state)
{
	struct tcp_replay *tr = requested();
	uint32_t a = PEER_ISN + 11;
	struct out o;

	guest_says(tr, T0 + 2 * MS, GUEST_ISN + 1, a, TH_ACK, answer, 10, 0);
	assert_only_ack(tr, GUEST_ISN + 11);
	guest_says(tr, T0 + 2 * MS, GUEST_ISN + 11, a, TH_ACK, answer + 10, 15, 0);
	assert_only_ack(tr, GUEST_ISN + 26);
	guest_says(tr, T0 + 2 * MS, GUEST_ISN + 26, a, TH_ACK | TH_PUSH | TH_FIN, answer + 25, 6, 0);
	/* The guest's FIN is what the recorded peer waited for to send its own. */
	assert_true(next_out(tr, &o));
	assert_int_equal(o.flags, TH_ACK | TH_FIN);
	assert_int_equal(o.seq, PEER_ISN + 11);
	assert_int_equal(o.ack, GUEST_ISN + 33);
	assert_false(tcp_replay_done(tr));
	guest_says(tr, T0 + 3 * MS, GUEST_ISN + 33, a + 1, TH_ACK, NULL, 0, 0);
	assert_true(tcp_replay_done(tr));
	assert_int_equal(nr_divergences, 0);
	assert_int_equal(tcp_replay_stats(tr)->matched, 1);
	assert_int_equal(tcp_replay_stats(tr)->bytes_from_guest, 31);
	tcp_replay_destroy(tr);
	(void)state;
}

static void test_a_changed_byte_is_reported_at_its_offset_with_both_excerpts(void **state)
{
	struct tcp_replay *tr = requested();

	guest_says(tr, T0 + 2 * MS, GUEST_ISN + 1, PEER_ISN + 11, TH_ACK, "HELLO WORLD, THAT", 17,
		   0);
	assert_int_equal(nr_divergences, 1);
	assert_true(said("tcp flow 1 10.0.0.1:40000 > 10.0.0.2:80: guest to peer, byte 15: "
			 "expected \"IS IS THE ANSWER\", got \"AT\""));
	assert_int_equal(tcp_replay_stats(tr)->diverged, 1);
	tcp_replay_destroy(tr);
	(void)state;
}

static void test_a_missing_synack_is_reported_after_the_deadline_and_the_syn_retried(
	void **state)
{
	struct tcp_replay *tr = started();
	struct out o;

	assert_true(next_out(tr, &o));
	assert_int_equal(tcp_replay_next_time(tr), T0 + S);
	tcp_replay_run(tr, T0 + S);
	assert_true(next_out(tr, &o));
	assert_int_equal(o.flags, TH_SYN);
	assert_int_equal(o.seq, PEER_ISN);
	assert_int_equal(tcp_replay_next_time(tr), T0 + 3 * S); /* doubled */
	tcp_replay_run(tr, T0 + TCP_REPLAY_DEADLINE_DEFAULT_NS);
	assert_int_equal(nr_divergences, 1);
	assert_true(said("flow 1 10.0.0.1:40000 > 10.0.0.2:80: the guest sent no SYN-ACK to the "
			 "peer's SYN in 10 s"));
	assert_true(tcp_replay_done(tr));
	tcp_replay_destroy(tr);
	(void)state;
}

static void test_a_rst_where_data_was_expected_is_reported(void **state)
{
	struct tcp_replay *tr = requested();

	guest_says(tr, T0 + 2 * MS, GUEST_ISN + 1, PEER_ISN + 11, TH_RST | TH_ACK, NULL, 0, 0);
	assert_true(said("guest to peer, byte 0: expected \"HELLO WORLD, THIS IS THE\", got RST"));
	assert_true(tcp_replay_done(tr));
	tcp_replay_destroy(tr);
	(void)state;
}

static void test_a_retransmitted_guest_segment_is_acknowledged_again(void **state)
{
	struct tcp_replay *tr = requested();

	guest_says(tr, T0 + 2 * MS, GUEST_ISN + 1, PEER_ISN + 11, TH_ACK, answer, 10, 0);
	assert_only_ack(tr, GUEST_ISN + 11);
	guest_says(tr, T0 + 300 * MS, GUEST_ISN + 1, PEER_ISN + 11, TH_ACK, answer, 10, 0);
	assert_only_ack(tr, GUEST_ISN + 11);
	/* A segment past a gap: acknowledged where the stream stands, not compared. */
	guest_says(tr, T0 + 300 * MS, GUEST_ISN + 21, PEER_ISN + 11, TH_ACK, "XXXXX", 5, 0);
	assert_only_ack(tr, GUEST_ISN + 11);
	assert_int_equal(nr_divergences, 0);
	tcp_replay_destroy(tr);
	(void)state;
}

static void test_unacknowledged_peer_data_is_sent_again_after_a_second(void **state)
{
	struct tcp_replay *tr = requested();
	struct out o;

	assert_int_equal(tcp_replay_next_time(tr), T0 + MS + S);
	tcp_replay_run(tr, T0 + MS + S);
	assert_true(next_out(tr, &o));
	assert_int_equal(o.seq, PEER_ISN + 1);
	assert_int_equal(o.len, 10);
	/* Acknowledged: nothing more to send again; the deadline is what is left. */
	guest_says(tr, T0 + 2 * S, GUEST_ISN + 1, PEER_ISN + 11, TH_ACK, NULL, 0, 0);
	assert_false(next_out(tr, &o));
	assert_int_equal(tcp_replay_next_time(tr), T0 + 2 * S + TCP_REPLAY_DEADLINE_DEFAULT_NS);
	tcp_replay_run(tr, T0 + 2 * S + TCP_REPLAY_DEADLINE_DEFAULT_NS);
	assert_true(said("guest to peer, byte 0: expected \"HELLO WORLD, THIS IS THE\", got "
			 "nothing in 10 s"));
	tcp_replay_destroy(tr);
	(void)state;
}

/* MSS 500 with timestamps on: 488 bytes a segment (Linux's tcp_current_mss), the frame within the MTU. */
static void test_the_peer_data_is_cut_to_the_mss_the_guest_offered_less_timestamps(void **state)
{
	static char big[1400]; /* the test peer's frames hold 1500 bytes */
	struct tcp_replay *tr = make(AS_IP);
	struct out o;
	unsigned int n = 0;

	memset(big, 'x', sizeof(big));
	load_exchange(tr, big, sizeof(big));
	assert_int_equal(tcp_replay_load_done(tr), 1);
	tcp_replay_start(tr, T0, GUEST_IP);
	tcp_replay_run(tr, T0);
	assert_true(next_out(tr, &o));
	guest_says(tr, T0 + MS, GUEST_ISN, PEER_ISN + 1, TH_SYN | TH_ACK, NULL, 0, 500);
	while (next_out(tr, &o)) {
		assert_int_equal(o.seq, PEER_ISN + 1 + 488 * n);
		assert_int_equal(o.len, n < 2 ? 488 : 1400 - 2 * 488);
		n++;
	}
	assert_int_equal(n, 3);
	tcp_replay_destroy(tr);
	(void)state;
}

static void test_a_hole_in_the_recorded_peer_stream_is_one_line_and_not_replayed(void **state)
{
	struct tcp_replay *tr = make(AS_IP);

	load(tr, &rec_peer, PEER_ISN, 0, TH_SYN, NULL, 0, syn_opts, sizeof(syn_opts));
	load(tr, &rec_host, HOST_ISN, PEER_ISN + 1, TH_SYN | TH_ACK, NULL, 0, NULL, 0);
	load(tr, &rec_peer, PEER_ISN + 11, HOST_ISN + 1, TH_ACK, "0123456789", 10, NULL, 0);
	assert_int_equal(tcp_replay_load_done(tr), 0);
	assert_int_equal(nr_lines, 1);
	assert_true(said("tcp flow 1 10.0.0.1:40000 > 10.0.0.2:80: not replayed: the capture lacks "
			 "the peer's bytes 0-9 (a hole)"));
	assert_true(tcp_replay_done(tr));
	tcp_replay_destroy(tr);
	(void)state;
}

static void test_a_keepalive_probe_in_the_recording_is_not_a_hole(void **state)
{
	struct tcp_replay *tr = make(AS_IP);

	load(tr, &rec_peer, PEER_ISN, 0, TH_SYN, NULL, 0, syn_opts, sizeof(syn_opts));
	load(tr, &rec_host, HOST_ISN, PEER_ISN + 1, TH_SYN | TH_ACK, NULL, 0, NULL, 0);
	/* Linux's keep-alive probe: one byte before what it has sent (tcp_xmit_probe_skb). */
	load(tr, &rec_peer, PEER_ISN, HOST_ISN + 1, TH_ACK, "x", 1, NULL, 0);
	load(tr, &rec_host, HOST_ISN, PEER_ISN + 1, TH_ACK, "y", 1, NULL, 0);
	load(tr, &rec_peer, PEER_ISN + 1, HOST_ISN + 1, TH_ACK, "0123456789", 10, NULL, 0);
	assert_int_equal(tcp_replay_load_done(tr), 1);
	assert_int_equal(nr_lines, 0);
	tcp_replay_destroy(tr);
	(void)state;
}

static void test_a_frame_captured_short_leaves_a_hole_not_a_crash(void **state)
{
	struct tcp_replay *tr = make(AS_IP);
	uint8_t f[PEER_FRAME_MAX];
	struct peer_tcp h = { .sport = 40000, .dport = 80, .seq = PEER_ISN + 1,
			      .ack = HOST_ISN + 1, .flags = TH_ACK, .window = 512 };
	size_t n;

	load(tr, &rec_peer, PEER_ISN, 0, TH_SYN, NULL, 0, syn_opts, sizeof(syn_opts));
	load(tr, &rec_host, HOST_ISN, PEER_ISN + 1, TH_SYN | TH_ACK, NULL, 0, NULL, 0);
	n = peer_tcp_frame(&rec_peer, f, &h, "0123456789", 10);
	/* Captured 4 bytes of its payload; then cut inside the TCP header. */
	assert_int_equal(tcp_replay_load(tr, f, n - 6, 0), 1);
	assert_int_equal(tcp_replay_load(tr, f, 14 + 20 + 10, 0), 0);
	assert_int_equal(tcp_replay_load_done(tr), 0);
	assert_true(said("the capture lacks the peer's bytes 4-9 (a hole)"));
	tcp_replay_destroy(tr);
	(void)state;
}

static void test_a_recording_that_never_addresses_the_host_is_one_line(void **state)
{
	struct tcp_replay *tr = make(PEER_IP4(10, 0, 0, 99));

	{
		uint8_t f[PEER_FRAME_MAX];
		struct peer_tcp h = { .sport = 40000, .dport = 80, .seq = PEER_ISN,
				      .flags = TH_SYN, .window = 512 };
		size_t n = peer_tcp_frame(&rec_peer, f, &h, NULL, 0);
		assert_int_equal(tcp_replay_load(tr, f, n, 0), 0);
		assert_false(tcp_replay_claims(tr, f, n));
	}
	assert_int_equal(tcp_replay_load_done(tr), 0);
	assert_int_equal(nr_lines, 1);
	assert_true(said("tcp: no TCP flow of the recording concerns 10.0.0.99 (as=): nothing to "
			 "replay"));
	assert_true(tcp_replay_done(tr));
	tcp_replay_finish(tr, T0);
	assert_true(said("tcp=replay: 0 flows: 0 matched, 0 diverged, 0 not replayed"));
	tcp_replay_destroy(tr);
	(void)state;
}

static void test_a_flow_still_open_at_the_end_is_given_up_with_what_was_missing(void **state)
{
	struct tcp_replay *tr = requested();

	guest_says(tr, T0 + 2 * MS, GUEST_ISN + 1, PEER_ISN + 11, TH_ACK, answer, 31, 0);
	tcp_replay_finish(tr, T0 + 3 * MS);
	assert_true(said("guest to peer, byte 31: expected FIN, got nothing before the replay ended"));
	assert_true(said("tcp=replay: 1 flows: 0 matched, 1 diverged, 0 not replayed; 10 bytes to "
			 "the guest, 31 from it"));
	tcp_replay_destroy(tr);
	(void)state;
}

/*
 * A hostile recording (issue 12 review): one-byte segments 64 MiB apart,
 * each within the old limit of a jump, made the loader reserve 4 GiB for
 * 6 KB of input. A stream may lack only a few times what it holds.
 */
static void test_sequence_jumps_far_past_the_captured_bytes_reserve_no_memory(void **state)
{
	struct tcp_replay *tr = make(AS_IP);
	const struct tr_flow *f;

	load(tr, &rec_peer, PEER_ISN, 0, TH_SYN, NULL, 0, syn_opts, sizeof(syn_opts));
	load(tr, &rec_host, HOST_ISN, PEER_ISN + 1, TH_SYN | TH_ACK, NULL, 0, NULL, 0);
	for (uint32_t k = 1; k < 64; k++)
		load(tr, &rec_peer, PEER_ISN + 1 + k * (64u << 20) - 2, HOST_ISN + 1, TH_ACK, "x", 1,
		     NULL, 0);
	f = tr->flows[0];
	assert_true(f->peer.cap <= 8192);
	assert_int_equal(tcp_replay_load_done(tr), 0);
	assert_int_equal(nr_lines, 1);
	assert_true(said("tcp flow 1 10.0.0.1:40000 > 10.0.0.2:80: not replayed: the peer's "
			 "sequence numbers jump to byte 67108862 with 0 bytes captured before it"));
	tcp_replay_destroy(tr);
	(void)state;
}

/* Segments captured out of order leave a hole that the late one fills: still replayable. */
static void test_a_segment_captured_before_the_one_it_follows_is_not_a_hole(void **state)
{
	struct tcp_replay *tr = make(AS_IP);

	load(tr, &rec_peer, PEER_ISN, 0, TH_SYN, NULL, 0, syn_opts, sizeof(syn_opts));
	load(tr, &rec_host, HOST_ISN, PEER_ISN + 1, TH_SYN | TH_ACK, NULL, 0, NULL, 0);
	load(tr, &rec_peer, PEER_ISN + 11, HOST_ISN + 1, TH_ACK, "abcdefghij", 10, NULL, 0);
	load(tr, &rec_peer, PEER_ISN + 1, HOST_ISN + 1, TH_ACK, "0123456789", 10, NULL, 0);
	assert_int_equal(tcp_replay_load_done(tr), 1);
	assert_int_equal(nr_lines, 0);
	tcp_replay_destroy(tr);
	(void)state;
}

/*
 * The peer's 1400 recorded bytes, with the recorded SYN's options sopts,
 * sent to a guest that offered guest_mss on a link of mtu (0: the default):
 * the payload lengths of the segments into sizes, their count returned.
 * Every frame fits the MTU.
 */
static unsigned int cut_sizes(const uint8_t *sopts, size_t solen, uint16_t guest_mss,
			      uint16_t mtu, uint16_t cfg_mss, size_t sizes[8])
{
	static char big[1400];
	struct tcp_replay_config c = { .as_ip = AS_IP, .say = say, .mtu = mtu, .mss = cfg_mss };
	struct tcp_replay *tr;
	const uint8_t *f;
	size_t len;
	struct out o;
	unsigned int n = 0;

	memcpy(c.guest_mac, guest_mac, 6);
	nr_lines = nr_divergences = 0;
	assert_int_equal(tcp_replay_create(&c, &tr), 0);
	memset(big, 'x', sizeof(big));
	load(tr, &rec_peer, PEER_ISN, 0, TH_SYN, NULL, 0, sopts, solen);
	load(tr, &rec_host, HOST_ISN, PEER_ISN + 1, TH_SYN | TH_ACK, NULL, 0, NULL, 0);
	load(tr, &rec_peer, PEER_ISN + 1, HOST_ISN + 1, TH_ACK | TH_PUSH, big, sizeof(big), NULL,
	     0);
	assert_int_equal(tcp_replay_load_done(tr), 1);
	tcp_replay_start(tr, T0, GUEST_IP);
	tcp_replay_run(tr, T0);
	assert_true(next_out(tr, &o));
	guest_says(tr, T0 + MS, GUEST_ISN, PEER_ISN + 1, TH_SYN | TH_ACK, NULL, 0, guest_mss);
	while (tcp_replay_pop(tr, &f, &len)) {
		assert_true(len - 14 <= (mtu ? mtu : 1500u));
		assert_true(n < 8);
		sizes[n++] = len - 14 - 20 - (size_t)(f[14 + 20 + 12] >> 4) * 4;
	}
	tcp_replay_destroy(tr);
	return n;
}

/* MSS 536 and timestamps, as a recorded peer on a small path offers. */
static const uint8_t syn_opts_536[] = { 2, 4, 0x02, 0x18, 1, 1, 8, 10, 0, 0, 0, 100, 0, 0, 0, 0 };

static void test_the_peer_data_is_cut_to_the_recorded_mss_when_the_guest_offers_more(
	void **state)
{
	size_t sizes[8];

	assert_int_equal(cut_sizes(syn_opts_536, sizeof(syn_opts_536), 65535, 0, 0, sizes), 3);
	assert_int_equal(sizes[0], 524);
	assert_int_equal(sizes[1], 524);
	assert_int_equal(sizes[2], 1400 - 2 * 524);
	(void)state;
}

static void test_the_peer_data_is_cut_to_tcp_mss_when_given(void **state)
{
	size_t sizes[8];

	assert_int_equal(cut_sizes(syn_opts, sizeof(syn_opts), 65535, 0, 600, sizes), 3);
	assert_int_equal(sizes[0], 588);
	assert_int_equal(sizes[1], 588);
	assert_int_equal(sizes[2], 1400 - 2 * 588);
	(void)state;
}

static void test_the_peer_data_is_cut_to_fit_the_link_mtu_whatever_the_mss(void **state)
{
	size_t sizes[8];

	/* MTU 576: 576 - 20 (IP) - 20 (TCP) - 12 (timestamps) = 524 bytes a segment. */
	assert_int_equal(cut_sizes(syn_opts, sizeof(syn_opts), 65535, 576, 0, sizes), 3);
	assert_int_equal(sizes[0], 524);
	assert_int_equal(sizes[1], 524);
	assert_int_equal(sizes[2], 1400 - 2 * 524);
	(void)state;
}

/* A segment whose IPv4 total length cannot be written in 16 bits is refused, said. */
static void test_a_segment_too_long_for_ipv4_is_refused_with_a_line(void **state)
{
	struct tcp_replay *tr = make(AS_IP);
	struct tr_flow f = { .id = 1, .peer_ip = PEER_IP, .peer_port = 40000, .host_port = 80,
			     .guest_port = 80, .ts_ok = true };
	static uint8_t data[65495];
	const uint8_t *fr;
	size_t len;

	/* 20 + 20 + 12 + 65495 = 65547 > 65535 */
	assert_false(tr_send(tr, &f, 1, TCPF_ACK, data, sizeof(data), 512, false));
	assert_false(tcp_replay_pop(tr, &fr, &len));
	assert_true(said("a segment of 65495 bytes does not fit an IPv4 packet"));
	assert_true(tr_send(tr, &f, 1, TCPF_ACK, data, 65535 - 52, 512, false));
	assert_true(tcp_replay_pop(tr, &fr, &len));
	assert_int_equal(len, 14 + 65535);
	tcp_replay_destroy(tr);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_peer_syn_goes_at_start_with_the_recorded_isn_and_options),
		cmocka_unit_test(test_the_request_follows_the_guest_synack_acknowledging_the_guest_isn),
		cmocka_unit_test(test_an_answer_cut_differently_matches_and_ends_when_both_fins_are_acked),
		cmocka_unit_test(test_a_changed_byte_is_reported_at_its_offset_with_both_excerpts),
		cmocka_unit_test(test_a_missing_synack_is_reported_after_the_deadline_and_the_syn_retried),
		cmocka_unit_test(test_a_rst_where_data_was_expected_is_reported),
		cmocka_unit_test(test_a_retransmitted_guest_segment_is_acknowledged_again),
		cmocka_unit_test(test_unacknowledged_peer_data_is_sent_again_after_a_second),
		cmocka_unit_test(test_the_peer_data_is_cut_to_the_mss_the_guest_offered_less_timestamps),
		cmocka_unit_test(test_a_hole_in_the_recorded_peer_stream_is_one_line_and_not_replayed),
		cmocka_unit_test(test_a_keepalive_probe_in_the_recording_is_not_a_hole),
		cmocka_unit_test(test_a_frame_captured_short_leaves_a_hole_not_a_crash),
		cmocka_unit_test(test_a_recording_that_never_addresses_the_host_is_one_line),
		cmocka_unit_test(test_a_flow_still_open_at_the_end_is_given_up_with_what_was_missing),
		cmocka_unit_test(test_sequence_jumps_far_past_the_captured_bytes_reserve_no_memory),
		cmocka_unit_test(test_a_segment_captured_before_the_one_it_follows_is_not_a_hole),
		cmocka_unit_test(test_the_peer_data_is_cut_to_the_recorded_mss_when_the_guest_offers_more),
		cmocka_unit_test(test_the_peer_data_is_cut_to_tcp_mss_when_given),
		cmocka_unit_test(test_the_peer_data_is_cut_to_fit_the_link_mtu_whatever_the_mss),
		cmocka_unit_test(test_a_segment_too_long_for_ipv4_is_refused_with_a_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
