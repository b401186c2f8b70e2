/*
 * udp_trace: the input of bench-udp-cost, a pcap trace of UDP datagrams to
 * echo's port 7.
 *
 *   udp_trace FILE GUESTMAC COUNT [SIZE [GAP_US]]
 *
 * An ARP request for 10.0.0.2 from the peer 10.0.0.1 (02:00:00:00:00:01),
 * which also tells the guest where to send its answers, then COUNT UDP
 * datagrams of SIZE payload bytes (default 64) from the peer's port 40000 to
 * port 7, GAP_US microseconds apart (default 10; at least 1). Each payload
 * differs (it starts with its sequence number), every checksum is right.
 * Host code (libpcap and the test peer's frame builders).
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peer.h"

#define TRACE_START_S 1000
#define TRACE_FRAME_MAX 1514
#define TRACE_PAYLOAD_MAX (TRACE_FRAME_MAX - 14 - 20 - 8)
#define TRACE_GAP_MAX_US 1000000UL

static const struct peer trace_peer_template = {
	.mac = { 2, 0, 0, 0, 0, 1 },
	.ip = PEER_IP4(10, 0, 0, 1),
	.guest_ip = PEER_IP4(10, 0, 0, 2),
};

/* Frame n of the trace is stamped n * gap_us after the start (nanosecond precision). */
static void trace_dump(pcap_dumper_t *d, const uint8_t *f, size_t len, unsigned long n,
		       unsigned long gap_us)
{
	unsigned long long ns = (unsigned long long)n * gap_us * 1000ULL;
	struct pcap_pkthdr h = { .caplen = (bpf_u_int32)len, .len = (bpf_u_int32)len };

	h.ts.tv_sec = TRACE_START_S + (long)(ns / 1000000000ULL);
	h.ts.tv_usec = (long)(ns % 1000000000ULL);
	pcap_dump((u_char *)d, &h, f);
}

static int trace_write(const char *file, const struct peer *p, unsigned long count,
		       size_t size, unsigned long gap_us)
{
	pcap_t *pc = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535,
							   PCAP_TSTAMP_PRECISION_NANO);
	pcap_dumper_t *d = pc ? pcap_dump_open(pc, file) : NULL;
	uint8_t f[TRACE_FRAME_MAX], data[TRACE_PAYLOAD_MAX];
	size_t len;

	if (!d) {
		fprintf(stderr, "udp_trace: cannot write %s: %s\n", file,
			pc ? pcap_geterr(pc) : "out of memory");
		if (pc)
			pcap_close(pc);
		return 1;
	}
	len = peer_arp_frame(p, f, 1);
	trace_dump(d, f, len, 0, gap_us);
	for (size_t k = 0; k < size; k++)
		data[k] = (uint8_t)(k * 7);
	for (unsigned long i = 0; i < count; i++) {
		memcpy(data, &i, size < sizeof(i) ? size : sizeof(i));
		len = peer_udp_frame(p, f, 40000, 7, data, size);
		trace_dump(d, f, len, i + 1, gap_us);
	}
	pcap_dump_close(d);
	pcap_close(pc);
	return 0;
}

/* A decimal number in [min, max], or -1. */
static long trace_arg(const char *s, long min, long max)
{
	char *end;
	long v = strtol(s, &end, 10);

	return *s && !*end && v >= min && v <= max ? v : -1;
}

int main(int argc, char **argv)
{
	struct peer p = trace_peer_template;
	long count, size = 64, gap = 10;

	if (argc < 4 || argc > 6 ||
	    sscanf(argv[2], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &p.guest_mac[0], &p.guest_mac[1],
		   &p.guest_mac[2], &p.guest_mac[3], &p.guest_mac[4], &p.guest_mac[5]) != 6 ||
	    (count = trace_arg(argv[3], 0, 100000000L)) < 0 ||
	    (argc > 4 && (size = trace_arg(argv[4], 0, TRACE_PAYLOAD_MAX)) < 0) ||
	    (argc > 5 && (gap = trace_arg(argv[5], 1, TRACE_GAP_MAX_US)) < 0)) {
		fprintf(stderr, "usage: udp_trace FILE GUESTMAC COUNT [SIZE [GAP_US]]\n"
				"  SIZE: 0 to %d payload bytes (default 64); GAP_US: 1 to %lu "
				"(default 10)\n", TRACE_PAYLOAD_MAX, TRACE_GAP_MAX_US);
		return 2;
	}
	return trace_write(argv[1], &p, (unsigned long)count, (size_t)size, (unsigned long)gap);
}
