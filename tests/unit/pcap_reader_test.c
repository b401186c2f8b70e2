/*
 * Reading pcap files (traces/pcap_reader.c): frames and nanosecond
 * timestamps come back exactly as written; malformed input (truncated
 * header, record or file, oversized records, other link types) stops with
 * a message naming the file and the record; every Ethernet file of the
 * tcpdump corpus reads to its end or to such an error, never a crash.
 *
 * Well-formed files are written with libpcap (pcap_open_dead + pcap_dump),
 * malformed ones by hand, in a fresh temporary directory per test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "traces/pcap_reader.h"

#define NSEC_PER_SEC 1000000000ULL

#include "pcap_file_fixture.h"

/* --- writing test files --- */

static void fill_frame(uint8_t *b, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)(seed + i * 7);
}

/* Writes frames of lens[i] bytes stamped ts_ns[i], with libpcap, at precision. */
static void write_with_libpcap(const char *path, int dlt, u_int precision, const size_t *lens,
			       const uint64_t *ts_ns, size_t n)
{
	pcap_t *dead = pcap_open_dead_with_tstamp_precision(dlt, 65535, precision);
	assert_non_null(dead);
	pcap_dumper_t *d = pcap_dump_open(dead, path);
	assert_non_null(d);
	for (size_t i = 0; i < n; i++) {
		uint8_t buf[2048];
		struct pcap_pkthdr h = { .caplen = (bpf_u_int32)lens[i], .len = (bpf_u_int32)lens[i] };
		uint64_t sub = precision == PCAP_TSTAMP_PRECISION_NANO ? 1 : 1000;
		h.ts.tv_sec = (time_t)(ts_ns[i] / NSEC_PER_SEC);
		h.ts.tv_usec = (suseconds_t)(ts_ns[i] % NSEC_PER_SEC / sub);
		fill_frame(buf, lens[i], (uint8_t)i);
		pcap_dump((u_char *)d, &h, buf);
	}
	pcap_dump_close(d);
	pcap_close(dead);
}

static void put32(FILE *fp, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	assert_int_equal(fwrite(b, 1, 4, fp), 4);
}

/* A little-endian nanosecond pcap file header, by hand. */
static void hand_header(FILE *fp, uint32_t snaplen, uint32_t linktype)
{
	put32(fp, 0xa1b23c4d);
	put32(fp, 2 | 4u << 16); /* version 2.4 */
	put32(fp, 0);
	put32(fp, 0);
	put32(fp, snaplen);
	put32(fp, linktype);
}

/* A record header, then `data` bytes of frame (which may be fewer than caplen). */
static void hand_record(FILE *fp, uint32_t sec, uint32_t nsec, uint32_t caplen, uint32_t len,
			size_t data)
{
	uint8_t buf[4096];

	put32(fp, sec);
	put32(fp, nsec);
	put32(fp, caplen);
	put32(fp, len);
	assert_true(data <= sizeof(buf));
	fill_frame(buf, data, 0x40);
	assert_int_equal(fwrite(buf, 1, data, fp), data);
}

static void truncate_by(const char *path, off_t bytes)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(truncate(path, st.st_size - bytes), 0);
}

static struct trace_reader *open_ok(const char *path)
{
	struct trace_reader *r = NULL;
	char err[512] = "";
	int rc = trace_reader_open(path, &r, err, sizeof(err));

	if (rc < 0)
		fail_msg("trace_reader_open(%s) = %d: %s", path, rc, err);
	return r;
}

static void assert_contains(const char *s, const char *part)
{
	if (!strstr(s, part))
		fail_msg("\"%s\" does not contain \"%s\"", s, part);
}

/* --- well-formed files --- */

static void frames_and_nanosecond_timestamps_read_back_exactly(void **state)
{
	struct fixture *f = *state;
	const size_t lens[] = { 60, 1514, 42 };
	const uint64_t ts[] = { 1700000000ULL * NSEC_PER_SEC + 123456789,
				1700000000ULL * NSEC_PER_SEC + 123456790,
				1700000007ULL * NSEC_PER_SEC + 999999999 };
	const uint8_t *frame;
	size_t len;
	uint64_t t;

	write_with_libpcap(f->path, DLT_EN10MB, PCAP_TSTAMP_PRECISION_NANO, lens, ts, 3);
	struct trace_reader *r = open_ok(f->path);
	for (size_t i = 0; i < 3; i++) {
		uint8_t want[2048];
		assert_int_equal(trace_reader_next(r, &frame, &len, &t), 1);
		assert_int_equal(len, lens[i]);
		assert_int_equal(t, ts[i]);
		fill_frame(want, lens[i], (uint8_t)i);
		assert_memory_equal(frame, want, len);
	}
	assert_int_equal(trace_reader_next(r, &frame, &len, &t), 0);
	assert_int_equal(trace_reader_next(r, &frame, &len, &t), 0);
	assert_int_equal(trace_reader_records(r), 3);
	assert_int_equal(trace_reader_snapped(r), 0);
	assert_string_equal(trace_reader_error(r), "");
	assert_string_equal(trace_reader_path(r), f->path);
	trace_reader_close(r);
}

