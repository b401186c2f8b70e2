/*
 * The loopback vif backend, compiled only into tests/unit/vif_plugin_test:
 * the proof that a new backend is one file (this one) and one line in a
 * table (vif_loopback_table.c). Every frame from the guest goes straight
 * back to it. With frames=N its input ends after N reflected frames, and
 * the toolstack then powers the guest off after LOOPBACK_LINGER_NS.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim/backends/vif.h"
#include "vif_loopback.h"

struct loopback {
	unsigned long left; /* frames still to reflect before the input ends */
	bool counted;       /* frames= was given */
};

static int loopback_frames(const char *s, unsigned long *n)
{
	char *end;

	if (!s || *s < '1' || *s > '9')
		return -EINVAL;
	*n = strtoul(s, &end, 10);
	return *end ? -EINVAL : 0;
}

static int loopback_check(const struct vif_config *cfg, char *err, size_t errlen)
{
	const char *frames = vif_config_get(cfg, "frames");
	unsigned long n;

	if (frames && loopback_frames(frames, &n) < 0) {
		snprintf(err, errlen, "loopback: frames=%s: expected a count from 1", frames);
		return -EINVAL;
	}
	return 0;
}

static int loopback_open(struct vif *v, const struct vif_config *cfg, char *err, size_t errlen)
{
	struct loopback *l = calloc(1, sizeof(*l));

	if (!l) {
		snprintf(err, errlen, "loopback: out of memory");
		return -ENOMEM;
	}
	l->counted = loopback_frames(vif_config_get(cfg, "frames"), &l->left) == 0;
	v->backend = l;
	return 0;
}

static void loopback_transmit(struct vif *v, const uint8_t *frame, size_t len)
{
	struct loopback *l = v->backend;

	vif_deliver(v, frame, len);
	if (l->counted && l->left > 0 && --l->left == 0)
		vif_input_ended(v, LOOPBACK_LINGER_NS);
}

static bool loopback_has_input(struct vif *v)
{
	struct loopback *l = v->backend;

	return l->counted && l->left > 0;
}

static void loopback_close(struct vif *v)
{
	free(v->backend);
	v->backend = NULL;
}

static const struct vif_backend_key loopback_keys[] = {
	{ "frames", false },
	{ NULL, false },
};

const struct vif_backend_ops vif_loopback_ops = {
	.name = "loopback",
	.keys = loopback_keys,
	.check = loopback_check,
	.open = loopback_open,
	.transmit = loopback_transmit,
	.has_input = loopback_has_input,
	.close = loopback_close,
};
