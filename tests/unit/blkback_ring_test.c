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

#include "sim/xenstored/xs_store.h"
#include "blkback_fixture.h"

#define DISK_BYTES (1u << 20)
#define SEGS BLKIF_MAX_SEGMENTS_PER_REQUEST /* 11 pages: 44 KiB a request */
#define SECTORS_PER_REQ (SEGS * 8)
#define DATA_PAGES (8 * SEGS) /* for 8 requests in flight */

/* Guest frames: the grant table, ring pages (some left out), data pages. */
enum { GFN_GNTTAB = 0x200, GFN_RING0 = 0x210, GFN_DATA = 0x300 };
/* Grant refs: ring pages from REF_RING, data pages from REF_DATA. */
enum { REF_RING = 8, REF_DATA = 64 };

static char dir[64], image[96]; /* the disk image's */

static void grant(grant_ref_t ref, xen_pfn_t gfn)
{
	sim_fixture_grant(fx.d, GFN_GNTTAB, ref, gfn, false);
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
	struct sim_fixture_options o = { .seed = 1, .console_to_stdout = true,
					 .mem_bytes = 8 << 20 };
	struct blkback_config cfg;
	char spec[160], err[256];
	int fd;

	(void)state;
	strcpy(dir, "/tmp/blkback_ring_test.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(image, sizeof(image), "%s/disk.img", dir);
	assert_true((fd = open(image, O_CREAT | O_TRUNC | O_WRONLY, 0600)) >= 0);
	assert_int_equal(ftruncate(fd, DISK_BYTES), 0);
	close(fd);
	blk_sim_create(&o, GFN_GNTTAB);
	for (unsigned int i = 0; i < DATA_PAGES; i++)
		grant(REF_DATA + i, GFN_DATA + i);
	snprintf(spec, sizeof(spec), "%s,raw,xvda,rw", image);
	if (blkback_config_parse(&cfg, spec, err, sizeof(err)) < 0)
		fail_msg("%s: %s", spec, err);
	blk_disk_create(&cfg);
	assert_int_equal(sim_evtchn_alloc_unbound(fx.d, 0, &fx.port), 0);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	blk_sim_destroy();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
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

static void a_ring_on_scattered_pages_connects(void **state)
{
	const xen_pfn_t gfns[2] = { GFN_RING0, GFN_RING0 + 2 };

	(void)state;
	offer_ring(1, gfns);
	assert_true(blkback_connected(fx.bb));
	assert_int_equal(be_state(), XenbusStateConnected);
	assert_int_equal(fx.bb->nr_ring_pages, 2);
	assert_int_equal(fx.d->violations, 0);
}

/* --- the order of requests and responses --- */

static void connect_one_page_ring(void)
{
	const xen_pfn_t gfn = GFN_RING0;

	offer_ring(0, &gfn);
	assert_true(blkback_connected(fx.bb));
}

/*
 * Queues request id (op, SEGS full pages at sector) on data pages of slot
 * `slot`, a write's pages filled with fill. Pushed by push_all.
 */
static void queue_request(uint64_t id, uint8_t op, uint64_t sector, unsigned int slot,
			  uint8_t fill)
{
	blkif_request_t *rq = RING_GET_REQUEST(&fx.ring, fx.ring.req_prod_pvt);

	memset(rq, 0, sizeof(*rq));
	rq->operation = op;
	rq->nr_segments = SEGS;
	rq->id = id;
	rq->sector_number = sector;
	for (unsigned int i = 0; i < SEGS; i++) {
		rq->seg[i] = (struct blkif_request_segment){ .gref = REF_DATA + slot * SEGS + i,
							     .first_sect = 0, .last_sect = 7 };
		if (op == BLKIF_OP_WRITE)
			memset(page(GFN_DATA + slot * SEGS + i), fill, 4096);
	}
	fx.ring.req_prod_pvt++;
}

/* Pushes what was queued and notifies: blkback takes it all off the ring at once. */
static void push_all(void)
{
	int notify;

	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&fx.ring, notify);
	assert_true(notify);
	assert_int_equal(sim_evtchn_send(fx.d, fx.port), 0);
}

/* Runs the loop until some response is there; how many are there. */
static unsigned int wait_responses(void)
{
	for (int i = 0; i < 100000 && !RING_HAS_UNCONSUMED_RESPONSES(&fx.ring); i++)
		uv_run(sim_loop(fx.sim), UV_RUN_ONCE);
	return RING_HAS_UNCONSUMED_RESPONSES(&fx.ring);
}

static blkif_response_t next_response(void)
{
	assert_true(RING_HAS_UNCONSUMED_RESPONSES(&fx.ring));
	blkif_response_t rsp = *RING_GET_RESPONSE(&fx.ring, fx.ring.rsp_cons);
	fx.ring.rsp_cons++;
	return rsp;
}

/* Waits for n responses, which must come in request order with ids first..first+n-1. */
static void expect_responses_in_order(uint64_t first, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		if (!RING_HAS_UNCONSUMED_RESPONSES(&fx.ring))
			assert_true(wait_responses() > 0);
		blkif_response_t rsp = next_response();
		assert_int_equal(rsp.id, first + i);
		assert_int_equal(rsp.status, BLKIF_RSP_OKAY);
	}
}

