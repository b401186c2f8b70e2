/*
 * The Xen console ring (struct xencons_interface): the guest produces into
 * out[], the backend consumes and notifies back when it has made room.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/io/console.h>
#include <xen/sched.h>

#include "platform/platform.h"
#include "uk/alloc.h"
#include "console_private.h"
#include <uk/drivers/events.h>
#include "uk/hypercall.h"
#include "uk/sched.h"
#include "uk/time.h"

static struct xencons_interface *intf;
static evtchn_port_t port;
static struct uk_waitq room = UK_WAITQ_INIT;

static void console_event(evtchn_port_t p, void *arg)
{
	uk_waitq_wake_all(&room);
}

int uk_console_init(void)
{
	uint64_t pfn, evtchn;
	int rc;

	if ((rc = uk_hvm_get_param(HVM_PARAM_CONSOLE_PFN, &pfn)) < 0 ||
	    (rc = uk_hvm_get_param(HVM_PARAM_CONSOLE_EVTCHN, &evtchn)) < 0)
		return rc;
	/* No ring from the toolstack: output stays on HYPERVISOR_console_io. */
	if (pfn == 0 || evtchn == 0)
		return -ENODEV;
	port = (evtchn_port_t)evtchn;
	if ((rc = evtchn_bind(port, console_event, NULL)) < 0)
		return rc;
	intf = uk_platform_phys_to_virt(pfn << UK_PAGE_SHIFT);
	return 0;
}

/* After a panic nothing else may run: wait for the backend by yielding the vCPU. */
static bool polling;

void uk_console_set_polling(void)
{
	polling = true;
}

/* Waits for the backend to make room: in a thread, sleep; elsewhere, yield the vCPU. */
static void wait_for_room(void)
{
	evtchn_send(port);
	if (uk_thread_self() && !polling)
		uk_waitq_wait(&room, uk_now_ns() + 10 * UK_NSEC_PER_MSEC);
	else
		HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
}

static size_t put(const char *buf, size_t len)
{
	XENCONS_RING_IDX cons = __atomic_load_n(&intf->out_cons, __ATOMIC_ACQUIRE);
	XENCONS_RING_IDX prod = intf->out_prod;
	size_t n = 0;

	while (n < len && prod - cons < sizeof(intf->out))
		intf->out[MASK_XENCONS_IDX(prod++, intf->out)] = buf[n++];
	__atomic_store_n(&intf->out_prod, prod, __ATOMIC_RELEASE);
	return n;
}

void uk_console_write(const char *buf, size_t len)
{
	if (!intf) {
		HYPERVISOR_console_io(CONSOLEIO_write, (int)len, (char *)buf);
		return;
	}
	while (len > 0) {
		size_t n = put(buf, len);
		buf += n;
		len -= n;
		if (len)
			wait_for_room();
	}
	evtchn_send(port);
}

bool uk_console_ready(void)
{
	return intf != NULL;
}

/*
 * xenconsoled advances out_cons only once it has copied the bytes out, and
 * writes its log in the same step (buffer_append), so an empty ring is a
 * delivered console. A backend that never reads (none running, or it
 * stopped) must not hold the exit forever: after FLUSH_TIMEOUT_NS it is
 * said on Xen's console instead.
 */
#define FLUSH_TIMEOUT_NS (10 * UK_NSEC_PER_SEC)

void uk_console_flush(void)
{
	uint64_t deadline = uk_now_ns() + FLUSH_TIMEOUT_NS;

	while (intf && __atomic_load_n(&intf->out_cons, __ATOMIC_ACQUIRE) != intf->out_prod) {
		if (uk_now_ns() >= deadline) {
			static const char msg[] = "drydock: the console backend took not all "
						  "output in 10 s; the rest is lost\n";

			HYPERVISOR_console_io(CONSOLEIO_write, sizeof(msg) - 1, (char *)msg);
			return;
		}
		wait_for_room();
	}
}

int uk_vprintf(const char *fmt, va_list ap)
{
	char buf[512];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n < 0)
		return n;
	uk_console_write(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	if ((size_t)n >= sizeof(buf))
		uk_console_write("...[truncated]\n", 15);
	return n;
}

int uk_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = uk_vprintf(fmt, ap);
	va_end(ap);
	return n;
}
