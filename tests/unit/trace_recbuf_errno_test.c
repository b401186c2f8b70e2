/*
 * A capture whose writes fail says why: the buffer (traces/recbuf.c) keeps
 * the first failed write's errno, which a flush returns and the failure
 * line (sim/backends/vif.c, blkback_capture.c) puts in words, so a user
 * can tell a full disk (ENOSPC) from a file size limit (EFBIG,
 * pcap_writer_full_test) or a reader that went away (EPIPE).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "traces/pcap_writer.h"
#include "traces/recbuf.h"

#define RECORD 100

/* Records here are all RECORD bytes. */
static size_t whole_records(const uint8_t *buf, size_t n)
{
	(void)buf;
	return n - n % RECORD;
}

static void put_record(struct trace_recbuf *rb, uint8_t tag)
{
	memset(trace_recbuf_reserve(rb, RECORD), tag, RECORD);
	trace_recbuf_commit(rb, RECORD);
}

/* A pipe whose reader is gone: its write end (writes fail with EPIPE; SIGPIPE ignored). */
static int widowed_pipe(void)
{
	int fds[2];

	assert_int_equal(pipe(fds), 0);
	close(fds[0]);
	return fds[1];
}

static void test_a_write_to_a_full_disk_is_reported_as_enospc(void **state)
{
	struct trace_recbuf rb;
	int fd = open("/dev/full", O_WRONLY);

	(void)state;
	if (fd < 0)
		skip(); /* no /dev/full here */
	assert_int_equal(trace_recbuf_init(&rb, 4 * RECORD, whole_records), 0);
	trace_recbuf_attach(&rb, fd);
	put_record(&rb, 1);
	assert_int_equal(trace_recbuf_flush(&rb), -ENOSPC);
	assert_int_equal(trace_recbuf_flush(&rb), 0); /* said once, then forgotten */
	trace_recbuf_free(&rb);
	close(fd);
}

static void test_a_write_to_a_pipe_without_a_reader_is_reported_as_epipe(void **state)
{
	struct trace_recbuf rb;
	int fd = widowed_pipe();

	(void)state;
	assert_int_equal(trace_recbuf_init(&rb, 4 * RECORD, whole_records), 0);
	trace_recbuf_attach(&rb, fd);
	put_record(&rb, 1);
	assert_int_equal(trace_recbuf_flush(&rb), -EPIPE);
	trace_recbuf_free(&rb);
	close(fd);
}

static void test_the_first_failed_write_since_the_last_flush_is_the_one_reported(void **state)
{
	struct trace_recbuf rb;
	int fd = widowed_pipe(), full = open("/dev/full", O_WRONLY);

	(void)state;
	if (full < 0) {
		close(fd);
		skip();
	}
	assert_int_equal(trace_recbuf_init(&rb, 2 * RECORD, whole_records), 0);
	trace_recbuf_attach(&rb, fd);
	put_record(&rb, 1);
	put_record(&rb, 2);
	put_record(&rb, 3); /* no room: the first two drained, into the pipe (EPIPE) */
	assert_int_equal(dup2(full, fd), fd); /* the same descriptor, now a full disk */
	assert_int_equal(trace_recbuf_flush(&rb), -EPIPE);
	put_record(&rb, 4);
	assert_int_equal(trace_recbuf_flush(&rb), -ENOSPC);
	trace_recbuf_free(&rb);
	close(fd);
	close(full);
}

static void test_a_capture_whose_header_cannot_be_written_says_why(void **state)
{
	struct trace_writer *w;
	char err[256];

	(void)state;
	if (access("/dev/full", W_OK) < 0)
		skip();
	assert_int_equal(trace_writer_open(&w, "/dev/full", err, sizeof(err)), 0);
	assert_int_equal(trace_writer_flush(w), -ENOSPC);
	trace_writer_close(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_write_to_a_full_disk_is_reported_as_enospc),
		cmocka_unit_test(test_a_write_to_a_pipe_without_a_reader_is_reported_as_epipe),
		cmocka_unit_test(test_the_first_failed_write_since_the_last_flush_is_the_one_reported),
		cmocka_unit_test(test_a_capture_whose_header_cannot_be_written_says_why),
	};

	signal(SIGPIPE, SIG_IGN); /* as the simulator does (sim/host/signals.c) */
	return cmocka_run_group_tests_name("trace_recbuf_errno", tests, NULL, NULL);
}
