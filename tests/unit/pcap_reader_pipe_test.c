/*
 * pcap_reader over a pipe (`--vif pcap=/dev/stdin` with a capture piped in):
 * the reader sniffs the file header and cannot rewind a pipe, so it must hand
 * the sniffed bytes to libpcap again. The same records come out as from the
 * file itself, a file larger than the pipe's buffer streams through, and a
 * header cut short is an error that names the file, not a crash.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "traces/pcap_reader.h"
#include "file_slurp.h"

#define FRAMES 400 /* 400 frames of up to 1514 bytes: past a pipe's 64 KiB */

static char file_path[] = "/tmp/pcap_reader_pipe_test.XXXXXX";

static int setup(void **state)
{
	int fd = mkstemp(file_path);
	pcap_t *dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535,
							    PCAP_TSTAMP_PRECISION_NANO);
	pcap_dumper_t *d;

	(void)state;
	if (fd < 0 || !dead)
		return -1;
	close(fd);
	if (!(d = pcap_dump_open(dead, file_path)))
		return -1;
	for (unsigned int i = 0; i < FRAMES; i++) {
		uint8_t buf[1514];
		struct pcap_pkthdr h = { .caplen = 60 + i * 7 % 1455, .len = 60 + i * 7 % 1455 };

		h.ts.tv_sec = 1000 + i;
		h.ts.tv_usec = (suseconds_t)i * 1001; /* nanoseconds, at this precision */
		for (size_t k = 0; k < sizeof(buf); k++)
			buf[k] = (uint8_t)(i + k * 13);
		pcap_dump((u_char *)d, &h, buf);
	}
	pcap_dump_close(d);
	pcap_close(dead);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(file_path);
	return 0;
}

/* Starts a child writing len bytes of buf into a pipe; returns the read end's path. */
static pid_t pipe_from(const uint8_t *buf, size_t len, char *path, size_t path_len)
{
	int fds[2];
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		for (size_t off = 0; off < len;) {
			ssize_t k = write(fds[1], buf + off, len - off);

			if (k <= 0)
				_exit(1);
			off += (size_t)k;
		}
		_exit(0);
	}
	close(fds[1]);
	snprintf(path, path_len, "/dev/fd/%d", fds[0]);
	return pid;
}

static void close_pipe(const char *path, pid_t pid)
{
	int status;

	close(atoi(path + strlen("/dev/fd/")));
	assert_int_equal(waitpid(pid, &status, 0), pid);
}

static void a_piped_file_gives_the_files_records(void **state)
{
	struct trace_reader *from_file, *from_pipe;
	char err[512], path[32];
	size_t len;
	uint8_t *bytes = slurp(file_path, &len);
	pid_t pid;
	int a, b;

	(void)state;
	assert_true(len > 65536);
	pid = pipe_from(bytes, len, path, sizeof(path));
	assert_int_equal(trace_reader_open(file_path, &from_file, err, sizeof(err)), 0);
	assert_int_equal(trace_reader_open(path, &from_pipe, err, sizeof(err)), 0);
	assert_string_equal(trace_reader_format(from_pipe), "pcap (nanoseconds)");
	do {
		const uint8_t *fa, *fb;
		size_t la, lb;
		uint64_t ta, tb;

		a = trace_reader_next(from_file, &fa, &la, &ta);
		b = trace_reader_next(from_pipe, &fb, &lb, &tb);
		assert_int_equal(b, a);
		if (a == 1) {
			assert_int_equal(lb, la);
			assert_int_equal(tb, ta);
			assert_memory_equal(fb, fa, la);
		}
	} while (a == 1);
	assert_int_equal(a, 0);
	assert_int_equal(trace_reader_records(from_pipe), FRAMES);
	assert_false(trace_reader_mapped(from_pipe));
	trace_reader_close(from_file);
	trace_reader_close(from_pipe);
	close_pipe(path, pid);
	free(bytes);
}

static void a_piped_header_cut_short_is_an_error_naming_the_file(void **state)
{
	struct trace_reader *r = NULL;
	char err[512], path[32];
	size_t len;
	uint8_t *bytes = slurp(file_path, &len);
	pid_t pid;

	(void)state;
	pid = pipe_from(bytes, 10, path, sizeof(path));
	assert_true(trace_reader_open(path, &r, err, sizeof(err)) < 0);
	assert_null(r);
	assert_non_null(strstr(err, path));
	close_pipe(path, pid);
	free(bytes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_piped_file_gives_the_files_records),
		cmocka_unit_test(a_piped_header_cut_short_is_an_error_naming_the_file),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
