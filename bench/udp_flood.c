/*
 * udp_flood: the client side of bench/ping's UDP figure. Sends COUNT datagrams
 * of SIZE bytes to ADDR:7 (the UDP echo service), keeping at most WINDOW
 * unanswered, and counts the echoes that come back intact.
 *
 *   udp_flood ADDR COUNT [SIZE [WINDOW]]
 *
 * SIZE defaults to 64 (payload bytes, at least 16), WINDOW to 8. Each
 * datagram carries its sequence number and its send time; an echo is counted
 * when its payload is the one sent, and its round trip is measured from that
 * time. When nothing comes back for 100 ms the datagrams in flight are taken
 * as lost and the window is refilled. Prints
 *
 *   udp_flood: sent N received M lost L in S s: R echoes/s, mean rtt U us
 *
 * and exits 0 when at least one echo came back, 1 otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LOSS_TIMEOUT_MS 100

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void fill(uint8_t *p, size_t size, uint64_t seq)
{
	uint64_t t = now_ns();

	memcpy(p, &seq, 8);
	memcpy(p + 8, &t, 8);
	for (size_t i = 16; i < size; i++)
		p[i] = (uint8_t)(seq * 7 + i);
}

static int intact(const uint8_t *p, size_t size)
{
	uint64_t seq;

	memcpy(&seq, p, 8);
	for (size_t i = 16; i < size; i++)
		if (p[i] != (uint8_t)(seq * 7 + i))
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(7) };
	unsigned long count, size = 64, window = 8;
	uint64_t sent = 0, received = 0, bad = 0, inflight = 0, rtt_sum = 0, start, end;
	uint8_t out[65536], in[65536];
	int fd;

	if (argc < 3 || argc > 5 || inet_pton(AF_INET, argv[1], &to.sin_addr) != 1 ||
	    !(count = strtoul(argv[2], NULL, 10)) ||
	    (argc > 3 && ((size = strtoul(argv[3], NULL, 10)) < 16 || size > 65507)) ||
	    (argc > 4 && !(window = strtoul(argv[4], NULL, 10)))) {
		fprintf(stderr, "usage: udp_flood ADDR COUNT [SIZE(16..65507) [WINDOW]]\n");
		return 2;
	}
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0) {
		perror("udp_flood: socket");
		return 2;
	}
	start = now_ns();
	while (sent < count || inflight) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int r;

		while (sent < count && inflight < window) {
			fill(out, size, sent);
			if (send(fd, out, size, 0) < 0) {
				if (errno == ECONNREFUSED || errno == ENOBUFS || errno == EAGAIN)
					break; /* try again after the next echo or timeout */
				perror("udp_flood: send");
				return 2;
			}
			sent++;
			inflight++;
		}
		r = poll(&pfd, 1, LOSS_TIMEOUT_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			perror("udp_flood: poll");
			return 2;
		}
		if (r == 0) { /* everything in flight is taken as lost */
			inflight = 0;
			continue;
		}
		for (;;) {
			ssize_t n = recv(fd, in, sizeof(in), MSG_DONTWAIT);
			uint64_t t;

			if (n < 0 && errno == ECONNREFUSED)
				continue; /* an ICMP port unreachable, not an echo */
			if (n < 0)
				break;
			if ((size_t)n != size || !intact(in, size)) {
				bad++;
				continue;
			}
			memcpy(&t, in + 8, 8);
			rtt_sum += now_ns() - t;
			received++;
			if (inflight)
				inflight--;
		}
	}
	end = now_ns();
	close(fd);
	{
		double secs = (double)(end - start) / 1e9;

		printf("udp_flood: sent %llu received %llu lost %llu in %.3f s: %.0f echoes/s, "
		       "mean rtt %.1f us\n",
		       (unsigned long long)sent, (unsigned long long)received,
		       (unsigned long long)(sent - received), secs, (double)received / secs,
		       received ? (double)rtt_sum / (double)received / 1e3 : 0.0);
		if (bad)
			printf("udp_flood: %llu datagrams of the wrong size or content\n",
			       (unsigned long long)bad);
	}
	return received ? 0 : 1;
}
