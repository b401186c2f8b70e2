/*
 * Why a mapped walk refused a record (pcap_walk.h), in the words the
 * libpcap path gives: libpcap's own (sf-pcap.c's pcap_next_packet, checked in
 * its order) for what it refuses, pcap_reader.c's for what libpcap lets
 * through (a record over the snap length, which it cuts; one captured longer
 * than it was on the wire).
 */
#include <errno.h>
#include <stdio.h>

#include "traces/pcap_walk.h"

int trace_walk_explain(const struct trace_walk *w, char *msg, size_t size)
{
	size_t left = w->len - w->at, body;
	const uint8_t *h = w->p + w->at;
	uint32_t caplen, wire;

	if (left < TRACE_WALK_REC_HDR) {
		snprintf(msg, size, "truncated dump file; tried to read %u header bytes, only got %zu",
			 TRACE_WALK_REC_HDR, left);
		return -EBADMSG;
	}
	caplen = trace_walk_get32(h + 8, w->swapped);
	wire = trace_walk_get32(h + 12, w->swapped);
	body = left - TRACE_WALK_REC_HDR;
	if (caplen > TRACE_WALK_CAPLEN_MAX && caplen > w->snaplen)
		snprintf(msg, size, "invalid packet capture length %u, bigger than snaplen of %u",
			 caplen, w->snaplen);
	else if (caplen > TRACE_WALK_CAPLEN_MAX)
		snprintf(msg, size, "invalid packet capture length %u, bigger than maximum of %u",
			 caplen, TRACE_WALK_CAPLEN_MAX);
	else if (caplen > w->snaplen && body < w->snaplen) /* its first read, of the snap length */
		snprintf(msg, size, "truncated dump file; tried to read %u captured bytes, only got %zu",
			 w->snaplen, body);
	else if (caplen > body)
		snprintf(msg, size, "truncated dump file; tried to read %u captured bytes, only got %zu",
			 caplen, body);
	else if (caplen > w->snaplen)
		snprintf(msg, size, "captured length %u exceeds the file's snap length %u", caplen,
			 w->snaplen);
	else if (caplen > wire)
		snprintf(msg, size, "captured length %u exceeds the frame's length %u", caplen, wire);
	else
		snprintf(msg, size, "malformed record");
	return -EBADMSG;
}
