/*
 * testguest misbehave: a guest that breaks the Xen rules on purpose, one
 * scenario after another, to show that the simulator reports each with the
 * guest's view of it and lives on (integration/misbehaving_guest.sh). Each
 * step prints what the hypercall returned, so the test can check the guest
 * got Xen's answer too:
 *   wild pointers   EVTCHNOP_send, console_io, memory_op and grant_table_op
 *                   with argument 0x10 (-EFAULT, as copy_from_guest)
 *   closed ports    EVTCHNOP_send on a port closed after alloc_unbound, and
 *                   on one past the table (-EINVAL)
 *   revoked grant   a grant to ourselves, mapped, then its entry cleared
 *                   behind Xen's back and unmapped
 *   ring jump       the console ring's out_prod moved 100000 bytes ahead
 *   big message     a xenstore request header announcing 5000 bytes (over
 *                   XENSTORE_PAYLOAD_MAX); xenstored stops serving the ring,
 *                   so this one is last
 * A guest may do all of this on real Xen too: the code uses only the ABI
 * (hypercalls, pages it shares), plus the runtime's grant helpers and its
 * address translation (runtime/platform), which an application does not
 * see: this file is compiled with those directories on its include path.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/hvm/params.h>
#include <xen/io/console.h>
#include <xen/io/xs_wire.h>
#include <xen/memory.h>
#include <xen/version.h>
#include <uk/drivers/gnttab.h>
#include <uk/hypercall.h>
#include <uk.h>

#include "platform/platform.h"
#include "testguest.h"

#define WILD ((void *)(uintptr_t)0x10)
#define PAGE 4096
#define GRANTS_PER_FRAME (PAGE / sizeof(grant_entry_v1_t))
#define MAX_FRAMES 16
/* Sleeping lets the simulator's loop run (it only runs while we block). */
#define SETTLE_NS (10 * UK_NSEC_PER_MSEC)

static void wild_pointers(void)
{
	uk_printf("misbehave: EVTCHNOP_send(0x10) = %ld\n",
		  HYPERVISOR_event_channel_op(EVTCHNOP_send, WILD));
	uk_printf("misbehave: console_io(write, 16, 0x10) = %ld\n",
		  HYPERVISOR_console_io(CONSOLEIO_write, 16, WILD));
	uk_printf("misbehave: memory_op(XENMEM_add_to_physmap, 0x10) = %ld\n",
		  HYPERVISOR_memory_op(XENMEM_add_to_physmap, WILD));
	uk_printf("misbehave: grant_table_op(GNTTABOP_map_grant_ref, 0x10, 1) = %ld\n",
		  HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, WILD, 1));
}

static void closed_ports(void)
{
	struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = 0 };
	long rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a);
	struct evtchn_close c = { .port = a.port };
	struct evtchn_send s = { .port = a.port };

	uk_printf("misbehave: alloc_unbound = %ld, port %u\n", rc, a.port);
	uk_printf("misbehave: close(%u) = %ld\n", a.port,
		  HYPERVISOR_event_channel_op(EVTCHNOP_close, &c));
	uk_printf("misbehave: send on closed port %u = %ld\n", a.port,
		  HYPERVISOR_event_channel_op(EVTCHNOP_send, &s));
	s.port = 100000;
	uk_printf("misbehave: send on port 100000 = %ld\n",
		  HYPERVISOR_event_channel_op(EVTCHNOP_send, &s));
}

/* Our own grant entry, where Xen reads it (GNTTABOP_setup_table's frames). */
static grant_entry_v1_t *grant_entry(grant_ref_t ref)
{
	xen_pfn_t frames[MAX_FRAMES];
	struct gnttab_setup_table st = { .dom = DOMID_SELF,
					 .nr_frames = (uint32_t)(ref / GRANTS_PER_FRAME + 1) };

	if (st.nr_frames > MAX_FRAMES)
		return NULL;
	set_xen_guest_handle(st.frame_list, frames);
	if (HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1) < 0 || st.status)
		return NULL;
	grant_entry_v1_t *t = uk_platform_phys_to_virt((uint64_t)frames[ref / GRANTS_PER_FRAME]
						       * PAGE);
	return t ? t + ref % GRANTS_PER_FRAME : NULL;
}

