/*
 * Reading Ethernet pcap files with libpcap. libpcap does the parsing; what
 * it lets through silently we check here, from the raw file header and the
 * file position around each record:
 * - a record longer than the snap length: libpcap cuts it to the snap
 *   length and skips the rest, which shows as more bytes consumed than the
 *   record header and the captured bytes account for;
 * - a frame check sequence (FCS bits of the link type field): cut off.
 * A pcapng file (its blocks carry options, so bytes cannot be accounted
 * for) is left to libpcap's checks; its 64-bit timestamps are kept whole.
 * trace_reader_map: libpcap opens a classic file and checks its header,
 * then the records are walked in a read-only mapping (pcap_walk.h,
 * trace_map.h) instead of read through libpcap's buffer and stdio.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdio_ext.h> /* __fsetlocking */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "traces/pcap_reader.h"
#include "traces/pcap_walk.h"
#include "traces/trace_map.h"

#define NSEC_PER_SEC 1000000000ULL
#define TRACE_FILE_HDR_LEN 24
#define TRACE_READ_BUFFER (256 * 1024)
/* pcapng's section header block type, the same in either byte order. */
#define TRACE_PCAPNG_SHB 0x0a0d0d0au
/* Guest time is ns in 64 bits: seconds from here on would wrap it (year 2554). */
#define TRACE_TS_SEC_MAX (UINT64_MAX / NSEC_PER_SEC - 1)
/* Link type field: FCS length present, and its length in 16-bit words. */
#define TRACE_LT_FCS_PRESENT 0x04000000u
#define TRACE_LT_FCS_WORDS(lt) (((lt) & 0xf0000000u) >> 28)

struct trace_reader {
	char *path;
	pcap_t *pcap;
	FILE *fp;              /* owned by pcap once opened */
	char *iobuf;           /* fp's stdio buffer, freed after fp is closed */
	unsigned int rec_hdr_len; /* bytes of a record header: 16, or 24 (Kuznetzov); 0: pcapng */
	unsigned int fcs_len;  /* bytes of FCS ending each wire frame */
	unsigned int snaplen;  /* as libpcap applies it */
	bool swapped;          /* a classic pcap file's byte order is not the host's */
	bool version_2_4;      /* a classic pcap file of version 2.4 on: lengths never swapped */
	long long first;       /* file offset of the first record, -1: unknown */
	const char *format;    /* "pcap (microseconds)", "pcap (nanoseconds)", "pcapng" */
	uint64_t records, snapped;
	uint64_t size;         /* of the file in bytes, 0: unknown (a pipe) */
	long long pos;         /* file offset of the next record, -1: unknown (a pipe, pcapng) */
	int error;             /* sticky, 0: none */
	/* trace_reader_map: the file mapped and walked in place instead of libpcap's reads. */
	struct trace_map map;
	struct trace_walk walk;
	char msg[PCAP_ERRBUF_SIZE + 256];
};

