/*
 * traces/trace_diff.c and trace_stat.c: captures compared frame by frame,
 * divergences named by frame, field and values, normalisations that hide
 * what is not the stack's behaviour; a trace summed up. Captures are written
 * with libpcap, frames built with the test peer.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "peer.h"
#include "traces/trace_diff.h"
#include "traces/trace_stat.h"

#define MAX_FRAMES 8
#define HOST_IP PEER_IP4(192, 168, 7, 20)
#define PEER_ADDR PEER_IP4(192, 168, 7, 1)

struct trace {
	uint8_t f[MAX_FRAMES][PEER_FRAME_MAX];
	size_t len[MAX_FRAMES];
	uint64_t ts_ns[MAX_FRAMES];
	unsigned int n;
};

struct fixture {
	char dir[64], a[96], b[96];
	char *out;
	size_t out_len;
	char err[512];
};

static const struct peer to_host = {
	.mac = { 2, 0, 0, 0, 0, 1 }, .ip = PEER_ADDR,
	.guest_mac = { 2, 0, 0, 0, 0, 0x20 }, .guest_ip = HOST_IP,
};
static const struct peer from_host = {
	.mac = { 2, 0, 0, 0, 0, 0x20 }, .ip = HOST_IP,
	.guest_mac = { 2, 0, 0, 0, 0, 1 }, .guest_ip = PEER_ADDR,
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	strcpy(f->dir, "/tmp/trace_diff_test.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->a, sizeof(f->a), "%s/a.pcap", f->dir);
	snprintf(f->b, sizeof(f->b), "%s/b.pcap", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	unlink(f->a);
	unlink(f->b);
	rmdir(f->dir);
	free(f->out);
	free(f);
	return 0;
}

static void write_trace(const char *path, const struct trace *t)
{
	pcap_t *p = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535,
							 PCAP_TSTAMP_PRECISION_NANO);
	pcap_dumper_t *d = pcap_dump_open(p, path);

	assert_non_null(d);
	for (unsigned int i = 0; i < t->n; i++) {
		struct pcap_pkthdr h = { .caplen = (bpf_u_int32)t->len[i],
					 .len = (bpf_u_int32)t->len[i] };
		h.ts.tv_sec = (time_t)(1000 + t->ts_ns[i] / 1000000000u);
		h.ts.tv_usec = (suseconds_t)(t->ts_ns[i] % 1000000000u);
		pcap_dump((u_char *)d, &h, t->f[i]);
	}
	pcap_dump_close(d);
	pcap_close(p);
}

/* A ping, its answer, a UDP datagram and its echo, 10 ms apart. */
static void echo_exchange(struct trace *t)
{
	memset(t, 0, sizeof(*t));
	t->len[0] = peer_icmp_echo_frame(&to_host, t->f[0], 9, 1, "abcdefgh", 8);
	t->len[1] = peer_icmp_echo_frame(&from_host, t->f[1], 9, 1, "abcdefgh", 8);
	t->f[1][ETH_HLEN + 20] = 0; /* echo reply */
	peer_put16(t->f[1] + ETH_HLEN + 22, 0);
	peer_put16(t->f[1] + ETH_HLEN + 22,
		   peer_csum_fold(peer_csum_add(0, t->f[1] + ETH_HLEN + 20, 16)));
	t->len[2] = peer_udp_frame(&to_host, t->f[2], 4000, 7, "hello", 5);
	t->len[3] = peer_udp_frame(&from_host, t->f[3], 7, 4000, "hello", 5);
	t->n = 4;
	for (unsigned int i = 0; i < t->n; i++)
		t->ts_ns[i] = i * 10000000ull;
}

static int diff(struct fixture *f, const struct trace *a, const struct trace *b,
		const struct trace_diff_options *o)
{
	FILE *out;
	int rc;

	write_trace(f->a, a);
	write_trace(f->b, b);
	free(f->out);
	f->out = NULL;
	assert_non_null(out = open_memstream(&f->out, &f->out_len));
	rc = trace_diff_files(f->a, f->b, o, out, f->err, sizeof(f->err));
	fclose(out);
	return rc;
}

static void assert_first_line(const struct fixture *f, const char *line)
{
	size_t n = strcspn(f->out, "\n");

	if (strlen(line) != n || strncmp(f->out, line, n)) {
		print_error("first line: '%.*s'\nexpected:   '%s'\n", (int)n, f->out, line);
		fail();
	}
}

static void test_a_capture_equals_itself(void **state)
{
	struct fixture *f = *state;
	struct trace t;
	struct trace_diff_options o = { .context = 3 };

	echo_exchange(&t);
	assert_int_equal(diff(f, &t, &t, &o), 0);
	assert_int_equal(f->out_len, 0);
}

