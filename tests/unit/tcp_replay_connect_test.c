/*
 * traces/tcp_replay*.c with the guest as a client: the recorded host
 * (10.0.0.2, port 40000) connected to a server (10.0.0.1:7), sent "hello",
 * read its echo and closed; the replayer plays the server, waiting for the
 * guest's SYN (from a port of its own choosing) and answering with the
 * recorded SYN-ACK. Also: many flows, each replayed to its end, the guest
 * as the client and as the server (10.0.0.1 from port 7 then connecting
 * to the recorded host's ports).
 * The recording is built with the test peer (tests/support).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tcp_replay_fixture.h"

#define SERVER_PORT 7
#define HOST_PORT 40000
#define GUEST_PORT 51000
#define PEER_ISN 7000u
#define HOST_ISN 3000u
#define GUEST_ISN 123456u
#define T0 (2 * S)

/* The fixture's rec_peer (10.0.0.1) is the recorded server here. */

/* The recording time of the segments load gives. */
static uint64_t load_ts;

/* A recorded segment of flow (host port) hport. */
static void load(struct tcp_replay *tr, const struct peer *from, uint16_t hport, uint32_t seq,
		 uint32_t ack, uint8_t flags, const void *data, size_t len, const uint8_t *opts,
		 size_t olen)
{
	uint8_t f[PEER_FRAME_MAX];
	bool up = from == &rec_host;
	struct peer_tcp h = { .sport = up ? hport : SERVER_PORT, .dport = up ? SERVER_PORT : hport,
			      .seq = seq, .ack = ack, .flags = flags, .window = 512,
			      .options = opts, .options_len = olen };

	assert_int_equal(tcp_replay_load(tr, f, peer_tcp_frame(from, f, &h, data, len), load_ts),
			 1);
}

/* MSS 1460, SACK permitted, timestamps (TSval 100 / echo 0), window scale 7. */
static const uint8_t syn_opts[] = { 2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 1, 8, 10, 0, 0, 0, 100,
				    0, 0, 0, 0, 1, 3, 3, 7 };

/* The recorded host's echo exchange, pure ACKs included, on host port hport. */
static void load_echo(struct tcp_replay *tr, uint16_t hport, uint32_t peer_isn)
{
	load(tr, &rec_host, hport, HOST_ISN, 0, TH_SYN, NULL, 0, syn_opts, sizeof(syn_opts));
	load(tr, &rec_peer, hport, peer_isn, HOST_ISN + 1, TH_SYN | TH_ACK, NULL, 0, syn_opts,
	     sizeof(syn_opts));
	load(tr, &rec_host, hport, HOST_ISN + 1, peer_isn + 1, TH_ACK, NULL, 0, NULL, 0);
	load(tr, &rec_host, hport, HOST_ISN + 1, peer_isn + 1, TH_ACK | TH_PUSH, "hello", 5,
	     NULL, 0);
	load(tr, &rec_peer, hport, peer_isn + 1, HOST_ISN + 6, TH_ACK | TH_PUSH, "hello", 5,
	     NULL, 0);
	load(tr, &rec_host, hport, HOST_ISN + 6, peer_isn + 6, TH_ACK | TH_FIN, NULL, 0, NULL, 0);
	load(tr, &rec_peer, hport, peer_isn + 6, HOST_ISN + 7, TH_ACK | TH_FIN, NULL, 0, NULL, 0);
	load(tr, &rec_host, hport, HOST_ISN + 7, peer_isn + 7, TH_ACK, NULL, 0, NULL, 0);
}

static struct tcp_replay *started(void)
{
	struct tcp_replay *tr = make(AS_IP);

	load_echo(tr, HOST_PORT, PEER_ISN);
	assert_int_equal(tcp_replay_load_done(tr), 1);
	tcp_replay_start(tr, T0, GUEST_IP);
	tcp_replay_run(tr, T0);
	return tr;
}

