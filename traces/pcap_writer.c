/* Capture files on libpcap's dumper: Ethernet, nanosecond timestamps. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traces/pcap_writer.h"

struct trace_writer {
	pcap_t *pcap;          /* a "dead" handle: the link type and snap length */
	pcap_dumper_t *dumper; /* owns the FILE */
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

	if (!w || !(w->path = strdup(path))) {
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
	if (!(w->dumper = pcap_dump_fopen(w->pcap, f))) {
		rc = -EIO;
		snprintf(err, errlen, "cannot write capture file %s: %s", path,
			 pcap_geterr(w->pcap));
		fclose(f);
		goto fail;
	}
	*out = w;
	return 0;
fail:
	if (w->pcap)
		pcap_close(w->pcap);
	free(w->path);
	free(w);
	return rc;
}

int trace_writer_write(struct trace_writer *w, uint64_t ts_ns, const uint8_t *frame, size_t len)
{
	struct pcap_pkthdr h = {
		.ts.tv_sec = (time_t)(ts_ns / 1000000000u),
		/* In a nanosecond file tv_usec holds nanoseconds (pcap_dump writes it as is). */
		.ts.tv_usec = (suseconds_t)(ts_ns % 1000000000u),
		.caplen = (bpf_u_int32)(len > TRACE_WRITER_SNAPLEN ? TRACE_WRITER_SNAPLEN : len),
		.len = len > UINT32_MAX ? UINT32_MAX : (bpf_u_int32)len,
	};
	FILE *f = pcap_dump_file(w->dumper);

	pcap_dump((u_char *)w->dumper, &h, frame);
	if (ferror(f) && !w->error)
		w->error = -EIO;
	return w->error;
}

int trace_writer_flush(struct trace_writer *w)
{
	int rc = w->error;

	if (pcap_dump_flush(w->dumper) < 0 && !rc)
		rc = -EIO;
	w->error = 0;
	clearerr(pcap_dump_file(w->dumper));
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
	free(w->path);
	free(w);
	return rc;
}
