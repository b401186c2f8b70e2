/*
 * traces/pcap_reader.c on pcapng files with several interfaces: frames of
 * every Ethernet interface, each at its own timestamp resolution; an
 * interface of another link type refused by name. Files are written block
 * by block (tests/support/pcapng_file.h).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pcapng_file.h"

#define LINKTYPE_ETHERNET 1
#define LINKTYPE_LINUX_SLL 113

static void test_frames_of_two_ethernet_interfaces_keep_each_ones_resolution(void **state)
{
	struct pcapng_file *f = *state;
	const uint8_t *frame;
	size_t len;
	uint64_t ts;

	pcapng_section_header(f->fp);
	pcapng_interface(f->fp, LINKTYPE_ETHERNET, 0);  /* microseconds */
	pcapng_interface(f->fp, LINKTYPE_ETHERNET, 9);  /* nanoseconds */
	pcapng_packet(f->fp, 0, 1000000, 0x11);         /* 1 s */
	pcapng_packet(f->fp, 1, 1000000007, 0x22);      /* 1 s and 7 ns */
	struct trace_reader *r = pcapng_file_open(f);
	assert_string_equal(trace_reader_format(r), "pcapng");
	assert_int_equal(trace_reader_next(r, &frame, &len, &ts), 1);
	assert_int_equal(ts, 1000000000ull);
	assert_int_equal(frame[0], 0x11);
	assert_int_equal(trace_reader_next(r, &frame, &len, &ts), 1);
	assert_int_equal(ts, 1000000007ull);
	assert_int_equal(frame[0], 0x22);
	assert_int_equal(trace_reader_next(r, &frame, &len, &ts), 0);
	trace_reader_close(r);
}

static void test_an_interface_of_another_link_type_is_refused_by_name(void **state)
{
	struct pcapng_file *f = *state;
	const uint8_t *frame;
	size_t len;
	uint64_t ts;

	pcapng_section_header(f->fp);
	pcapng_interface(f->fp, LINKTYPE_ETHERNET, 0);
	pcapng_interface(f->fp, LINKTYPE_LINUX_SLL, 0);
	pcapng_packet(f->fp, 0, 1000000, 0x11);
	pcapng_packet(f->fp, 1, 2000000, 0x22);
	struct trace_reader *r = pcapng_file_open(f);
	int rc = trace_reader_next(r, &frame, &len, &ts);
	assert_int_equal(rc, -EPROTONOSUPPORT);
	assert_non_null(strstr(trace_reader_error(r), "link type LINUX_SLL (113, "));
	assert_non_null(strstr(trace_reader_error(r), "only Ethernet (EN10MB) traces can be read"));
	assert_int_equal(trace_reader_next(r, &frame, &len, &ts), -EPROTONOSUPPORT);
	trace_reader_close(r);
}

static void test_a_first_interface_of_another_link_type_fails_the_open(void **state)
{
	struct pcapng_file *f = *state;
	struct trace_reader *r = NULL;
	char err[512] = "";

	pcapng_section_header(f->fp);
	pcapng_interface(f->fp, LINKTYPE_LINUX_SLL, 0);
	pcapng_packet(f->fp, 0, 1000000, 0x11);
	assert_int_equal(fclose(f->fp), 0);
	f->fp = NULL;
	assert_int_equal(trace_reader_open(f->path, &r, err, sizeof(err)), -EPROTONOSUPPORT);
	assert_non_null(strstr(err, "link type LINUX_SLL (113, "));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_frames_of_two_ethernet_interfaces_keep_each_ones_resolution, pcapng_file_setup, pcapng_file_teardown),
		cmocka_unit_test_setup_teardown(test_an_interface_of_another_link_type_is_refused_by_name, pcapng_file_setup, pcapng_file_teardown),
		cmocka_unit_test_setup_teardown(test_a_first_interface_of_another_link_type_fails_the_open, pcapng_file_setup, pcapng_file_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
