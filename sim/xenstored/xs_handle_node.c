/*
 * xs_handle_node.c: the requests on nodes: XS_READ, XS_WRITE, XS_MKDIR,
 * XS_RM, XS_DIRECTORY, XS_DIRECTORY_PART, XS_GET_PERMS, XS_SET_PERMS, with
 * xenstored's argument rules (one NUL-terminated path, or path + data, ...).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/xenstored/xs_handle.h"

/* Runs the common "one path, then get it with rights want" step. */
static int get_onearg(struct xs_req *r, unsigned want, struct xs_node **n)
{
	char *path;
	int err = xs_req_path(r, xs_req_onearg(r), &path);

	if (!err)
		err = xs_tree_get(&r->ctx, path, want, n);
	free(path);
	return err;
}

int xs_handle_read(struct xs_req *r)
{
	struct xs_node *n;
	int err = get_onearg(r, XS_STORE_PERM_READ, &n);

	if (!err)
		xs_req_reply(r, n->value, n->len);
	return err;
}

/* path NUL data: the data is every byte after the first NUL. */
int xs_handle_write(struct xs_req *r)
{
	const char *vec[1];
	char *path;
	size_t off;
	int err;

	if (xs_req_strings(r, vec, 1) < 1)
		return -EINVAL;
	off = strlen(vec[0]) + 1;
	err = xs_req_path(r, vec[0], &path);
	if (!err)
		err = xs_tree_write(&r->ctx, path, r->buf + off, r->len - off);
	free(path);
	if (!err)
		xs_req_ack(r);
	return err;
}

static int one_path_op(struct xs_req *r,
                       int (*op)(struct xs_ctx *, const char *))
{
	char *path;
	int err = xs_req_path(r, xs_req_onearg(r), &path);

	if (!err)
		err = op(&r->ctx, path);
	free(path);
	if (!err)
		xs_req_ack(r);
	return err;
}

int xs_handle_mkdir(struct xs_req *r)
{
	return one_path_op(r, xs_tree_mkdir);
}

int xs_handle_rm(struct xs_req *r)
{
	return one_path_op(r, xs_tree_rm);
}

int xs_handle_directory(struct xs_req *r)
{
	struct xs_node *n;
	int err = get_onearg(r, XS_STORE_PERM_READ, &n);

	if (!err)
		xs_req_reply(r, n->children, n->childlen);
	return err;
}

/*
 * path NUL offset NUL: the node's generation NUL, then as many whole child
 * names from byte offset on as fit; an extra NUL marks the end of the list.
 */
int xs_handle_directory_part(struct xs_req *r)
{
	const char *vec[2];
	struct xs_node *n;
	char *path, gen[24], *out;
	size_t genlen, off, len = 0, max;
	int err;

	if (xs_req_nuls(r) != 2 || xs_req_strings(r, vec, 2) != 2)
		return -EINVAL;
	err = xs_req_path(r, vec[0], &path);
	if (!err)
		err = xs_tree_get(&r->ctx, path, XS_STORE_PERM_READ, &n);
	free(path);
	if (err)
		return err;
	off = strtoul(vec[1], NULL, 10);
	genlen = (size_t)snprintf(gen, sizeof(gen), "%llu",
	                          (unsigned long long)n->generation) + 1;
	max = XENSTORE_PAYLOAD_MAX - genlen - 1;
	while (off < n->childlen && off + len < n->childlen) {
		size_t l = strlen(n->children + off + len);

		if (len + l >= max)
			break;
		len += l + 1;
	}
	out = malloc(genlen + len + 1);
	if (!out)
		return -ENOMEM;
	memcpy(out, gen, genlen);
	if (len)
		memcpy(out + genlen, n->children + off, len);
	if (off >= n->childlen || off + len == n->childlen)
		out[genlen + len++] = '\0';
	xs_req_reply(r, out, genlen + len);
	free(out);
	return 0;
}

int xs_handle_get_perms(struct xs_req *r)
{
	struct xs_node *n;
	char *s;
	size_t len;
	int err = get_onearg(r, XS_STORE_PERM_READ, &n);

	if (err)
		return err;
	s = xs_perms_format(&n->perms, &len);
	if (!s)
		return -ENOMEM;
	xs_req_reply(r, s, len);
	free(s);
	return 0;
}

/* "@introduceDomain" / "@releaseDomain": who may receive those events. */
static int set_special(struct xs_req *r, const char *name,
                       struct xs_perms *perms)
{
	struct xs_perms *sp = xs_special_perms(r->ctx.s, name);
	const unsigned need = XS_STORE_PERM_WRITE | XS_STORE_PERM_OWNER;

	if (!sp)
		return -EINVAL;
	if ((xs_perms_for(&r->ctx, sp) & need) != need)
		return -EACCES;
	xs_perms_free(sp);
	*sp = *perms;
	perms->p = NULL;
	perms->n = 0;
	return 0;
}

/* path NUL perm NUL perm NUL ... */
int xs_handle_set_perms(struct xs_req *r)
{
	struct xs_perms perms;
	unsigned n = xs_req_nuls(r);
	size_t off;
	char *path;
	int err;

	if (n < 2)
		return -EINVAL;
	n--;
	if (r->conn->domid != 0 && n > r->ctx.s->q.perms_per_node)
		return -ENOSPC;
	off = strlen(r->buf) + 1;
	err = xs_perms_parse(&perms, r->buf + off, r->len - off, n);
	if (err)
		return err;
	if (r->buf[0] == '@') {
		err = set_special(r, r->buf, &perms);
	} else {
		err = xs_req_path(r, r->buf, &path);
		if (!err)
			err = xs_tree_set_perms(&r->ctx, path, &perms);
		free(path);
	}
	xs_perms_free(&perms);
	if (!err)
		xs_req_ack(r);
	return err;
}
