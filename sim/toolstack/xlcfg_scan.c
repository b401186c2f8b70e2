/* The scanner of xl.cfg (xlcfg_scan.h), reading what libxlu_cfg_l.l reads. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/parse.h"
#include "sim/toolstack/xlcfg_scan.h"

int xlcfg_scan_fail(struct xlcfg_scan *s, unsigned int line, unsigned int col, int rc,
		    const char *fmt, ...)
{
	char what[256];
	va_list ap;

	if (s->rc)
		return s->rc;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(s->err, s->errlen, "%s:%u:%u: %s", s->cfg->filename, line, col, what);
	s->rc = rc;
	return rc;
}

int xlcfg_scan_peek(const struct xlcfg_scan *s)
{
	return s->p < s->end ? (unsigned char)*s->p : -1;
}

void xlcfg_scan_advance(struct xlcfg_scan *s)
{
	if (*s->p++ == '\n') {
		s->line++;
		s->col = 1;
	} else {
		s->col++;
	}
}

/*
 * Skips blanks, comments and backslash-newline; newlines too when nl_ok
 * (inside a list). Stops at a newline otherwise: it ends a setting.
 */
void xlcfg_scan_space(struct xlcfg_scan *s, bool nl_ok)
{
	for (;;) {
		int c = xlcfg_scan_peek(s);

		if (c == ' ' || c == '\t' || c == '\r' || (c == '\n' && nl_ok)) {
			xlcfg_scan_advance(s);
		} else if (c == '#') {
			while (xlcfg_scan_peek(s) != -1 && xlcfg_scan_peek(s) != '\n')
				xlcfg_scan_advance(s);
		} else if (c == '\\' && s->p + 1 < s->end &&
			   (s->p[1] == '\n' || (s->p[1] == '\r' && s->p + 2 < s->end &&
						s->p[2] == '\n'))) {
			while (xlcfg_scan_peek(s) != '\n')
				xlcfg_scan_advance(s);
			xlcfg_scan_advance(s);
		} else {
			return;
		}
	}
}

bool xlcfg_scan_is_key_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool xlcfg_scan_is_key_char(int c)
{
	return xlcfg_scan_is_key_start(c) || (c >= '0' && c <= '9') || c == '.';
}

/* One escape after the backslash (xlu__cfgl_dequote): appends its byte to out. */
static int scan_escape(struct xlcfg_scan *s, char *out, size_t *n)
{
	unsigned int line = s->line, col = s->col - 1;
	int c = xlcfg_scan_peek(s), v = 0, digits = 0;
	static const char plain[] = "nrtvbfa\\'\"", value[] = "\n\r\t\v\b\f\a\\'\"";
	const char *k;

	if (c == -1 || c == '\n')
		return xlcfg_scan_fail(s, line, col, -EINVAL, "a backslash ends the line inside a string");
	if (c == 'x') {
		xlcfg_scan_advance(s);
		for (; digits < 2 && sim_parse_hex_digit(xlcfg_scan_peek(s)) >= 0; digits++, xlcfg_scan_advance(s))
			v = v * 16 + sim_parse_hex_digit(xlcfg_scan_peek(s));
		if (!digits)
			return xlcfg_scan_fail(s, line, col, -EINVAL, "\\x needs a hex digit");
	} else if (c >= '0' && c <= '7') {
		for (; digits < 3 && xlcfg_scan_peek(s) >= '0' && xlcfg_scan_peek(s) <= '7'; digits++, xlcfg_scan_advance(s))
			v = v * 8 + (xlcfg_scan_peek(s) - '0');
		if (v > 255)
			return xlcfg_scan_fail(s, line, col, -EINVAL, "octal escape over \\377");
	} else if ((k = strchr(plain, c)) && c) {
		xlcfg_scan_advance(s);
		v = (unsigned char)value[k - plain];
	} else {
		return xlcfg_scan_fail(s, line, col, -EINVAL, "unknown escape \\%c in a string", c);
	}
	if (v == 0)
		return xlcfg_scan_fail(s, line, col, -EINVAL, "a string may not hold a NUL byte");
	out[(*n)++] = (char)v;
	return 0;
}

