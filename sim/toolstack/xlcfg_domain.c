/*
 * An xl.cfg's domain keys onto a sim_toolstack_config (xlcfg_domain.h), as
 * xl's parse_config_data reads them; the vifs are in xlcfg_vif.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xen/xen.h>

#include "sim/toolstack/timeout.h"
#include "sim/toolstack/xlcfg_internal.h"

int xlcfg_error(struct xlcfg_ctx *x, unsigned int line, unsigned int col, const char *fmt, ...)
{
	char what[384], shown[4 * sizeof(what)];
	size_t n = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	/* Values from the file are quoted in it: the error stays one printable line. */
	for (const unsigned char *p = (const unsigned char *)what; *p; p++)
		n += (size_t)snprintf(shown + n, sizeof(shown) - n,
				      *p < 0x20 || *p == 0x7f ? "\\x%02x" : "%c", *p);
	snprintf(x->err, x->errlen, "%s:%u:%u: %s", x->c->filename, line, col, shown);
	return -EINVAL;
}

void xlcfg_warn_unused(struct xlcfg_ctx *x, const char *name)
{
	char *w = x->out->warning;
	size_t n = strlen(w), size = sizeof(x->out->warning);

	if (n + strlen(name) + 8 >= size) {
		if (n + 6 < size && (n < 3 || strcmp(w + n - 3, "...") != 0))
			strcat(w, ", ...");
		return;
	}
	snprintf(w + n, size - n, "%s%s", n ? ", " : "", name);
}

/* A single value (string or number) of key, or NULL when key is absent. */
static int get_atom(struct xlcfg_ctx *x, const char *key, const struct xlcfg_atom **out)
{
	struct xlcfg_setting *s = xlcfg_find(x->c, key);

	*out = NULL;
	if (!s)
		return 0;
	if (s->kind == XLCFG_LIST)
		return xlcfg_error(x, s->line, s->col, "%s takes a single value, not a list", key);
	*out = &s->value;
	return 0;
}

/* xlu_cfg_get_long: a number, or a string holding one. */
static int get_number(struct xlcfg_ctx *x, const char *key, uint64_t min, uint64_t max,
		      uint64_t *out, bool *given)
{
	const struct xlcfg_atom *a;
	unsigned long long v;
	char *end;
	int rc;

	*given = false;
	if ((rc = get_atom(x, key, &a)) < 0 || !a)
		return rc;
	errno = 0;
	v = strtoull(a->text, &end, 0);
	if (!*a->text || *a->text == '-' || *end || errno || v < min || v > max)
		return xlcfg_error(x, a->line, a->col, "%s takes a number from %llu to %llu, "
				   "not '%s'", key, (unsigned long long)min,
				   (unsigned long long)max, a->text);
	*out = v;
	*given = true;
	return 0;
}

static int get_string(struct xlcfg_ctx *x, const char *key, const struct xlcfg_atom **out)
{
	return get_atom(x, key, out);
}

/* libxl_action_on_shutdown_from_string, for what drydock can do. */
static int get_action(struct xlcfg_ctx *x, const char *key, enum xlcfg_action *out)
{
	const struct xlcfg_atom *a;
	const char *v;
	int rc;

	if ((rc = get_string(x, key, &a)) < 0 || !a)
		return rc;
	v = a->text;
	if (!strcmp(v, "destroy"))
		*out = XLCFG_ACTION_DESTROY;
	else if (!strcmp(v, "restart"))
		*out = XLCFG_ACTION_RESTART;
	else if (!strcmp(v, "preserve") || !strcmp(v, "coredump-destroy"))
		*out = XLCFG_ACTION_PRESERVE;
	else if (!strcmp(v, "rename-restart") || !strcmp(v, "coredump-restart") ||
		 !strcmp(v, "soft-reset"))
		return xlcfg_error(x, a->line, a->col, "%s = \"%s\": drydock does destroy, "
				   "restart and preserve only", key, v);
	else
		return xlcfg_error(x, a->line, a->col, "%s takes destroy, restart or preserve, "
				   "not '%s'", key, v);
	return 0;
}

static int apply_name_memory(struct xlcfg_ctx *x)
{
	const struct xlcfg_atom *a;
	uint64_t n;
	bool given;
	int rc;

	if ((rc = get_string(x, "name", &a)) < 0)
		return rc;
	if (a && (!*a->text || strlen(a->text) > 63 || strchr(a->text, '/')))
		return xlcfg_error(x, a->line, a->col, "name takes 1 to 63 characters and no "
				   "'/', not '%s'", a->text);
	if (a)
		x->cfg->dom.name = a->text;
	if ((rc = get_number(x, "memory", 2, 1024 * 1024, &n, &given)) < 0)
		return rc;
	if (given)
		x->cfg->dom.mem_bytes = n << 20;
	return 0;
}

