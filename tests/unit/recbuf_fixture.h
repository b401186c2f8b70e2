/*
 * What the traces/recbuf.c tests share: records that are lines, appended
 * whole, and a look at the file they went to. Include after <cmocka.h>.
 */
#ifndef TESTS_UNIT_RECBUF_FIXTURE_H
#define TESTS_UNIT_RECBUF_FIXTURE_H

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "traces/recbuf.h"

/* The records here are lines, as a disk's capture= log's. */
static size_t recbuf_whole_lines(const uint8_t *buf, size_t n)
{
	while (n > 0 && buf[n - 1] != '\n')
		n--;
	return n;
}

static void recbuf_add(struct trace_recbuf *rb, const char *rec)
{
	memcpy(trace_recbuf_reserve(rb, strlen(rec)), rec, strlen(rec));
	trace_recbuf_commit(rb, strlen(rec));
}

/* The whole of the file at path (under 64 bytes) is want. */
static void recbuf_assert_file_is(const char *path, const char *want)
{
	char got[64] = "";
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_true(read(fd, got, sizeof(got) - 1) >= 0);
	close(fd);
	assert_string_equal(got, want);
}

#endif