/* A segment of the guest's from port gport; a SYN with TS, MSS 1460 and, when ws, WS 2. */
static void guest_says(struct tcp_replay *tr, uint64_t now, uint16_t gport, uint32_t seq,
		       uint32_t ack, uint8_t flags, const void *data, size_t len, bool ws)
{
	uint8_t f[PEER_FRAME_MAX], opts[20] = { 1, 1, 8, 10, 0, 0, 0x30, 0x39, 0, 0, 0, 0 };
	size_t olen = 12;
	struct peer_tcp h = { .sport = gport, .dport = SERVER_PORT, .seq = seq, .ack = ack,
			      .flags = flags, .window = 8192, .options = opts };

	if (flags & TH_SYN) {
		uint8_t more[8] = { 2, 4, 0x05, 0xb4, 1, 1, 1, 1 };
		if (ws)
			memcpy(more + 4, (uint8_t[]){ 1, 3, 3, 2 }, 4);
		memcpy(opts + olen, more, sizeof(more));
		olen += sizeof(more);
	}
	h.options_len = olen;
	tcp_replay_from_guest(tr, now, f, peer_tcp_frame(&guest, f, &h, data, len));
	tcp_replay_run(tr, now);
}

static bool next_out(struct tcp_replay *tr, struct out *o)
{
	const uint8_t *f;

	return out_pop(tr, o, &f);
}

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

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void test_nothing_is_sent_before_the_guest_connects(void **state)
{
	struct tcp_replay *tr = started();
	struct out o;

	assert_false(next_out(tr, &o));
	assert_false(tcp_replay_done(tr));
	assert_int_equal(nr_lines, 0);
	tcp_replay_destroy(tr);
	(void)state;
}

static void test_the_guest_syn_gets_the_recorded_synack_to_its_own_port_and_isn(void **state)
{
	struct tcp_replay *tr = started();
	const uint8_t *at;
	struct out o;

	guest_says(tr, T0 + MS, GUEST_PORT, GUEST_ISN, 0, TH_SYN, NULL, 0, true);
	assert_true(next_out(tr, &o));
	assert_int_equal(o.flags, TH_SYN | TH_ACK);
	assert_int_equal(o.seq, PEER_ISN);
	assert_int_equal(o.ack, GUEST_ISN + 1);
	assert_int_equal(o.sport, SERVER_PORT);
	assert_int_equal(o.dport, GUEST_PORT);
	assert_true(has_option(&o, 2, &at));
	assert_true(has_option(&o, 3, &at));
	assert_int_equal(at[2], 7);
	assert_true(has_option(&o, 8, &at));
	assert_int_equal(get32(at + 6), 12345); /* the guest's TSval echoed */
	assert_false(has_option(&o, 4, &at)); /* the guest did not offer SACK */
	assert_false(next_out(tr, &o));
	tcp_replay_destroy(tr);
	(void)state;
}

static void test_a_synack_offers_no_window_scale_the_guest_did_not(void **state)
{
	struct tcp_replay *tr = started();
	const uint8_t *at;
	struct out o;

	guest_says(tr, T0 + MS, GUEST_PORT, GUEST_ISN, 0, TH_SYN, NULL, 0, false);
	assert_true(next_out(tr, &o));
	assert_int_equal(o.flags, TH_SYN | TH_ACK);
	assert_false(has_option(&o, 3, &at));
	tcp_replay_destroy(tr);
	(void)state;
}

