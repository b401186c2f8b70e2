/*
 * blkfront's in-place grants when the backend misbehaves: it answers a
 * request yet still maps the caller's page. The request fails (the page may
 * still be written), and the grant must not be forgotten: once the backend
 * lets the page go, blkfront revokes it, so a reference to memory the
 * caller has since reused does not stay valid for the backend forever.
 * The backend's late mapping is made here, as dom0, between the request
 * going out and its response being read. Run with --clock virtual --strict.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hypercall_shim/shim.h"
#include "runtime/include/uk/blk.h"
#include "runtime/include/uk/alloc.h"
#include "runtime/include/uk/boot.h"
#include "runtime/include/uk/time.h"
#include "runtime/drivers/blkfront/blkfront_private.h"
#include "runtime/gnttab_private.h"
#include "sim/backends/blkback.h"
#include "sim/domain.h"
#include "sim/gnttab.h"

const char uk_app_name[] = "blk_direct_revoke_test";

#define OPEN_TIMEOUT (5 * UK_NSEC_PER_SEC)
#define PAGE 4096u

static char tmpdir[64];
static struct blkback *disk;

static int group_setup(void **state)
{
	char path[128], spec[256], err[512];
	struct blkback_config cfg;
	int fd;

	assert_int_equal(gnttab_init(), 0);
	strcpy(tmpdir, "/tmp/blk_direct_revoke_test.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(path, sizeof(path), "%s/plain.img", tmpdir);
	if ((fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600)) < 0 || ftruncate(fd, 1 << 20) < 0)
		return -1;
	close(fd);
	snprintf(spec, sizeof(spec), "%s,raw,xvda,rw,indirect=0,ring-order=0", path);
	if (blkback_config_parse(&cfg, spec, err, sizeof(err)) < 0 ||
	    blkback_create(shim_current(), &cfg, &disk, err, sizeof(err)) < 0) {
		fprintf(stderr, "blkback: %s\n", err);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	char cmd[128];

	blkback_destroy(disk);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The in-place grant of the one request blkfront has in flight. */
static grant_ref_t direct_ref_in_flight(const struct uk_blk *b)
{
	for (unsigned int i = 0; i < b->ring_size; i++)
		if (b->shadow[i].busy) {
			assert_int_equal(b->shadow[i].ndirect, 1);
			return b->shadow[i].direct[0];
		}
	fail_msg("no request in flight");
	return 0;
}

static void test_a_grant_the_backend_kept_mapped_is_revoked_once_it_lets_go(void **state)
{
	struct sim_domain *d = shim_current();
	struct uk_blk *b;
	uint8_t *buf = uk_pages_alloc(1), *other = uk_pages_alloc(1);
	struct uk_blk_req req = { .op = UK_BLK_READ, .sector = 0, .count = 8, .buf = buf };
	grant_handle_t handle;
	unsigned int grants;
	grant_ref_t ref;
	void *page;

	assert_non_null(buf);
	assert_non_null(other);
	assert_int_equal(uk_blk_open(0, OPEN_TIMEOUT, &b), 0);
	grants = gnttab_free_count();

	assert_int_equal(uk_blk_submit(b, &req), 0);
	ref = direct_ref_in_flight(b);
	/* The backend, misbehaving: it keeps the caller's page mapped past its answer. */
	assert_int_equal(sim_gnttab_map(d, 0, ref, false, &page, &handle), GNTST_okay);
	assert_int_equal(uk_blk_wait(&req), -EIO);
	assert_int_equal(gnttab_free_count(), grants - 1); /* kept: the page may be written */

	/* It lets go: the next response (or close, at the latest) ends the grant. */
	assert_int_equal(sim_gnttab_unmap(d, handle), GNTST_okay);
	assert_int_equal(uk_blk_read(b, 8, other, 8), 0);
	assert_int_equal(gnttab_free_count(), grants);
	assert_int_not_equal(sim_gnttab_map(d, 0, ref, false, &page, &handle), GNTST_okay);

	/* Kept mapped until close: close revokes it once the backend unmaps. */
	req = (struct uk_blk_req){ .op = UK_BLK_READ, .sector = 16, .count = 8, .buf = buf };
	assert_int_equal(uk_blk_submit(b, &req), 0);
	ref = direct_ref_in_flight(b);
	assert_int_equal(sim_gnttab_map(d, 0, ref, false, &page, &handle), GNTST_okay);
	assert_int_equal(uk_blk_wait(&req), -EIO);
	assert_int_equal(sim_gnttab_unmap(d, handle), GNTST_okay);
	assert_int_equal(uk_blk_close(b), 0);
	assert_int_not_equal(sim_gnttab_map(d, 0, ref, false, &page, &handle), GNTST_okay);
	uk_pages_free(buf, 1);
	uk_pages_free(other, 1);
}

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_grant_the_backend_kept_mapped_is_revoked_once_it_lets_go),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
