/*
 * traces/tcp_replay_map.c and the by-reference streams of
 * tcp_replay_load.c: a recording loaded from a mapped pcap file refers to
 * the recorded host's bytes where they lie in the file, one extent a
 * segment, and compares the guest's bytes across extents as it compared a
 * copy; a recording the mapping cannot refer to (a hole, a retransmission
 * with other bytes) is copied as before, and a file it cannot walk is left
 * to the libpcap reader or ends the load at the bad record. The recording
 * (peer 10.0.0.1:40000, recorded host 10.0.0.2:80: a 10-byte request, a
 * 300-byte answer in three segments, FINs) is written with the test peer.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tcp_replay_answer_fixture.h"
#include "traces/tcp_replay_private.h" /* a stream's extents */

#define PIECE 100

/* The host's answer's segment i of three (PIECE bytes each), with these bytes. */
static void rec_piece(struct file *f, unsigned int i, const uint8_t *bytes)
{
	rec(f, &rec_host, HOST_ISN + 1 + i * PIECE, PEER_ISN + 11, TH_ACK, bytes, PIECE);
}

static void rec_end(struct file *f)
{
	rec(f, &rec_host, HOST_ISN + 1 + ANSWER_LEN, PEER_ISN + 11, TH_ACK | TH_FIN, NULL, 0);
	rec(f, &rec_peer, PEER_ISN + 11, HOST_ISN + 2 + ANSWER_LEN, TH_ACK | TH_FIN, NULL, 0);
	assert_int_equal(fclose(f->fp), 0);
}

/* The whole recording, the answer in three segments. */
static void rec_all(struct file *f)
{
	file_open(f, 0xa1b2c3d4, 1);
	rec_start(f);
	for (unsigned int i = 0; i < 3; i++)
		rec_piece(f, i, answer + i * PIECE);
	rec_end(f);
}

/* The host's stream of flow 1 read back through tr_stream_at equals bytes. */
static void assert_host_stream(struct tcp_replay *tr, const uint8_t *bytes, uint32_t len)
{
	struct tr_stream *st = &tr->flows[0]->host;
	uint32_t piece;

	assert_int_equal(st->len, len);
	for (uint32_t off = 0; off < len; off += piece) {
		const uint8_t *p = tr_stream_at(st, off, &piece);
		assert_true(piece >= 1 && piece <= len - off);
		assert_memory_equal(p, bytes + off, piece);
	}
}

static void test_a_mapped_recording_refers_to_the_host_bytes_one_extent_a_segment(void **state)
{
	struct file f;
	struct tcp_replay *tr;

	rec_all(&f);
	tr = mapped(&f, 1);
	assert_true(tr->flows[0]->host.by_ref);
	assert_int_equal(tr->flows[0]->host.nr_ext, 3);
	assert_null(tr->flows[0]->host.buf);
	assert_host_stream(tr, answer, ANSWER_LEN);
	/* The peer's stream, sent in the replayer's own segments, is a copy. */
	assert_false(tr->flows[0]->peer.by_ref);
	tcp_replay_destroy(tr);
	unlink(f.path);
	(void)state;
}

static void test_an_answer_in_one_large_segment_matches_across_the_extents(void **state)
{
	struct file f;
	struct tcp_replay *tr;

	rec_all(&f);
	tr = mapped(&f, 1);
	handshake(tr);
	guest_says(tr, T0 + 2 * MS, GUEST_ISN + 1, TH_ACK | TH_PUSH | TH_FIN, answer, ANSWER_LEN);
	assert_int_equal(nr_divergences, 0);
	assert_int_equal(tcp_replay_stats(tr)->bytes_from_guest, ANSWER_LEN);
	tcp_replay_destroy(tr);
	unlink(f.path);
	(void)state;
}

