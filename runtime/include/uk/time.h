/*
 * Time, read only through shared_info as on Xen: guest system time from the
 * vCPU's pvclock (vcpu_time_info, with its version protocol), wall-clock time
 * from shared_info's wc_* fields plus system time.
 */
#ifndef UK_TIME_H
#define UK_TIME_H

#include <stdint.h>

#define UK_NSEC_PER_USEC UINT64_C(1000)
#define UK_NSEC_PER_MSEC UINT64_C(1000000)
#define UK_NSEC_PER_SEC UINT64_C(1000000000)

/* Nanoseconds of guest system time since the domain booted; never decreases. */
uint64_t uk_now_ns(void);
/* The deadline ns from now, saturating instead of wrapping past 2^64. */
static inline uint64_t uk_deadline_after(uint64_t ns)
{
	uint64_t now = uk_now_ns();
	return ns > UINT64_MAX - now ? UINT64_MAX : now + ns;
}
/* Nanoseconds since the Unix epoch (UTC). */
uint64_t uk_wallclock_ns(void);

#endif
