/* What the parts of the xl.cfg mapping share (xlcfg_domain.c, xlcfg_vif.c, xlcfg_keys.c). */
#ifndef SIM_TOOLSTACK_XLCFG_INTERNAL_H
#define SIM_TOOLSTACK_XLCFG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/toolstack/xlcfg_domain.h"

/* Where the mapping writes its error, and whose file it is. */
struct xlcfg_ctx {
	struct xlcfg *c;
	struct sim_toolstack_config *cfg;
	struct xlcfg_domain *out;
	char *err;
	size_t errlen;
};

/* Writes "FILE:LINE:COL: what" into ctx's err; returns -EINVAL. */
int xlcfg_error(struct xlcfg_ctx *x, unsigned int line, unsigned int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Appends name to the warning line of the keys drydock does not use. */
void xlcfg_warn_unused(struct xlcfg_ctx *x, const char *name);
/* Whether xl.cfg(5) documents key (xlcfg_keys.c). */
bool xlcfg_key_known_to_xl(const char *key);
/* vif = [...] and drydock_vif = [...] onto cfg's vifs (xlcfg_vif.c). */
int xlcfg_apply_vifs(struct xlcfg_ctx *x);

#endif
