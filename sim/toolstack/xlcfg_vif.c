/*
 * vif = [ "KEY=VALUE,..." ] in xl's network syntax
 * (xl-network-configuration(5), xl_parse.c's parse_nic_config), completed by
 * drydock_vif = [ "--vif SPEC" ], into the toolstack's vif configs.
 *
 * vif N becomes one --vif SPEC: drydock_vif[N] if given, else tap=VIFNAME
 * when the entry names a bridge or vifname (VIFNAME defaults to Xen's
 * vif<domid>.<N>), else user; then mac=, mtu= and rate= (as tx-rate: Xen's
 * netback limits what the guest sends) from xl's keys.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/toolstack/xlcfg_internal.h"

#define VIF_SPEC_MAX 2048

struct xl_vif {
	const char *mac, *ip, *bridge, *vifname, *rate, *mtu;
};

/* One KEY=VALUE of an xl vif spec; the keys drydock leaves to xl go in the warning. */
static int vif_key(struct xlcfg_ctx *x, const struct xlcfg_atom *a, unsigned int n,
		   char *key, struct xl_vif *v)
{
	static const char *const xl_only[] = { "type", "model", "script", "backend",
		"gatewaydev", "accel", "devid", "trusted", "untrusted", "forwarddev" };
	char *val = strchr(key, '='), name[64];

	if (val)
		*val++ = '\0';
	const char **slot = !strcmp(key, "mac") ? &v->mac : !strcmp(key, "ip") ? &v->ip :
		!strcmp(key, "bridge") ? &v->bridge : !strcmp(key, "vifname") ? &v->vifname :
		!strcmp(key, "rate") ? &v->rate : !strcmp(key, "mtu") ? &v->mtu : NULL;
	if (slot) {
		if (!val || !*val)
			return xlcfg_error(x, a->line, a->col, "vif %u: %s needs a value", n, key);
		*slot = val;
		return 0;
	}
	for (size_t i = 0; i < sizeof(xl_only) / sizeof(xl_only[0]); i++) {
		if (!strcmp(key, xl_only[i])) {
			snprintf(name, sizeof(name), "vif[%u].%s", n, key);
			xlcfg_warn_unused(x, name);
			return 0;
		}
	}
	return xlcfg_error(x, a->line, a->col, "vif %u: unknown key '%s'", n, key);
}

/* xl's parse_vif_rate: RATE[KMG](B|b)/s[@INTERVAL], in bits per second. */
static int parse_rate(const char *s, uint64_t *bps, bool *interval)
{
	uint64_t v = 0, scale = 1;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++)
		if ((v = v * 10 + (uint64_t)(*p - '0')) > (1ULL << 40))
			return -EINVAL;
	if (*p == 'K' || *p == 'k')
		scale = 1000, p++;
	else if (*p == 'M' || *p == 'm')
		scale = 1000000, p++;
	else if (*p == 'G' || *p == 'g')
		scale = 1000000000, p++;
	if (*p == 'B')
		scale *= 8;
	else if (*p != 'b')
		return -EINVAL;
	p++;
	if (strncmp(p, "/s", 2) != 0 || (p[2] && p[2] != '@') || !v)
		return -EINVAL;
	*interval = p[2] == '@';
	*bps = v * scale;
	return 0;
}

static int append(char *spec, const char *fmt, const char *a, const char *b)
{
	size_t n = strlen(spec);
	int w = snprintf(spec + n, VIF_SPEC_MAX - n, fmt, a, b);

	return w < 0 || (size_t)w >= VIF_SPEC_MAX - n ? -E2BIG : 0;
}

/* The --vif SPEC of vif n: its backend, then the xl keys drydock maps. */
static int vif_spec(struct xlcfg_ctx *x, const struct xlcfg_atom *a, unsigned int n,
		    const struct xl_vif *v, const char *dd, char *spec)
{
	char name[32], mbit[48];
	bool interval;
	uint64_t bps;

	snprintf(name, sizeof(name), "vif%u.%u", x->cfg->dom.domid, n);
	spec[0] = '\0';
	if (append(spec, "%s%s", dd ? dd : (v->bridge || v->vifname) ? "tap=" : "user",
		   dd ? "" : (v->bridge || v->vifname) ? (v->vifname ? v->vifname : name) : ""))
		return -E2BIG;
	/* The backend's own interface, made by it as Xen's netback makes vif<domid>.<n>. */
	if (!dd && (v->bridge || v->vifname) && append(spec, "%s%s", ",create=1", ""))
		return -E2BIG;
	if (v->mac && append(spec, ",%s%s", "mac=", v->mac))
		return -E2BIG;
	if (v->mtu && append(spec, ",%s%s", "mtu=", v->mtu))
		return -E2BIG;
	if (v->rate) {
		if (parse_rate(v->rate, &bps, &interval) < 0)
			return xlcfg_error(x, a->line, a->col, "vif %u: rate takes RATE/s[@INTERVAL]"
					   " with RATE such as 10Mb or 1MB, not '%s'", n, v->rate);
		if (interval)
			xlcfg_warn_unused(x, "vif rate's @INTERVAL");
		snprintf(mbit, sizeof(mbit), "%" PRIu64 ".%06" PRIu64, bps / 1000000,
			 bps % 1000000);
		if (append(spec, ",%s%s", "tx-rate=", mbit))
			return -E2BIG;
	}
	return 0;
}

