/*
 * Capture files on libpcap's dumper: Ethernet, nanosecond timestamps.
 * libpcap writes the file header and owns the file; the records, a 16-byte
 * header and the frame, are written here as pcap_dump writes them (sf-pcap.c),
 * but without its two locked fwrites per record: records are gathered in a
 * 256 KiB buffer of ours and go to the file with write(2) on the dumper's
 * descriptor (its FILE holds nothing once the header is out) when it fills
 * and at each flush.
 *
 * Because no stdio buffer holds records, a signal handler can finish the
 * file (trace_writer_flush_in_signal): the buffer's committed length is
 * published after each whole record and its written length after each
 * write, so the handler writes exactly the whole records not yet on disk.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdio_ext.h> /* __fsetlocking */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "traces/pcap_writer.h"

#define TRACE_WRITE_BUFFER (256 * 1024)
_Static_assert(TRACE_WRITER_SNAPLEN + 16 <= TRACE_WRITE_BUFFER,
	       "a whole record fits in the buffer, so one is never split");

/*
 * A record header as pcap_dump writes it (libpcap's struct pcap_sf_pkthdr):
 * host byte order, as the file header's magic; 32 bits of seconds; in a
 * nanosecond file the second field holds nanoseconds.
 */
struct record_hdr {
	uint32_t sec, frac, caplen, len;
};

/*
 * What a signal handler reads of a writer. The main code is the only writer
 * of these and the handler runs on its thread, so signal fences (compiler
 * ordering) are all the order needed: each store is one machine store, made
 * in the order the handler relies on.
 *   committed  bytes of buf holding whole records; set after a record is in.
 *   written    bytes of buf[0, committed) already on disk (or given up on).
 *   writing    a write(2) is in flight: its result is not in written yet.
 *   base       the file offset buf[0] goes to (for lseek while writing).
 */
struct writer_progress {
	volatile size_t committed, written;
	volatile sig_atomic_t writing;
	volatile off_t base;
};

struct trace_writer {
	pcap_t *pcap;          /* a "dead" handle: the link type and snap length */
	pcap_dumper_t *dumper; /* owns the FILE */
	FILE *fp;              /* the dumper's: only the file header goes through it */
	int fd;                /* fp's descriptor: the records are written here */
	uint8_t *buf;          /* TRACE_WRITE_BUFFER bytes of records not yet on disk */
	struct writer_progress p;
	char *path;
	int error;             /* first write error since the last flush (-errno) */
};

const char *trace_writer_path(const struct trace_writer *w)
{
	return w->path;
}

int trace_writer_open(struct trace_writer **out, const char *path, char *err, size_t errlen)
{
	struct trace_writer *w = calloc(1, sizeof(*w));
	FILE *f;
	int rc;

	if (!w || !(w->path = strdup(path)) || !(w->buf = malloc(TRACE_WRITE_BUFFER))) {
		if (w)
			free(w->path);
		free(w);
		snprintf(err, errlen, "cannot open capture file %s: out of memory", path);
		return -ENOMEM;
	}
	/* Nanoseconds: guest time is kept whole, so a capture replays to the ns. */
	w->pcap = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, TRACE_WRITER_SNAPLEN,
						       PCAP_TSTAMP_PRECISION_NANO);
	if (!w->pcap) {
		rc = -ENOMEM;
		snprintf(err, errlen, "cannot open capture file %s: out of memory", path);
		goto fail;
	}
	/* fopen ourselves, so that errno says why the file cannot be made. */
	if (!(f = fopen(path, "wb"))) {
		rc = -errno;
		snprintf(err, errlen, "cannot create capture file %s: %s", path, strerror(errno));
		goto fail;
	}
	__fsetlocking(f, FSETLOCKING_BYCALLER);
	if (!(w->dumper = pcap_dump_fopen(w->pcap, f))) {
		rc = -EIO;
		snprintf(err, errlen, "cannot write capture file %s: %s", path,
			 pcap_geterr(w->pcap));
		fclose(f);
		goto fail;
	}
	/*
	 * The header goes out now: from here on the FILE's buffer stays empty.
	 * A failure is a write error like the records' (a full disk), reported
	 * by the first flush.
	 */
	if (fflush(f) != 0)
		w->error = -EIO;
	w->fp = f;
	w->fd = fileno(f);
	w->p.base = lseek(w->fd, 0, SEEK_CUR);
	*out = w;
	return 0;
fail:
	if (w->pcap)
		pcap_close(w->pcap);
	free(w->buf);
	free(w->path);
	free(w);
	return rc;
}

/* The end of the last whole record in buf[0, n) (the buffer's records are ours). */
static size_t whole_records(const uint8_t *buf, size_t n)
{
	size_t at = 0;

	for (;;) {
		struct record_hdr h;

		if (n - at < sizeof(h))
			return at;
		memcpy(&h, buf + at, sizeof(h));
		if (h.caplen > n - at - sizeof(h))
			return at;
		at += sizeof(h) + h.caplen;
	}
}