static void assert_image_filled(uint64_t sector, uint8_t fill)
{
	uint8_t buf[SECTORS_PER_REQ * 512];
	int fd = open(image, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, sizeof(buf), (off_t)sector * 512), (ssize_t)sizeof(buf));
	close(fd);
	for (size_t i = 0; i < sizeof(buf); i++)
		if (buf[i] != fill)
			fail_msg("byte %zu after sector %llu is %u, want %u", i,
				 (unsigned long long)sector, buf[i], fill);
}

/*
 * Two 44 KiB writes make one batch (up to 128 KiB); a third starts another,
 * which a pool thread could run before the first: when it overwrites the
 * first one's sectors it waits for it instead.
 */
static void a_write_overlapping_one_in_the_pool_waits_for_it(void **state)
{
	(void)state;
	connect_one_page_ring();
	queue_request(1, BLKIF_OP_WRITE, 0, 0, 0x11);
	queue_request(2, BLKIF_OP_WRITE, SECTORS_PER_REQ, 1, 0x22);
	queue_request(3, BLKIF_OP_WRITE, 0, 2, 0x33);
	push_all();
	assert_non_null(fx.bb->queue_head);
	assert_int_equal(fx.bb->queue_head->id, 3);
	assert_int_equal(fx.bb->inflight, 2);
	expect_responses_in_order(1, 3);
	assert_image_filled(0, 0x33); /* the later write last, on every run */
	assert_image_filled(SECTORS_PER_REQ, 0x22);
}

static void a_read_of_sectors_being_written_waits_for_the_write(void **state)
{
	(void)state;
	connect_one_page_ring();
	queue_request(1, BLKIF_OP_WRITE, 0, 0, 0x44);
	queue_request(2, BLKIF_OP_WRITE, SECTORS_PER_REQ, 1, 0x55);
	queue_request(3, BLKIF_OP_READ, SECTORS_PER_REQ / 2, 2, 0);
	push_all();
	assert_non_null(fx.bb->queue_head);
	expect_responses_in_order(1, 3);
	/* Page i of the read holds sectors 44 + 8i..: write 1's below sector 88. */
	for (unsigned int i = 0; i < SEGS; i++)
		assert_int_equal(*(uint8_t *)page(GFN_DATA + 2 * SEGS + i),
				 SECTORS_PER_REQ / 2 + 8 * i < SECTORS_PER_REQ ? 0x44 : 0x55);
}

static void requests_on_other_sectors_run_in_parallel(void **state)
{
	(void)state;
	connect_one_page_ring();
	queue_request(1, BLKIF_OP_WRITE, 0, 0, 1);
	queue_request(2, BLKIF_OP_WRITE, SECTORS_PER_REQ, 1, 2);
	queue_request(3, BLKIF_OP_WRITE, 2 * SECTORS_PER_REQ, 2, 3);
	queue_request(4, BLKIF_OP_READ, 0, 3, 0); /* reads overlapping reads: no order needed */
	queue_request(5, BLKIF_OP_READ, 0, 4, 0);
	push_all();
	/* Request 4 overlaps write 1 and waits; 3 went to a second batch. */
	assert_int_equal(fx.bb->inflight, 3);
	assert_int_equal(fx.bb->queue_head->id, 4);
	expect_responses_in_order(1, 5);
}

