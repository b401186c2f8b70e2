/* Time's runtime-internal side (runtime/time.c): the pvclock and where time comes from. */
#ifndef UK_TIME_PRIVATE_H
#define UK_TIME_PRIVATE_H

#include <stdint.h>
#include <xen/xen.h>

#include "include/uk/time.h"

/*
 * The pvclock formula on one consistent snapshot of t, for a TSC reading tsc.
 * Exposed for tests; uk_now_ns is this with the version protocol around it.
 */
uint64_t uk_pvclock_scale(const struct vcpu_time_info *t, uint64_t tsc);
/* One consistent read of t (retries while Xen is updating it). */
uint64_t uk_pvclock_read(const volatile struct vcpu_time_info *t);

/* Where time comes from: vCPU 0's vcpu_time_info and the wc_* fields of s. */
void uk_time_init(struct shared_info *s);

#endif
