/*
 * Capture files on libpcap's dumper: Ethernet, nanosecond timestamps.
 * libpcap writes the file header and owns the file; the records, a 16-byte
 * header and the frame, are written here as pcap_dump writes them (sf-pcap.c),
 * but without its two locked fwrites per record: records are gathered in a
 * 256 KiB buffer of ours and go to the dumper's FILE (stdio locking off: one
 * thread writes a capture) when it fills and at each flush.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdio_ext.h> /* __fsetlocking */
#include <stdlib.h>
#include <string.h>

#include "traces/pcap_writer.h"

#define TRACE_WRITE_BUFFER (256 * 1024)

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
	FILE *fp;              /* the dumper's */
	uint8_t *buf;          /* TRACE_WRITE_BUFFER bytes of records not yet given to fp */
	size_t used;
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
	w->fp = f;
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

/* Bytes to the dumper's FILE; a failed write is kept for the next flush. */
static void writer_out(struct trace_writer *w, const void *p, size_t n)
{
	fwrite_unlocked(p, 1, n, w->fp);
	if (ferror_unlocked(w->fp) && !w->error)
		w->error = -EIO;
}

/* Gives the gathered records to the dumper's FILE. */
static void writer_drain(struct trace_writer *w)
{
	writer_out(w, w->buf, w->used);
	w->used = 0;
}

static void writer_put(struct trace_writer *w, const void *p, size_t n)
{
	if (n > TRACE_WRITE_BUFFER - w->used) {
		writer_drain(w);
		if (n > TRACE_WRITE_BUFFER) {
			writer_out(w, p, n);
			return;
		}
	}
	memcpy(w->buf + w->used, p, n);
	w->used += n;
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

	writer_put(w, &h, sizeof(h));
	writer_put(w, frame, caplen);
	return w->error;
}

int trace_writer_flush(struct trace_writer *w)
{
	int rc;

	writer_drain(w);
	rc = w->error;
	if (pcap_dump_flush(w->dumper) < 0 && !rc)
		rc = -EIO;
	w->error = 0;
	clearerr_unlocked(w->fp);
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
