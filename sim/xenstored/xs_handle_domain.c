/*
 * xs_handle_domain.c: domain requests (XS_GET_DOMAIN_PATH for anyone; the
 * toolstack's XS_INTRODUCE, XS_RELEASE, XS_IS_DOMAIN_INTRODUCED,
 * XS_SET_TARGET, XS_RESUME) and XS_CONTROL.
 */
#include <stdio.h>
#include <string.h>

#include "sim/xenstored/xs_handle.h"

static int domid_arg(struct xs_req *r, domid_t *domid)
{
	return xs_req_domid(xs_req_onearg(r), domid);
}

int xs_handle_get_domain_path(struct xs_req *r)
{
	char path[32];
	domid_t domid;
	int err = domid_arg(r, &domid);

	if (err)
		return err;
	xs_req_reply(r, path, (size_t)snprintf(path, sizeof(path),
	                                       "/local/domain/%u",
	                                       (unsigned)domid) + 1);
	return 0;
}

int xs_handle_is_domain_introduced(struct xs_req *r)
{
	domid_t domid;
	int err = domid_arg(r, &domid);

	if (!err)
		xs_req_reply(r, xs_domain_is_introduced(r->ctx.s, domid)
		                        ? "T" : "F", 2);
	return err;
}

/* domid NUL mfn NUL port NUL.  The ring itself is the transport's: here
 * the domain becomes introduced (re-introducing one is fine). */
int xs_handle_introduce(struct xs_req *r)
{
	const char *vec[3];
	domid_t domid;
	int err;

	if (xs_req_strings(r, vec, 3) < 3)
		return -EINVAL;
	err = xs_req_domid(vec[0], &domid);
	if (!err)
		err = xs_domain_introduce(r->ctx.s, domid);
	if (err == -EEXIST)
		err = 0;
	if (!err)
		xs_req_ack(r);
	return err;
}

int xs_handle_release(struct xs_req *r)
{
	domid_t domid;
	int err = domid_arg(r, &domid);

	if (!err)
		err = xs_domain_release(r->ctx.s, domid);
	if (!err)
		xs_req_ack(r);
	return err;
}

/* domid NUL target NUL: domid may act on target's nodes as if its own. */
int xs_handle_set_target(struct xs_req *r)
{
	const char *vec[2];
	domid_t domid, target;
	struct xs_domain *d;

	if (xs_req_strings(r, vec, 2) < 2 || xs_req_domid(vec[0], &domid) ||
	    xs_req_domid(vec[1], &target))
		return -EINVAL;
	if (!xs_domain_is_introduced(r->ctx.s, domid) ||
	    !xs_domain_is_introduced(r->ctx.s, target))
		return -ENOENT;
	d = xs_domain_get(r->ctx.s, domid);
	if (!d)
		return -ENOMEM;
	d->has_target = true;
	d->target = target;
	xs_req_ack(r);
	return 0;
}

int xs_handle_resume(struct xs_req *r)
{
	domid_t domid;
	int err = domid_arg(r, &domid);

	if (!err && !xs_domain_is_introduced(r->ctx.s, domid))
		err = -ENOENT;
	if (!err)
		xs_req_ack(r);
	return err;
}

static int control_quota(struct xs_req *r)
{
	const struct xs_quota *q = &r->ctx.s->q;
	char buf[512];
	int n = snprintf(buf, sizeof(buf),
	                 "Nodes per domain:     %u\nWatches per domain:   %u\n"
	                 "Transactions per dom: %u\nMax node size:        %u\n"
	                 "Permissions per node: %u\nMax path length:      %u\n"
	                 "Transaction nodes:    %u\nOutstanding requests: %u\n",
	                 q->nodes_per_domain, q->watches_per_domain,
	                 q->transactions_per_domain, q->node_size,
	                 q->perms_per_node, q->path_len, q->transaction_nodes,
	                 q->outstanding_requests);

	xs_req_reply(r, buf, (size_t)n + 1);
	return 0;
}

/* The commands that make sense without files or a live update; others
 * are unknown, which xenstored answers with EINVAL. */
int xs_handle_control(struct xs_req *r)
{
	static const char help[] = "check\nhelp\nprint <string>\nquota\n";
	const char *vec[1];

	if (xs_req_strings(r, vec, 1) < 1)
		return -EINVAL;
	if (strcmp(vec[0], "check") == 0 || strcmp(vec[0], "print") == 0) {
		xs_req_ack(r);
		return 0;
	}
	if (strcmp(vec[0], "help") == 0) {
		xs_req_reply(r, help, sizeof(help));
		return 0;
	}
	if (strcmp(vec[0], "quota") == 0)
		return control_quota(r);
	return -EINVAL;
}
