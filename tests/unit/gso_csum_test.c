/*
 * sim/backends/gso.c's checksums, summed eight bytes at a time: a TCP or
 * UDP frame of every payload length from 0 to 80 (odd lengths and tails
 * that are not a multiple of eight), payloads of all-ones and zero bytes
 * (the two zeros of ones' complement), and a 64 KiB frame, each filled by
 * gso_csum_fill and checked by the test peer's own checksum code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "peer.h"
#include "sim/backends/gso.h"

#define FRAME_MAX (14 + 65535)
#define IP_HLEN 20
#define TCP_HLEN 20

static const struct peer p = {
	.mac = { 2, 0, 0, 0, 0, 1 }, .ip = PEER_IP4(10, 0, 0, 1),
	.guest_mac = { 2, 0, 0, 0, 0, 2 }, .guest_ip = PEER_IP4(10, 0, 0, 2),
};

/* A frame of proto with len payload bytes made by fill (0: pattern, 1: 0xff, 2: 0). */
static size_t frame_make(uint8_t *f, uint8_t proto, size_t len, int fill)
{
	uint8_t *data = malloc(len + 1);
	struct peer_tcp h = { .sport = 80, .dport = 40000, .seq = 7, .ack = 9,
			      .flags = TH_ACK, .window = 100 };
	size_t n;

	assert_non_null(data);
	for (size_t i = 0; i < len; i++)
		data[i] = fill == 0 ? (uint8_t)(i * 37 + 11) : fill == 1 ? 0xff : 0;
	if (proto == IPPROTO_TCP)
		n = peer_tcp_frame(&p, f, &h, data, len);
	else
		n = peer_udp_frame(&p, f, 5000, 6000, data, len);
	free(data);
	return n;
}

/* The checksum field blanked (wrongly set), filled again, checked by the peer's code. */
static void assert_filled_right(uint8_t *f, size_t n, uint8_t proto)
{
	size_t field = 14 + IP_HLEN + (proto == IPPROTO_TCP ? 16 : 6);

	f[field] ^= 0x5a;
	assert_int_equal(gso_csum_fill(f, n), 0);
	assert_true(peer_ip4_l4_csum_ok(f + 14, n - 14));
}

static void test_checksums_of_every_short_length_and_fill_are_right(void **state)
{
	static uint8_t f[FRAME_MAX];
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };

	for (size_t k = 0; k < 2; k++)
		for (int fill = 0; fill < 3; fill++)
			for (size_t len = 0; len <= 80; len++) {
				size_t n = frame_make(f, protos[k], len, fill);
				assert_filled_right(f, n, protos[k]);
			}
	(void)state;
}

static void test_the_checksum_of_a_64_kib_tcp_frame_is_right(void **state)
{
	static uint8_t f[FRAME_MAX];
	size_t len = 65535 - IP_HLEN - TCP_HLEN;

	for (int fill = 0; fill < 3; fill++) {
		size_t n = frame_make(f, IPPROTO_TCP, len, fill);
		assert_int_equal(n, FRAME_MAX);
		assert_filled_right(f, n, IPPROTO_TCP);
	}
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksums_of_every_short_length_and_fill_are_right),
		cmocka_unit_test(test_the_checksum_of_a_64_kib_tcp_frame_is_right),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