static void reader_fail(struct trace_reader *r, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void reader_fail(struct trace_reader *r, int error, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(r->msg, sizeof(r->msg), "%s: record %llu: ", r->path,
			 (unsigned long long)r->records);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < sizeof(r->msg))
		vsnprintf(r->msg + n, sizeof(r->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	r->error = error;
}

/*
 * What libpcap does not tell: the record header size (from the magic) and
 * the FCS length (from the link type field). A pcapng file or a truncated
 * header are left to libpcap to judge; so is anything unknown.
 */
static void reader_sniff_header(struct trace_reader *r, const uint8_t *h, size_t n)
{
	r->rec_hdr_len = 16;
	r->format = "pcap (microseconds)";
	if (n >= 4 && trace_walk_get32(h, false) == TRACE_PCAPNG_SHB) {
		r->rec_hdr_len = 0;
		r->format = "pcapng";
	}
	if (n < TRACE_FILE_HDR_LEN)
		return;
	uint32_t le = trace_walk_get32(h, false);
	bool swapped;
	if (le == 0xa1b2c3d4 || le == 0xa1b23c4d || le == 0xa1b2cd34)
		swapped = false;
	else if (le == 0xd4c3b2a1 || le == 0x4d3cb2a1 || le == 0x34cdb2a1)
		swapped = true;
	else
		return;
	r->swapped = swapped;
	/* Before 2.4 libpcap may swap caplen and len (sf-pcap.c's lengths_swapped). */
	uint16_t major = (uint16_t)(swapped ? h[4] << 8 | h[5] : h[5] << 8 | h[4]);
	uint16_t minor = (uint16_t)(swapped ? h[6] << 8 | h[7] : h[7] << 8 | h[6]);
	r->version_2_4 = major == 2 && minor >= 4;
	if (trace_walk_get32(h, swapped) == 0xa1b2cd34)
		r->rec_hdr_len = 24;
	if (trace_walk_get32(h, swapped) == 0xa1b23c4d)
		r->format = "pcap (nanoseconds)";
	uint32_t lt = trace_walk_get32(h + 20, swapped);
	if (lt & TRACE_LT_FCS_PRESENT)
		r->fcs_len = 2 * TRACE_LT_FCS_WORDS(lt);
}

/*
 * A pipe cannot be rewound once its header is sniffed: libpcap reads it
 * through a stream (fopencookie) that gives the sniffed bytes back first and
 * then reads the pipe.
 */
struct sniffed_pipe {
	int fd;
	uint8_t head[TRACE_FILE_HDR_LEN];
	size_t len, off;
};

static ssize_t sniffed_pipe_read(void *cookie, char *buf, size_t n)
{
	struct sniffed_pipe *p = cookie;
	ssize_t k;

	if (p->off < p->len) {
		size_t m = p->len - p->off < n ? p->len - p->off : n;

		memcpy(buf, p->head + p->off, m);
		p->off += m;
		return (ssize_t)m;
	}
	do
		k = read(p->fd, buf, n);
	while (k < 0 && errno == EINTR);
	return k;
}

static int sniffed_pipe_close(void *cookie)
{
	struct sniffed_pipe *p = cookie;
	int rc = close(p->fd);

	free(p);
	return rc;
}

/* Replaces r->fp, a pipe, by a stream over it; fills h with the first n bytes. */
static int reader_open_pipe(struct trace_reader *r, uint8_t *h, size_t *n)
{
	static const cookie_io_functions_t io = { .read = sniffed_pipe_read,
						  .close = sniffed_pipe_close };
	struct sniffed_pipe *p = calloc(1, sizeof(*p));
	FILE *fp;

	if (!p || (p->fd = dup(fileno(r->fp))) < 0) {
		free(p);
		return -errno;
	}
	fclose(r->fp);
	r->fp = NULL;
	while (p->len < sizeof(p->head)) {
		ssize_t k = read(p->fd, p->head + p->len, sizeof(p->head) - p->len);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break; /* libpcap names a short header, and a read error */
		p->len += (size_t)k;
	}
	if (!(fp = fopencookie(p, "rb", io))) {
		int rc = -errno;

		sniffed_pipe_close(p);
		return rc;
	}
	memcpy(h, p->head, p->len);
	*n = p->len;
	r->fp = fp;
	return 0;
}

static int reader_check_link(struct trace_reader *r, char *err, size_t errlen)
{
	int dlt = pcap_datalink(r->pcap);
	const char *name, *desc;

	if (dlt == DLT_EN10MB)
		return 0;
	name = pcap_datalink_val_to_name(dlt);
	desc = pcap_datalink_val_to_description(dlt);
	snprintf(err, errlen,
		 "%s: link type %s (%d%s%s) is not supported: only Ethernet (EN10MB) traces can be read",
		 r->path, name ? name : "unknown", dlt, desc ? ", " : "", desc ? desc : "");
	return -EPROTONOSUPPORT;
}

int trace_reader_open(const char *path, struct trace_reader **out, char *err, size_t errlen)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct trace_reader *r = calloc(1, sizeof(*r));
	uint8_t h[TRACE_FILE_HDR_LEN];
	size_t n = 0;
	bool piped;
	int rc;

	if (!r || !(r->path = strdup(path))) {
		free(r);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	r->fp = fopen(path, "rb");
	if (!r->fp) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		goto fail;
	}
	piped = lseek(fileno(r->fp), 0, SEEK_CUR) < 0 && errno == ESPIPE;
	if (piped && (rc = reader_open_pipe(r, h, &n)) < 0) {
		if (r->fp)
			fclose(r->fp);
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(-rc));
		goto fail;
	}
	/*
	 * libpcap reads a record at a time through stdio: 256 KiB per read(2),
	 * not 4. glibc ignores the size unless it is given the buffer; without
	 * one, stdio's default serves.
	 */
	if ((r->iobuf = malloc(TRACE_READ_BUFFER)))
		setvbuf(r->fp, r->iobuf, _IOFBF, TRACE_READ_BUFFER);
	/* One thread reads it: no stdio lock taken and released in each fread. */
	__fsetlocking(r->fp, FSETLOCKING_BYCALLER);
	if (!piped) {
		n = fread(h, 1, sizeof(h), r->fp);
		if (fseek(r->fp, 0, SEEK_END) == 0) {
			long end = ftell(r->fp);
			r->size = end > 0 ? (uint64_t)end : 0;
		}
		rewind(r->fp);
	}
	reader_sniff_header(r, h, n);
	r->pcap = pcap_fopen_offline_with_tstamp_precision(r->fp, PCAP_TSTAMP_PRECISION_NANO,
							   errbuf);
	if (!r->pcap) {
		snprintf(err, errlen, "%s: not a readable pcap file: %s", path, errbuf);
		fclose(r->fp);
		rc = -EBADMSG;
		goto fail;
	}
	if ((rc = reader_check_link(r, err, errlen)) < 0) {
		pcap_close(r->pcap);
		goto fail;
	}
	r->snaplen = (unsigned int)pcap_snapshot(r->pcap);
	r->pos = r->rec_hdr_len ? ftell(r->fp) : -1;
	r->first = r->pos;
	*out = r;
	return 0;
fail:
	free(r->iobuf);
	free(r->path);
	free(r);
	return rc;
}

