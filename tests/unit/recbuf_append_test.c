/*
 * traces/recbuf.c on a file opened O_APPEND that already holds something:
 * the records go after what is there, and a signal handler that finds a
 * write in flight (trace_recbuf_flush_in_signal) works out from the file's
 * offset which records are on disk, so it must count from where the file
 * ended, not from the offset 0 an O_APPEND descriptor starts at.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recbuf_fixture.h"

static char path[64];

static int setup(void **state)
{
	int fd;

	strcpy(path, "/tmp/recbuf_append_test.XXXXXX");
	if ((fd = mkstemp(path)) < 0)
		return -1;
	if (write(fd, "old\n", 4) != 4) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static int teardown(void **state)
{
	return unlink(path);
}

static void test_a_handler_during_a_write_to_an_append_only_file_writes_the_rest(void **state)
{
	struct trace_recbuf rb;
	int fd = open(path, O_WRONLY | O_APPEND);

	assert_true(fd >= 0);
	assert_int_equal(trace_recbuf_init(&rb, 64, recbuf_whole_lines), 0);
	trace_recbuf_attach(&rb, fd);
	recbuf_add(&rb, "a\n");
	assert_int_equal(trace_recbuf_flush(&rb), 0);
	recbuf_assert_file_is(path, "old\na\n");
	/* The next drain has said a write is in flight; the signal came before it ran. */
	recbuf_add(&rb, "b\n");
	rb.p.writing = 1;
	trace_recbuf_flush_in_signal(&rb);
	recbuf_assert_file_is(path, "old\na\nb\n");
	trace_recbuf_free(&rb);
	close(fd);
}

static void test_a_handler_after_a_write_to_an_append_only_file_writes_nothing_twice(void **state)
{
	struct trace_recbuf rb;
	int fd = open(path, O_WRONLY | O_APPEND);

	assert_true(fd >= 0);
	assert_int_equal(trace_recbuf_init(&rb, 64, recbuf_whole_lines), 0);
	trace_recbuf_attach(&rb, fd);
	recbuf_add(&rb, "a\n");
	recbuf_add(&rb, "b\n");
	/* The drain's write of "a\n" is done; its result not yet published. */
	rb.p.writing = 1;
	assert_int_equal(write(fd, "a\n", 2), 2);
	trace_recbuf_flush_in_signal(&rb);
	recbuf_assert_file_is(path, "old\na\nb\n");
	trace_recbuf_free(&rb);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_a_handler_during_a_write_to_an_append_only_file_writes_the_rest, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_a_handler_after_a_write_to_an_append_only_file_writes_nothing_twice, setup,
			teardown),
	};

	return cmocka_run_group_tests_name("recbuf_append", tests, NULL, NULL);
}
