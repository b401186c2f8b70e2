/*
 * The unikernel's image and boot stack in the sim build (sim/guest_image.h).
 *
 * The image: dl_iterate_phdr reports the main program first; its PT_LOAD
 * segments are the unikernel's text, data and bss (libraries, the heap and
 * every mmap of the simulator's are not). The stack: the main thread's, as
 * pthread_getattr_np gives it (glibc finds it in /proc/self/maps and sizes
 * it by RLIMIT_STACK, so it covers the part not yet grown into), or its
 * mapping in /proc/self/maps when the simulator is made on another thread.
 */
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sim/guest_image.h"

static void add_range(struct sim_guest_image *img, uintptr_t lo, uintptr_t hi)
{
	if (hi > lo && img->n < SIM_GUEST_IMAGE_MAX_RANGES) {
		img->range[img->n].lo = lo;
		img->range[img->n].hi = hi;
		img->n++;
	}
}

/* dl_iterate_phdr callback: the first object is the main program; stop after it. */
static int add_main_program(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct sim_guest_image *img = arg;

	(void)size;
	for (unsigned int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_LOAD)
			add_range(img, lo, lo + ph->p_memsz);
	}
	return 1;
}

/* glibc's (ld.so's) record of where the process's initial stack ends, set at exec. */
extern void *__libc_stack_end;

/*
 * The mapping of /proc/self/maps that holds __libc_stack_end, as glibc's
 * pthread_getattr_np finds it (not the "[stack]" line: under valgrind that
 * is valgrind's own stack, not the program's). Only the part mapped so far.
 */
static void add_maps_stack(struct sim_guest_image *img)
{
	FILE *f = fopen("/proc/self/maps", "r");
	uintptr_t end = (uintptr_t)__libc_stack_end;
	char line[512];
	unsigned long lo, hi;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && lo <= end && end < hi) {
			add_range(img, lo, hi);
			break;
		}
	fclose(f);
}

/*
 * The main thread's stack. Only the main thread can ask for it by
 * pthread_self (which also covers what the stack may still grow into);
 * from another thread, what /proc/self/maps shows of it.
 */
static void add_main_stack(struct sim_guest_image *img)
{
	pthread_attr_t attr;
	void *addr;
	size_t size;

	if (syscall(SYS_gettid) != getpid() || pthread_getattr_np(pthread_self(), &attr) != 0) {
		add_maps_stack(img);
		return;
	}
	if (pthread_attr_getstack(&attr, &addr, &size) == 0)
		add_range(img, (uintptr_t)addr, (uintptr_t)addr + size);
	pthread_attr_destroy(&attr);
}

int sim_guest_image_find(struct sim_guest_image *img)
{
	unsigned int before;

	img->n = 0;
	dl_iterate_phdr(add_main_program, img);
	before = img->n;
	add_main_stack(img);
	img->stack = img->n > before ? (int)before : -1;
	return img->n ? 0 : -ENOENT;
}

bool sim_guest_image_contains(const struct sim_guest_image *img, uintptr_t p, size_t len)
{
	for (unsigned int i = 0; i < img->n; i++)
		if (p >= img->range[i].lo && p < img->range[i].hi &&
		    len <= img->range[i].hi - p)
			return true;
	return false;
}