/*
 * Under the virtual clock, responses from batches that pool threads finish
 * in any order are pushed together, in request order, once the device's
 * pool work is done: the guest sees the same thing on every run.
 */
static void under_the_virtual_clock_responses_come_together_in_request_order(void **state)
{
	(void)state;
	connect_one_page_ring();
	for (uint64_t round = 0; round < 20; round++) {
		uint64_t first = round * 8 + 1;

		for (unsigned int i = 0; i < 8; i++)
			queue_request(first + i, i % 2 ? BLKIF_OP_READ : BLKIF_OP_WRITE,
				      (uint64_t)i * SECTORS_PER_REQ, i, (uint8_t)(first + i));
		push_all();
		assert_int_equal(wait_responses(), 8); /* all at once */
		assert_int_equal(fx.bb->inflight, 0);
		expect_responses_in_order(first, 8);
	}
}

/* --- a ring on scattered pages, round once --- */

/* The frontend's side of a ring on scattered pages: entry bytes by offset, page by page. */
static const xen_pfn_t scattered[4] = { GFN_RING0 + 6, GFN_RING0, GFN_RING0 + 4, GFN_RING0 + 2 };

static void scattered_copy(size_t off, void *to, const void *from, size_t len, bool into_ring)
{
	for (size_t n; len > 0; off += n, len -= n) {
		uint8_t *p = (uint8_t *)page(scattered[off / 4096]) + off % 4096;

		n = 4096 - off % 4096 < len ? 4096 - off % 4096 : len;
		memcpy(into_ring ? p : to, into_ring ? from : p, n);
		to = (uint8_t *)to + n;
		from = (const uint8_t *)from + n;
	}
}

static size_t scattered_offset(RING_IDX i)
{
	return offsetof(blkif_sring_t, ring) +
	       (i & (RING_SIZE(&fx.ring) - 1)) * sizeof(union blkif_sring_entry);
}

/*
 * A 4-page ring on pages in no order: 128 slots of 112 bytes, so slots 72
 * and 109 straddle two pages. 16 rounds of 8 requests go round it once;
 * each request and response must arrive whole.
 */
static void requests_straddling_scattered_ring_pages_arrive_whole(void **state)
{
	blkif_request_t rq;
	blkif_response_t rsp;

	(void)state;
	offer_ring(2, scattered);
	assert_true(blkback_connected(fx.bb));
	assert_int_equal(RING_SIZE(&fx.ring), 128);
	for (uint64_t round = 0; round < 16; round++) {
		for (unsigned int i = 0; i < 8; i++) {
			memset(&rq, 0, sizeof(rq));
			rq.operation = i % 2 ? BLKIF_OP_READ : BLKIF_OP_WRITE;
			rq.nr_segments = SEGS;
			rq.id = round * 8 + i + 1000;
			rq.sector_number = (uint64_t)i * SECTORS_PER_REQ;
			for (unsigned int j = 0; j < SEGS; j++)
				rq.seg[j] = (struct blkif_request_segment){
					.gref = REF_DATA + i * SEGS + j, .first_sect = 0, .last_sect = 7 };
			scattered_copy(scattered_offset(fx.ring.req_prod_pvt), NULL, &rq, sizeof(rq),
				       true);
			fx.ring.req_prod_pvt++;
		}
		push_all();
		assert_int_equal(wait_responses(), 8);
		for (unsigned int i = 0; i < 8; i++) {
			scattered_copy(scattered_offset(fx.ring.rsp_cons), &rsp, NULL, sizeof(rsp),
				       false);
			fx.ring.rsp_cons++;
			assert_int_equal(rsp.id, round * 8 + i + 1000);
			assert_int_equal(rsp.status, BLKIF_RSP_OKAY);
		}
	}
	assert_int_equal(fx.d->violations, 0);
	assert_int_equal(fx.bb->stats.writes, 64);
	assert_int_equal(fx.bb->stats.reads, 64);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(a_ring_on_contiguous_pages_connects),
		T(a_ring_on_scattered_pages_connects),
		T(requests_straddling_scattered_ring_pages_arrive_whole),
		T(a_write_overlapping_one_in_the_pool_waits_for_it),
		T(a_read_of_sectors_being_written_waits_for_the_write),
		T(requests_on_other_sectors_run_in_parallel),
		T(under_the_virtual_clock_responses_come_together_in_request_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
