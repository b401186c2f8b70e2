/*
 * The one table of vif backends: a backend is a file of its own that
 * defines `const struct vif_backend_ops vif_NAME_ops` (vif.h says what it
 * declares), plus one line here. The order is the order of "valid: ..." in
 * vif_config_parse's messages.
 *
 * This file defines nothing but vif_backends, so a program may link a table
 * of its own instead (tests/unit/vif_plugin_test.c adds a test-only backend
 * that way): the linker then leaves this object out of the library.
 */
#include "sim/backends/vif.h"

#define VIF_BACKEND_LIST(X) \
	X(tap)              \
	X(user)             \
	X(pcap)             \
	X(null)

#define VIF_BACKEND_DECLARE(name) extern const struct vif_backend_ops vif_##name##_ops;
#define VIF_BACKEND_ENTRY(name) &vif_##name##_ops,

VIF_BACKEND_LIST(VIF_BACKEND_DECLARE)

const struct vif_backend_ops *const vif_backends[] = { VIF_BACKEND_LIST(VIF_BACKEND_ENTRY) NULL };
