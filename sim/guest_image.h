/*
 * Where, outside guest RAM, the unikernel's own memory lies in the sim build:
 * the executable's loaded segments (on Xen, the guest's kernel image, which
 * is guest RAM there) and the process's initial stack, on which the guest
 * boots and its scheduler runs. Found once, when the simulator is created;
 * sim_domain_guest_access accepts a pointer outside guest RAM only inside
 * one of these ranges, so a wild pointer into the simulator's heap, libuv or
 * xenstored gets -EFAULT instead of being written through.
 */
#ifndef SIM_GUEST_IMAGE_H
#define SIM_GUEST_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_GUEST_IMAGE_MAX_RANGES 16

struct sim_guest_image {
	struct {
		uintptr_t lo, hi; /* [lo, hi) */
	} range[SIM_GUEST_IMAGE_MAX_RANGES];
	unsigned int n;
	int stack; /* the index of the boot stack's range, -1: not found */
};

/*
 * Fills img with the main program's PT_LOAD segments and the main thread's
 * stack. 0, or a negative errno when neither could be found (then only
 * guest RAM is guest memory).
 */
int sim_guest_image_find(struct sim_guest_image *img);

/* [p, p+len) lies wholly inside one range of img. */
bool sim_guest_image_contains(const struct sim_guest_image *img, uintptr_t p, size_t len);

#endif
