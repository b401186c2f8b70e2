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

#define PINGS 3
#define DATAGRAMS 3
static const uint8_t peer_mac[6] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t peer_ip[4] = { 10, 0, 0, 1 }, guest_ip[4] = { 10, 0, 0, 2 };
static const int ping_size[PINGS] = { 56, 1000, 1472 };
static uint8_t guest_mac[6];

static uint16_t csum(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static unsigned get16(const uint8_t *p) { return (unsigned)(p[0] << 8 | p[1]); }

/* Ethernet + IPv4 header from the peer to the guest; returns the payload. */
static uint8_t *ip_frame(uint8_t *f, unsigned proto, size_t payload, unsigned id)
{
	memcpy(f, guest_mac, 6);
	memcpy(f + 6, peer_mac, 6);
	put16(f + 12, 0x0800);
	uint8_t *ip = f + 14;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (unsigned)(20 + payload));
	put16(ip + 4, id);
	ip[8] = 64;
	ip[9] = (uint8_t)proto;
	memcpy(ip + 12, peer_ip, 4);
	memcpy(ip + 16, guest_ip, 4);
	put16(ip + 10, csum(ip, 20, 0));
	return ip + 20;
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
	memset(f, 0xff, 6);
	memcpy(f + 6, peer_mac, 6);
	put16(f + 12, 0x0806);
	put16(f + 14, 1);
	put16(f + 16, 0x0800);
	f[18] = 6;
	f[19] = 4;
	put16(f + 20, 1);
	memcpy(f + 22, peer_mac, 6);
	memcpy(f + 28, peer_ip, 4);
	memset(f + 32, 0, 6);
	memcpy(f + 38, guest_ip, 4);
	dump(d, f, 42, n++);
	for (int i = 0; i < PINGS; i++) {
		size_t len = 8 + (size_t)ping_size[i];
		uint8_t *icmp = ip_frame(f, 1, len, 100 + (unsigned)i);
		icmp[0] = 8;
		icmp[1] = 0;
		put16(icmp + 2, 0);
		put16(icmp + 4, 0x1234);
		put16(icmp + 6, (unsigned)i + 1);
		for (size_t k = 8; k < len; k++)
			icmp[k] = (uint8_t)(k * 7 + (size_t)i);
		put16(icmp + 2, csum(icmp, len, 0));
		dump(d, f, 14 + 20 + len, n++);
	}
	for (int i = 0; i < DATAGRAMS; i++) {
		char text[32];
		size_t tl = (size_t)snprintf(text, sizeof(text), "datagram %d", i + 1), len = 8 + tl;
		uint8_t *udp = ip_frame(f, 17, len, 200 + (unsigned)i), pseudo[12];
		put16(udp, 40000 + (unsigned)i);
		put16(udp + 2, 7);
		put16(udp + 4, (unsigned)len);
		put16(udp + 6, 0);
		memcpy(udp + 8, text, tl);
		memcpy(pseudo, peer_ip, 4);
		memcpy(pseudo + 4, guest_ip, 4);
		pseudo[8] = 0;
		pseudo[9] = 17;
		put16(pseudo + 10, (unsigned)len);
		uint16_t s = csum(udp, len, (uint16_t)~csum(pseudo, 12, 0));
		put16(udp + 6, s ? s : 0xffff);
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
	    get16(f + 12) != 0x0800 || f[14] != 0x45 || f[14 + 9] != proto ||
	    memcmp(f + 14 + 12, guest_ip, 4) || memcmp(f + 14 + 16, peer_ip, 4) ||
	    csum(f + 14, 20, 0) != 0 || get16(f + 14 + 2) + 14u > len)
		return NULL;
	*plen = get16(f + 14 + 2) - 20u;
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
		if (len >= 42 && get16(f + 12) == 0x0806 && get16(f + 20) == 2) {
			/* The reply: 10.0.0.2 is at the guest's MAC, told to the peer. */
			memcpy(guest_mac, f + 22, 6);
			arp += !memcmp(f, peer_mac, 6) && !memcmp(f + 28, guest_ip, 4) &&
			       !memcmp(f + 32, peer_mac, 6) && !memcmp(f + 38, peer_ip, 4);
		} else if ((pl = from_guest_ip(f, len, 1, &plen))) {
			int i = pings;
			if (i < PINGS && plen == 8u + (size_t)ping_size[i] && pl[0] == 0 && pl[1] == 0 &&
			    csum(pl, plen, 0) == 0 && get16(pl + 4) == 0x1234 &&
			    get16(pl + 6) == (unsigned)i + 1) {
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
			if (i < DATAGRAMS && plen == 8 + tl && get16(pl) == 7 &&
			    get16(pl + 2) == 40000u + (unsigned)i && !memcmp(pl + 8, text, tl))
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
