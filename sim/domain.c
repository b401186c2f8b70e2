/*
 * A domain as the hypervisor keeps it (Xen's domain_create and the domctls
 * a toolstack then makes): guest RAM, shared_info, event channels, the
 * grant table, HVM params, the memory map, the single-shot timer and
 * shutdown. What goes into the domain (start info, rings, xenstore) is the
 * toolstack's (sim/toolstack/build.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <xen/arch-x86/hvm/start_info.h>
#include <xen/errno.h>
#include <xen/sched.h>

#include "sim/domain.h"
#include "sim/report.h"
#include "sim/sim_private.h"
#include "sim/backends/vif.h"
#include "sim/xen_abi.h"


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
	return sim_domain_ram_page(d, gfn);
}

uint64_t sim_domain_paddr_of(const struct sim_domain *d, const void *p)
{
	return (uint64_t)((const uint8_t *)p - d->ram);
}

uint64_t sim_domain_start_info_paddr(const struct sim_domain *d)
{
	return sim_domain_special_gfn(d, SIM_PAGE_START_INFO) * SIM_PAGE_SIZE;
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

static int domain_init(struct sim_domain *d, const struct sim_domain_config *cfg)
{
	int rc;

	if ((rc = map_ram(d, cfg->mem_bytes)) < 0)
		return rc;
	if ((rc = sim_stack_create(&d->stack, d->ram)) < 0)
		return rc;
	if ((rc = init_shared_info(d)) < 0)
		return rc;
	if ((rc = sim_evtchn_table_init(&d->evtchn, SIM_DOMAIN_MAX_EVTCHNS)) < 0)
		return rc;
	sim_gnttab_init(&d->gnttab);
	return sim_add_domain(d->sim, d);
}

int sim_domain_create(struct sim *sim, const struct sim_domain_config *cfg,
		      struct sim_domain **out)
{
	struct sim_domain *d;
	int rc;

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
	sim_stack_destroy(&d->stack);
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

/* Marks d shut down with its exit status, drains its console, calls on_shutdown. */
static void end_domain(struct sim_domain *d, unsigned int reason, int exit_status)
{
	/* First: a violation found while draining must not shut down again. */
	d->state = SIM_DOMAIN_SHUTDOWN;
	sim_console_drain(&d->console);
	d->shutdown_reason = reason;
	d->exit_status = exit_status;
	if (sim_config(d->sim)->on_shutdown)
		sim_config(d->sim)->on_shutdown(d, sim_config(d->sim)->on_shutdown_arg);
}

void sim_domain_shutdown(struct sim_domain *d, unsigned int reason_word)
{
	unsigned int reason = reason_word & 0xff;
	int status = (int)((reason_word >> 8) & 0xff);

	if (d->state == SIM_DOMAIN_SHUTDOWN)
		return;
	if (reason == SHUTDOWN_crash && status)
		sim_log("domain %u (%s) exited with status %d", d->domid, d->name, status);
	else if (reason == SHUTDOWN_crash)
		sim_log("domain %u (%s) crashed", d->domid, d->name);
	end_domain(d, reason, exit_status_for(d, reason, status));
}

void sim_domain_power_off(struct sim_domain *d, int exit_status)
{
	if (d->state != SIM_DOMAIN_SHUTDOWN)
		end_domain(d, SHUTDOWN_poweroff, exit_status);
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

int sim_domain_get_param(struct sim_domain *d, uint32_t index, uint64_t *value)
{
	if (index >= HVM_NR_PARAMS)
		return -XEN_EINVAL;
	*value = d->hvm_param[index];
	return 0;
}

int sim_domain_set_param(struct sim_domain *d, uint32_t index, uint64_t value)
{
	if (index >= HVM_NR_PARAMS)
		return -XEN_EINVAL;
	d->hvm_param[index] = value;
	return 0;
}

/* Xen's hvm_allow_set_param: what a guest may set on itself. */
int sim_domain_guest_set_param(struct sim_domain *d, uint32_t index, uint64_t value)
{
	if (index >= HVM_NR_PARAMS)
		return -XEN_EINVAL;
	switch (index) {
	case HVM_PARAM_CALLBACK_IRQ:
	case HVM_PARAM_STORE_EVTCHN:
	case HVM_PARAM_CONSOLE_EVTCHN:
		return sim_domain_set_param(d, index, value);
	default:
		return -XEN_EPERM;
	}
}

int sim_domain_set_memory_map(struct sim_domain *d, const struct hvm_memmap_table_entry *map,
			      unsigned int n)
{
	if (n > SIM_DOMAIN_MAX_MEMMAP)
		return -E2BIG;
	memcpy(d->memmap, map, n * sizeof(*map));
	d->nr_memmap = n;
	return 0;
}

unsigned int sim_domain_memory_map(const struct sim_domain *d,
				   const struct hvm_memmap_table_entry **map)
{
	*map = d->memmap;
	return d->nr_memmap;
}

uint64_t sim_domain_nr_pages(const struct sim_domain *d)
{
	return d->ram_bytes / SIM_PAGE_SIZE;
}
