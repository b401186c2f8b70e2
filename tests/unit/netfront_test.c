/*
 * netfront (net/netfront*.c) against the simulator's netback, inside a
 * booted guest.
 *
 * The runtime only runs booted, so this test is a unikernel (see
 * sched_test.c): app_main runs the CMocka group in the guest's main thread.
 * The vifs' host halves are made from here, through the simulator's API, as
 * the shim's --vif would (vif_config_parse, vif_create: netback and the null
 * backend), except that what the null backend is given is also recorded;
 * vif_deliver hands the guest frames. Guest
 * and simulator share one thread: the simulator runs only while the guest
 * is blocked, so the tests sleep (guest time) to let frames move. Run it
 * with --clock virtual: timeouts then end at exactly their deadline.
 *
 * Every test gives back the guest memory and grant references it took.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/xen_abi.h" /* the ring barriers, before <xen/io/netif.h> */
#include <xen/io/netif.h>

#include "hypercall_shim/shim.h"
#include "runtime/include/uk/netfront.h"
#include "runtime/include/uk/alloc.h"
#include "runtime/include/uk/boot.h"
#include "runtime/drivers/include/uk/drivers/events.h"
#include "runtime/gnttab_private.h"
#include "runtime/include/uk/sched.h"
#include "runtime/include/uk/time.h"
#include "runtime/include/uk/xenbus.h"
#include "sim/domain.h"
#include "sim/backends/netback.h"
#include "sim/sim.h"
#include "sim/backends/vif.h"
#include "sim/xenstored/xs_store.h"

const char uk_app_name[] = "netfront_test";

#define MS UK_NSEC_PER_MSEC
#define OPEN_TIMEOUT (5 * UK_NSEC_PER_SEC)
#define NR_VIFS 2
#define MAX_SEEN 64
#define MAX_TAGS 1024
/* Slots in a one-page TX ring (256 on x86), as netfront and netback size it. */
#define TX_SLOTS __CONST_RING_SIZE(netif_tx, 4096)

/* --- the host half: null-backend vifs whose transmit is recorded --- */

struct seen {
	unsigned int n;
	size_t len[MAX_SEEN];
	uint8_t frame[MAX_SEEN][NETFRONT_MAX_FRAME];
	uint16_t tag[MAX_TAGS];    /* frame_tag() of every frame, for the order */
	unsigned int rx_ready;     /* calls of the backend's rx_ready */
};

static struct seen seen[NR_VIFS];
static struct vif *vifs[NR_VIFS];

/* Bytes 14 and 15 (the first of the payload) carry a frame's sequence number. */
static uint16_t frame_tag(const uint8_t *frame)
{
	return (uint16_t)(frame[14] << 8 | frame[15]);
}

static void rec_transmit(struct vif *v, const uint8_t *frame, size_t len)
{
	struct seen *s = &seen[v->index];

	if (s->n < MAX_SEEN && len <= NETFRONT_MAX_FRAME) {
		memcpy(s->frame[s->n], frame, len);
		s->len[s->n] = len;
	}
	if (s->n < MAX_TAGS && len >= 16)
		s->tag[s->n] = frame_tag(frame);
	s->n++;
}

static const struct vif_backend_ops *null_ops;

static void rec_rx_ready(struct vif *v)
{
	seen[v->index].rx_ready++;
	if (null_ops->rx_ready)
		null_ops->rx_ready(v);
}

static struct vif_backend_ops rec_ops;

static const char *const vif_spec[NR_VIFS] = {
	"null,mac=00:16:3e:00:01:00",
	"null,mac=02:aa:bb:cc:dd:01",
};
static const uint8_t vif_mac[NR_VIFS][6] = {
	{ 0x00, 0x16, 0x3e, 0x00, 0x01, 0x00 },
	{ 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x01 },
};

/* Creates vif index as --vif would, then records what its null backend is given. */
static struct vif *vif_make(unsigned int index)
{
	struct vif_config cfg;
	struct vif *v = NULL;
	char err[160];

	if (vif_config_parse(&cfg, vif_spec[index], err, sizeof(err)) < 0)
		fail_msg("vif_config_parse: %s", err);
	if (vif_create(shim_current(), index, &cfg, &v, err, sizeof(err)) < 0)
		fail_msg("vif_create: %s", err);
	null_ops = v->ops;
	rec_ops = *v->ops;
	rec_ops.transmit = rec_transmit;
	rec_ops.rx_ready = rec_rx_ready;
	v->ops = &rec_ops;
	return v;
}

