/*
 * xs_store_index_test: the indexes that keep xenstored's costs flat
 * (sim/xenstored/xs_watch_index.c, xs_tx_events.c) change nothing a client
 * can see: many watches on one connection are found, refused as duplicates,
 * removed one by one and fire exactly as before; a transaction that touches
 * many nodes fires, on commit, one event per node and kind of change (a
 * write, a removal), however often it changed the node.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/xenstored/xs_store.h"

#define WATCHES 2000

struct client {
	struct xs_conn *conn;
	unsigned events;
	char last_error[16];
	char last_token[32];
	uint32_t last_tx;
};

static void on_send(struct xs_conn *c, const struct xsd_sockmsg *hdr, const char *payload,
		    void *arg)
{
	struct client *cl = arg;

	if (hdr->type == XS_WATCH_EVENT) {
		cl->events++;
		snprintf(cl->last_token, sizeof(cl->last_token), "%s",
			 payload + strlen(payload) + 1);
	} else if (hdr->type == XS_ERROR) {
		snprintf(cl->last_error, sizeof(cl->last_error), "%s", payload);
	} else {
		cl->last_error[0] = '\0';
		if (hdr->type == XS_TRANSACTION_START)
			cl->last_tx = (uint32_t)strtoul(payload, NULL, 10);
	}
}

static void request(struct client *cl, uint32_t type, uint32_t tx, const char *payload,
		    size_t len)
{
	struct xsd_sockmsg h = { .type = type, .tx_id = tx, .len = (uint32_t)len };

	xs_conn_handle(cl->conn, &h, payload);
}

static void watch(struct client *cl, uint32_t type, int i)
{
	char buf[64];
	int len = snprintf(buf, sizeof(buf), "/w/n%d%ct%d", i, 0, i);

	request(cl, type, 0, buf, (size_t)len + 1);
}

static void test_thousands_of_watches_on_one_connection_behave_as_a_few(void **state)
{
	struct xs_store *s;
	struct client cl = { 0 };
	struct xs_counts n;
	char path[32];

	assert_int_equal(xs_store_create(&s, NULL), 0);
	assert_non_null(cl.conn = xs_conn_create(s, 0, on_send, &cl));
	for (int i = 0; i < WATCHES; i++) {
		watch(&cl, XS_WATCH, i);
		assert_string_equal(cl.last_error, "");
	}
	assert_int_equal(cl.events, WATCHES); /* each fires once when added */
	watch(&cl, XS_WATCH, 1234);
	assert_string_equal(cl.last_error, "EEXIST");
	for (int i = 1; i < WATCHES; i += 2)
		watch(&cl, XS_UNWATCH, i);
	watch(&cl, XS_UNWATCH, 1);
	assert_string_equal(cl.last_error, "ENOENT");
	xs_store_counts(s, &n);
	assert_int_equal(n.watches, WATCHES / 2);

	cl.events = 0;
	snprintf(path, sizeof(path), "/w/n%d", 1001); /* removed */
	assert_int_equal(xs_store_write(s, path, "v", 1), 0);
	assert_int_equal(cl.events, 0);
	snprintf(path, sizeof(path), "/w/n%d", 1000); /* kept */
	assert_int_equal(xs_store_write(s, path, "v", 1), 0);
	assert_int_equal(cl.events, 1);
	assert_string_equal(cl.last_token, "t1000");

	request(&cl, XS_RESET_WATCHES, 0, NULL, 0);
	xs_store_counts(s, &n);
	assert_int_equal(n.watches, 0);
	watch(&cl, XS_WATCH, 7); /* the index works again after a reset */
	assert_string_equal(cl.last_error, "");
	xs_store_destroy(s);
}

static void test_large_transaction_fires_each_change_of_each_node_once(void **state)
{
	struct xs_store *s;
	struct client cl = { 0 };
	char path[32];

	assert_int_equal(xs_store_create(&s, NULL), 0);
	assert_non_null(cl.conn = xs_conn_create(s, 0, on_send, &cl));
	for (int i = 0; i < WATCHES; i++) {
		snprintf(path, sizeof(path), "/w/n%d", i);
		assert_int_equal(xs_store_write(s, path, "v", 1), 0);
		watch(&cl, XS_WATCH, i);
	}
	request(&cl, XS_TRANSACTION_START, 0, "", 1);
	assert_true(cl.last_tx != 0);
	/* Written twice (one write event each), then removed with everything
	 * else (one removal event each, as for the nodes not written). */
	for (int i = 0; i < WATCHES; i += 100) {
		char buf[40];
		int len = snprintf(buf, sizeof(buf), "/w/n%d%cx", i, 0);
		request(&cl, XS_WRITE, cl.last_tx, buf, (size_t)len + 1);
		request(&cl, XS_WRITE, cl.last_tx, buf, (size_t)len + 1);
	}
	request(&cl, XS_RM, cl.last_tx, "/w", 3);
	cl.events = 0;
	request(&cl, XS_TRANSACTION_END, cl.last_tx, "T", 2);
	assert_string_equal(cl.last_error, "");
	assert_int_equal(cl.events, WATCHES + WATCHES / 100);
	xs_store_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thousands_of_watches_on_one_connection_behave_as_a_few),
		cmocka_unit_test(test_large_transaction_fires_each_change_of_each_node_once),
	};

	return cmocka_run_group_tests_name("xs_store_index", tests, NULL, NULL);
}
