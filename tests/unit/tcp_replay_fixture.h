/*
 * What the tests of the TCP replayer (traces/tcp_replay*.c) share
 * (tcp_replay*_test.c): the recording's two ends and the guest, built with
 * the test peer (tests/support/peer.h), whose checksum code is not the
 * replayer's; a replayer whose lines are kept to be looked for; and a
 * classic pcap file written record by record.
 *
 * The recording: the peer (10.0.0.1, port 40000 unless a test says
 * otherwise) and the recorded host (10.0.0.2, port 80); the guest at
 * 10.0.0.7 is played by the test. Each test keeps its own ISNs and T0.
 *
 * Each test file includes this header once, hence the static inline helpers.
 */
#ifndef TESTS_UNIT_TCP_REPLAY_FIXTURE_H
#define TESTS_UNIT_TCP_REPLAY_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peer.h"
#include "traces/tcp_replay.h"

#define AS_IP PEER_IP4(10, 0, 0, 2)
#define PEER_IP PEER_IP4(10, 0, 0, 1)
#define GUEST_IP PEER_IP4(10, 0, 0, 7)
#define MS 1000000ULL
#define S (1000 * MS)

static const uint8_t guest_mac[6] = { 0x00, 0x16, 0x3e, 0x00, 0x01, 0x00 };
static const char request[] = "GET /x\r\n\r\n"; /* 10 bytes */

/* The recording: the peer to the recorded host, and back. */
static const struct peer rec_peer = {
	.mac = { 2, 0, 0, 0, 0, 0x01 }, .ip = PEER_IP,
	.guest_mac = { 2, 0, 0, 0, 0, 0x20 }, .guest_ip = AS_IP,
};
static const struct peer rec_host = {
	.mac = { 2, 0, 0, 0, 0, 0x20 }, .ip = AS_IP,
	.guest_mac = { 2, 0, 0, 0, 0, 0x01 }, .guest_ip = PEER_IP,
};
/* The guest, answering the replayer. */
static const struct peer guest = {
	.mac = { 0x00, 0x16, 0x3e, 0x00, 0x01, 0x00 }, .ip = GUEST_IP,
	.guest_mac = { 2, 0, 0, 0, 0, 0x01 }, .guest_ip = PEER_IP,
};

/* The lines the replayer said (the first 8), and how many were divergences. */
static char lines[8][512];
static unsigned int nr_lines, nr_divergences;

static inline void say(void *ctx, bool divergence, const char *line)
{
	(void)ctx;
	if (nr_lines < 8)
		snprintf(lines[nr_lines++], sizeof(lines[0]), "%s", line);
	nr_divergences += divergence;
	if (getenv("TCP_REPLAY_TEST_SAY"))
		fprintf(stderr, "said: %s\n", line);
}

static inline bool said(const char *part)
{
	for (unsigned int i = 0; i < nr_lines; i++)
		if (strstr(lines[i], part))
			return true;
	return false;
}

/* A replayer playing the peer of as_ip, its lines forgotten. */
static inline struct tcp_replay *make(uint32_t as_ip)
{
	struct tcp_replay_config c = { .as_ip = as_ip, .say = say };
	struct tcp_replay *tr;

	memcpy(c.guest_mac, guest_mac, 6);
	nr_lines = nr_divergences = 0;
	assert_int_equal(tcp_replay_create(&c, &tr), 0);
	return tr;
}

/* The pcap file being written: a temporary file, removed by the test. */
struct file {
	char path[64];
	FILE *fp;
};

static inline void put32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* A new temporary file with a pcap header of this magic and link type. */
static inline void file_open(struct file *f, uint32_t magic, uint32_t linktype)
{
	uint8_t h[24] = { 0 };
	int fd;

	snprintf(f->path, sizeof(f->path), "/tmp/tcp_replay_test.XXXXXX");
	assert_true((fd = mkstemp(f->path)) >= 0);
	assert_non_null(f->fp = fdopen(fd, "wb"));
	put32le(h, magic);
	h[4] = 2;
	h[6] = 4;
	put32le(h + 16, 65535);
	put32le(h + 20, linktype);
	assert_int_equal(fwrite(h, 1, sizeof(h), f->fp), sizeof(h));
}

static inline void file_frame(struct file *f, const uint8_t *frame, size_t len)
{
	uint8_t h[16] = { 0 };

	put32le(h, 1000);
	put32le(h + 8, (uint32_t)len);
	put32le(h + 12, (uint32_t)len);
	assert_int_equal(fwrite(h, 1, sizeof(h), f->fp), sizeof(h));
	assert_int_equal(fwrite(frame, 1, len, f->fp), len);
}

/* A recorded segment of the flow 40000 -> 80 written to f; the peer's SYN offers MSS 1460. */
static inline void rec(struct file *f, const struct peer *from, uint32_t seq, uint32_t ack,
		       uint8_t flags, const void *data, size_t len)
{
	static const uint8_t syn_opts[] = { 2, 4, 0x05, 0xb4, 1, 1, 1, 1 };
	uint8_t frame[PEER_FRAME_MAX];
	bool up = from == &rec_peer;
	bool syn = (flags & TH_SYN) && up;
	struct peer_tcp h = { .sport = up ? 40000 : 80, .dport = up ? 80 : 40000, .seq = seq,
			      .ack = ack, .flags = flags, .window = 512,
			      .options = syn ? syn_opts : NULL,
			      .options_len = syn ? sizeof(syn_opts) : 0 };

	file_frame(f, frame, peer_tcp_frame(from, frame, &h, data, len));
}

/* What the replayer sent: one segment's fields. */
struct out {
	uint32_t seq, ack;
	uint16_t sport, dport;
	uint8_t flags;
	const uint8_t *data, *opts;
	size_t len, olen;
};

/*
 * The replayer's next frame, its addresses and checksums checked, parsed
 * into *o; false when it sent nothing more. *frame: the whole frame.
 */
static inline bool out_pop(struct tcp_replay *tr, struct out *o, const uint8_t **frame)
{
	const uint8_t *f, *th;
	size_t len;

	if (!tcp_replay_pop(tr, &f, &len))
		return false;
	assert_true(len >= 54);
	assert_memory_equal(f, guest_mac, 6);
	assert_memory_equal(f + 6, rec_peer.mac, 6);
	assert_int_equal(peer_csum_fold(peer_csum_add(0, f + 14, 20)), 0);
	assert_true(peer_ip4_l4_csum_ok(f + 14, len - 14));
	th = f + 34;
	o->sport = (uint16_t)(th[0] << 8 | th[1]);
	o->dport = (uint16_t)(th[2] << 8 | th[3]);
	o->seq = (uint32_t)th[4] << 24 | (uint32_t)th[5] << 16 | (uint32_t)th[6] << 8 | th[7];
	o->ack = (uint32_t)th[8] << 24 | (uint32_t)th[9] << 16 | (uint32_t)th[10] << 8 | th[11];
	o->flags = th[13];
	o->opts = th + 20;
	o->olen = (size_t)(th[12] >> 4) * 4 - 20;
	o->data = th + 20 + o->olen;
	o->len = len - 34 - 20 - o->olen;
	*frame = f;
	return true;
}

#endif
