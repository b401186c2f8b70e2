/*
 * Walking a classic pcap file's 16-byte record headers in place, in a mapped
 * file (trace_map.h): the one record walker of pcap_reader.c's mapped reads
 * and tcp_replay_map.c's load. The file header is libpcap's to check
 * (trace_reader_layout says where the records start, the byte order, the
 * timestamp unit and the snap length libpcap applies).
 *
 * trace_walk_next takes what libpcap's sf-pcap.c pcap_next_packet takes and
 * hands the frame over by pointer; for a record it does not take,
 * trace_walk_explain says why in libpcap's words (or, for a record over the
 * snap length, which libpcap cuts silently, pcap_reader.c's), so a file reads
 * the same mapped or through libpcap.
 */
#ifndef TRACES_PCAP_WALK_H
#define TRACES_PCAP_WALK_H

#include <endian.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "traces/pcap_reader.h" /* struct trace_layout */
#include "traces/trace_map.h"

#define TRACE_WALK_REC_HDR 16
#define TRACE_WALK_NSEC_PER_SEC 1000000000ULL
/* libpcap's max_snaplen_for_dlt(DLT_EN10MB): a longer record is refused whatever the snap length. */
#define TRACE_WALK_CAPLEN_MAX 262144u

struct trace_walk {
	const uint8_t *p;  /* the file */
	size_t len;        /* its length */
	size_t at;         /* the next record's offset */
	uint32_t snaplen;  /* as libpcap applies it */
	uint32_t take_max; /* the longest record taken: snaplen, at most TRACE_WALK_CAPLEN_MAX */
	bool swapped;      /* big-endian fields (libpcap's "swapped" on this host) */
	bool nsec;         /* nanosecond timestamps; else microseconds */
};

/* One record: the frame in the file, its captured and wire lengths, its time in ns. */
struct trace_walk_rec {
	const uint8_t *frame;
	uint32_t caplen, len;
	uint64_t ts_ns;
};

static inline uint32_t trace_walk_get32(const uint8_t *p, bool swapped)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return swapped ? be32toh(v) : le32toh(v);
}

/*
 * Sets w up to walk m's records as l says (take_max follows from the snap
 * length). False when the mapping ends before the first record: the file
 * changed since libpcap read its header.
 */
static inline bool trace_walk_init(struct trace_walk *w, const struct trace_map *m,
				   const struct trace_layout *l)
{
	if (l->first > m->len)
		return false;
	*w = (struct trace_walk){ .p = m->p, .len = m->len, .at = (size_t)l->first,
				  .snaplen = l->snaplen,
				  .take_max = l->snaplen < TRACE_WALK_CAPLEN_MAX ? l->snaplen :
						TRACE_WALK_CAPLEN_MAX,
				  .swapped = l->swapped, .nsec = l->nsec };
	return true;
}

/*
 * The next record: 1 (rec set, the walk past it), 0 at the end of the file,
 * -1 for a record libpcap would refuse or cut (truncated header or body,
 * captured length over the snap length or over the wire length): the walk
 * stays on it for trace_walk_explain.
 */
static inline int trace_walk_next(struct trace_walk *w, struct trace_walk_rec *rec)
{
	size_t left = w->len - w->at;
	const uint8_t *h = w->p + w->at;
	uint32_t caplen, wire, frac;

	if (left < TRACE_WALK_REC_HDR)
		return left ? -1 : 0;
	caplen = trace_walk_get32(h + 8, w->swapped);
	wire = trace_walk_get32(h + 12, w->swapped);
	if (caplen > w->take_max || caplen > wire || caplen > left - TRACE_WALK_REC_HDR)
		return -1;
	frac = trace_walk_get32(h + 4, w->swapped);
	rec->frame = h + TRACE_WALK_REC_HDR;
	rec->caplen = caplen;
	rec->len = wire;
	/* libpcap scales microseconds in its 32-bit field: a garbage one wraps there too. */
	rec->ts_ns = (uint64_t)trace_walk_get32(h, w->swapped) * TRACE_WALK_NSEC_PER_SEC +
		     (w->nsec ? frac : (uint32_t)(frac * 1000u));
	w->at += TRACE_WALK_REC_HDR + caplen;
	return 1;
}

/*
 * Why trace_walk_next refused the record it stays on, into msg (size): the
 * message pcap_reader.c gives for it reading with libpcap. Returns -EBADMSG.
 */
int trace_walk_explain(const struct trace_walk *w, char *msg, size_t size);

#endif