/* Parses the xl spec of vif n and adds it to cfg as one vif config. */
static int add_vif(struct xlcfg_ctx *x, const struct xlcfg_atom *a, unsigned int n,
		   const struct xlcfg_atom *dd)
{
	struct sim_toolstack_config *cfg = x->cfg;
	char *copy, *key, *save = NULL, spec[VIF_SPEC_MAX], why[256];
	struct xl_vif v = { 0 };
	int rc = 0;

	if (!(copy = xlcfg_strdup(x->c, a->text)))
		return xlcfg_error(x, a->line, a->col, "out of memory");
	for (key = strtok_r(copy, ",", &save); key && rc == 0; key = strtok_r(NULL, ",", &save)) {
		while (*key == ' ')
			key++;
		if (*key)
			rc = vif_key(x, a, n, key, &v);
	}
	if (rc < 0 || (rc = vif_spec(x, a, n, &v, dd ? dd->text : NULL, spec)) < 0)
		return rc == -E2BIG ? xlcfg_error(x, a->line, a->col, "vif %u: too long", n) : rc;
	if (cfg->nr_vifs == SIM_MAX_VIFS)
		return xlcfg_error(x, a->line, a->col, "more than %d vifs", SIM_MAX_VIFS);
	if (vif_config_parse(&cfg->vifs[cfg->nr_vifs], spec, why, sizeof(why)) < 0) {
		const struct xlcfg_atom *at = dd ? dd : a;
		return xlcfg_error(x, at->line, at->col, "vif %u (%s): %s", n, spec, why);
	}
	if (!(cfg->vif_specs[cfg->nr_vifs] = xlcfg_strdup(x->c, spec)))
		return xlcfg_error(x, a->line, a->col, "out of memory");
	x->out->ips[cfg->nr_vifs] = v.ip;
	if (v.bridge && dd) {
		snprintf(why, sizeof(why), "vif[%u].bridge (drydock_vif sets the backend)", n);
		xlcfg_warn_unused(x, why);
	} else if (v.bridge) {
		x->out->bridges[cfg->nr_vifs] = v.bridge;
		/* A copy: the vif takes its config, and frees it with itself. */
		if (!(x->out->taps[cfg->nr_vifs] = xlcfg_strdup(x->c, cfg->vifs[cfg->nr_vifs].arg)))
			return xlcfg_error(x, a->line, a->col, "out of memory");
	}
	cfg->nr_vifs++;
	return 0;
}

static int get_list(struct xlcfg_ctx *x, const char *key, struct xlcfg_setting **out)
{
	struct xlcfg_setting *s = xlcfg_find(x->c, key);

	*out = s;
	if (s && s->kind != XLCFG_LIST)
		return xlcfg_error(x, s->line, s->col, "%s takes a list: %s = [ \"...\" ]", key,
				   key);
	return 0;
}

int xlcfg_apply_vifs(struct xlcfg_ctx *x)
{
	struct xlcfg_setting *vif, *dd;
	unsigned int nv, nd;
	int rc;

	if ((rc = get_list(x, "vif", &vif)) < 0 || (rc = get_list(x, "drydock_vif", &dd)) < 0)
		return rc;
	nv = vif ? vif->nr_items : 0;
	nd = dd ? dd->nr_items : 0;
	if (nd > nv)
		return xlcfg_error(x, dd->items[nv].line, dd->items[nv].col, "drydock_vif has %u "
				   "entries and vif %u: drydock_vif N completes vif N", nd, nv);
	for (unsigned int i = 0; i < nv; i++)
		if ((rc = add_vif(x, &vif->items[i], i, i < nd ? &dd->items[i] : NULL)) < 0)
			return rc;
	x->out->nr_vifs = x->cfg->nr_vifs;
	return 0;
}
