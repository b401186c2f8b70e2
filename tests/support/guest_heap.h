/*
 * For tests running inside a booted guest: that a test leaves no block of
 * the guest heap behind (uk_mem_stats), counted once the xenbus thread has
 * finished the callbacks in progress (a watch firing frees its event).
 */
#ifndef TESTS_SUPPORT_GUEST_HEAP_H
#define TESTS_SUPPORT_GUEST_HEAP_H

#include <stddef.h>

/* The guest heap's blocks in use, after 10 ms of guest time for the xenbus thread. */
size_t guest_heap_blocks_settled(void);
/* 0, or -1 with a CMocka error line when the heap has other than before blocks. */
int guest_heap_check(size_t before);

#endif
