/*
 * For tests of what a SIGTERM handler leaves in a file it was writing
 * (pcap_writer_signal_test, blkback_capture_signal_test): a forked writer
 * says it is busy with one byte on its pipe, and SIGTERM lands 0 to 20 ms
 * later, anywhere in its writing. Include after <cmocka.h>.
 */
#ifndef TESTS_UNIT_SIGNAL_MIDWAY_H
#define TESTS_UNIT_SIGNAL_MIDWAY_H

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Forks busy(ready_fd, arg), which writes a byte to ready_fd once it is
 * busy and never returns; signals it as above and asserts that its handler
 * ended it with exit status 0.
 */
static void signal_midway(void (*busy)(int ready_fd, void *arg), void *arg)
{
	int fds[2], status;
	char c;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	assert_true((pid = fork()) >= 0);
	if (pid == 0) {
		close(fds[0]);
		busy(fds[1], arg);
		_exit(3);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &c, 1), 1);
	close(fds[0]);
	usleep((useconds_t)(rand() % 20000));
	assert_int_equal(kill(pid, SIGTERM), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

#endif
