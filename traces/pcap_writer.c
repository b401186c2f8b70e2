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
 * file (trace_writer_flush_in_signal): the buffer is a trace_recbuf
 * (recbuf.h), which publishes its progress so that the handler writes
 * exactly the whole records not yet on disk.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdio_ext.h> /* __fsetlocking */
#include <stdlib.h>
#include <string.h>

#include "traces/pcap_writer.h"
#include "traces/recbuf.h"

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

struct trace_writer {
	pcap_t *pcap;          /* a "dead" handle: the link type and snap length */
	pcap_dumper_t *dumper; /* owns the FILE */
	FILE *fp;              /* the dumper's: only the file header goes through it */
	struct trace_recbuf rb; /* records not yet on disk, to fp's descriptor */
	char *path;
};

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

const char *trace_writer_path(const struct trace_writer *w)
{
	return w->path;
}

int trace_writer_open(struct trace_writer **out, const char *path, char *err, size_t errlen)
{
	struct trace_writer *w = calloc(1, sizeof(*w));
	FILE *f;
	int rc;

	if (!w || !(w->path = strdup(path)) || trace_recbuf_init(&w->rb, TRACE_WRITE_BUFFER, whole_records) < 0) {
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
		w->rb.error = -errno;
	w->fp = f;
	trace_recbuf_attach(&w->rb, fileno(f)); /* the records go after the header */
	*out = w;
	return 0;
fail:
	if (w->pcap)
		pcap_close(w->pcap);
	trace_recbuf_free(&w->rb);
	free(w->path);
	free(w);
	return rc;
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
	/* A whole record always fits (snap length < buffer): it is never split. */
	uint8_t *at = trace_recbuf_reserve(&w->rb, sizeof(h) + caplen);

	memcpy(at, &h, sizeof(h));
	memcpy(at + sizeof(h), frame, caplen);
	trace_recbuf_commit(&w->rb, sizeof(h) + caplen);
	return w->rb.error;
}

void trace_writer_flush_in_signal(struct trace_writer *w)
{
	if (w)
		trace_recbuf_flush_in_signal(&w->rb);
}

int trace_writer_flush(struct trace_writer *w)
{
	return trace_recbuf_flush(&w->rb);
}

int trace_writer_close(struct trace_writer *w)
{
	int rc;

	if (!w)
		return 0;
	rc = trace_writer_flush(w);
	pcap_dump_close(w->dumper); /* fcloses the file */
	pcap_close(w->pcap);
	trace_recbuf_free(&w->rb);
	free(w->path);
	free(w);
	return rc;
}
