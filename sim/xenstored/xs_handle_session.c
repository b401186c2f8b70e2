/*
 * xs_handle_session.c: requests about a client's own session: watches
 * (XS_WATCH, XS_UNWATCH, XS_RESET_WATCHES) and transactions
 * (XS_TRANSACTION_START, XS_TRANSACTION_END).
 */
#include <stdio.h>
#include <string.h>

#include "sim/xenstored/xs_handle.h"

/* path NUL token NUL, exactly. */
static int watch_args(struct xs_req *r, const char **vec)
{
	return xs_req_strings(r, vec, 2) == 2 ? 0 : -EINVAL;
}

int xs_handle_watch(struct xs_req *r)
{
	const char *vec[2];
	int err = watch_args(r, vec);

	if (!err)
		err = xs_watch_add(r->conn, vec[0], vec[1]);
	if (err)
		return err;
	xs_req_ack(r);
	/* Fired once up front, after the reply, as xenstored does. */
	xs_watch_fire_new(r->conn);
	return 0;
}

int xs_handle_unwatch(struct xs_req *r)
{
	const char *vec[2];
	int err = watch_args(r, vec);

	if (!err)
		err = xs_watch_remove(r->conn, vec[0], vec[1]);
	if (!err)
		xs_req_ack(r);
	return err;
}

/* xenstored drops the client's transactions as well as its watches. */
int xs_handle_reset_watches(struct xs_req *r)
{
	xs_watch_remove_all(r->conn);
	while (r->conn->txs)
		xs_tx_end(r->conn->txs, false);
	xs_req_ack(r);
	return 0;
}

int xs_handle_transaction_start(struct xs_req *r)
{
	char id[16];
	uint32_t tid;
	int err;

	if (r->ctx.tx)
		return -EBUSY; /* no nested transactions */
	err = xs_tx_start(r->conn, &tid);
	if (err)
		return err;
	xs_req_reply(r, id, (size_t)snprintf(id, sizeof(id), "%u", tid) + 1);
	return 0;
}

/* "T" commits, "F" aborts; either way the transaction is over. */
int xs_handle_transaction_end(struct xs_req *r)
{
	const char *arg = xs_req_onearg(r);
	int err;

	if (!arg || (strcmp(arg, "T") && strcmp(arg, "F")))
		return -EINVAL;
	if (!r->ctx.tx)
		return -ENOENT;
	err = xs_tx_end(r->ctx.tx, arg[0] == 'T');
	r->ctx.tx = NULL;
	if (!err)
		xs_req_ack(r);
	return err;
}
