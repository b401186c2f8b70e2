/*
 * Initial sequence numbers (RFC 6528): ISN = M + F(localip, localport,
 * remoteip, remoteport, secretkey), M a clock ticking every 4 microseconds,
 * F SipHash-2-4 (Aumasson and Bernstein) under a key drawn once from
 * <uk/random.h>. As Linux's secure_tcp_seq: connections to the same peer
 * get increasing numbers, other peers cannot guess them, and under the
 * simulator's --seed and virtual clock they repeat run after run.
 */
#include <stdbool.h>
#include <uk/random.h>
#include <uk/time.h>

#include "tcp_private.h"

static uint64_t isn_key[2];
static bool isn_keyed;

static inline uint64_t rotl(uint64_t x, unsigned int b)
{
	return (x << b) | (x >> (64 - b));
}

#define SIPROUND(v0, v1, v2, v3)                                                          \
	do {                                                                              \
		v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);                 \
		v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;                                    \
		v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;                                    \
		v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);                 \
	} while (0)

/* SipHash-2-4 of two 64-bit words (a 16-byte message). */
static uint64_t siphash_2words(const uint64_t k[2], uint64_t m0, uint64_t m1)
{
	uint64_t v0 = k[0] ^ 0x736f6d6570736575ull, v1 = k[1] ^ 0x646f72616e646f6dull;
	uint64_t v2 = k[0] ^ 0x6c7967656e657261ull, v3 = k[1] ^ 0x7465646279746573ull;
	uint64_t words[3] = { m0, m1, (uint64_t)16 << 56 };

	for (int i = 0; i < 3; i++) {
		v3 ^= words[i];
		SIPROUND(v0, v1, v2, v3);
		SIPROUND(v0, v1, v2, v3);
		v0 ^= words[i];
	}
	v2 ^= 0xff;
	for (int i = 0; i < 4; i++)
		SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

uint32_t tcp_isn(ip4_addr_t laddr, uint16_t lport, ip4_addr_t raddr, uint16_t rport)
{
	uint64_t m0 = (uint64_t)laddr << 32 | raddr, m1 = (uint64_t)lport << 16 | rport;

	if (!isn_keyed) {
		isn_key[0] = uk_random_u64();
		isn_key[1] = uk_random_u64();
		isn_keyed = true;
	}
	return (uint32_t)siphash_2words(isn_key, m0, m1) +
	       (uint32_t)(uk_now_ns() / (4 * UK_NSEC_PER_USEC));
}
