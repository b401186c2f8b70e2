/*
 * Capture files (traces/pcap_writer.c): the records it writes itself, past
 * the file header libpcap writes, are byte for byte what libpcap's own
 * pcap_dump writes for the same frames; records gathered beyond its buffer
 * reach the file whole and in order; a write that fails (a full disk) is
 * reported with its errno (-ENOSPC), by the flush at the latest.
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
#include <sys/stat.h>
#include <unistd.h>

#include "traces/pcap_writer.h"
#include "file_slurp.h"

#define NSEC_PER_SEC 1000000000ULL

struct fixture {
	char dir[64];
	char ours[128], libpcaps[128];
	uint8_t frame[70000];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/pcap_writer_test.XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->ours, sizeof(f->ours), "%s/ours.pcap", f->dir);
	snprintf(f->libpcaps, sizeof(f->libpcaps), "%s/libpcap.pcap", f->dir);
	for (size_t i = 0; i < sizeof(f->frame); i++)
		f->frame[i] = (uint8_t)(i * 7 + 3);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	unlink(f->ours);
	unlink(f->libpcaps);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void test_records_are_byte_for_byte_what_libpcaps_pcap_dump_writes(void **state)
{
	struct fixture *f = *state;
	/* Empty, a runt, minimum, MTU, the snap length, beyond it (cut, length kept). */
	static const size_t lens[] = { 0, 1, 60, 1514, 65535, 65536, 70000 };
	static const uint64_t stamps[] = { 0, 1, NSEC_PER_SEC - 1, 1700000000123456789ULL,
					   4294967295ULL * NSEC_PER_SEC + 999999999ULL,
					   5000000000ULL * NSEC_PER_SEC + 7 };
	char err[256];
	struct trace_writer *w;
	pcap_t *p = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, TRACE_WRITER_SNAPLEN,
							 PCAP_TSTAMP_PRECISION_NANO);
	pcap_dumper_t *d;
	uint8_t *a, *b;
	size_t alen, blen;

	assert_non_null(p);
	assert_non_null(d = pcap_dump_open(p, f->libpcaps));
	assert_int_equal(trace_writer_open(&w, f->ours, err, sizeof(err)), 0);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		for (size_t j = 0; j < sizeof(stamps) / sizeof(stamps[0]); j++) {
			uint64_t ts = stamps[j];
			struct pcap_pkthdr h = {
				.ts.tv_sec = (time_t)(ts / NSEC_PER_SEC),
				.ts.tv_usec = (suseconds_t)(ts % NSEC_PER_SEC),
				.caplen = (bpf_u_int32)(lens[i] > TRACE_WRITER_SNAPLEN
							? TRACE_WRITER_SNAPLEN : lens[i]),
				.len = (bpf_u_int32)lens[i],
			};

			pcap_dump((u_char *)d, &h, f->frame);
			assert_int_equal(trace_writer_write(w, ts, f->frame, lens[i]), 0);
		}
	}
	pcap_dump_close(d);
	pcap_close(p);
	assert_int_equal(trace_writer_close(w), 0);
	a = slurp(f->ours, &alen);
	b = slurp(f->libpcaps, &blen);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	free(a);
	free(b);
}

static void test_records_beyond_the_buffer_reach_the_file_whole_and_in_order(void **state)
{
	struct fixture *f = *state;
	enum { FRAMES = 12000, LEN = 100 }; /* about 1.4 MB: several buffers' worth */
	char err[256], errbuf[PCAP_ERRBUF_SIZE];
	struct trace_writer *w;
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;
	unsigned int n = 0;

	assert_int_equal(trace_writer_open(&w, f->ours, err, sizeof(err)), 0);
	for (uint32_t i = 0; i < FRAMES; i++) {
		memcpy(f->frame, &i, sizeof(i));
		assert_int_equal(trace_writer_write(w, 1000ULL * i, f->frame, LEN), 0);
		if (i == FRAMES / 2) /* a flush in between changes nothing in the file */
			assert_int_equal(trace_writer_flush(w), 0);
	}
	/* An oversized record after small ones, larger than what is left of the buffer. */
	assert_int_equal(trace_writer_write(w, 1000ULL * FRAMES, f->frame, 65535), 0);
	assert_int_equal(trace_writer_close(w), 0);

	assert_non_null(p = pcap_open_offline_with_tstamp_precision(
				f->ours, PCAP_TSTAMP_PRECISION_NANO, errbuf));
	while (pcap_next_ex(p, &h, &data) == 1) {
		uint32_t seq;

		memcpy(&seq, data, sizeof(seq));
		if (n < FRAMES) {
			assert_int_equal(h->caplen, LEN);
			assert_int_equal(seq, n);
		} else {
			assert_int_equal(h->caplen, 65535);
			assert_memory_equal(data + 4, f->frame + 4, 65535 - 4);
		}
		assert_int_equal((uint64_t)h->ts.tv_sec * NSEC_PER_SEC + (uint64_t)h->ts.tv_usec,
				 1000ULL * n);
		n++;
	}
	pcap_close(p);
	assert_int_equal(n, FRAMES + 1);
}

static void test_a_full_disk_is_reported_with_enospc_by_the_flush_at_the_latest(void **state)
{
	struct fixture *f = *state;
	char err[256];
	struct trace_writer *w;
	int rc = 0;

	(void)f;
	if (access("/dev/full", W_OK) != 0)
		skip();
	assert_int_equal(trace_writer_open(&w, "/dev/full", err, sizeof(err)), 0);
	/* 1 MB of records: the gathered ones go to the file on the way, and fail there. */
	for (int i = 0; i < 700 && rc == 0; i++)
		rc = trace_writer_write(w, (uint64_t)i, f->frame, 1500);
	assert_int_equal(rc, -ENOSPC);
	assert_int_equal(trace_writer_flush(w), -ENOSPC);
	/* A single record: kept in memory until the flush, which fails. */
	assert_int_equal(trace_writer_write(w, 1, f->frame, 60), 0);
	assert_int_equal(trace_writer_close(w), -ENOSPC);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_records_are_byte_for_byte_what_libpcaps_pcap_dump_writes),
		T(test_records_beyond_the_buffer_reach_the_file_whole_and_in_order),
		T(test_a_full_disk_is_reported_with_enospc_by_the_flush_at_the_latest),
	};
#undef T
	return cmocka_run_group_tests_name("pcap_writer", tests, NULL, NULL);
}
