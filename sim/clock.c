/* Real and virtual clocks, and pvclock publication (Xen's version protocol). */
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "sim/clock.h"

#define NSEC_PER_SEC 1000000000ULL
/* Initial TSC calibration against CLOCK_MONOTONIC; refined as time passes. */
#define CALIBRATION_NS 200000ULL

static uint64_t host_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* As Xen's set_time_scale: ns = ((tsc << shift) * mul) >> 32, shift in [-31, 31]. */
void sim_clock_scale_for(uint64_t freq_hz, uint32_t *mul, int8_t *shift)
{
	uint64_t tps = freq_hz ? freq_hz : 1;
	int s = 0;

	while (tps > 2 * NSEC_PER_SEC) {
		tps >>= 1;
		s--;
	}
	while (tps <= NSEC_PER_SEC) {
		tps <<= 1;
		s++;
	}
	/* tps is now in (1e9, 2e9], so the fraction 1e9/tps is below 1. */
	*mul = (uint32_t)((NSEC_PER_SEC << 32) / tps);
	*shift = (int8_t)s;
}

static void recalibrate(struct sim_clock *c, uint64_t tsc, uint64_t ns)
{
	uint64_t dt = tsc - c->tsc_start, dn = ns - c->host_start;

	if (dn == 0 || dt == 0)
		return;
	c->calib_tsc = tsc;
	c->calib_ns = ns;
	sim_clock_scale_for((uint64_t)((unsigned __int128)dt * NSEC_PER_SEC / dn), &c->mul,
			    &c->shift);
}

void sim_clock_init(struct sim_clock *c, enum sim_clock_kind kind)
{
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	if (kind == SIM_CLOCK_VIRTUAL) {
		c->wall_base_ns = SIM_VIRTUAL_WALLCLOCK_SEC * NSEC_PER_SEC;
		return;
	}
	c->host_start = host_ns(CLOCK_MONOTONIC);
	c->tsc_start = __rdtsc();
	c->wall_base_ns = host_ns(CLOCK_REALTIME);
	uint64_t ns;
	while ((ns = host_ns(CLOCK_MONOTONIC)) - c->host_start < CALIBRATION_NS)
		;
	recalibrate(c, __rdtsc(), ns);
}

uint64_t sim_clock_real_now(const struct sim_clock *c)
{
	return host_ns(CLOCK_MONOTONIC) - c->host_start;
}

uint64_t sim_clock_real_read(const struct sim_clock *c, uint64_t *tsc)
{
	*tsc = __rdtsc();
	return host_ns(CLOCK_MONOTONIC) - c->host_start;
}

void sim_clock_publish_recalibrated(struct sim_clock *c, struct vcpu_time_info *t, uint64_t tsc,
				    uint64_t now)
{
	recalibrate(c, tsc, now + c->host_start);
	sim_clock_write(t, tsc, now, c->mul, c->shift, XEN_PVCLOCK_TSC_STABLE_BIT);
}

void sim_clock_publish(struct sim_clock *c, struct vcpu_time_info *t)
{
	uint64_t tsc, now = sim_clock_read(c, &tsc);

	sim_clock_publish_reading(c, t, tsc, now);
}

void sim_clock_publish_wallclock(struct sim_clock *c, struct shared_info *s)
{
	uint64_t sec = c->wall_base_ns / NSEC_PER_SEC;

	sim_clock_version_begin(&s->wc_version);
	s->wc_sec = (uint32_t)sec;
	s->wc_sec_hi = (uint32_t)(sec >> 32);
	s->wc_nsec = (uint32_t)(c->wall_base_ns % NSEC_PER_SEC);
	sim_clock_version_end(&s->wc_version);
}
