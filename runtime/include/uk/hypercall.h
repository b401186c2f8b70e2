/*
 * The Xen hypercalls the runtime makes, with Xen's own names and argument
 * conventions. On Xen they trap through the hypercall page
 * (runtime/platform/xen); in the simulator each is a trampoline to the
 * C function shim_<op> in hypercall_shim/, run on the simulator's own stack
 * (hypercall_shim/stack_switch.S). Each returns 0 (or a non-negative
 * result) or a negative Xen error number.
 */
#ifndef UK_HYPERCALL_H
#define UK_HYPERCALL_H

#include <stdint.h>
#include <xen/xen.h>

long HYPERVISOR_sched_op(int cmd, void *arg);
long HYPERVISOR_set_timer_op(uint64_t timeout);
long HYPERVISOR_event_channel_op(int cmd, void *arg);
long HYPERVISOR_hvm_op(int op, void *arg);
long HYPERVISOR_memory_op(unsigned int cmd, void *arg);
long HYPERVISOR_xen_version(int cmd, void *arg);
long HYPERVISOR_console_io(int cmd, int count, char *str);
long HYPERVISOR_vcpu_op(int cmd, unsigned int vcpuid, void *extra_args);
long HYPERVISOR_grant_table_op(unsigned int cmd, void *uop, unsigned int count);

/* HVMOP_get_param on this domain (HVM_PARAM_*): 0 and *value, or a negative error. */
int uk_hvm_get_param(uint32_t index, uint64_t *value);

#endif
