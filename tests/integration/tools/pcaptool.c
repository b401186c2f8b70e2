/*
 * pcaptool: makes input traces and checks echo traces for the pcap tests.
 *   pcaptool gen FILE COUNT DSTMAC         COUNT frames (EtherType 0x88b5), 1 ms apart
 *   pcaptool check-echo FILE COUNT         a capture= file of l2echo holds each input
 *                                          frame followed by its echo (MACs swapped)
 *   pcaptool arp-requests FILE A.B.C.D     counts ARP requests for that address (exit 1 if none)
 *   pcaptool dhcp-xids FILE                prints the xid of each DHCP client message (UDP
 *                                          to port 67), one per line (exit 1 if none)
 *   pcaptool gen-gap FILE DSTMAC SECONDS   a pcapng file of 3 frames: the second SECONDS
 *                                          (64 bits) after the first, the third 1 ms later
 *   pcaptool times FILE                    prints each record's timestamp (s.us) and the
 *                                          record count; exit 1 if the file does not end
 *                                          cleanly after a whole record
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FRAME_SIZE 64

static int gen(const char *file, unsigned long count, const char *dstmac)
{
	uint8_t f[FRAME_SIZE] = { 0 };
	pcap_t *p = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535,
							  PCAP_TSTAMP_PRECISION_NANO);
	pcap_dumper_t *d = p ? pcap_dump_open(p, file) : NULL;

	if (!d || sscanf(dstmac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &f[0], &f[1], &f[2], &f[3],
			 &f[4], &f[5]) != 6) {
		fprintf(stderr, "pcaptool: cannot write %s or bad MAC %s\n", file, dstmac);
		return 2;
	}
	memcpy(f + 6, "\x02\x00\x00\x00\x00\x01", 6);
	f[12] = 0x88;
	f[13] = 0xb5;
	for (unsigned long i = 0; i < count; i++) {
		struct pcap_pkthdr h = { .caplen = FRAME_SIZE, .len = FRAME_SIZE };
		h.ts.tv_sec = 1000 + (long)(i / 1000);
		h.ts.tv_usec = (long)(i % 1000) * 1000000; /* nanoseconds in this precision */
		memcpy(f + 14, &i, sizeof(i));
		pcap_dump((u_char *)d, &h, f);
	}
	pcap_dump_close(d);
	pcap_close(p);
	return 0;
}

static int check_echo(const char *file, unsigned long count)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(file, err);
	const uint8_t *f, *prev = NULL;
	uint8_t last[FRAME_SIZE];
	struct pcap_pkthdr *h;
	unsigned long frames = 0, echoes = 0;

	if (!p) {
		fprintf(stderr, "pcaptool: %s\n", err);
		return 2;
	}
	while (pcap_next_ex(p, &h, &f) == 1) {
		frames++;
		if (prev && h->caplen == FRAME_SIZE && !memcmp(f, last + 6, 6) &&
		    !memcmp(f + 6, last, 6) && !memcmp(f + 12, last + 12, FRAME_SIZE - 12)) {
			echoes++;
			prev = NULL;
			continue;
		}
		if (h->caplen == FRAME_SIZE) {
			memcpy(last, f, FRAME_SIZE);
			prev = last;
		}
	}
	pcap_close(p);
	printf("%lu frames, %lu input/echo pairs\n", frames, echoes);
	return echoes == count && frames == 2 * count ? 0 : 1;
}

static int arp_requests(const char *file, const char *target)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(file, err);
	uint8_t want[4];
	const uint8_t *f;
	struct pcap_pkthdr *h;
	unsigned long n = 0;

	if (!p || sscanf(target, "%hhu.%hhu.%hhu.%hhu", &want[0], &want[1], &want[2], &want[3]) != 4) {
		fprintf(stderr, "pcaptool: %s\n", p ? "bad address" : err);
		return 2;
	}
	/* Ethernet + ARP for IPv4 over Ethernet: opcode at 20, target IP at 38. */
	while (pcap_next_ex(p, &h, &f) == 1)
		if (h->caplen >= 42 && f[12] == 0x08 && f[13] == 0x06 && f[20] == 0 && f[21] == 1 &&
		    !memcmp(f + 38, want, 4))
			n++;
	pcap_close(p);
	printf("%lu ARP requests for %s\n", n, target);
	return n ? 0 : 1;
}

