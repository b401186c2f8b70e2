/*
 * What the Xen ABI fixes and Xen's public headers leave to their includer,
 * defined once for the simulator's side of the boundary (host code: sim/,
 * hypercall_shim/, tests). The guest's side has its own
 * (runtime/include/uk/alloc.h's UK_PAGE_SIZE, the barriers in
 * runtime/drivers/include/uk/drivers/ring.h).
 *
 * - The ring barriers <xen/io/ring.h> expects from its includer (for
 *   interface versions >= 0x00030208). One thread and x86: a full fence for
 *   mb, acquire/release fences (which keep the compiler from reordering) for
 *   rmb/wmb. Include this header before any <xen/io/...> ring header.
 * - SIM_PAGE_SIZE: Xen's page, 4 KiB whatever the host's
 *   (XEN_PAGE_SHIFT, <xen/io/ring.h>).
 */
#ifndef SIM_XEN_ABI_H
#define SIM_XEN_ABI_H

#include <stdint.h>

#define xen_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#include <xen/io/ring.h>

#define SIM_PAGE_SIZE ((uint64_t)1 << XEN_PAGE_SHIFT)

#endif
