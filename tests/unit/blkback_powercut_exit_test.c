/*
 * A power cut that cannot be made (its image cannot be rewritten or
 * synced: blkback_powercut.c, cut_failed) ends the process with exit 1,
 * and so does the power-cut log running out of memory. Neither may lose
 * what a normal end keeps (sim_finish): the lines another disk logged
 * (capture=) and has not yet written are in its file after the exit.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "blkback_fixture.h"

static char dir[64], image[96], cut_image[96], log_path[96];

static int setup(void **state)
{
	strcpy(dir, "/tmp/blkback_powercut_exit_test.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(image, sizeof(image), "%s/disk.img", dir);
	snprintf(cut_image, sizeof(cut_image), "%s/cut.img", dir);
	snprintf(log_path, sizeof(log_path), "%s/log", dir);
	return blk_image_create(image) < 0 || blk_image_create(cut_image) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	unlink(log_path);
	unlink(image);
	unlink(cut_image);
	return rmdir(dir);
}

static struct blkback *disk(const char *spec)
{
	struct blkback_config cfg;
	char err[512] = "";

	if (blkback_config_parse(&cfg, spec, err, sizeof(err)) < 0)
		fail_msg("'%s' refused: %s", spec, err);
	blk_disk_create(&cfg);
	return fx.bb;
}

/* Whether the log holds the answer to request id 7. */
static bool log_has_the_line(void)
{
	char buf[4096];
	int fd = open(log_path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return strstr(buf, " rsp id 7 write okay\n") != NULL;
}

static void test_a_failed_power_cut_keeps_another_disks_logged_lines(void **state)
{
	struct sim_fixture_options o = { .seed = 1 };
	struct blkback *logged, *cut;
	char spec[256];
	int status;
	pid_t pid;

	blk_sim_create(&o, 0x200);
	snprintf(spec, sizeof(spec), "vdev=xvda,capture=%s,target=%s", log_path, image);
	logged = disk(spec);
	snprintf(spec, sizeof(spec), "vdev=xvdb,access=rw,powercut=1,target=%s", cut_image);
	cut = disk(spec);
	fx.bb = logged; /* the fixture's to destroy; cut is the test's */
	blkback_capture_response(logged, 7, BLKIF_OP_WRITE, BLKIF_RSP_OKAY);
	assert_false(log_has_the_line()); /* buffered: what this test is about */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct bb_io io = { .bb = cut, .offset = 0, .len = 512, .old = calloc(1, 512) };

		cut->cfg.fd = -1; /* the rewrite or the sync fails: EBADF */
		blkback_wcache_wrote(cut, &io);
		_exit(2); /* the first write was to cut the power */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
	assert_true(log_has_the_line());
	unlink(log_path); /* the teardown's close would write it again */
	blkback_destroy(cut);
	blk_sim_destroy();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_failed_power_cut_keeps_another_disks_logged_lines),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
