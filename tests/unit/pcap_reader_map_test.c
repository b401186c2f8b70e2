/*
 * A classic pcap file read from its mapping (trace_reader_map, the walk of
 * traces/pcap_walk.h) against the same file read through libpcap: the same
 * frames, timestamps, counts, progress and, for every malformed record
 * (truncated header or body, over the snap length, over libpcap's maximum,
 * longer than on the wire), the same error and message. Files it must not
 * take stay with libpcap. A file truncated while mapped is an error, not a
 * SIGBUS. Files are written by hand, in a fresh temporary directory per test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "traces/pcap_reader.h"
#include "traces/trace_map.h"

#define NSEC_PER_SEC 1000000000ULL

#include "pcap_file_fixture.h"

/* --- writing files by hand --- */

struct file_kind {
	bool big_endian, nsec;
	uint32_t snaplen;
	uint16_t minor;    /* version 2.minor */
	uint32_t linktype; /* 1: Ethernet */
};

static const struct file_kind plain = { false, false, 65535, 4, 1 };

static void put32(FILE *fp, uint32_t v, bool big_endian)
{
	uint8_t b[4];

	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(big_endian ? v >> (24 - 8 * i) : v >> (8 * i));
	assert_int_equal(fwrite(b, 1, 4, fp), 4);
}

static void put16(FILE *fp, uint16_t v, bool big_endian)
{
	uint8_t b[2] = { (uint8_t)(big_endian ? v >> 8 : v), (uint8_t)(big_endian ? v : v >> 8) };

	assert_int_equal(fwrite(b, 1, 2, fp), 2);
}

static FILE *file_start(const char *path, const struct file_kind *k)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	put32(fp, k->nsec ? 0xa1b23c4d : 0xa1b2c3d4, k->big_endian);
	put16(fp, 2, k->big_endian);
	put16(fp, k->minor, k->big_endian);
	put32(fp, 0, k->big_endian);
	put32(fp, 0, k->big_endian);
	put32(fp, k->snaplen, k->big_endian);
	put32(fp, k->linktype, k->big_endian);
	return fp;
}

/* A record header, then `body` bytes of its frame (fewer than caplen: cut short). */
static void file_rec(FILE *fp, const struct file_kind *k, uint32_t sec, uint32_t frac,
		     uint32_t caplen, uint32_t wire, uint32_t body)
{
	put32(fp, sec, k->big_endian);
	put32(fp, frac, k->big_endian);
	put32(fp, caplen, k->big_endian);
	put32(fp, wire, k->big_endian);
	for (uint32_t i = 0; i < body; i++)
		assert_int_equal(fputc((int)((sec + i * 13) & 0xff), fp), (int)((sec + i * 13) & 0xff));
}

static void file_end(FILE *fp)
{
	assert_int_equal(fclose(fp), 0);
}

/* --- reading both ways --- */

static struct trace_reader *open_reader(const char *path, bool map)
{
	struct trace_reader *r = NULL;
	char err[512] = "";

	assert_int_equal(trace_reader_open(path, &r, err, sizeof(err)), 0);
	if (map) {
		assert_int_equal(trace_reader_map(r), 1);
		assert_true(trace_reader_mapped(r));
	}
	return r;
}

/*
 * Reads path both ways to the end or the first error, checking each record
 * alike; returns the last status, with the mapped reader's error in msg.
 */
static int read_both(const char *path, char *msg, size_t size, uint64_t *records)
{
	struct trace_reader *a = open_reader(path, false), *b = open_reader(path, true);
	const uint8_t *fa, *fb;
	uint64_t ta, tb, da, db, sa, sb;
	size_t la, lb;
	int ra, rb;

	assert_false(trace_reader_mapped(a));
	do {
		ra = trace_reader_next(a, &fa, &la, &ta);
		rb = trace_reader_next(b, &fb, &lb, &tb);
		assert_int_equal(rb, ra);
		if (ra == 1) {
			assert_int_equal(lb, la);
			assert_int_equal(tb, ta);
			assert_memory_equal(fb, fa, la);
		}
		assert_int_equal(trace_reader_records(b), trace_reader_records(a));
		assert_int_equal(trace_reader_snapped(b), trace_reader_snapped(a));
		if (ra >= 0) {
			assert_int_equal(trace_reader_progress(a, &da, &sa), 0);
			assert_int_equal(trace_reader_progress(b, &db, &sb), 0);
			assert_int_equal(db, da);
			assert_int_equal(sb, sa);
		}
	} while (ra == 1);
	assert_string_equal(trace_reader_error(b), trace_reader_error(a));
	snprintf(msg, size, "%s", trace_reader_error(b));
	*records = trace_reader_records(b);
	trace_reader_close(a);
	trace_reader_close(b);
	return rb;
}


