/*
 * SIM_HOT_INLINE: a step of the per-frame path (grant copy, netback's
 * checks, event delivery) inlined into each caller, whatever the
 * compiler's size heuristics say, so that the caller's constants (one slot,
 * read-only, no GSO) reach it. bench/README.md (bench-udp-cost) records
 * what each one bought; use it only where the count shows a gain.
 */
#ifndef SIM_HOT_H
#define SIM_HOT_H

#define SIM_HOT_INLINE inline __attribute__((always_inline))

#endif