static void microsecond_files_give_nanoseconds(void **state)
{
	struct fixture *f = *state;
	const size_t lens[] = { 60 };
	const uint64_t ts[] = { 1234ULL * NSEC_PER_SEC + 567890000 };
	const uint8_t *frame;
	size_t len;
	uint64_t t;

	write_with_libpcap(f->path, DLT_EN10MB, PCAP_TSTAMP_PRECISION_MICRO, lens, ts, 1);
	struct trace_reader *r = open_ok(f->path);
	assert_int_equal(trace_reader_next(r, &frame, &len, &t), 1);
	assert_int_equal(t, ts[0]);
	trace_reader_close(r);
}

static void a_file_without_records_ends_at_once(void **state)
{
	struct fixture *f = *state;
	const uint8_t *frame;
	size_t len;
	uint64_t t;

	write_with_libpcap(f->path, DLT_EN10MB, PCAP_TSTAMP_PRECISION_NANO, NULL, NULL, 0);
	struct trace_reader *r = open_ok(f->path);
	assert_int_equal(trace_reader_next(r, &frame, &len, &t), 0);
	assert_int_equal(trace_reader_records(r), 0);
	trace_reader_close(r);
}

static void a_snapped_frame_is_delivered_as_captured_and_counted(void **state)
{
	struct fixture *f = *state;
	FILE *fp = fopen(f->path, "wb");
	const uint8_t *frame;
	size_t len;
	uint64_t t;

	assert_non_null(fp);
	hand_header(fp, 96, 1);
	hand_record(fp, 1, 5, 96, 1514, 96);
	hand_record(fp, 2, 6, 60, 60, 60);
	hand_record(fp, 3, 7, 80, 300, 80);
	fclose(fp);
	struct trace_reader *r = open_ok(f->path);
	assert_int_equal(trace_reader_next(r, &frame, &len, &t), 1);
	assert_int_equal(len, 96);
	assert_int_equal(t, 1 * NSEC_PER_SEC + 5);
	assert_int_equal(trace_reader_snapped(r), 1);
	assert_int_equal(trace_reader_next(r, &frame, &len, &t), 1);
	assert_int_equal(len, 60);
	assert_int_equal(trace_reader_next(r, &frame, &len, &t), 1);
	assert_int_equal(len, 80);
	assert_int_equal(trace_reader_snapped(r), 2);
	assert_int_equal(trace_reader_next(r, &frame, &len, &t), 0);
	trace_reader_close(r);
}

static void a_frame_check_sequence_is_cut_off(void **state)
{
	struct fixture *f = *state;
	FILE *fp = fopen(f->path, "wb");
	const uint8_t *frame;
	size_t len;
	uint64_t t;

	assert_non_null(fp);
	/* Ethernet, FCS present, 2 16-bit words = 4 bytes. */
	hand_header(fp, 65535, 1 | 0x04000000u | 2u << 28);
	hand_record(fp, 0, 0, 64, 64, 64);
	hand_record(fp, 0, 1, 62, 64, 62); /* snapped inside the FCS */
	fclose(fp);
	struct trace_reader *r = open_ok(f->path);
	assert_int_equal(trace_reader_next(r, &frame, &len, &t), 1);
	assert_int_equal(len, 60);
	assert_int_equal(trace_reader_next(r, &frame, &len, &t), 1);
	assert_int_equal(len, 60);
	trace_reader_close(r);
}

/* --- malformed files --- */

static void expect_error_at(struct trace_reader *r, int frames_before, const char *path,
			    const char *record, const char *why)
{
	const uint8_t *frame;
	size_t len;
	uint64_t t;

	for (int i = 0; i < frames_before; i++)
		assert_int_equal(trace_reader_next(r, &frame, &len, &t), 1);
	assert_int_equal(trace_reader_next(r, &frame, &len, &t), -EBADMSG);
	assert_contains(trace_reader_error(r), path);
	assert_contains(trace_reader_error(r), record);
	assert_contains(trace_reader_error(r), why);
	/* The error sticks. */
	assert_int_equal(trace_reader_next(r, &frame, &len, &t), -EBADMSG);
}

