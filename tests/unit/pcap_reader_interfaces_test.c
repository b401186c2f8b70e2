/*
 * traces/pcap_reader.c on pcapng files with several interfaces: frames of
 * every Ethernet interface, each at its own timestamp resolution; an
 * interface of another link type refused by name. Files are written block
 * by block here (pcapng, draft-ietf-opsawg-pcapng), little-endian.
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

#include "traces/pcap_reader.h"

#define FRAME 60
#define LINKTYPE_ETHERNET 1
#define LINKTYPE_LINUX_SLL 113

struct fixture {
	char path[64];
	FILE *fp;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	int fd;

	strcpy(f->path, "/tmp/pcap_ifaces.XXXXXX");
	assert_true((fd = mkstemp(f->path)) >= 0);
	assert_non_null(f->fp = fdopen(fd, "wb"));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->fp)
		fclose(f->fp);
	unlink(f->path);
	free(f);
	return 0;
}

static void put32(FILE *fp, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	assert_int_equal(fwrite(b, 1, 4, fp), 4);
}

static void section_header(FILE *fp)
{
	put32(fp, 0x0a0d0d0a), put32(fp, 28), put32(fp, 0x1a2b3c4d), put32(fp, 1);
	put32(fp, 0xffffffff), put32(fp, 0xffffffff), put32(fp, 28);
}

/* An interface description block; tsresol 0: the default (microseconds). */
static void interface(FILE *fp, uint16_t linktype, uint8_t tsresol)
{
	uint32_t len = tsresol ? 20 + 12 : 20;

	put32(fp, 1), put32(fp, len), put32(fp, linktype), put32(fp, 65535);
	if (tsresol) {
		put32(fp, 9 | 1u << 16);          /* if_tsresol, 1 byte */
		put32(fp, tsresol);
		put32(fp, 0);                     /* opt_endofopt */
	}
	put32(fp, len);
}

static void packet(FILE *fp, uint32_t ifid, uint64_t ts, uint8_t seed)
{
	uint8_t b[FRAME];

	memset(b, seed, sizeof(b));
	put32(fp, 6), put32(fp, 32 + FRAME), put32(fp, ifid);
	put32(fp, (uint32_t)(ts >> 32)), put32(fp, (uint32_t)ts);
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

static void test_frames_of_two_ethernet_interfaces_keep_each_ones_resolution(void **state)
{
	struct fixture *f = *state;
	const uint8_t *frame;
	size_t len;
	uint64_t ts;

	section_header(f->fp);
	interface(f->fp, LINKTYPE_ETHERNET, 0);  /* microseconds */
	interface(f->fp, LINKTYPE_ETHERNET, 9);  /* nanoseconds */
	packet(f->fp, 0, 1000000, 0x11);         /* 1 s */
	packet(f->fp, 1, 1000000007, 0x22);      /* 1 s and 7 ns */
	struct trace_reader *r = open_written(f);
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
	struct fixture *f = *state;
	const uint8_t *frame;
	size_t len;
	uint64_t ts;

	section_header(f->fp);
	interface(f->fp, LINKTYPE_ETHERNET, 0);
	interface(f->fp, LINKTYPE_LINUX_SLL, 0);
	packet(f->fp, 0, 1000000, 0x11);
	packet(f->fp, 1, 2000000, 0x22);
	struct trace_reader *r = open_written(f);
	int rc = trace_reader_next(r, &frame, &len, &ts);
	assert_int_equal(rc, -EPROTONOSUPPORT);
	assert_non_null(strstr(trace_reader_error(r), "link type LINUX_SLL (113, "));
	assert_non_null(strstr(trace_reader_error(r), "only Ethernet (EN10MB) traces can be read"));
	assert_int_equal(trace_reader_next(r, &frame, &len, &ts), -EPROTONOSUPPORT);
	trace_reader_close(r);
}

static void test_a_first_interface_of_another_link_type_fails_the_open(void **state)
{
	struct fixture *f = *state;
	struct trace_reader *r = NULL;
	char err[512] = "";

	section_header(f->fp);
	interface(f->fp, LINKTYPE_LINUX_SLL, 0);
	packet(f->fp, 0, 1000000, 0x11);
	assert_int_equal(fclose(f->fp), 0);
	f->fp = NULL;
	assert_int_equal(trace_reader_open(f->path, &r, err, sizeof(err)), -EPROTONOSUPPORT);
	assert_non_null(strstr(err, "link type LINUX_SLL (113, "));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_frames_of_two_ethernet_interfaces_keep_each_ones_resolution, setup, teardown),
		cmocka_unit_test_setup_teardown(test_an_interface_of_another_link_type_is_refused_by_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_first_interface_of_another_link_type_fails_the_open, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
