/*
 * pcapng files and long timestamps in the trace reader (traces/pcap_reader.c,
 * issue 10): a pcapng file reads like a pcap file, its 64-bit timestamps
 * whole (they were cut to 32 bits of seconds, and the record size check
 * refused every pcapng record); a classic file's largest second reads as
 * itself; a timestamp past guest time's end (2^64 ns) is an error naming
 * the record. Files are written by hand (tests/support/pcapng_file.h).
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

#include "pcapng_file.h"

#define NSEC_PER_SEC 1000000000ULL
#define FRAME PCAPNG_FRAME

/* Section header and one Ethernet interface, microsecond timestamps (the default). */
static void pcapng_head(FILE *fp)
{
	pcapng_section_header(fp);
	pcapng_interface(fp, 1, 0);
}

/* An enhanced packet block of FRAME bytes (filled with seed) stamped ts_us. */
static void pcapng_frame(FILE *fp, uint64_t ts_us, uint8_t seed)
{
	pcapng_packet(fp, 0, ts_us, seed);
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
	struct pcapng_file *f = *state;
	const uint64_t t0 = 1000ULL * 1000000, t1 = t0 + (1ULL << 32) * 1000000 + 7;
	const uint8_t *frame;
	size_t len;
	uint64_t ts;

	pcapng_head(f->fp);
	pcapng_frame(f->fp, t0, 0x11);
	pcapng_frame(f->fp, t1, 0x22);
	struct trace_reader *r = pcapng_file_open(f);
	expect_frame(r, t0 * 1000, 0x11);
	expect_frame(r, t1 * 1000, 0x22); /* 2^32 s and 7 us later */
	assert_int_equal(trace_reader_next(r, &frame, &len, &ts), 0);
	assert_int_equal(trace_reader_records(r), 2);
	trace_reader_close(r);
}

static void a_classic_files_last_second_reads_as_itself(void **state)
{
	struct pcapng_file *f = *state;

	/* Little-endian microsecond pcap, Ethernet, one record at 2^32 - 1 s. */
	pcapng_put32(f->fp, 0xa1b2c3d4), pcapng_put32(f->fp, 2 | 4u << 16), pcapng_put32(f->fp, 0);
	pcapng_put32(f->fp, 0), pcapng_put32(f->fp, 65535), pcapng_put32(f->fp, 1);
	uint8_t b[FRAME];
	memset(b, 0x33, sizeof(b));
	pcapng_put32(f->fp, 0xffffffff), pcapng_put32(f->fp, 999999);
	pcapng_put32(f->fp, FRAME), pcapng_put32(f->fp, FRAME);
	assert_int_equal(fwrite(b, 1, FRAME, f->fp), FRAME);
	struct trace_reader *r = pcapng_file_open(f);
	expect_frame(r, 0xffffffffULL * NSEC_PER_SEC + 999999000, 0x33);
	trace_reader_close(r);
}

static void a_timestamp_past_guest_times_end_is_an_error_naming_the_record(void **state)
{
	struct pcapng_file *f = *state;
	const uint8_t *frame;
	size_t len;
	uint64_t ts;

	pcapng_head(f->fp);
	pcapng_frame(f->fp, 1000000, 0x11);
	/* 2^55 us is about 3.6e10 s: beyond 2^64 ns (1.8e10 s). */
	pcapng_frame(f->fp, 1ULL << 55, 0x22);
	struct trace_reader *r = pcapng_file_open(f);
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
						pcapng_file_setup, pcapng_file_teardown),
		cmocka_unit_test_setup_teardown(a_classic_files_last_second_reads_as_itself,
						pcapng_file_setup, pcapng_file_teardown),
		cmocka_unit_test_setup_teardown(
			a_timestamp_past_guest_times_end_is_an_error_naming_the_record, pcapng_file_setup,
			pcapng_file_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