static int scan_string(struct xlcfg_scan *s, struct xlcfg_atom *a)
{
	char quote = (char)xlcfg_scan_peek(s), *out;
	size_t n = 0;
	int c;

	a->kind = XLCFG_STRING;
	if (!(out = malloc(XLCFG_MAX_STRING + 1)))
		return xlcfg_scan_fail(s, a->line, a->col, -ENOMEM, "out of memory");
	xlcfg_scan_advance(s);
	while ((c = xlcfg_scan_peek(s)) != quote) {
		if (c == -1 || c == '\n') {
			free(out);
			return xlcfg_scan_fail(s, a->line, a->col, -EINVAL, "string not closed on its line");
		}
		if (n == XLCFG_MAX_STRING) {
			free(out);
			return xlcfg_scan_fail(s, a->line, a->col, -EINVAL, "string longer than %u bytes",
				    XLCFG_MAX_STRING);
		}
		xlcfg_scan_advance(s);
		if (c == '\\' && scan_escape(s, out, &n) < 0) {
			free(out);
			return s->rc;
		} else if (c != '\\') {
			out[n++] = (char)c;
		}
	}
	xlcfg_scan_advance(s);
	out[n] = '\0';
	a->text = out;
	return 0;
}

/* A number as libxlu's scanner takes it: decimal digits, or 0x and hex digits. */
static int scan_number(struct xlcfg_scan *s, struct xlcfg_atom *a)
{
	const char *start = s->p;
	size_t n;

	a->kind = XLCFG_NUMBER;
	if (xlcfg_scan_peek(s) == '0' && s->p + 1 < s->end && (s->p[1] == 'x' || s->p[1] == 'X')) {
		xlcfg_scan_advance(s);
		xlcfg_scan_advance(s);
		if (sim_parse_hex_digit(xlcfg_scan_peek(s)) < 0)
			return xlcfg_scan_fail(s, a->line, a->col, -EINVAL, "0x needs hex digits");
		while (sim_parse_hex_digit(xlcfg_scan_peek(s)) >= 0)
			xlcfg_scan_advance(s);
	} else {
		while (xlcfg_scan_peek(s) >= '0' && xlcfg_scan_peek(s) <= '9')
			xlcfg_scan_advance(s);
	}
	if (xlcfg_scan_is_key_char(xlcfg_scan_peek(s)))
		return xlcfg_scan_fail(s, s->line, s->col, -EINVAL, "'%c' inside a number", xlcfg_scan_peek(s));
	n = (size_t)(s->p - start);
	if (n > 64)
		return xlcfg_scan_fail(s, a->line, a->col, -EINVAL, "number longer than 64 digits");
	if (!(a->text = strndup(start, n)))
		return xlcfg_scan_fail(s, a->line, a->col, -ENOMEM, "out of memory");
	return 0;
}

int xlcfg_scan_atom(struct xlcfg_scan *s, struct xlcfg_atom *a)
{
	int c = xlcfg_scan_peek(s);

	a->line = s->line;
	a->col = s->col;
	if (c == '"' || c == '\'')
		return scan_string(s, a);
	if (c >= '0' && c <= '9')
		return scan_number(s, a);
	if (c == -1 || c == '\n' || c == ';')
		return xlcfg_scan_fail(s, s->line, s->col, -EINVAL, "a value is missing");
	if (c == '[')
		return xlcfg_scan_fail(s, s->line, s->col, -EINVAL, "a list inside a list");
	if (xlcfg_scan_is_key_start(c))
		return xlcfg_scan_fail(s, s->line, s->col, -EINVAL,
			    "a string needs quotes (\"...\" or '...')");
	return xlcfg_scan_fail(s, s->line, s->col, -EINVAL, "unexpected '%c' where a value belongs", c);
}