/*
 * libpcap's error for the record just read. A pcapng interface of another
 * link type than the first (libpcap's pcapng reader refuses those by
 * number) is named, as trace_reader_open names the first's.
 */
static void reader_fail_pcap(struct trace_reader *r)
{
	const char *msg = pcap_geterr(r->pcap), *name, *desc;
	int dlt;

	if (sscanf(msg, "an interface has a type %d different", &dlt) == 1) {
		name = pcap_datalink_val_to_name(dlt);
		desc = pcap_datalink_val_to_description(dlt);
		reader_fail(r, -EPROTONOSUPPORT, "an interface of link type %s (%d%s%s): only "
			    "Ethernet (EN10MB) traces can be read", name ? name : "unknown", dlt,
			    desc ? ", " : "", desc ? desc : "");
		return;
	}
	reader_fail(r, ferror(r->fp) ? -EIO : -EBADMSG, "%s", msg);
}

/*
 * Bytes libpcap consumed beyond the record header and the captured bytes,
 * -1: unknown. libpcap cuts a longer record to exactly the snap length
 * (sf-pcap.c's pcap_next_packet), so only a record of that length can have
 * been cut: the file position is asked (ftell, a stdio lseek) for those
 * alone, and otherwise advanced by what the record accounts for.
 */
static long long reader_skipped(struct trace_reader *r, unsigned int caplen)
{
	long long expected, after;

	if (r->pos < 0)
		return -1;
	expected = r->pos + r->rec_hdr_len + caplen;
	if (caplen < r->snaplen) {
		r->pos = expected;
		return 0;
	}
	after = ftell(r->fp);
	r->pos = after;
	return after < 0 ? -1 : after - expected;
}

/* Cuts the FCS off a frame; len is the wire length, caplen what was captured. */
static size_t reader_strip_fcs(const struct trace_reader *r, uint32_t caplen, uint32_t len)
{
	uint32_t payload = len > r->fcs_len ? len - r->fcs_len : 0;

	return caplen > payload ? payload : caplen;
}

/*
 * The end of a mapped walk, or a record it did not take (rc, the walk's):
 * the walk takes what libpcap takes, and says what it does not in the same
 * words. Out of trace_reader_next's line, which then saves no registers.
 */
static __attribute__((noinline)) int reader_mapped_stop(struct trace_reader *r, int rc)
{
	char why[128];

	if (r->map.lost) { /* the header's page was gone: trace_map_fault put zeros there */
		reader_fail(r, -EIO, "the file was truncated while it was read");
		return r->error;
	}
	if (rc == 0) {
		r->records--;
		return 0;
	}
	reader_fail(r, trace_walk_explain(&r->walk, why, sizeof(why)), "%s", why);
	return r->error;
}

static int reader_read_pcap(struct trace_reader *r, struct trace_record *out);

/*
 * A mapped file's record is taken in line (a classic record has no FCS, by
 * the layout, and 32 bits of seconds, always under TRACE_TS_SEC_MAX); the
 * rest out of line.
 */
int trace_reader_read(struct trace_reader *r, struct trace_record *out)
{
	struct trace_walk_rec rec;
	int rc;

	if (!r->map.p || r->error)
		return reader_read_pcap(r, out);
	r->records++;
	rc = trace_walk_next(&r->walk, &rec);
	if (rc != 1 || r->map.lost)
		return reader_mapped_stop(r, rc);
	out->snapped = rec.caplen < rec.len;
	r->snapped += out->snapped;
	out->frame = rec.frame;
	out->len = rec.caplen;
	out->ts_ns = rec.ts_ns;
	out->number = r->records;
	return 1;
}

int trace_reader_next(struct trace_reader *r, const uint8_t **frame, size_t *len,
		      uint64_t *ts_ns)
{
	struct trace_record rec;
	int rc = trace_reader_read(r, &rec);

	if (rc == 1) {
		*frame = rec.frame;
		*len = rec.len;
		*ts_ns = rec.ts_ns;
	}
	return rc;
}

