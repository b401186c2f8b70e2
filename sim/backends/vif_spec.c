/*
 * --vif specs: BACKEND[=ARG],key=value,... checked against the backends'
 * tables (vif_table.h) and the impairment keys (impair.h), into a
 * struct vif_config.
 */
#include <errno.h>
#include <linux/if_ether.h> /* ETH_HLEN */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/backends/impair.h"
#include "sim/backends/vif.h"
#include "sim/backends/vif_spec.h"
#include "sim/parse.h"

#define VIF_MTU_MIN 68u
#define VIF_MTU_MAX (4096u - ETH_HLEN) /* one frame, one granted page */

const struct vif_backend_ops *vif_backend_find(const char *name)
{
	for (size_t i = 0; vif_backends[i]; i++)
		if (!strcmp(vif_backends[i]->name, name))
			return vif_backends[i];
	return NULL;
}

/* "tap=IFNAME, user, pcap=FILE or null", from the table. */
static void describe_backends(char *buf, size_t size)
{
	size_t n = 0, len = 0;

	while (vif_backends[n])
		n++;
	buf[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++) {
		const struct vif_backend_ops *b = vif_backends[i];
		int w = snprintf(buf + len, size - len, "%s%s%s%s",
				 i == 0 ? "" : i + 1 == n ? " or " : ", ", b->name,
				 b->arg ? "=" : "", b->arg ? b->arg : "");
		len += w > 0 ? (size_t)w : 0;
	}
}

void vif_backend_unknown(const char *name, int n, char *err, size_t errlen)
{
	char valid[256];

	describe_backends(valid, sizeof(valid));
	snprintf(err, errlen, "unknown vif backend '%.*s' (valid: %s)", n, name, valid);
}

/* --- specs --- */

void vif_format_mac(const uint8_t mac[6], char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
}

/* Exactly XX:XX:XX:XX:XX:XX, a unicast address other than all zeroes. */
static int parse_mac(const char *s, uint8_t mac[6], char *err, size_t errlen)
{
	bool zero = true;

	for (int i = 0; i < 6; i++) {
		const char *p = s + 3 * i;
		int hi = sim_parse_hex_digit(p[0]), lo = hi < 0 ? -1 : sim_parse_hex_digit(p[1]);
		if (hi < 0 || lo < 0 || p[2] != (i == 5 ? '\0' : ':')) {
			snprintf(err, errlen, "bad mac '%s': expected six hex bytes, "
				 "as 00:16:3e:12:34:56", s);
			return -EINVAL;
		}
		mac[i] = (uint8_t)(hi << 4 | lo);
		zero &= mac[i] == 0;
	}
	if (mac[0] & 1 || zero) {
		snprintf(err, errlen, "bad mac '%s': a vif needs a unicast address (first byte "
			 "even, not all zeroes)", s);
		return -EINVAL;
	}
	return 0;
}

static int parse_mtu(const char *s, unsigned int *mtu, char *err, size_t errlen)
{
	uint64_t v;

	if (sim_parse_u64(s, VIF_MTU_MAX, &v) < 0 || v < VIF_MTU_MIN) {
		snprintf(err, errlen, "bad mtu '%s': from %u to %u (a frame must fit one page)",
			 s, VIF_MTU_MIN, VIF_MTU_MAX);
		return -EINVAL;
	}
	*mtu = (unsigned int)v;
	return 0;
}

/* sg=, gso=, csum=: 1 offers the netif offload (the default), 0 turns it off. */
static int parse_offload(const char *key, const char *s, bool *off, bool *seen, char *err,
			 size_t errlen)
{
	if (*seen) {
		snprintf(err, errlen, "key '%s' is given twice", key);
		return -EINVAL;
	}
	*seen = true;
	if (strcmp(s, "0") && strcmp(s, "1")) {
		snprintf(err, errlen, "bad %s '%s': 1 (offered, the default) or 0 (off)", key, s);
		return -EINVAL;
	}
	*off = s[0] == '0';
	return 0;
}

