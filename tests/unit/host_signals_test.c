/*
 * drydock's SIGINT/SIGTERM handler (sim/host/signals.c): the second signal
 * writes the captures' buffered records and _exits from inside the handler.
 * A third signal (a SIGTERM after two SIGINTs, a supervisor stopping what a
 * user interrupted) must wait for that handler to end: run inside it, it
 * would write the same records again and exit with its own status.
 *
 * The child here is drydock's handler on a simulator whose disk logs to a
 * FIFO of one page that nobody reads yet, so the second signal's handler is
 * still writing when the third arrives; with a second thread, as libuv's
 * workers are, the kernel gives the third signal to that thread.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "blkback_fixture.h"
#include "hypercall_shim/shim.h"

#define LINES 200 /* about 9 KB: more than the FIFO holds, less than the log's buffer */

static char dir[64], image[96], fifo[96];

static int setup(void **state)
{
	strcpy(dir, "/tmp/host_signals_test.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(image, sizeof(image), "%s/disk.img", dir);
	snprintf(fifo, sizeof(fifo), "%s/log", dir);
	if (mkfifo(fifo, 0600) < 0)
		return -1;
	return blk_image_create(image);
}

static int teardown(void **state)
{
	unlink(fifo);
	unlink(image);
	return rmdir(dir);
}

/* A thread that blocks no signal, as libuv's workers (blkback's I/O) do not. */
static void *idle_thread(void *arg)
{
	for (;;)
		pause();
	return arg;
}

/*
 * The child: a disk logging LINES lines to the FIFO, drydock's handler (and
 * another thread if asked), then waiting.
 */
static _Noreturn void child(int ready_fd, bool other_thread)
{
	pthread_t t;

	struct sim_fixture_options o = { .seed = 1 };
	struct blkback_config cfg;
	char spec[256], err[512] = "";
	int null = open("/dev/null", O_WRONLY);

	if (null < 0 || dup2(null, STDERR_FILENO) < 0) /* the handler's "stopping" line */
		_exit(2);
	blk_sim_create(&o, 0x200);
	snprintf(spec, sizeof(spec), "vdev=xvda,capture=%s,target=%s", fifo, image);
	if (blkback_config_parse(&cfg, spec, err, sizeof(err)) < 0)
		_exit(2);
	blk_disk_create(&cfg);
	if (shim_watch_signals(fx.d) < 0 ||
	    (other_thread && pthread_create(&t, NULL, idle_thread, NULL) != 0))
		_exit(2);
	for (uint64_t i = 0; i < LINES; i++)
		blkback_capture_response(fx.bb, i, BLKIF_OP_WRITE, BLKIF_RSP_OKAY);
	if (write(ready_fd, "r", 1) != 1)
		_exit(2);
	for (;;)
		pause();
}

/*
 * Whether pid has sig pending (not yet handled, or blocked), for the process
 * or for its first thread, the loop's: /proc/PID/status's ShdPnd and SigPnd.
 */
static bool pending(pid_t pid, int sig)
{
	char path[64], line[128];
	unsigned long long shared = 0, own = 0, mask;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "r")))
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "ShdPnd: %llx", &mask) == 1)
			shared = mask;
		else if (sscanf(line, "SigPnd: %llx", &mask) == 1)
			own = mask;
	}
	fclose(f);
	return (shared | own) & (1ull << (sig - 1));
}

/*
 * Sends sig to pid's loop thread and waits (up to 10 s) until its handler
 * has taken it. To the thread, not the process: one the other thread took
 * would be neither pending nor handled while that thread's handler passes
 * it on, and a SIGTERM sent then would be the loop's second signal.
 */
static void send_and_wait_taken(pid_t pid, int sig)
{
	assert_int_equal(tgkill(pid, pid, sig), 0);
	for (int i = 0; i < 1000 && pending(pid, sig); i++)
		usleep(10000);
	assert_false(pending(pid, sig));
}

/* Everything the FIFO gives until its writer is gone (up to 10 s of silence). */
static size_t read_all(int fd, char *buf, size_t size)
{
	size_t got = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t k;

		assert_int_equal(poll(&p, 1, 10000), 1);
		k = read(fd, buf + got, size - got);
		if (k == 0)
			return got;
		assert_true(k > 0);
		got += (size_t)k;
		assert_true(got < size);
	}
}

/* The log: its header, then "T rsp id I write okay" for each I in order, each once. */
static void check_log(char *log)
{
	char *save, *line = strtok_r(log, "\n", &save);
	char want[64];
	uint64_t i = 0;

	assert_non_null(line);
	assert_int_equal(strncmp(line, "# drydock vbd capture 1: vbd xvda, image ", 41), 0);
	while ((line = strtok_r(NULL, "\n", &save))) {
		const char *p = strchr(line, ' ');

		snprintf(want, sizeof(want), " rsp id %llu write okay", (unsigned long long)i);
		if (!p || strcmp(p, want) != 0)
			fail_msg("line %llu: '%s', not the answer to id %llu", (unsigned long long)i + 2,
				 line, (unsigned long long)i);
		i++;
	}
	assert_int_equal(i, LINES);
}

/* Two SIGINTs, then a SIGTERM while the second's handler writes: it must end with 130. */
static void interrupt_twice_then_terminate(bool other_thread)
{
	static char log[256 * 1024];
	int ready[2], rfd, status;
	size_t n;
	char c;
	pid_t pid;

	/* A reader first, so the child's open for writing does not block; one page of room. */
	assert_true((rfd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) >= 0);
	assert_int_equal(fcntl(rfd, F_SETPIPE_SZ, 4096), 4096);
	assert_int_equal(pipe(ready), 0);
	assert_true((pid = fork()) >= 0);
	if (pid == 0) {
		close(rfd);
		close(ready[0]);
		child(ready[1], other_thread);
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);

	send_and_wait_taken(pid, SIGINT);  /* asks the guest to power off */
	send_and_wait_taken(pid, SIGINT);  /* the handler writes the log: blocked on the FIFO */
	assert_int_equal(kill(pid, SIGTERM), 0);
	usleep(100000); /* time for a handler that would interrupt it */
	n = read_all(rfd, log, sizeof(log));
	close(rfd);
	log[n] = '\0';
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 128 + SIGINT);
	assert_true(n > 0 && log[n - 1] == '\n');
	check_log(log);
}

static void test_a_signal_during_the_second_signals_handler_waits_for_it_to_end(void **state)
{
	interrupt_twice_then_terminate(false);
}

/* The kernel gives the SIGTERM the loop's thread blocks to the other thread. */
static void test_a_signal_landing_on_another_thread_waits_for_the_handler_too(void **state)
{
	interrupt_twice_then_terminate(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_signal_during_the_second_signals_handler_waits_for_it_to_end),
		cmocka_unit_test(test_a_signal_landing_on_another_thread_waits_for_the_handler_too),
	};

	return cmocka_run_group_tests_name("host_signals", tests, setup, teardown);
}
