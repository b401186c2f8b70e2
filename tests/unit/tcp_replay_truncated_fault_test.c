/*
 * tcp=replay's mapped recording truncated while replayed, inside drydock's
 * own process (sim/host/fault.c's SIGBUS handler, as a run has it): the
 * pages past the file's new end read as zeros and the replay says the
 * recording was truncated, where the SIGBUS used to be reported as the
 * guest's crash (exit 70). The recording (peer 10.0.0.1:40000, recorded
 * host 10.0.0.2:80: a 10-byte request, a 300-byte answer) is written with
 * the test peer; the guest's side is given to the replayer by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hypercall_shim/shim.h"
#include "runtime/include/uk/boot.h"
#include "peer.h"
#include "traces/tcp_replay.h"

const char uk_app_name[] = "tcp_replay_truncated_fault_test";

#define AS_IP PEER_IP4(10, 0, 0, 2)
#define PEER_ISN 1000u
#define HOST_ISN 5000u
#define GUEST_ISN 90000u
#define MS 1000000ULL
#define T0 (5 * 1000 * MS)
#define ANSWER_LEN 300

static const struct peer rec_peer = {
	.mac = { 2, 0, 0, 0, 0, 0x01 }, .ip = PEER_IP4(10, 0, 0, 1),
	.guest_mac = { 2, 0, 0, 0, 0, 0x20 }, .guest_ip = AS_IP,
};
static const struct peer rec_host = {
	.mac = { 2, 0, 0, 0, 0, 0x20 }, .ip = AS_IP,
	.guest_mac = { 2, 0, 0, 0, 0, 0x01 }, .guest_ip = PEER_IP4(10, 0, 0, 1),
};
static const struct peer guest = {
	.mac = { 0x00, 0x16, 0x3e, 0x00, 0x01, 0x00 }, .ip = PEER_IP4(10, 0, 0, 7),
	.guest_mac = { 2, 0, 0, 0, 0, 0x01 }, .guest_ip = PEER_IP4(10, 0, 0, 1),
};
static uint8_t answer[ANSWER_LEN];
static char said[512];
static unsigned int divergences;

static void say(void *ctx, bool divergence, const char *line)
{
	(void)ctx;
	if (divergence && !divergences++)
		snprintf(said, sizeof(said), "%s", line);
}

static void put32le(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void rec(FILE *fp, const struct peer *from, uint32_t seq, uint32_t ack, uint8_t flags,
		const void *data, size_t len)
{
	static const uint8_t syn_opts[] = { 2, 4, 0x05, 0xb4, 1, 1, 1, 1 };
	uint8_t frame[PEER_FRAME_MAX], h[16] = { 0 };
	bool up = from == &rec_peer, syn = (flags & TH_SYN) && up;
	struct peer_tcp t = { .sport = up ? 40000 : 80, .dport = up ? 80 : 40000, .seq = seq,
			      .ack = ack, .flags = flags, .window = 512,
			      .options = syn ? syn_opts : NULL, .options_len = syn ? 8 : 0 };
	size_t n = peer_tcp_frame(from, frame, &t, data, len);

	put32le(h, 1000);
	put32le(h + 8, (uint32_t)n);
	put32le(h + 12, (uint32_t)n);
	assert_int_equal(fwrite(h, 1, 16, fp), 16);
	assert_int_equal(fwrite(frame, 1, n, fp), n);
}

static void recording_write(char *path)
{
	uint8_t h[24] = { 0 };
	int fd = mkstemp(path);
	FILE *fp;

	assert_true(fd >= 0);
	assert_non_null(fp = fdopen(fd, "wb"));
	put32le(h, 0xa1b2c3d4);
	h[4] = 2;
	h[6] = 4;
	put32le(h + 16, 65535);
	put32le(h + 20, 1);
	assert_int_equal(fwrite(h, 1, 24, fp), 24);
	for (unsigned int i = 0; i < ANSWER_LEN; i++)
		answer[i] = (uint8_t)('a' + i % 26);
	rec(fp, &rec_peer, PEER_ISN, 0, TH_SYN, NULL, 0);
	rec(fp, &rec_host, HOST_ISN, PEER_ISN + 1, TH_SYN | TH_ACK, NULL, 0);
	rec(fp, &rec_peer, PEER_ISN + 1, HOST_ISN + 1, TH_ACK | TH_PUSH, "GET /x\r\n\r\n", 10);
	rec(fp, &rec_host, HOST_ISN + 1, PEER_ISN + 11, TH_ACK, answer, ANSWER_LEN);
	rec(fp, &rec_host, HOST_ISN + 1 + ANSWER_LEN, PEER_ISN + 11, TH_ACK | TH_FIN, NULL, 0);
	assert_int_equal(fclose(fp), 0);
}

static void guest_says(struct tcp_replay *tr, uint64_t now, uint32_t seq, uint8_t flags,
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

static void test_a_recording_truncated_while_replayed_is_said_and_the_process_goes_on(
	void **state)
{
	struct tcp_replay_config c = { .as_ip = AS_IP, .say = say };
	char path[] = "/tmp/tcp_replay_truncated_fault_test.XXXXXX", err[256] = "";
	struct tcp_replay *tr;

	/* The process's SIGBUS handler (fault.c's) again, in place of the one CMocka sets per test. */
	assert_int_equal(shim_catch_faults(), 0);
	recording_write(path);
	memcpy(c.guest_mac, guest.mac, 6);
	assert_int_equal(tcp_replay_create(&c, &tr), 0);
	assert_int_equal(tcp_replay_load_file(tr, path, err, sizeof(err)), 1);
	assert_int_equal(tcp_replay_load_done(tr), 1);
	tcp_replay_start(tr, T0, guest.ip);
	tcp_replay_run(tr, T0);
	guest_says(tr, T0 + MS, GUEST_ISN, TH_SYN | TH_ACK, NULL, 0);
	/* The mapped page now lies past the end of the file: reading it is a SIGBUS. */
	assert_int_equal(truncate(path, 0), 0);
	guest_says(tr, T0 + 2 * MS, GUEST_ISN + 1, TH_ACK, answer, ANSWER_LEN);
	assert_int_equal(divergences, 1);
	assert_non_null(strstr(said, "truncated while replayed"));
	tcp_replay_destroy(tr);
	unlink(path);
	(void)state;
}

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_a_recording_truncated_while_replayed_is_said_and_the_process_goes_on),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
