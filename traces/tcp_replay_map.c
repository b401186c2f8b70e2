/*
 * Loading a recording from a mapped file (tcp_replay_load_file): a classic
 * pcap file of Ethernet frames is mapped read-only and its records walked
 * in place, so the recorded host's bytes are referred to where they lie
 * (tcp_replay_load.c's by_ref streams) instead of copied: a 1 GB download
 * is neither read through libpcap's buffer nor held a second time in
 * memory. Anything else (pcapng, another link type, an FCS) is left to the
 * caller's libpcap reader. A record the walk cannot take (truncated, over
 * the snap length) ends the load there, as a malformed record ends
 * libpcap's; the reader that feeds the rest of the file says what is wrong.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "traces/tcp_replay_private.h"

#define MAP_FILE_HDR 24
#define MAP_REC_HDR 16
#define MAP_LINKTYPE_ETHERNET 1
/* libpcap's largest snap length (MAXIMUM_SNAPLEN); a header's 0 or larger means it. */
#define MAP_SNAPLEN_MAX 262144u
#define MAP_NSEC_PER_SEC 1000000000ULL

struct map_walk {
	const uint8_t *p;
	size_t len, at;
	bool swapped, nsec;
	uint32_t snaplen;
};

static uint32_t map_get32(const uint8_t *p, bool swapped)
{
	if (swapped)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* A classic pcap header of Ethernet frames (the 16-byte record kind): true, w set. */
static bool map_header(struct map_walk *w)
{
	uint32_t magic, snap;

	if (w->len < MAP_FILE_HDR)
		return false;
	magic = map_get32(w->p, false);
	if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d)
		w->swapped = false;
	else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1)
		w->swapped = true;
	else
		return false;
	w->nsec = map_get32(w->p, w->swapped) == 0xa1b23c4d;
	/* Major version 2 only, as libpcap; link type 1 with no FCS bits. */
	if ((w->swapped ? w->p[4] << 8 | w->p[5] : w->p[5] << 8 | w->p[4]) != 2 ||
	    map_get32(w->p + 20, w->swapped) != MAP_LINKTYPE_ETHERNET)
		return false;
	snap = map_get32(w->p + 16, w->swapped);
	w->snaplen = snap == 0 || snap > MAP_SNAPLEN_MAX ? MAP_SNAPLEN_MAX : snap;
	w->at = MAP_FILE_HDR;
	return true;
}

/* The next record: 1 (frame, len, ts set), 0 at the end or at a record it cannot take. */
static int map_next(struct map_walk *w, const uint8_t **frame, uint32_t *len, uint64_t *ts)
{
	const uint8_t *h = w->p + w->at;
	uint32_t sec, frac, caplen, wire;

	if (w->len - w->at < MAP_REC_HDR)
		return 0;
	sec = map_get32(h, w->swapped);
	frac = map_get32(h + 4, w->swapped);
	caplen = map_get32(h + 8, w->swapped);
	wire = map_get32(h + 12, w->swapped);
	if (caplen > w->snaplen || caplen > wire || caplen > w->len - w->at - MAP_REC_HDR)
		return 0;
	*frame = h + MAP_REC_HDR;
	*len = caplen;
	*ts = (uint64_t)sec * MAP_NSEC_PER_SEC + (w->nsec ? frac : (uint64_t)frac * 1000);
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
	if (!S_ISREG(st.st_mode) || st.st_size < MAP_FILE_HDR) {
		close(fd);
		return 0; /* a pipe, a device, or too short: the reader judges it */
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
	if ((rc = map_file(tr, path, err, errlen)) < 0 || !tr->map)
		return rc;
	w.p = tr->map;
	w.len = tr->map_len;
	if (!map_header(&w)) {
		tcp_replay_unmap(tr);
		return 0;
	}
	while (map_next(&w, &frame, &len, &ts) == 1)
		if ((rc = tcp_replay_load(tr, frame, len, ts)) < 0) {
			snprintf(err, errlen, "%s: tcp=replay: out of memory loading it", path);
			return rc;
		}
	return 1;
}

void tcp_replay_unmap(struct tcp_replay *tr)
{
	if (tr->map)
		munmap((void *)tr->map, tr->map_len);
	tr->map = NULL;
	tr->map_len = 0;
}
