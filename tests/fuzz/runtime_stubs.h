/*
 * Host implementations of the runtime functions that the net objects call,
 * for programs that run the stack without a booted guest (net_input_fuzz,
 * tests/robustness/net_corpus): a malloc-backed heap that counts its live
 * blocks, a fake clock that moves only when told (or when a wait reaches
 * its deadline), threads that never run (the caller runs the timers) and
 * wait queues that never block. netif.c's netfront attachment is stubbed
 * out. uk_panic prints and aborts.
 */
#ifndef FUZZ_RUNTIME_STUBS_H
#define FUZZ_RUNTIME_STUBS_H

#include <stdint.h>

/* The fake clock uk_now_ns reads (ns of guest time); starts at 1 s. */
extern uint64_t stub_now_ns;
/* uk_malloc/uk_calloc/uk_realloc(NULL) blocks not yet given to uk_free. */
uint64_t stub_live_blocks(void);
/* Blocks handed out so far. */
uint64_t stub_total_blocks(void);

#endif
