/*
 * Capture files: Ethernet frames written to a classic pcap file
 * (LINKTYPE_ETHERNET, nanosecond timestamps: magic 0xa1b23c4d, snap length
 * 65535) that
 * tcpdump, Wireshark and libpcap read. The caller supplies every frame's
 * timestamp, so a run under the virtual clock, which stamps frames with
 * guest time, writes the same file byte for byte each time.
 *
 * Functions return 0 or a negative errno.
 */
#ifndef TRACES_PCAP_WRITER_H
#define TRACES_PCAP_WRITER_H

#include <stddef.h>
#include <stdint.h>

/* The snap length: longer frames are cut to this many bytes (their length is kept). */
#define TRACE_WRITER_SNAPLEN 65535

struct trace_writer;

/*
 * Creates (or truncates) path and writes the pcap file header. On failure
 * writes a one-line reason naming the file into err (size errlen).
 */
int trace_writer_open(struct trace_writer **out, const char *path, char *err, size_t errlen);
/*
 * Appends one frame stamped ts_ns (nanoseconds since the epoch, kept whole).
 * Records are gathered in memory and reach the file when 256 KiB are
 * gathered and at each flush: the first failed write's negative errno
 * (-ENOSPC, -EFBIG, ...) once a write to the file has failed since the
 * last flush, which may be a later write's or the flush's news.
 * A file that ran out of room (a full disk, a file size limit) is cut back
 * to its last whole record, so that it still reads without error.
 */
int trace_writer_write(struct trace_writer *w, uint64_t ts_ns, const uint8_t *frame, size_t len);
/* Pushes what is buffered to the file (a failed write's errno since the last flush). */
int trace_writer_flush(struct trace_writer *w);
/* Flushes and closes; returns what the final flush returned. NULL is allowed. */
int trace_writer_close(struct trace_writer *w);
/*
 * For a signal handler about to _exit: writes, with write(2) only, the whole
 * records gathered and not yet on disk, so the file ends on a record
 * boundary (cut back to one, with ftruncate, when it runs out of room).
 * Safe wherever the signal lands in the other functions (the one case it
 * gives up on: a write to a pipe in flight, whose outcome it cannot know).
 * NULL is allowed.
 */
void trace_writer_flush_in_signal(struct trace_writer *w);
/* The file's path, as given to trace_writer_open. */
const char *trace_writer_path(const struct trace_writer *w);

#endif
