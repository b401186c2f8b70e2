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

static uint16_t csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void retarget(uint8_t *f, size_t len)
{
	static const uint8_t mac[6] = FUZZ_MAC, ip[4] = FUZZ_IP;
	uint16_t type = (uint16_t)(f[12] << 8 | f[13]);
	size_t ihl;

	memcpy(f, mac, 6);
	if (type == 0x0806 && len >= 14 + 28) {
		memcpy(f + 14 + 24, ip, 4);
	} else if (type == 0x0800 && len >= 14 + 20 && (ihl = (size_t)(f[14] & 15) * 4) >= 20 &&
		   len >= 14 + ihl) {
		memcpy(f + 14 + 16, ip, 4);
		f[14 + 10] = f[14 + 11] = 0;
		uint16_t c = csum(f + 14, ihl);
		f[14 + 10] = (uint8_t)(c >> 8);
		f[14 + 11] = (uint8_t)c;
		if (f[14 + 9] == 17 && len >= 14 + ihl + 8)
			f[14 + ihl + 6] = f[14 + ihl + 7] = 0;
	}
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
			memcpy(copy, frame, len);
			retarget(copy, len);
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
