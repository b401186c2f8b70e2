/*
 * xl.cfg files: the grammar of xl.cfg(5), as libxlu's parser reads it
 * (tools/libs/util/libxlu_cfg_l.l and libxlu_cfg_y.y in Xen), and what a
 * file says about a domain, mapped onto the toolstack's configuration
 * (xlcfg_apply.c).
 *
 * Grammar. A file is a sequence of settings, one per line or separated by
 * ';':
 *   KEY = VALUE         KEY is [A-Za-z_][A-Za-z0-9_.]*
 *   KEY += [ ... ]      appends to a list set before (or sets it)
 * VALUE is a string ("..." or '...', with C's backslash escapes \n \t \\
 * \" \' \xHH \OOO), a number (decimal or 0x hex, kept as written) or a list
 * [ VALUE, VALUE, ... ] of strings and numbers, which may span lines and end
 * with a comma. '#' starts a comment to the end of the line; a backslash at
 * the end of a line joins it to the next (as the Python configs of xm did).
 * A key set twice keeps its last value, as libxlu's lookup finds it.
 *
 * Every error is one line "FILE:LINE:COLUMN: what" (columns count bytes
 * from 1), and nothing is kept from a file with an error.
 */
#ifndef SIM_TOOLSTACK_XLCFG_H
#define SIM_TOOLSTACK_XLCFG_H

#include <stdbool.h>
#include <stddef.h>

#define XLCFG_MAX_FILE (1u << 20)  /* bytes: a domain config, not a data file */
#define XLCFG_MAX_STRING 4096      /* bytes of one string, after escapes */
#define XLCFG_MAX_SETTINGS 512
#define XLCFG_MAX_ITEMS 256        /* of one list */

enum xlcfg_kind { XLCFG_STRING, XLCFG_NUMBER, XLCFG_LIST };

/* A string or number, where it was written. */
struct xlcfg_atom {
	enum xlcfg_kind kind; /* XLCFG_STRING or XLCFG_NUMBER */
	char *text;           /* the string after escapes, or the number as written */
	unsigned int line, col;
};

struct xlcfg_setting {
	char *key;
	unsigned int line, col;          /* of the key */
	enum xlcfg_kind kind;
	struct xlcfg_atom value;         /* STRING, NUMBER */
	struct xlcfg_atom *items;        /* LIST */
	unsigned int nr_items;
	bool used;                       /* looked up by the mapping (xlcfg_apply) */
};

struct xlcfg {
	char *filename;                  /* for messages */
	struct xlcfg_setting *settings;  /* in file order, a key at most once */
	unsigned int nr_settings;
	struct xlcfg_chunk *chunks;      /* strings made while mapping (xlcfg_strdup) */
};

/*
 * Parses text (len bytes, no NUL inside) named filename in messages.
 * Returns 0 and *out, or -EINVAL (-ENOMEM, -EFBIG) after writing one line
 * into err.
 */
int xlcfg_parse(const char *text, size_t len, const char *filename, struct xlcfg **out,
		char *err, size_t errlen);
/* Reads and parses the file at path. Returns as xlcfg_parse (or -errno of the read). */
int xlcfg_load(const char *path, struct xlcfg **out, char *err, size_t errlen);
void xlcfg_free(struct xlcfg *c);

/* The setting of key, or NULL; marks it used. */
struct xlcfg_setting *xlcfg_find(struct xlcfg *c, const char *key);
/* A copy of s that lives as long as c, or NULL when out of memory. */
char *xlcfg_strdup(struct xlcfg *c, const char *s);

#endif
