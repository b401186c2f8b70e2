/*
 * A capture that runs out of room (a full disk, a file size limit) keeps
 * every record that fit, whole: the file ends on its last whole record, so
 * that tcpdump and the project's readers take it without a "truncated dump
 * file" error, whether the main code's flush or a signal handler's
 * (trace_writer_flush_in_signal) hit the end of the room.
 *
 * The room is made with RLIMIT_FSIZE, which cuts a write short and then
 * fails it with EFBIG, as a disk that fills does with ENOSPC, and needs no
 * small file system; SIGXFSZ is ignored meanwhile, as the simulator does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "pcap_file_fixture.h"
#include "traces/pcap_writer.h"

#define FRAME 100
#define RECORD (16 + FRAME)
#define FILE_HDR 24
/* Room for 10 records and a part of the 11th. */
#define ROOM (FILE_HDR + 10 * RECORD + 50)

static struct rlimit saved_fsize;

/* Files of the test process get only ROOM bytes until room_restore. */
static void room_limit(void)
{
	struct rlimit rl;

	assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved_fsize), 0);
	rl = saved_fsize;
	rl.rlim_cur = ROOM;
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
}

static void room_restore(void)
{
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved_fsize), 0);
	signal(SIGXFSZ, SIG_DFL);
}

/* The capture's records, read with libpcap to its end: it must raise no error. */
static int records_in(const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p = pcap_open_offline(path, err);
	int n = 0, rc;

	assert_non_null(p);
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		assert_int_equal(h->caplen, FRAME);
		assert_int_equal(data[0], (uint8_t)n);
		n++;
	}
	if (rc != PCAP_ERROR_BREAK)
		fail_msg("after %d records: %s", n, pcap_geterr(p));
	pcap_close(p);
	return n;
}

static off_t size_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

/* Writes 20 records of FRAME bytes, each frame's first byte its number. */
static void write_records(struct trace_writer *w)
{
	uint8_t frame[FRAME] = { 0 };

	for (int i = 0; i < 20; i++) {
		frame[0] = (uint8_t)i;
		trace_writer_write(w, (uint64_t)i, frame, sizeof(frame));
	}
}

static void test_a_flush_that_runs_out_of_room_leaves_the_whole_records_that_fit(void **state)
{
	struct fixture *f = *state;
	char err[256];
	struct trace_writer *w;
	int rc;

	assert_int_equal(trace_writer_open(&w, f->path, err, sizeof(err)), 0);
	room_limit();
	write_records(w);
	rc = trace_writer_flush(w);
	room_restore();
	assert_int_equal(rc, -EFBIG); /* the write past the limit's errno */
	assert_int_equal(trace_writer_close(w), 0);
	assert_int_equal(size_of(f->path), FILE_HDR + 10 * RECORD);
	assert_int_equal(records_in(f->path), 10);
}

static void test_a_signal_flush_out_of_room_leaves_the_whole_records_that_fit(void **state)
{
	struct fixture *f = *state;
	char err[256];
	struct trace_writer *w;

	assert_int_equal(trace_writer_open(&w, f->path, err, sizeof(err)), 0);
	write_records(w);
	room_limit();
	trace_writer_flush_in_signal(w);
	room_restore();
	assert_int_equal(size_of(f->path), FILE_HDR + 10 * RECORD);
	assert_int_equal(records_in(f->path), 10);
	/* The process would end here (_exit); the writer still closes cleanly in a test. */
	trace_writer_close(w);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_a_flush_that_runs_out_of_room_leaves_the_whole_records_that_fit),
		T(test_a_signal_flush_out_of_room_leaves_the_whole_records_that_fit),
	};
#undef T
	return cmocka_run_group_tests_name("pcap_writer_full", tests, NULL, NULL);
}