static int revoked_grant(void)
{
	void *page = uk_page_alloc(0), *where = uk_page_alloc(0);
	char *domid_s = NULL;
	grant_ref_t ref;
	grant_entry_v1_t *e;

	if (!page || !where || xenbus_read(XBT_NIL, "domid", &domid_s, NULL) < 0)
		return -1;
	domid_t self = (domid_t)strtoul(domid_s, NULL, 10);
	uk_free(domid_s);
	if (gnttab_grant_access(self, page, false, &ref) < 0 || !(e = grant_entry(ref)))
		return -1;
	struct gnttab_map_grant_ref m = {
		.host_addr = (uint64_t)uk_platform_virt_to_gfn(where) * PAGE,
		.flags = GNTMAP_host_map, .ref = ref, .dom = self,
	};
	long rc = HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &m, 1);
	uk_printf("misbehave: map own grant %u = %ld, status %d\n", ref, rc, m.status);
	uk_printf("misbehave: end access while mapped = %d\n", gnttab_end_access(ref));
	/* Revoke it behind Xen's back, as a guest that forgot the mapping would. */
	__atomic_store_n(&e->flags, 0, __ATOMIC_SEQ_CST);
	struct gnttab_unmap_grant_ref u = { .host_addr = m.host_addr, .handle = m.handle };
	rc = HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1);
	uk_printf("misbehave: unmap = %ld, status %d\n", rc, u.status);
	uk_printf("misbehave: end access after unmap = %d\n", gnttab_end_access(ref));
	uk_page_free(page, 0);
	uk_page_free(where, 0);
	return 0;
}

static int notify_param(uint32_t param)
{
	uint64_t port;
	struct evtchn_send s;

	if (uk_hvm_get_param(param, &port) < 0)
		return -1;
	s.port = (evtchn_port_t)port;
	return (int)HYPERVISOR_event_channel_op(EVTCHNOP_send, &s);
}

static void *param_page(uint32_t param)
{
	uint64_t pfn;

	return uk_hvm_get_param(param, &pfn) < 0 ? NULL : uk_platform_phys_to_virt(pfn * PAGE);
}

static int console_ring_jump(void)
{
	struct xencons_interface *intf = param_page(HVM_PARAM_CONSOLE_PFN);

	if (!intf)
		return -1;
	uk_sleep_ns(SETTLE_NS); /* what we printed so far is out */
	__atomic_store_n(&intf->out_prod, intf->out_prod + 100000, __ATOMIC_RELEASE);
	int rc = notify_param(HVM_PARAM_CONSOLE_EVTCHN);
	uk_sleep_ns(SETTLE_NS);
	uk_printf("misbehave: console out_prod jumped 100000 ahead, notify = %d\n", rc);
	return 0;
}

static int xenstore_big_message(void)
{
	struct xenstore_domain_interface *intf = param_page(HVM_PARAM_STORE_PFN);
	struct xsd_sockmsg h = { .type = XS_WRITE, .req_id = 0x4d49, .len = 5000 };
	const char *p = (const char *)&h;

	if (!intf)
		return -1;
	XENSTORE_RING_IDX prod = intf->req_prod;
	for (size_t i = 0; i < sizeof(h); i++)
		intf->req[MASK_XENSTORE_IDX(prod++)] = p[i];
	__atomic_store_n(&intf->req_prod, prod, __ATOMIC_RELEASE);
	int rc = notify_param(HVM_PARAM_STORE_EVTCHN);
	uk_sleep_ns(SETTLE_NS);
	uk_printf("misbehave: xenstore header announcing 5000 bytes sent, notify = %d, ring "
		  "error field %u\n", rc, intf->error);
	return 0;
}

int testguest_misbehave(void)
{
	wild_pointers();
	closed_ports();
	if (revoked_grant() < 0 || console_ring_jump() < 0 || xenstore_big_message() < 0) {
		uk_printf("misbehave: could not set a scenario up\n");
		return 1;
	}
	uk_printf("misbehave: done, still running\n");
	return 0;
}
