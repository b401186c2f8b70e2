/*
 * The table of vif backends (vif.h's vif_backends), from the list in
 * vif_table.h. This file defines nothing else, so a program that links a
 * table of its own (tests/unit/vif_loopback_table.c) leaves this object out
 * of the static library.
 */
#include "sim/backends/vif_table.h"

VIF_BACKEND_LIST(VIF_BACKEND_DECLARE)

const struct vif_backend_ops *const vif_backends[] = { VIF_BACKEND_LIST(VIF_BACKEND_ENTRY) NULL };
