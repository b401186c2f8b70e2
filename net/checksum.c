/*
 * The Internet checksum (RFC 1071): the one's-complement sum of 16-bit
 * big-endian words. Sums are kept unfolded in 32 bits so that pieces can be
 * chained; net_csum_fold folds the carries and complements.
 */
#include <string.h>

#include "net_private.h"

/*
 * Adds len bytes to sum. An odd length is padded with a zero byte, so only
 * the last piece of a chain may be odd-sized (as in every header we build).
 */
uint32_t net_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t acc = sum;

	while (len >= 2) {
		acc += (uint32_t)(p[0] << 8 | p[1]);
		p += 2;
		len -= 2;
	}
	if (len)
		acc += (uint32_t)p[0] << 8;
	/* Fold into 32 bits now: the caller may chain many large pieces. */
	while (acc >> 32)
		acc = (acc & 0xffffffffu) + (acc >> 32);
	return (uint32_t)acc;
}

uint16_t net_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t net_csum_pseudo(ip4_addr_t src, ip4_addr_t dst, uint8_t proto, uint16_t len)
{
	uint8_t ph[12];

	memcpy(ph, &src, 4); /* already in network byte order */
	memcpy(ph + 4, &dst, 4);
	ph[8] = 0;
	ph[9] = proto;
	net_put16(ph + 10, len);
	return net_csum_add(0, ph, sizeof(ph));
}
