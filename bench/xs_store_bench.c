/*
 * xs_store_bench: the xenstored core's costs that grow with size, timed on
 * the store library alone (no transport), for comparing data structures
 * across commits:
 *   - N watches added on one dom0 connection (XS_WATCH), then one write
 *     that fires none of them, then all removed (XS_UNWATCH);
 *   - an XS_RM inside a transaction of a subtree of W nodes (wide) and of a
 *     chain D nodes deep.
 *   xs_store_bench [N [W [D]]]      (defaults 50000 1000 400)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/xenstored/xs_store.h"

static uint32_t last_tx;

static void on_send(struct xs_conn *c, const struct xsd_sockmsg *hdr, const char *payload,
		    void *arg)
{
	if (hdr->type == XS_TRANSACTION_START)
		last_tx = (uint32_t)strtoul(payload, NULL, 10);
	if (hdr->type == XS_ERROR)
		fprintf(stderr, "xs_store_bench: error reply %.*s\n", (int)hdr->len, payload);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void request(struct xs_conn *c, uint32_t type, uint32_t tx, const char *payload,
		    size_t len)
{
	struct xsd_sockmsg h = { .type = type, .tx_id = tx, .len = (uint32_t)len };

	xs_conn_handle(c, &h, payload);
}

static void bench_watches(struct xs_store *s, struct xs_conn *c, int n)
{
	char buf[64];
	double t0 = now_ms(), t1, t2;

	for (int i = 0; i < n; i++) {
		int len = snprintf(buf, sizeof(buf), "/bench/w%d%ct%d", i, 0, i);
		request(c, XS_WATCH, 0, buf, (size_t)len + 1);
	}
	t1 = now_ms();
	xs_store_write(s, "/elsewhere", "x", 1);
	t2 = now_ms();
	for (int i = 0; i < n; i++) {
		int len = snprintf(buf, sizeof(buf), "/bench/w%d%ct%d", i, 0, i);
		request(c, XS_UNWATCH, 0, buf, (size_t)len + 1);
	}
	printf("%d watches: add %.1f ms, one unrelated write %.2f ms, remove %.1f ms\n", n,
	       t1 - t0, t2 - t1, now_ms() - t2);
}

static void rm_in_tx(struct xs_conn *c, const char *what, int n)
{
	char tx[16];
	double t0;

	request(c, XS_TRANSACTION_START, 0, "", 1);
	t0 = now_ms();
	request(c, XS_RM, last_tx, "/tree", 6);
	printf("rm of %s (%d nodes) in a transaction: %.2f ms", what, n, now_ms() - t0);
	t0 = now_ms();
	snprintf(tx, sizeof(tx), "T");
	request(c, XS_TRANSACTION_END, last_tx, tx, 2);
	printf(", commit %.2f ms\n", now_ms() - t0);
}

static void bench_rm(struct xs_store *s, struct xs_conn *c, int wide, int deep)
{
	char path[16384];
	size_t len = 0;

	for (int i = 0; i < wide; i++) {
		snprintf(path, sizeof(path), "/tree/n%d/leaf", i);
		xs_store_write(s, path, "v", 1);
	}
	rm_in_tx(c, "a wide subtree", 2 * wide);
	len = (size_t)snprintf(path, sizeof(path), "/tree");
	for (int i = 0; i < deep && len + 8 < sizeof(path); i++)
		len += (size_t)snprintf(path + len, sizeof(path) - len, "/d%d", i % 10);
	xs_store_write(s, path, "v", 1);
	rm_in_tx(c, "a deep chain", deep);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 50000;
	int wide = argc > 2 ? atoi(argv[2]) : 1000;
	int deep = argc > 3 ? atoi(argv[3]) : 400;
	struct xs_store *s;
	struct xs_conn *c;

	if (xs_store_create(&s, NULL) < 0 || !(c = xs_conn_create(s, 0, on_send, NULL)))
		return 1;
	bench_watches(s, c, n);
	bench_rm(s, c, wide, deep);
	xs_store_destroy(s);
	return 0;
}
