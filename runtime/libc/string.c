/*
 * <string.h> for the xen build: memory and string functions with their C11
 * semantics. Plain C, byte at a time, except that memcpy, memmove and
 * memset move a machine word at a time once source and destination are
 * aligned alike. strstr is the simple O(n*m) search.
 *
 * GCC recognises a copy or fill loop and replaces it with a call to
 * memcpy/memset ("loop distribution"), even with -ffreestanding; inside
 * memcpy and memset that call would be to the function itself. Every
 * function in this file therefore carries
 * __attribute__((optimize("no-tree-loop-distribute-patterns"))), which is
 * the same as compiling the file with -fno-tree-loop-distribute-patterns,
 * so the file is safe whatever flags the build passes. (Clang does not
 * rewrite loops in functions named memcpy/memset, nor at all with
 * -ffreestanding, which implies -fno-builtin.)
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__) && !defined(__clang__)
#define NO_LIBCALL_LOOPS __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define NO_LIBCALL_LOOPS
#endif

/* A machine word that may alias any object, for the word-at-a-time loops. */
typedef unsigned long __attribute__((__may_alias__)) word_t;
#define WORD_SIZE sizeof(word_t)
#define WORD_MASK ((uintptr_t)WORD_SIZE - 1)

static NO_LIBCALL_LOOPS void copy_forward(unsigned char *d, const unsigned char *s, size_t n)
{
	if ((((uintptr_t)d ^ (uintptr_t)s) & WORD_MASK) == 0) {
		while (n > 0 && ((uintptr_t)d & WORD_MASK) != 0) {
			*d++ = *s++;
			n--;
		}
		while (n >= WORD_SIZE) {
			*(word_t *)d = *(const word_t *)s;
			d += WORD_SIZE;
			s += WORD_SIZE;
			n -= WORD_SIZE;
		}
	}
	while (n > 0) {
		*d++ = *s++;
		n--;
	}
}

/* Copies n bytes ending just before d_end from those ending before s_end. */
static NO_LIBCALL_LOOPS void copy_backward(unsigned char *d_end, const unsigned char *s_end,
					   size_t n)
{
	unsigned char *d = d_end;
	const unsigned char *s = s_end;

	if ((((uintptr_t)d ^ (uintptr_t)s) & WORD_MASK) == 0) {
		while (n > 0 && ((uintptr_t)d & WORD_MASK) != 0) {
			*--d = *--s;
			n--;
		}
		while (n >= WORD_SIZE) {
			d -= WORD_SIZE;
			s -= WORD_SIZE;
			*(word_t *)d = *(const word_t *)s;
			n -= WORD_SIZE;
		}
	}
	while (n > 0) {
		*--d = *--s;
		n--;
	}
}

NO_LIBCALL_LOOPS void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	copy_forward(dst, src, n);
	return dst;
}

NO_LIBCALL_LOOPS void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/* Forward unless the destination starts inside the source. */
	if ((uintptr_t)d - (uintptr_t)s >= n)
		copy_forward(d, s, n);
	else
		copy_backward(d + n, s + n, n);
	return dst;
}

NO_LIBCALL_LOOPS void *memset(void *s, int c, size_t n)
{
	unsigned char *p = s;
	unsigned char b = (unsigned char)c;
	unsigned long w = b * (~0UL / 0xff); /* b in every byte */

	while (n > 0 && ((uintptr_t)p & WORD_MASK) != 0) {
		*p++ = b;
		n--;
	}
	while (n >= WORD_SIZE) {
		*(word_t *)p = w;
		p += WORD_SIZE;
		n -= WORD_SIZE;
	}
	while (n > 0) {
		*p++ = b;
		n--;
	}
	return s;
}

NO_LIBCALL_LOOPS int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n > 0; n--, x++, y++) {
		if (*x != *y)
			return *x - *y;
	}
	return 0;
}

NO_LIBCALL_LOOPS void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;
	unsigned char b = (unsigned char)c;

	for (; n > 0; n--, p++) {
		if (*p == b)
			return (void *)p;
	}
	return NULL;
}

NO_LIBCALL_LOOPS size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}

NO_LIBCALL_LOOPS size_t strnlen(const char *s, size_t maxlen)
{
	size_t n = 0;

	while (n < maxlen && s[n] != '\0')
		n++;
	return n;
}

/* Both compare as unsigned char, as C11 7.24.4 requires. */
NO_LIBCALL_LOOPS int strcmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	while (*x != '\0' && *x == *y) {
		x++;
		y++;
	}
	return *x - *y;
}

NO_LIBCALL_LOOPS int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	for (; n > 0; n--, x++, y++) {
		if (*x != *y)
			return *x - *y;
		if (*x == '\0')
			return 0;
	}
	return 0;
}

/* c is converted to char; the terminator itself can be found (c == 0). */
NO_LIBCALL_LOOPS char *strchr(const char *s, int c)
{
	char ch = (char)c;

	for (;; s++) {
		if (*s == ch)
			return (char *)s;
		if (*s == '\0')
			return NULL;
	}
}

NO_LIBCALL_LOOPS char *strrchr(const char *s, int c)
{
	char ch = (char)c;
	const char *last = NULL;

	for (;; s++) {
		if (*s == ch)
			last = s;
		if (*s == '\0')
			return (char *)last;
	}
}

NO_LIBCALL_LOOPS char *strstr(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	if (n == 0)
		return (char *)haystack;
	/* strncmp stops at haystack's end: needle has no NUL in its first n. */
	for (; *haystack != '\0'; haystack++) {
		if (*haystack == *needle && strncmp(haystack, needle, n) == 0)
			return (char *)haystack;
	}
	return NULL;
}

NO_LIBCALL_LOOPS size_t strspn(const char *s, const char *accept)
{
	size_t n = 0;

	while (s[n] != '\0' && strchr(accept, s[n]) != NULL)
		n++;
	return n;
}

NO_LIBCALL_LOOPS size_t strcspn(const char *s, const char *reject)
{
	size_t n = 0;

	while (s[n] != '\0' && strchr(reject, s[n]) == NULL)
		n++;
	return n;
}
