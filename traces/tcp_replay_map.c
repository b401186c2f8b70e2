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
 * caller's libpcap reader. The mapping (trace_map.h) and the record walk
 * (pcap_walk.h) are the ones pcap_reader.c's mapped reads use. A record the
 * walk cannot take (truncated, over the snap length) ends the load there, as
 * a malformed record ends libpcap's; the reader that feeds the rest of the
 * file says what is wrong. A file truncated while mapped is not a crash:
 * see tcp_replay_map_fault.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "traces/pcap_reader.h"
#include "traces/pcap_walk.h"
#include "traces/tcp_replay_private.h"

bool tcp_replay_map_fault(const void *addr)
{
	return trace_map_fault(addr);
}

/*
 * libpcap reads and checks the file header (magic, version, link type,
 * snap length) and says where the records start: 1 with *layout set, 0
 * for a file the walk does not take (the caller's reader reads it, and
 * says what is wrong with a bad one), or a negative errno with err set
 * when the file cannot be opened at all.
 */
static int map_layout(struct trace_layout *layout, const char *path, char *err, size_t errlen)
{
	struct trace_reader *r;
	int rc = trace_reader_open(path, &r, err, errlen);

	if (rc == -EBADMSG || rc == -EPROTONOSUPPORT) {
		err[0] = 0;
		return 0;
	}
	if (rc < 0)
		return rc;
	rc = trace_reader_layout(r, layout) == 0;
	trace_reader_close(r);
	return rc;
}

/* Maps path read-only into tr->map (left empty for what is read instead); 0 or -errno. */
static int map_file(struct tcp_replay *tr, const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return rc;
	}
	rc = trace_map_fd(&tr->map, fd);
	close(fd);
	if (rc < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(-rc));
		return rc;
	}
	return 0;
}

int tcp_replay_load_file(struct tcp_replay *tr, const char *path, char *err, size_t errlen)
{
	struct trace_layout layout;
	struct trace_walk w;
	struct trace_walk_rec rec;
	int rc;

	if (tr->map.p || tr->nr_flows) /* one recording, loaded once */
		return snprintf(err, errlen, "%s: tcp=replay: a recording is loaded already", path),
		       -EALREADY;
	if ((rc = map_layout(&layout, path, err, errlen)) <= 0)
		return rc;
	if ((rc = map_file(tr, path, err, errlen)) < 0 || !tr->map.p)
		return rc;
	if (!trace_walk_init(&w, &tr->map, &layout)) {
		tcp_replay_unmap(tr);
		return 0;
	}
	while (trace_walk_next(&w, &rec) == 1)
		if ((rc = tcp_replay_load(tr, rec.frame, rec.caplen, rec.ts_ns)) < 0) {
			snprintf(err, errlen, "%s: tcp=replay: out of memory loading it", path);
			return rc;
		}
	if (tr->map.lost)
		return snprintf(err, errlen, "%s: tcp=replay: the file was truncated while it was "
				"loaded", path), -EIO;
	return 1;
}

void tcp_replay_unmap(struct tcp_replay *tr)
{
	trace_map_close(&tr->map);
}