/* trace_reader_read through libpcap, and any reader's sticky error. */
static __attribute__((noinline)) int reader_read_pcap(struct trace_reader *r,
						      struct trace_record *out)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;

	if (r->error)
		return r->error;
	r->records++;
	rc = pcap_next_ex(r->pcap, &h, &data);
	if (rc == PCAP_ERROR_BREAK) {
		r->records--;
		return 0;
	}
	if (rc != 1) {
		reader_fail_pcap(r);
		return r->error;
	}
	long long skipped = reader_skipped(r, h->caplen);
	if (skipped > 0) {
		reader_fail(r, -EBADMSG,
			    "captured length %llu exceeds the file's snap length %u",
			    (unsigned long long)h->caplen + (unsigned long long)skipped, r->snaplen);
		return r->error;
	}
	if (h->caplen > h->len) {
		reader_fail(r, -EBADMSG, "captured length %u exceeds the frame's length %u",
			    h->caplen, h->len);
		return r->error;
	}
	/*
	 * pcap holds 32 unsigned bits of seconds (libpcap sign-extends them into
	 * the time_t); pcapng 64 bits of units, which libpcap divides into seconds.
	 */
	uint64_t sec = r->rec_hdr_len ? (uint32_t)h->ts.tv_sec : (uint64_t)h->ts.tv_sec;
	if (sec > TRACE_TS_SEC_MAX) {
		reader_fail(r, -EBADMSG, "timestamp %llu s is past what guest time can hold "
			    "(%llu s)", (unsigned long long)sec,
			    (unsigned long long)TRACE_TS_SEC_MAX);
		return r->error;
	}
	out->snapped = h->caplen < h->len;
	r->snapped += out->snapped;
	out->frame = data;
	out->len = r->fcs_len ? reader_strip_fcs(r, h->caplen, h->len) : h->caplen;
	out->ts_ns = sec * NSEC_PER_SEC + (uint64_t)(uint32_t)h->ts.tv_usec;
	out->number = r->records;
	return 1;
}

const char *trace_reader_error(const struct trace_reader *r)
{
	return r->error ? r->msg : "";
}

uint64_t trace_reader_records(const struct trace_reader *r)
{
	return r->records;
}

uint64_t trace_reader_snapped(const struct trace_reader *r)
{
	return r->snapped;
}

const char *trace_reader_format(const struct trace_reader *r)
{
	return r->format;
}

int trace_reader_progress(const struct trace_reader *r, uint64_t *done, uint64_t *size)
{
	long pos = r->map.p ? (long)r->walk.at : ftell(r->fp);

	if (pos < 0 || !r->size)
		return -ESPIPE;
	*done = (uint64_t)pos;
	*size = r->size;
	return 0;
}

int trace_reader_layout(const struct trace_reader *r, struct trace_layout *out)
{
	if (r->rec_hdr_len != 16 || r->fcs_len || r->first < 0 || !r->size || !r->version_2_4)
		return -ENOTSUP;
	out->first = (uint64_t)r->first;
	out->snaplen = r->snaplen;
	out->swapped = r->swapped;
	out->nsec = !strcmp(r->format, "pcap (nanoseconds)");
	return 0;
}

int trace_reader_map(struct trace_reader *r)
{
	struct trace_layout l;
	int rc;

	if (r->records || r->map.p || trace_reader_layout(r, &l) < 0)
		return 0;
	if ((rc = trace_map_fd(&r->map, fileno(r->fp))) <= 0)
		return rc;
	if (!trace_walk_init(&r->walk, &r->map, &l)) {
		trace_map_close(&r->map);
		return 0;
	}
	return 1;
}

int trace_reader_check_frame(struct trace_reader *r, const uint8_t *frame, size_t len)
{
	if (!r->map.p || !len)
		return r->error;
	/* A page gone faults here, and trace_map_fault puts zeros there. */
	(void)*(const volatile uint8_t *)frame;
	(void)*(const volatile uint8_t *)(frame + len - 1);
	if (r->map.lost && !r->error)
		reader_fail(r, -EIO, "the file was truncated while it was read");
	return r->error;
}

bool trace_reader_mapped(const struct trace_reader *r)
{
	return r->map.p != NULL;
}

const char *trace_reader_path(const struct trace_reader *r)
{
	return r->path;
}

void trace_reader_close(struct trace_reader *r)
{
	if (!r)
		return;
	trace_map_close(&r->map);
	pcap_close(r->pcap); /* closes r->fp */
	free(r->iobuf);
	free(r->path);
	free(r);
}
