/*
 * A simulated domain: its RAM, shared_info, HVM params, event channels,
 * single-shot timer, console backend and shutdown state. The simulator
 * touches guest memory only through the pages Xen itself would: the
 * shared_info page the guest placed, and the console and xenstore pages.
 */
#ifndef SIM_DOMAIN_H
#define SIM_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/hvm/params.h>
#include <xen/arch-x86/hvm/start_info.h>

#include "sim/backends/blkback.h" /* SIM_MAX_DISKS */
#include "sim/clock.h"
#include "sim/console.h"
#include "sim/evtchn.h"
#include "sim/gnttab.h"
#include "sim/sim.h"
#include "sim/stack.h"
#include "sim/xen_abi.h"
#include "sim/xenstored/xs_ring.h"

/* Default and maximum number of event channels (libxl's max_event_channels). */
#define SIM_DOMAIN_MAX_EVTCHNS 1023

/* The reserved pages at the top of guest RAM, as guest frame offsets from the end. */
enum sim_special_page {
	SIM_PAGE_CONSOLE = 1,
	SIM_PAGE_XENSTORE = 2,
	SIM_PAGE_START_INFO = 3, /* hvm_start_info, then the memory map */
	SIM_PAGE_CMDLINE = 4,
	SIM_NR_SPECIAL_PAGES = 4,
};
/* Network devices a domain may have (--vif, repeatable). */
#define SIM_MAX_VIFS 8

/* Entries of a domain's memory map (XENMEM_set_memory_map). */
#define SIM_DOMAIN_MAX_MEMMAP 8

/* Guest RAM starts at 1 MiB as on a PC; below it nothing is mapped. */
#define SIM_RAM_START 0x100000ULL

struct vif;

struct sim_domain_config {
	domid_t domid;
	const char *name;
	uint64_t mem_bytes;  /* guest RAM, a multiple of 4 KiB */
	const char *cmdline; /* guest command line, at most 4095 bytes (the toolstack's) */
};

enum sim_domain_state {
	SIM_DOMAIN_RUNNING,
	SIM_DOMAIN_SHUTDOWN,
};

struct sim_domain {
	struct sim *sim;
	/* Where its hypercalls run (the shim's trampoline reads it: keep it second). */
	struct sim_stack stack;
	domid_t domid;
	char name[64];

	/* Guest RAM: guest physical address p is ram[p] for p < ram_bytes. */
	uint8_t *ram;
	uint64_t ram_bytes;

	/* The sim's own page until the guest places it with XENMEM_add_to_physmap. */
	struct shared_info *shared_info;
	struct shared_info *own_shared_info;
	xen_pfn_t shared_info_gfn;

	uint64_t hvm_param[HVM_NR_PARAMS];
	/* The memory map, kept here as Xen keeps its own (the guest's copy is writable). */
	struct hvm_memmap_table_entry memmap[SIM_DOMAIN_MAX_MEMMAP];
	unsigned int nr_memmap;
	struct sim_evtchn_table evtchn;
	struct sim_gnttab gnttab;
	struct vif *vifs[SIM_MAX_VIFS];
	bool capture_pending; /* a vif or disk logged records the loop has not flushed */
	unsigned int nr_vifs;

	/* Single-shot timer (set_timer_op / VCPUOP_set_singleshot_timer), 0 = off. */
	uint64_t timer_deadline;

	struct sim_console console;
	struct xs_ring xs_ring; /* xenstored's end of the store ring */

	enum sim_domain_state state;
	unsigned int shutdown_reason; /* SHUTDOWN_* */
	int exit_status;              /* process exit status derived from the shutdown */
	unsigned int violations;      /* protocol violations reported */
	/* The disks with a capture= log (blkback_capture.c): flushed with the vifs' captures. */
	struct blkback *disk_logs[SIM_MAX_DISKS];
};

/*
 * Creates a running domain as Xen's domain_create does, with its RAM
 * (populated), shared_info, event channel and grant tables, registered with
 * the simulator. Nothing is in it yet: sim_toolstack_build_domain
 * (sim/toolstack/toolstack.h) writes the start info, sets up the console
 * and xenstore rings and introduces the domain to xenstored, as libxl does.
 * cfg->cmdline is not used here. Returns 0 or -errno (-ENOMEM when RAM
 * cannot be mapped, -EINVAL on a bad size, -EEXIST for a domid in use).
 */
int sim_domain_create(struct sim *sim, const struct sim_domain_config *cfg,
		      struct sim_domain **out);
void sim_domain_destroy(struct sim_domain *d);

