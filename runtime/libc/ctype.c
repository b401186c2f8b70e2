/*
 * <ctype.h> for the xen build: the C locale (ASCII). Bytes 0x80-0xff, EOF
 * and any other value outside 0..127 belong to no class and are returned
 * unchanged by toupper/tolower. The classifiers return 1 or 0 (glibc
 * returns some nonzero value for true).
 */
#include <ctype.h>

int isdigit(int c)
{
	return c >= '0' && c <= '9';
}

int isupper(int c)
{
	return c >= 'A' && c <= 'Z';
}

int islower(int c)
{
	return c >= 'a' && c <= 'z';
}

int isalpha(int c)
{
	return isupper(c) || islower(c);
}

int isalnum(int c)
{
	return isalpha(c) || isdigit(c);
}

int isxdigit(int c)
{
	return isdigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* ' ', '\t', '\n', '\v', '\f', '\r' */
int isspace(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Space through '~'. */
int isprint(int c)
{
	return c >= ' ' && c <= '~';
}

int toupper(int c)
{
	return islower(c) ? c - 'a' + 'A' : c;
}

int tolower(int c)
{
	return isupper(c) ? c - 'A' + 'a' : c;
}
