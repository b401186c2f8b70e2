/* The vif core: --vif specs, the backend registry, capture, counting. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/domain.h"
#include "sim/backends/netback.h"
#include "sim/report.h"
#include "sim/backends/vif.h"
#include "sim/backends/vif_backends.h"
#include "traces/pcap_writer.h"

#define VIF_ETH_HLEN 14u
#define VIF_MTU_DEFAULT 1500u
#define VIF_MTU_MIN 68u
#define VIF_MTU_MAX (4096u - VIF_ETH_HLEN) /* one frame, one granted page */
#define VIF_IFNAME_MAX 15u                 /* IFNAMSIZ - 1 */

struct vif_capture {
	struct trace_writer *w;
	bool failed; /* a write failed: said once */
};

static const struct vif_backend_ops *const backends[] = {
	&vif_tap_ops, &vif_user_ops, &vif_pcap_ops, &vif_null_ops,
};

#define VALID_BACKENDS "tap=IFNAME, user, pcap=FILE or null"

static const struct vif_backend_ops *backend_ops(const char *name)
{
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (!strcmp(backends[i]->name, name))
			return backends[i];
	return NULL;
}

/* --- specs --- */

void vif_format_mac(const uint8_t mac[6], char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly XX:XX:XX:XX:XX:XX, a unicast address other than all zeroes. */
static int parse_mac(const char *s, uint8_t mac[6], char *err, size_t errlen)
{
	bool zero = true;

	for (int i = 0; i < 6; i++) {
		const char *p = s + 3 * i;
		int hi = hex_digit(p[0]), lo = hi < 0 ? -1 : hex_digit(p[1]);
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
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *s == '-' || *end || errno || v < VIF_MTU_MIN || v > VIF_MTU_MAX) {
		snprintf(err, errlen, "bad mtu '%s': from %u to %u (a frame must fit one page)",
			 s, VIF_MTU_MIN, VIF_MTU_MAX);
		return -EINVAL;
	}
	*mtu = (unsigned int)v;
	return 0;
}

/* The first word: BACKEND or BACKEND=ARG. */
static int parse_backend(struct vif_config *cfg, const char *word, char *err, size_t errlen)
{
	const char *eq = strchr(word, '=');
	size_t n = eq ? (size_t)(eq - word) : strlen(word);
	const char *arg = eq ? eq + 1 : NULL;

	if (n < sizeof(cfg->backend)) {
		memcpy(cfg->backend, word, n);
		cfg->backend[n] = '\0';
	}
	if (n >= sizeof(cfg->backend) || !backend_ops(cfg->backend)) {
		cfg->backend[0] = '\0';
		snprintf(err, errlen, "unknown vif backend '%.*s' (valid: " VALID_BACKENDS ")",
			 (int)n, word);
		return -EINVAL;
	}
	bool wants_arg = !strcmp(cfg->backend, "tap") || !strcmp(cfg->backend, "pcap");
	if (wants_arg && (!arg || !*arg)) {
		snprintf(err, errlen, "vif backend '%s' needs %s", cfg->backend,
			 !strcmp(cfg->backend, "tap") ? "an interface name: tap=IFNAME"
						      : "a file: pcap=FILE");
		return -EINVAL;
	}
	if (!wants_arg && arg) {
		snprintf(err, errlen, "vif backend '%s' takes no '=%s'", cfg->backend, arg);
		return -EINVAL;
	}
	if (!strcmp(cfg->backend, "tap") && strlen(arg) > VIF_IFNAME_MAX) {
		snprintf(err, errlen, "interface name '%s' is longer than %u characters", arg,
			 VIF_IFNAME_MAX);
		return -EINVAL;
	}
	if (arg && !(cfg->arg = strdup(arg)))
		return -ENOMEM;
	return 0;
}

/* Keys the backends written here take; user and pcap check their own in open(). */
static bool key_allowed(const struct vif_config *cfg, const char *key)
{
	return strcmp(cfg->backend, "null") != 0 && strcmp(cfg->backend, "tap") != 0;
}

static int parse_key(struct vif_config *cfg, const char *word, char *err, size_t errlen)
{
	const char *eq = strchr(word, '=');
	size_t klen = eq ? (size_t)(eq - word) : 0;

	if (!eq || klen == 0) {
		snprintf(err, errlen, "expected key=value after the backend, not '%s'", word);
		return -EINVAL;
	}
	const char *value = eq + 1;
	if (klen == 3 && !strncmp(word, "mac", 3)) {
		if (parse_mac(value, cfg->mac, err, errlen) < 0)
			return -EINVAL;
		cfg->mac_given = true;
		return 0;
	}
	if (klen == 3 && !strncmp(word, "mtu", 3))
		return parse_mtu(value, &cfg->mtu, err, errlen);
	if (klen == 7 && !strncmp(word, "capture", 7)) {
		if (!*value) {
			snprintf(err, errlen, "capture= needs a file name");
			return -EINVAL;
		}
		free(cfg->capture);
		return (cfg->capture = strdup(value)) ? 0 : -ENOMEM;
	}
	char *key = strndup(word, klen);
	if (!key)
		return -ENOMEM;
	if (!key_allowed(cfg, key)) {
		snprintf(err, errlen, "unknown key '%s' for vif backend '%s' (keys: mac, mtu, "
			 "capture)", key, cfg->backend);
		free(key);
		return -EINVAL;
	}
	if (cfg->nr_keys == VIF_MAX_KEYS) {
		snprintf(err, errlen, "more than %d backend keys", VIF_MAX_KEYS);
		free(key);
		return -EINVAL;
	}
	cfg->keys[cfg->nr_keys].key = key;
	if (!(cfg->keys[cfg->nr_keys].value = strdup(value))) {
		free(key);
		return -ENOMEM;
	}
	cfg->nr_keys++;
	return 0;
}

int vif_config_parse(struct vif_config *cfg, const char *spec, char *err, size_t errlen)
{
	char *copy = strdup(spec), *save = NULL, *word;
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
	rc = parse_backend(cfg, word, err, errlen);
	while (rc == 0 && save) {
		word = save;
		if ((save = strchr(word, ',')))
			*save++ = '\0';
		rc = parse_key(cfg, word, err, errlen);
	}
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

/* --- capture --- */

static void capture(struct vif *v, const uint8_t *frame, size_t len)
{
	struct vif_capture *c = v->capture;

	if (!c || trace_writer_write(c->w, sim_now_ns(v->dom->sim), frame, len) == 0 ||
	    c->failed)
		return;
	c->failed = true;
	sim_log("vif%u: writing capture file %s failed; the capture is incomplete", v->index,
		trace_writer_path(c->w));
}

static int capture_open(struct vif *v, char *err, size_t errlen)
{
	struct vif_capture *c = calloc(1, sizeof(*c));
	int rc;

	if (!c)
		return -ENOMEM;
	if ((rc = trace_writer_open(&c->w, v->cfg.capture, err, errlen)) < 0) {
		free(c);
		return rc;
	}
	v->capture = c;
	return 0;
}

void vif_flush(struct vif *v)
{
	if (v->capture && trace_writer_flush(v->capture->w) < 0 && !v->capture->failed) {
		v->capture->failed = true;
		sim_log("vif%u: writing capture file %s failed; the capture is incomplete",
			v->index, trace_writer_path(v->capture->w));
	}
}

static void capture_close(struct vif *v)
{
	if (!v->capture)
		return;
	vif_flush(v);
	trace_writer_close(v->capture->w);
	free(v->capture);
	v->capture = NULL;
}

/* --- vifs --- */

/* Xen's OUI, as libxl; then the domain id (top bit clear, as libxl) and the index. */
static void default_mac(uint8_t mac[6], domid_t domid, unsigned int index)
{
	mac[0] = 0x00;
	mac[1] = 0x16;
	mac[2] = 0x3e;
	mac[3] = (uint8_t)((domid >> 8) & 0x7f);
	mac[4] = (uint8_t)(domid & 0xff);
	mac[5] = (uint8_t)index;
}

static void vif_free(struct vif *v)
{
	capture_close(v);
	vif_config_free(&v->cfg);
	free(v);
}

int vif_create(struct sim_domain *d, unsigned int index, struct vif_config *cfg,
	       struct vif **out, char *err, size_t errlen)
{
	const struct vif_backend_ops *ops = backend_ops(cfg->backend);
	struct vif *v;
	int rc;

	if (!ops) {
		snprintf(err, errlen, "unknown vif backend '%s' (valid: " VALID_BACKENDS ")",
			 cfg->backend);
		return -EINVAL;
	}
	if (index >= SIM_MAX_VIFS || d->vifs[index]) {
		snprintf(err, errlen, "vif%u: %s", index, index >= SIM_MAX_VIFS ?
			 "a domain has at most 8 vifs" : "the domain already has this vif");
		return index >= SIM_MAX_VIFS ? -E2BIG : -EEXIST;
	}
	if (!(v = calloc(1, sizeof(*v)))) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	v->dom = d;
	v->index = index;
	v->ops = ops;
	v->cfg = *cfg;
	memset(cfg, 0, sizeof(*cfg)); /* ours now */
	if (!v->cfg.mtu)
		v->cfg.mtu = VIF_MTU_DEFAULT;
	if (!v->cfg.mac_given)
		default_mac(v->cfg.mac, d->domid, index);
	if (v->cfg.capture && (rc = capture_open(v, err, errlen)) < 0) {
		vif_free(v);
		return rc;
	}
	if ((rc = ops->open(v, &v->cfg, err, errlen)) < 0) {
		vif_free(v);
		return rc;
	}
	if ((rc = netback_create(v, &v->netback)) < 0) {
		snprintf(err, errlen, "vif%u: cannot write its xenstore entries: %s", index,
			 strerror(-rc));
		ops->close(v);
		vif_free(v);
		return rc;
	}
	d->vifs[index] = v;
	d->nr_vifs++;
	*out = v;
	return 0;
}

void vif_destroy(struct vif *v)
{
	if (!v)
		return;
	if (v->dom->vifs[v->index] == v) {
		v->dom->vifs[v->index] = NULL;
		v->dom->nr_vifs--;
	}
	netback_destroy(v->netback);
	v->ops->close(v);
	vif_free(v);
}

int vif_deliver(struct vif *v, const uint8_t *frame, size_t len)
{
	int rc;

	capture(v, frame, len);
	if (len > v->cfg.mtu + VIF_ETH_HLEN || len < VIF_ETH_HLEN) {
		if (len < VIF_ETH_HLEN)
			v->stats.to_guest_dropped++;
		else
			v->stats.oversized_dropped++;
		return -EMSGSIZE;
	}
	rc = netback_deliver(v->netback, frame, len);
	if (rc < 0) {
		v->stats.to_guest_dropped++;
		return rc;
	}
	v->stats.to_guest_frames++;
	v->stats.to_guest_bytes += len;
	return 0;
}

bool vif_rx_ready(struct vif *v)
{
	return netback_rx_ready(v->netback);
}

void vif_from_guest(struct vif *v, const uint8_t *frame, size_t len)
{
	capture(v, frame, len);
	v->stats.from_guest_frames++;
	v->stats.from_guest_bytes += len;
	v->ops->transmit(v, frame, len);
}
