/*
 * libFuzzer harness of the xenstore socket's wire: SEQUENCES of messages,
 * split anyhow, from four clients at once, through the socket's parser
 * (sim/xenstored/xs_reader.c, what xs_socket.c runs on every read) into the
 * xenstored core, interleaved with toolstack actions.
 *
 * The input is a list of records, each starting with one control byte c:
 *   c & 3          the client: 0 and 1 are dom0 (socket clients), 2 and 3
 *                  unprivileged domains 1 and 2 (as a guest would be)
 *   (c >> 2) & 3   0 or 1: one length byte n follows, then n bytes that
 *                  the client sends (the parser sees them as one read);
 *                  2: the client hangs up (its connection is destroyed as
 *                  the socket drops it) and reconnects;
 *                  3: one byte follows, a toolstack action (xs_fuzz_toolstack)
 * Every message xenstored sends must be well formed (xs_fuzz_check_message);
 * an oversized length drops the client, as the socket does. At the end all
 * clients hang up and the store must hold no watch or transaction.
 * tests/corpus/xenstore/socket holds seeds (tests/fuzz/xs_seeds.py).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/xenstored/xs_reader.h"
#include "xs_fuzz_common.h"

#define CLIENTS 4

struct client {
	struct xs_conn *conn;
	struct xs_reader reader;
	domid_t domid;
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_send(struct xs_conn *c, const struct xsd_sockmsg *hdr, const char *payload,
		    void *arg)
{
	xs_fuzz_check_message(hdr, payload);
	/* The transport reports every message as gone at once, as the socket does. */
	xs_conn_sent(c);
}

static void client_connect(struct xs_store *s, struct client *c)
{
	memset(&c->reader, 0, sizeof(c->reader));
	if (!(c->conn = xs_conn_create(s, c->domid, on_send, c)))
		abort();
}

static void client_hang_up(struct client *c)
{
	xs_conn_destroy(c->conn);
	c->conn = NULL;
}

/* One read's worth of bytes through the parser, as xs_socket.c's client_feed. */
static void client_feed(struct xs_store *s, struct client *c, const uint8_t *p, size_t n)
{
	while (n > 0) {
		bool whole;
		long took = xs_reader_take(&c->reader, (const char *)p, n, &whole);

		if (took < 0) {
			client_hang_up(c);
			client_connect(s, c);
			return;
		}
		if ((size_t)took > n || (took == 0 && !whole))
			abort(); /* the parser must make progress and stay inside the read */
		p += took;
		n -= (size_t)took;
		if (whole)
			xs_conn_handle(c->conn, &c->reader.hdr, c->reader.payload);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct client clients[CLIENTS] = { { .domid = 0 }, { .domid = 0 }, { .domid = 1 },
					   { .domid = 2 } };
	struct xs_store *s;
	size_t i = 0;

	if (xs_store_create(&s, NULL) < 0)
		abort();
	xs_fuzz_add_domain(s, 1);
	xs_fuzz_add_domain(s, 2);
	for (int k = 0; k < CLIENTS; k++)
		client_connect(s, &clients[k]);
	while (i < size) {
		uint8_t ctl = data[i++];
		struct client *c = &clients[ctl & 3];
		size_t n;

		switch ((ctl >> 2) & 3) {
		case 2:
			client_hang_up(c);
			client_connect(s, c);
			break;
		case 3:
			if (i < size)
				xs_fuzz_toolstack(s, data[i++]);
			break;
		default:
			if (i >= size)
				break;
			n = data[i++];
			n = n < size - i ? n : size - i;
			client_feed(s, c, data + i, n);
			i += n;
			break;
		}
	}
	for (int k = 0; k < CLIENTS; k++)
		client_hang_up(&clients[k]);
	xs_fuzz_check_empty(s);
	xs_store_destroy(s);
	return 0;
}