static void test_mapped_reads_the_frames_times_and_counts_libpcap_reads(void **state)
{
	struct fixture *f = *state;
	const struct file_kind kinds[] = {
		{ false, false, 65535, 4, 1 }, { true, false, 65535, 4, 1 },
		{ false, true, 1500, 4, 1 },   { true, true, 0, 4, 1 }, /* 0: libpcap's maximum */
	};
	char msg[512];
	uint64_t records;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		const struct file_kind *k = &kinds[i];
		FILE *fp = file_start(f->path, k);

		file_rec(fp, k, 1700000000, 999999, 60, 60, 60);
		file_rec(fp, k, 1700000001, 5, 0, 0, 0);          /* zero-length */
		file_rec(fp, k, 1700000001, 6, 54, 1514, 54);     /* captured short */
		file_rec(fp, k, 0xffffffffu, 7000000, 1500, 1500, 1500); /* a garbage fraction */
		file_rec(fp, k, 3, 0, 1, 1, 1);
		file_end(fp);
		assert_int_equal(read_both(f->path, msg, sizeof(msg), &records), 0);
		assert_string_equal(msg, "");
		assert_int_equal(records, 5);
	}
}

static void test_the_frames_are_handed_in_place_and_stay_valid_until_close(void **state)
{
	struct fixture *f = *state;
	FILE *fp = file_start(f->path, &plain);
	struct trace_reader *r;
	const uint8_t *first, *second;
	uint8_t copy[60];
	uint64_t ts;
	size_t len;

	file_rec(fp, &plain, 10, 0, 60, 60, 60);
	file_rec(fp, &plain, 11, 0, 70, 70, 70);
	file_end(fp);
	r = open_reader(f->path, true);
	assert_int_equal(trace_reader_next(r, &first, &len, &ts), 1);
	assert_int_equal(len, 60);
	assert_int_equal(ts, 10 * NSEC_PER_SEC);
	memcpy(copy, first, sizeof(copy));
	assert_int_equal(trace_reader_next(r, &second, &len, &ts), 1);
	/* In the file: the second frame follows the first's bytes and its 16-byte header. */
	assert_ptr_equal(second, first + 60 + 16);
	assert_memory_equal(first, copy, sizeof(copy));
	assert_int_equal(trace_reader_next(r, &second, &len, &ts), 0);
	trace_reader_close(r);
}

/* Writes one good record, then what `bad` writes; both ways say the same of record 2. */
static void check_bad_record(struct fixture *f, const struct file_kind *k,
			     void (*bad)(FILE *fp, const struct file_kind *k), const char *said)
{
	FILE *fp = file_start(f->path, k);
	char msg[512], want[256];
	uint64_t records;

	file_rec(fp, k, 10, 0, 60, 60, 60);
	bad(fp, k);
	file_end(fp);
	assert_int_equal(read_both(f->path, msg, sizeof(msg), &records), -EBADMSG);
	assert_int_equal(records, 2);
	snprintf(want, sizeof(want), "%s: record 2: %s", f->path, said);
	assert_string_equal(msg, want);
}

static void bad_header(FILE *fp, const struct file_kind *k)
{
	put32(fp, 11, k->big_endian);
	put16(fp, 0, k->big_endian);
	assert_int_equal(fputc(0, fp), 0);
}

static void bad_body(FILE *fp, const struct file_kind *k)
{
	file_rec(fp, k, 11, 0, 100, 100, 40);
}

static void bad_over_snaplen(FILE *fp, const struct file_kind *k)
{
	file_rec(fp, k, 11, 0, 200, 200, 200);
}

static void bad_over_snaplen_cut(FILE *fp, const struct file_kind *k)
{
	file_rec(fp, k, 11, 0, 5000, 5000, 3000);
}

static void bad_over_snaplen_cut_in_snap(FILE *fp, const struct file_kind *k)
{
	file_rec(fp, k, 11, 0, 5000, 5000, 100);
}

static void bad_over_maximum(FILE *fp, const struct file_kind *k)
{
	file_rec(fp, k, 11, 0, 300000, 300000, 16);
}

