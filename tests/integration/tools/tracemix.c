/*
 * tracemix: changes a recorded trace for the trace tests.
 *   tracemix flip IN OUT RECORD OFFSET   OUT is IN with byte OFFSET of record RECORD
 *                                        (1 = the first) XORed with 0x20; exit 3 when
 *                                        the record has no such byte
 *   tracemix noise IN OUT                OUT is IN without its ARP frames, and after
 *                                        each record a UDP datagram between two hosts
 *                                        IN does not concern (10.0.0.8 > 10.0.0.9) and
 *                                        an IPv6 frame, stamped alike
 * Timestamps and precision are kept (nanosecond files are written as such).
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peer.h"

static const struct peer stranger = {
	.mac = { 2, 0, 0, 0, 0, 8 }, .ip = PEER_IP4(10, 0, 0, 8),
	.guest_mac = { 2, 0, 0, 0, 0, 9 }, .guest_ip = PEER_IP4(10, 0, 0, 9),
};

static void dump_noise(pcap_dumper_t *d, const struct pcap_pkthdr *like)
{
	uint8_t f[PEER_FRAME_MAX];
	struct pcap_pkthdr h = *like;

	h.caplen = h.len = (bpf_u_int32)peer_udp_frame(&stranger, f, 5000, 7, "noise", 5);
	pcap_dump((u_char *)d, &h, f);
	h.caplen = h.len = (bpf_u_int32)peer_eth_put(f, stranger.guest_mac, stranger.mac,
						     ETH_P_IPV6) + 40;
	memset(f + ETH_HLEN, 0, 40);
	f[ETH_HLEN] = 0x60;
	f[ETH_HLEN + 6] = 59; /* no next header */
	f[ETH_HLEN + 7] = 64;
	pcap_dump((u_char *)d, &h, f);
}

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	static uint8_t buf[262144]; /* libpcap's largest snap length */
	unsigned long record = 0, flip_record = 0, flip_offset = 0;
	int noise, flipped = 0;

	if (argc < 4 || (strcmp(argv[1], "flip") && strcmp(argv[1], "noise")) ||
	    (!strcmp(argv[1], "flip") && argc != 6)) {
		fprintf(stderr, "usage: tracemix flip IN OUT RECORD OFFSET | noise IN OUT\n");
		return 2;
	}
	noise = !strcmp(argv[1], "noise");
	if (!noise) {
		flip_record = strtoul(argv[4], NULL, 10);
		flip_offset = strtoul(argv[5], NULL, 10);
	}
	pcap_t *in = pcap_open_offline_with_tstamp_precision(argv[2], PCAP_TSTAMP_PRECISION_NANO,
							     err);
	if (!in) {
		fprintf(stderr, "tracemix: %s\n", err);
		return 2;
	}
	pcap_t *dead = pcap_open_dead_with_tstamp_precision(pcap_datalink(in), pcap_snapshot(in),
							    PCAP_TSTAMP_PRECISION_NANO);
	pcap_dumper_t *d = pcap_dump_open(dead, argv[3]);
	if (!d) {
		fprintf(stderr, "tracemix: %s\n", pcap_geterr(dead));
		return 2;
	}
	while (pcap_next_ex(in, &h, &data) == 1) {
		size_t n = h->caplen < sizeof(buf) ? h->caplen : sizeof(buf);
		record++;
		memcpy(buf, data, n);
		if (noise && n >= ETH_HLEN && peer_get16(buf + 12) == ETH_P_ARP)
			continue;
		if (record == flip_record && flip_offset < n) {
			buf[flip_offset] ^= 0x20;
			flipped = 1;
		}
		pcap_dump((u_char *)d, h, buf);
		if (noise)
			dump_noise(d, h);
	}
	pcap_dump_close(d);
	pcap_close(dead);
	pcap_close(in);
	return noise || flipped ? 0 : 3;
}
