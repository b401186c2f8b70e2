/*
 * A regular file mapped read-only for a reader that walks it in place
 * (pcap_reader.c's mapped walk, tcp_replay_map.c), guarded against the file
 * being truncated while mapped: its pages past the new end would be a
 * SIGBUS, which the process's handler (sim/host/fault.c) would report as a
 * crash. The handler asks trace_map_fault first: for an address in a guarded
 * mapping the pages from that one on are replaced by zeros, the access goes
 * on, and the mapping's owner reads `lost` and says the file was truncated.
 *
 * At most TRACE_MAP_GUARDED_MAX mappings are guarded at once; one more is
 * refused (the caller reads the file instead).
 */
#ifndef TRACES_TRACE_MAP_H
#define TRACES_TRACE_MAP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACE_MAP_GUARDED_MAX 16

struct trace_map {
	const uint8_t *p;  /* NULL: not mapped */
	size_t len;
	/* Set by trace_map_fault: pages of the file were gone and read as zeros. */
	volatile sig_atomic_t lost;
};

/*
 * Maps fd's file (a regular, non-empty file) read-only and guards it.
 * Returns 1 (m filled), 0 when it cannot be or should not be mapped (a pipe,
 * a device, an empty file, mmap failing, no guard slot left: the caller
 * reads it instead), or a negative errno from fstat.
 */
int trace_map_fd(struct trace_map *m, int fd);
/* Unguards and unmaps; m is then empty. An empty m is allowed. */
void trace_map_close(struct trace_map *m);
/*
 * For the process's SIGBUS handler: whether addr lies in a guarded mapping;
 * if so its pages from addr's on are now zeros and the mapping's lost is
 * set. Async-signal-safe.
 */
bool trace_map_fault(const void *addr);

#endif
