/*
 * The Internet checksum (RFC 1071): the one's-complement sum of 16-bit
 * big-endian words. Sums are kept unfolded in 32 bits so that pieces can be
 * chained; net_csum_fold folds the carries and complements.
 */
#include <string.h>

#include "net_private.h"

/* Adds w to acc with the end-around carry of one's-complement addition. */
static uint64_t csum_add64(uint64_t acc, uint64_t w)
{
	acc += w;
	return acc + (acc < w);
}

/* An odd last byte as the first byte of a zero-padded 16-bit word, in host order. */
static uint64_t csum_last_byte(uint8_t b)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return b;
#else
	return (uint64_t)b << 8;
#endif
}

#if defined(__x86_64__)
/*
 * n32 (> 0) blocks of 32 bytes added to acc in one add-with-carry chain,
 * the carry out of each block added back at its end: 8 instructions per
 * 32 bytes (Linux's csum_partial on x86-64 does the same). C has no
 * add-with-carry, so the portable loop below needs twice as many.
 */
static uint64_t csum_blocks32(const uint8_t *p, size_t n32, uint64_t acc)
{
	__asm__("1:\n\t"
		"addq 0(%[p]), %[acc]\n\t"
		"adcq 8(%[p]), %[acc]\n\t"
		"adcq 16(%[p]), %[acc]\n\t"
		"adcq 24(%[p]), %[acc]\n\t"
		"adcq $0, %[acc]\n\t"
		"leaq 32(%[p]), %[p]\n\t"
		"decq %[n]\n\t"
		"jnz 1b"
		: [acc] "+r"(acc), [p] "+r"(p), [n] "+r"(n32)
		:
		: "cc", "memory");
	return acc;
}
#endif

/*
 * The one's-complement sum of data as 16-bit words in host byte order,
 * unfolded: 32 (x86-64), 16 and then 8 bytes at a time, the tail padded
 * with zero bytes. 0 only for all-zero data.
 */
static uint64_t csum_host(const uint8_t *p, size_t len)
{
	uint64_t acc = 0, w, w_next;

#if defined(__x86_64__)
	if (len >= 32) {
		acc = csum_blocks32(p, len / 32, acc);
		p += len & ~(size_t)31;
		len &= 31;
	}
#endif

	/* Two words per pass: one loop test and increment per 16 bytes. */
	for (; len >= 16; p += 16, len -= 16) {
		memcpy(&w, p, 8);
		memcpy(&w_next, p + 8, 8);
		acc = csum_add64(csum_add64(acc, w), w_next);
	}
	if (len >= 8) {
		memcpy(&w, p, 8);
		acc = csum_add64(acc, w);
		p += 8;
		len -= 8;
	}
	/* The tail in pieces of constant size, which the compiler turns into loads. */
	if (len & 4) {
		uint32_t w4;

		memcpy(&w4, p, 4);
		acc = csum_add64(acc, w4);
		p += 4;
	}
	if (len & 2) {
		uint16_t w2;

		memcpy(&w2, p, 2);
		acc = csum_add64(acc, w2);
		p += 2;
	}
	if (len & 1)
		acc = csum_add64(acc, csum_last_byte(*p));
	return acc;
}

/*
 * Adds len bytes to sum. An odd length is padded with a zero byte, so only
 * the last piece of a chain may be odd-sized (as in every header we build).
 * The word-at-a-time sum is Linux's do_csum (lib/checksum.c) idea.
 */
uint32_t net_csum_add(uint32_t sum, const void *data, size_t len)
{
	/* Kept in 32 bits: the caller may chain many large pieces. */
	return net_csum_fold32((uint64_t)sum + net_csum_host_to_be(net_csum_fold32(csum_host(data, len))));
}

/*
 * The sum of the 12-byte pseudo-header (src, dst, zero, proto, len), as
 * net_csum_add(0, header, 12) gives it, from the fields' 16-bit halves
 * instead of a built header: in host order, as csum_host would load them,
 * then swapped once.
 */
/* The pseudo-header's words in host order, unfolded (net_csum_pseudo). */
static uint64_t pseudo_host(ip4_addr_t src, ip4_addr_t dst, uint8_t proto, uint16_t len)
{
	/* src and dst are in network byte order: their halves are loaded as stored. */
	uint64_t acc = (uint64_t)(src & 0xffff) + (src >> 16) + (dst & 0xffff) + (dst >> 16);

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	acc += (uint32_t)proto << 8;
	acc += __builtin_bswap16(len);
#else
	acc += proto;
	acc += len;
#endif
	return acc;
}

uint32_t net_csum_pseudo(ip4_addr_t src, ip4_addr_t dst, uint8_t proto, uint16_t len)
{
	return net_csum_host_to_be(net_csum_fold32(pseudo_host(src, dst, proto, len)));
}

/*
 * net_csum_fold(net_csum_add(net_csum_pseudo(src, dst, proto, len), data,
 * len)) with one fold and one byte swap: the pseudo-header and the data
 * summed in host order together.
 */
uint16_t net_csum_l4(ip4_addr_t src, ip4_addr_t dst, uint8_t proto, const void *data,
		     size_t len)
{
	uint64_t acc = csum_add64(csum_host(data, len),
				  pseudo_host(src, dst, proto, (uint16_t)len));

	return net_csum_fold(net_csum_host_to_be(net_csum_fold32(acc)));
}
