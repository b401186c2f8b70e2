/*
 * Domain creation as a PVH toolstack does it: guest RAM, the special pages
 * at the top of it, hvm_start_info with the command line and memory map,
 * HVM params for the console and xenstore rings and their event channels.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <xen/arch-x86/hvm/start_info.h>
#include <xen/errno.h>
#include <xen/sched.h>

#include "sim/domain.h"
#include "sim/report.h"
#include "sim/sim_private.h"
#include "sim/toolstack/toolstack.h"
#include "sim/backends/vif.h"
#include "sim/xen_abi.h"

#define CMDLINE_MAX (SIM_PAGE_SIZE - 1)

static int map_ram(struct sim_domain *d, uint64_t bytes)
{
	if (bytes % SIM_PAGE_SIZE ||
	    bytes < SIM_RAM_START + (4 + SIM_NR_SPECIAL_PAGES) * SIM_PAGE_SIZE)
		return -EINVAL;
	/* Pages cost nothing until touched, as with a ballooned guest. */
	void *ram = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ram == MAP_FAILED)
		return -ENOMEM;
	d->ram = ram;
	d->ram_bytes = bytes;
	return 0;
}

xen_pfn_t sim_domain_last_gfn(const struct sim_domain *d)
{
	return (xen_pfn_t)(d->ram_bytes / SIM_PAGE_SIZE - 1);
}

xen_pfn_t sim_domain_special_gfn(const struct sim_domain *d, enum sim_special_page p)
{
	return sim_domain_last_gfn(d) + 1 - (xen_pfn_t)p;
}

void *sim_domain_gfn_to_page(struct sim_domain *d, xen_pfn_t gfn)
{
	if (gfn < SIM_RAM_START / SIM_PAGE_SIZE || gfn > sim_domain_last_gfn(d))
		return NULL;
	return d->ram + gfn * SIM_PAGE_SIZE;
}

uint64_t sim_domain_start_info_paddr(const struct sim_domain *d)
{
	return sim_domain_special_gfn(d, SIM_PAGE_START_INFO) * SIM_PAGE_SIZE;
}

/* hvm_start_info, version 1, with its memory map right after it. */
static void write_start_info(struct sim_domain *d, const char *cmdline)
{
	uint64_t si_pa = sim_domain_start_info_paddr(d);
	uint64_t cmd_pa = sim_domain_special_gfn(d, SIM_PAGE_CMDLINE) * SIM_PAGE_SIZE;
	struct hvm_start_info *si = (void *)(d->ram + si_pa);
	struct hvm_memmap_table_entry *mm = (void *)(si + 1);
	uint64_t special_pa = sim_domain_special_gfn(d, SIM_NR_SPECIAL_PAGES) * SIM_PAGE_SIZE;

	strcpy((char *)d->ram + cmd_pa, cmdline);
	mm[0] = (struct hvm_memmap_table_entry){
		.addr = SIM_RAM_START,
		.size = special_pa - SIM_RAM_START,
		.type = XEN_HVM_MEMMAP_TYPE_RAM,
	};
	mm[1] = (struct hvm_memmap_table_entry){
		.addr = special_pa,
		.size = d->ram_bytes - special_pa,
		.type = XEN_HVM_MEMMAP_TYPE_RESERVED,
	};
	memcpy(d->memmap, mm, sizeof(d->memmap));
	d->nr_memmap = 2;
	*si = (struct hvm_start_info){
		.magic = XEN_HVM_START_MAGIC_VALUE,
		.version = 1,
		.cmdline_paddr = cmd_pa,
		.memmap_paddr = si_pa + sizeof(*si),
		.memmap_entries = 2,
	};
}

/* A ring page and its event channel, as libxl sets them up for a backend in dom0. */
static int setup_ring(struct sim_domain *d, enum sim_special_page page, int pfn_param,
		      int evtchn_param, evtchn_port_t *guest_port)
{
	int rc = sim_evtchn_alloc_unbound(d, 0, guest_port);

	if (rc < 0)
		return rc;
	d->hvm_param[pfn_param] = sim_domain_special_gfn(d, page);
	d->hvm_param[evtchn_param] = *guest_port;
	return 0;
}