static void vif_unmake(struct vif *v)
{
	vif_destroy(v);
}

static int deliver(unsigned int index, const uint8_t *frame, size_t len)
{
	return vif_deliver(vifs[index], frame, len);
}

static struct xs_store *store(void)
{
	return sim_xenstore(shim_current()->sim);
}

static void store_write(const char *path, const char *value)
{
	assert_int_equal(xs_store_write(store(), path, value, strlen(value)), 0);
}

/* --- helpers --- */

static void frame_fill(uint8_t *f, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		f[i] = (uint8_t)(seed + i * 7);
}

/* Lets the simulator (and the guest's receive thread) run for a while. */
static void settle(void)
{
	uk_sleep_ns(10 * MS);
}

static struct netfront *open_vif(unsigned int index)
{
	struct netfront *nf = NULL;

	assert_int_equal(netfront_open(index, OPEN_TIMEOUT, &nf), 0);
	assert_non_null(nf);
	return nf;
}

static struct netfront_stats stats_of(struct netfront *nf)
{
	struct netfront_stats st;

	netfront_stats(nf, &st);
	return st;
}

static void frame_tagged(uint8_t *f, size_t len, uint16_t tag)
{
	frame_fill(f, len, (uint8_t)tag);
	f[14] = (uint8_t)(tag >> 8);
	f[15] = (uint8_t)tag;
}

/* Every frame the backend of vif index was given carries tags first, first + 1, ... */
static void assert_tags_in_order(unsigned int index, unsigned int n, uint16_t first)
{
	assert_int_equal(seen[index].n, n);
	for (unsigned int i = 0; i < n && i < MAX_TAGS; i++)
		assert_int_equal(seen[index].tag[i], (uint16_t)(first + i));
}

/*
 * The vif's event channel: the guest's end (netfront's, as it wrote it in
 * xenstore) and the one netback bound in dom0.
 */
static evtchn_port_t guest_port(unsigned int index)
{
	char path[96], *value;
	size_t len;
	unsigned long port;

	snprintf(path, sizeof(path), "/local/domain/%u/device/vif/%u/event-channel",
		 shim_current()->domid, index);
	assert_int_equal(xs_store_read(store(), path, &value, &len), 0);
	port = strtoul(value, NULL, 10);
	free(value);
	assert_true(port > 0 && port < shim_current()->evtchn.nr_ports);
	return (evtchn_port_t)port;
}

static struct sim_domain *dom0(void)
{
	return sim_domain_lookup(shim_current()->sim, 0);
}

static evtchn_port_t backend_port(unsigned int index)
{
	const struct sim_evtchn *c = &shim_current()->evtchn.ports[guest_port(index)];

	assert_int_equal(c->state, EVTCHNSTAT_interdomain);
	assert_int_equal(c->remote_dom, 0);
	return c->remote_port;
}

/* Whether the guest's end of the vif's channel is pending in shared_info. */
static bool guest_pending(evtchn_port_t port)
{
	const struct shared_info *s = shim_current()->shared_info;
	const unsigned int bits = 8 * sizeof(s->evtchn_pending[0]);

	return (__atomic_load_n(&s->evtchn_pending[port / bits], __ATOMIC_SEQ_CST) >>
		(port % bits)) & 1;
}

/*
 * A tap on netback's dom0 port: counts the guest's notifications and passes
 * them on to netback's handler (forward) or holds them back, as a backend
 * that has not been scheduled yet would.
 */
struct tap {
	evtchn_port_t port;
	sim_evtchn_handler_fn fn; /* netback's */
	void *arg;
	bool forward;
	unsigned int count;
};

static struct tap tap;

static void tap_handler(void *arg, evtchn_port_t port)
{
	struct tap *t = arg;

	t->count++;
	if (t->forward)
		t->fn(t->arg, port);
}

static void tap_install(unsigned int index, bool forward)
{
	const struct sim_evtchn *c;

	tap.port = backend_port(index);
	c = &dom0()->evtchn.ports[tap.port];
	assert_non_null(c->handler);
	tap.fn = c->handler;
	tap.arg = c->handler_arg;
	tap.forward = forward;
	tap.count = 0;
	assert_int_equal(sim_evtchn_set_handler(dom0(), tap.port, tap_handler, &tap), 0);
}

