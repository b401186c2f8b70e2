/*
 * Proof that the heap's valgrind annotations work: run under memcheck, each
 * mode makes one mistake inside the guest heap (in mmap'd "guest RAM") that
 * memcheck must report. CTest checks for memcheck's message.
 *
 *   use-after-free  reads a freed uk_malloc block   -> "Invalid read"
 *   overrun         writes one byte past a block    -> "Invalid write"
 *   leak            drops the only pointer to one   -> "definitely lost"
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "runtime/alloc_private.h"
#include "runtime/include/uk/exit.h"

#define RAM_BYTES (8UL << 20)

/* A read must be used, or valgrind's JIT drops it before memcheck sees it. */
static volatile unsigned char sink;

void uk_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("PANIC: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

static int use_after_free(void)
{
	volatile unsigned char *p = uk_malloc(32);
	void *keep = uk_malloc(32); /* keeps the slab (and p's slot) in the heap */

	p[0] = 7;
	uk_free((void *)p);
	sink = p[0];
	uk_free(keep);
	return 0;
}

static int overrun(void)
{
	volatile unsigned char *p = uk_malloc(24);

	p[24] = 1;
	uk_free((void *)p);
	return 0;
}

/* noinline, and the pointer forgotten: nothing reachable points at it. */
static __attribute__((noinline)) void leak_one(void)
{
	volatile unsigned char *p = uk_malloc(64);

	p[0] = 1;
	p = NULL;
}

static int leak(void)
{
	char clobber[256];

	leak_one();
	/* Overwrite stack and registers that may still hold the pointer. */
	memset(clobber, 0, sizeof(clobber));
	__asm__ volatile("" : : "r"(clobber) : "memory");
	return 0;
}

int main(int argc, char **argv)
{
	void *ram = mmap(NULL, RAM_BYTES, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (ram == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	uk_page_add_region((uintptr_t)ram, (uintptr_t)ram + RAM_BYTES);
	if (argc == 2 && !strcmp(argv[1], "use-after-free"))
		return use_after_free();
	if (argc == 2 && !strcmp(argv[1], "overrun"))
		return overrun();
	if (argc == 2 && !strcmp(argv[1], "leak"))
		return leak();
	fprintf(stderr, "usage: %s use-after-free|overrun|leak\n", argv[0]);
	return 2;
}
