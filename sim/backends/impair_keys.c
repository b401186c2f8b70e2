/* The impairment keys of a --vif spec and their values (impair.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sim/backends/impair.h"
#include "sim/backends/vif.h"
#include "sim/parse.h"

#define IMPAIR_KEY(name) { name, false }, { "rx-" name, false }, { "tx-" name, false }

const struct vif_backend_key impair_keys[] = {
	IMPAIR_KEY("loss"),  IMPAIR_KEY("dup"),    IMPAIR_KEY("corrupt"), IMPAIR_KEY("reorder"),
	IMPAIR_KEY("delay"), IMPAIR_KEY("jitter"), IMPAIR_KEY("rate"),    IMPAIR_KEY("limit"),
	{ NULL, false },
};

const char impair_keys_text[] = "loss, dup, corrupt, reorder, delay, jitter, rate, limit "
				"(rx-KEY, tx-KEY: one direction)";

enum impair_kind { KIND_PERCENT, KIND_MS, KIND_MBIT, KIND_COUNT };

/* Each key: its value's kind, where it goes, and what it accepts (for the message). */
static const struct impair_key_desc {
	const char *name;
	enum impair_kind kind;
	size_t offset;
} descs[] = {
	{ "loss", KIND_PERCENT, offsetof(struct impair_params, loss_ppm) },
	{ "dup", KIND_PERCENT, offsetof(struct impair_params, dup_ppm) },
	{ "corrupt", KIND_PERCENT, offsetof(struct impair_params, corrupt_ppm) },
	{ "reorder", KIND_PERCENT, offsetof(struct impair_params, reorder_ppm) },
	{ "delay", KIND_MS, offsetof(struct impair_params, delay_ns) },
	{ "jitter", KIND_MS, offsetof(struct impair_params, jitter_ns) },
	{ "rate", KIND_MBIT, offsetof(struct impair_params, rate_bps) },
	{ "limit", KIND_COUNT, offsetof(struct impair_params, limit) },
};
#define NR_DESCS (sizeof(descs) / sizeof(descs[0]))

#define PERCENT_DECIMALS 4    /* 100.0000% = 1000000 parts per million */
#define MS_DECIMALS 6         /* 1.000000 ms = 1000000 ns */
#define MBIT_DECIMALS 6       /* 1.000000 Mbit/s = 1000000 bit/s */
#define MS_MAX 3600000ULL     /* an hour: more is surely a mistake */
#define MBIT_MAX 1000000ULL   /* 1 Tbit/s */
#define LIMIT_MAX 65536ULL    /* frames of up to a page each: 256 MiB */

static const char *const kind_expects[] = {
	[KIND_PERCENT] = "a percentage from 0 to 100 with up to 4 decimals, such as 5% or 0.5%",
	[KIND_MS] = "milliseconds from 0 to 3600000 with up to 6 decimals, such as 20 or 0.5",
	[KIND_MBIT] = "megabits per second above 0 with up to 6 decimals, such as 10 or 0.5",
	[KIND_COUNT] = "a number of frames from 1 to 65536",
};

static int parse_value(enum impair_kind kind, const char *s, uint64_t *v)
{
	const char *end;

	switch (kind) {
	case KIND_PERCENT:
		end = sim_parse_fixed(s, PERCENT_DECIMALS, 100, v);
		if (end && *end == '%')
			end++;
		return end && !*end && *v <= 1000000 ? 0 : -EINVAL;
	case KIND_MS:
		end = sim_parse_fixed(s, MS_DECIMALS, MS_MAX, v);
		return end && !*end && *v <= MS_MAX * 1000000 ? 0 : -EINVAL;
	case KIND_MBIT:
		end = sim_parse_fixed(s, MBIT_DECIMALS, MBIT_MAX, v);
		return end && !*end && *v > 0 && *v <= MBIT_MAX * 1000000 ? 0 : -EINVAL;
	case KIND_COUNT:
		end = sim_parse_fixed(s, 0, LIMIT_MAX, v);
		return end && !*end && *v > 0 ? 0 : -EINVAL;
	}
	return -EINVAL;
}

static void store(struct impair_params *p, const struct impair_key_desc *d, uint64_t v)
{
	char *field = (char *)p + d->offset;

	if (d->kind == KIND_PERCENT)
		*(uint32_t *)(void *)field = (uint32_t)v;
	else if (d->kind == KIND_COUNT)
		*(unsigned int *)(void *)field = (unsigned int)v;
	else
		*(uint64_t *)(void *)field = v;
}

/* "rx-loss" -> the loss descriptor, with the directions it sets; NULL: not ours. */
static const struct impair_key_desc *key_desc(const char *key, bool dirs[IMPAIR_NR_DIRS])
{
	dirs[IMPAIR_RX] = strncmp(key, "tx-", 3) != 0;
	dirs[IMPAIR_TX] = strncmp(key, "rx-", 3) != 0;
	if (!dirs[IMPAIR_RX] || !dirs[IMPAIR_TX])
		key += 3;
	for (size_t i = 0; i < NR_DESCS; i++)
		if (!strcmp(descs[i].name, key))
			return &descs[i];
	return NULL;
}

static const char *const dir_names[] = { "frames to the guest", "frames from the guest" };

/* One key=value into p; given[d][i] remembers who set key i for direction d. */
static int parse_one(const char *key, const char *value, struct impair_params *p,
		     const char *given[IMPAIR_NR_DIRS][NR_DESCS], char *err, size_t errlen)
{
	bool dirs[IMPAIR_NR_DIRS];
	const struct impair_key_desc *d = key_desc(key, dirs);
	size_t i = (size_t)(d - descs);
	uint64_t v;

	if (parse_value(d->kind, value, &v) < 0) {
		snprintf(err, errlen, "%s=%s: expected %s", key, value, kind_expects[d->kind]);
		return -EINVAL;
	}
	for (int dir = 0; dir < IMPAIR_NR_DIRS; dir++) {
		if (!dirs[dir])
			continue;
		if (given[dir][i]) {
			snprintf(err, errlen, "%s= and %s= both set %s for %s; give one",
				 given[dir][i], key, d->name, dir_names[dir]);
			return -EINVAL;
		}
		given[dir][i] = key;
		store(&p[dir], d, v);
	}
	return 0;
}

bool impair_params_active(const struct impair_params *p)
{
	return p->loss_ppm || p->dup_ppm || p->corrupt_ppm || p->reorder_ppm || p->delay_ns ||
	       p->jitter_ns || p->rate_bps;
}

int impair_params_parse(const struct vif_config *cfg, struct impair_params p[IMPAIR_NR_DIRS],
			char *err, size_t errlen)
{
	const char *given[IMPAIR_NR_DIRS][NR_DESCS] = { { NULL } };
	bool dirs[IMPAIR_NR_DIRS];

	memset(p, 0, IMPAIR_NR_DIRS * sizeof(*p));
	p[IMPAIR_RX].limit = p[IMPAIR_TX].limit = IMPAIR_LIMIT_DEFAULT;
	for (unsigned int i = 0; i < cfg->nr_keys; i++) {
		if (!key_desc(cfg->keys[i].key, dirs))
			continue; /* the backend's */
		if (parse_one(cfg->keys[i].key, cfg->keys[i].value, p, given, err, errlen) < 0)
			return -EINVAL;
	}
	return impair_params_active(&p[IMPAIR_RX]) || impair_params_active(&p[IMPAIR_TX]);
}