/* The notification held back reaches netback at last. */
static void tap_release(void)
{
	tap.fn(tap.arg, tap.port);
}

static void tap_remove(void)
{
	assert_int_equal(sim_evtchn_set_handler(dom0(), tap.port, tap.fn, tap.arg), 0);
	tap.port = 0;
}

/* A second guest thread sending count tagged frames. */
struct sender {
	struct netfront *nf;
	unsigned int count, sent;
	uint16_t first_tag;
	int rc;
	bool done;
};

static int sender_main(void *arg)
{
	struct sender *s = arg;
	uint8_t f[90];

	for (s->sent = 0; s->sent < s->count; s->sent++) {
		frame_tagged(f, sizeof(f), (uint16_t)(s->first_tag + s->sent));
		if ((s->rc = netfront_send(s->nf, f, sizeof(f))) < 0)
			break;
	}
	s->done = true;
	return 0;
}

struct baseline {
	size_t pages_free, heap_blocks;
	unsigned int grants_free;
};

static struct baseline baseline_now(void)
{
	struct uk_mem_stats m;

	uk_mem_stats(&m);
	return (struct baseline){ m.pages_free, m.heap_blocks, gnttab_free_count() };
}

static struct baseline before;

static int setup(void **state)
{
	memset(seen, 0, sizeof(seen));
	before = baseline_now();
	return 0;
}

static int teardown(void **state)
{
	struct baseline after;

	/* A test that failed with its tap on: netback gets its port back. */
	if (tap.port && tap.port < dom0()->evtchn.nr_ports &&
	    dom0()->evtchn.ports[tap.port].handler == tap_handler)
		tap_remove();
	tap.port = 0;
	after = baseline_now();

	assert_int_equal(after.grants_free, before.grants_free);
	assert_int_equal(after.pages_free, before.pages_free);
	assert_int_equal(after.heap_blocks, before.heap_blocks);
	return 0;
}

/* --- tests --- */

static void test_count_is_the_number_of_vifs_in_xenstore(void **state)
{
	assert_int_equal(netfront_count(), NR_VIFS);
}

static void test_open_of_a_missing_vif_is_enoent(void **state)
{
	struct netfront *nf = NULL;

	assert_int_equal(netfront_open(7, OPEN_TIMEOUT, &nf), -ENOENT);
	assert_null(nf);
}

static void test_open_reads_mac_and_mtu(void **state)
{
	struct netfront *nf = open_vif(1);
	uint8_t mac[6];

	netfront_mac(nf, mac);
	assert_memory_equal(mac, vif_mac[1], 6);
	assert_int_equal(netfront_mtu(nf), 1500);
	assert_true(netback_connected(vifs[1]->netback));
	assert_int_equal(netfront_close(nf), 0);
	assert_false(netback_connected(vifs[1]->netback));
}

static void test_send_hands_the_frame_to_the_backend(void **state)
{
	struct netfront *nf = open_vif(0);
	uint8_t f[60];
	struct netfront_stats st;

	frame_fill(f, sizeof(f), 1);
	assert_int_equal(netfront_send(nf, f, sizeof(f)), 0);
	settle();
	assert_int_equal(seen[0].n, 1);
	assert_int_equal(seen[0].len[0], sizeof(f));
	assert_memory_equal(seen[0].frame[0], f, sizeof(f));
	st = stats_of(nf);
	assert_int_equal(st.tx_frames, 1);
	assert_int_equal(st.tx_bytes, sizeof(f));
	assert_int_equal(st.tx_errors, 0);
	assert_int_equal(netfront_close(nf), 0);
}

static void test_send_takes_14_to_1514_bytes_and_refuses_the_rest(void **state)
{
	struct netfront *nf = open_vif(0);
	static uint8_t f[NETFRONT_MAX_FRAME + 1];

	frame_fill(f, sizeof(f), 2);
	assert_int_equal(netfront_send(nf, f, 13), -EMSGSIZE);
	assert_int_equal(netfront_send(nf, f, NETFRONT_MAX_FRAME + 1), -EMSGSIZE);
	assert_int_equal(netfront_send(nf, f, 14), 0);
	assert_int_equal(netfront_send(nf, f, NETFRONT_MAX_FRAME), 0);
	settle();
	assert_int_equal(seen[0].n, 2);
	assert_int_equal(seen[0].len[0], 14);
	assert_int_equal(seen[0].len[1], NETFRONT_MAX_FRAME);
	assert_memory_equal(seen[0].frame[1], f, NETFRONT_MAX_FRAME);
	assert_int_equal(stats_of(nf).tx_errors, 0);
	assert_int_equal(netfront_close(nf), 0);
}

