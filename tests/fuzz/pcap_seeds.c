/*
 * Splits pcap files into seed inputs for net_input_fuzz, one frame a file:
 *   pcap_seeds OUT_DIR FILE.pcap...
 * Each frame is written as captured, and again retargeted at the fuzzed
 * interface (its MAC; for IPv4 its address, with the header checksum
 * fixed and a UDP checksum cleared; for ARP the target address), so that
 * the fuzzer starts from frames the stack reads beyond the first check.
 * Files that are not Ethernet pcaps are skipped with a message.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tests/fuzz/fuzz_target.h"
#include "traces/readdress.h"
#include "traces/pcap_reader.h"

#define MAX_FRAME 1600
#define MAX_SEEDS 20000

static unsigned int seeds;

static int seed_write(const char *dir, const uint8_t *frame, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%05u", dir, seeds++);
	if (!(f = fopen(path, "wb")) || fwrite(frame, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "pcap_seeds: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static void split(const char *dir, const char *path)
{
	struct trace_reader *r;
	const uint8_t *frame;
	uint8_t copy[MAX_FRAME];
	size_t len;
	uint64_t ts;
	char err[512];

	if (trace_reader_open(path, &r, err, sizeof(err)) < 0) {
		fprintf(stderr, "pcap_seeds: skipped: %s\n", err);
		return;
	}
	while (seeds + 2 <= MAX_SEEDS && trace_reader_next(r, &frame, &len, &ts) == 1) {
		if (len > MAX_FRAME)
			continue;
		seed_write(dir, frame, len);
		if (len >= 14) {
			static const uint8_t mac[6] = FUZZ_MAC, ip[4] = FUZZ_IP;

			memcpy(copy, frame, len);
			trace_readdress_to(copy, len, mac, ip);
			seed_write(dir, copy, len);
		}
	}
	if (trace_reader_error(r)[0])
		fprintf(stderr, "pcap_seeds: stopped: %s\n", trace_reader_error(r));
	trace_reader_close(r);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: pcap_seeds OUT_DIR FILE.pcap...\n");
		return 2;
	}
	for (int i = 2; i < argc; i++)
		split(argv[1], argv[i]);
	printf("pcap_seeds: %u seeds in %s\n", seeds, argv[1]);
	return 0;
}
