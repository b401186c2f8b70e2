/*
 * Reading Ethernet frames from a pcap or pcapng file (libpcap), with
 * nanosecond timestamps whatever the file's precision. A classic pcap file
 * may instead be walked from a read-only mapping (trace_reader_map), with
 * the same results.
 *
 * Only link type EN10MB (Ethernet) is accepted, in a pcapng file on every
 * interface (each may have its own timestamp resolution); a trailing frame check
 * sequence announced in the file header (link type 1 with the FCS bits set)
 * is cut off, so frames are handed on as a NIC would hand them to its host.
 *
 * Input is untrusted. A truncated file header, record header or record, a
 * record whose captured length exceeds the file's snap length or its own
 * wire length, stop the reading with an error whose message names the file
 * and the record number (1 = the first record). A record captured shorter
 * than it was on the wire (caplen < len) is handed on as captured and
 * counted (trace_reader_snapped). A timestamp past 2^64 - 1 ns (guest time's
 * end, in 2554) is an error too. In a pcapng file the snap length check is
 * libpcap's own (it cuts such a record to the snap length: counted snapped).
 *
 * Functions return 0 (or 1 as documented) or a negative errno.
 */
#ifndef TRACES_PCAP_READER_H
#define TRACES_PCAP_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct trace_reader;

/*
 * Opens path and checks its header and link type. On failure writes a
 * one-line reason naming the file into err (size errlen) and returns
 * -errno (opening the file), -EBADMSG (not a pcap file, or truncated) or
 * -EPROTONOSUPPORT (not Ethernet; the message names the link type).
 */
int trace_reader_open(const char *path, struct trace_reader **out, char *err, size_t errlen);
/*
 * Reads the next record: 1 with *frame and *len (valid until the next call)
 * and *ts_ns (the record's timestamp, ns since the epoch); 0 at the end of
 * the file; or a negative errno (-EBADMSG: malformed or truncated record,
 * -EIO: read error, -EPROTONOSUPPORT: a pcapng interface that is not
 * Ethernet, named) after which trace_reader_error says what and where and
 * every later call returns the same error.
 */
int trace_reader_next(struct trace_reader *r, const uint8_t **frame, size_t *len,
		      uint64_t *ts_ns);
/* One record, as trace_reader_read hands it over. */
struct trace_record {
	const uint8_t *frame; /* valid as trace_reader_next's */
	size_t len;
	uint64_t ts_ns;
	uint64_t number;      /* the record's, 1: the first (trace_reader_records) */
	bool snapped;         /* captured shorter than on the wire (counted in trace_reader_snapped) */
};
/*
 * trace_reader_next, with the record's number and whether it was captured
 * short: for a reader of every record (the pcap vif), without a call for each.
 */
int trace_reader_read(struct trace_reader *r, struct trace_record *rec);
/* The last error's message ("FILE: record N: ..."), or "" when none. */
const char *trace_reader_error(const struct trace_reader *r);
/* Records read so far, including one that failed. */
uint64_t trace_reader_records(const struct trace_reader *r);
/* Frames handed on that were captured shorter than on the wire. */
uint64_t trace_reader_snapped(const struct trace_reader *r);
/* "pcap (microseconds)", "pcap (nanoseconds)" or "pcapng": what the file is. */
const char *trace_reader_format(const struct trace_reader *r);
/*
 * How far reading has got: bytes of the file consumed and its size, for a
 * progress line. -ESPIPE when the size is not known.
 */
int trace_reader_progress(const struct trace_reader *r, uint64_t *done, uint64_t *size);
/* The link type, by libpcap's name and description: always "EN10MB (Ethernet)". */
#define TRACE_READER_LINK_TYPE "EN10MB (Ethernet)"
/*
 * Where a classic pcap file's records lie, as libpcap read its header, for
 * a reader that maps the file and walks the 16-byte record headers itself
 * (tcp_replay_map.c): the offset of the first record, the byte order, the
 * timestamp unit and the snap length libpcap applies. Only a file of
 * version 2.4 on: before it libpcap may swap the captured and wire lengths.
 */
struct trace_layout {
	uint64_t first;
	uint32_t snaplen;
	bool swapped, nsec;
};
/*
 * Fills *out: 0, or -ENOTSUP for what such a walk cannot take (pcapng, the
 * 24-byte record kind, a trailing FCS, a pipe).
 */
int trace_reader_layout(const struct trace_reader *r, struct trace_layout *out);
/*
 * From here on, reads the records from a read-only mapping of the file,
 * walked in place (pcap_walk.h), instead of through libpcap's reads: a
 * frame is then valid until trace_reader_close, not only until the next
 * call. Only for what trace_reader_layout takes, in a regular file, before
 * the first record is read. The same frames, timestamps, counts and error
 * messages as libpcap's reads; a file truncated while mapped reads as zeros
 * from there (trace_map.h: the process's SIGBUS handler must ask
 * trace_map_fault) and the next call fails with -EIO, "the file was
 * truncated while it was read". Returns 1 (mapped), 0 (libpcap reads it)
 * or a negative errno.
 */
int trace_reader_map(struct trace_reader *r);
/*
 * Before a mapped frame (the last one read) is used long after it was read:
 * reads its first and last bytes, and returns -EIO (the reader's error, as
 * trace_reader_next's) when the file was truncated under the mapping, or the
 * reader's earlier error, or 0. Bytes between the two, on a third page or
 * further, are not checked: they read as zeros if gone, and the next call
 * fails. 0 for a reader that is not mapped.
 */
int trace_reader_check_frame(struct trace_reader *r, const uint8_t *frame, size_t len);
/* Whether trace_reader_map mapped the file. */
bool trace_reader_mapped(const struct trace_reader *r);
/* The file's path, as given to trace_reader_open. */
const char *trace_reader_path(const struct trace_reader *r);
/* NULL is allowed. */
void trace_reader_close(struct trace_reader *r);

#endif