static void test_many_more_frames_than_ring_slots_all_arrive(void **state)
{
	struct netfront *nf = open_vif(0);
	uint8_t f[100];

	for (unsigned int i = 0; i < 1000; i++) {
		frame_fill(f, sizeof(f), (uint8_t)i);
		assert_int_equal(netfront_send(nf, f, sizeof(f)), 0);
	}
	settle();
	assert_int_equal(seen[0].n, 1000);
	assert_int_equal(stats_of(nf).tx_frames, 1000);
	assert_int_equal(stats_of(nf).tx_errors, 0);
	assert_int_equal(netfront_close(nf), 0);
}

static void test_recv_returns_delivered_frames_in_order(void **state)
{
	struct netfront *nf = open_vif(0);
	uint8_t in[3][200], out[NETFRONT_MAX_FRAME];
	struct netfront_stats st;

	settle();
	for (unsigned int i = 0; i < 3; i++) {
		frame_fill(in[i], 64 + 50 * i, (uint8_t)(10 * i));
		assert_int_equal(deliver(0, in[i], 64 + 50 * i), 0);
	}
	for (unsigned int i = 0; i < 3; i++) {
		int n = netfront_recv(nf, out, sizeof(out), uk_now_ns() + 100 * MS);

		assert_int_equal(n, 64 + 50 * i);
		assert_memory_equal(out, in[i], (size_t)n);
	}
	st = stats_of(nf);
	assert_int_equal(st.rx_frames, 3);
	assert_int_equal(st.rx_bytes, 64 + 114 + 164);
	assert_int_equal(st.rx_errors, 0);
	assert_int_equal(st.rx_dropped, 0);
	assert_int_equal(netfront_close(nf), 0);
}

static void test_recv_times_out_at_its_deadline(void **state)
{
	struct netfront *nf = open_vif(0);
	uint8_t out[64];
	uint64_t deadline = uk_now_ns() + 30 * MS;

	assert_int_equal(netfront_recv(nf, out, sizeof(out), deadline), -ETIMEDOUT);
	assert_int_equal(uk_now_ns(), deadline);
	assert_int_equal(netfront_close(nf), 0);
}

static void test_recv_into_a_small_buffer_truncates(void **state)
{
	struct netfront *nf = open_vif(0);
	uint8_t in[100], out[20];

	settle();
	frame_fill(in, sizeof(in), 3);
	assert_int_equal(deliver(0, in, sizeof(in)), 0);
	assert_int_equal(netfront_recv(nf, out, sizeof(out), uk_now_ns() + 100 * MS), 20);
	assert_memory_equal(out, in, 20);
	assert_int_equal(netfront_close(nf), 0);
}

static void test_receive_buffers_are_reposted(void **state)
{
	struct netfront *nf = open_vif(0);
	uint8_t in[64], out[64];

	settle();
	frame_fill(in, sizeof(in), 4);
	/* Three times the ring: each frame is read before the next comes. */
	for (unsigned int i = 0; i < 3 * 256; i++) {
		in[0] = (uint8_t)i;
		assert_int_equal(deliver(0, in, sizeof(in)), 0);
		assert_int_equal(netfront_recv(nf, out, sizeof(out), uk_now_ns() + 100 * MS), 64);
		assert_int_equal(out[0], (uint8_t)i);
	}
	assert_int_equal(stats_of(nf).rx_frames, 3 * 256);
	assert_int_equal(netfront_close(nf), 0);
}

