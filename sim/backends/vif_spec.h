/*
 * --vif specs (vif_spec.c): what the vif core (vif.c) needs of them, the
 * backend table looked up by name and the default MTU.
 */
#ifndef SIM_VIF_SPEC_H
#define SIM_VIF_SPEC_H

#include <stddef.h>

#include "sim/backends/vif.h"

#define VIF_MTU_DEFAULT 1500u

/* The backend called name in vif_backends[], or NULL. */
const struct vif_backend_ops *vif_backend_find(const char *name);
/* "unknown vif backend 'NAME' (valid: ...)" for the first n bytes of name. */
void vif_backend_unknown(const char *name, int n, char *err, size_t errlen);

#endif
