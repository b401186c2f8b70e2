/* The null vif backend: frames from the guest are dropped; nothing comes in. */
#include "sim/backends/vif.h"

static int null_open(struct vif *v, const struct vif_config *cfg, char *err, size_t errlen)
{
	return 0;
}

static void null_transmit(struct vif *v, const uint8_t *frame, size_t len)
{
}

static void null_close(struct vif *v)
{
}

const struct vif_backend_ops vif_null_ops = {
	.name = "null",
	.open = null_open,
	.transmit = null_transmit,
	.close = null_close,
};