static void bad_over_wire(FILE *fp, const struct file_kind *k)
{
	file_rec(fp, k, 11, 0, 80, 60, 80);
}

static void test_a_truncated_record_header_is_libpcap_s_error(void **state)
{
	check_bad_record(*state, &plain, bad_header,
			 "truncated dump file; tried to read 16 header bytes, only got 7");
}

static void test_a_truncated_record_body_is_libpcap_s_error(void **state)
{
	check_bad_record(*state, &plain, bad_body,
			 "truncated dump file; tried to read 100 captured bytes, only got 40");
}

static void test_a_record_over_the_snap_length_is_the_reader_s_error(void **state)
{
	const struct file_kind k = { true, true, 128, 4, 1 };

	check_bad_record(*state, &k, bad_over_snaplen,
			 "captured length 200 exceeds the file's snap length 128");
}

static void test_a_cut_record_over_the_snap_length_is_libpcap_s_error(void **state)
{
	const struct file_kind k = { false, false, 1500, 4, 1 };

	check_bad_record(*state, &k, bad_over_snaplen_cut,
			 "truncated dump file; tried to read 5000 captured bytes, only got 3000");
	check_bad_record(*state, &k, bad_over_snaplen_cut_in_snap,
			 "truncated dump file; tried to read 1500 captured bytes, only got 100");
}

static void test_a_record_over_libpcap_s_maximum_is_libpcap_s_error(void **state)
{
	check_bad_record(*state, &plain, bad_over_maximum,
			 "invalid packet capture length 300000, bigger than snaplen of 65535");
}

/* A snap length over libpcap's maximum: libpcap keeps it, and refuses a record over the maximum. */
static void test_a_record_over_libpcap_s_maximum_under_the_snap_length_is_libpcap_s_error(
	void **state)
{
	const struct file_kind k = { true, false, 302043233, 4, 1 };

	check_bad_record(*state, &k, bad_over_maximum,
			 "invalid packet capture length 300000, bigger than maximum of 262144");
}

static void test_a_record_captured_longer_than_on_the_wire_is_the_reader_s_error(void **state)
{
	check_bad_record(*state, &plain, bad_over_wire,
			 "captured length 80 exceeds the frame's length 60");
}

static void test_a_file_of_no_record_ends_at_once(void **state)
{
	struct fixture *f = *state;
	char msg[512];
	uint64_t records;

	file_end(file_start(f->path, &plain));
	assert_int_equal(read_both(f->path, msg, sizeof(msg), &records), 0);
	assert_int_equal(records, 0);
}

/* What the walk must not take is left to libpcap: trace_reader_map says 0. */
static void test_files_the_walk_does_not_take_stay_with_libpcap(void **state)
{
	struct fixture *f = *state;
	const struct file_kind old = { false, false, 65535, 3, 1 };    /* lengths maybe swapped */
	const struct file_kind fcs = { false, false, 65535, 4, 0x14000001 }; /* 4-byte FCS */
	const struct file_kind *kinds[] = { &old, &fcs };
	struct trace_reader *r;
	char err[512];

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		FILE *fp = file_start(f->path, kinds[i]);
		file_rec(fp, kinds[i], 10, 0, 60, 60, 60);
		file_end(fp);
		assert_int_equal(trace_reader_open(f->path, &r, err, sizeof(err)), 0);
		assert_int_equal(trace_reader_map(r), 0);
		assert_false(trace_reader_mapped(r));
		trace_reader_close(r);
	}
}

/* A pipe (or a device) is not mapped: whoever asked reads it instead. */
static void test_a_pipe_is_not_mapped(void **state)
{
	struct trace_map m;
	int fds[2];

	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], "\xd4\xc3\xb2\xa1", 4), 4);
	assert_int_equal(trace_map_fd(&m, fds[0]), 0);
	assert_null(m.p);
	trace_map_close(&m);
	close(fds[0]);
	close(fds[1]);
	(void)state;
}

static void test_map_is_refused_once_records_were_read(void **state)
{
	struct fixture *f = *state;
	FILE *fp = file_start(f->path, &plain);
	struct trace_reader *r;
	const uint8_t *frame;
	uint64_t ts;
	size_t len;

	file_rec(fp, &plain, 10, 0, 60, 60, 60);
	file_rec(fp, &plain, 11, 0, 60, 60, 60);
	file_end(fp);
	r = open_reader(f->path, false);
	assert_int_equal(trace_reader_next(r, &frame, &len, &ts), 1);
	assert_int_equal(trace_reader_map(r), 0);
	assert_int_equal(trace_reader_next(r, &frame, &len, &ts), 1);
	assert_int_equal(trace_reader_next(r, &frame, &len, &ts), 0);
	trace_reader_close(r);
}