static void test_a_guest_client_echo_matches_and_ends_when_both_fins_are_acked(void **state)
{
	struct tcp_replay *tr = started();
	uint32_t a = PEER_ISN + 1;
	struct out o;

	guest_says(tr, T0 + MS, GUEST_PORT, GUEST_ISN, 0, TH_SYN, NULL, 0, true);
	assert_true(next_out(tr, &o));
	guest_says(tr, T0 + 2 * MS, GUEST_PORT, GUEST_ISN + 1, a, TH_ACK, NULL, 0, false);
	assert_false(next_out(tr, &o)); /* the server waits for the bytes to echo */
	guest_says(tr, T0 + 2 * MS, GUEST_PORT, GUEST_ISN + 1, a, TH_ACK | TH_PUSH, "hel", 3,
		   false);
	assert_true(next_out(tr, &o)); /* the first three bytes acknowledged */
	assert_int_equal(o.flags, TH_ACK);
	assert_int_equal(o.ack, GUEST_ISN + 4);
	assert_false(next_out(tr, &o));
	guest_says(tr, T0 + 2 * MS, GUEST_PORT, GUEST_ISN + 4, a, TH_ACK | TH_PUSH, "lo", 2, false);
	assert_true(next_out(tr, &o));
	assert_int_equal(o.seq, PEER_ISN + 1);
	assert_int_equal(o.ack, GUEST_ISN + 6);
	assert_int_equal(o.dport, GUEST_PORT);
	assert_int_equal(o.len, 5);
	assert_memory_equal(o.data, "hello", 5);
	while (next_out(tr, &o))
		;
	guest_says(tr, T0 + 3 * MS, GUEST_PORT, GUEST_ISN + 6, a + 5, TH_ACK | TH_FIN, NULL, 0,
		   false);
	assert_true(next_out(tr, &o));
	assert_int_equal(o.flags, TH_ACK | TH_FIN);
	assert_int_equal(o.seq, PEER_ISN + 6);
	assert_int_equal(o.ack, GUEST_ISN + 7);
	guest_says(tr, T0 + 4 * MS, GUEST_PORT, GUEST_ISN + 7, a + 6, TH_ACK, NULL, 0, false);
	assert_true(tcp_replay_done(tr));
	assert_int_equal(nr_divergences, 0);
	assert_int_equal(tcp_replay_stats(tr)->matched, 1);
	assert_int_equal(tcp_replay_stats(tr)->bytes_from_guest, 5);
	assert_int_equal(tcp_replay_stats(tr)->bytes_to_guest, 5);
	tcp_replay_destroy(tr);
	(void)state;
}

static void test_a_changed_byte_of_the_guest_client_is_reported_at_its_offset(void **state)
{
	struct tcp_replay *tr = started();
	struct out o;

	guest_says(tr, T0 + MS, GUEST_PORT, GUEST_ISN, 0, TH_SYN, NULL, 0, true);
	guest_says(tr, T0 + 2 * MS, GUEST_PORT, GUEST_ISN + 1, PEER_ISN + 1, TH_ACK, "helLo", 5,
		   false);
	assert_int_equal(nr_divergences, 1);
	assert_true(said("tcp flow 1 10.0.0.1:7 > 10.0.0.2:40000: guest to peer, byte 3: "
			 "expected \"lo\", got \"Lo\""));
	while (next_out(tr, &o))
		;
	tcp_replay_destroy(tr);
	(void)state;
}

static void test_a_lost_synack_is_sent_again_for_the_guest_syn_again(void **state)
{
	struct tcp_replay *tr = started();
	struct out o;

	guest_says(tr, T0 + MS, GUEST_PORT, GUEST_ISN, 0, TH_SYN, NULL, 0, true);
	assert_true(next_out(tr, &o));
	guest_says(tr, T0 + S, GUEST_PORT, GUEST_ISN, 0, TH_SYN, NULL, 0, true);
	assert_true(next_out(tr, &o));
	assert_int_equal(o.flags, TH_SYN | TH_ACK);
	assert_int_equal(o.seq, PEER_ISN);
	assert_int_equal(o.ack, GUEST_ISN + 1);
	assert_int_equal(tcp_replay_stats(tr)->flows, 1);
	tcp_replay_destroy(tr);
	(void)state;
}

static void test_a_refused_connection_is_refused_again(void **state)
{
	struct tcp_replay *tr = make(AS_IP);
	struct out o;

	load(tr, &rec_host, HOST_PORT, HOST_ISN, 0, TH_SYN, NULL, 0, syn_opts, sizeof(syn_opts));
	load(tr, &rec_peer, HOST_PORT, 0, HOST_ISN + 1, TH_RST | TH_ACK, NULL, 0, NULL, 0);
	assert_int_equal(tcp_replay_load_done(tr), 1);
	tcp_replay_start(tr, T0, GUEST_IP);
	guest_says(tr, T0 + MS, GUEST_PORT, GUEST_ISN, 0, TH_SYN, NULL, 0, true);
	assert_true(next_out(tr, &o));
	assert_int_equal(o.flags, TH_RST | TH_ACK);
	assert_int_equal(o.ack, GUEST_ISN + 1);
	assert_true(tcp_replay_done(tr));
	assert_int_equal(tcp_replay_stats(tr)->matched, 1);
	tcp_replay_destroy(tr);
	(void)state;
}

