/*
 * "Guest RAM" for the host tests of the guest page allocator and heap
 * (tests/unit/alloc_*test.c, which compile runtime/page.c and malloc.c as
 * guest code): an anonymous mapping with a region aligned as Xen's guest
 * RAM is to the allocator's largest block. Linking this file also gives
 * those tests the runtime's uk_panic, as a CMocka assertion failure.
 */
#ifndef TESTS_SUPPORT_GUEST_RAM_H
#define TESTS_SUPPORT_GUEST_RAM_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/include/uk/alloc.h"

/* The allocator's largest block: 2^UK_PAGE_MAX_ORDER pages (4 MiB). */
#define GUEST_RAM_ALIGN ((uintptr_t)UK_PAGE_SIZE << UK_PAGE_MAX_ORDER)

struct guest_ram {
	void *map;
	size_t map_len;
	uintptr_t base;   /* GUEST_RAM_ALIGN aligned, bytes usable from here */
};

/*
 * Maps bytes of guest RAM from an aligned base (MAP_NORESERVE: pages cost
 * nothing until touched). Returns 0, or -ENOMEM when mmap fails.
 */
int guest_ram_map(struct guest_ram *ram, size_t bytes);
int guest_ram_unmap(struct guest_ram *ram);

/* uk_mem_stats now (every field written over a 0xff fill). */
struct uk_mem_stats guest_ram_stats(void);

#endif
