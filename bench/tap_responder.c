/*
 * tap_responder: the baseline for bench/ping — a plain C program on a TAP
 * device that does, per frame, the least an IPv4 host must do to answer what
 * echo answers: ARP requests for its address, ICMP echo requests (the reply
 * with its ICMP checksum recomputed) and UDP datagrams to port 7 (sent back
 * with addresses and ports swapped and the UDP checksum recomputed). Nothing
 * else: read(2), rewrite in place, write(2). Its rates are the limit of the
 * TAP path and the host's own stack on this machine.
 *
 *   tap_responder [--epoll] IFNAME ADDR [MAC]
 *
 * --epoll: the same answers, but the TAP is nonblocking and an empty read
 * waits in epoll_wait(2), as every event loop (libuv's included) waits: the
 * limit of any responder built on one, however little it does per frame.
 *
 * MAC defaults to 00:16:3e:00:01:00. Prints "tap_responder: answering" when
 * the TAP is open, and its counters on SIGTERM or SIGINT.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define UDP_ECHO_PORT 7

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Ones' complement sum of len bytes (big-endian 16-bit words), not folded. */
static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	for (; len > 1; p += 2, len -= 2)
		sum += get16(p);
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void swap(uint8_t *a, uint8_t *b, size_t n)
{
	uint8_t t[16];

	memcpy(t, a, n);
	memcpy(a, b, n);
	memcpy(b, t, n);
}

struct counters {
	unsigned long arp, icmp, udp, ignored;
};

/* Rewrites frame f (n bytes) into its answer in place; returns the answer's
 * length, or 0 when there is nothing to answer. */
static size_t answer(uint8_t *f, size_t n, const uint8_t mac[6], const uint8_t ip[4],
		     struct counters *c)
{
	uint16_t type;

	if (n < ETH_HLEN)
		return 0;
	type = get16(f + 12);
	if (type == 0x0806) { /* ARP */
		uint8_t *a = f + ETH_HLEN;

		if (n < ETH_HLEN + 28 || get16(a) != 1 || get16(a + 2) != 0x0800 || a[4] != 6 ||
		    a[5] != 4 || get16(a + 6) != 1 || memcmp(a + 24, ip, 4))
			return 0;
		put16(a + 6, 2);
		memcpy(a + 18, a + 8, 6);  /* target hardware = requester's */
		memcpy(a + 24, a + 14, 4); /* target protocol = requester's */
		memcpy(a + 8, mac, 6);
		memcpy(a + 14, ip, 4);
		memcpy(f, a + 18, 6);
		memcpy(f + 6, mac, 6);
		c->arp++;
		return ETH_HLEN + 28;
	}
	if (type == 0x0800) { /* IPv4 */
		uint8_t *h = f + ETH_HLEN, *l4;
		size_t ihl, total, l4len;

		if (n < ETH_HLEN + 20 || h[0] >> 4 != 4)
			return 0;
		ihl = (size_t)(h[0] & 15) * 4;
		total = get16(h + 2);
		if (ihl < 20 || total < ihl || ETH_HLEN + total > n || memcmp(h + 16, ip, 4) ||
		    fold(sum16(h, ihl, 0)) != 0 || (get16(h + 6) & 0x3fff) != 0)
			return 0; /* not ours, damaged or a fragment */
		l4 = h + ihl;
		l4len = total - ihl;
		if (h[9] == 1 && l4len >= 8 && l4[0] == 8) { /* ICMP echo request */
			if (fold(sum16(l4, l4len, 0)) != 0)
				return 0;
			l4[0] = 0;
			put16(l4 + 2, 0);
			put16(l4 + 2, fold(sum16(l4, l4len, 0)));
			c->icmp++;
		} else if (h[9] == 17 && l4len >= 8 && get16(l4 + 2) == UDP_ECHO_PORT &&
			   get16(l4 + 4) == l4len) { /* UDP to port 7 */
			uint32_t pseudo;
			uint16_t sum;

			swap(l4, l4 + 2, 2);
			put16(l4 + 6, 0);
			pseudo = sum16(h + 12, 8, 17 + (uint32_t)l4len);
			sum = fold(sum16(l4, l4len, pseudo));
			put16(l4 + 6, sum ? sum : 0xffff);
			c->udp++;
		} else {
			return 0;
		}
		swap(h + 12, h + 16, 4); /* the header checksum does not change */
		memcpy(f, f + 6, 6);
		memcpy(f + 6, mac, 6);
		return ETH_HLEN + total;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
	struct sigaction sa = { .sa_handler = on_signal };
	struct counters c = { 0 };
	uint8_t f[65536 + ETH_HLEN], mac[6] = { 0x00, 0x16, 0x3e, 0x00, 0x01, 0x00 }, ip[4];
	int fd, ep = -1, use_epoll = argc > 1 && !strcmp(argv[1], "--epoll");

	argc -= use_epoll;
	argv += use_epoll;
	if (argc < 3 || argc > 4 || inet_pton(AF_INET, argv[2], ip) != 1 ||
	    (argc == 4 && sscanf(argv[3], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1],
				 &mac[2], &mac[3], &mac[4], &mac[5]) != 6)) {
		fprintf(stderr, "usage: tap_responder [--epoll] IFNAME ADDR [MAC]\n");
		return 2;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[1]);
	if ((fd = open("/dev/net/tun", O_RDWR)) < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0) {
		fprintf(stderr, "tap_responder: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (use_epoll) {
		struct epoll_event ev = { .events = EPOLLIN };

		if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0 || (ep = epoll_create1(0)) < 0 ||
		    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
			perror("tap_responder: epoll");
			return 1;
		}
	}
	/* No SA_RESTART: a signal ends the blocking read or epoll_wait. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	printf("tap_responder: answering %s on %s\n", argv[2], argv[1]);
	fflush(stdout);
	while (!stop) {
		ssize_t n = read(fd, f, sizeof(f));
		size_t len;

		if (n < 0 && errno == EAGAIN && ep >= 0) {
			struct epoll_event ev;

			if (epoll_wait(ep, &ev, 1, -1) < 0 && errno != EINTR) {
				perror("tap_responder: epoll_wait");
				return 1;
			}
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror("tap_responder: read");
			return 1;
		}
		len = answer(f, (size_t)n, mac, ip, &c);
		if (!len) {
			c.ignored++;
			continue;
		}
		if (write(fd, f, len) < 0 && errno != EAGAIN && errno != EINTR) {
			perror("tap_responder: write");
			return 1;
		}
	}
	printf("tap_responder: answered %lu arp, %lu icmp echo, %lu udp; ignored %lu frames\n",
	       c.arp, c.icmp, c.udp, c.ignored);
	return 0;
}
