/*
 * xs_domain.c: what xenstored knows about domains: introduced or not, the
 * target a device-model domain may act for, how many nodes each owns (for
 * the nodes quota), and the permissions of the special watch nodes.
 */
#include <stdlib.h>
#include <string.h>

#include "sim/xenstored/xs_internal.h"

struct xs_domain *xs_domain_find(const struct xs_store *s, domid_t domid)
{
	struct xs_domain *d = s->domains;

	while (d && d->domid != domid)
		d = d->next;
	return d;
}

struct xs_domain *xs_domain_get(struct xs_store *s, domid_t domid)
{
	struct xs_domain *d = xs_domain_find(s, domid);

	if (d)
		return d;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->domid = domid;
	d->next = s->domains;
	s->domains = d;
	return d;
}

void xs_domains_free(struct xs_store *s)
{
	while (s->domains) {
		struct xs_domain *d = s->domains;

		s->domains = d->next;
		free(d);
	}
}

struct xs_perms *xs_special_perms(struct xs_store *s, const char *name)
{
	if (strcmp(name, "@introduceDomain") == 0)
		return &s->special_intro;
	if (strcmp(name, "@releaseDomain") == 0)
		return &s->special_release;
	return NULL;
}

bool xs_domain_is_introduced(const struct xs_store *s, domid_t domid)
{
	const struct xs_domain *d = xs_domain_find(s, domid);

	return domid == 0 || (d && d->introduced);
}

int xs_domain_introduce(struct xs_store *s, domid_t domid)
{
	struct xs_domain *d;

	if (xs_domain_is_introduced(s, domid))
		return -EEXIST;
	d = xs_domain_get(s, domid);
	if (!d)
		return -ENOMEM;
	d->introduced = true;
	xs_watch_fire_special(s, "@introduceDomain");
	return 0;
}

/* Cuts a released domain's clients off, as xenstored frees its connection:
 * their watches and transactions go, further requests are ignored. */
static void cut_off(struct xs_store *s, domid_t domid)
{
	for (struct xs_conn *c = s->conns; c; c = c->next) {
		if (c->domid != domid)
			continue;
		c->released = true;
		xs_watch_remove_all(c);
		while (c->txs)
			xs_tx_end(c->txs, false);
	}
}

int xs_domain_release(struct xs_store *s, domid_t domid)
{
	struct xs_domain *d = xs_domain_find(s, domid);

	if (domid == 0)
		return -EINVAL;
	if (!d || !d->introduced)
		return -ENOENT;
	d->introduced = false;
	d->has_target = false;
	cut_off(s, domid);
	xs_watch_fire_special(s, "@releaseDomain");
	return 0;
}
