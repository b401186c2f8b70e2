/*
 * traces/recbuf.c on a file that runs out of room: the file is cut back to
 * its last whole record, whichever of the main code's drain or a signal
 * handler's flush met the end, and the failure is reported once. The room
 * is a file size limit (RLIMIT_FSIZE, with SIGXFSZ ignored as the simulator
 * ignores it): write(2) then writes up to the limit and fails with EFBIG,
 * as a full disk writes what fits and fails with ENOSPC.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "recbuf_fixture.h"

static char path[64];

static int setup(void **state)
{
	int fd;

	strcpy(path, "/tmp/recbuf_cut_test.XXXXXX");
	if ((fd = mkstemp(path)) < 0)
		return -1;
	return close(fd);
}

static int teardown(void **state)
{
	struct rlimit none = { RLIM_INFINITY, RLIM_INFINITY };

	setrlimit(RLIMIT_FSIZE, &none);
	return unlink(path);
}

/* Opens the file for rb with room for limit bytes in all. */
static int open_limited(struct trace_recbuf *rb, rlim_t limit)
{
	struct rlimit l = { limit, RLIM_INFINITY };
	int fd = open(path, O_WRONLY | O_TRUNC);

	assert_true(fd >= 0);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &l), 0);
	assert_int_equal(trace_recbuf_init(rb, 64, recbuf_whole_lines), 0);
	trace_recbuf_attach(rb, fd);
	return fd;
}

static void test_a_drain_that_runs_out_of_room_leaves_whole_lines(void **state)
{
	struct trace_recbuf rb;
	int fd = open_limited(&rb, 9);

	recbuf_add(&rb, "aaa\n");
	recbuf_add(&rb, "bbb\n");
	recbuf_add(&rb, "ccc\n");
	/* 9 bytes fit: "aaa\nbbb\nc", then EFBIG. */
	assert_int_equal(trace_recbuf_flush(&rb), -EFBIG);
	recbuf_assert_file_is(path, "aaa\nbbb\n");
	/* Said once: the next flush, with nothing new, is clean. */
	assert_int_equal(trace_recbuf_flush(&rb), 0);
	trace_recbuf_free(&rb);
	close(fd);
}

static void test_a_handler_that_runs_out_of_room_leaves_whole_lines(void **state)
{
	struct trace_recbuf rb;
	int fd = open_limited(&rb, 10);

	recbuf_add(&rb, "aaa\n");
	assert_int_equal(trace_recbuf_flush(&rb), 0);
	recbuf_add(&rb, "bbb\n");
	recbuf_add(&rb, "ccc\n");
	/* 6 more bytes fit: "bbb\ncc", then EFBIG. */
	trace_recbuf_flush_in_signal(&rb);
	recbuf_assert_file_is(path, "aaa\nbbb\n");
	trace_recbuf_free(&rb);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_drain_that_runs_out_of_room_leaves_whole_lines,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_handler_that_runs_out_of_room_leaves_whole_lines,
						setup, teardown),
	};

	/* The simulator's choice (sim/host/signals.c): past the limit, EFBIG, not death. */
	signal(SIGXFSZ, SIG_IGN);
	return cmocka_run_group_tests_name("recbuf_cut", tests, NULL, NULL);
}
