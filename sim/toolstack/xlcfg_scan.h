/*
 * The scanner of xl.cfg (xlcfg.h): blanks, comments, line continuation and
 * the atoms (strings with their escapes, numbers), each error with its line
 * and column. xlcfg.c builds settings and lists from them.
 */
#ifndef SIM_TOOLSTACK_XLCFG_SCAN_H
#define SIM_TOOLSTACK_XLCFG_SCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/toolstack/xlcfg.h"

struct xlcfg_scan {
	const char *p, *end;
	unsigned int line, col;
	struct xlcfg *cfg;
	char *err;
	size_t errlen;
	int rc;                 /* the first error, or 0 */
};

/* Records the first error, "FILE:LINE:COL: what", and returns it (rc). */
int xlcfg_scan_fail(struct xlcfg_scan *s, unsigned int line, unsigned int col, int rc,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The next byte, or -1 at the end. */
int xlcfg_scan_peek(const struct xlcfg_scan *s);
/* Past one byte, counting lines and columns. */
void xlcfg_scan_advance(struct xlcfg_scan *s);
/*
 * Skips blanks, comments and backslash-newline; newlines too when nl_ok
 * (inside a list). Stops at a newline otherwise: it ends a setting.
 */
void xlcfg_scan_space(struct xlcfg_scan *s, bool nl_ok);
bool xlcfg_scan_is_key_start(int c);
bool xlcfg_scan_is_key_char(int c);
/* A string or number into a (its text malloc'd). Returns 0 or the error. */
int xlcfg_scan_atom(struct xlcfg_scan *s, struct xlcfg_atom *a);

#endif