static void test_a_byte_changed_in_a_later_extent_is_reported_at_its_offset(void **state)
{
	uint8_t changed[ANSWER_LEN];
	struct file f;
	struct tcp_replay *tr;

	rec_all(&f);
	tr = mapped(&f, 1);
	handshake(tr);
	memcpy(changed, answer, ANSWER_LEN);
	changed[250] = '#';
	guest_says(tr, T0 + 2 * MS, GUEST_ISN + 1, TH_ACK, changed, ANSWER_LEN);
	assert_int_equal(nr_divergences, 1);
	/* The expected excerpt is read across the extents as from a copy. */
	assert_true(said("guest to peer, byte 250: expected \"qrstuvwxyzabcdefghijklmn\""));
	tcp_replay_destroy(tr);
	unlink(f.path);
	(void)state;
}

static void test_a_retransmission_of_the_same_bytes_keeps_the_stream_in_the_file(void **state)
{
	struct file f;
	struct tcp_replay *tr;

	file_open(&f, 0xa1b2c3d4, 1);
	rec_start(&f);
	rec_piece(&f, 0, answer);
	rec_piece(&f, 1, answer + PIECE);
	rec_piece(&f, 1, answer + PIECE);
	rec_piece(&f, 2, answer + 2 * PIECE);
	rec_end(&f);
	tr = mapped(&f, 1);
	assert_true(tr->flows[0]->host.by_ref);
	assert_int_equal(tr->flows[0]->host.nr_ext, 3);
	assert_host_stream(tr, answer, ANSWER_LEN);
	tcp_replay_destroy(tr);
	unlink(f.path);
	(void)state;
}

static void test_a_retransmission_of_other_bytes_makes_a_copy_where_the_later_ones_win(
	void **state)
{
	uint8_t other[PIECE], want[ANSWER_LEN];
	struct file f;
	struct tcp_replay *tr;

	file_open(&f, 0xa1b2c3d4, 1);
	rec_start(&f);
	memset(other, 'Z', sizeof(other));
	rec_piece(&f, 0, answer);
	rec_piece(&f, 1, answer + PIECE);
	rec_piece(&f, 1, other);
	rec_piece(&f, 2, answer + 2 * PIECE);
	rec_end(&f);
	tr = mapped(&f, 1);
	assert_false(tr->flows[0]->host.by_ref);
	assert_null(tr->flows[0]->host.ext);
	memcpy(want, answer, ANSWER_LEN);
	memcpy(want + PIECE, other, PIECE);
	assert_host_stream(tr, want, ANSWER_LEN);
	tcp_replay_destroy(tr);
	unlink(f.path);
	(void)state;
}

static void test_a_hole_in_a_mapped_recording_is_said_as_in_a_copied_one(void **state)
{
	struct file f;
	struct tcp_replay *tr;

	file_open(&f, 0xa1b2c3d4, 1);
	rec_start(&f);
	rec_piece(&f, 0, answer);
	rec_piece(&f, 2, answer + 2 * PIECE);
	rec_end(&f);
	tr = mapped(&f, 0);
	assert_true(said("not replayed: the capture lacks the recorded host's bytes 100-199"));
	tcp_replay_destroy(tr);
	unlink(f.path);
	(void)state;
}

static void test_a_truncated_file_loads_up_to_its_last_whole_record(void **state)
{
	struct file f;
	struct tcp_replay *tr;
	long size;

	rec_all(&f);
	/* Cut in the middle of the host's FIN: the flow is there, without that FIN. */
	FILE *fp = fopen(f.path, "rb+");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	size = ftell(fp);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(truncate(f.path, size - 100), 0);
	tr = mapped(&f, 1);
	assert_false(tr->flows[0]->host.fin);
	assert_host_stream(tr, answer, ANSWER_LEN);
	tcp_replay_destroy(tr);
	unlink(f.path);
	(void)state;
}

