/* Message reassembly for the xenstore socket (see xs_reader.h). */
#include <errno.h>
#include <string.h>

#include "sim/xenstored/xs_reader.h"

long xs_reader_take(struct xs_reader *r, const char *p, size_t n, bool *whole)
{
	size_t taken = 0;

	*whole = false;
	if (r->have == sizeof(r->hdr) + r->hdr.len && r->have >= sizeof(r->hdr))
		r->have = 0; /* the previous message was handed out */
	while (taken < n) {
		size_t want, take;

		if (r->have < sizeof(r->hdr)) {
			want = sizeof(r->hdr) - r->have;
			take = n - taken < want ? n - taken : want;
			memcpy((char *)&r->hdr + r->have, p + taken, take);
		} else {
			want = sizeof(r->hdr) + r->hdr.len - r->have;
			take = n - taken < want ? n - taken : want;
			memcpy(r->payload + (r->have - sizeof(r->hdr)), p + taken, take);
		}
		r->have += take;
		taken += take;
		if (r->have == sizeof(r->hdr) && r->hdr.len > XENSTORE_PAYLOAD_MAX)
			return -EMSGSIZE;
		if (r->have >= sizeof(r->hdr) && r->have == sizeof(r->hdr) + r->hdr.len) {
			*whole = true;
			break;
		}
	}
	return (long)taken;
}

bool xs_reader_idle(const struct xs_reader *r)
{
	return r->have == 0 || (r->have >= sizeof(r->hdr) && r->have == sizeof(r->hdr) + r->hdr.len);
}
