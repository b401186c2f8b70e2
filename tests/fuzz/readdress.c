/* Readdressing captured frames to an interface (see readdress.h). */
#include <string.h>

#include "readdress.h"

static uint16_t csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

void readdress_frame(uint8_t *f, size_t len, const uint8_t mac[6], const uint8_t ip[4])
{
	uint16_t type;
	size_t ihl;

	if (len < 14)
		return;
	type = (uint16_t)(f[12] << 8 | f[13]);
	memcpy(f, mac, 6);
	if (type == 0x0806 && len >= 14 + 28) {
		memcpy(f + 14 + 24, ip, 4);
	} else if (type == 0x0800 && len >= 14 + 20 && (ihl = (size_t)(f[14] & 15) * 4) >= 20 &&
		   len >= 14 + ihl) {
		memcpy(f + 14 + 16, ip, 4);
		f[14 + 10] = f[14 + 11] = 0;
		uint16_t c = csum(f + 14, ihl);
		f[14 + 10] = (uint8_t)(c >> 8);
		f[14 + 11] = (uint8_t)c;
		if (f[14 + 9] == 17 && len >= 14 + ihl + 8)
			f[14 + ihl + 6] = f[14 + ihl + 7] = 0;
	}
}