/* The first word: BACKEND or BACKEND=ARG, as the backend's ops declare it. */
static int parse_backend(struct vif_config *cfg, const struct vif_backend_ops **ops,
			 const char *word, char *err, size_t errlen)
{
	const char *eq = strchr(word, '=');
	size_t n = eq ? (size_t)(eq - word) : strlen(word);
	const char *arg = eq ? eq + 1 : NULL;

	if (n < sizeof(cfg->backend)) {
		memcpy(cfg->backend, word, n);
		cfg->backend[n] = '\0';
	}
	if (n >= sizeof(cfg->backend) || !(*ops = vif_backend_find(cfg->backend))) {
		cfg->backend[0] = '\0';
		vif_backend_unknown(word, (int)n, err, errlen);
		return -EINVAL;
	}
	if ((*ops)->arg && (!arg || !*arg)) {
		snprintf(err, errlen, "vif backend '%s' needs %s: %s=%s", cfg->backend,
			 (*ops)->arg_what, cfg->backend, (*ops)->arg);
		return -EINVAL;
	}
	if (!(*ops)->arg && arg) {
		snprintf(err, errlen, "vif backend '%s' takes no '=%s'", cfg->backend, arg);
		return -EINVAL;
	}
	if (arg && !(cfg->arg = strdup(arg)))
		return -ENOMEM;
	return 0;
}

/* The declaration of key in a table of keys (NULL: none), or NULL. */
static const struct vif_backend_key *table_key(const struct vif_backend_key *keys,
					       const char *key, size_t klen)
{
	for (const struct vif_backend_key *k = keys; k && k->name; k++)
		if (strlen(k->name) == klen && !strncmp(k->name, key, klen))
			return k;
	return NULL;
}

/* "mac, mtu, capture, ..." and the backend's own keys. */
static void describe_keys(const struct vif_backend_ops *ops, char *buf, size_t size)
{
	size_t len = (size_t)snprintf(buf, size, "mac, mtu, capture, capture-gso, sg, gso, csum");

	for (const struct vif_backend_key *k = ops->keys; k && k->name && len < size; k++) {
		int w = snprintf(buf + len, size - len, ", %s", k->name);
		len += w > 0 ? (size_t)w : 0;
	}
}

static bool key_given(const struct vif_config *cfg, const char *key, size_t klen)
{
	for (unsigned int i = 0; i < cfg->nr_keys; i++)
		if (strlen(cfg->keys[i].key) == klen && !strncmp(cfg->keys[i].key, key, klen))
			return true;
	return false;
}

/*
 * An impairment key (every backend's, impair.h) or a key of the backend's
 * own: declared, and repeated only where it may be.
 */
static int parse_backend_key(struct vif_config *cfg, const struct vif_backend_ops *ops,
			     const char *word, size_t klen, char *err, size_t errlen)
{
	const struct vif_backend_key *k = table_key(impair_keys, word, klen);
	char keys[256];

	if (!k)
		k = table_key(ops->keys, word, klen);
	if (!k) {
		describe_keys(ops, keys, sizeof(keys));
		snprintf(err, errlen, "unknown key '%.*s' for vif backend '%s' (keys: %s) "
			 "or an impairment: %s", (int)klen, word, cfg->backend, keys,
			 impair_keys_text);
		return -EINVAL;
	}
	if (!k->repeats && key_given(cfg, word, klen)) {
		snprintf(err, errlen, "key '%s' is given twice; vif backend '%s' takes it once",
			 k->name, cfg->backend);
		return -EINVAL;
	}
	if (cfg->nr_keys == VIF_MAX_KEYS) {
		snprintf(err, errlen, "more than %d backend keys", VIF_MAX_KEYS);
		return -EINVAL;
	}
	if (!(cfg->keys[cfg->nr_keys].key = strdup(k->name)))
		return -ENOMEM;
	if (!(cfg->keys[cfg->nr_keys].value = strdup(word + klen + 1))) {
		free(cfg->keys[cfg->nr_keys].key);
		return -ENOMEM;
	}
	cfg->nr_keys++;
	return 0;
}

/* Each common key once: a second mac= is a mistake, not an override. */
static int common_key_once(bool *seen, const char *key, char *err, size_t errlen)
{
	if (*seen) {
		snprintf(err, errlen, "key '%s' is given twice", key);
		return -EINVAL;
	}
	*seen = true;
	return 0;
}

struct common_seen {
	bool mac, mtu, capture;
	bool sg, gso, csum, capture_gso;
};

