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

/* acc folded to 16 bits (the end-around carries added back in). */
static uint16_t csum_fold64(uint64_t acc)
{
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

/*
 * The one's-complement sum of data as 16-bit words in host byte order,
 * folded to 16 bits: 16 and then 8 bytes at a time, the tail padded with
 * zero bytes. RFC 1071 2(B): the sum is byte-order independent, so swapping
 * the folded result gives the sum of big-endian words. 0 only for all-zero
 * data.
 */
static uint16_t csum_host16(const uint8_t *p, size_t len)
{
	uint64_t acc = 0, w, w_next;

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
	return csum_fold64(acc);
}

/*
 * Adds len bytes to sum. An odd length is padded with a zero byte, so only
 * the last piece of a chain may be odd-sized (as in every header we build).
 * The word-at-a-time sum is Linux's do_csum (lib/checksum.c) idea.
 */
uint32_t net_csum_add(uint32_t sum, const void *data, size_t len)
{
	uint16_t h = csum_host16(data, len);
	uint64_t acc;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	h = __builtin_bswap16(h);
#endif
	acc = (uint64_t)sum + h;
	/* Fold into 32 bits now: the caller may chain many large pieces. */
	return (uint32_t)((acc & 0xffffffffu) + (acc >> 32));
}

uint16_t net_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * The sum of the 12-byte pseudo-header (src, dst, zero, proto, len), as
 * net_csum_add(0, header, 12) gives it, from the fields' 16-bit halves
 * instead of a built header: in host order, as csum_host16 would load them,
 * then swapped once.
 */
uint32_t net_csum_pseudo(ip4_addr_t src, ip4_addr_t dst, uint8_t proto, uint16_t len)
{
	/* src and dst are in network byte order: their halves are loaded as stored. */
	uint64_t acc = (uint64_t)(src & 0xffff) + (src >> 16) + (dst & 0xffff) + (dst >> 16);
	uint16_t h;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	acc += (uint32_t)proto << 8;
	acc += __builtin_bswap16(len);
	h = __builtin_bswap16(csum_fold64(acc));
#else
	acc += proto;
	acc += len;
	h = csum_fold64(acc);
#endif
	return h;
}
