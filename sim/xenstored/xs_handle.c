/*
 * xs_handle.c: xs_conn_handle(), the dispatch of one wire request, as
 * xenstored's process_message(): unknown types get ENOSYS, toolstack-only
 * types from a guest get EACCES, an unknown transaction id gets ENOENT
 * (XS_WATCH and XS_UNWATCH ignore tx_id), then the handler runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/xenstored/xs_handle.h"

#define PRIV  1u /* dom0 only */
#define NOTID 2u /* tx_id ignored */

static const struct {
	xs_handler_fn fn;
	unsigned flags;
} handlers[XS_TYPE_COUNT] = {
	[XS_CONTROL] = { xs_handle_control, PRIV },
	[XS_DIRECTORY] = { xs_handle_directory, 0 },
	[XS_READ] = { xs_handle_read, 0 },
	[XS_GET_PERMS] = { xs_handle_get_perms, 0 },
	[XS_WATCH] = { xs_handle_watch, NOTID },
	[XS_UNWATCH] = { xs_handle_unwatch, NOTID },
	[XS_TRANSACTION_START] = { xs_handle_transaction_start, 0 },
	[XS_TRANSACTION_END] = { xs_handle_transaction_end, 0 },
	[XS_INTRODUCE] = { xs_handle_introduce, PRIV },
	[XS_RELEASE] = { xs_handle_release, PRIV },
	[XS_GET_DOMAIN_PATH] = { xs_handle_get_domain_path, 0 },
	[XS_WRITE] = { xs_handle_write, 0 },
	[XS_MKDIR] = { xs_handle_mkdir, 0 },
	[XS_RM] = { xs_handle_rm, 0 },
	[XS_SET_PERMS] = { xs_handle_set_perms, 0 },
	[XS_IS_DOMAIN_INTRODUCED] = { xs_handle_is_domain_introduced, PRIV },
	[XS_RESUME] = { xs_handle_resume, PRIV },
	[XS_SET_TARGET] = { xs_handle_set_target, PRIV },
	[XS_RESET_WATCHES] = { xs_handle_reset_watches, 0 },
	[XS_DIRECTORY_PART] = { xs_handle_directory_part, 0 },
};

void xs_req_reply(struct xs_req *r, const char *payload, size_t len)
{
	xs_conn_send(r->conn, r->hdr->type, r->hdr->req_id, r->hdr->tx_id,
	             payload, len);
}

void xs_req_ack(struct xs_req *r)
{
	xs_req_reply(r, "OK", 3);
}

static void reply_error(struct xs_conn *c, const struct xsd_sockmsg *hdr,
                        int err)
{
	const char *name = xsd_errors[0].errstring; /* EINVAL */

	for (size_t i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
		if (xsd_errors[i].errnum == -err)
			name = xsd_errors[i].errstring;
	xs_conn_send(c, XS_ERROR, hdr->req_id, hdr->tx_id, name,
	             strlen(name) + 1);
}

/* Exactly one string, its NUL the payload's last byte. */
const char *xs_req_onearg(const struct xs_req *r)
{
	if (!r->len || memchr(r->buf, '\0', r->len) != r->buf + r->len - 1)
		return NULL;
	return r->buf;
}

unsigned xs_req_nuls(const struct xs_req *r)
{
	unsigned n = 0;

	for (size_t i = 0; i < r->len; i++)
		n += r->buf[i] == '\0';
	return n;
}

/* The NUL-terminated strings of the payload (bytes after the last NUL are
 * not a string): returns how many, fills up to n of vec. */
unsigned xs_req_strings(const struct xs_req *r, const char **vec, unsigned n)
{
	unsigned i = 0;
	size_t off = 0;

	while (off < r->len) {
		const char *nul = memchr(r->buf + off, '\0', r->len - off);

		if (!nul)
			break;
		if (i < n)
			vec[i] = r->buf + off;
		i++;
		off = (size_t)(nul - r->buf) + 1;
	}
	return i;
}

/* A node path argument: canonical and valid, or -EINVAL. */
int xs_req_path(struct xs_req *r, const char *raw, char **canon)
{
	int err;

	*canon = NULL;
	if (!raw || raw[0] == '@')
		return -EINVAL;
	*canon = xs_path_canonical(r->conn->domid, raw);
	if (!*canon)
		return -ENOMEM;
	err = xs_path_check(&r->ctx, *canon);
	if (err) {
		free(*canon);
		*canon = NULL;
	}
	return err;
}

int xs_req_domid(const char *s, domid_t *out)
{
	unsigned long v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > 0xffff)
			return -EINVAL;
	}
	*out = (domid_t)v;
	return 0;
}

/* Checks that precede every handler; 0 or -errno. */
static int admit(struct xs_conn *c, const struct xsd_sockmsg *hdr,
                 struct xs_tx **tx)
{
	unsigned flags;

	*tx = NULL;
	if (hdr->len > XENSTORE_PAYLOAD_MAX)
		return -E2BIG;
	if (hdr->type >= XS_TYPE_COUNT || !handlers[hdr->type].fn)
		return -ENOSYS;
	flags = handlers[hdr->type].flags;
	if ((flags & PRIV) && c->domid != 0)
		return -EACCES;
	if (!(flags & NOTID) && hdr->tx_id) {
		*tx = xs_tx_find(c, hdr->tx_id);
		if (!*tx)
			return -ENOENT;
	}
	return 0;
}

void xs_conn_handle(struct xs_conn *c, const struct xsd_sockmsg *hdr,
                    const char *payload)
{
	struct xs_req r = { .conn = c, .hdr = hdr };
	struct xs_tx *tx;
	int err;

	if (c->released)
		return;
	err = admit(c, hdr, &tx);
	if (!err) {
		r.ctx = (struct xs_ctx){ c->s, c, c->domid, tx };
		r.len = hdr->len;
		r.buf = malloc(r.len + 1);
		if (!r.buf)
			err = -ENOMEM;
	}
	if (!err) {
		if (r.len)
			memcpy(r.buf, payload, r.len);
		r.buf[r.len] = '\0';
		err = handlers[hdr->type].fn(&r);
	}
	if (err)
		reply_error(c, hdr, err);
	free(r.buf);
}
