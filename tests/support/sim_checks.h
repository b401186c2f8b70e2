/*
 * CMocka checks host-side tests share on a simulator: the xenstore as dom0
 * sees it (xs_store_* on sim_xenstore), and what a call said on stderr.
 * Each fails the running test with the path or value at fault.
 */
#ifndef TESTS_SUPPORT_SIM_CHECKS_H
#define TESTS_SUPPORT_SIM_CHECKS_H

#include <stddef.h>
#include <stdio.h>

#include "sim/sim.h"

/* Writes path = value; the test fails if the store refuses. */
void sim_xs_put(struct sim *sim, const char *path, const char *value);
/* The value at path (malloc'd, the caller frees it), or NULL when there is none. */
char *sim_xs_get(struct sim *sim, const char *path);
/* The test fails unless path holds want. */
void sim_xs_assert(struct sim *sim, const char *path, const char *want);

/* What was written to stderr between start and end: text, NUL-terminated, truncated. */
struct stderr_capture {
	int saved_fd;
	FILE *file;
	char text[4096];
};

void stderr_capture_start(struct stderr_capture *c);
void stderr_capture_end(struct stderr_capture *c);
/* Runs fn(arg) with stderr going to buf (size bytes, NUL-terminated): what it reported. */
void stderr_capture_run(char *buf, size_t size, void (*fn)(void *arg), void *arg);

#endif
