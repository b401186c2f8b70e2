/* IPv4 addresses as text and prefix lengths (see <net/ip4.h>). */
#include <errno.h>
#include <stdio.h>

#include <net/ip4.h>

int ip4_addr_parse(const char *s, ip4_addr_t *out)
{
	uint32_t part[4];

	if (!s)
		return -EINVAL;
	for (int i = 0; i < 4; i++) {
		unsigned int v = 0, digits = 0;

		/* Up to 3 digits: rejects "0001" and keeps v from overflowing. */
		while (*s >= '0' && *s <= '9' && digits < 3) {
			v = v * 10 + (unsigned int)(*s++ - '0');
			digits++;
		}
		if (!digits || v > 255)
			return -EINVAL;
		if (i < 3 && *s++ != '.')
			return -EINVAL;
		part[i] = v;
	}
	if (*s)
		return -EINVAL;
	*out = IP4_ADDR(part[0], part[1], part[2], part[3]);
	return 0;
}

char *ip4_addr_str(ip4_addr_t a, char buf[16])
{
	const uint8_t *b = (const uint8_t *)&a;

	snprintf(buf, 16, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
	return buf;
}

ip4_addr_t ip4_prefix_mask(unsigned int prefix)
{
	uint32_t host;

	if (prefix == 0)
		return 0;
	if (prefix > 32)
		prefix = 32;
	host = 0xffffffffu << (32 - prefix); /* host byte order */
	return IP4_ADDR(host >> 24, (host >> 16) & 0xff, (host >> 8) & 0xff, host & 0xff);
}

int ip4_mask_prefix(ip4_addr_t mask)
{
	const uint8_t *b = (const uint8_t *)&mask;
	uint32_t host = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	int prefix = 0;

	while (prefix < 32 && (host & (0x80000000u >> prefix)))
		prefix++;
	/* Contiguous: nothing set below the run of ones. */
	if (prefix < 32 && (host << prefix))
		return -1;
	return prefix;
}
