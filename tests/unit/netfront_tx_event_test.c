/*
 * netfront's TX completions (runtime/drivers/netfront/netfront_tx.c) ask for
 * no event: responses are taken in by the next send and by the receive
 * thread, and only a sender waiting for a slot moves rsp_event. So a frame
 * sent costs the guest no event and no wake-up.
 *
 * A booted guest against the simulator's netback with the null backend, as
 * netfront_test.c does it; run with --clock virtual.
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
#include "runtime/include/uk/boot.h"
#include "runtime/gnttab_private.h"
#include "runtime/include/uk/sched.h"
#include "runtime/include/uk/time.h"
#include "sim/domain.h"
#include "sim/sim.h"
#include "sim/backends/vif.h"
#include "sim/xenstored/xs_store.h"

const char uk_app_name[] = "netfront_tx_event_test";

#define MS UK_NSEC_PER_MSEC
#define OPEN_TIMEOUT (5 * UK_NSEC_PER_SEC)
#define TX_SLOTS __CONST_RING_SIZE(netif_tx, 4096)
#define FRAME 64

static struct vif *vif;

static struct netfront *open_vif(void)
{
	struct netfront *nf = NULL;

	assert_int_equal(netfront_open(0, OPEN_TIMEOUT, &nf), 0);
	assert_non_null(nf);
	uk_sleep_ns(10 * MS); /* connected, buffers posted, the opening kick answered */
	return nf;
}

static struct netfront_stats stats_of(struct netfront *nf)
{
	struct netfront_stats st;

	netfront_stats(nf, &st);
	return st;
}

/* The guest's end of vif 0's event channel, as netfront wrote it in xenstore. */
static evtchn_port_t guest_port(void)
{
	char path[96], *value;
	size_t len;
	unsigned long port;

	snprintf(path, sizeof(path), "/local/domain/%u/device/vif/0/event-channel",
		 shim_current()->domid);
	assert_int_equal(xs_store_read(sim_xenstore(shim_current()->sim), path, &value, &len), 0);
	port = strtoul(value, NULL, 10);
	free(value);
	assert_true(port > 0 && port < shim_current()->evtchn.nr_ports);
	return (evtchn_port_t)port;
}

static bool guest_pending(evtchn_port_t port)
{
	const struct shared_info *s = shim_current()->shared_info;
	const unsigned int bits = 8 * sizeof(s->evtchn_pending[0]);

	return (__atomic_load_n(&s->evtchn_pending[port / bits], __ATOMIC_SEQ_CST) >>
		(port % bits)) & 1;
}

static void frame_fill(uint8_t *f, uint8_t seed)
{
	for (size_t i = 0; i < FRAME; i++)
		f[i] = (uint8_t)(seed + i * 7);
}

static void test_sent_frames_raise_no_event_while_the_ring_has_room(void **state)
{
	struct netfront *nf = open_vif();
	evtchn_port_t port = guest_port();
	uint8_t f[FRAME];

	(void)state;
	assert_false(guest_pending(port));
	/* The first response too: the ring starts asking for none. */
	for (unsigned int i = 0; i < 10; i++) {
		frame_fill(f, (uint8_t)i);
		assert_int_equal(netfront_send(nf, f, sizeof(f)), 0);
		/* netback answered inside the notification: no event for it. */
		assert_false(guest_pending(port));
	}
	assert_int_equal(stats_of(nf).tx_frames, 10);
	assert_int_equal(stats_of(nf).tx_errors, 0);
	assert_int_equal(netfront_close(nf), 0);
}

static void test_each_send_takes_the_earlier_responses_in(void **state)
{
	struct netfront *nf = open_vif();
	uint8_t f[FRAME];

	(void)state;
	/* Three rings' worth without a pause: never full, never an event needed. */
	for (unsigned int i = 0; i < 3 * TX_SLOTS; i++) {
		frame_fill(f, (uint8_t)i);
		assert_int_equal(netfront_try_send(nf, f, sizeof(f)), 0);
	}
	assert_int_equal(stats_of(nf).tx_frames, 3 * TX_SLOTS);
	assert_int_equal(stats_of(nf).tx_ring_full, 0);
	assert_int_equal(netfront_close(nf), 0);
}

static int group_setup(void **state)
{
	struct vif_config cfg;
	char err[160];

	(void)state;
	assert_int_equal(gnttab_init(), 0);
	if (vif_config_parse(&cfg, "null,mac=00:16:3e:00:01:00", err, sizeof(err)) < 0 ||
	    vif_create(shim_current(), 0, &cfg, &vif, err, sizeof(err)) < 0)
		fail_msg("vif: %s", err);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	vif_destroy(vif);
	return 0;
}

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sent_frames_raise_no_event_while_the_ring_has_room),
		cmocka_unit_test(test_each_send_takes_the_earlier_responses_in),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
