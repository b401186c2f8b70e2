/* Shared set-up and checks of the xenstore fuzzers (see xs_fuzz_common.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xs_fuzz_common.h"

void xs_fuzz_add_domain(struct xs_store *s, domid_t domid)
{
	struct xs_perm owner = { domid, XS_STORE_PERM_NONE };
	char dir[32], name[16];

	snprintf(dir, sizeof(dir), "/local/domain/%u", domid);
	snprintf(name, sizeof(name), "fuzz%u", domid);
	if (xs_domain_introduce(s, domid) < 0 || xs_store_mkdir(s, dir) < 0 ||
	    xs_store_set_perms(s, dir, &owner, 1) < 0 ||
	    xs_store_printf(s, dir, "name", "%s", name) < 0)
		abort();
}

static size_t count_strings(const char *p, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += p[i] == '\0';
	return n;
}

void xs_fuzz_check_message(const struct xsd_sockmsg *hdr, const char *payload)
{
	if (hdr->len > XENSTORE_PAYLOAD_MAX) {
		fprintf(stderr, "xs_fuzz: reply of %u bytes\n", hdr->len);
		abort();
	}
	if (hdr->type == XS_WATCH_EVENT &&
	    (hdr->len < 2 || payload[hdr->len - 1] || count_strings(payload, hdr->len) != 2)) {
		fprintf(stderr, "xs_fuzz: a watch event that is not path\\0token\\0\n");
		abort();
	}
	if (hdr->type == XS_ERROR && (hdr->len == 0 || payload[hdr->len - 1])) {
		fprintf(stderr, "xs_fuzz: an error reply that is not one string\n");
		abort();
	}
	if (hdr->type >= XS_TYPE_COUNT) {
		fprintf(stderr, "xs_fuzz: a reply of unknown type %u\n", hdr->type);
		abort();
	}
}

void xs_fuzz_toolstack(struct xs_store *s, uint8_t op)
{
	static const char *const paths[] = {
		"/local/domain/1/data", "/local/domain/1/data/x", "/local/domain/2",
		"/local/domain/1", "/tool/fuzz", "/local/domain/2/data/y/z",
	};
	const char *path = paths[(op >> 2) % (sizeof(paths) / sizeof(paths[0]))];
	domid_t domid = 1 + (op >> 7);

	switch (op & 3) {
	case 0:
		xs_store_write(s, path, "toolstack", 9);
		break;
	case 1:
		xs_store_rm(s, path);
		break;
	case 2:
		if (!xs_domain_is_introduced(s, domid))
			xs_domain_introduce(s, domid);
		break;
	default:
		if (xs_domain_is_introduced(s, domid))
			xs_domain_release(s, domid);
		break;
	}
}

void xs_fuzz_check_empty(const struct xs_store *s)
{
	struct xs_counts n;

	xs_store_counts(s, &n);
	if (n.watches || n.transactions || n.conns) {
		fprintf(stderr, "xs_fuzz: %zu watches, %zu transactions, %zu connections left "
			"with no client\n", n.watches, n.transactions, n.conns);
		abort();
	}
}
