/*
 * <uk/random.h>: xoshiro256** (Blackman and Vigna, 2018), a small fast
 * generator with 256 bits of state that passes BigCrush, seeded by
 * expanding one 64-bit seed with splitmix64, as its authors recommend (a
 * splitmix64 stream is never all zeros four times in a row, the one state
 * xoshiro cannot leave).
 */
#include <stdbool.h>
#include <string.h>

#include "uk/random.h"
#include "random_private.h"

static struct {
	uint64_t s[4];
	bool seeded;
} R;

uint64_t uk_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void uk_random_seed(uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		R.s[i] = uk_splitmix64(&seed);
	R.seeded = true;
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t uk_random_u64(void)
{
	uint64_t *s = R.s, result, t;

	if (!R.seeded)
		uk_random_seed(0);
	result = rotl(s[1] * 5, 7) * 9;
	t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint32_t uk_random_u32(void)
{
	/* The high bits: xoshiro256**'s are as good as any, and it is the usual choice. */
	return (uint32_t)(uk_random_u64() >> 32);
}

/*
 * Lemire's multiply-and-reject ("Fast random integer generation in an
 * interval", 2019): the high word of x * bound is uniform once the low
 * words below 2^64 mod bound are rejected.
 */
uint64_t uk_random_below(uint64_t bound)
{
	unsigned __int128 m;
	uint64_t low;

	if (bound == 0)
		return 0;
	m = (unsigned __int128)uk_random_u64() * bound;
	low = (uint64_t)m;
	if (low < bound) {
		uint64_t threshold = -bound % bound;

		while (low < threshold) {
			m = (unsigned __int128)uk_random_u64() * bound;
			low = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

void uk_random_bytes(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len > 0) {
		uint64_t v = uk_random_u64();
		size_t n = len < sizeof(v) ? len : sizeof(v);

		memcpy(p, &v, n);
		p += n;
		len -= n;
	}
}
