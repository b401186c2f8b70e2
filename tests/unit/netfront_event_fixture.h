/*
 * What the tests of netfront's events share (netfront_tx_event_test.c,
 * netfront_rx_event_test.c): a booted guest against the simulator's netback
 * with the null backend, as netfront_test.c does it; vif 0 made by the
 * group setup, opened by each test; the guest's end of its event channel
 * read back from xenstore. Run with --clock virtual.
 *
 * Each test file includes this header once, hence the static inline helpers.
 */
#ifndef TESTS_UNIT_NETFRONT_EVENT_FIXTURE_H
#define TESTS_UNIT_NETFRONT_EVENT_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim/xen_abi.h" /* the ring barriers, before <xen/io/netif.h> */
#include <xen/io/netif.h>

#include "hypercall_shim/shim.h"
#include "runtime/include/uk/netfront.h"
#include "runtime/gnttab_private.h"
#include "runtime/include/uk/sched.h"
#include "runtime/include/uk/time.h"
#include "sim/domain.h"
#include "sim/sim.h"
#include "sim/backends/vif.h"
#include "sim/xenstored/xs_store.h"

#define MS UK_NSEC_PER_MSEC
#define OPEN_TIMEOUT (5 * UK_NSEC_PER_SEC)
#define FRAME 64

static struct vif *vif;

static inline struct netfront *open_vif(void)
{
	struct netfront *nf = NULL;

	assert_int_equal(netfront_open(0, OPEN_TIMEOUT, &nf), 0);
	assert_non_null(nf);
	uk_sleep_ns(10 * MS); /* connected, buffers posted, the opening kick answered */
	return nf;
}

static inline struct netfront_stats stats_of(struct netfront *nf)
{
	struct netfront_stats st;

	netfront_stats(nf, &st);
	return st;
}

/* The guest's end of vif 0's event channel, as netfront wrote it in xenstore. */
static inline evtchn_port_t guest_port(void)
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

static inline int group_setup(void **state)
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

static inline int group_teardown(void **state)
{
	(void)state;
	vif_destroy(vif);
	return 0;
}

#endif