static void test_a_file_other_than_classic_ethernet_pcap_is_left_to_the_reader(void **state)
{
	static const uint32_t kinds[][2] = {
		{ 0x0a0d0d0a, 1 },   /* pcapng's section header block */
		{ 0xa1b2c3d4, 101 }, /* raw IP */
		{ 0xa1b2c3d4, 1 | 0x04000000 | (2u << 28) }, /* Ethernet with an FCS */
	};
	char err[256];

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct file f;
		struct tcp_replay *tr = make(AS_IP);

		file_open(&f, kinds[i][0], kinds[i][1]);
		rec_start(&f);
		rec_end(&f);
		assert_int_equal(tcp_replay_load_file(tr, f.path, err, sizeof(err)), 0);
		assert_int_equal(tr->nr_flows, 0);
		assert_null(tr->map.p);
		tcp_replay_destroy(tr);
		unlink(f.path);
	}
	(void)state;
}

static void test_a_second_recording_is_refused(void **state)
{
	struct file f;
	struct tcp_replay *tr;
	char err[256] = "";

	rec_all(&f);
	tr = mapped(&f, 1);
	assert_int_equal(tcp_replay_load_file(tr, f.path, err, sizeof(err)), -EALREADY);
	assert_non_null(strstr(err, "a recording is loaded already"));
	assert_int_equal(tr->nr_flows, 1);
	tcp_replay_destroy(tr);
	unlink(f.path);
	(void)state;
}

static void test_a_missing_file_is_an_error_naming_it(void **state)
{
	struct tcp_replay *tr = make(AS_IP);
	char err[256] = "";

	assert_int_equal(tcp_replay_load_file(tr, "/nonexistent/x.pcap", err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/x.pcap: cannot open"));
	tcp_replay_destroy(tr);
	(void)state;
}

/* As sim/host/fault.c's SIGBUS handler: a fault in a mapped recording goes on. */
static void on_bus(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (tcp_replay_map_fault(si->si_addr))
		return;
	signal(sig, SIG_DFL); /* not the recording's: the fault it is */
}

static void test_a_recording_truncated_under_the_replay_is_said_not_a_bus_error(void **state)
{
	struct sigaction sa = { .sa_sigaction = on_bus, .sa_flags = SA_SIGINFO }, old;
	struct file f;
	struct tcp_replay *tr;
	int here;

	rec_all(&f);
	tr = mapped(&f, 1);
	handshake(tr);
	/* An address of no recording is left to the crash it is. */
	assert_false(tcp_replay_map_fault(&here));
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGBUS, &sa, &old), 0);
	/* The mapped page now lies past the end of the file: reading it is a SIGBUS. */
	assert_int_equal(truncate(f.path, 0), 0);
	guest_says(tr, T0 + 2 * MS, GUEST_ISN + 1, TH_ACK, answer, ANSWER_LEN);
	assert_int_equal(sigaction(SIGBUS, &old, NULL), 0);
	assert_int_equal(nr_divergences, 1);
	assert_true(said("was truncated while replayed"));
	assert_false(said("expected"));
	tcp_replay_destroy(tr);
	unlink(f.path);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_mapped_recording_refers_to_the_host_bytes_one_extent_a_segment),
		cmocka_unit_test(test_an_answer_in_one_large_segment_matches_across_the_extents),
		cmocka_unit_test(test_a_byte_changed_in_a_later_extent_is_reported_at_its_offset),
		cmocka_unit_test(test_a_retransmission_of_the_same_bytes_keeps_the_stream_in_the_file),
		cmocka_unit_test(
			test_a_retransmission_of_other_bytes_makes_a_copy_where_the_later_ones_win),
		cmocka_unit_test(test_a_hole_in_a_mapped_recording_is_said_as_in_a_copied_one),
		cmocka_unit_test(test_a_truncated_file_loads_up_to_its_last_whole_record),
		cmocka_unit_test(test_a_file_other_than_classic_ethernet_pcap_is_left_to_the_reader),
		cmocka_unit_test(test_a_second_recording_is_refused),
		cmocka_unit_test(test_a_missing_file_is_an_error_naming_it),
		cmocka_unit_test(test_a_recording_truncated_under_the_replay_is_said_not_a_bus_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