static void test_a_changed_payload_byte_is_named_by_frame_field_offset_and_values(void **state)
{
	struct fixture *f = *state;
	struct trace a, b;
	struct trace_diff_options o = { .norm = TRACE_NORM_CSUM, .context = 3 };

	echo_exchange(&a);
	b = a;
	b.f[3][ETH_HLEN + 20 + 8 + 4] = 'O';
	assert_int_equal(diff(f, &a, &b, &o), 1);
	assert_first_line(f, "frame 4: udp.payload[4] (frame byte 46): expected 0x6f 'o', got 0x4f 'O'");
}

static void test_a_changed_echo_answer_is_reported_at_its_field(void **state)
{
	struct fixture *f = *state;
	struct trace a, b;
	struct trace_diff_options o = { .context = 3 };

	echo_exchange(&a);
	b = a;
	uint8_t *icmp = b.f[1] + ETH_HLEN + 20;
	peer_put16(icmp + 6, 2);
	/* Unchanged, the checksum no longer checks: the seq is what differs. */
	assert_int_equal(diff(f, &a, &b, &o), 1);
	assert_first_line(f, "frame 2: icmp.seq: expected 1, got 2");
	/* Recomputed, the checksum comes first in the frame: that is what differs first. */
	peer_put16(icmp + 2, 0);
	peer_put16(icmp + 2, peer_csum_fold(peer_csum_add(0, icmp, 16)));
	char line[96];
	snprintf(line, sizeof(line), "frame 2: icmp.sum: expected 0x%04x, got 0x%04x",
		 peer_get16(a.f[1] + ETH_HLEN + 22), peer_get16(icmp + 2));
	assert_int_equal(diff(f, &a, &b, &o), 1);
	assert_first_line(f, line);
	o.norm = TRACE_NORM_CSUM;
	assert_int_equal(diff(f, &a, &b, &o), 1);
	assert_first_line(f, "frame 2: icmp.seq: expected 1, got 2");
}

static void test_the_context_shows_frames_around_the_divergence_as_tcpdump_does(void **state)
{
	struct fixture *f = *state;
	struct trace a, b;
	struct trace_diff_options o = { .norm = TRACE_NORM_CSUM, .context = 1 };

	echo_exchange(&a);
	b = a;
	b.f[2][ETH_HLEN + 20 + 8] = 'j';
	assert_int_equal(diff(f, &a, &b, &o), 1);
	assert_non_null(strstr(f->out, "expected ("));
	assert_non_null(strstr(f->out, "       2  0.010000000  IP 192.168.7.20 > 192.168.7.1: "
				       "ICMP echo reply, id 9, seq 1, length 16\n"));
	assert_non_null(strstr(f->out, "  >    3  0.020000000  IP 192.168.7.1.4000 > "
				       "192.168.7.20.7: UDP, length 5\n"));
	assert_non_null(strstr(f->out, "       4  0.030000000  IP 192.168.7.20.7 > "
				       "192.168.7.1.4000: UDP, length 5\n"));
	assert_null(strstr(f->out, "     1  0.000000000"));
}

static void test_ip_ids_differ_unless_normalised(void **state)
{
	struct fixture *f = *state;
	struct trace a, b;
	struct trace_diff_options o = { .context = 3 };

	echo_exchange(&a);
	b = a;
	peer_put16(b.f[3] + ETH_HLEN + 4, 0x4321);
	peer_put16(b.f[3] + ETH_HLEN + 10, 0);
	peer_put16(b.f[3] + ETH_HLEN + 10, peer_csum_fold(peer_csum_add(0, b.f[3] + ETH_HLEN, 20)));
	assert_int_equal(diff(f, &a, &b, &o), 1);
	assert_first_line(f, "frame 4: ip.id: expected 4660, got 17185");
	o.norm = TRACE_NORM_IPID;
	assert_int_equal(diff(f, &a, &b, &o), 0);
}

static void test_macs_differ_unless_normalised(void **state)
{
	struct fixture *f = *state;
	struct trace a, b;
	struct trace_diff_options o = { .context = 3 };

	echo_exchange(&a);
	b = a;
	b.f[1][11] = 0x77;
	assert_int_equal(diff(f, &a, &b, &o), 1);
	assert_first_line(f, "frame 2: eth.src: expected 02:00:00:00:00:20, got 02:00:00:00:00:77");
	o.norm = TRACE_NORM_MAC;
	assert_int_equal(diff(f, &a, &b, &o), 0);
}

