/*
 * The grammar of xl.cfg(5) (xlcfg.h): a hand-written scanner and
 * recursive-descent parser reading what libxlu's flex/bison parser reads
 * (libxlu_cfg_l.l, libxlu_cfg_y.y), with a line and column in every error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/toolstack/xlcfg.h"

/* A block of strings made while mapping, freed with the config. */
struct xlcfg_chunk {
	struct xlcfg_chunk *next;
	char text[];
};

struct scanner {
	const char *p, *end;
	unsigned int line, col;
	struct xlcfg *cfg;
	char *err;
	size_t errlen;
	int rc;                 /* the first error, or 0 */
};

static int fail(struct scanner *s, unsigned int line, unsigned int col, int rc,
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

static int peek(const struct scanner *s)
{
	return s->p < s->end ? (unsigned char)*s->p : -1;
}

static void advance(struct scanner *s)
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
static void skip_space(struct scanner *s, bool nl_ok)
{
	for (;;) {
		int c = peek(s);

		if (c == ' ' || c == '\t' || c == '\r' || (c == '\n' && nl_ok)) {
			advance(s);
		} else if (c == '#') {
			while (peek(s) != -1 && peek(s) != '\n')
				advance(s);
		} else if (c == '\\' && s->p + 1 < s->end &&
			   (s->p[1] == '\n' || (s->p[1] == '\r' && s->p + 2 < s->end &&
						s->p[2] == '\n'))) {
			while (peek(s) != '\n')
				advance(s);
			advance(s);
		} else {
			return;
		}
	}
}

static bool is_key_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_key_char(int c)
{
	return is_key_start(c) || (c >= '0' && c <= '9') || c == '.';
}

static int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One escape after the backslash (xlu__cfgl_dequote): appends its byte to out. */
static int scan_escape(struct scanner *s, char *out, size_t *n)
{
	unsigned int line = s->line, col = s->col - 1;
	int c = peek(s), v = 0, digits = 0;
	static const char plain[] = "nrtvbfa\\'\"", value[] = "\n\r\t\v\b\f\a\\'\"";
	const char *k;

	if (c == -1 || c == '\n')
		return fail(s, line, col, -EINVAL, "a backslash ends the line inside a string");
	if (c == 'x') {
		advance(s);
		for (; digits < 2 && hex_digit(peek(s)) >= 0; digits++, advance(s))
			v = v * 16 + hex_digit(peek(s));
		if (!digits)
			return fail(s, line, col, -EINVAL, "\\x needs a hex digit");
	} else if (c >= '0' && c <= '7') {
		for (; digits < 3 && peek(s) >= '0' && peek(s) <= '7'; digits++, advance(s))
			v = v * 8 + (peek(s) - '0');
		if (v > 255)
			return fail(s, line, col, -EINVAL, "octal escape over \\377");
	} else if ((k = strchr(plain, c)) && c) {
		advance(s);
		v = (unsigned char)value[k - plain];
	} else {
		return fail(s, line, col, -EINVAL, "unknown escape \\%c in a string", c);
	}
	if (v == 0)
		return fail(s, line, col, -EINVAL, "a string may not hold a NUL byte");
	out[(*n)++] = (char)v;
	return 0;
}

static int scan_string(struct scanner *s, struct xlcfg_atom *a)
{
	char quote = (char)peek(s), *out;
	size_t n = 0;
	int c;

	a->kind = XLCFG_STRING;
	if (!(out = malloc(XLCFG_MAX_STRING + 1)))
		return fail(s, a->line, a->col, -ENOMEM, "out of memory");
	advance(s);
	while ((c = peek(s)) != quote) {
		if (c == -1 || c == '\n') {
			free(out);
			return fail(s, a->line, a->col, -EINVAL, "string not closed on its line");
		}
		if (n == XLCFG_MAX_STRING) {
			free(out);
			return fail(s, a->line, a->col, -EINVAL, "string longer than %u bytes",
				    XLCFG_MAX_STRING);
		}
		advance(s);
		if (c == '\\' && scan_escape(s, out, &n) < 0) {
			free(out);
			return s->rc;
		} else if (c != '\\') {
			out[n++] = (char)c;
		}
	}
	advance(s);
	out[n] = '\0';
	a->text = out;
	return 0;
}

/* A number as libxlu's scanner takes it: decimal digits, or 0x and hex digits. */
static int scan_number(struct scanner *s, struct xlcfg_atom *a)
{
	const char *start = s->p;
	size_t n;

	a->kind = XLCFG_NUMBER;
	if (peek(s) == '0' && s->p + 1 < s->end && (s->p[1] == 'x' || s->p[1] == 'X')) {
		advance(s);
		advance(s);
		if (hex_digit(peek(s)) < 0)
			return fail(s, a->line, a->col, -EINVAL, "0x needs hex digits");
		while (hex_digit(peek(s)) >= 0)
			advance(s);
	} else {
		while (peek(s) >= '0' && peek(s) <= '9')
			advance(s);
	}
	if (is_key_char(peek(s)))
		return fail(s, s->line, s->col, -EINVAL, "'%c' inside a number", peek(s));
	n = (size_t)(s->p - start);
	if (n > 64)
		return fail(s, a->line, a->col, -EINVAL, "number longer than 64 digits");
	if (!(a->text = strndup(start, n)))
		return fail(s, a->line, a->col, -ENOMEM, "out of memory");
	return 0;
}

static int scan_atom(struct scanner *s, struct xlcfg_atom *a)
{
	int c = peek(s);

	a->line = s->line;
	a->col = s->col;
	if (c == '"' || c == '\'')
		return scan_string(s, a);
	if (c >= '0' && c <= '9')
		return scan_number(s, a);
	if (c == -1 || c == '\n' || c == ';')
		return fail(s, s->line, s->col, -EINVAL, "a value is missing");
	if (c == '[')
		return fail(s, s->line, s->col, -EINVAL, "a list inside a list");
	if (is_key_start(c))
		return fail(s, s->line, s->col, -EINVAL,
			    "a string needs quotes (\"...\" or '...')");
	return fail(s, s->line, s->col, -EINVAL, "unexpected '%c' where a value belongs", c);
}

static void atoms_free(struct xlcfg_atom *items, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		free(items[i].text);
	free(items);
}

/* [ VALUE, VALUE, ... ], newlines allowed, a trailing comma allowed. */
static int scan_list(struct scanner *s, struct xlcfg_setting *set)
{
	unsigned int line = s->line, col = s->col;

	advance(s);
	set->kind = XLCFG_LIST;
	set->items = NULL;
	set->nr_items = 0;
	for (;;) {
		skip_space(s, true);
		if (peek(s) == ']')
			break;
		if (peek(s) == -1)
			return fail(s, line, col, -EINVAL, "list not closed with ']'");
		if (set->nr_items == XLCFG_MAX_ITEMS)
			return fail(s, s->line, s->col, -EINVAL, "a list of more than %u items",
				    XLCFG_MAX_ITEMS);
		if (set->nr_items % 16 == 0) {
			struct xlcfg_atom *more = realloc(set->items,
						   (set->nr_items + 16) * sizeof(*more));
			if (!more)
				return fail(s, line, col, -ENOMEM, "out of memory");
			set->items = more;
		}
		if (scan_atom(s, &set->items[set->nr_items]) < 0)
			return s->rc;
		set->nr_items++;
		skip_space(s, true);
		if (peek(s) == ',')
			advance(s);
		else if (peek(s) != ']' && peek(s) != -1)
			return fail(s, s->line, s->col, -EINVAL, "expected ',' or ']' in a list");
	}
	advance(s);
	return 0;
}

static void setting_clear(struct xlcfg_setting *set)
{
	free(set->key);
	free(set->value.text);
	atoms_free(set->items, set->nr_items);
	memset(set, 0, sizeof(*set));
}

static struct xlcfg_setting *lookup(struct xlcfg *c, const char *key)
{
	for (unsigned int i = 0; i < c->nr_settings; i++)
		if (!strcmp(c->settings[i].key, key))
			return &c->settings[i];
	return NULL;
}

/* KEY += [...]: the new items go after old's (libxlu's xlu__cfg_set_add). */
static int append_items(struct scanner *s, struct xlcfg_setting *old, struct xlcfg_setting *set)
{
	unsigned int n = old->nr_items + set->nr_items;
	struct xlcfg_atom *items;

	if (old->kind != XLCFG_LIST)
		return fail(s, set->line, set->col, -EINVAL, "'+=' on %s, set at line %u to a "
			    "single value", set->key, old->line);
	if (n > XLCFG_MAX_ITEMS)
		return fail(s, set->line, set->col, -EINVAL, "a list of more than %u items",
			    XLCFG_MAX_ITEMS);
	if (!(items = realloc(old->items, (n ? n : 1) * sizeof(*items))))
		return fail(s, set->line, set->col, -ENOMEM, "out of memory");
	if (set->nr_items) /* x += [] has no items to copy */
		memcpy(items + old->nr_items, set->items, set->nr_items * sizeof(*items));
	old->items = items;
	old->nr_items = n;
	free(set->items);
	set->items = NULL;
	set->nr_items = 0;
	setting_clear(set);
	return 0;
}

/* Stores set: replacing a setting of the same key, or appending to it for '+='. */
static int store(struct scanner *s, struct xlcfg_setting *set, bool append)
{
	struct xlcfg *c = s->cfg;
	struct xlcfg_setting *old = lookup(c, set->key);

	if (old && append)
		return append_items(s, old, set);
	if (old) {
		setting_clear(old);
		*old = *set;
		return 0;
	}
	if (c->nr_settings == XLCFG_MAX_SETTINGS)
		return fail(s, set->line, set->col, -EINVAL, "more than %u settings",
			    XLCFG_MAX_SETTINGS);
	if (c->nr_settings % 32 == 0) {
		struct xlcfg_setting *more = realloc(c->settings,
						     (c->nr_settings + 32) * sizeof(*more));
		if (!more)
			return fail(s, set->line, set->col, -ENOMEM, "out of memory");
		c->settings = more;
	}
	c->settings[c->nr_settings++] = *set;
	return 0;
}

static int scan_key(struct scanner *s, struct xlcfg_setting *set)
{
	const char *start = s->p;

	set->line = s->line;
	set->col = s->col;
	if (!is_key_start(peek(s)))
		return fail(s, s->line, s->col, -EINVAL, peek(s) >= 0x20 && peek(s) < 0x7f ?
			    "expected a key, not '%c'" : "expected a key, not byte 0x%02x",
			    peek(s));
	while (is_key_char(peek(s)))
		advance(s);
	if (s->p - start > 128)
		return fail(s, set->line, set->col, -EINVAL, "a key longer than 128 bytes");
	if (!(set->key = strndup(start, (size_t)(s->p - start))))
		return fail(s, set->line, set->col, -ENOMEM, "out of memory");
	return 0;
}

/* KEY = VALUE or KEY += [...], then the end of the setting. */
static int scan_setting(struct scanner *s)
{
	struct xlcfg_setting set = { 0 };
	bool append = false;
	int c;

	if (scan_key(s, &set) < 0)
		goto out;
	skip_space(s, false);
	if (peek(s) == '+' && s->p + 1 < s->end && s->p[1] == '=') {
		append = true;
		advance(s);
	} else if (peek(s) != '=') {
		fail(s, s->line, s->col, -EINVAL, "expected '=' after %s", set.key);
		goto out;
	}
	advance(s);
	skip_space(s, false);
	if (peek(s) == '[') {
		if (scan_list(s, &set) < 0)
			goto out;
	} else {
		if (scan_atom(s, &set.value) < 0)
			goto out;
		set.kind = set.value.kind;
	}
	if (append && set.kind != XLCFG_LIST) {
		fail(s, set.line, set.col, -EINVAL, "'+=' takes a list");
		goto out;
	}
	skip_space(s, false);
	c = peek(s);
	if (c != -1 && c != '\n' && c != ';') {
		fail(s, s->line, s->col, -EINVAL, "expected the end of the line or ';' after "
		     "the value of %s", set.key);
		goto out;
	}
	if (c != -1)
		advance(s);
	if (store(s, &set, append) == 0)
		return 0;
out:
	setting_clear(&set);
	return s->rc;
}

static struct xlcfg *config_new(const char *filename)
{
	struct xlcfg *c = calloc(1, sizeof(*c));

	if (c && !(c->filename = strdup(filename))) {
		free(c);
		return NULL;
	}
	return c;
}

int xlcfg_parse(const char *text, size_t len, const char *filename, struct xlcfg **out,
		char *err, size_t errlen)
{
	struct scanner s = { .p = text, .end = text + len, .line = 1, .col = 1,
			     .err = err, .errlen = errlen };
	const char *nul;

	*out = NULL;
	if (!(s.cfg = config_new(filename))) {
		snprintf(err, errlen, "%s: out of memory", filename);
		return -ENOMEM;
	}
	if (len > XLCFG_MAX_FILE) {
		snprintf(err, errlen, "%s: %zu bytes, more than an xl.cfg has (at most %u)",
			 filename, len, XLCFG_MAX_FILE);
		xlcfg_free(s.cfg);
		return -EFBIG;
	}
	if ((nul = memchr(text, '\0', len))) {
		s.end = nul; /* for the line and column */
		while (s.p < s.end)
			advance(&s);
		fail(&s, s.line, s.col, -EINVAL, "a NUL byte: not a text file");
	}
	while (!s.rc) {
		skip_space(&s, false);
		if (peek(&s) == -1)
			break;
		if (peek(&s) == '\n' || peek(&s) == ';')
			advance(&s);
		else
			scan_setting(&s);
	}
	if (s.rc) {
		xlcfg_free(s.cfg);
		return s.rc;
	}
	*out = s.cfg;
	return 0;
}

/* Reads the whole file, refusing one larger than an xl.cfg could be. */
static int read_file(const char *path, char **text, size_t *len, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, n = 0;
	char *buf = NULL;
	ssize_t r;

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	do {
		char *more = (n == cap || !buf) ? realloc(buf, cap *= 2) : buf;
		if (!more) {
			r = -1;
			errno = ENOMEM;
			break;
		}
		buf = more;
		r = read(fd, buf + n, cap - n);
		n += r > 0 ? (size_t)r : 0;
	} while ((r > 0 || (r < 0 && errno == EINTR)) && n <= XLCFG_MAX_FILE);
	if (r < 0) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		close(fd);
		free(buf);
		return -e;
	}
	close(fd);
	*text = buf;
	*len = n;
	return 0;
}

int xlcfg_load(const char *path, struct xlcfg **out, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if ((rc = read_file(path, &text, &len, err, errlen)) < 0)
		return rc;
	rc = xlcfg_parse(text, len, path, out, err, errlen);
	free(text);
	return rc;
}

void xlcfg_free(struct xlcfg *c)
{
	if (!c)
		return;
	for (unsigned int i = 0; i < c->nr_settings; i++)
		setting_clear(&c->settings[i]);
	free(c->settings);
	while (c->chunks) {
		struct xlcfg_chunk *next = c->chunks->next;
		free(c->chunks);
		c->chunks = next;
	}
	free(c->filename);
	free(c);
}

struct xlcfg_setting *xlcfg_find(struct xlcfg *c, const char *key)
{
	struct xlcfg_setting *set = lookup(c, key);

	if (set)
		set->used = true;
	return set;
}

char *xlcfg_strdup(struct xlcfg *c, const char *s)
{
	size_t n = strlen(s) + 1;
	struct xlcfg_chunk *k = malloc(sizeof(*k) + n);

	if (!k)
		return NULL;
	memcpy(k->text, s, n);
	k->next = c->chunks;
	c->chunks = k;
	return k->text;
}