static void test_a_guest_that_never_connects_is_reported_after_the_deadline(void **state)
{
	struct tcp_replay *tr = started();

	assert_int_equal(tcp_replay_next_time(tr), T0 + TCP_REPLAY_DEADLINE_DEFAULT_NS);
	tcp_replay_run(tr, T0 + TCP_REPLAY_DEADLINE_DEFAULT_NS);
	assert_true(said("tcp flow 1 10.0.0.1:7 > 10.0.0.2:40000: the guest never connected to "
			 "the peer (no SYN) in 10 s"));
	assert_true(tcp_replay_done(tr));
	assert_int_equal(tcp_replay_stats(tr)->diverged, 1);
	tcp_replay_destroy(tr);
	(void)state;
}

static void test_two_connections_to_one_server_are_taken_in_recording_order(void **state)
{
	struct tcp_replay *tr = make(AS_IP);
	struct out o;

	load_echo(tr, HOST_PORT, PEER_ISN);
	load_echo(tr, HOST_PORT + 1, PEER_ISN + 100000);
	assert_int_equal(tcp_replay_load_done(tr), 2);
	tcp_replay_start(tr, T0, GUEST_IP);
	guest_says(tr, T0 + MS, GUEST_PORT, GUEST_ISN, 0, TH_SYN, NULL, 0, true);
	guest_says(tr, T0 + MS, GUEST_PORT + 9, GUEST_ISN + 5000, 0, TH_SYN, NULL, 0, true);
	assert_true(next_out(tr, &o));
	assert_int_equal(o.seq, PEER_ISN);
	assert_int_equal(o.dport, GUEST_PORT);
	assert_true(next_out(tr, &o));
	assert_int_equal(o.seq, PEER_ISN + 100000);
	assert_int_equal(o.dport, GUEST_PORT + 9);
	/* A third SYN finds no flow left: nothing answers it. */
	guest_says(tr, T0 + MS, GUEST_PORT + 20, GUEST_ISN + 9000, 0, TH_SYN, NULL, 0, true);
	assert_false(next_out(tr, &o));
	tcp_replay_destroy(tr);
	(void)state;
}

/*
 * Flows looked up by their addresses and ports: 3000 echo flows, the guest
 * connecting to each in turn, each matched; the counts, not the time.
 */
#define MANY 3000
static void test_three_thousand_guest_connections_each_replay_to_their_end(void **state)
{
	struct tcp_replay *tr = make(AS_IP);
	struct out o;
	uint64_t now = T0;
	unsigned int echoed = 0;

	for (unsigned int i = 0; i < MANY; i++)
		load_echo(tr, (uint16_t)(10000 + i), PEER_ISN + i * 1000);
	assert_int_equal(tcp_replay_load_done(tr), MANY);
	tcp_replay_start(tr, T0, GUEST_IP);
	for (unsigned int i = 0; i < MANY; i++) {
		uint16_t gp = (uint16_t)(20000 + i);
		uint32_t isn = GUEST_ISN + i * 77, a = PEER_ISN + i * 1000 + 1;
		now += MS;
		guest_says(tr, now, gp, isn, 0, TH_SYN, NULL, 0, true);
		guest_says(tr, now, gp, isn + 1, a, TH_ACK | TH_PUSH, "hello", 5, false);
		while (next_out(tr, &o))
			echoed += o.len == 5 && !memcmp(o.data, "hello", 5);
		guest_says(tr, now, gp, isn + 6, a + 5, TH_ACK | TH_FIN, NULL, 0, false);
		guest_says(tr, now, gp, isn + 7, a + 6, TH_ACK, NULL, 0, false);
		while (next_out(tr, &o))
			;
	}
	assert_true(tcp_replay_done(tr));
	assert_int_equal(echoed, MANY);
	assert_int_equal(tcp_replay_stats(tr)->flows, MANY);
	assert_int_equal(tcp_replay_stats(tr)->matched, MANY);
	assert_int_equal(nr_divergences, 0);
	tcp_replay_destroy(tr);
	(void)state;
}

