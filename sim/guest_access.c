/*
 * The one check every guest pointer a hypercall follows goes through, as
 * Xen's copy_from_guest / copy_to_guest (raw_copy_from_guest on HVM:
 * hvm_copy_from_guest_linear) fail with -EFAULT on a page that is not the
 * guest's, instead of faulting in the hypervisor.
 *
 * In the sim build a guest pointer is a host pointer. Guest RAM is one
 * mapping and is checked by range, including the hole below SIM_RAM_START
 * where a PC has no RAM. The unikernel's image and its boot stack are the
 * process's own memory, not guest RAM (what on Xen is the guest's kernel
 * image): a pointer outside guest RAM is accepted only inside those ranges
 * (sim/guest_image.c), never into the simulator's heap, libuv or xenstored,
 * and is then probed page by page with process_vm_readv/writev on our own
 * process, which report EFAULT where a plain access would crash (a guard
 * page, read-only data written).
 */
#include <errno.h>
#include <stdint.h>
#include <sys/uio.h>
#include <unistd.h>
#include <xen/errno.h>

#include "sim/domain.h"
#include "sim/guest_image.h"
#include "sim/report.h"
#include "sim/sim_private.h"
#include "sim/xen_abi.h"


/* Where [p, p+len) lies relative to guest RAM. */
enum ram_place { OUTSIDE_RAM, IN_RAM, BAD_RAM };

static enum ram_place ram_place(const struct sim_domain *d, uintptr_t p, size_t len)
{
	uintptr_t lo = (uintptr_t)d->ram, hi = lo + d->ram_bytes;

	if (!d->ram || p + len <= lo || p >= hi)
		return OUTSIDE_RAM;
	if (p >= lo + SIM_RAM_START && len <= hi - p)
		return IN_RAM;
	return BAD_RAM; /* in the hole below 1 MiB, or running off the end */
}

/* One byte of the page at p, read (and written back unchanged if write). */
static bool probe_byte(uintptr_t p, bool write)
{
	char byte;
	struct iovec local = { &byte, 1 }, remote = { (void *)p, 1 };

	if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) != 1)
		return false;
	return !write || process_vm_writev(getpid(), &local, 1, &remote, 1, 0) == 1;
}

/* Every page of [p, p+len) is host memory we may read (and write). */
static bool host_accessible(uintptr_t p, size_t len, bool write)
{
	uintptr_t last = p + len - 1;

	for (uintptr_t q = p; ; q = (q | (SIM_PAGE_SIZE - 1)) + 1) {
		if (!probe_byte(q, write))
			return false;
		if ((q | (SIM_PAGE_SIZE - 1)) >= last)
			return true;
	}
}

/*
 * [p, p+len) lies in the live part of the stack this call runs on: between
 * sp (a frame of ours) and the stack's top, the caller's own frames, mapped
 * and writable. Event handlers and the scheduler run on the boot stack, so
 * the arguments of their hypercalls are here, and need no probe (two system
 * calls each); when a waiting thread idles in place (runtime/sched.c) they
 * run on its stack, which is guest RAM and taken by the RAM case.
 */
static bool on_live_stack(const struct sim_guest_image *img, uintptr_t sp, uintptr_t p,
			  size_t len)
{
	uintptr_t hi;

	if (img->stack < 0)
		return false;
	hi = img->range[img->stack].hi;
	return sp >= img->range[img->stack].lo && sp < hi && p >= sp && p < hi &&
	       len <= hi - p;
}

/* Every case but guest RAM and the live boot stack (tested before): the image, NULL, a bad range. */
static __attribute__((noinline)) int access_rest(struct sim_domain *d, const void *ptr,
						 size_t len, bool write, const char *what)
{
	uintptr_t p = (uintptr_t)ptr;
	const char *why = NULL;
	enum ram_place place;

	if (len == 0)
		return 0;
	if (p < SIM_PAGE_SIZE || p + len < p)
		why = p < SIM_PAGE_SIZE ? "is in the first page" : "wraps around";
	else if ((place = ram_place(d, p, len)) == BAD_RAM)
		why = "is not in guest RAM";
	else if (place == OUTSIDE_RAM && !sim_guest_image_contains(&d->sim->image, p, len))
		why = "is neither guest RAM nor the unikernel's image or boot stack";
	else if (place == OUTSIDE_RAM && !host_accessible(p, len, write))
		why = write ? "is not writable guest memory" : "is not readable guest memory";
	if (!why)
		return 0;
	sim_report_violation(d, "%s at %p (%zu bytes) %s: -EFAULT, as Xen's %s", what, ptr, len,
			     why, write ? "copy_to_guest" : "copy_from_guest");
	return -XEN_EFAULT;
}

/*
 * Every case but the one sim_domain_guest_access tests inline. The live
 * boot stack, where event handlers make their hypercalls, is tested first
 * and not again: it is never guest RAM, and a range in it is neither in the
 * first page nor wraps, so testing it before access_rest's checks changes
 * no answer. Never inlined: its frame is where the live part of the stack
 * begins.
 */
__attribute__((noinline)) int sim_domain_guest_access_rest(struct sim_domain *d, const void *ptr,
							   size_t len, bool write, const char *what)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);

	if (len && on_live_stack(&d->sim->image, sp, (uintptr_t)ptr, len))
		return 0;
	return access_rest(d, ptr, len, write, what);
}