static void test_a_full_receive_queue_drops_and_counts(void **state)
{
	struct netfront *nf = open_vif(0);
	uint8_t in[64], out[64];
	unsigned int delivered = 0;
	struct netfront_stats st;

	settle();
	frame_fill(in, sizeof(in), 5);
	/* 300 frames, 100 at a time so that the buffers come back in between. */
	for (unsigned int round = 0; round < 3; round++) {
		for (unsigned int i = 0; i < 100; i++)
			delivered += deliver(0, in, sizeof(in)) == 0;
		settle();
	}
	assert_int_equal(delivered, 300);
	st = stats_of(nf);
	assert_int_equal(st.rx_frames, 300);
	assert_int_equal(st.rx_dropped, 300 - 256);
	for (unsigned int i = 0; i < 256; i++)
		assert_int_equal(netfront_recv(nf, out, sizeof(out), uk_now_ns() + MS), 64);
	assert_int_equal(netfront_recv(nf, out, sizeof(out), uk_now_ns() + MS), -ETIMEDOUT);
	assert_int_equal(netfront_close(nf), 0);
}

/* The receive callback: answers with the MACs swapped, from the receive thread. */
static void echo(struct netfront *nf, const uint8_t *frame, size_t len, void *arg)
{
	uint8_t out[NETFRONT_MAX_FRAME];
	int *sent = arg;

	memcpy(out, frame + 6, 6);
	memcpy(out + 6, frame, 6);
	memcpy(out + 12, frame + 12, len - 12);
	if (netfront_send(nf, out, len) == 0)
		(*sent)++;
}

static void test_the_receive_callback_gets_frames_and_may_send(void **state)
{
	struct netfront *nf = open_vif(0);
	uint8_t in[80], out[64];
	int sent = 0;

	netfront_set_rx(nf, echo, &sent);
	settle();
	frame_fill(in, sizeof(in), 6);
	assert_int_equal(deliver(0, in, sizeof(in)), 0);
	settle();
	assert_int_equal(sent, 1);
	assert_int_equal(seen[0].n, 1);
	assert_int_equal(seen[0].len[0], sizeof(in));
	assert_memory_equal(seen[0].frame[0], in + 6, 6);
	assert_memory_equal(seen[0].frame[0] + 6, in, 6);
	assert_memory_equal(seen[0].frame[0] + 12, in + 12, sizeof(in) - 12);
	/* Nothing went to the queue. */
	assert_int_equal(netfront_recv(nf, out, sizeof(out), uk_now_ns() + MS), -ETIMEDOUT);
	assert_int_equal(netfront_close(nf), 0);
}

static void test_a_vif_can_be_opened_again_after_close(void **state)
{
	uint8_t f[60];

	frame_fill(f, sizeof(f), 7);
	for (unsigned int i = 0; i < 3; i++) {
		struct netfront *nf = open_vif(0);

		assert_int_equal(netfront_send(nf, f, sizeof(f)), 0);
		settle();
		assert_int_equal(seen[0].n, i + 1);
		assert_int_equal(netfront_close(nf), 0);
	}
}

static void test_two_vifs_work_side_by_side(void **state)
{
	struct netfront *a = open_vif(0), *b = open_vif(1);
	uint8_t f[60], out[64];

	frame_fill(f, sizeof(f), 8);
	assert_int_equal(netfront_send(b, f, sizeof(f)), 0);
	settle();
	assert_int_equal(seen[0].n, 0);
	assert_int_equal(seen[1].n, 1);
	assert_int_equal(deliver(0, f, sizeof(f)), 0);
	assert_int_equal(netfront_recv(a, out, sizeof(out), uk_now_ns() + 100 * MS), 60);
	assert_int_equal(netfront_recv(b, out, sizeof(out), uk_now_ns() + MS), -ETIMEDOUT);
	assert_int_equal(stats_of(a).rx_frames, 1);
	assert_int_equal(stats_of(b).rx_frames, 0);
	assert_int_equal(stats_of(b).tx_frames, 1);
	assert_int_equal(netfront_close(a), 0);
	assert_int_equal(netfront_close(b), 0);
}

