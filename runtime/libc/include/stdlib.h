/* Freestanding <stdlib.h>: number parsing only; memory comes from uk_malloc. */
#ifndef UK_LIBC_STDLIB_H
#define UK_LIBC_STDLIB_H

#include <stddef.h>

long strtol(const char *restrict s, char **restrict end, int base);
unsigned long strtoul(const char *restrict s, char **restrict end, int base);
long long strtoll(const char *restrict s, char **restrict end, int base);
unsigned long long strtoull(const char *restrict s, char **restrict end, int base);

#endif
