/* Guest RAM and uk_panic for the allocator's host tests (see guest_ram.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "runtime/include/uk/exit.h"
#include "tests/support/guest_ram.h"

/* The runtime's uk_panic, turned into a CMocka assertion failure. */
void uk_panic(const char *fmt, ...)
{
	static char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mock_assert(0, msg, __FILE__, __LINE__);
	abort(); /* not reached: mock_assert leaves through a longjmp */
}

int guest_ram_map(struct guest_ram *ram, size_t bytes)
{
	ram->map_len = bytes + GUEST_RAM_ALIGN;
	ram->map = mmap(NULL, ram->map_len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ram->map == MAP_FAILED) {
		ram->map = NULL;
		return -ENOMEM;
	}
	ram->base = ((uintptr_t)ram->map + GUEST_RAM_ALIGN - 1) & ~(GUEST_RAM_ALIGN - 1);
	return 0;
}

int guest_ram_unmap(struct guest_ram *ram)
{
	int rc = munmap(ram->map, ram->map_len);

	ram->map = NULL;
	return rc;
}

struct uk_mem_stats guest_ram_stats(void)
{
	struct uk_mem_stats s;

	memset(&s, 0xff, sizeof(s));
	uk_mem_stats(&s);
	return s;
}
