/*
 * What a trace holds, for a user about to replay it (drydock trace stat):
 * its format and link type, frames and bytes, duration, IPv4 hosts (the
 * busiest named), flows by protocol and what is not IPv4. Host code on the
 * trace reader (libpcap).
 */
#ifndef TRACES_TRACE_STAT_H
#define TRACES_TRACE_STAT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct trace_stat {
	const char *format;            /* trace_reader_format */
	uint64_t frames, bytes, snapped;
	uint64_t first_ns, last_ns;    /* timestamps of the first and last frame */
	uint64_t hosts;                /* distinct IPv4 addresses */
	uint64_t flows_tcp, flows_udp, flows_icmp, flows_other; /* either direction is one flow */
	uint64_t arp, ipv6, other;     /* frames that are not IPv4 */
};

/*
 * Reads path to its end and prints the summary (at most hosts_shown of the
 * busiest hosts by name). Returns 0, or a negative errno with a one-line
 * reason in err (the summary is not printed then).
 */
int trace_stat_file(const char *path, unsigned int hosts_shown, struct trace_stat *st,
		    FILE *out, char *err, size_t errlen);

#endif
