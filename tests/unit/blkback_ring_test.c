/*
 * blkback (sim/backends/blkback*.c) against a frontend played by hand: how
 * a multi-page ring is taken, and the order of overlapping requests and of
 * responses. The simulator runs on the virtual clock with domain 1 and a
 * 1 MiB image; the grant table, ring pages and data pages are in its RAM.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xen/io/xenbus.h>

#include "sim/backends/blkback_private.h"
#include "sim/domain.h"
#include "sim/sim.h"
#include "sim/toolstack/toolstack.h"
#include "sim/xenstored/xs_store.h"

#define DISK_BYTES (1u << 20)
#define SEGS BLKIF_MAX_SEGMENTS_PER_REQUEST /* 11 pages: 44 KiB a request */

/* Guest frames: the grant table, ring pages (one left out), data pages. */
enum { GFN_GNTTAB = 0x200, GFN_RING0 = 0x210, GFN_DATA = 0x300 };
/* Grant refs: ring pages from REF_RING, data pages from REF_DATA. */
enum { REF_RING = 8, REF_DATA = 64 };

struct fixture {
	char dir[64], image[96];
	struct sim *sim;
	struct sim_domain *d;
	struct blkback *bb;
	blkif_front_ring_t ring;
	evtchn_port_t port;
	char fe[96], be[96];
};

static struct fixture fx;

static void *page(xen_pfn_t gfn)
{
	return sim_domain_gfn_to_page(fx.d, gfn);
}

static void grant(grant_ref_t ref, xen_pfn_t gfn)
{
	grant_entry_v1_t *e = (grant_entry_v1_t *)page(GFN_GNTTAB) + ref;

	e->domid = 0;
	e->frame = (uint32_t)gfn;
	__atomic_store_n(&e->flags, GTF_permit_access, __ATOMIC_RELEASE);
}

static void fe_put(const char *key, const char *fmt, ...)
{
	char path[160], value[32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", fx.fe, key);
	assert_int_equal(xs_store_write(sim_xenstore(fx.sim), path, value, strlen(value)), 0);
}

static unsigned long be_state(void)
{
	char path[160], *v;
	size_t len;
	unsigned long s;

	snprintf(path, sizeof(path), "%s/state", fx.be);
	assert_int_equal(xs_store_read(sim_xenstore(fx.sim), path, &v, &len), 0);
	s = strtoul(v, NULL, 10);
	free(v);
	return s;
}

/* A simulator with the disk, up to InitWait; the ring is the test's to offer. */
static int setup(void **state)
{
	struct sim_config sc = { .clock = SIM_CLOCK_VIRTUAL, .console_fd = STDOUT_FILENO,
				 .seed = 1 };
	struct sim_domain_config dc = { .domid = 1, .name = "one", .mem_bytes = 8 << 20 };
	struct blkback_config cfg;
	char spec[160], err[256];
	int fd;

	(void)state;
	memset(&fx, 0, sizeof(fx));
	strcpy(fx.dir, "/tmp/blkback_ring_test.XXXXXX");
	assert_non_null(mkdtemp(fx.dir));
	snprintf(fx.image, sizeof(fx.image), "%s/disk.img", fx.dir);
	assert_true((fd = open(fx.image, O_CREAT | O_TRUNC | O_WRONLY, 0600)) >= 0);
	assert_int_equal(ftruncate(fd, DISK_BYTES), 0);
	close(fd);
	assert_int_equal(sim_create(&fx.sim, &sc), 0);
	assert_int_equal(sim_toolstack_build_domain(fx.sim, &dc, &fx.d), 0);
	sim_gnttab_init(&fx.d->gnttab);
	assert_int_equal(sim_gnttab_place_frame(fx.d, 0, GFN_GNTTAB), 0);
	for (unsigned int i = 0; i < 64; i++)
		grant(REF_DATA + i, GFN_DATA + i);
	snprintf(spec, sizeof(spec), "%s,raw,xvda,rw", fx.image);
	if (blkback_config_parse(&cfg, spec, err, sizeof(err)) < 0 ||
	    blkback_create(fx.d, &cfg, &fx.bb, err, sizeof(err)) < 0)
		fail_msg("%s: %s", spec, err);
	snprintf(fx.be, sizeof(fx.be), "/local/domain/0/backend/vbd/1/%u", fx.bb->cfg.devid);
	snprintf(fx.fe, sizeof(fx.fe), "/local/domain/1/device/vbd/%u", fx.bb->cfg.devid);
	sim_poll(fx.sim);
	assert_int_equal(sim_evtchn_alloc_unbound(fx.d, 0, &fx.port), 0);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	blkback_destroy(fx.bb);
	sim_destroy(fx.sim);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fx.dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Offers a ring of 2^order pages at gfns[] and says Initialised. */
static void offer_ring(unsigned int order, const xen_pfn_t *gfns)
{
	char key[16];

	for (unsigned int i = 0; i < (1u << order); i++) {
		grant(REF_RING + i, gfns[i]);
		snprintf(key, sizeof(key), "ring-ref%u", i);
		fe_put(key, "%u", REF_RING + i);
	}
	SHARED_RING_INIT((blkif_sring_t *)page(gfns[0]));
	FRONT_RING_INIT(&fx.ring, (blkif_sring_t *)page(gfns[0]), (1u << order) * 4096);
	fe_put("ring-page-order", "%u", order);
	fe_put("event-channel", "%u", fx.port);
	fe_put("protocol", "x86_64-abi");
	fe_put("state", "%d", XenbusStateInitialised);
	sim_poll(fx.sim);
}

/* --- a multi-page ring --- */

static void a_ring_on_contiguous_pages_connects(void **state)
{
	const xen_pfn_t gfns[2] = { GFN_RING0, GFN_RING0 + 1 };

	(void)state;
	offer_ring(1, gfns);
	assert_true(blkback_connected(fx.bb));
	assert_int_equal(be_state(), XenbusStateConnected);
}

static void a_ring_on_scattered_pages_is_refused_as_unsupported_not_a_violation(void **state)
{
	const xen_pfn_t gfns[2] = { GFN_RING0, GFN_RING0 + 2 };

	(void)state;
	offer_ring(1, gfns);
	assert_false(blkback_connected(fx.bb));
	assert_int_equal(be_state(), XenbusStateClosing); /* the device refused */
	assert_int_equal(fx.d->violations, 0);            /* Xen allows it */
	assert_false(sim_domain_is_shut_down(fx.d));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(a_ring_on_contiguous_pages_connects),
		T(a_ring_on_scattered_pages_is_refused_as_unsupported_not_a_violation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