/*
 * A write failed (a full disk, a file size limit) after done bytes of buf
 * reached the file: the file is cut back to its last whole record, as a
 * reader wants it (tcpdump stops at a torn record with "truncated dump
 * file"), and the next write goes there. Returns that offset, or -1 where
 * the file cannot be cut (a pipe). Async-signal-safe (ftruncate, lseek).
 */
static off_t writer_cut(struct trace_writer *w, size_t done)
{
	off_t keep = w->p.base + (off_t)whole_records(w->buf, done);

	if (ftruncate(w->fd, keep) < 0 || lseek(w->fd, keep, SEEK_SET) < 0)
		return -1;
	return keep;
}

/*
 * write(2) until all n bytes are out or a write fails (the handler has no
 * one to tell); how many went out.
 */
static size_t write_all(int fd, const uint8_t *p, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t k = write(fd, p + done, n - done);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		done += (size_t)k;
	}
	return done;
}

/*
 * Writes the committed records to the file and empties the buffer. Each
 * write's result is published (written) before the next, with writing set
 * around it, so a signal handler never writes a byte twice.
 */
static void writer_drain(struct trace_writer *w)
{
	struct writer_progress *p = &w->p;
	size_t end = p->committed, failed_at = 0;
	bool failed = false;
	off_t next;

	while (p->written < end) {
		ssize_t k;

		p->writing = 1;
		atomic_signal_fence(memory_order_seq_cst);
		k = write(w->fd, w->buf + p->written, end - p->written);
		if (k > 0)
			p->written += (size_t)k;
		else if (k < 0 && errno == EINTR)
			k = 1; /* nothing written: again */
		else if (!w->error) /* the rest is lost: the next flush says so */
			w->error = -EIO;
		if (k <= 0) {
			failed = true;
			failed_at = p->written;
			p->written = end;
		}
		atomic_signal_fence(memory_order_seq_cst);
		p->writing = 0;
		atomic_signal_fence(memory_order_seq_cst);
	}
	/* Cut back to a whole record: a handler meanwhile finds nothing left to write. */
	next = p->base + (off_t)end;
	if (failed && (next = writer_cut(w, failed_at)) < 0)
		next = p->base + (off_t)end; /* a pipe: base means nothing there */
	/* Empty it: committed first, so a handler in between finds nothing left to write. */
	p->committed = 0;
	atomic_signal_fence(memory_order_seq_cst);
	p->base = next;
	atomic_signal_fence(memory_order_seq_cst);
	p->written = 0;
	atomic_signal_fence(memory_order_seq_cst);
}

int trace_writer_write(struct trace_writer *w, uint64_t ts_ns, const uint8_t *frame, size_t len)
{
	size_t caplen = len > TRACE_WRITER_SNAPLEN ? TRACE_WRITER_SNAPLEN : len;
	struct record_hdr h = {
		.sec = (uint32_t)(ts_ns / 1000000000u),
		.frac = (uint32_t)(ts_ns % 1000000000u),
		.caplen = (uint32_t)caplen,
		.len = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len,
	};
	size_t used = w->p.committed;

	/* A whole record always fits (snap length < buffer): it is never split. */
	if (sizeof(h) + caplen > TRACE_WRITE_BUFFER - used) {
		writer_drain(w);
		used = 0;
	}
	memcpy(w->buf + used, &h, sizeof(h));
	memcpy(w->buf + used + sizeof(h), frame, caplen);
	/* The record's bytes are in before the handler may see them. */
	atomic_signal_fence(memory_order_seq_cst);
	w->p.committed = used + sizeof(h) + caplen;
	atomic_signal_fence(memory_order_seq_cst);
	return w->error;
}

void trace_writer_flush_in_signal(struct trace_writer *w)
{
	int saved_errno = errno; /* the interrupted code may be about to read it */
	size_t end, from;

	if (!w)
		return;
	end = w->p.committed;
	from = w->p.written;
	if (w->p.writing) {
		/* The main code's write may or may not have happened: the file says. */
		off_t at = lseek(w->fd, 0, SEEK_CUR);

		if (at < 0 || at < w->p.base) {
			errno = saved_errno;
			return; /* a pipe: which records arrived cannot be known */
		}
		from = (size_t)(at - w->p.base);
	}
	if (from < end) {
		size_t done = write_all(w->fd, w->buf + from, end - from);

		if (done < end - from)
			writer_cut(w, from + done); /* out of room: end on a whole record */
	}
	errno = saved_errno;
}

int trace_writer_flush(struct trace_writer *w)
{
	int rc;

	writer_drain(w);
	rc = w->error;
	w->error = 0;
	return rc;
}

int trace_writer_close(struct trace_writer *w)
{
	int rc;

	if (!w)
		return 0;
	rc = trace_writer_flush(w);
	pcap_dump_close(w->dumper); /* fcloses the file */
	pcap_close(w->pcap);
	free(w->buf);
	free(w->path);
	free(w);
	return rc;
}
