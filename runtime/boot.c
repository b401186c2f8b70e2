/*
 * uk_start: from hvm_start_info to app_main. Memory map to the page
 * allocator, shared_info into the physmap, time, events, console, the
 * random generator's seed, the timer VIRQ, the command line to argv, then
 * the main thread and the idle loop.
 */
#include <errno.h>
#include <string.h>
#include <xen/memory.h>
#include <xen/sched.h>

#include "alloc_private.h"
#include "boot_private.h"
#include "console_private.h"
#include "events_private.h"
#include "gnttab_private.h"
#include "platform/platform.h"
#include "random_private.h"
#include "sched_private.h"
#include "uk/exit.h"
#include "uk/hypercall.h"
#include "uk/shutdown.h"
#include "time_private.h"
#include "xenbus_private.h"

static struct {
	int argc;
	char **argv;
} boot_args;

/* Before the console is up, the only way to say why we stop. */
static _Noreturn void early_fail(const char *msg)
{
	struct sched_shutdown s = { .reason = SHUTDOWN_crash };

	HYPERVISOR_console_io(CONSOLEIO_write, (int)strlen(msg), (char *)msg);
	for (;;)
		HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
}

/*
 * What the start info points at, copied before any page is handed out: on
 * Xen it lives in RAM the allocator is about to own.
 */
#define BOOT_MAX_MEMMAP 64
#define BOOT_MAX_CMDLINE 4096
static struct hvm_memmap_table_entry boot_memmap[BOOT_MAX_MEMMAP];
static uint32_t boot_memmap_entries;
static char boot_cmdline[BOOT_MAX_CMDLINE];

static void save_start_info(const struct hvm_start_info *si)
{
	const char *cmdline;

	if (si->version < 1 || si->memmap_entries == 0)
		early_fail("drydock: hvm_start_info has no memory map (version 0)\n");
	boot_memmap_entries = si->memmap_entries < BOOT_MAX_MEMMAP ? si->memmap_entries
								     : BOOT_MAX_MEMMAP;
	memcpy(boot_memmap, uk_platform_phys_to_virt(si->memmap_paddr),
	       boot_memmap_entries * sizeof(boot_memmap[0]));
	cmdline = si->cmdline_paddr ? uk_platform_phys_to_virt(si->cmdline_paddr) : "";
	if (strlen(cmdline) >= sizeof(boot_cmdline))
		early_fail("drydock: the command line is longer than 4095 bytes\n");
	memcpy(boot_cmdline, cmdline, strlen(cmdline) + 1);
}

/* Hands [start, end) to the page allocator, less what the platform reserves. */
static void add_region(uintptr_t start, uintptr_t end)
{
	uintptr_t rs, re;

	uk_platform_reserved(&rs, &re);
	if (re <= start || rs >= end || rs == re) {
		uk_page_add_region(start, end);
		return;
	}
	if (rs > start)
		uk_page_add_region(start, rs);
	if (re < end)
		uk_page_add_region(re, end);
}

static void add_ram(void)
{
	for (uint32_t i = 0; i < boot_memmap_entries; i++) {
		const struct hvm_memmap_table_entry *e = &boot_memmap[i];
		if (e->type != XEN_HVM_MEMMAP_TYPE_RAM)
			continue;
		uintptr_t start = (uintptr_t)uk_platform_phys_to_virt(e->addr);
		add_region(start, start + e->size);
	}
}

/* Xen maps its shared_info page over a frame of ours (XENMAPSPACE_shared_info). */
static struct shared_info *map_shared_info(void)
{
	void *page = uk_page_alloc(0);
	struct xen_add_to_physmap xatp = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_shared_info,
		.idx = 0,
	};

	if (!page)
		early_fail("drydock: no memory for shared_info\n");
	xatp.gpfn = uk_platform_virt_to_gfn(page);
	if (HYPERVISOR_memory_op(XENMEM_add_to_physmap, &xatp) < 0)
		early_fail("drydock: XENMEM_add_to_physmap(shared_info) failed\n");
	return page;
}

/* argv from the command line; argv[0] is the unikernel's name. */
static void parse_cmdline(void)
{
	const char *src = boot_cmdline;
	size_t len = strlen(src);
	char *copy = uk_malloc(len + 1);
	int max = (int)(len / 2 + 2);
	char **argv = uk_calloc((size_t)max + 1, sizeof(char *));

	if (!copy || !argv)
		uk_panic("no memory for the command line");
	memcpy(copy, src, len + 1);
	argv[0] = (char *)uk_app_name;
	boot_args.argc = 1 + uk_cmdline_split(copy, argv + 1, max - 1);
	boot_args.argv = argv;
}

/*
 * Once, from the platform's entropy. Without any (a CPU without RDRAND)
 * the TSC and the wall clock are all there is: say that it is guessable.
 */
static void seed_random(void)
{
	uint64_t seed;
	int rc = uk_platform_entropy(&seed, sizeof(seed));

	if (rc < 0) {
		uk_printf("random: no entropy source (error %d); seeding from the TSC "
			  "and the wall clock, which others can guess\n", -rc);
		seed = uk_platform_rdtsc() ^ uk_wallclock_ns();
	}
	uk_random_seed(seed);
}

static int main_thread(void *arg)
{
	/* In a thread: it waits for the watch's first firing. */
	if (uk_shutdown_watch_init() < 0)
		uk_printf("shutdown: cannot watch control/shutdown; "
			  "the domain can only end itself\n");
	uk_exit(app_main(boot_args.argc, boot_args.argv));
}

_Noreturn void uk_start(struct hvm_start_info *si)
{
	struct shared_info *s;
	evtchn_port_t timer_port;
	int rc;

	if (si->magic != XEN_HVM_START_MAGIC_VALUE)
		early_fail("drydock: bad hvm_start_info magic\n");
	save_start_info(si);
	add_ram();
	s = map_shared_info();
	evtchn_init(s);
	uk_time_init(s);
	if (uk_platform_events_init() < 0)
		early_fail("drydock: cannot set up event delivery\n");
	if ((rc = uk_console_init()) == -ENODEV)
		uk_printf("drydock: no console ring; output goes to Xen's console\n");
	else if (rc < 0)
		early_fail("drydock: cannot connect the console ring\n");
	seed_random();
	if (evtchn_bind_virq(VIRQ_TIMER, uk_sched_timer_event, NULL, &timer_port) < 0)
		uk_panic("cannot bind VIRQ_TIMER");
	if ((rc = gnttab_init()) < 0)
		uk_printf("gnttab: no grant table (error %d); devices cannot connect\n", -rc);
	/* After the timer VIRQ: it starts the xenbus watch thread. */
	if ((rc = xenbus_init()) < 0)
		uk_printf("xenbus: no xenstore (error %d); xenbus calls will fail\n", -rc);
	parse_cmdline();
	if (!uk_thread_create("main", main_thread, NULL))
		uk_panic("no memory for the main thread");
	uk_sched_run();
}