/* One vCPU: the simulator runs the guest on the process's one thread. */
static int apply_vcpus(struct xlcfg_ctx *x)
{
	static const char *const keys[] = { "vcpus", "maxvcpus" };
	const struct xlcfg_atom *a;
	uint64_t n;
	bool given;
	int rc;

	for (int i = 0; i < 2; i++) {
		if ((rc = get_number(x, keys[i], 1, 4096, &n, &given)) < 0)
			return rc;
		if (given && n != 1) {
			get_atom(x, keys[i], &a);
			return xlcfg_error(x, a->line, a->col, "%s = %llu: drydock runs one vCPU "
					   "(its guest is one thread of the process)", keys[i],
					   (unsigned long long)n);
		}
	}
	return 0;
}

static int apply_type(struct xlcfg_ctx *x)
{
	const struct xlcfg_atom *a;
	int rc;

	if ((rc = get_string(x, "type", &a)) < 0 || !a)
		return rc;
	if (strcmp(a->text, "pvh") != 0)
		return xlcfg_error(x, a->line, a->col, "type = \"%s\": drydock runs PVH guests "
				   "(type = \"pvh\")", a->text);
	return 0;
}

/* cmdline, or else extra (xl: root= and extra= are ignored in favour of cmdline=). */
static int apply_cmdline(struct xlcfg_ctx *x)
{
	const struct xlcfg_atom *cmdline, *extra;
	int rc;

	if ((rc = get_string(x, "cmdline", &cmdline)) < 0 ||
	    (rc = get_string(x, "extra", &extra)) < 0)
		return rc;
	if (cmdline && extra)
		xlcfg_warn_unused(x, "extra (cmdline wins, as in xl)");
	if (cmdline || extra) {
		const struct xlcfg_atom *a = cmdline ? cmdline : extra;
		if (strlen(a->text) > 4095)
			return xlcfg_error(x, a->line, a->col, "the command line is longer than "
					   "4095 bytes");
		x->cfg->dom.cmdline = a->text;
	}
	return 0;
}

static int apply_actions(struct xlcfg_ctx *x)
{
	const struct xlcfg_atom *a;
	int rc;

	if ((rc = get_string(x, "kernel", &a)) < 0)
		return rc;
	x->out->kernel = a ? a->text : NULL;
	if ((rc = get_action(x, "on_poweroff", &x->out->on_poweroff)) < 0 ||
	    (rc = get_action(x, "on_reboot", &x->out->on_reboot)) < 0 ||
	    (rc = get_action(x, "on_crash", &x->out->on_crash)) < 0)
		return rc;
	return 0;
}

/* No block backend yet: a disk the guest expects is refused, not silently left out. */
static int apply_disk(struct xlcfg_ctx *x)
{
	struct xlcfg_setting *s = xlcfg_find(x->c, "disk");

	if (!s)
		return 0;
	if (s->kind != XLCFG_LIST)
		return xlcfg_error(x, s->line, s->col, "disk takes a list: disk = [ \"...\" ]");
	if (s->nr_items)
		return xlcfg_error(x, s->items[0].line, s->items[0].col, "disk: this drydock "
				   "has no block backend");
	return 0;
}

static int apply_drydock_clock(struct xlcfg_ctx *x)
{
	const struct xlcfg_atom *a;
	uint64_t n;
	bool given;
	int rc;

	if ((rc = get_string(x, "drydock_clock", &a)) < 0)
		return rc;
	if (a && !strcmp(a->text, "real"))
		x->cfg->sim.clock = SIM_CLOCK_REAL;
	else if (a && !strcmp(a->text, "virtual"))
		x->cfg->sim.clock = SIM_CLOCK_VIRTUAL;
	else if (a)
		return xlcfg_error(x, a->line, a->col, "drydock_clock takes \"real\" or "
				   "\"virtual\", not '%s'", a->text);
	if ((rc = get_number(x, "drydock_seed", 0, UINT64_MAX, &x->cfg->sim.seed, &given)) < 0 ||
	    (rc = get_number(x, "drydock_strict", 0, 1, &n, &given)) < 0)
		return rc;
	if (given)
		x->cfg->sim.strict = n;
	if ((rc = get_string(x, "drydock_timeout", &a)) < 0)
		return rc;
	if (a && sim_timeout_parse_seconds(a->text, &x->cfg->timeout_ns) < 0)
		return xlcfg_error(x, a->line, a->col, "drydock_timeout takes seconds of guest "
				   "time, more than 0, not '%s'", a->text);
	return 0;
}