static int dhcp_xids(const char *file)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(file, err);
	const uint8_t *f;
	struct pcap_pkthdr *h;
	unsigned long n = 0;

	if (!p) {
		fprintf(stderr, "pcaptool: %s\n", err);
		return 2;
	}
	/* IPv4 (any header length), UDP to port 67, BOOTP op 1: the xid is 4 bytes in. */
	while (pcap_next_ex(p, &h, &f) == 1) {
		size_t ihl, udp;

		if (h->caplen < 34 || f[12] != 0x08 || f[13] != 0x00 || f[23] != 17)
			continue;
		ihl = (size_t)(f[14] & 0x0f) * 4;
		udp = 14 + ihl;
		if (ihl < 20 || h->caplen < udp + 8 + 8 || f[udp + 2] != 0 || f[udp + 3] != 67 ||
		    f[udp + 8] != 1)
			continue;
		printf("%02x%02x%02x%02x\n", f[udp + 12], f[udp + 13], f[udp + 14], f[udp + 15]);
		n++;
	}
	pcap_close(p);
	return n ? 0 : 1;
}

static void put32(FILE *f, uint32_t v)
{
	fwrite(&v, sizeof(v), 1, f);
}

/* pcapng by hand (libpcap writes no pcapng): 64-bit timestamps, microseconds. */
static int gen_gap(const char *file, const char *dstmac, unsigned long long gap_s)
{
	uint8_t fr[FRAME_SIZE] = { 0 };
	const uint64_t ts_us[3] = { 1000000000ull, 1000000000ull + gap_s * 1000000ull,
				    1000000000ull + gap_s * 1000000ull + 1000 };
	FILE *f = fopen(file, "wb");

	if (!f || sscanf(dstmac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &fr[0], &fr[1], &fr[2],
			 &fr[3], &fr[4], &fr[5]) != 6) {
		fprintf(stderr, "pcaptool: cannot write %s or bad MAC %s\n", file, dstmac);
		return 2;
	}
	memcpy(fr + 6, "\x02\x00\x00\x00\x00\x01", 6);
	fr[12] = 0x88;
	fr[13] = 0xb5;
	/* Section header: byte-order magic, version 1.0, section length unknown. */
	put32(f, 0x0a0d0d0a), put32(f, 28), put32(f, 0x1a2b3c4d), put32(f, 1);
	put32(f, 0xffffffff), put32(f, 0xffffffff), put32(f, 28);
	/* Interface description: Ethernet, snap length 65535, default resolution (us). */
	put32(f, 1), put32(f, 20), put32(f, 1), put32(f, 65535), put32(f, 20);
	for (int i = 0; i < 3; i++) {
		fr[14] = (uint8_t)i;
		put32(f, 6), put32(f, 32 + FRAME_SIZE), put32(f, 0);
		put32(f, (uint32_t)(ts_us[i] >> 32)), put32(f, (uint32_t)ts_us[i]);
		put32(f, FRAME_SIZE), put32(f, FRAME_SIZE);
		fwrite(fr, FRAME_SIZE, 1, f);
		put32(f, 32 + FRAME_SIZE);
	}
	return fclose(f) == 0 ? 0 : 2;
}

static int times(const char *file)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(file, err);
	struct pcap_pkthdr *h;
	const uint8_t *f;
	unsigned long n = 0;
	int rc;

	if (!p) {
		fprintf(stderr, "pcaptool: %s\n", err);
		return 2;
	}
	while ((rc = pcap_next_ex(p, &h, &f)) == 1) {
		printf("%lld.%06ld\n", (long long)h->ts.tv_sec, (long)h->ts.tv_usec);
		n++;
	}
	if (rc != PCAP_ERROR_BREAK)
		fprintf(stderr, "pcaptool: %s: after record %lu: %s\n", file, n, pcap_geterr(p));
	pcap_close(p);
	printf("%lu records\n", n);
	return rc == PCAP_ERROR_BREAK ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "dhcp-xids"))
		return dhcp_xids(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "arp-requests"))
		return arp_requests(argv[2], argv[3]);
	if (argc == 5 && !strcmp(argv[1], "gen"))
		return gen(argv[2], strtoul(argv[3], NULL, 10), argv[4]);
	if (argc == 4 && !strcmp(argv[1], "check-echo"))
		return check_echo(argv[2], strtoul(argv[3], NULL, 10));
	if (argc == 5 && !strcmp(argv[1], "gen-gap"))
		return gen_gap(argv[2], argv[3], strtoull(argv[4], NULL, 10));
	if (argc == 3 && !strcmp(argv[1], "times"))
		return times(argv[2]);
	fprintf(stderr, "usage: pcaptool gen FILE COUNT DSTMAC | check-echo FILE COUNT | "
			"arp-requests FILE A.B.C.D | dhcp-xids FILE | gen-gap FILE DSTMAC SECONDS | "
			"times FILE\n");
	return 2;
}
