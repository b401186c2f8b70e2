/*
 * libFuzzer harness of xl.cfg reading: any bytes through the grammar
 * (sim/toolstack/xlcfg.c) and, when they parse, through the mapping onto the
 * toolstack's configuration (xlcfg_domain.c, xlcfg_vif.c, the vif spec
 * parser). Besides what ASan and UBSan catch, every error must be one line
 * that starts with the file name, and a config that maps must name a
 * domain the toolstack can build (1..63 characters, at least 2 MiB).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/toolstack/xlcfg_domain.h"

static void check_error_line(const char *err)
{
	if (strncmp(err, "fuzz.cfg", 8) != 0 || strchr(err, '\n') || !err[8]) {
		fprintf(stderr, "malformed error message: '%s'\n", err);
		abort();
	}
}

static void map(struct xlcfg *c)
{
	struct sim_toolstack_config cfg;
	struct xlcfg_domain x;
	char err[512] = "";

	memset(&cfg, 0, sizeof(cfg));
	cfg.dom = (struct sim_domain_config){ .domid = 1, .name = "fuzz", .mem_bytes = 32 << 20,
					      .cmdline = "" };
	if (xlcfg_domain_apply(c, &cfg, &x, err, sizeof(err)) < 0) {
		check_error_line(err);
	} else {
		size_t n = strlen(cfg.dom.name);
		if (!n || n > 63 || cfg.dom.mem_bytes < (2 << 20) || strlen(cfg.dom.cmdline) > 4095)
			abort();
		if (xlcfg_domain_finish(c, &x, &cfg, err, sizeof(err)) < 0)
			check_error_line(err);
	}
	sim_toolstack_config_free(&cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xlcfg *c;
	char err[512] = "";

	if (xlcfg_parse((const char *)data, size, "fuzz.cfg", &c, err, sizeof(err)) < 0) {
		check_error_line(err);
		return 0;
	}
	map(c);
	xlcfg_free(c);
	return 0;
}
