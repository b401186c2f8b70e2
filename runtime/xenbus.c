/*
 * The xenbus calls of <uk/xenbus.h>: each builds its request's payload as
 * docs/misc/xenstore.txt spells it, sends it with xb_talk (xenbus_ring.c)
 * and checks the reply's shape before handing anything back.
 */
#include "xenbus_private.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "uk/alloc.h"

/* A request whose payload is path NUL, then dlen bytes of data. */
static int talk_path(uint32_t type, xenbus_transaction_t t, const char *path, const char *data,
		     size_t dlen, char **reply, uint32_t *len)
{
	struct xb_iov iov[2] = { { path, 0 }, { data, dlen } };

	if (!path)
		return -EINVAL;
	iov[0].len = strlen(path) + 1;
	return xb_talk(type, t, iov, data ? 2 : 1, reply, len);
}

/*
 * A whole decimal number no larger than max (no sign, no spaces, no
 * overflow): -EINVAL when s is not one, -ERANGE when it is larger.
 */
int xenbus_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++) {
		unsigned int d = (unsigned int)(*s - '0');

		if (d > 9)
			return -EINVAL;
		if (v > (ULONG_MAX - d) / 10) {
			/* Too large already; the rest must still be digits. */
			while (*++s)
				if ((unsigned int)(*s - '0') > 9)
					return -EINVAL;
			return -ERANGE;
		}
		v = v * 10 + d;
	}
	if (v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int xenbus_read(xenbus_transaction_t t, const char *path, char **value, uint32_t *len)
{
	if (!value)
		return -EINVAL;
	return talk_path(XS_READ, t, path, NULL, 0, value, len);
}

int xenbus_write(xenbus_transaction_t t, const char *path, const char *value)
{
	/* The value is every byte after the path's NUL, without one of its own. */
	if (!value)
		return -EINVAL;
	return talk_path(XS_WRITE, t, path, value, strlen(value), NULL, NULL);
}

int xenbus_mkdir(xenbus_transaction_t t, const char *path)
{
	return talk_path(XS_MKDIR, t, path, NULL, 0, NULL, NULL);
}

int xenbus_rm(xenbus_transaction_t t, const char *path)
{
	return talk_path(XS_RM, t, path, NULL, 0, NULL, NULL);
}

/* Counts the NUL-terminated strings of a reply; -EIO if the last is unterminated. */
static int count_strings(const char *s, uint32_t len)
{
	int n = 0;

	if (len > 0 && s[len - 1] != '\0')
		return -EIO;
	for (uint32_t i = 0; i < len; i++)
		n += s[i] == '\0';
	return n;
}

int xenbus_directory(xenbus_transaction_t t, const char *path, char ***names)
{
	char *reply, *strs, **v;
	uint32_t len;
	int n, rc;

	if (!names)
		return -EINVAL;
	if ((rc = talk_path(XS_DIRECTORY, t, path, NULL, 0, &reply, &len)) < 0)
		return rc;
	if ((n = count_strings(reply, len)) < 0) {
		uk_free(reply);
		return n;
	}
	/* One block: n + 1 pointers (NULL-terminated), then the strings. */
	v = uk_malloc(((size_t)n + 1) * sizeof(char *) + len);
	if (!v) {
		uk_free(reply);
		return -ENOMEM;
	}
	strs = (char *)(v + n + 1);
	memcpy(strs, reply, len);
	for (int i = 0; i < n; i++) {
		v[i] = strs;
		strs += strlen(strs) + 1;
	}
	v[n] = NULL;
	uk_free(reply);
	*names = v;
	return n;
}

static bool perm_valid(char c)
{
	return c == 'n' || c == 'r' || c == 'w' || c == 'b';
}

/* One "<perm><domid>" entry of an XS_GET_PERMS reply. */
static int parse_perm(const char *s, struct xenbus_perm *p)
{
	unsigned long id;

	if (!perm_valid(s[0]) || xenbus_parse_uint(s + 1, DOMID_MASK, &id) < 0)
		return -EIO;
	p->perm = s[0];
	p->domid = (domid_t)id;
	return 0;
}

int xenbus_get_perms(xenbus_transaction_t t, const char *path, struct xenbus_perm *perms,
		     unsigned int max)
{
	char *reply, *s;
	uint32_t len;
	int n, rc;

	if (max > 0 && !perms)
		return -EINVAL;
	if ((rc = talk_path(XS_GET_PERMS, t, path, NULL, 0, &reply, &len)) < 0)
		return rc;
	n = count_strings(reply, len);
	s = reply;
	for (int i = 0; i < n; i++) {
		struct xenbus_perm p;

		if (parse_perm(s, &p) < 0) {
			n = -EIO;
			break;
		}
		if ((unsigned int)i < max)
			perms[i] = p;
		s += strlen(s) + 1;
	}
	uk_free(reply);
	return n == 0 ? -EIO : n; /* every node has an owner entry */
}

int xenbus_set_perms(xenbus_transaction_t t, const char *path, const struct xenbus_perm *perms,
		     unsigned int n)
{
	/* Each entry is one letter, a domid of at most 5 digits and a NUL. */
	const size_t entry_max = 7;
	char *buf;
	size_t len = 0;
	int rc;

	if (!perms || n == 0)
		return -EINVAL;
	if (n > XENSTORE_PAYLOAD_MAX / 3)
		return -E2BIG;
	for (unsigned int i = 0; i < n; i++)
		if (!perm_valid(perms[i].perm))
			return -EINVAL;
	if (!(buf = uk_malloc(n * entry_max)))
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, entry_max, "%c%u", perms[i].perm,
					(unsigned int)perms[i].domid) + 1;
	rc = talk_path(XS_SET_PERMS, t, path, buf, len, NULL, NULL);
	uk_free(buf);
	return rc;
}

