/*
 * The table of vif backends for tests/unit/sim_stack_test: the simulator's
 * list plus the stackprobe backend (sim_stack_probe.c). Linked before
 * libdrydock_sim, this definition of vif_backends replaces
 * sim/backends/vif_table.c's.
 */
#include "sim/backends/vif_table.h"

#define TEST_BACKEND_LIST(X) \
	VIF_BACKEND_LIST(X)  \
	X(stackprobe)

TEST_BACKEND_LIST(VIF_BACKEND_DECLARE)

const struct vif_backend_ops *const vif_backends[] = { TEST_BACKEND_LIST(VIF_BACKEND_ENTRY) NULL };
