/*
 * A disk's capture= log finished from a signal handler (what a second
 * SIGINT/SIGTERM does before _exit: sim_flush_captures_in_signal, which
 * reaches blkback_capture.c): the lines logged and not yet on disk reach
 * the file whole and once each, whatever was already written, and a signal
 * landing anywhere in a busy log leaves every line logged so far, in order,
 * none cut and none twice.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "blkback_fixture.h"
#include "signal_midway.h"

#define RUNS 12 /* signals sent to a busy log */

static char dir[64], image[96], log_path[96];

static int setup(void **state)
{
	strcpy(dir, "/tmp/blkback_capture_signal_test.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(image, sizeof(image), "%s/disk.img", dir);
	snprintf(log_path, sizeof(log_path), "%s/log", dir);
	return blk_image_create(image);
}

static int teardown(void **state)
{
	unlink(log_path);
	unlink(image);
	return rmdir(dir);
}

static int disk_teardown(void **state)
{
	blk_sim_destroy();
	unlink(log_path);
	return 0;
}

/* A simulator with one disk logging to log_path. */
static void disk_with_log(void)
{
	struct sim_fixture_options o = { .seed = 1 };
	struct blkback_config cfg;
	char spec[256], err[512] = "";

	blk_sim_create(&o, 0x200);
	snprintf(spec, sizeof(spec), "vdev=xvda,capture=%s,target=%s", log_path, image);
	if (blkback_config_parse(&cfg, spec, err, sizeof(err)) < 0)
		fail_msg("'%s' refused: %s", spec, err);
	blk_disk_create(&cfg);
}

/* Line seq of the log: the answer to request id seq. */
static void log_line(struct blkback *bb, uint64_t seq)
{
	blkback_capture_response(bb, seq, BLKIF_OP_WRITE, BLKIF_RSP_OKAY);
}

/* Whether line (no newline) is "SECONDS.NANOSECONDS rsp id SEQ write okay". */
static bool line_is(const char *line, uint64_t seq)
{
	char want[64];
	const char *p = line;
	size_t n;

	while (*p >= '0' && *p <= '9')
		p++;
	if (p == line || *p++ != '.')
		return false;
	for (int i = 0; i < 9; i++)
		if (*p < '0' || *p++ > '9')
			return false;
	n = (size_t)snprintf(want, sizeof(want), " rsp id %llu write okay", (unsigned long long)seq);
	return strlen(p) == n && memcmp(p, want, n) == 0;
}

/*
 * The lines of the log after its header, each checked to be line seq for
 * its index; -1 (saying why) if the header is missing, a line is not the
 * next one, or the file does not end on a newline.
 */
static long count_lines_in_order(void)
{
	FILE *f = fopen(log_path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long n = -1;

	if (!f) {
		print_error("%s: cannot open\n", log_path);
		return -1;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] != '\n') {
			print_error("line %ld is cut: '%s'\n", n + 1, line);
			n = -1;
			break;
		}
		line[len - 1] = '\0';
		if (n < 0 ? strncmp(line, "# drydock vbd capture 1: vbd xvda, image ", 41) != 0
			  : !line_is(line, (uint64_t)n)) {
			print_error("line %ld is not the next one: '%s'\n", n + 1, line);
			n = -1;
			break;
		}
		n++;
	}
	if (n < 0 && len <= 0)
		print_error("%s has no header\n", log_path);
	free(line);
	fclose(f);
	return n;
}

static void test_flush_in_signal_writes_the_logged_lines_whole(void **state)
{
	disk_with_log();
	for (uint64_t i = 0; i < 10; i++)
		log_line(fx.bb, i);
	sim_flush_captures_in_signal(fx.sim);
	assert_int_equal(count_lines_in_order(), 10);
	/* The handler _exits next: closing now would write them again, so unlink first. */
	unlink(log_path);
}

static void test_flush_in_signal_after_the_buffer_filled_writes_only_the_rest(void **state)
{
	struct stat st;

	disk_with_log();
	/* About 160 KB of lines: more than any buffer holds, so some are on disk already. */
	for (uint64_t i = 0; i < 5000; i++)
		log_line(fx.bb, i);
	assert_int_equal(stat(log_path, &st), 0);
	assert_true(st.st_size > 0);
	sim_flush_captures_in_signal(fx.sim);
	assert_int_equal(count_lines_in_order(), 5000);
	unlink(log_path);
}

static void test_a_removed_disk_is_out_of_the_handlers_reach(void **state)
{
	disk_with_log();
	for (uint64_t i = 0; i < 10; i++)
		log_line(fx.bb, i);
	blkback_destroy(fx.bb);
	fx.bb = NULL;
	assert_int_equal(count_lines_in_order(), 10);
	sim_flush_captures_in_signal(fx.sim); /* nothing of the disk's left to write */
	assert_int_equal(count_lines_in_order(), 10);
}

/* The child's: what drydock's second-signal handler does with the captures. */
static struct sim *busy;

static void on_term(int sig)
{
	sim_flush_captures_in_signal(busy);
	_exit(0);
}

/* Logs numbered lines until signalled (exit 0); exit 3 if no signal came. */
static void busy_log(int ready_fd, void *arg)
{
	(void)arg;
	struct sigaction sa = { .sa_handler = on_term };

	disk_with_log();
	busy = fx.sim;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL))
		_exit(2);
	for (uint64_t i = 0; i < 50u * 1000 * 1000; i++) {
		log_line(fx.bb, i);
		if (i == 1000 && write(ready_fd, "r", 1) != 1)
			_exit(2);
	}
	_exit(3);
}

static void test_a_signal_anywhere_in_a_busy_log_leaves_every_line_once(void **state)
{
	srand((unsigned int)time(NULL));
	for (int run = 0; run < RUNS; run++) {
		signal_midway(busy_log, NULL);
		assert_true(count_lines_in_order() > 1000);
		unlink(log_path);
	}
}

int main(void)
{
#define T(name) cmocka_unit_test_teardown(name, disk_teardown)
	const struct CMUnitTest tests[] = {
		T(test_flush_in_signal_writes_the_logged_lines_whole),
		T(test_flush_in_signal_after_the_buffer_filled_writes_only_the_rest),
		T(test_a_removed_disk_is_out_of_the_handlers_reach),
		cmocka_unit_test(test_a_signal_anywhere_in_a_busy_log_leaves_every_line_once),
	};
#undef T
	return cmocka_run_group_tests_name("blkback_capture_signal", tests, setup, teardown);
}
