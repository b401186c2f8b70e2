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

#include "traces/recbuf.h"

static char path[64];

/* The records here are lines, as a disk's capture= log's. */
static size_t whole_lines(const uint8_t *buf, size_t n)
{
	while (n > 0 && buf[n - 1] != '\n')
		n--;
	return n;
}

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

static void add(struct trace_recbuf *rb, const char *rec)
{
	memcpy(trace_recbuf_reserve(rb, strlen(rec)), rec, strlen(rec));
	trace_recbuf_commit(rb, strlen(rec));
}

static void assert_file_is(const char *want)
{
	char got[64] = "";
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_true(read(fd, got, sizeof(got) - 1) >= 0);
	close(fd);
	assert_string_equal(got, want);
}

/* Opens the file for rb with room for limit bytes in all. */
static int open_limited(struct trace_recbuf *rb, rlim_t limit)
{
	struct rlimit l = { limit, RLIM_INFINITY };
	int fd = open(path, O_WRONLY | O_TRUNC);

	assert_true(fd >= 0);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &l), 0);
	assert_int_equal(trace_recbuf_init(rb, 64, whole_lines), 0);
	trace_recbuf_attach(rb, fd);
	return fd;
}

static void test_a_drain_that_runs_out_of_room_leaves_whole_lines(void **state)
{
	struct trace_recbuf rb;
	int fd = open_limited(&rb, 9);

	add(&rb, "aaa\n");
	add(&rb, "bbb\n");
	add(&rb, "ccc\n");
	/* 9 bytes fit: "aaa\nbbb\nc", then EFBIG. */
	assert_int_equal(trace_recbuf_flush(&rb), -EFBIG);
	assert_file_is("aaa\nbbb\n");
	/* Said once: the next flush, with nothing new, is clean. */
	assert_int_equal(trace_recbuf_flush(&rb), 0);
	trace_recbuf_free(&rb);
	close(fd);
}

static void test_a_handler_that_runs_out_of_room_leaves_whole_lines(void **state)
{
	struct trace_recbuf rb;
	int fd = open_limited(&rb, 10);

	add(&rb, "aaa\n");
	assert_int_equal(trace_recbuf_flush(&rb), 0);
	add(&rb, "bbb\n");
	add(&rb, "ccc\n");
	/* 6 more bytes fit: "bbb\ncc", then EFBIG. */
	trace_recbuf_flush_in_signal(&rb);
	assert_file_is("aaa\nbbb\n");
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
