/*
 * xs_poke: a misbehaving xenstore socket client, for the bad-input tests.
 *   xs_poke SOCKET truncated   half a header, then hang up
 *   xs_poke SOCKET oversized   a header claiming a 100000-byte payload
 *   xs_poke SOCKET abrupt      a header and part of its payload, then hang up
 *   xs_poke SOCKET garbage     256 bytes of noise
 *   xs_poke SOCKET badtype     a whole message of an unknown type; prints the reply
 * Exit status 0 when the exchange went as the mode intends.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <xen/io/xs_wire.h>

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path)) {
		perror("socket");
		exit(1);
	}
	strcpy(sa.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror(path);
		exit(1);
	}
	return fd;
}

static void send_all(int fd, const void *p, size_t n)
{
	if (write(fd, p, n) != (ssize_t)n) {
		perror("write");
		exit(1);
	}
}

static int badtype(int fd)
{
	struct xsd_sockmsg h = { .type = 9999, .req_id = 7, .len = 2 };
	char reply[sizeof(h) + 64];
	ssize_t n;

	send_all(fd, &h, sizeof(h));
	send_all(fd, "/\0", 2);
	n = read(fd, reply, sizeof(reply));
	if (n < (ssize_t)sizeof(h)) {
		fprintf(stderr, "xs_poke: no reply to an unknown message type\n");
		return 1;
	}
	memcpy(&h, reply, sizeof(h));
	printf("reply type %u req_id %u payload %.*s\n", h.type, h.req_id, (int)h.len,
	       reply + sizeof(h));
	return 0;
}

int main(int argc, char **argv)
{
	struct xsd_sockmsg h = { .type = XS_READ, .req_id = 1 };
	char noise[256];
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: xs_poke SOCKET truncated|oversized|abrupt|garbage|badtype\n");
		return 2;
	}
	fd = connect_to(argv[1]);
	if (!strcmp(argv[2], "truncated")) {
		send_all(fd, &h, sizeof(h) / 2);
	} else if (!strcmp(argv[2], "oversized")) {
		h.len = 100000;
		send_all(fd, &h, sizeof(h));
	} else if (!strcmp(argv[2], "abrupt")) {
		h.len = 100;
		send_all(fd, &h, sizeof(h));
		send_all(fd, "/local/domain", 13);
	} else if (!strcmp(argv[2], "garbage")) {
		for (size_t i = 0; i < sizeof(noise); i++)
			noise[i] = (char)(i * 167 + 13);
		send_all(fd, noise, sizeof(noise));
	} else if (!strcmp(argv[2], "badtype")) {
		return badtype(fd);
	} else {
		fprintf(stderr, "xs_poke: unknown mode %s\n", argv[2]);
		return 2;
	}
	/* Give the daemon a moment to read before the hang-up. */
	usleep(100000);
	close(fd);
	return 0;
}