static void a_truncated_last_record_is_an_error_naming_it(void **state)
{
	struct fixture *f = *state;
	const size_t lens[] = { 60, 60, 100 };
	const uint64_t ts[] = { 1, 2, 3 };

	write_with_libpcap(f->path, DLT_EN10MB, PCAP_TSTAMP_PRECISION_NANO, lens, ts, 3);
	truncate_by(f->path, 30);
	struct trace_reader *r = open_ok(f->path);
	expect_error_at(r, 2, f->path, "record 3", "truncated");
	assert_int_equal(trace_reader_records(r), 3);
	trace_reader_close(r);
}

static void a_truncated_record_header_is_an_error_naming_it(void **state)
{
	struct fixture *f = *state;
	const size_t lens[] = { 60, 60 };
	const uint64_t ts[] = { 1, 2 };

	write_with_libpcap(f->path, DLT_EN10MB, PCAP_TSTAMP_PRECISION_NANO, lens, ts, 2);
	truncate_by(f->path, 60 + 6); /* 10 of the 16 header bytes stay */
	struct trace_reader *r = open_ok(f->path);
	expect_error_at(r, 1, f->path, "record 2", "truncated");
	trace_reader_close(r);
}

static void a_record_longer_than_the_snap_length_is_an_error(void **state)
{
	struct fixture *f = *state;
	FILE *fp = fopen(f->path, "wb");

	assert_non_null(fp);
	hand_header(fp, 128, 1);
	hand_record(fp, 0, 0, 60, 60, 60);
	hand_record(fp, 0, 0, 200, 200, 200);
	hand_record(fp, 0, 0, 60, 60, 60);
	fclose(fp);
	struct trace_reader *r = open_ok(f->path);
	expect_error_at(r, 1, f->path, "record 2", "200 exceeds the file's snap length 128");
	trace_reader_close(r);
}

static void a_record_longer_than_its_frame_is_an_error(void **state)
{
	struct fixture *f = *state;
	FILE *fp = fopen(f->path, "wb");

	assert_non_null(fp);
	hand_header(fp, 65535, 1);
	hand_record(fp, 0, 0, 100, 60, 100);
	fclose(fp);
	struct trace_reader *r = open_ok(f->path);
	expect_error_at(r, 0, f->path, "record 1", "exceeds the frame's length 60");
	trace_reader_close(r);
}

static void a_huge_record_is_an_error_not_an_allocation(void **state)
{
	struct fixture *f = *state;
	FILE *fp = fopen(f->path, "wb");

	assert_non_null(fp);
	hand_header(fp, 65535, 1);
	hand_record(fp, 0, 0, 0xfffffff0u, 0xfffffff0u, 16);
	fclose(fp);
	struct trace_reader *r = open_ok(f->path);
	expect_error_at(r, 0, f->path, "record 1", "length");
	trace_reader_close(r);
}

static void expect_open_error(const char *path, int want, const char *why)
{
	struct trace_reader *r = NULL;
	char err[512] = "";

	assert_int_equal(trace_reader_open(path, &r, err, sizeof(err)), want);
	assert_null(r);
	assert_contains(err, path);
	assert_contains(err, why);
}

static void a_truncated_file_header_is_refused_at_open(void **state)
{
	struct fixture *f = *state;
	FILE *fp = fopen(f->path, "wb");

	assert_non_null(fp);
	hand_header(fp, 65535, 1);
	fclose(fp);
	truncate_by(f->path, 10);
	expect_open_error(f->path, -EBADMSG, "truncated");
}

static void a_file_that_is_not_pcap_is_refused_at_open(void **state)
{
	struct fixture *f = *state;
	FILE *fp = fopen(f->path, "wb");

	assert_non_null(fp);
	fputs("this is not a capture file, only some text\n", fp);
	fclose(fp);
	expect_open_error(f->path, -EBADMSG, "not a readable pcap file");
}

static void a_missing_file_is_refused_at_open(void **state)
{
	struct fixture *f = *state;

	expect_open_error(f->path, -ENOENT, "No such file");
}

static void another_link_type_is_refused_naming_it(void **state)
{
	struct fixture *f = *state;
	const size_t lens[] = { 40 };
	const uint64_t ts[] = { 1 };

	write_with_libpcap(f->path, DLT_LINUX_SLL, PCAP_TSTAMP_PRECISION_NANO, lens, ts, 1);
	expect_open_error(f->path, -EPROTONOSUPPORT, "link type LINUX_SLL");
}