static int init_shared_info(struct sim_domain *d)
{
	d->own_shared_info = aligned_alloc(SIM_PAGE_SIZE, SIM_PAGE_SIZE);
	if (!d->own_shared_info)
		return -ENOMEM;
	memset(d->own_shared_info, 0, SIM_PAGE_SIZE);
	d->shared_info = d->own_shared_info;
	d->shared_info_gfn = ~(xen_pfn_t)0;
	sim_domain_update_time(d);
	sim_clock_publish_wallclock(sim_clock(d->sim), d->shared_info);
	return 0;
}

/* As the toolstack does: the domain's entries, then introduce it to xenstored. */
static int connect_xenstore(struct sim_domain *d)
{
	struct sim *sim = d->sim;
	struct xs_store *xs = sim_xenstore(sim);
	uint64_t start = sim_config(sim)->clock == SIM_CLOCK_VIRTUAL
				 ? SIM_VIRTUAL_WALLCLOCK_SEC
				 : (uint64_t)time(NULL);
	int rc;

	if ((rc = sim_toolstack_write_domain(xs, d, sim_config(sim)->seed, start)) < 0 ||
	    (rc = xs_domain_introduce(xs, d->domid)) < 0)
		return rc;
	return xs_ring_connect(&d->xs_ring, xs, d);
}

static int domain_init(struct sim_domain *d, const struct sim_domain_config *cfg)
{
	evtchn_port_t store_port;
	int rc;

	if ((rc = map_ram(d, cfg->mem_bytes)) < 0)
		return rc;
	if ((rc = init_shared_info(d)) < 0)
		return rc;
	if ((rc = sim_evtchn_table_init(&d->evtchn, SIM_DOMAIN_MAX_EVTCHNS)) < 0)
		return rc;
	sim_gnttab_init(&d->gnttab);
	write_start_info(d, cfg->cmdline ? cfg->cmdline : "");
	if ((rc = setup_ring(d, SIM_PAGE_XENSTORE, HVM_PARAM_STORE_PFN, HVM_PARAM_STORE_EVTCHN,
			     &store_port)) < 0)
		return rc;
	if ((rc = setup_ring(d, SIM_PAGE_CONSOLE, HVM_PARAM_CONSOLE_PFN,
			     HVM_PARAM_CONSOLE_EVTCHN, &d->console.guest_port)) < 0)
		return rc;
	if ((rc = sim_add_domain(d->sim, d)) < 0)
		return rc;
	if ((rc = sim_console_connect(&d->console, d, sim_config(d->sim)->console_fd)) < 0)
		return rc;
	return connect_xenstore(d);
}

int sim_domain_create(struct sim *sim, const struct sim_domain_config *cfg,
		      struct sim_domain **out)
{
	struct sim_domain *d;
	int rc;

	if (cfg->cmdline && strlen(cfg->cmdline) > CMDLINE_MAX)
		return -E2BIG;
	if (!(d = calloc(1, sizeof(*d))))
		return -ENOMEM;
	d->sim = sim;
	d->domid = cfg->domid;
	snprintf(d->name, sizeof(d->name), "%s", cfg->name ? cfg->name : "guest");
	d->state = SIM_DOMAIN_RUNNING;
	rc = domain_init(d, cfg);
	if (rc < 0) {
		sim_domain_destroy(d);
		return rc;
	}
	*out = d;
	return 0;
}

/* As libxl does when a domain is destroyed: its home and its /vm entry go. */
static void forget_xenstore(struct sim_domain *d)
{
	struct xs_store *xs = sim_xenstore(d->sim);
	char home[64], vm_key[80], *vm = NULL;
	size_t len;

	snprintf(home, sizeof(home), "/local/domain/%u", d->domid);
	snprintf(vm_key, sizeof(vm_key), "%s/vm", home);
	if (xs_store_read(xs, vm_key, &vm, &len) == 0 && vm[0] == '/')
		xs_store_rm(xs, vm);
	free(vm);
	xs_store_rm(xs, home);
}

