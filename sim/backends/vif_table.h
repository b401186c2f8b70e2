/*
 * The one list of vif backends: a backend is a file of its own that defines
 * `const struct vif_backend_ops vif_NAME_ops` (vif.h says what it declares)
 * plus one line here. The order is the order of "valid: ..." in
 * vif_config_parse's messages. vif_table.c makes the table from it; a
 * program may make a table of its own from it plus lines of its own
 * (tests/unit/vif_loopback_table.c adds a test-only backend).
 */
#ifndef SIM_VIF_TABLE_H
#define SIM_VIF_TABLE_H

#include "sim/backends/vif.h"

#define VIF_BACKEND_LIST(X) \
	X(tap)              \
	X(user)             \
	X(pcap)             \
	X(null)

#define VIF_BACKEND_DECLARE(name) extern const struct vif_backend_ops vif_##name##_ops;
#define VIF_BACKEND_ENTRY(name) &vif_##name##_ops,

#endif
