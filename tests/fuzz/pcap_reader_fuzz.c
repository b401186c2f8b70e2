/*
 * libFuzzer harness of the trace reader (traces/pcap_reader.c): each input
 * is a whole file, pcap or pcapng, read to its end or its first error as
 * the pcap vif backend reads it. Beyond "no crash, no sanitizer report",
 * it checks the reader's contract:
 * - a frame is never longer than the snap length libpcap allows (256 KiB);
 * - an error has a message that names the file and a record number, and
 *   is sticky: the next call returns the same error;
 * - the record count only grows, by one a call;
 * - a failed open leaves a message and no reader;
 * - a classic pcap file read from its mapping (trace_reader_map) gives the
 *   same frames, timestamps, counts and error message as libpcap's reads.
 * The input reaches the reader as a file through a memfd (no disk).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "traces/pcap_reader.h"

/* libpcap's own ceiling for any record (MAXIMUM_SNAPLEN). */
#define FUZZ_FRAME_MAX (256u * 1024u)
/* Long enough for any file, short enough that a run stays quick. */
#define FUZZ_RECORDS_MAX 100000

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "pcap_reader_fuzz: contract broken: %s\n", what);
		abort();
	}
}

static void read_all(struct trace_reader *r, const char *path)
{
	const uint8_t *frame;
	uint64_t ts, before;
	size_t len;
	int rc = 1;

	for (int n = 0; n < FUZZ_RECORDS_MAX && rc == 1; n++) {
		before = trace_reader_records(r);
		rc = trace_reader_next(r, &frame, &len, &ts);
		if (rc == 1) {
			check(trace_reader_records(r) == before + 1, "one record a call");
			check(len <= FUZZ_FRAME_MAX, "frame within the snap length");
			/* Touch every byte, so ASan sees a frame that is not all there. */
			volatile uint8_t sum = 0;
			for (size_t i = 0; i < len; i++)
				sum = (uint8_t)(sum + frame[i]);
			(void)sum;
		}
	}
	if (rc < 0) {
		const char *msg = trace_reader_error(r);
		check(strstr(msg, path) == msg, "the error names the file");
		check(strstr(msg, ": record ") != NULL, "the error names the record");
		check(trace_reader_next(r, &frame, &len, &ts) == rc, "errors are sticky");
	} else {
		check(rc >= 0, "a status");
		check(trace_reader_error(r)[0] == '\0', "no message without an error");
	}
}

/* The same file read through libpcap and from its mapping: the same in every respect. */
static void compare_mapped(const char *path)
{
	struct trace_reader *a = NULL, *b = NULL;
	const uint8_t *fa, *fb;
	uint64_t ta, tb;
	size_t la, lb;
	char err[512];
	int ra = 1, rb;

	if (trace_reader_open(path, &a, err, sizeof(err)) < 0)
		return;
	check(trace_reader_open(path, &b, err, sizeof(err)) == 0, "a second open");
	if (trace_reader_map(b) == 1) {
		for (int n = 0; n < FUZZ_RECORDS_MAX && ra == 1; n++) {
			ra = trace_reader_next(a, &fa, &la, &ta);
			rb = trace_reader_next(b, &fb, &lb, &tb);
			check(ra == rb, "mapped: the same status");
			check(ra != 1 || (la == lb && ta == tb && !memcmp(fa, fb, la)),
			      "mapped: the same frame and time");
			check(trace_reader_records(a) == trace_reader_records(b) &&
			      trace_reader_snapped(a) == trace_reader_snapped(b), "mapped: the same counts");
		}
		check(!strcmp(trace_reader_error(a), trace_reader_error(b)), "mapped: the same error");
	}
	trace_reader_close(a);
	trace_reader_close(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("pcap_reader_fuzz", MFD_CLOEXEC);
	char path[64], err[512] = "";
	struct trace_reader *r = NULL;

	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		perror("pcap_reader_fuzz: memfd");
		abort();
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (trace_reader_open(path, &r, err, sizeof(err)) == 0) {
		check(r != NULL, "a reader on success");
		read_all(r, path);
		trace_reader_close(r);
		compare_mapped(path);
	} else {
		check(r == NULL && strstr(err, path) == err, "a failed open names the file");
	}
	close(fd);
	return 0;
}
