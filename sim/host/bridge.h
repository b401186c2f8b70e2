/*
 * bridge= of an xl.cfg vif: what Xen's vif-bridge hotplug script does for
 * a new vif, `ip link set dev VIF master BRIDGE` and `ip link set dev VIF up`,
 * on the TAP device the simulator opened for it. Needs CAP_NET_ADMIN.
 */
#ifndef SIM_HOST_BRIDGE_H
#define SIM_HOST_BRIDGE_H

#include <stddef.h>

/* Adds ifname to bridge and brings it up. Returns 0, or -errno with a line in err. */
int shim_bridge_add(const char *bridge, const char *ifname, char *err, size_t errlen);

#endif
