/*
 * A disk's capture= log (sim/backends/blkback_capture.c) keeps a line
 * whole however long it is: its header names the image, whose path may be
 * as long as a path can be, and the sector count that ends the line is
 * what a reader of the log needs most.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blkback_fixture.h"

#define SECTORS 256

/* dir/SUBDIR/disk.img with SUBDIR long enough to take the header past 300 bytes. */
static char dir[64], sub[384], image[512], log_path[96];

static int setup(void **state)
{
	char name[241];
	int fd;

	strcpy(dir, "/tmp/blkback_capture_line_test.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	memset(name, 'd', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(sub, sizeof(sub), "%s/%s", dir, name);
	snprintf(image, sizeof(image), "%s/disk.img", sub);
	snprintf(log_path, sizeof(log_path), "%s/log", dir);
	if (mkdir(sub, 0700) < 0 || (fd = open(image, O_CREAT | O_TRUNC | O_WRONLY, 0600)) < 0)
		return -1;
	if (ftruncate(fd, SECTORS * 512) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	blk_sim_destroy();
	unlink(log_path);
	unlink(image);
	rmdir(sub);
	return rmdir(dir);
}

static void test_a_header_longer_than_256_bytes_is_logged_whole(void **state)
{
	struct sim_fixture_options o = { .seed = 1 };
	struct blkback_config cfg;
	char spec[1024], err[512] = "", want[1024], got[1024] = "";
	FILE *f;

	blk_sim_create(&o, 0x200);
	snprintf(spec, sizeof(spec), "vdev=xvda,capture=%s,target=%s", log_path, image);
	if (blkback_config_parse(&cfg, spec, err, sizeof(err)) < 0)
		fail_msg("'%s' refused: %s", spec, err);
	blk_disk_create(&cfg);
	blkback_destroy(fx.bb); /* the log flushed and closed */
	fx.bb = NULL;

	snprintf(want, sizeof(want),
		 "# drydock vbd capture 1: vbd xvda, image %s, %d sectors of 512 bytes\n", image,
		 SECTORS);
	assert_true(strlen(want) > 300);
	assert_non_null(f = fopen(log_path, "r"));
	assert_non_null(fgets(got, sizeof(got), f));
	fclose(f);
	assert_string_equal(got, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_header_longer_than_256_bytes_is_logged_whole,
						setup, teardown),
	};

	return cmocka_run_group_tests_name("blkback_capture_line", tests, NULL, NULL);
}
