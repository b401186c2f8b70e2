/*
 * tcpecho: the TCP echo service (RFC 862) on port 7, one cooperative thread
 * per connection, or, with `connect=ADDR:PORT`, a client of one.
 *
 * Server (the default): accepts connections on port 7 and sends back every
 * byte each one sends, until the peer shuts its side down; then closes.
 * With `count=N` it ends after serving N connections.
 *
 * Client: `connect=ADDR:PORT size=N` connects, sends N bytes of a fixed
 * pattern while reading the echo, shuts its side down, reads to the end of
 * the stream and checks every byte. Exit status 0 when all N came back
 * intact, 1 otherwise; the error is printed.
 *
 * `timeout=SECONDS` bounds every wait for the peer (default 60): a peer that
 * stops reading makes the send fail with -ETIMEDOUT then.
 *
 * The network is configured by net_init (ip=ADDR/PREFIX gw=ADDR, or DHCP).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <net/net.h>
#include <net/socket.h>
#include <net/tcp.h>
#include <uk.h>

#define ECHO_PORT 7
#define INIT_TIMEOUT_NS (30 * UK_NSEC_PER_SEC)

/* How long a send or a receive may wait (timeout=SECONDS; default 60). */
static uint64_t io_timeout_ns = 60 * UK_NSEC_PER_SEC;
#define IO_TIMEOUT_NS io_timeout_ns
#define BUF 16384

static uint64_t served, bytes_echoed;

static uint8_t pattern(uint64_t i)
{
	return (uint8_t)(i * 31 + (i >> 8));
}

/* --- the server --- */

/* Sends all of buf, however many calls it takes. 0 or the error. */
static int send_all(struct net_socket *s, const uint8_t *buf, size_t len)
{
	while (len) {
		int n = net_send(s, buf, len, uk_now_ns() + IO_TIMEOUT_NS);

		if (n < 0)
			return n;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int serve(void *arg)
{
	struct net_socket *s = arg;
	uint8_t *buf = uk_malloc(BUF);
	int n = -ENOMEM;

	while (buf && (n = net_recv(s, buf, BUF, uk_now_ns() + IO_TIMEOUT_NS)) > 0) {
		int rc = send_all(s, buf, (size_t)n);

		if (rc < 0) {
			n = rc;
			break;
		}
		bytes_echoed += (uint64_t)n;
	}
	if (n < 0) {
		uk_printf("tcpecho: connection ended with error %d\n", n);
		net_abort(s);
	} else {
		net_close(s); /* the peer's FIN came: ours follows the echoed data */
	}
	uk_free(buf);
	served++;
	return 0;
}

static int server(uint64_t limit)
{
	struct net_socket *l, *c;
	int rc;

	if ((rc = net_socket(NET_SOCK_STREAM, &l)) < 0 || (rc = net_bind(l, IP4_ANY, ECHO_PORT)) < 0 ||
	    (rc = net_listen(l, 64)) < 0) {
		uk_printf("tcpecho: cannot listen on port %d: error %d\n", ECHO_PORT, rc);
		return 1;
	}
	uk_printf("tcpecho: listening on TCP port %d\n", ECHO_PORT);
	for (uint64_t accepted = 0; !limit || accepted < limit; accepted++) {
		struct uk_thread *t;

		if ((rc = net_accept(l, &c, 0)) < 0) {
			uk_printf("tcpecho: accept failed: error %d\n", rc);
			return 1;
		}
		if (!(t = uk_thread_create("tcpecho-conn", serve, c))) {
			net_abort(c);
			continue;
		}
		uk_thread_detach(t);
	}
	while (served < limit)
		uk_sleep_ns(10 * UK_NSEC_PER_MSEC);
	net_close(l);
	uk_printf("tcpecho: served %" PRIu64 " connections, %" PRIu64 " bytes\n", served,
		  bytes_echoed);
	return 0;
}

/* --- the client --- */

struct client {
	struct net_socket *s;
	uint64_t size, sent;
	int err;
};

static int client_sender(void *arg)
{
	struct client *k = arg;
	uint8_t chunk[1024];

	while (k->sent < k->size) {
		size_t n = k->size - k->sent < sizeof(chunk) ? k->size - k->sent : sizeof(chunk);
		int rc;

		for (size_t i = 0; i < n; i++)
			chunk[i] = pattern(k->sent + i);
		if ((rc = send_all(k->s, chunk, n)) < 0) {
			k->err = rc;
			return 0;
		}
		k->sent += n;
	}
	k->err = net_shutdown(k->s);
	return 0;
}

static int client(const char *spec, uint64_t size)
{
	struct client k = { .size = size };
	char host[32];
	const char *colon = strchr(spec, ':');
	ip4_addr_t addr;
	uint64_t got = 0;
	uint8_t *buf;
	struct uk_thread *t;
	int rc, n;

	if (!colon || (size_t)(colon - spec) >= sizeof(host)) {
		uk_printf("tcpecho: connect=ADDR:PORT, not '%s'\n", spec);
		return 1;
	}
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = 0;
	if (ip4_addr_parse(host, &addr) < 0) {
		uk_printf("tcpecho: bad address '%s'\n", host);
		return 1;
	}
	if ((rc = net_socket(NET_SOCK_STREAM, &k.s)) < 0 ||
	    (rc = net_connect(k.s, addr, (uint16_t)strtoul(colon + 1, NULL, 10),
			      uk_now_ns() + IO_TIMEOUT_NS)) < 0) {
		uk_printf("tcpecho: connect to %s failed: error %d\n", spec, rc);
		return 1;
	}
	if (!(buf = uk_malloc(BUF)) || !(t = uk_thread_create("tcpecho-send", client_sender, &k))) {
		uk_printf("tcpecho: out of memory\n");
		return 1;
	}
	while ((n = net_recv(k.s, buf, BUF, uk_now_ns() + IO_TIMEOUT_NS)) > 0) {
		for (int i = 0; i < n; i++)
			if (buf[i] != pattern(got + (uint64_t)i)) {
				uk_printf("tcpecho: byte %" PRIu64 " came back wrong\n", got + (uint64_t)i);
				n = -EIO;
				break;
			}
		if (n < 0)
			break;
		got += (uint64_t)n;
	}
	uk_thread_join(t);
	net_close(k.s);
	uk_free(buf);
	if (n < 0 || k.err < 0 || got != size) {
		uk_printf("tcpecho: %" PRIu64 " of %" PRIu64 " bytes echoed; error %d, sender %d\n",
			  got, size, n, k.err);
		return 1;
	}
	uk_printf("tcpecho: %" PRIu64 " bytes echoed intact\n", got);
	return 0;
}

int app_main(int argc, char **argv)
{
	const char *connect = NULL;
	uint64_t limit = 0, size = 100000;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "count=", 6))
			limit = strtoull(argv[i] + 6, NULL, 10);
		else if (!strncmp(argv[i], "connect=", 8))
			connect = argv[i] + 8;
		else if (!strncmp(argv[i], "size=", 5))
			size = strtoull(argv[i] + 5, NULL, 10);
		else if (!strncmp(argv[i], "timeout=", 8))
			io_timeout_ns = strtoull(argv[i] + 8, NULL, 10) * UK_NSEC_PER_SEC;
	}
	rc = net_init(argc, argv, uk_now_ns() + INIT_TIMEOUT_NS);
	if (rc < 0) {
		uk_printf("tcpecho: no network: error %d (give the unikernel --vif ...)\n", rc);
		return 1;
	}
	return connect ? client(connect, size) : server(limit);
}
