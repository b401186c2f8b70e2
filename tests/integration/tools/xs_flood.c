/*
 * xs_flood: xenstore socket clients that misbehave in volume, for the
 * hang-up and queue-limit tests.
 *   xs_flood SOCKET read-close N
 *       N times: connect, send one XS_READ, hang up without reading the reply
 *   xs_flood SOCKET watch-noread WATCHES SECONDS
 *       watch WATCHES nodes (/local/domain/1/data/wI), then write them in turn,
 *       never reading a reply or an event, until the daemon hangs up (prints
 *       "dropped after K writes", exit 0) or SECONDS pass (exit 1)
 * Writes use MSG_NOSIGNAL: the daemon hanging up is what this tool waits for.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <xen/io/xs_wire.h>

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "xs_flood: bad socket path %s\n", path);
		exit(2);
	}
	strcpy(sa.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror(path);
		exit(2);
	}
	return fd;
}

/* Sends one message; returns 0, or -errno once the daemon has hung up. */
static int send_msg(int fd, uint32_t type, uint32_t req_id, const char *payload, size_t len)
{
	char buf[sizeof(struct xsd_sockmsg) + 256];
	struct xsd_sockmsg h = { .type = type, .req_id = req_id, .len = (uint32_t)len };
	size_t n = sizeof(h) + len, off = 0;

	if (len > sizeof(buf) - sizeof(h))
		return -EINVAL;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), payload, len);
	while (off < n) {
		ssize_t w = send(fd, buf + off, n - off, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		off += (size_t)w;
	}
	return 0;
}

static int read_close(const char *path, int n)
{
	static const char node[] = "/local/domain/1/name";

	for (int i = 0; i < n; i++) {
		int fd = connect_to(path);
		if (send_msg(fd, XS_READ, (uint32_t)i, node, sizeof(node)) < 0) {
			fprintf(stderr, "xs_flood: the daemon hung up on request %d\n", i);
			return 1;
		}
		close(fd);
	}
	printf("%d clients hung up before their replies\n", n);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int watch_noread(const char *path, int watches, double seconds)
{
	int fd = connect_to(path);
	double end = now_s() + seconds;
	char msg[128];
	long writes = 0;
	int len, rc = 0;

	for (int i = 0; i < watches && rc == 0; i++) {
		len = snprintf(msg, sizeof(msg), "/local/domain/1/data/w%d%ctok%d", i, 0, i);
		rc = send_msg(fd, XS_WATCH, (uint32_t)i, msg, (size_t)len + 1);
	}
	while (rc == 0 && now_s() < end) {
		int i = (int)(writes % watches);
		len = snprintf(msg, sizeof(msg), "/local/domain/1/data/w%d%cvalue %ld", i, 0, writes);
		rc = send_msg(fd, XS_WRITE, (uint32_t)writes, msg, (size_t)len);
		writes += rc == 0;
	}
	close(fd);
	if (rc == 0) {
		printf("not dropped after %ld writes in %.0f s\n", writes, seconds);
		return 1;
	}
	printf("dropped after %ld writes (%s)\n", writes, strerror(-rc));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[2], "read-close"))
		return read_close(argv[1], atoi(argv[3]));
	if (argc == 5 && !strcmp(argv[2], "watch-noread"))
		return watch_noread(argv[1], atoi(argv[3]), atof(argv[4]));
	fprintf(stderr, "usage: xs_flood SOCKET read-close N | watch-noread WATCHES SECONDS\n");
	return 2;
}
