/*
 * A whole file read into memory, for host-side tests that compare files
 * byte for byte or replay one's bytes (pcap_writer_test.c,
 * pcap_reader_pipe_test.c). Fails the test when the file cannot be read.
 *
 * Each test file includes this header once, hence the static inline helper.
 */
#ifndef TESTS_UNIT_FILE_SLURP_H
#define TESTS_UNIT_FILE_SLURP_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

/* path's bytes in a malloc'ed buffer (one byte spare: never malloc(0)), their count in *len. */
static inline uint8_t *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf;
	long n;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n >= 0);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

#endif
