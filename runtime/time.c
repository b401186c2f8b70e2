/* Guest time from shared_info: pvclock and the wall clock, as on Xen. */
#include <stdbool.h>

#include "platform/platform.h"
#include "time_private.h"

static struct shared_info *shinfo;
static uint64_t last_now;
/*
 * The pvclock version last_now was read at, when that snapshot had a zero
 * tsc_to_system_mul (time stands still until the next update, as the
 * simulator's virtual clock publishes it); 1 (odd, never a stable version):
 * none. Until the version changes, uk_now_ns is last_now.
 */
static uint32_t still_version = 1;

void uk_time_init(struct shared_info *s)
{
	shinfo = s;
}

uint64_t uk_pvclock_scale(const struct vcpu_time_info *t, uint64_t tsc)
{
	uint64_t delta = tsc - t->tsc_timestamp;

	if (t->tsc_shift < 0)
		delta >>= -t->tsc_shift;
	else
		delta <<= t->tsc_shift;
	return t->system_time + (uint64_t)(((unsigned __int128)delta * t->tsc_to_system_mul) >> 32);
}

/*
 * Xen's seqlock: an odd version or a changed one means an update raced us.
 * Fills snap with a consistent copy and returns its (even) version.
 */
static inline uint32_t pvclock_snapshot(const volatile struct vcpu_time_info *t,
					struct vcpu_time_info *snap)
{
	uint32_t version;

	do {
		version = t->version;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		snap->tsc_timestamp = t->tsc_timestamp;
		snap->system_time = t->system_time;
		snap->tsc_to_system_mul = t->tsc_to_system_mul;
		snap->tsc_shift = t->tsc_shift;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((version & 1) || version != t->version);
	return version;
}

/* The time a snapshot gives now: a still clock (zero multiplier) is its system_time. */
static inline uint64_t pvclock_snapshot_ns(const struct vcpu_time_info *snap)
{
	return snap->tsc_to_system_mul ? uk_pvclock_scale(snap, uk_platform_rdtsc())
				       : snap->system_time;
}

uint64_t uk_pvclock_read(const volatile struct vcpu_time_info *t)
{
	struct vcpu_time_info snap;

	pvclock_snapshot(t, &snap);
	return pvclock_snapshot_ns(&snap);
}

/*
 * The read inline, from one snapshot, whose own version and multiplier say
 * whether to remember it.
 */
uint64_t uk_now_ns(void)
{
	const volatile struct vcpu_time_info *t = &shinfo->vcpu_info[0].time;
	struct vcpu_time_info snap;
	uint32_t version = __atomic_load_n(&t->version, __ATOMIC_ACQUIRE);
	uint64_t now;

	if (version == still_version)
		return last_now;
	version = pvclock_snapshot(t, &snap);
	now = pvclock_snapshot_ns(&snap);
	/* Each update restarts interpolation; never let that step time backwards. */
	if (now < last_now)
		now = last_now;
	last_now = now;
	/* Still time: remembered for the snapshot's version, even and unraced. */
	still_version = snap.tsc_to_system_mul ? 1 : version;
	return now;
}

uint64_t uk_wallclock_ns(void)
{
	volatile struct shared_info *s = shinfo;
	uint64_t sec, nsec;
	uint32_t version;

	do {
		version = s->wc_version;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		sec = ((uint64_t)s->wc_sec_hi << 32) | s->wc_sec;
		nsec = s->wc_nsec;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((version & 1) || version != s->wc_version);
	return sec * UK_NSEC_PER_SEC + nsec + uk_now_ns();
}
