/*
 * iptrace: the IPv4 echo test's trace and its check.
 *   iptrace gen FILE GUESTMAC     an ARP request for 10.0.0.2 from 10.0.0.1, then
 *                                 3 pings (sizes 56, 1000, 1472) and 3 UDP datagrams
 *                                 to port 7, 10 ms apart
 *   iptrace check FILE            in a capture= of echo: the ARP reply, each echo
 *                                 reply and each UDP echo, checked field by field
 * The peer is 10.0.0.1 at 02:00:00:00:00:01; the guest is 10.0.0.2.
 */
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peer.h"

#define PINGS 3
#define DATAGRAMS 3
static const uint8_t peer_mac[6] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t peer_ip[4] = { 10, 0, 0, 1 }, guest_ip[4] = { 10, 0, 0, 2 };
static const int ping_size[PINGS] = { 56, 1000, 1472 };
static uint8_t guest_mac[6];

/* The ones' complement checksum of p[0..n) (tests/support/peer.h). */
static uint16_t csum(const uint8_t *p, size_t n)
{
	return peer_csum_fold(peer_csum_add(0, p, n));
}

static uint32_t addr(const uint8_t a[4])
{
	uint32_t v;

	memcpy(&v, a, 4);
	return v;
}

/* Ethernet + IPv4 header from the peer to the guest; returns the payload. */
static uint8_t *ip_frame(uint8_t *f, unsigned proto, size_t payload, unsigned id)
{
	struct peer_ip4 h = { .src = addr(peer_ip), .dst = addr(guest_ip),
			      .proto = (uint8_t)proto, .id = (uint16_t)id };

	peer_eth_put(f, guest_mac, peer_mac, ETH_P_IP);
	peer_ip4_put(f + 14, &h, payload);
	return f + 14 + 20;
}

static void dump(pcap_dumper_t *d, const uint8_t *f, size_t len, unsigned n)
{
	struct pcap_pkthdr h = { .caplen = (bpf_u_int32)len, .len = (bpf_u_int32)len };
	h.ts.tv_sec = 1000;
	h.ts.tv_usec = (long)n * 10000; /* 10 ms apart */
	pcap_dump((u_char *)d, &h, f);
}

static int gen(const char *file)
{
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d = p ? pcap_dump_open(p, file) : NULL;
	uint8_t f[1514];
	unsigned n = 0;

	if (!d)
		return 2;
	/* Who has 10.0.0.2? Tell 10.0.0.1. */
	static const uint8_t unknown[6];
	peer_eth_put(f, peer_mac_broadcast, peer_mac, ETH_P_ARP);
	peer_arp_put(f + 14, 1, peer_mac, addr(peer_ip), unknown, addr(guest_ip));
	dump(d, f, 42, n++);
	for (int i = 0; i < PINGS; i++) {
		size_t len = 8 + (size_t)ping_size[i];
		uint8_t *icmp = ip_frame(f, 1, len, 100 + (unsigned)i);
		for (size_t k = 8; k < len; k++)
			icmp[k] = (uint8_t)(k * 7 + (size_t)i);
		peer_icmp_echo_put(icmp, 8, 0x1234, (uint16_t)(i + 1), icmp + 8, len - 8);
		dump(d, f, 14 + 20 + len, n++);
	}
	for (int i = 0; i < DATAGRAMS; i++) {
		char text[32];
		size_t tl = (size_t)snprintf(text, sizeof(text), "datagram %d", i + 1), len = 8 + tl;
		uint8_t *udp = ip_frame(f, 17, len, 200 + (unsigned)i);
		peer_udp_put(udp, addr(peer_ip), addr(guest_ip), (uint16_t)(40000 + i), 7, text, tl);
		dump(d, f, 14 + 20 + len, n++);
	}
	pcap_dump_close(d);
	pcap_close(p);
	return 0;
}

/* A frame from the guest to the peer, IPv4 with a good header: its payload. */
static const uint8_t *from_guest_ip(const uint8_t *f, size_t len, unsigned proto, size_t *plen)
{
	if (len < 34 || memcmp(f, peer_mac, 6) || memcmp(f + 6, guest_mac, 6) ||
	    peer_get16(f + 12) != 0x0800 || f[14] != 0x45 || f[14 + 9] != proto ||
	    memcmp(f + 14 + 12, guest_ip, 4) || memcmp(f + 14 + 16, peer_ip, 4) ||
	    csum(f + 14, 20) != 0 || peer_get16(f + 14 + 2) + 14u > len)
		return NULL;
	*plen = peer_get16(f + 14 + 2) - 20u;
	return f + 34;
}

static int check(const char *file)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(file, err);
	struct pcap_pkthdr *h;
	const uint8_t *f;
	int arp = 0, pings = 0, udps = 0, bad = 0;

	if (!p) {
		fprintf(stderr, "iptrace: %s\n", err);
		return 2;
	}
	while (pcap_next_ex(p, &h, &f) == 1) {
		size_t len = h->caplen, plen;
		const uint8_t *pl;
		if (len >= 42 && peer_get16(f + 12) == 0x0806 && peer_get16(f + 20) == 2) {
			/* The reply: 10.0.0.2 is at the guest's MAC, told to the peer. */
			memcpy(guest_mac, f + 22, 6);
			arp += !memcmp(f, peer_mac, 6) && !memcmp(f + 28, guest_ip, 4) &&
			       !memcmp(f + 32, peer_mac, 6) && !memcmp(f + 38, peer_ip, 4);
		} else if ((pl = from_guest_ip(f, len, 1, &plen))) {
			int i = pings;
			if (i < PINGS && plen == 8u + (size_t)ping_size[i] && pl[0] == 0 && pl[1] == 0 &&
			    csum(pl, plen) == 0 && peer_get16(pl + 4) == 0x1234 &&
			    peer_get16(pl + 6) == (unsigned)i + 1) {
				for (size_t k = 8; k < plen; k++)
					if (pl[k] != (uint8_t)(k * 7 + (size_t)i))
						bad++;
				pings++;
			} else {
				bad++;
			}
		} else if ((pl = from_guest_ip(f, len, 17, &plen))) {
			char text[32];
			int i = udps;
			size_t tl = (size_t)snprintf(text, sizeof(text), "datagram %d", i + 1);
			if (i < DATAGRAMS && plen == 8 + tl && peer_get16(pl) == 7 &&
			    peer_get16(pl + 2) == 40000u + (unsigned)i && !memcmp(pl + 8, text, tl))
				udps++;
			else
				bad++;
		}
	}
	pcap_close(p);
	printf("arp replies %d, echo replies %d/%d, udp echoes %d/%d, bad %d\n", arp, pings, PINGS,
	       udps, DATAGRAMS, bad);
	return arp == 1 && pings == PINGS && udps == DATAGRAMS && bad == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "gen") &&
	    sscanf(argv[3], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &guest_mac[0], &guest_mac[1],
		   &guest_mac[2], &guest_mac[3], &guest_mac[4], &guest_mac[5]) == 6)
		return gen(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "check"))
		return check(argv[2]);
	fprintf(stderr, "usage: iptrace gen FILE GUESTMAC | check FILE\n");
	return 2;
}
