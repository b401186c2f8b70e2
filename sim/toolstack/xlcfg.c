/*
 * The grammar of xl.cfg(5) (xlcfg.h): settings and lists, parsed by recursive
 * descent on the scanner of xlcfg_scan.c, reading what libxlu's parser reads
 * (libxlu_cfg_y.y), with a line and column in every error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/toolstack/xlcfg_scan.h"

/* A block of strings made while mapping, freed with the config. */
struct xlcfg_chunk {
	struct xlcfg_chunk *next;
	char text[];
};

static void atoms_free(struct xlcfg_atom *items, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		free(items[i].text);
	free(items);
}

/* [ VALUE, VALUE, ... ], newlines allowed, a trailing comma allowed. */
static int scan_list(struct xlcfg_scan *s, struct xlcfg_setting *set)
{
	unsigned int line = s->line, col = s->col;

	xlcfg_scan_advance(s);
	set->kind = XLCFG_LIST;
	set->items = NULL;
	set->nr_items = 0;
	for (;;) {
		xlcfg_scan_space(s, true);
		if (xlcfg_scan_peek(s) == ']')
			break;
		if (xlcfg_scan_peek(s) == -1)
			return xlcfg_scan_fail(s, line, col, -EINVAL, "list not closed with ']'");
		if (set->nr_items == XLCFG_MAX_ITEMS)
			return xlcfg_scan_fail(s, s->line, s->col, -EINVAL, "a list of more than %u items",
				    XLCFG_MAX_ITEMS);
		if (set->nr_items % 16 == 0) {
			struct xlcfg_atom *more = realloc(set->items,
						   (set->nr_items + 16) * sizeof(*more));
			if (!more)
				return xlcfg_scan_fail(s, line, col, -ENOMEM, "out of memory");
			set->items = more;
		}
		if (xlcfg_scan_atom(s, &set->items[set->nr_items]) < 0)
			return s->rc;
		set->nr_items++;
		xlcfg_scan_space(s, true);
		if (xlcfg_scan_peek(s) == ',')
			xlcfg_scan_advance(s);
		else if (xlcfg_scan_peek(s) != ']' && xlcfg_scan_peek(s) != -1)
			return xlcfg_scan_fail(s, s->line, s->col, -EINVAL, "expected ',' or ']' in a list");
	}
	xlcfg_scan_advance(s);
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
static int append_items(struct xlcfg_scan *s, struct xlcfg_setting *old, struct xlcfg_setting *set)
{
	unsigned int n = old->nr_items + set->nr_items;
	struct xlcfg_atom *items;

	if (old->kind != XLCFG_LIST)
		return xlcfg_scan_fail(s, set->line, set->col, -EINVAL, "'+=' on %s, set at line %u to a "
			    "single value", set->key, old->line);
	if (n > XLCFG_MAX_ITEMS)
		return xlcfg_scan_fail(s, set->line, set->col, -EINVAL, "a list of more than %u items",
			    XLCFG_MAX_ITEMS);
	if (!(items = realloc(old->items, (n ? n : 1) * sizeof(*items))))
		return xlcfg_scan_fail(s, set->line, set->col, -ENOMEM, "out of memory");
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
static int store(struct xlcfg_scan *s, struct xlcfg_setting *set, bool append)
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
		return xlcfg_scan_fail(s, set->line, set->col, -EINVAL, "more than %u settings",
			    XLCFG_MAX_SETTINGS);
	if (c->nr_settings % 32 == 0) {
		struct xlcfg_setting *more = realloc(c->settings,
						     (c->nr_settings + 32) * sizeof(*more));
		if (!more)
			return xlcfg_scan_fail(s, set->line, set->col, -ENOMEM, "out of memory");
		c->settings = more;
	}
	c->settings[c->nr_settings++] = *set;
	return 0;
}

static int scan_key(struct xlcfg_scan *s, struct xlcfg_setting *set)
{
	const char *start = s->p;

	set->line = s->line;
	set->col = s->col;
	if (!xlcfg_scan_is_key_start(xlcfg_scan_peek(s)))
		return xlcfg_scan_fail(s, s->line, s->col, -EINVAL, xlcfg_scan_peek(s) >= 0x20 && xlcfg_scan_peek(s) < 0x7f ?
			    "expected a key, not '%c'" : "expected a key, not byte 0x%02x",
			    xlcfg_scan_peek(s));
	while (xlcfg_scan_is_key_char(xlcfg_scan_peek(s)))
		xlcfg_scan_advance(s);
	if (s->p - start > 128)
		return xlcfg_scan_fail(s, set->line, set->col, -EINVAL, "a key longer than 128 bytes");
	if (!(set->key = strndup(start, (size_t)(s->p - start))))
		return xlcfg_scan_fail(s, set->line, set->col, -ENOMEM, "out of memory");
	return 0;
}

/* KEY = VALUE or KEY += [...], then the end of the setting. */
static int scan_setting(struct xlcfg_scan *s)
{
	struct xlcfg_setting set = { 0 };
	bool append = false;
	int c;

	if (scan_key(s, &set) < 0)
		goto out;
	xlcfg_scan_space(s, false);
	if (xlcfg_scan_peek(s) == '+' && s->p + 1 < s->end && s->p[1] == '=') {
		append = true;
		xlcfg_scan_advance(s);
	} else if (xlcfg_scan_peek(s) != '=') {
		xlcfg_scan_fail(s, s->line, s->col, -EINVAL, "expected '=' after %s", set.key);
		goto out;
	}
	xlcfg_scan_advance(s);
	xlcfg_scan_space(s, false);
	if (xlcfg_scan_peek(s) == '[') {
		if (scan_list(s, &set) < 0)
			goto out;
	} else {
		if (xlcfg_scan_atom(s, &set.value) < 0)
			goto out;
		set.kind = set.value.kind;
	}
	if (append && set.kind != XLCFG_LIST) {
		xlcfg_scan_fail(s, set.line, set.col, -EINVAL, "'+=' takes a list");
		goto out;
	}
	xlcfg_scan_space(s, false);
	c = xlcfg_scan_peek(s);
	if (c != -1 && c != '\n' && c != ';') {
		xlcfg_scan_fail(s, s->line, s->col, -EINVAL, "expected the end of the line or ';' after "
		     "the value of %s", set.key);
		goto out;
	}
	if (c != -1)
		xlcfg_scan_advance(s);
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
	struct xlcfg_scan s = { .p = text, .end = text + len, .line = 1, .col = 1,
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
			xlcfg_scan_advance(&s);
		xlcfg_scan_fail(&s, s.line, s.col, -EINVAL, "a NUL byte: not a text file");
	}
	while (!s.rc) {
		xlcfg_scan_space(&s, false);
		if (xlcfg_scan_peek(&s) == -1)
			break;
		if (xlcfg_scan_peek(&s) == '\n' || xlcfg_scan_peek(&s) == ';')
			xlcfg_scan_advance(&s);
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
