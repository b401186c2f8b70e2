/*
 * The one xenstore request the command makes itself, XS_WRITE over the
 * socket as libxenstore's xs_write sends it (struct xsd_sockmsg from Xen's
 * xs_wire.h, then "path\0value"); everything else is left to Xen's tools.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <xen/io/xs_wire.h>

#include "tools/drydock/drydock.h"

static int connect_to(const char *sock)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(sock) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

/* Reads exactly n bytes, waiting at most 5 s for each part. */
static int read_all(int fd, void *buf, size_t n)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		if (poll(&p, 1, 5000) <= 0)
			return -ETIMEDOUT;
		if ((r = read(fd, (char *)buf + got, n - got)) <= 0)
			return r == 0 ? -ECONNRESET : -errno;
		got += (size_t)r;
	}
	return 0;
}

static int exchange(int fd, const char *path, const char *value, char *err, size_t errlen)
{
	size_t plen = strlen(path) + 1, vlen = strlen(value);
	struct xsd_sockmsg h = { .type = XS_WRITE, .req_id = 1, .len = (uint32_t)(plen + vlen) };
	char reply[XENSTORE_PAYLOAD_MAX + 1];
	int rc;

	if (h.len > XENSTORE_PAYLOAD_MAX)
		return snprintf(err, errlen, "request too long"), -E2BIG;
	if (write(fd, &h, sizeof(h)) != sizeof(h) || write(fd, path, plen) != (ssize_t)plen ||
	    write(fd, value, vlen) != (ssize_t)vlen)
		return snprintf(err, errlen, "%s", strerror(errno)), -EIO;
	if ((rc = read_all(fd, &h, sizeof(h))) < 0)
		return snprintf(err, errlen, "%s", strerror(-rc)), rc;
	if (h.len > XENSTORE_PAYLOAD_MAX)
		return snprintf(err, errlen, "reply of %u bytes", h.len), -EPROTO;
	if ((rc = read_all(fd, reply, h.len)) < 0)
		return snprintf(err, errlen, "%s", strerror(-rc)), rc;
	reply[h.len] = '\0';
	if (h.type == XS_ERROR)
		return snprintf(err, errlen, "xenstored says %s", reply), -EACCES;
	if (h.type != XS_WRITE)
		return snprintf(err, errlen, "unexpected reply type %u", h.type), -EPROTO;
	return 0;
}

int dd_xs_write(const char *sock, const char *path, const char *value, char *err, size_t errlen)
{
	int fd = connect_to(sock), rc;

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", sock, strerror(-fd));
		return fd;
	}
	rc = exchange(fd, path, value, err, errlen);
	close(fd);
	return rc;
}