/* A vif whose backend directory exists but whose backend never moves from be_state. */
static void fake_vif(unsigned int index, const char *be_state)
{
	domid_t domid = shim_current()->domid;
	/* As libxl: the guest owns its device directory and may read the backend's. */
	const struct xs_perm fe_perms[2] = { { domid, XS_STORE_PERM_NONE },
					     { 0, XS_STORE_PERM_READ } };
	const struct xs_perm be_perms[2] = { { 0, XS_STORE_PERM_NONE },
					     { domid, XS_STORE_PERM_READ } };
	static const char *const fe_keys[][2] = {
		{ "backend-id", "0" }, { "mac", "00:16:3e:00:01:05" }, { "state", "1" },
	};
	char fe[64], be[64], path[96];

	snprintf(fe, sizeof(fe), "/local/domain/%u/device/vif/%u", domid, index);
	snprintf(be, sizeof(be), "/local/domain/0/backend/vif/%u/%u", domid, index);
	assert_int_equal(xs_store_mkdir(store(), fe), 0);
	assert_int_equal(xs_store_set_perms(store(), fe, fe_perms, 2), 0);
	assert_int_equal(xs_store_mkdir(store(), be), 0);
	assert_int_equal(xs_store_set_perms(store(), be, be_perms, 2), 0);
	snprintf(path, sizeof(path), "%s/backend", fe);
	store_write(path, be);
	for (unsigned int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", fe, fe_keys[i][0]);
		store_write(path, fe_keys[i][1]);
	}
	snprintf(path, sizeof(path), "%s/state", be);
	store_write(path, be_state);
	snprintf(path, sizeof(path), "%s/feature-rx-copy", be);
	store_write(path, "1");
}

static void fake_vif_remove(unsigned int index)
{
	char path[64];
	domid_t domid = shim_current()->domid;

	snprintf(path, sizeof(path), "/local/domain/%u/device/vif/%u", domid, index);
	xs_store_rm(store(), path);
	snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%u/%u", domid, index);
	xs_store_rm(store(), path);
}

static void test_open_times_out_when_the_backend_never_connects(void **state)
{
	struct netfront *nf = NULL;
	uint64_t start;

	fake_vif(5, "1");
	start = uk_now_ns();
	assert_int_equal(netfront_open(5, 200 * MS, &nf), -ETIMEDOUT);
	assert_null(nf);
	assert_int_equal(uk_now_ns() - start, 200 * MS);
	fake_vif_remove(5);
}

static void test_open_fails_when_the_backend_is_closed(void **state)
{
	struct netfront *nf = NULL;

	fake_vif(5, "6");
	assert_int_equal(netfront_open(5, 200 * MS, &nf), -ENODEV);
	assert_null(nf);
	fake_vif_remove(5);
}

static void test_a_backend_that_goes_away_stops_the_device(void **state)
{
	struct netfront *nf = open_vif(1);
	uint8_t f[60];

	frame_fill(f, sizeof(f), 9);
	vif_unmake(vifs[1]);
	vifs[1] = NULL;
	settle();
	assert_int_equal(netfront_send(nf, f, sizeof(f)), -ENOTCONN);
	assert_int_equal(netfront_recv(nf, f, sizeof(f), 0), -ENOTCONN);
	assert_int_equal(netfront_close(nf), 0);
	vifs[1] = vif_make(1);
}

static void close_from_callback(struct netfront *nf, const uint8_t *frame, size_t len,
				void *arg)
{
	*(int *)arg = netfront_close(nf);
}

static void test_the_receive_callback_cannot_close_its_own_vif(void **state)
{
	struct netfront *nf = open_vif(0);
	uint8_t in[60];
	int rc = 0;

	netfront_set_rx(nf, close_from_callback, &rc);
	settle();
	frame_fill(in, sizeof(in), 10);
	assert_int_equal(deliver(0, in, sizeof(in)), 0);
	settle();
	assert_int_equal(rc, -EDEADLK);
	assert_int_equal(netfront_close(nf), 0);
}

static void test_a_sender_blocks_on_a_full_tx_ring_and_loses_nothing(void **state)
{
	struct netfront *nf = open_vif(0);
	struct sender s = { .nf = nf, .count = TX_SLOTS + 10 };
	struct uk_thread *t;
	struct netfront_stats st;

	settle();
	tap_install(0, false); /* netback does not run: the ring fills */
	assert_non_null(t = uk_thread_create("sender", sender_main, &s));
	settle();
	/* The ring holds TX_SLOTS requests; the next send waits, it does not fail. */
	assert_false(s.done);
	assert_int_equal(s.sent, TX_SLOTS);
	st = stats_of(nf);
	assert_int_equal(st.tx_frames, TX_SLOTS);
	assert_int_equal(st.tx_ring_full, 1);
	assert_int_equal(seen[0].n, 0);
	/* Only the first request crossed netback's req_event. */
	assert_int_equal(tap.count, 1);
	settle();
	assert_false(s.done);
	assert_int_equal(s.sent, TX_SLOTS);

	/* The backend runs: it takes the whole ring at once and answers. */
	tap_remove();
	tap_release();
	assert_tags_in_order(0, TX_SLOTS, 0);
	settle();
	assert_true(s.done);
	assert_int_equal(s.rc, 0);
	assert_int_equal(uk_thread_join(t), 0);
	assert_int_equal(s.sent, TX_SLOTS + 10);
	assert_tags_in_order(0, TX_SLOTS + 10, 0);
	for (unsigned int i = 0; i < MAX_SEEN; i++)
		assert_int_equal(seen[0].len[i], 90);
	st = stats_of(nf);
	assert_int_equal(st.tx_frames, TX_SLOTS + 10);
	assert_int_equal(st.tx_ring_full, 1);
	assert_int_equal(st.tx_errors, 0);
	assert_int_equal(netfront_close(nf), 0);
}

