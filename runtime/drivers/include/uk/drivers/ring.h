/*
 * Xen's shared rings (<xen/io/ring.h>) for the frontends, with what that
 * header leaves to its includer: the barriers xen_mb, xen_rmb and xen_wmb
 * (for interface versions >= 0x00030208) and memset/memcpy. Defined once
 * for the guest's side of the boundary; include this before any
 * <xen/io/...> ring header (netif.h, blkif.h).
 *
 * x86: a full fence for mb; acquire/release fences, which keep the
 * compiler from reordering, for rmb/wmb (Linux's virt_mb / virt_rmb /
 * virt_wmb on x86). A test that also includes the simulator's
 * sim/xen_abi.h gets that header's identical definitions.
 *
 * A driver header (runtime/drivers/include): applications do not see it.
 */
#ifndef UK_DRIVERS_RING_H
#define UK_DRIVERS_RING_H

#include <string.h> /* memset/memcpy for <xen/io/ring.h> */
#include <xen/xen.h>

#ifndef xen_mb
#define xen_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif
#ifndef xen_rmb
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#endif
#ifndef xen_wmb
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#endif

#include <xen/io/ring.h>

#endif