static void test_time_counts_from_each_first_frame_unless_normalised(void **state)
{
	struct fixture *f = *state;
	struct trace a, b;
	struct trace_diff_options o = { .context = 3 };

	echo_exchange(&a);
	b = a;
	for (unsigned int i = 0; i < b.n; i++)
		b.ts_ns[i] += 5000000000ull; /* all later: the same relative times */
	assert_int_equal(diff(f, &a, &b, &o), 0);
	b.ts_ns[2] += 1;
	assert_int_equal(diff(f, &a, &b, &o), 1);
	assert_first_line(f, "frame 3: time since the first frame: expected 0.020000000 s, "
			     "got 0.020000001 s");
	o.norm = TRACE_NORM_TIME;
	assert_int_equal(diff(f, &a, &b, &o), 0);
}

static void test_a_missing_and_an_extra_frame_are_named(void **state)
{
	struct fixture *f = *state;
	struct trace a, b;
	struct trace_diff_options o = { .context = 3 };

	echo_exchange(&a);
	b = a;
	b.n = 3;
	assert_int_equal(diff(f, &a, &b, &o), 1);
	assert_first_line(f, "frame 4: missing: expected IP 192.168.7.20.7 > 192.168.7.1.4000: "
			     "UDP, length 5, got the end of the trace");
	assert_int_equal(diff(f, &b, &a, &o), 1);
	assert_first_line(f, "frame 4: extra: expected the end of the trace, got IP "
			     "192.168.7.20.7 > 192.168.7.1.4000: UDP, length 5");
}

/* A handshake and one data segment from isn (client) and isn2 (server). */
static void tcp_exchange(struct trace *t, uint32_t isn, uint32_t isn2)
{
	struct peer_tcp syn = { .sport = 40000, .dport = 80, .seq = isn, .flags = TH_SYN,
				.window = 1000 };
	struct peer_tcp synack = { .sport = 80, .dport = 40000, .seq = isn2, .ack = isn + 1,
				   .flags = TH_SYN | TH_ACK, .window = 1000 };
	struct peer_tcp data = { .sport = 40000, .dport = 80, .seq = isn + 1, .ack = isn2 + 1,
				 .flags = TH_ACK | TH_PUSH, .window = 1000 };

	memset(t, 0, sizeof(*t));
	t->len[0] = peer_tcp_frame(&to_host, t->f[0], &syn, NULL, 0);
	t->len[1] = peer_tcp_frame(&from_host, t->f[1], &synack, NULL, 0);
	t->len[2] = peer_tcp_frame(&to_host, t->f[2], &data, "GET /", 5);
	t->n = 3;
}

static void test_tcp_sequence_numbers_compare_from_each_flows_first(void **state)
{
	struct fixture *f = *state;
	struct trace a, b;
	struct trace_diff_options o = { .context = 3 };

	tcp_exchange(&a, 1000, 5000);
	tcp_exchange(&b, 777777, 0xfffffff0u); /* the server's wraps */
	assert_int_equal(diff(f, &a, &b, &o), 1);
	assert_first_line(f, "frame 1: tcp.seq: expected 1000, got 777777");
	o.norm = TRACE_NORM_TCPSEQ;
	assert_int_equal(diff(f, &a, &b, &o), 0);
	b.f[2][ETH_HLEN + 20 + 8 + 3] ^= 1; /* the ack is one off */
	assert_int_equal(diff(f, &a, &b, &o), 1);
	assert_first_line(f, "frame 3: tcp.ack: expected 1, got 0");
}

static void test_filters_and_an_address_map_compare_one_hosts_frames(void **state)
{
	struct fixture *f = *state;
	struct trace a, b;
	struct trace_diff_options o = { .context = 3, .norm = TRACE_NORM_MAC, .nr_map = 1 };
	struct peer guest = from_host;

	echo_exchange(&a);
	/* b: what a guest at 10.0.0.5 sent, alone. */
	guest.ip = PEER_IP4(10, 0, 0, 5);
	memset(&b, 0, sizeof(b));
	b.len[0] = peer_icmp_echo_frame(&guest, b.f[0], 9, 1, "abcdefgh", 8);
	b.f[0][ETH_HLEN + 20] = 0;
	peer_put16(b.f[0] + ETH_HLEN + 22, 0);
	peer_put16(b.f[0] + ETH_HLEN + 22,
		   peer_csum_fold(peer_csum_add(0, b.f[0] + ETH_HLEN + 20, 16)));
	b.len[1] = peer_udp_frame(&guest, b.f[1], 7, 4000, "hello", 5);
	b.ts_ns[1] = 20000000;
	b.n = 2;
	o.map[0].from = HOST_IP;
	o.map[0].to = guest.ip;
	o.expected_filter = (struct trace_diff_filter){ .by_ip = true, .ip = HOST_IP };
	assert_int_equal(diff(f, &a, &b, &o), 0);
	o.nr_map = 0;
	assert_int_equal(diff(f, &a, &b, &o), 1);
	char line[512];
	snprintf(line, sizeof(line), "frame 1 (record 2 of %s, record 1 of %s): ip.sum: expected "
		 "0x%04x, got 0x%04x", f->a, f->b, peer_get16(a.f[1] + ETH_HLEN + 10),
		 peer_get16(b.f[0] + ETH_HLEN + 10));
	assert_first_line(f, line);
}

