/*
 * Building a PVH domain, as libxl does after the hypervisor has created it
 * (libxl__build_pvh, libxl__arch_domain_construct_memmap and the console and
 * store setup of libxl__build_post): the command line and hvm_start_info in
 * the special pages at the top of RAM, the memory map, an event channel and
 * HVM params for each of the console and xenstore rings, the console
 * backend (xenconsoled's part), and the domain's xenstore tree followed by
 * XS_INTRODUCE.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <xen/arch-x86/hvm/start_info.h>
#include <xen/hvm/params.h>

#include "sim/domain.h"
#include "sim/toolstack/toolstack.h"
#include "sim/xen_abi.h"

#define CMDLINE_MAX (SIM_PAGE_SIZE - 1)

/* The memory map: RAM from 1 MiB up to the special pages, which are reserved. */
static int write_memory_map(struct sim_domain *d, struct hvm_memmap_table_entry mm[2])
{
	uint64_t special_pa = sim_domain_special_gfn(d, SIM_NR_SPECIAL_PAGES) * SIM_PAGE_SIZE;

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
	return sim_domain_set_memory_map(d, mm, 2);
}

/* hvm_start_info, version 1, with the memory map right after it. */
static int write_start_info(struct sim_domain *d, const char *cmdline)
{
	uint64_t si_pa = sim_domain_start_info_paddr(d);
	xen_pfn_t cmd_gfn = sim_domain_special_gfn(d, SIM_PAGE_CMDLINE);
	struct hvm_start_info *si = sim_domain_gfn_to_page(d, si_pa / SIM_PAGE_SIZE);
	int rc;

	strcpy(sim_domain_gfn_to_page(d, cmd_gfn), cmdline);
	if ((rc = write_memory_map(d, (struct hvm_memmap_table_entry *)(si + 1))) < 0)
		return rc;
	*si = (struct hvm_start_info){
		.magic = XEN_HVM_START_MAGIC_VALUE,
		.version = 1,
		.cmdline_paddr = cmd_gfn * SIM_PAGE_SIZE,
		.memmap_paddr = si_pa + sizeof(*si),
		.memmap_entries = 2,
	};
	return 0;
}

/* A ring page and its event channel, as libxl sets them up for a backend in dom0. */
static int setup_ring(struct sim_domain *d, enum sim_special_page page, uint32_t pfn_param,
		      uint32_t evtchn_param, evtchn_port_t *guest_port)
{
	int rc = sim_evtchn_alloc_unbound(d, 0, guest_port);

	if (rc < 0 ||
	    (rc = sim_domain_set_param(d, pfn_param, sim_domain_special_gfn(d, page))) < 0)
		return rc;
	return sim_domain_set_param(d, evtchn_param, *guest_port);
}

/* The domain's tree, then XS_INTRODUCE and xenstored's end of the ring. */
static int connect_xenstore(struct sim *sim, struct sim_domain *d)
{
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

static int build(struct sim *sim, struct sim_domain *d, const char *cmdline)
{
	evtchn_port_t store_port;
	int rc;

	if ((rc = write_start_info(d, cmdline)) < 0 ||
	    (rc = setup_ring(d, SIM_PAGE_XENSTORE, HVM_PARAM_STORE_PFN, HVM_PARAM_STORE_EVTCHN,
			     &store_port)) < 0 ||
	    (rc = setup_ring(d, SIM_PAGE_CONSOLE, HVM_PARAM_CONSOLE_PFN,
			     HVM_PARAM_CONSOLE_EVTCHN, &d->console.guest_port)) < 0 ||
	    (rc = sim_console_connect(&d->console, d, sim_config(sim)->console_fd)) < 0)
		return rc;
	return connect_xenstore(sim, d);
}

int sim_toolstack_build_domain(struct sim *sim, const struct sim_domain_config *cfg,
			       struct sim_domain **out)
{
	const char *cmdline = cfg->cmdline ? cfg->cmdline : "";
	struct sim_domain *d;
	int rc;

	if (strlen(cmdline) > CMDLINE_MAX)
		return -E2BIG;
	if ((rc = sim_domain_create(sim, cfg, &d)) < 0)
		return rc;
	if ((rc = build(sim, d, cmdline)) < 0) {
		sim_domain_destroy(d);
		return rc;
	}
	*out = d;
	return 0;
}
