/*
 * pcapng files and long timestamps in the trace reader (traces/pcap_reader.c,
 * issue 10): a pcapng file reads like a pcap file, its 64-bit timestamps
 * whole (they were cut to 32 bits of seconds, and the record size check
 * refused every pcapng record); a classic file's largest second reads as
 * itself; a timestamp past guest time's end (2^64 ns) is an error naming
 * the record. Files are written by hand in a fresh temporary directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "traces/pcap_reader.h"

#define NSEC_PER_SEC 1000000000ULL
#define FRAME 60

struct fixture {
	char dir[64];
	char path[128];
	FILE *fp;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/pcapng_test.XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/t.pcapng", f->dir);
	if (!(f->fp = fopen(f->path, "wb")))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->fp)
		fclose(f->fp);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void put32(FILE *fp, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	assert_int_equal(fwrite(b, 1, 4, fp), 4);
}

/* Section header and one Ethernet interface, microsecond timestamps (the default). */
static void pcapng_head(FILE *fp)
{
	put32(fp, 0x0a0d0d0a), put32(fp, 28), put32(fp, 0x1a2b3c4d), put32(fp, 1);
	put32(fp, 0xffffffff), put32(fp, 0xffffffff), put32(fp, 28);
	put32(fp, 1), put32(fp, 20), put32(fp, 1), put32(fp, 65535), put32(fp, 20);
}

/* An enhanced packet block of FRAME bytes (filled with seed) stamped ts_us. */
static void pcapng_frame(FILE *fp, uint64_t ts_us, uint8_t seed)
{
	uint8_t b[FRAME];

	memset(b, seed, sizeof(b));
	put32(fp, 6), put32(fp, 32 + FRAME), put32(fp, 0);
	put32(fp, (uint32_t)(ts_us >> 32)), put32(fp, (uint32_t)ts_us);
	put32(fp, FRAME), put32(fp, FRAME);
	assert_int_equal(fwrite(b, 1, FRAME, fp), FRAME);
	put32(fp, 32 + FRAME);
}

static struct trace_reader *open_written(struct fixture *f)
{
	struct trace_reader *r = NULL;
	char err[512] = "";

	assert_int_equal(fclose(f->fp), 0);
	f->fp = NULL;
	if (trace_reader_open(f->path, &r, err, sizeof(err)) < 0)
		fail_msg("open: %s", err);
	return r;
}

static void expect_frame(struct trace_reader *r, uint64_t ts_ns, uint8_t seed)
{
	const uint8_t *frame;
	size_t len;
	uint64_t ts;

	int rc = trace_reader_next(r, &frame, &len, &ts);
	if (rc != 1)
		fail_msg("next = %d: %s", rc, trace_reader_error(r));
	assert_int_equal(len, FRAME);
	assert_int_equal(frame[0], seed);
	assert_int_equal(frame[FRAME - 1], seed);
	assert_int_equal(ts, ts_ns);
}

static void a_pcapng_file_reads_its_frames_and_64_bit_timestamps(void **state)
{
	struct fixture *f = *state;
	const uint64_t t0 = 1000ULL * 1000000, t1 = t0 + (1ULL << 32) * 1000000 + 7;
	const uint8_t *frame;
	size_t len;
	uint64_t ts;

	pcapng_head(f->fp);
	pcapng_frame(f->fp, t0, 0x11);
	pcapng_frame(f->fp, t1, 0x22);
	struct trace_reader *r = open_written(f);
	expect_frame(r, t0 * 1000, 0x11);
	expect_frame(r, t1 * 1000, 0x22); /* 2^32 s and 7 us later */
	assert_int_equal(trace_reader_next(r, &frame, &len, &ts), 0);
	assert_int_equal(trace_reader_records(r), 2);
	trace_reader_close(r);
}

static void a_classic_files_last_second_reads_as_itself(void **state)
{
	struct fixture *f = *state;

	/* Little-endian microsecond pcap, Ethernet, one record at 2^32 - 1 s. */
	put32(f->fp, 0xa1b2c3d4), put32(f->fp, 2 | 4u << 16), put32(f->fp, 0);
	put32(f->fp, 0), put32(f->fp, 65535), put32(f->fp, 1);
	uint8_t b[FRAME];
	memset(b, 0x33, sizeof(b));
	put32(f->fp, 0xffffffff), put32(f->fp, 999999), put32(f->fp, FRAME), put32(f->fp, FRAME);
	assert_int_equal(fwrite(b, 1, FRAME, f->fp), FRAME);
	struct trace_reader *r = open_written(f);
	expect_frame(r, 0xffffffffULL * NSEC_PER_SEC + 999999000, 0x33);
	trace_reader_close(r);
}

static void a_timestamp_past_guest_times_end_is_an_error_naming_the_record(void **state)
{
	struct fixture *f = *state;
	const uint8_t *frame;
	size_t len;
	uint64_t ts;

	pcapng_head(f->fp);
	pcapng_frame(f->fp, 1000000, 0x11);
	/* 2^55 us is about 3.6e10 s: beyond 2^64 ns (1.8e10 s). */
	pcapng_frame(f->fp, 1ULL << 55, 0x22);
	struct trace_reader *r = open_written(f);
	expect_frame(r, NSEC_PER_SEC, 0x11);
	assert_int_equal(trace_reader_next(r, &frame, &len, &ts), -EBADMSG);
	if (!strstr(trace_reader_error(r), "t.pcapng: record 2: timestamp 36028797018 s is past "
					   "what guest time can hold"))
		fail_msg("message: %s", trace_reader_error(r));
	trace_reader_close(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_pcapng_file_reads_its_frames_and_64_bit_timestamps,
						setup, teardown),
		cmocka_unit_test_setup_teardown(a_classic_files_last_second_reads_as_itself, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			a_timestamp_past_guest_times_end_is_an_error_naming_the_record, setup,
			teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