static void test_a_truncated_capture_is_bad_input_naming_the_record(void **state)
{
	struct fixture *f = *state;
	struct trace a;
	struct trace_diff_options o = { .context = 3 };
	FILE *fp;

	echo_exchange(&a);
	write_trace(f->a, &a);
	write_trace(f->b, &a);
	assert_non_null(fp = fopen(f->b, "r+"));
	assert_int_equal(ftruncate(fileno(fp), 24 + 16 + (long)a.len[0] + 16 + 10), 0);
	fclose(fp);
	assert_int_equal(trace_diff_files(f->a, f->b, &o, stderr, f->err, sizeof(f->err)),
			 -EBADMSG);
	assert_non_null(strstr(f->err, "b.pcap: record 2: "));
	assert_int_equal(trace_diff_files(f->a, "/nonexistent.pcap", &o, stderr, f->err,
					  sizeof(f->err)), -ENOENT);
	assert_non_null(strstr(f->err, "/nonexistent.pcap: cannot open"));
}

static void test_normalisations_parse_by_name(void **state)
{
	unsigned int norm;

	assert_int_equal(trace_norm_parse("time,ipid", &norm), 0);
	assert_int_equal(norm, TRACE_NORM_TIME | TRACE_NORM_IPID);
	assert_int_equal(trace_norm_parse("all", &norm), 0);
	assert_int_equal(norm, TRACE_NORM_ALL);
	assert_int_equal(trace_norm_parse("none", &norm), 0);
	assert_int_equal(norm, 0);
	assert_int_equal(trace_norm_parse("time,ttl", &norm), -EINVAL);
	(void)state;
}

static void test_stat_counts_frames_flows_hosts_and_duration(void **state)
{
	struct fixture *f = *state;
	struct trace a, t;
	struct trace_stat st;
	FILE *out;

	echo_exchange(&a);
	tcp_exchange(&t, 1, 2);
	memcpy(a.f[4], t.f[0], t.len[0]);
	a.len[4] = t.len[0];
	a.ts_ns[4] = 1500000000;
	a.n = 5;
	write_trace(f->a, &a);
	assert_non_null(out = open_memstream(&f->out, &f->out_len));
	assert_int_equal(trace_stat_file(f->a, 10, &st, out, f->err, sizeof(f->err)), 0);
	fclose(out);
	assert_int_equal(st.frames, 5);
	assert_int_equal(st.hosts, 2);
	assert_int_equal(st.flows_icmp, 1);
	assert_int_equal(st.flows_udp, 1);
	assert_int_equal(st.flows_tcp, 1);
	assert_non_null(strstr(f->out, "format:    pcap (nanoseconds)\n"));
	assert_non_null(strstr(f->out, "link type: EN10MB (Ethernet)\n"));
	assert_non_null(strstr(f->out, "duration:  1.500000000 s\n"));
	assert_non_null(strstr(f->out, "flows:     3 (TCP 1, UDP 1, ICMP 1, other IPv4 0)\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_capture_equals_itself, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_changed_payload_byte_is_named_by_frame_field_offset_and_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_changed_echo_answer_is_reported_at_its_field, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_context_shows_frames_around_the_divergence_as_tcpdump_does, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ip_ids_differ_unless_normalised, setup, teardown),
		cmocka_unit_test_setup_teardown(test_macs_differ_unless_normalised, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time_counts_from_each_first_frame_unless_normalised, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_missing_and_an_extra_frame_are_named, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_sequence_numbers_compare_from_each_flows_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filters_and_an_address_map_compare_one_hosts_frames, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_truncated_capture_is_bad_input_naming_the_record, setup, teardown),
		cmocka_unit_test(test_normalisations_parse_by_name),
		cmocka_unit_test_setup_teardown(test_stat_counts_frames_flows_hosts_and_duration, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
