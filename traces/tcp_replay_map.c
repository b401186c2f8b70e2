/*
 * Loading a recording from a mapped file (tcp_replay_load_file): libpcap
 * opens a classic pcap file of Ethernet frames and checks its header
 * (pcap_reader.c's trace_reader_layout); the file is then mapped read-only
 * and its 16-byte record headers walked in place: libpcap's per-record
 * API hands each frame over in its own buffer, valid until the next read,
 * and the point is that the recorded host's bytes are referred to where
 * they lie (tcp_replay_load.c's by_ref streams) instead of copied: a 1 GB
 * download is neither read through libpcap's buffer nor held a second time
 * in memory. Anything else (pcapng, another link type, an FCS) is left to the
 * caller's libpcap reader. A record the walk cannot take (truncated, over
 * the snap length) ends the load there, as a malformed record ends
 * libpcap's; the reader that feeds the rest of the file says what is wrong.
 * A file truncated while mapped is not a crash: see tcp_replay_map_fault.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "traces/pcap_reader.h"
#include "traces/tcp_replay_private.h"

#define MAP_REC_HDR 16
#define MAP_NSEC_PER_SEC 1000000000ULL
/* Replays with a file mapped at once; one more reads its file instead. */
#define MAP_GUARDED_MAX 16

/*
 * The replays with a file mapped, for tcp_replay_map_fault: a signal
 * handler has no argument to find them by (as sim/host/signals.c's), and
 * the page size it rounds to, read once here rather than in the handler.
 */
static struct tcp_replay *volatile guarded[MAP_GUARDED_MAX];
static uintptr_t guarded_page;

static bool guard_add(struct tcp_replay *tr)
{
	if (!guarded_page)
		guarded_page = (uintptr_t)sysconf(_SC_PAGESIZE);
	for (unsigned int i = 0; i < MAP_GUARDED_MAX; i++)
		if (!guarded[i]) {
			guarded[i] = tr;
			return true;
		}
	return false;
}

static void guard_remove(const struct tcp_replay *tr)
{
	for (unsigned int i = 0; i < MAP_GUARDED_MAX; i++)
		if (guarded[i] == tr)
			guarded[i] = NULL;
}

bool tcp_replay_map_fault(const void *addr)
{
	uintptr_t a = (uintptr_t)addr;

	for (unsigned int i = 0; i < MAP_GUARDED_MAX; i++) {
		struct tcp_replay *tr = guarded[i];
		uintptr_t m = tr ? (uintptr_t)tr->map : 0, page;

		if (!m || a < m || a - m >= tr->map_len)
			continue;
		/* Zeros from the page on, in place of the file's pages that are gone (or going). */
		page = a & ~(guarded_page - 1);
		if (mmap((void *)page, m + tr->map_len - page, PROT_READ,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
			return false;
		tr->map_lost = 1;
		return true;
	}
	return false;
}

struct map_walk {
	const uint8_t *p;
	size_t len, at;
	struct trace_layout layout;
};

static uint32_t map_get32(const uint8_t *p, bool swapped)
{
	if (swapped)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/*
 * libpcap reads and checks the file header (magic, version, link type,
 * snap length) and says where the records start: 1 with w->layout set, 0
 * for a file the walk does not take (the caller's reader reads it, and
 * says what is wrong with a bad one), or a negative errno with err set
 * when the file cannot be opened at all.
 */
static int map_layout(struct map_walk *w, const char *path, char *err, size_t errlen)
{
	struct trace_reader *r;
	int rc = trace_reader_open(path, &r, err, errlen);

	if (rc == -EBADMSG || rc == -EPROTONOSUPPORT) {
		err[0] = 0;
		return 0;
	}
	if (rc < 0)
		return rc;
	rc = trace_reader_layout(r, &w->layout) == 0;
	trace_reader_close(r);
	return rc;
}

/* The next record: 1 (frame, len, ts set), 0 at the end or at a record it cannot take. */
static int map_next(struct map_walk *w, const uint8_t **frame, uint32_t *len, uint64_t *ts)
{
	const uint8_t *h = w->p + w->at;
	uint32_t sec, frac, caplen, wire;

	if (w->len - w->at < MAP_REC_HDR)
		return 0;
	sec = map_get32(h, w->layout.swapped);
	frac = map_get32(h + 4, w->layout.swapped);
	caplen = map_get32(h + 8, w->layout.swapped);
	wire = map_get32(h + 12, w->layout.swapped);
	if (caplen > w->layout.snaplen || caplen > wire || caplen > w->len - w->at - MAP_REC_HDR)
		return 0;
	*frame = h + MAP_REC_HDR;
	*len = caplen;
	*ts = (uint64_t)sec * MAP_NSEC_PER_SEC + (w->layout.nsec ? frac : (uint64_t)frac * 1000);
	w->at += MAP_REC_HDR + caplen;
	return 1;
}

/* Maps path read-only into tr; 0, or a negative errno with the reason in err. */
static int map_file(struct tcp_replay *tr, const char *path, char *err, size_t errlen)
{
	struct stat st;
	void *m;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0) {
		close(fd);
		return 0; /* a pipe, a device, or empty: the reader judges it */
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	rc = m == MAP_FAILED ? -errno : 0;
	close(fd);
	if (rc < 0)
		return 0; /* not mappable: read it instead */
	/* The walk goes forward once; the comparison later, forward too. */
	madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
	tr->map = m;
	tr->map_len = (size_t)st.st_size;
	if (!guard_add(tr))
		tcp_replay_unmap(tr); /* a SIGBUS there would go unanswered: read it instead */
	return 0;
}

int tcp_replay_load_file(struct tcp_replay *tr, const char *path, char *err, size_t errlen)
{
	struct map_walk w = { 0 };
	const uint8_t *frame;
	uint32_t len;
	uint64_t ts;
	int rc;

	if (tr->map || tr->nr_flows) /* one recording, loaded once */
		return snprintf(err, errlen, "%s: tcp=replay: a recording is loaded already", path),
		       -EALREADY;
	if ((rc = map_layout(&w, path, err, errlen)) <= 0)
		return rc;
	if ((rc = map_file(tr, path, err, errlen)) < 0 || !tr->map)
		return rc;
	w.p = tr->map;
	w.len = tr->map_len;
	if (w.layout.first > w.len) { /* changed since libpcap read it */
		tcp_replay_unmap(tr);
		return 0;
	}
	w.at = (size_t)w.layout.first;
	while (map_next(&w, &frame, &len, &ts) == 1)
		if ((rc = tcp_replay_load(tr, frame, len, ts)) < 0) {
			snprintf(err, errlen, "%s: tcp=replay: out of memory loading it", path);
			return rc;
		}
	if (tr->map_lost)
		return snprintf(err, errlen, "%s: tcp=replay: the file was truncated while it was "
				"loaded", path), -EIO;
	return 1;
}

void tcp_replay_unmap(struct tcp_replay *tr)
{
	guard_remove(tr);
	if (tr->map)
		munmap((void *)tr->map, tr->map_len);
	tr->map = NULL;
	tr->map_len = 0;
}
