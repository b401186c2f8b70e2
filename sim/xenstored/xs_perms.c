/*
 * xs_perms.c: node permissions, decided as xenstored's perm_for_conn():
 * dom0, the owner (entry 0) and a domain whose target owns the node get
 * every right; else the first matching ACL entry (1..) decides; else the
 * default of entry 0.  Also the wire form, "r1", "w0", "b2", "n3".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/xenstored/xs_internal.h"

static bool is_self(const struct xs_ctx *c, const struct xs_domain *d,
                    domid_t id)
{
	return id == c->domid || (d && d->has_target && d->target == id);
}

unsigned xs_perms_for(const struct xs_ctx *c, const struct xs_perms *p)
{
	const unsigned all = XS_STORE_PERM_BOTH | XS_STORE_PERM_OWNER;
	const struct xs_domain *d;

	if (xs_ctx_privileged(c))
		return all;
	if (!p->n)
		return XS_STORE_PERM_NONE;
	d = xs_domain_find(c->s, c->domid);
	if (is_self(c, d, p->p[0].id))
		return all;
	for (unsigned i = 1; i < p->n; i++)
		if (is_self(c, d, p->p[i].id))
			return p->p[i].perms & XS_STORE_PERM_BOTH;
	return p->p[0].perms & XS_STORE_PERM_BOTH;
}

int xs_perms_dup(struct xs_perms *dst, const struct xs_perms *src)
{
	dst->n = 0;
	dst->p = NULL;
	if (!src || !src->n)
		return 0;
	dst->p = malloc(src->n * sizeof(*dst->p));
	if (!dst->p)
		return -ENOMEM;
	memcpy(dst->p, src->p, src->n * sizeof(*dst->p));
	dst->n = src->n;
	return 0;
}

void xs_perms_free(struct xs_perms *p)
{
	free(p->p);
	p->p = NULL;
	p->n = 0;
}

static int parse_one(struct xs_perm *out, const char *s)
{
	unsigned long id = 0;

	switch (s[0]) {
	case 'n': out->perms = XS_STORE_PERM_NONE; break;
	case 'r': out->perms = XS_STORE_PERM_READ; break;
	case 'w': out->perms = XS_STORE_PERM_WRITE; break;
	case 'b': out->perms = XS_STORE_PERM_BOTH; break;
	default: return -EINVAL;
	}
	if (!s[1])
		return -EINVAL;
	for (const char *d = s + 1; *d; d++) {
		if (*d < '0' || *d > '9')
			return -EINVAL;
		id = id * 10 + (unsigned long)(*d - '0');
		if (id > 0xffff)
			return -EINVAL;
	}
	out->id = (domid_t)id;
	return 0;
}

/* n NUL-terminated strings in strings[0..len). */
int xs_perms_parse(struct xs_perms *out, const char *strings, size_t len,
                   unsigned n)
{
	size_t off = 0;

	out->n = 0;
	out->p = calloc(n ? n : 1, sizeof(*out->p));
	if (!out->p)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		const char *s = strings + off;
		const char *nul = memchr(s, '\0', len - off);

		if (!nul || parse_one(&out->p[i], s)) {
			xs_perms_free(out);
			return -EINVAL;
		}
		off += (size_t)(nul - s) + 1;
	}
	out->n = n;
	return 0;
}

char *xs_perms_format(const struct xs_perms *p, size_t *len)
{
	static const char letter[] = "nrwb";
	char *out = malloc(p->n * 8 + 1);

	*len = 0;
	if (!out)
		return NULL;
	for (unsigned i = 0; i < p->n; i++)
		*len += (size_t)sprintf(out + *len, "%c%u",
		                        letter[p->p[i].perms & 3],
		                        (unsigned)p->p[i].id) + 1;
	return out;
}