static int parse_key(struct vif_config *cfg, const struct vif_backend_ops *ops,
		     struct common_seen *seen, const char *word, char *err, size_t errlen)
{
	const char *eq = strchr(word, '=');
	size_t klen = eq ? (size_t)(eq - word) : 0;

	if (!eq || klen == 0) {
		snprintf(err, errlen, "expected key=value after the backend, not '%s'", word);
		return -EINVAL;
	}
	const char *value = eq + 1;
	if (klen == 3 && !strncmp(word, "mac", 3)) {
		if (common_key_once(&seen->mac, "mac", err, errlen) < 0 ||
		    parse_mac(value, cfg->mac, err, errlen) < 0)
			return -EINVAL;
		cfg->mac_given = true;
		return 0;
	}
	if (klen == 3 && !strncmp(word, "mtu", 3))
		return common_key_once(&seen->mtu, "mtu", err, errlen) < 0 ? -EINVAL :
		       parse_mtu(value, &cfg->mtu, err, errlen);
	if (klen == 7 && !strncmp(word, "capture", 7)) {
		if (common_key_once(&seen->capture, "capture", err, errlen) < 0)
			return -EINVAL;
		if (!*value) {
			snprintf(err, errlen, "capture= needs a file name");
			return -EINVAL;
		}
		return (cfg->capture = strdup(value)) ? 0 : -ENOMEM;
	}
	if (klen == 2 && !strncmp(word, "sg", 2))
		return parse_offload("sg", value, &cfg->no_sg, &seen->sg, err, errlen);
	if (klen == 3 && !strncmp(word, "gso", 3))
		return parse_offload("gso", value, &cfg->no_gso, &seen->gso, err, errlen);
	if (klen == 4 && !strncmp(word, "csum", 4))
		return parse_offload("csum", value, &cfg->no_csum, &seen->csum, err, errlen);
	if (klen == 11 && !strncmp(word, "capture-gso", 11)) {
		if (common_key_once(&seen->capture_gso, "capture-gso", err, errlen) < 0)
			return -EINVAL;
		if (strcmp(value, "whole") && strcmp(value, "segments")) {
			snprintf(err, errlen, "bad capture-gso '%s': segments (as on a wire, the "
				 "default) or whole (as the guest sent it)", value);
			return -EINVAL;
		}
		cfg->capture_gso_whole = !strcmp(value, "whole");
		return 0;
	}
	return parse_backend_key(cfg, ops, word, klen, err, errlen);
}

/* The impairment keys' values, at parse time. */
static int check_impairment(const struct vif_config *cfg, char *err, size_t errlen)
{
	struct impair_params p[IMPAIR_NR_DIRS];
	int rc = impair_params_parse(cfg, p, err, errlen);

	return rc < 0 ? rc : 0;
}

int vif_config_parse(struct vif_config *cfg, const char *spec, char *err, size_t errlen)
{
	char *copy = strdup(spec), *save = NULL, *word;
	const struct vif_backend_ops *ops = NULL;
	struct common_seen seen = { 0 };
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	cfg->mtu = VIF_MTU_DEFAULT;
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* strtok_r would merge empty words; a spec with one is a mistake. */
	word = copy;
	save = strchr(word, ',');
	if (save)
		*save++ = '\0';
	rc = parse_backend(cfg, &ops, word, err, errlen);
	while (rc == 0 && save) {
		word = save;
		if ((save = strchr(word, ',')))
			*save++ = '\0';
		rc = parse_key(cfg, ops, &seen, word, err, errlen);
	}
	if (rc == 0 && ops->check)
		rc = ops->check(cfg, err, errlen);
	if (rc == 0)
		rc = check_impairment(cfg, err, errlen);
	free(copy);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	if (rc < 0)
		vif_config_free(cfg);
	return rc < 0 ? rc : 0;
}

void vif_config_free(struct vif_config *cfg)
{
	free(cfg->arg);
	free(cfg->capture);
	for (unsigned int i = 0; i < cfg->nr_keys; i++) {
		free(cfg->keys[i].key);
		free(cfg->keys[i].value);
	}
	memset(cfg, 0, sizeof(*cfg));
}

const char *vif_config_get(const struct vif_config *cfg, const char *key)
{
	for (unsigned int i = 0; i < cfg->nr_keys; i++)
		if (!strcmp(cfg->keys[i].key, key))
			return cfg->keys[i].value;
	return NULL;
}
