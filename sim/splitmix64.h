/*
 * The simulator's one pseudo-random generator: splitmix64 (Steele, Lea and
 * Flood), one 64-bit state and a full-period sequence, so that --seed gives
 * the same UUIDs (sim/toolstack/toolstack.c), impairments
 * (sim/backends/impair.c) and power cuts (sim/backends/blkback_powercut.c)
 * on every host. The guest's side has its own, uk_splitmix64 in runtime/.
 */
#ifndef SIM_SPLITMIX64_H
#define SIM_SPLITMIX64_H

#include <stdint.h>

/* Advances *state; returns its next 64 bits. */
static inline uint64_t sim_splitmix64_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

#endif
