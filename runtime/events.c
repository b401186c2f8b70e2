/*
 * Event channels, guest side: hypercalls to bind and close ports, handler
 * registration, and the 2-level demultiplexer over shared_info
 * (evtchn_upcall_pending -> evtchn_pending_sel -> evtchn_pending & ~mask).
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <xen/event_channel.h>

#include "events_private.h"
#include "uk/exit.h"
#include "uk/hypercall.h"

#define WORD_BITS (sizeof(xen_ulong_t) * 8)
#define NR_PORTS (WORD_BITS * WORD_BITS)

/* Read by events_private.h's inline evtchn_pending and evtchn_dispatch. */
struct shared_info *evtchn_shinfo;
static struct {
	evtchn_handler_t fn;
	void *arg;
} handlers[NR_PORTS];

void evtchn_init(struct shared_info *s)
{
	evtchn_shinfo = s;
	/* Nothing is bound yet: mask every port until a handler is installed. */
	for (unsigned int i = 0; i < WORD_BITS; i++)
		__atomic_store_n(&s->evtchn_mask[i], ~(xen_ulong_t)0, __ATOMIC_SEQ_CST);
}

static void set_bit(xen_ulong_t *words, evtchn_port_t port)
{
	__atomic_fetch_or(&words[port / WORD_BITS], (xen_ulong_t)1 << (port % WORD_BITS),
			  __ATOMIC_SEQ_CST);
}

static void clear_bit(xen_ulong_t *words, evtchn_port_t port)
{
	__atomic_fetch_and(&words[port / WORD_BITS], ~((xen_ulong_t)1 << (port % WORD_BITS)),
			   __ATOMIC_SEQ_CST);
}

static bool test_bit(const xen_ulong_t *words, evtchn_port_t port)
{
	return __atomic_load_n(&words[port / WORD_BITS], __ATOMIC_SEQ_CST) &
	       ((xen_ulong_t)1 << (port % WORD_BITS));
}

void evtchn_mask(evtchn_port_t port)
{
	if (port < NR_PORTS)
		set_bit(evtchn_shinfo->evtchn_mask, port);
}

void evtchn_unmask(evtchn_port_t port)
{
	struct vcpu_info *v = &evtchn_shinfo->vcpu_info[0];

	if (port >= NR_PORTS)
		return;
	clear_bit(evtchn_shinfo->evtchn_mask, port);
	/* An event that arrived while masked is now deliverable: flag it as Xen would. */
	if (test_bit(evtchn_shinfo->evtchn_pending, port)) {
		__atomic_fetch_or(&v->evtchn_pending_sel, (xen_ulong_t)1 << (port / WORD_BITS),
				  __ATOMIC_SEQ_CST);
		__atomic_store_n(&v->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST);
	}
}

void evtchn_clear(evtchn_port_t port)
{
	if (port < NR_PORTS)
		clear_bit(evtchn_shinfo->evtchn_pending, port);
}

int evtchn_bind(evtchn_port_t port, evtchn_handler_t h, void *arg)
{
	if (port == 0 || port >= NR_PORTS)
		return -EINVAL;
	if (handlers[port].fn)
		return -EBUSY;
	handlers[port].fn = h;
	handlers[port].arg = arg;
	evtchn_unmask(port);
	return 0;
}

void evtchn_unbind(evtchn_port_t port)
{
	if (port >= NR_PORTS)
		return;
	evtchn_mask(port);
	handlers[port].fn = NULL;
	handlers[port].arg = NULL;
}

/* Binds a port a hypercall just returned; closes it again if that fails. */
static int bind_new(evtchn_port_t port, evtchn_handler_t h, void *arg, evtchn_port_t *out)
{
	int rc = evtchn_bind(port, h, arg);

	if (rc < 0) {
		struct evtchn_close c = { .port = port };
		HYPERVISOR_event_channel_op(EVTCHNOP_close, &c);
		return rc;
	}
	*out = port;
	return 0;
}

int evtchn_bind_virq(uint32_t virq, evtchn_handler_t h, void *arg, evtchn_port_t *port)
{
	struct evtchn_bind_virq op = { .virq = virq, .vcpu = 0 };
	int rc = (int)HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &op);

	return rc < 0 ? rc : bind_new(op.port, h, arg, port);
}

int evtchn_alloc_unbound(domid_t remote, evtchn_handler_t h, void *arg, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound op = { .dom = DOMID_SELF, .remote_dom = remote };
	int rc = (int)HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &op);

	return rc < 0 ? rc : bind_new(op.port, h, arg, port);
}

int evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port, evtchn_handler_t h,
			    void *arg, evtchn_port_t *port)
{
	struct evtchn_bind_interdomain op = { .remote_dom = remote, .remote_port = remote_port };
	int rc = (int)HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &op);

	return rc < 0 ? rc : bind_new(op.local_port, h, arg, port);
}

int evtchn_send(evtchn_port_t port)
{
	struct evtchn_send op = { .port = port };
	return (int)HYPERVISOR_event_channel_op(EVTCHNOP_send, &op);
}

int evtchn_close(evtchn_port_t port)
{
	struct evtchn_close op = { .port = port };

	evtchn_unbind(port);
	evtchn_clear(port);
	return (int)HYPERVISOR_event_channel_op(EVTCHNOP_close, &op);
}

/*
 * Runs the handlers of one selector word's pending, unmasked ports. si is
 * evtchn_shinfo read once: the atomics below are compiler barriers, after which
 * the global would be loaded again at each use. Nothing is counted: with
 * fewer values live across the handler's call, none is kept on the stack.
 */
static inline void dispatch_word(struct shared_info *si, unsigned int w)
{
	xen_ulong_t *word = &si->evtchn_pending[w];
	xen_ulong_t pending = __atomic_load_n(word, __ATOMIC_SEQ_CST) &
			      ~__atomic_load_n(&si->evtchn_mask[w], __ATOMIC_SEQ_CST);

	while (pending) {
		unsigned int bit = (unsigned int)__builtin_ctzl(pending);
		evtchn_port_t port = w * WORD_BITS + bit;

		pending &= pending - 1;
		/* Clear first, so an event raised by the handler's own work is kept. */
		__atomic_fetch_and(word, ~((xen_ulong_t)1 << bit), __ATOMIC_SEQ_CST);
		if (handlers[port].fn)
			handlers[port].fn(port, handlers[port].arg);
	}
}

/* evtchn_dispatch's work, once an upcall is pending (Linux's __xen_evtchn_do_upcall). */
void evtchn_dispatch_pending(void)
{
	struct shared_info *si = evtchn_shinfo;
	struct vcpu_info *v = &si->vcpu_info[0];

	do {
		__atomic_store_n(&v->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
		xen_ulong_t sel = __atomic_exchange_n(&v->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
		while (sel) {
			unsigned int w = (unsigned int)__builtin_ctzl(sel);
			sel &= sel - 1;
			dispatch_word(si, w);
		}
	} while (__atomic_load_n(&v->evtchn_upcall_pending, __ATOMIC_SEQ_CST));
}
