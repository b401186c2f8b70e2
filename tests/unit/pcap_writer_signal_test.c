/*
 * A capture finished from a signal handler (traces/pcap_writer.c,
 * trace_writer_flush_in_signal, what a second SIGINT/SIGTERM does before
 * _exit): the buffered records reach the file whole and once each, whatever
 * was already written, and a signal landing anywhere in a busy writer (in
 * an append, in a flush) leaves a valid pcap ending on a record boundary
 * with every record written so far, none twice.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pcap_file_fixture.h"
#include "signal_midway.h"
#include "traces/pcap_writer.h"

#define HDR 24u     /* the pcap file header */
#define REC 16u     /* a record header */
#define LEN 60u     /* the frames' length */
#define RUNS 12     /* signals sent to a busy writer */

static int write_seq(struct trace_writer *w, uint32_t seq, size_t len)
{
	uint8_t frame[1600] = { 0 };

	memcpy(frame, &seq, sizeof(seq));
	return trace_writer_write(w, seq, frame, len);
}

/* Records in path, each checked to carry its index as sequence number; -1 if the file is bad. */
static long count_records_in_order(const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO,
							    errbuf);
	long n = 0;
	int rc;

	if (!p) {
		print_error("%s\n", errbuf);
		return -1;
	}
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		uint32_t seq;

		memcpy(&seq, data, sizeof(seq));
		if (seq != (uint32_t)n) {
			print_error("record %ld holds frame %u\n", n, seq);
			break;
		}
		n++;
	}
	if (rc != PCAP_ERROR_BREAK) /* -2: the end of the file, nothing cut */
		print_error("record %ld: %s\n", n, rc == PCAP_ERROR ? pcap_geterr(p) : "out of order");
	pcap_close(p);
	return rc == PCAP_ERROR_BREAK ? n : -1;
}

static off_t file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

static void test_flush_in_signal_writes_the_buffered_records_whole(void **state)
{
	struct fixture *f = *state;
	struct trace_writer *w;
	char err[256];

	assert_int_equal(trace_writer_open(&w, f->path, err, sizeof(err)), 0);
	for (uint32_t i = 0; i < 10; i++)
		assert_int_equal(write_seq(w, i, LEN), 0);
	assert_int_equal(file_size(f->path), HDR); /* all still in memory */
	trace_writer_flush_in_signal(w);
	assert_int_equal(count_records_in_order(f->path), 10);
	assert_int_equal(file_size(f->path), HDR + 10 * (REC + LEN));
	/* The handler _exits next: closing now would write them again, so unlink first. */
	unlink(f->path);
	trace_writer_close(w);
}

static void test_flush_in_signal_after_a_flush_writes_nothing_twice(void **state)
{
	struct fixture *f = *state;
	struct trace_writer *w;
	char err[256];

	assert_int_equal(trace_writer_open(&w, f->path, err, sizeof(err)), 0);
	for (uint32_t i = 0; i < 10; i++)
		assert_int_equal(write_seq(w, i, LEN), 0);
	assert_int_equal(trace_writer_flush(w), 0);
	trace_writer_flush_in_signal(w);
	assert_int_equal(file_size(f->path), HDR + 10 * (REC + LEN));
	for (uint32_t i = 10; i < 15; i++)
		assert_int_equal(write_seq(w, i, LEN), 0);
	trace_writer_flush_in_signal(w);
	assert_int_equal(count_records_in_order(f->path), 15);
	unlink(f->path);
	trace_writer_close(w);
}

static void test_flush_in_signal_after_the_buffer_filled_writes_only_the_rest(void **state)
{
	struct fixture *f = *state;
	struct trace_writer *w;
	char err[256];

	assert_int_equal(trace_writer_open(&w, f->path, err, sizeof(err)), 0);
	/* 300 records of 1516 bytes: more than the 256 KiB buffer, drained once on the way. */
	for (uint32_t i = 0; i < 300; i++)
		assert_int_equal(write_seq(w, i, 1500), 0);
	assert_true(file_size(f->path) > HDR);
	trace_writer_flush_in_signal(w);
	assert_int_equal(count_records_in_order(f->path), 300);
	assert_int_equal(file_size(f->path), HDR + 300 * (REC + 1500));
	unlink(f->path);
	trace_writer_close(w);
}

/* The child's: what drydock's second-signal handler does with a capture. */
static struct trace_writer *busy;

static void on_term(int sig)
{
	trace_writer_flush_in_signal(busy);
	_exit(0);
}

/* Writes numbered records until signalled (exit 0); exit 3 if no signal came. */
static void busy_writer(int ready_fd, void *arg)
{
	const char *path = arg;
	struct sigaction sa = { .sa_handler = on_term };
	char err[256];

	sigemptyset(&sa.sa_mask);
	if (trace_writer_open(&busy, path, err, sizeof(err)) < 0 || sigaction(SIGTERM, &sa, NULL))
		_exit(2);
	for (uint32_t i = 0; i < 50u * 1000 * 1000; i++) {
		if (write_seq(busy, i, LEN) < 0)
			_exit(2);
		/* Flushes at odd moments too, as the loop going idle does. */
		if (i % 997 == 0 && trace_writer_flush(busy) < 0)
			_exit(2);
		if (i == 1000 && write(ready_fd, "r", 1) != 1)
			_exit(2);
	}
	_exit(3);
}

static void test_a_signal_anywhere_in_a_busy_writer_leaves_every_record_once(void **state)
{
	struct fixture *f = *state;

	srand((unsigned int)time(NULL));
	for (int run = 0; run < RUNS; run++) {
		long n;

		signal_midway(busy_writer, f->path);
		n = count_records_in_order(f->path);
		assert_true(n > 1000);
		assert_int_equal(file_size(f->path), HDR + (off_t)n * (REC + LEN));
		unlink(f->path);
	}
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_flush_in_signal_writes_the_buffered_records_whole),
		T(test_flush_in_signal_after_a_flush_writes_nothing_twice),
		T(test_flush_in_signal_after_the_buffer_filled_writes_only_the_rest),
		T(test_a_signal_anywhere_in_a_busy_writer_leaves_every_record_once),
	};
#undef T
	return cmocka_run_group_tests_name("pcap_writer_signal", tests, NULL, NULL);
}
