/*
 * Randomness for the guest, one generator for the whole runtime, seeded once
 * at boot from uk_platform_entropy: RDRAND on Xen; in the sim build derived
 * from the simulator's --seed, so that a run under the virtual clock repeats
 * byte for byte and two seeds give two different runs.
 *
 * Not for secrets: the sequence is predictable from its seed. It is what
 * protocols need for identifiers (DHCP xids, TCP initial sequence numbers
 * mixed per RFC 6528, ephemeral ports) and jitter.
 */
#ifndef UK_RANDOM_H
#define UK_RANDOM_H

#include <stddef.h>
#include <stdint.h>

/* 64 random bits. */
uint64_t uk_random_u64(void);
/* 32 random bits. */
uint32_t uk_random_u32(void);
/* A number in [0, bound) without modulo bias; bound 0 gives 0. */
uint64_t uk_random_below(uint64_t bound);
/* Fills buf with len random bytes. */
void uk_random_bytes(void *buf, size_t len);

#endif
