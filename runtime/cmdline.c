/* Splitting the guest command line into argv, with shell-style quoting. */
#include <errno.h>
#include <stdbool.h>

#include "boot_private.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Copies one word starting at *src into *dst (in place), handling quotes. */
static void take_word(char **src, char **dst)
{
	char *s = *src, *d = *dst, quote = 0;

	for (; *s; s++) {
		if (quote) {
			if (*s == quote)
				quote = 0;
			else if (*s == '\\' && quote == '"' && (s[1] == '"' || s[1] == '\\'))
				*d++ = *++s;
			else
				*d++ = *s;
		} else if (*s == '"' || *s == '\'') {
			quote = *s;
		} else if (*s == '\\' && s[1]) {
			*d++ = *++s;
		} else if (is_space(*s)) {
			break;
		} else {
			*d++ = *s;
		}
	}
	*src = *s ? s + 1 : s;
	*dst = d;
}

int uk_cmdline_split(char *cmdline, char **argv, int max_args)
{
	char *src = cmdline, *dst = cmdline;
	int argc = 0;

	for (;;) {
		while (is_space(*src))
			src++;
		if (!*src)
			break;
		if (argc == max_args)
			return -E2BIG;
		argv[argc++] = dst;
		take_word(&src, &dst);
		*dst++ = '\0';
	}
	return argc;
}
