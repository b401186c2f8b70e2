/*
 * The runtime's side of <uk/random.h>: seeding, and the one splitmix64 of
 * the guest side (the sim platform stretches --seed with it).
 */
#ifndef UK_RANDOM_PRIVATE_H
#define UK_RANDOM_PRIVATE_H

#include <stdint.h>

/*
 * Seeds the generator (boot.c, once, from uk_platform_entropy): the same
 * seed gives the same sequence. Before it is called the generator runs as
 * if seeded with 0.
 */
void uk_random_seed(uint64_t seed);
/* Steele, Lea and Flood's splitmix64: advances *state, returns 64 bits. */
uint64_t uk_splitmix64(uint64_t *state);

#endif
