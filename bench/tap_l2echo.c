/*
 * tap_l2echo: the baseline for bench/netdev — a plain C program that answers
 * every frame on a TAP device with the MAC addresses swapped, as l2echo does,
 * but with nothing in between: read(2), swap, write(2). Its rate is the limit
 * of the TAP path on this machine.
 *
 *   tap_l2echo IFNAME
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
	unsigned char f[2048], mac[6];
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: tap_l2echo IFNAME\n");
		return 2;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[1]);
	if ((fd = open("/dev/net/tun", O_RDWR)) < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0) {
		fprintf(stderr, "tap_l2echo: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (;;) {
		ssize_t n = read(fd, f, sizeof(f));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return 1;
		if (n < 12)
			continue;
		memcpy(mac, f, 6);
		memcpy(f, f + 6, 6);
		memcpy(f + 6, mac, 6);
		if (write(fd, f, (size_t)n) < 0 && errno != EAGAIN)
			return 1;
	}
}
