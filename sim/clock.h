/*
 * The simulator's clocks and how they are published to a guest in
 * vcpu_time_info (pvclock) and the shared_info wall clock.
 *
 * Real clock: system time is the host's CLOCK_MONOTONIC since the simulator
 * started; vcpu_time_info carries a (tsc_timestamp, system_time) pair and the
 * host TSC scale, so the guest interpolates between updates like on Xen.
 * Virtual clock: tsc_to_system_mul = 0, so guest time is exactly
 * system_time, which moves only when the simulator advances it.
 */
#ifndef SIM_CLOCK_H
#define SIM_CLOCK_H

#include <stdint.h>
#include <xen/xen.h>

#include "sim/sim.h"

struct sim_clock {
	enum sim_clock_kind kind;
	uint64_t virtual_now;  /* ns, virtual clock only */
	uint64_t host_start;   /* CLOCK_MONOTONIC ns at creation */
	uint64_t tsc_start;    /* TSC at creation */
	uint64_t wall_base_ns; /* wall clock (ns since the epoch) at system time 0 */
	/* Current TSC -> ns scale, refined as the calibration interval grows. */
	uint32_t mul;
	int8_t shift;
	uint64_t calib_tsc, calib_ns;
};

/* Virtual runs start their wall clock at 2000-01-01T00:00:00Z. */
#define SIM_VIRTUAL_WALLCLOCK_SEC 946684800ULL

void sim_clock_init(struct sim_clock *c, enum sim_clock_kind kind);
/* Real clock: CLOCK_MONOTONIC ns since the clock's creation. */
uint64_t sim_clock_real_now(const struct sim_clock *c);
/* Real clock: sim_clock_real_now, with the TSC read just before it in *tsc. */
uint64_t sim_clock_real_read(const struct sim_clock *c, uint64_t *tsc);

/* Inline: sim_run_until reads it at each pass, the virtual clock is one load. */
static inline uint64_t sim_clock_now(const struct sim_clock *c)
{
	if (c->kind == SIM_CLOCK_VIRTUAL)
		return c->virtual_now;
	return sim_clock_real_now(c);
}

/*
 * sim_clock_now with the TSC read with it (0 under the virtual clock): a
 * reading sim_clock_publish_reading can publish without reading again.
 */
static inline uint64_t sim_clock_read(const struct sim_clock *c, uint64_t *tsc)
{
	if (c->kind == SIM_CLOCK_VIRTUAL) {
		*tsc = 0;
		return c->virtual_now;
	}
	return sim_clock_real_read(c, tsc);
}

/* Virtual clock: moves time forward to t (never backwards). */
static inline void sim_clock_advance_to(struct sim_clock *c, uint64_t t)
{
	if (c->kind == SIM_CLOCK_VIRTUAL && t > c->virtual_now)
		c->virtual_now = t;
}
/* Writes t's current values with the version protocol (odd while writing). */
void sim_clock_publish(struct sim_clock *c, struct vcpu_time_info *t);
/* The scale refined from (tsc, now), then sim_clock_publish_reading. */
void sim_clock_publish_recalibrated(struct sim_clock *c, struct vcpu_time_info *t, uint64_t tsc,
				    uint64_t now);

/* Odd while writing, whatever a stray guest write left there (as Xen does). */
static inline void sim_clock_version_begin(uint32_t *version)
{
	__atomic_store_n(version, (*version + 1) | 1, __ATOMIC_SEQ_CST);
}

static inline void sim_clock_version_end(uint32_t *version)
{
	__atomic_store_n(version, *version + 1, __ATOMIC_SEQ_CST);
}

/* The fields of one update, all of them each time (a stray guest write is overwritten). */
static inline void sim_clock_write(struct vcpu_time_info *t, uint64_t tsc, uint64_t now,
				   uint32_t mul, int8_t shift, uint8_t flags)
{
	sim_clock_version_begin(&t->version);
	t->tsc_timestamp = tsc;
	t->system_time = now;
	t->tsc_to_system_mul = mul;
	t->tsc_shift = shift;
	t->flags = flags;
	sim_clock_version_end(&t->version);
}

/*
 * sim_clock_publish of a reading sim_clock_read made (the pair the guest
 * extrapolates from with the TSC); the virtual clock publishes its time now.
 * Inline: sim_run_until publishes at each guest wake-up.
 */
static inline void sim_clock_publish_reading(struct sim_clock *c, struct vcpu_time_info *t,
					     uint64_t tsc, uint64_t now)
{
	if (c->kind != SIM_CLOCK_REAL) {
		sim_clock_write(t, 0, c->virtual_now, 0, 0, 0);
		return;
	}
	/* Refine the scale each time the measured interval has doubled. */
	if (now > 2 * (c->calib_ns - c->host_start)) {
		sim_clock_publish_recalibrated(c, t, tsc, now);
		return;
	}
	sim_clock_write(t, tsc, now, c->mul, c->shift, XEN_PVCLOCK_TSC_STABLE_BIT);
}
/* Writes the wall clock fields of s with the version protocol. */
void sim_clock_publish_wallclock(struct sim_clock *c, struct shared_info *s);
/* Computes mul/shift so that ns = ((tsc << shift) * mul) >> 32 for freq_hz. */
void sim_clock_scale_for(uint64_t freq_hz, uint32_t *mul, int8_t *shift);

#endif