void sim_domain_destroy(struct sim_domain *d)
{
	if (!d)
		return;
	/* Devices first, while their grants, ports and xenstore entries still exist. */
	for (unsigned int i = 0; i < SIM_MAX_VIFS; i++)
		vif_destroy(d->vifs[i]);
	sim_remove_domain(d->sim, d);
	if (d->xs_ring.conn) {
		xs_ring_disconnect(&d->xs_ring);
		forget_xenstore(d);
		xs_domain_release(sim_xenstore(d->sim), d->domid);
	}
	/* dom0's ends (console, xenstore, devices) go with the domain, as in Xen. */
	sim_evtchn_close_ports_of_peer(sim_domain_lookup(d->sim, 0), d->domid);
	if (d->evtchn.ports) {
		for (evtchn_port_t p = 1; p < d->evtchn.nr_ports; p++)
			sim_evtchn_close(d, p);
		sim_evtchn_table_fini(&d->evtchn);
	}
	if (d->ram)
		munmap(d->ram, d->ram_bytes);
	free(d->own_shared_info);
	free(d);
}

void sim_domain_update_time(struct sim_domain *d)
{
	sim_clock_publish(sim_clock(d->sim), &d->shared_info->vcpu_info[0].time);
}

int sim_domain_place_shared_info(struct sim_domain *d, xen_pfn_t gfn)
{
	void *page = sim_domain_gfn_to_page(d, gfn);

	if (!page)
		return -XEN_EINVAL;
	/* Xen maps its shared_info page over the frame: the old contents vanish. */
	memcpy(page, d->shared_info, SIM_PAGE_SIZE);
	d->shared_info = page;
	d->shared_info_gfn = gfn;
	return 0;
}

void sim_domain_set_timer(struct sim_domain *d, uint64_t deadline_ns)
{
	d->timer_deadline = deadline_ns;
}

static int exit_status_for(struct sim_domain *d, unsigned int reason, int status)
{
	switch (reason) {
	case SHUTDOWN_poweroff:
		return status;
	case SHUTDOWN_crash:
		return status ? status : SIM_EXIT_CRASH;
	default:
		sim_log("domain %u (%s) asked for shutdown reason %u (%s); drydock does not "
			"restart or suspend domains, so it ends", d->domid, d->name, reason,
			reason == SHUTDOWN_reboot ? "reboot" :
			reason == SHUTDOWN_suspend ? "suspend" : "other");
		return 1;
	}
}

void sim_domain_shutdown(struct sim_domain *d, unsigned int reason_word)
{
	unsigned int reason = reason_word & 0xff;
	int status = (int)((reason_word >> 8) & 0xff);

	if (d->state == SIM_DOMAIN_SHUTDOWN)
		return;
	/* First: a violation found while draining must not shut down again. */
	d->state = SIM_DOMAIN_SHUTDOWN;
	sim_console_drain(&d->console);
	d->shutdown_reason = reason;
	d->exit_status = exit_status_for(d, reason, status);
	if (reason == SHUTDOWN_crash && status)
		sim_log("domain %u (%s) exited with status %d", d->domid, d->name, status);
	else if (reason == SHUTDOWN_crash)
		sim_log("domain %u (%s) crashed", d->domid, d->name);
	if (sim_config(d->sim)->on_shutdown)
		sim_config(d->sim)->on_shutdown(d, sim_config(d->sim)->on_shutdown_arg);
}

bool sim_domain_is_shut_down(const struct sim_domain *d)
{
	return d->state == SIM_DOMAIN_SHUTDOWN;
}

int sim_domain_request_shutdown(struct sim_domain *d, const char *how)
{
	char path[64];

	if (d->state != SIM_DOMAIN_RUNNING)
		return -EINVAL;
	snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown", d->domid);
	return xs_store_write(sim_xenstore(d->sim), path, how, strlen(how));
}