/* Guest physical address of the hvm_start_info the domain boots with. */
uint64_t sim_domain_start_info_paddr(const struct sim_domain *d);
/* Host pointer to guest frame gfn, or NULL when gfn is not guest RAM. */
void *sim_domain_gfn_to_page(struct sim_domain *d, xen_pfn_t gfn);
/*
 * The same, inline, for the grant copies (two per frame), and NULL for
 * dom0, which has no RAM.
 */
static inline void *sim_domain_ram_page(struct sim_domain *d, xen_pfn_t gfn)
{
	if (!d->ram || gfn < SIM_RAM_START / SIM_PAGE_SIZE || gfn >= d->ram_bytes / SIM_PAGE_SIZE)
		return NULL;
	return d->ram + gfn * SIM_PAGE_SIZE;
}
/* Guest physical address of host address p, which must be in d's RAM. */
uint64_t sim_domain_paddr_of(const struct sim_domain *d, const void *p);
xen_pfn_t sim_domain_last_gfn(const struct sim_domain *d);
xen_pfn_t sim_domain_special_gfn(const struct sim_domain *d, enum sim_special_page p);

/* Republishes vcpu_time_info (real clock: fresh TSC/system time pair). */
void sim_domain_update_time(struct sim_domain *d);
/* XENMEM_add_to_physmap(XENMAPSPACE_shared_info): moves shared_info to gfn. */
int sim_domain_place_shared_info(struct sim_domain *d, xen_pfn_t gfn);
/* Arms (deadline > 0) or stops (0) the single-shot timer; fires VIRQ_TIMER. */
void sim_domain_set_timer(struct sim_domain *d, uint64_t deadline_ns);
/* SCHEDOP_shutdown with Xen's reason (drydock's status in bits 8..15). */
void sim_domain_shutdown(struct sim_domain *d, unsigned int reason_word);
/*
 * Powers d off from outside, as `xl destroy` does, with the process exit
 * status to report (on_shutdown is called as for a shutdown).
 */
void sim_domain_power_off(struct sim_domain *d, int exit_status);
bool sim_domain_is_shut_down(const struct sim_domain *d);
/*
 * Asks the guest to shut down the way `xl shutdown` does: by writing how
 * ("poweroff", "reboot", ...) to control/shutdown in its xenstore directory.
 */
int sim_domain_request_shutdown(struct sim_domain *d, const char *how);

/*
 * HVM params (Xen's d->arch.hvm.params). get/set are the toolstack's and
 * have no policy; guest_set is HVMOP_set_param from the guest itself, which
 * Xen allows only for a few params (-XEN_EPERM otherwise). -XEN_EINVAL for
 * an index >= HVM_NR_PARAMS.
 */
int sim_domain_get_param(struct sim_domain *d, uint32_t index, uint64_t *value);
int sim_domain_set_param(struct sim_domain *d, uint32_t index, uint64_t value);
int sim_domain_guest_set_param(struct sim_domain *d, uint32_t index, uint64_t value);
/* XENMEM_set_memory_map (the toolstack's); -E2BIG beyond SIM_DOMAIN_MAX_MEMMAP. */
int sim_domain_set_memory_map(struct sim_domain *d, const struct hvm_memmap_table_entry *map,
			      unsigned int n);
/* The memory map Xen keeps for XENMEM_memory_map: its entries, and how many. */
unsigned int sim_domain_memory_map(const struct sim_domain *d,
				   const struct hvm_memmap_table_entry **map);
/* Pages of guest RAM (XENMEM_current_reservation). */
uint64_t sim_domain_nr_pages(const struct sim_domain *d);

/*
 * Every guest pointer a hypercall follows passes here once, as Xen's
 * copy_from_guest / copy_to_guest do (sim/guest_access.c). len bytes at p
 * must lie in memory the guest owns: guest RAM, or (in the sim build,
 * where the unikernel's image and boot stack are the process's own, not in
 * guest RAM) readable, and if write also writable, host memory. A NULL or
 * wild pointer, or a range that wraps, gives -XEN_EFAULT and a violation
 * report naming what (e.g. "EVTCHNOP_send argument").
 */
int sim_domain_guest_access_rest(struct sim_domain *d, const void *p, size_t len, bool write,
				 const char *what);
/* Inline: the case nearly every hypercall is, a range wholly in guest RAM; the rest is not. */
static inline int sim_domain_guest_access(struct sim_domain *d, const void *p, size_t len,
					  bool write, const char *what)
{
	uintptr_t q = (uintptr_t)p, lo = (uintptr_t)d->ram, hi = lo + d->ram_bytes;

	if (d->ram && q >= lo + SIM_RAM_START && q < hi && len <= hi - q)
		return 0;
	return sim_domain_guest_access_rest(d, p, len, write, what);
}

#endif