static void test_a_tx_burst_notifies_an_idle_backend_once(void **state)
{
	struct netfront *nf = open_vif(0);
	uint8_t f[70];
	uint16_t tag = 0;

	settle();
	/* Netback not scheduled: ten pushes, one notification (the one crossing req_event). */
	tap_install(0, false);
	for (unsigned int i = 0; i < 10; i++) {
		frame_tagged(f, sizeof(f), tag++);
		assert_int_equal(netfront_send(nf, f, sizeof(f)), 0);
	}
	assert_int_equal(tap.count, 1);
	assert_int_equal(seen[0].n, 0);
	tap_release();
	assert_tags_in_order(0, 10, 0);
	/* Having emptied the ring netback asks again: the next burst notifies once more. */
	for (unsigned int i = 0; i < 10; i++) {
		frame_tagged(f, sizeof(f), tag++);
		assert_int_equal(netfront_send(nf, f, sizeof(f)), 0);
	}
	assert_int_equal(tap.count, 2);
	assert_int_equal(seen[0].n, 10);
	tap_release();
	assert_tags_in_order(0, 20, 0);
	/* A backend that runs at every notification re-arms each time: one per frame. */
	tap.forward = true;
	tap.count = 0;
	for (unsigned int i = 0; i < 5; i++) {
		frame_tagged(f, sizeof(f), tag++);
		assert_int_equal(netfront_send(nf, f, sizeof(f)), 0);
		assert_int_equal(tap.count, i + 1);
		assert_int_equal(seen[0].n, 21 + i);
	}
	tap_remove();
	settle();
	assert_tags_in_order(0, 25, 0);
	assert_int_equal(stats_of(nf).tx_frames, 25);
	assert_int_equal(stats_of(nf).tx_errors, 0);
	assert_int_equal(netfront_close(nf), 0);
}

/* Delivers count tagged frames without letting the guest run; returns the events raised. */
static unsigned int deliver_burst(evtchn_port_t gport, unsigned int count, uint16_t first_tag,
				  unsigned int *first_event)
{
	uint8_t f[64];
	unsigned int events = 0;

	for (unsigned int i = 0; i < count; i++) {
		frame_tagged(f, sizeof(f), (uint16_t)(first_tag + i));
		assert_int_equal(deliver(0, f, sizeof(f)), 0);
		if (guest_pending(gport)) {
			if (events++ == 0)
				*first_event = i;
			evtchn_clear(gport); /* so that a second event would show */
		}
	}
	return events;
}

/* Delivers count tagged frames, leaving the guest's events to it. */
static void deliver_tagged(unsigned int count, uint16_t first_tag)
{
	uint8_t f[64];

	for (unsigned int i = 0; i < count; i++) {
		frame_tagged(f, sizeof(f), (uint16_t)(first_tag + i));
		assert_int_equal(deliver(0, f, sizeof(f)), 0);
	}
}

static void recv_tags_in_order(struct netfront *nf, unsigned int count, uint16_t first_tag)
{
	uint8_t out[64];

	for (unsigned int i = 0; i < count; i++) {
		assert_int_equal(netfront_recv(nf, out, sizeof(out), uk_now_ns() + 100 * MS), 64);
		assert_int_equal(frame_tag(out), (uint16_t)(first_tag + i));
	}
}

