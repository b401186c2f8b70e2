/*
 * libFuzzer harness of the xenstore ring transport (sim/xenstored/xs_ring.c)
 * on the real simulator: a guest, careful or hostile, plays SEQUENCES of
 * operations on its xenstore ring page (struct xenstore_domain_interface)
 * and notifies as the hypercall shim would; the toolstack changes the tree
 * in between, firing the guest's watches.
 *
 * The input is a list of records, each one control byte c, by c & 7:
 *   0  one length byte n, then n bytes the guest writes into req[] (what fits)
 *   1  notify (EVTCHNOP_send on the store port: xenstored runs at once)
 *   2  read what rsp[] holds, as a guest would, reassembling messages
 *   3  hostile: move rsp_cons by the next byte * 16
 *   4  hostile: move req_prod by the next byte * 16, then notify
 *   5  reconnect (XENSTORE_RECONNECT, then notify): must come back connected
 *   6  one byte follows, a toolstack action (xs_fuzz_toolstack)
 *   7  run the loop once (deferred connection drops happen here)
 * Checks: while the guest kept the indexes sane, xenstored never overruns
 * rsp[] and everything it writes is a well-formed message
 * (xs_fuzz_check_message); a reconnect always ends connected with the queues
 * empty; the simulator survives every input and frees everything (LeakSanitizer).
 * tests/corpus/xenstore/ring holds seeds (tests/fuzz/xs_seeds.py).
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xen/event_channel.h>
#include <xen/hvm/params.h>
#include <xen/io/xs_wire.h>

#include "sim/domain.h"
#include "sim/evtchn.h"
#include "sim/sim.h"
#include "sim/toolstack/toolstack.h"
#include "sim/xenstored/xs_reader.h"
#include "xs_fuzz_common.h"

struct guest {
	struct sim_domain *d;
	struct xenstore_domain_interface *intf;
	evtchn_port_t port;
	struct xs_reader rsp;  /* replies being reassembled */
	bool dirty;            /* the guest broke the indexes: no checks until a reconnect */
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int devnull = -1;

static void put_bytes(struct guest *g, const uint8_t *p, size_t n)
{
	struct xenstore_domain_interface *intf = g->intf;
	XENSTORE_RING_IDX prod = intf->req_prod;
	XENSTORE_RING_IDX used = prod - intf->req_cons;

	if (used > XENSTORE_RING_SIZE)
		return;
	if (n > XENSTORE_RING_SIZE - used)
		n = XENSTORE_RING_SIZE - used;
	for (size_t i = 0; i < n; i++)
		intf->req[MASK_XENSTORE_IDX(prod++)] = (char)p[i];
	__atomic_store_n(&intf->req_prod, prod, __ATOMIC_RELEASE);
}

static void notify(struct guest *g)
{
	sim_evtchn_send(g->d, g->port);
}

static void read_replies(struct guest *g)
{
	struct xenstore_domain_interface *intf = g->intf;
	XENSTORE_RING_IDX cons = intf->rsp_cons;
	XENSTORE_RING_IDX prod = __atomic_load_n(&intf->rsp_prod, __ATOMIC_ACQUIRE);

	if (g->dirty)
		return;
	if (prod - cons > XENSTORE_RING_SIZE)
		abort(); /* xenstored overran the guest's unread replies */
	while (cons != prod) {
		char c = intf->rsp[MASK_XENSTORE_IDX(cons++)];
		bool whole;

		if (xs_reader_take(&g->rsp, &c, 1, &whole) < 0)
			abort(); /* xenstored sent a message over XENSTORE_PAYLOAD_MAX */
		if (whole)
			xs_fuzz_check_message(&g->rsp.hdr, g->rsp.payload);
	}
	__atomic_store_n(&intf->rsp_cons, cons, __ATOMIC_RELEASE);
}

static void reconnect(struct guest *g)
{
	struct xenstore_domain_interface *intf = g->intf;

	__atomic_store_n(&intf->connection, XENSTORE_RECONNECT, __ATOMIC_RELEASE);
	notify(g);
	if (intf->connection != XENSTORE_CONNECTED || intf->error != XENSTORE_ERROR_NONE ||
	    intf->req_cons != intf->req_prod || intf->rsp_cons != intf->rsp_prod)
		abort();
	memset(&g->rsp, 0, sizeof(g->rsp));
	g->dirty = false;
}

/* The byte after a control byte (0 past the end), consumed. */
static uint8_t next_byte(const uint8_t *data, size_t size, size_t *i)
{
	return *i < size ? data[(*i)++] : 0;
}

static void run(struct sim *sim, struct guest *g, const uint8_t *data, size_t size)
{
	size_t i = 0, n;

	while (i < size) {
		switch (data[i++] & 7) {
		case 0:
			n = next_byte(data, size, &i);
			n = n < size - i ? n : size - i;
			put_bytes(g, data + i, n);
			i += n;
			break;
		case 1:
			notify(g);
			break;
		case 2:
			read_replies(g);
			break;
		case 3:
			g->intf->rsp_cons += (XENSTORE_RING_IDX)next_byte(data, size, &i) * 16;
			g->dirty = true;
			break;
		case 4:
			g->intf->req_prod += (XENSTORE_RING_IDX)next_byte(data, size, &i) * 16;
			g->dirty = true;
			notify(g);
			break;
		case 5:
			reconnect(g);
			break;
		case 6:
			xs_fuzz_toolstack(sim_xenstore(sim), next_byte(data, size, &i));
			break;
		default:
			sim_poll(sim);
			break;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sim_config sc = { .clock = SIM_CLOCK_VIRTUAL };
	struct sim_domain_config dc = { .domid = 1, .name = "fuzz1", .mem_bytes = 4 << 20 };
	struct guest g = { 0 };
	struct sim *sim;

	if (devnull < 0 && (devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0)
		abort();
	sc.console_fd = devnull;
	if (sim_create(&sim, &sc) < 0 || sim_toolstack_build_domain(sim, &dc, &g.d) < 0)
		abort();
	g.intf = sim_domain_gfn_to_page(g.d, g.d->hvm_param[HVM_PARAM_STORE_PFN]);
	g.port = (evtchn_port_t)g.d->hvm_param[HVM_PARAM_STORE_EVTCHN];
	if (!g.intf)
		abort();
	run(sim, &g, data, size);
	sim_destroy(sim);
	return 0;
}
