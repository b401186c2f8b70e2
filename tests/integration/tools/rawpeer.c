/*
 * rawpeer: the far end of an echo test on a network interface, through a
 * packet socket. Sends COUNT frames of SIZE bytes (EtherType 0x88b5, IEEE's
 * local experimental type, so nothing else on the link is mistaken for an
 * answer) to DSTMAC, keeping at most WINDOW unanswered, and expects each to
 * come back with the MAC addresses swapped and the payload intact.
 *
 *   rawpeer IFNAME DSTMAC COUNT SIZE [WINDOW]
 *
 * Prints "sent N received M bad K in S seconds: R frames/s" and exits 0 when
 * every frame came back intact within 10 s (or 1 s after the last reply).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ETHERTYPE_LOCAL 0x88b5

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3],
		      &mac[4], &mac[5]) == 6 ? 0 : -1;
}

static int open_socket(const char *ifname, uint8_t mac[6])
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETHERTYPE_LOCAL) };
	struct ifreq ifr = { 0 };
	int fd = socket(AF_PACKET, SOCK_RAW, htons(ETHERTYPE_LOCAL));

	if (fd < 0) {
		perror("rawpeer: packet socket (needs CAP_NET_RAW)");
		exit(2);
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0)
		goto fail;
	sll.sll_ifindex = ifr.ifr_ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		goto fail;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return fd;
fail:
	fprintf(stderr, "rawpeer: %s: %s\n", ifname, strerror(errno));
	exit(2);
}

static void build(uint8_t *f, size_t size, const uint8_t dst[6], const uint8_t src[6], uint32_t seq)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = ETHERTYPE_LOCAL >> 8;
	f[13] = ETHERTYPE_LOCAL & 0xff;
	memcpy(f + 14, &seq, 4);
	for (size_t i = 18; i < size; i++)
		f[i] = (uint8_t)(seq * 31 + i);
}

/* An echo of frame seq: MACs swapped, payload as sent. */
static int check(const uint8_t *f, ssize_t n, size_t size, const uint8_t dst[6],
		 const uint8_t src[6], uint32_t *seq)
{
	uint8_t want[2048];

	if (n != (ssize_t)size || memcmp(f, src, 6) || memcmp(f + 6, dst, 6))
		return -1;
	memcpy(seq, f + 14, 4);
	build(want, size, dst, src, *seq);
	return memcmp(f + 12, want + 12, size - 12) ? -1 : 0;
}

int main(int argc, char **argv)
{
	uint8_t dst[6], src[6], frame[2048], in[2048];
	unsigned long count, size, window = 32, sent = 0, received = 0, bad = 0;
	double start, last;
	int fd;

	if (argc < 5 || parse_mac(argv[2], dst) < 0) {
		fprintf(stderr, "usage: rawpeer IFNAME DSTMAC COUNT SIZE [WINDOW]\n");
		return 2;
	}
	count = strtoul(argv[3], NULL, 10);
	size = strtoul(argv[4], NULL, 10);
	if (argc > 5)
		window = strtoul(argv[5], NULL, 10);
	if (size < 60 || size > 1514 || window == 0) {
		fprintf(stderr, "rawpeer: SIZE must be 60..1514, WINDOW at least 1\n");
		return 2;
	}
	fd = open_socket(argv[1], src);
	start = last = now();
	while (received < count) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		while (sent < count && sent - received < window) {
			build(frame, size, dst, src, (uint32_t)sent);
			if (send(fd, frame, size, 0) != (ssize_t)size)
				break;
			sent++;
		}
		if (poll(&pfd, 1, 100) > 0) {
			uint32_t seq;
			ssize_t n = recv(fd, in, sizeof(in), 0);
			/* Our own frames are seen outgoing too: skip those. */
			if (n >= 12 && !memcmp(in + 6, src, 6))
				continue;
			if (check(in, n, size, dst, src, &seq) == 0)
				received++;
			else
				bad++;
			last = now();
		} else if (now() - start > 10 || now() - last > 1) {
			break;
		}
	}
	double secs = last - start;
	printf("sent %lu received %lu bad %lu in %.3f seconds: %.0f frames/s\n", sent, received,
	       bad, secs, secs > 0 ? (double)received / secs : 0.0);
	return received == count && bad == 0 ? 0 : 1;
}