static int apply_drydock_xenstore(struct xlcfg_ctx *x)
{
	struct sim_toolstack_config *cfg = x->cfg;
	const struct xlcfg_atom *a;
	struct xlcfg_setting *s;
	int rc;

	if ((rc = get_string(x, "drydock_xenstore_socket", &a)) < 0)
		return rc;
	if (a)
		cfg->xenstore_socket = a->text;
	if (!(s = xlcfg_find(x->c, "drydock_xs")))
		return 0;
	if (s->kind != XLCFG_LIST)
		return xlcfg_error(x, s->line, s->col, "drydock_xs takes a list of \"PATH=VALUE\"");
	for (unsigned int i = 0; i < s->nr_items; i++) {
		a = &s->items[i];
		if (!strchr(a->text, '=') || *a->text == '=')
			return xlcfg_error(x, a->line, a->col, "drydock_xs takes PATH=VALUE, not "
					   "'%s'", a->text);
		if (cfg->nr_xs_entries == SIM_TOOLSTACK_MAX_XS_ENTRIES)
			return xlcfg_error(x, a->line, a->col, "more than %d xenstore entries",
					   SIM_TOOLSTACK_MAX_XS_ENTRIES);
		cfg->xs_entries[cfg->nr_xs_entries++] = a->text;
	}
	return 0;
}

/* What was not looked up: a key xl knows goes in the warning, any other is an error. */
static int check_unused(struct xlcfg_ctx *x)
{
	for (unsigned int i = 0; i < x->c->nr_settings; i++) {
		struct xlcfg_setting *s = &x->c->settings[i];

		if (s->used)
			continue;
		if (!xlcfg_key_known_to_xl(s->key))
			return xlcfg_error(x, s->line, s->col, "unknown key '%s'", s->key);
		xlcfg_warn_unused(x, s->key);
	}
	return 0;
}

int xlcfg_domain_apply(struct xlcfg *c, struct sim_toolstack_config *cfg,
		       struct xlcfg_domain *out, char *err, size_t errlen)
{
	struct xlcfg_ctx x = { .c = c, .cfg = cfg, .out = out, .err = err, .errlen = errlen };
	int rc;

	memset(out, 0, sizeof(*out));
	out->on_poweroff = XLCFG_ACTION_DESTROY;
	out->on_reboot = XLCFG_ACTION_RESTART;
	out->on_crash = XLCFG_ACTION_DESTROY;
	for (unsigned int i = 0; i < c->nr_settings; i++)
		c->settings[i].used = false;
	if ((rc = apply_name_memory(&x)) < 0 || (rc = apply_vcpus(&x)) < 0 ||
	    (rc = apply_type(&x)) < 0 || (rc = apply_cmdline(&x)) < 0 ||
	    (rc = apply_actions(&x)) < 0 || (rc = apply_disk(&x)) < 0 ||
	    (rc = apply_drydock_clock(&x)) < 0 || (rc = apply_drydock_xenstore(&x)) < 0 ||
	    (rc = xlcfg_apply_vifs(&x)) < 0 || (rc = check_unused(&x)) < 0)
		return rc;
	return 0;
}

int xlcfg_domain_finish(struct xlcfg *c, const struct xlcfg_domain *x,
			struct sim_toolstack_config *cfg, char *err, size_t errlen)
{
	char entry[4096 + 128];

	for (unsigned int i = 0; i < x->nr_vifs; i++) {
		if (!x->ips[i])
			continue;
		if (cfg->nr_xs_entries == SIM_TOOLSTACK_MAX_XS_ENTRIES) {
			snprintf(err, errlen, "%s: more than %d xenstore entries with the vifs' ip",
				 c->filename, SIM_TOOLSTACK_MAX_XS_ENTRIES);
			return -E2BIG;
		}
		/* libxl__device_nic_add writes ip into the backend's directory. */
		snprintf(entry, sizeof(entry), "/local/domain/0/backend/vif/%u/%u/ip=%s",
			 cfg->dom.domid, i, x->ips[i]);
		if (!(cfg->xs_entries[cfg->nr_xs_entries] = xlcfg_strdup(c, entry))) {
			snprintf(err, errlen, "%s: out of memory", c->filename);
			return -ENOMEM;
		}
		cfg->nr_xs_entries++;
	}
	return 0;
}

const char *xlcfg_action_name(enum xlcfg_action a)
{
	switch (a) {
	case XLCFG_ACTION_RESTART:
		return "restart";
	case XLCFG_ACTION_PRESERVE:
		return "preserve";
	default:
		return "destroy";
	}
}
