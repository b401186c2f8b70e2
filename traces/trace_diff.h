/*
 * Comparing two captures frame by frame (drydock trace diff, expect).
 *
 * Frames are compared in order after the normalisations switched on: each
 * hides a difference that is not the stack's behaviour. The first
 * divergence is printed in one line,
 *   frame 3: icmp.seq: expected 2, got 7
 * (frame number, the protocol field, both values: a payload byte by its
 * offset), then a few frames of context of each file in tcpdump's one-line
 * style. Frames are numbered from 1 among those compared; with a filter,
 * the records of each file are named too.
 *
 * Host code on the trace reader (libpcap).
 */
#ifndef TRACES_TRACE_DIFF_H
#define TRACES_TRACE_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum {
	TRACE_NORM_TIME = 1 << 0,   /* timestamps (else: time since each file's first frame) */
	TRACE_NORM_IPID = 1 << 1,   /* the IPv4 identification */
	TRACE_NORM_CSUM = 1 << 2,   /* IPv4, ICMP, UDP and TCP checksums */
	TRACE_NORM_TCPSEQ = 1 << 3, /* TCP sequence and ack numbers, from each flow's first */
	TRACE_NORM_MAC = 1 << 4,    /* Ethernet and ARP hardware addresses */
};
#define TRACE_NORM_ALL 0x1f
#define TRACE_DIFF_MAP_MAX 8

/* Which frames of a file take part: all, or those one host sent. */
struct trace_diff_filter {
	bool by_mac;           /* frames whose Ethernet source is mac */
	uint8_t mac[6];
	bool by_ip;            /* IPv4 frames from ip, ARP frames whose sender is ip */
	uint32_t ip;           /* network byte order */
};

struct trace_diff_options {
	unsigned int norm;     /* TRACE_NORM_* */
	unsigned int context;  /* frames printed before the divergence (and 1 after) */
	/* Addresses of the expected file rewritten before comparing (readdress.h). */
	struct { uint32_t from, to; } map[TRACE_DIFF_MAP_MAX];
	unsigned int nr_map;
	struct trace_diff_filter expected_filter, actual_filter;
};

/* The names of the normalisations ("time", "ipid", "csum", "tcpseq", "mac"), TRACE_NORM_* order. */
extern const char *const trace_norm_names[];
/* Parses "time,ipid" (or "all", "none") into *norm; 0 or -EINVAL. */
int trace_norm_parse(const char *list, unsigned int *norm);

/*
 * Compares the files. Returns 0 when equal, 1 when they diverge (the report
 * written to out), or a negative errno when a file cannot be read (a
 * one-line reason naming the file and record in err).
 */
int trace_diff_files(const char *expected, const char *actual,
		     const struct trace_diff_options *opt, FILE *out, char *err, size_t errlen);

#endif