static void test_an_rx_burst_raises_one_event_for_a_waiting_guest(void **state)
{
	struct netfront *nf = open_vif(0);
	evtchn_port_t gport = guest_port(0);
	unsigned int first = ~0u;

	settle();
	assert_false(guest_pending(gport));
	assert_int_equal(deliver_burst(gport, 10, 0, &first), 1);
	assert_int_equal(first, 0);
	assert_int_equal(stats_of(nf).rx_frames, 0); /* the guest has not run */
	/* Give back the event taken from the guest. */
	sim_evtchn_raise(shim_current(), gport);
	recv_tags_in_order(nf, 10, 0);
	settle();
	/* The receive thread asked again (rsp_event) before it slept: one more event. */
	first = ~0u;
	assert_int_equal(deliver_burst(gport, 10, 10, &first), 1);
	assert_int_equal(first, 0);
	sim_evtchn_raise(shim_current(), gport);
	recv_tags_in_order(nf, 10, 10);
	assert_int_equal(stats_of(nf).rx_frames, 20);
	assert_int_equal(stats_of(nf).rx_errors, 0);
	assert_int_equal(netfront_close(nf), 0);
}

static void test_reposted_rx_buffers_notify_only_a_backend_that_ran_out(void **state)
{
	struct netfront *nf = open_vif(0);
	uint8_t f[64];

	settle();
	tap_install(0, true);
	/* Buffers to spare: reposting them tells netback nothing. */
	deliver_tagged(10, 0);
	settle();
	assert_int_equal(stats_of(nf).rx_frames, 10);
	assert_int_equal(tap.count, 0);
	recv_tags_in_order(nf, 10, 0);
	/* Every buffer used: netback asks to be told (req_event) of the next one. */
	deliver_tagged(256, 10);
	frame_tagged(f, sizeof(f), 0xffff);
	assert_int_equal(deliver(0, f, sizeof(f)), -ENOBUFS);
	assert_false(vif_rx_ready(vifs[0]));
	assert_int_equal(seen[0].rx_ready, 0);
	settle();
	/* 256 buffers reposted one by one; only the first crossed req_event. */
	assert_int_equal(tap.count, 1);
	assert_int_equal(seen[0].rx_ready, 1);
	assert_true(vif_rx_ready(vifs[0]));
	tap_remove();
	recv_tags_in_order(nf, 256, 10);
	assert_int_equal(stats_of(nf).rx_frames, 266);
	assert_int_equal(stats_of(nf).rx_dropped, 0);
	assert_int_equal(netfront_close(nf), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

static int group_setup(void **state)
{
	/* Idempotent; boot does it once the grant table is wired into it. */
	assert_int_equal(gnttab_init(), 0);
	for (unsigned int i = 0; i < NR_VIFS; i++)
		vifs[i] = vif_make(i);
	return 0;
}

static int group_teardown(void **state)
{
	for (unsigned int i = 0; i < NR_VIFS; i++)
		if (vifs[i])
			vif_unmake(vifs[i]);
	return 0;
}

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_count_is_the_number_of_vifs_in_xenstore),
		T(test_open_of_a_missing_vif_is_enoent),
		T(test_open_reads_mac_and_mtu),
		T(test_send_hands_the_frame_to_the_backend),
		T(test_send_takes_14_to_1514_bytes_and_refuses_the_rest),
		T(test_many_more_frames_than_ring_slots_all_arrive),
		T(test_a_sender_blocks_on_a_full_tx_ring_and_loses_nothing),
		T(test_a_tx_burst_notifies_an_idle_backend_once),
		T(test_recv_returns_delivered_frames_in_order),
		T(test_recv_times_out_at_its_deadline),
		T(test_recv_into_a_small_buffer_truncates),
		T(test_receive_buffers_are_reposted),
		T(test_a_full_receive_queue_drops_and_counts),
		T(test_an_rx_burst_raises_one_event_for_a_waiting_guest),
		T(test_reposted_rx_buffers_notify_only_a_backend_that_ran_out),
		T(test_the_receive_callback_gets_frames_and_may_send),
		T(test_the_receive_callback_cannot_close_its_own_vif),
		T(test_a_vif_can_be_opened_again_after_close),
		T(test_two_vifs_work_side_by_side),
		T(test_open_times_out_when_the_backend_never_connects),
		T(test_open_fails_when_the_backend_is_closed),
		T(test_a_backend_that_goes_away_stops_the_device),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
