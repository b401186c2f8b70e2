/*
 * The world-facing vif backends, one file each: sim/backends/vif_tap.c, vif_user.c,
 * vif_pcap.c, vif_null.c. vif_create() picks one by vif_config.backend,
 * which is the ops' name.
 */
#ifndef SIM_VIF_BACKENDS_H
#define SIM_VIF_BACKENDS_H

#include "sim/backends/vif.h"

extern const struct vif_backend_ops vif_tap_ops, vif_user_ops, vif_pcap_ops, vif_null_ops;

#endif