int xenbus_get_domid(domid_t *domid)
{
	unsigned long id;
	char *value;
	int rc;

	if (!domid)
		return -EINVAL;
	if ((rc = xenbus_read(XBT_NIL, "domid", &value, NULL)) < 0)
		return rc;
	/* An unparsable answer from the store is a broken store. */
	rc = xenbus_parse_uint(value, DOMID_MASK, &id) < 0 ? -EIO : 0;
	uk_free(value);
	if (rc == 0)
		*domid = (domid_t)id;
	return rc;
}

int xenbus_get_domain_path(domid_t domid, char **path)
{
	char arg[8];
	struct xb_iov iov = { arg, 0 };

	if (!path)
		return -EINVAL;
	iov.len = (size_t)snprintf(arg, sizeof(arg), "%u", (unsigned int)domid) + 1;
	return xb_talk(XS_GET_DOMAIN_PATH, XBT_NIL, &iov, 1, path, NULL);
}

int xenbus_transaction_start(xenbus_transaction_t *t)
{
	struct xb_iov iov = { "", 1 };
	unsigned long id;
	char *reply;
	int rc;

	if (!t)
		return -EINVAL;
	if ((rc = xb_talk(XS_TRANSACTION_START, XBT_NIL, &iov, 1, &reply, NULL)) < 0)
		return rc;
	rc = xenbus_parse_uint(reply, UINT32_MAX, &id) < 0 ? -EIO : 0;
	if (rc == 0 && id == 0)
		rc = -EIO; /* 0 means "no transaction" */
	uk_free(reply);
	if (rc == 0)
		*t = (xenbus_transaction_t)id;
	return rc;
}

int xenbus_transaction_end(xenbus_transaction_t t, bool abort)
{
	struct xb_iov iov = { abort ? "F" : "T", 2 };

	return xb_talk(XS_TRANSACTION_END, t, &iov, 1, NULL, NULL);
}

int xenbus_transaction_retry(int (*fn)(xenbus_transaction_t t, void *arg), void *arg,
			     unsigned int max_tries)
{
	if (!fn)
		return -EINVAL;
	for (unsigned int i = 0; i < max_tries; i++) {
		xenbus_transaction_t t;
		int rc = xenbus_transaction_start(&t);

		if (rc < 0)
			return rc;
		if ((rc = fn(t, arg)) < 0) {
			xenbus_transaction_end(t, true);
			return rc;
		}
		if ((rc = xenbus_transaction_end(t, false)) != -EAGAIN)
			return rc;
	}
	return -EAGAIN;
}
