/*
 * kvstore: a key-value store on disk 0 (kvstore.h for the log), served over
 * UDP, that recovers after a power cut. Guest arguments:
 *
 *   (none)      serve on UDP port 7000 (needs --vif; ip=... or DHCP as echo):
 *               "PUT key value" -> "OK", "GET key" -> "VALUE value" or
 *               "NOTFOUND", anything else -> "ERROR ..."
 *   load=N      put k0..k<N-1>, printing "powercut-ack <n>" once the nth put
 *               has been answered (is durable), then exit 0
 *   verify=N    recover and check that k0..k<N-1> hold their values: exit 0,
 *               or 1 naming the first key lost
 *
 * load and verify are what tools/drydock-powercut runs (docs/block.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net/net.h>
#include <uk.h>

#include "kvstore.h"

#define KV_PORT 7000
#define NET_TIMEOUT_NS (30 * UK_NSEC_PER_SEC)

static struct kvstore kv;

/* The value load writes for key number i: long enough to look like data. */
static void value_of(unsigned long i, char *buf, size_t size)
{
	snprintf(buf, size, "value-%lu-%08lx-the-quick-brown-fox", i, i * 2654435761ul);
}

static int load(unsigned long n)
{
	char key[32], value[80];
	int rc;

	for (unsigned long i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "k%lu", i);
		value_of(i, value, sizeof(value));
		if ((rc = kv_put(&kv, key, value)) < 0) {
			uk_printf("kvstore: put %s failed: %d\n", key, rc);
			return 1;
		}
		uk_printf("powercut-ack %lu\n", i + 1);
	}
	return 0;
}

static int verify(unsigned long n)
{
	char key[32], value[80];

	for (unsigned long i = 0; i < n; i++) {
		const char *got;

		snprintf(key, sizeof(key), "k%lu", i);
		value_of(i, value, sizeof(value));
		if (!(got = kv_get(&kv, key)) || strcmp(got, value)) {
			uk_printf("kvstore: verify: %s was acknowledged but is %s after recovery\n",
				  key, got ? "wrong" : "lost");
			return 1;
		}
	}
	uk_printf("kvstore: verify: all %lu acknowledged keys recovered\n", n);
	return 0;
}

/* One request in buf (NUL-terminated) -> the answer in out. */
static void handle(char *buf, char *out, size_t size)
{
	char *key = buf + 4, *value;
	const char *v;
	int rc;

	if (!strncmp(buf, "GET ", 4)) {
		if ((v = kv_get(&kv, key)))
			snprintf(out, size, "VALUE %s", v);
		else
			snprintf(out, size, "NOTFOUND");
	} else if (!strncmp(buf, "PUT ", 4) && (value = strchr(key, ' '))) {
		*value++ = '\0';
		if ((rc = kv_put(&kv, key, value)) < 0)
			snprintf(out, size, "ERROR %d", rc);
		else
			snprintf(out, size, "OK");
	} else {
		snprintf(out, size, "ERROR expected 'PUT key value' or 'GET key'");
	}
}

static int serve(int argc, char **argv)
{
	static char buf[1024], out[512];
	struct net_socket *s;
	ip4_addr_t src;
	uint16_t port;
	int rc, n;

	if ((rc = net_init(argc, argv, uk_now_ns() + NET_TIMEOUT_NS)) < 0 ||
	    (rc = net_socket(NET_SOCK_DGRAM, &s)) < 0 || (rc = net_bind(s, IP4_ANY, KV_PORT)) < 0) {
		uk_printf("kvstore: no network (%d): give the unikernel --vif ...\n", rc);
		return 1;
	}
	uk_printf("kvstore: serving on UDP port %d\n", KV_PORT);
	for (;;) {
		if ((n = net_recvfrom(s, buf, sizeof(buf) - 1, &src, &port, 0)) < 0)
			continue;
		buf[(size_t)n < sizeof(buf) - 1 ? (size_t)n : sizeof(buf) - 1] = '\0';
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			buf[--n] = '\0';
		handle(buf, out, sizeof(out));
		net_sendto(s, out, strlen(out), src, port);
	}
}

int app_main(int argc, char **argv)
{
	int rc;

	if (kv_open(&kv) < 0)
		return 1;
	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "load=", 5))
			rc = load(strtoul(argv[i] + 5, NULL, 10));
		else if (!strncmp(argv[i], "verify=", 7))
			rc = verify(strtoul(argv[i] + 7, NULL, 10));
		else
			continue;
		kv_close(&kv);
		return rc;
	}
	rc = serve(argc, argv);
	kv_close(&kv);
	return rc;
}