/*
 * 3000 flows the peer opened, a second apart in the recording: each SYN is
 * due in turn (the next time is the next flow's), the guest answers, each
 * flow is matched.
 */
static void test_three_thousand_peer_flows_start_in_turn_and_each_matches(void **state)
{
	struct tcp_replay *tr = make(AS_IP);
	struct out o;
	unsigned int syns = 0;

	for (unsigned int i = 0; i < MANY; i++) {
		uint16_t hp = (uint16_t)(10000 + i);
		uint32_t p = PEER_ISN + i * 1000, h = HOST_ISN + i * 1000;
		load_ts = (uint64_t)i * S;
		load(tr, &rec_peer, hp, p, 0, TH_SYN, NULL, 0, syn_opts, sizeof(syn_opts));
		load(tr, &rec_host, hp, h, p + 1, TH_SYN | TH_ACK, NULL, 0, NULL, 0);
		load(tr, &rec_peer, hp, p + 1, h + 1, TH_ACK | TH_PUSH, "hello", 5, NULL, 0);
		load(tr, &rec_host, hp, h + 1, p + 6, TH_ACK | TH_PUSH, "hello", 5, NULL, 0);
		load(tr, &rec_peer, hp, p + 6, h + 6, TH_ACK | TH_FIN, NULL, 0, NULL, 0);
		load(tr, &rec_host, hp, h + 6, p + 7, TH_ACK | TH_FIN, NULL, 0, NULL, 0);
		load(tr, &rec_peer, hp, p + 7, h + 7, TH_ACK, NULL, 0, NULL, 0);
	}
	load_ts = 0;
	assert_int_equal(tcp_replay_load_done(tr), MANY);
	tcp_replay_start(tr, T0, GUEST_IP);
	for (unsigned int i = 0; i < MANY; i++) {
		uint64_t now = T0 + (uint64_t)i * S;
		uint16_t hp = (uint16_t)(10000 + i);
		uint32_t a = PEER_ISN + i * 1000 + 1, isn = GUEST_ISN + i * 77;
		assert_int_equal(tcp_replay_next_time(tr), now);
		tcp_replay_run(tr, now);
		while (next_out(tr, &o))
			syns += o.flags == TH_SYN && o.seq == a - 1 && o.dport == hp;
		guest_says(tr, now, hp, isn, a, TH_SYN | TH_ACK, NULL, 0, true);
		while (next_out(tr, &o))
			;
		guest_says(tr, now, hp, isn + 1, a + 5, TH_ACK | TH_PUSH, "hello", 5, false);
		while (next_out(tr, &o))
			;
		guest_says(tr, now, hp, isn + 6, a + 6, TH_ACK | TH_FIN, NULL, 0, false);
		while (next_out(tr, &o))
			;
	}
	assert_int_equal(syns, MANY);
	assert_true(tcp_replay_done(tr));
	assert_int_equal(tcp_replay_stats(tr)->matched, MANY);
	assert_int_equal(nr_divergences, 0);
	tcp_replay_destroy(tr);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_is_sent_before_the_guest_connects),
		cmocka_unit_test(test_the_guest_syn_gets_the_recorded_synack_to_its_own_port_and_isn),
		cmocka_unit_test(test_a_synack_offers_no_window_scale_the_guest_did_not),
		cmocka_unit_test(test_a_guest_client_echo_matches_and_ends_when_both_fins_are_acked),
		cmocka_unit_test(test_a_changed_byte_of_the_guest_client_is_reported_at_its_offset),
		cmocka_unit_test(test_a_lost_synack_is_sent_again_for_the_guest_syn_again),
		cmocka_unit_test(test_a_refused_connection_is_refused_again),
		cmocka_unit_test(test_a_guest_that_never_connects_is_reported_after_the_deadline),
		cmocka_unit_test(test_two_connections_to_one_server_are_taken_in_recording_order),
		cmocka_unit_test(test_three_thousand_guest_connections_each_replay_to_their_end),
		cmocka_unit_test(test_three_thousand_peer_flows_start_in_turn_and_each_matches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