/* --- the corpus --- */

#ifndef DRYDOCK_CORPUS_DIR
#error "DRYDOCK_CORPUS_DIR must name tests/corpus/pcap (tests/unit/CMakeLists.txt)"
#endif

/* The corpus is part of the repository: a missing one fails the test. */
static void assert_corpus_present(void)
{
	struct stat st;

	if (stat(DRYDOCK_CORPUS_DIR, &st) == 0 && S_ISDIR(st.st_mode))
		return;
	fail_msg("the pcap corpus is not at %s (tests/corpus/pcap in the repository)",
		 DRYDOCK_CORPUS_DIR);
}

static void the_corpus_ipv4_file_is_refused_naming_its_link_type(void **state)
{
	char path[4096];

	(void)state;
	assert_corpus_present();
	snprintf(path, sizeof(path), "%s/LINKTYPE_IPV4.pcap", DRYDOCK_CORPUS_DIR);
	expect_open_error(path, -EPROTONOSUPPORT, "link type IPV4");
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* Reads one corpus file to its end or its error; counts into c[]. */
static void read_corpus_file(const char *path, unsigned int c[4], uint64_t *frames)
{
	struct trace_reader *r = NULL;
	char err[512] = "";
	const uint8_t *frame;
	size_t len;
	uint64_t t;
	int rc = trace_reader_open(path, &r, err, sizeof(err));

	if (rc < 0) {
		assert_contains(err, path);
		c[rc == -EPROTONOSUPPORT ? 1 : 2]++;
		return;
	}
	volatile uint8_t sink = 0;
	while ((rc = trace_reader_next(r, &frame, &len, &t)) == 1) {
		(*frames)++;
		if (len)
			sink ^= frame[0] ^ frame[len - 1]; /* touch the frame's bytes */
	}
	(void)sink;
	if (rc < 0) {
		assert_contains(trace_reader_error(r), path);
		assert_contains(trace_reader_error(r), "record ");
		print_message("  %s\n", trace_reader_error(r));
		c[3]++;
	} else {
		c[0]++;
	}
	trace_reader_close(r);
}

static void every_corpus_file_reads_to_its_end_or_an_error(void **state)
{
	unsigned int c[4] = { 0 }; /* read through, other link type, refused, stopped */
	uint64_t frames = 0;
	char path[4096];
	struct dirent *e;

	(void)state;
	assert_corpus_present();
	DIR *dir = opendir(DRYDOCK_CORPUS_DIR);
	assert_non_null(dir);
	while ((e = readdir(dir))) {
		if (!ends_with(e->d_name, ".pcap"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", DRYDOCK_CORPUS_DIR, e->d_name);
		read_corpus_file(path, c, &frames);
	}
	closedir(dir);
	print_message("  corpus: %u Ethernet files read through (%llu frames), %u stopped at a "
		      "bad record, %u of other link types refused, %u not readable\n",
		      c[0], (unsigned long long)frames, c[3], c[1], c[2]);
	assert_true(c[0] >= 100);
	assert_true(c[1] >= 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(frames_and_nanosecond_timestamps_read_back_exactly,
						setup, teardown),
		cmocka_unit_test_setup_teardown(microsecond_files_give_nanoseconds, setup, teardown),
		cmocka_unit_test_setup_teardown(a_file_without_records_ends_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(a_snapped_frame_is_delivered_as_captured_and_counted,
						setup, teardown),
		cmocka_unit_test_setup_teardown(a_frame_check_sequence_is_cut_off, setup, teardown),
		cmocka_unit_test_setup_teardown(a_truncated_last_record_is_an_error_naming_it, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_truncated_record_header_is_an_error_naming_it,
						setup, teardown),
		cmocka_unit_test_setup_teardown(a_record_longer_than_the_snap_length_is_an_error,
						setup, teardown),
		cmocka_unit_test_setup_teardown(a_record_longer_than_its_frame_is_an_error, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_huge_record_is_an_error_not_an_allocation, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_truncated_file_header_is_refused_at_open, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_file_that_is_not_pcap_is_refused_at_open, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_missing_file_is_refused_at_open, setup, teardown),
		cmocka_unit_test_setup_teardown(another_link_type_is_refused_naming_it, setup,
						teardown),
		cmocka_unit_test(the_corpus_ipv4_file_is_refused_naming_its_link_type),
		cmocka_unit_test(every_corpus_file_reads_to_its_end_or_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