/* As sim/host/fault.c's SIGBUS handler: a fault in a mapped trace goes on. */
static void on_bus(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (trace_map_fault(si->si_addr))
		return;
	signal(sig, SIG_DFL); /* not a trace's: the fault it is */
}

/* A file of frames over several pages, mapped, with on_bus as the SIGBUS handler. */
static struct trace_reader *open_big(struct fixture *f, struct sigaction *old)
{
	struct sigaction sa = { .sa_sigaction = on_bus, .sa_flags = SA_SIGINFO };
	FILE *fp = file_start(f->path, &plain);

	for (uint32_t i = 0; i < 64; i++)
		file_rec(fp, &plain, 10 + i, 0, 1000, 1000, 1000);
	file_end(fp);
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGBUS, &sa, old), 0);
	return open_reader(f->path, true);
}

static void test_a_file_truncated_while_read_is_an_error_not_a_bus_error(void **state)
{
	struct fixture *f = *state;
	struct sigaction old;
	struct trace_reader *r = open_big(f, &old);
	const uint8_t *frame;
	char want[256];
	uint64_t ts;
	size_t len;
	int here;

	/* An address of no mapped trace is left to the crash it is. */
	assert_false(trace_map_fault(&here));
	assert_int_equal(trace_reader_next(r, &frame, &len, &ts), 1);
	assert_int_equal(trace_reader_next(r, &frame, &len, &ts), 1);
	assert_int_equal(truncate(f->path, 0), 0);
	assert_int_equal(trace_reader_next(r, &frame, &len, &ts), -EIO);
	snprintf(want, sizeof(want), "%s: record 3: the file was truncated while it was read",
		 f->path);
	assert_string_equal(trace_reader_error(r), want);
	/* Sticky, as every error of the reader's. */
	assert_int_equal(trace_reader_next(r, &frame, &len, &ts), -EIO);
	trace_reader_close(r);
	assert_int_equal(sigaction(SIGBUS, &old, NULL), 0);
}

static void test_a_frame_truncated_before_it_is_fed_is_an_error(void **state)
{
	struct fixture *f = *state;
	struct sigaction old;
	struct trace_reader *r = open_big(f, &old);
	const uint8_t *frame;
	char want[256];
	uint64_t ts;
	size_t len;

	for (int i = 0; i < 10; i++)
		assert_int_equal(trace_reader_next(r, &frame, &len, &ts), 1);
	assert_int_equal(trace_reader_check_frame(r, frame, len), 0);
	assert_int_equal(truncate(f->path, 4096), 0); /* record 10 lies past 9 * 1016 + 24 */
	assert_int_equal(trace_reader_check_frame(r, frame, len), -EIO);
	snprintf(want, sizeof(want), "%s: record 10: the file was truncated while it was read",
		 f->path);
	assert_string_equal(trace_reader_error(r), want);
	assert_int_equal(trace_reader_next(r, &frame, &len, &ts), -EIO);
	trace_reader_close(r);
	assert_int_equal(sigaction(SIGBUS, &old, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_mapped_reads_the_frames_times_and_counts_libpcap_reads),
		T(test_the_frames_are_handed_in_place_and_stay_valid_until_close),
		T(test_a_truncated_record_header_is_libpcap_s_error),
		T(test_a_truncated_record_body_is_libpcap_s_error),
		T(test_a_record_over_the_snap_length_is_the_reader_s_error),
		T(test_a_cut_record_over_the_snap_length_is_libpcap_s_error),
		T(test_a_record_over_libpcap_s_maximum_is_libpcap_s_error),
		T(test_a_record_over_libpcap_s_maximum_under_the_snap_length_is_libpcap_s_error),
		T(test_a_record_captured_longer_than_on_the_wire_is_the_reader_s_error),
		T(test_a_file_of_no_record_ends_at_once),
		T(test_files_the_walk_does_not_take_stay_with_libpcap),
		T(test_a_pipe_is_not_mapped),
		T(test_map_is_refused_once_records_were_read),
		T(test_a_file_truncated_while_read_is_an_error_not_a_bus_error),
		T(test_a_frame_truncated_before_it_is_fed_is_an_error),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
