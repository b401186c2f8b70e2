/*
 * xs_path.c: xenstore path syntax, as xenstored checks it: absolute paths
 * start with '/', have no "//", no trailing '/' (except the root), only
 * [A-Za-z0-9-/_@], and at most XENSTORE_ABS_PATH_MAX characters; an
 * unprivileged domain's paths are further limited to the path_len quota,
 * not counting a leading "/local/domain/<id>/".  Relative paths are taken
 * from the client's home, /local/domain/<domid>.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/xenstored/xs_internal.h"

static const char valid_chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-/_@";

char *xs_path_canonical(domid_t domid, const char *path)
{
	char *out;

	if (path[0] == '/' || path[0] == '@')
		return strdup(path);
	if (asprintf(&out, "/local/domain/%u/%s", (unsigned)domid, path) < 0)
		return NULL;
	return out;
}

/* Length of a "/local/domain/<id>/" prefix of path (any id), else 0. */
static size_t local_prefix(const char *path)
{
	static const char pfx[] = "/local/domain/";
	size_t i = sizeof(pfx) - 1, digits = 0;

	if (strncmp(path, pfx, i) != 0)
		return 0;
	while (path[i] >= '0' && path[i] <= '9' && digits < 5) {
		i++;
		digits++;
	}
	return (digits && path[i] == '/') ? i + 1 : 0;
}

size_t xs_path_domain_prefix(domid_t domid)
{
	char buf[32];

	return (size_t)snprintf(buf, sizeof(buf), "/local/domain/%u",
	                        (unsigned)domid);
}

int xs_path_check(const struct xs_ctx *c, const char *path)
{
	size_t len = strlen(path);

	if (path[0] != '/')
		return -EINVAL;
	if (len > 1 && path[len - 1] == '/')
		return -EINVAL;
	if (strstr(path, "//"))
		return -EINVAL;
	if (len > XENSTORE_ABS_PATH_MAX)
		return -EINVAL;
	if (!xs_ctx_privileged(c) &&
	    len - local_prefix(path) > c->s->q.path_len)
		return -EINVAL;
	if (strspn(path, valid_chars) != len)
		return -EINVAL;
	return 0;
}

/* child is parent or lies below it. */
bool xs_path_is_child(const char *child, const char *parent)
{
	size_t pl = strlen(parent);

	if (strcmp(parent, "/") == 0)
		return child[0] == '/';
	return strncmp(child, parent, pl) == 0 &&
	       (child[pl] == '\0' || child[pl] == '/');
}

/* Must not be called for "/". */
char *xs_path_parent(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash || slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

const char *xs_path_basename(const char *path)
{
	return strrchr(path, '/') + 1;
}

char *xs_path_join(const char *dir, const char *name)
{
	char *out;

	if (asprintf(&out, "%s/%s", strcmp(dir, "/") ? dir : "", name) < 0)
		return NULL;
	return out;
}
