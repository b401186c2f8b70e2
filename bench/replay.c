/*
 * bench-replay: how fast a pcap replay goes, beside libpcap reading the same
 * file in the same run (issue 12's goals: >= 2 M frames in per second
 * without capture, >= 1.5 M with, every datagram answered).
 *
 *   bench-replay [-n FRAMES] [-r RUNS] [-k] -- ECHO
 *
 * Writes a trace of an ARP request and FRAMES UDP datagrams (default
 * 1,000,000; 18 bytes of payload) from 10.0.0.1 to 10.0.0.2:7, 1 us apart,
 * to a temporary file; then, RUNS times (default 3) in turn: libpcap reads
 * it (pcap_next_ex, nothing else), ECHO replays it (--clock virtual --vif
 * pcap=FILE,linger=0 -- ip=10.0.0.2/24), and replays it with capture=. Each
 * replay must answer every datagram (its "N datagrams received, N echoed"
 * line). Prints the median of each in frames in per second, by the wall
 * clock and by the CPU time the reader or replay used (user + system, from
 * wait4's rusage): on a machine shared with other jobs the wall clock
 * measures the load as much as the code, the CPU time much less so. -k
 * keeps the files (their paths are printed). Exit status 0 when every run
 * answered everything, 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "peer.h"

#define RUNS_MAX 15
#define NSEC_PER_SEC 1000000000.0

extern char **environ;

static const struct peer client = {
	.mac = { 2, 0, 0, 0, 0, 1 }, .ip = PEER_IP4(10, 0, 0, 1),
	.guest_mac = { 0x00, 0x16, 0x3e, 0x00, 0x01, 0x00 }, .guest_ip = PEER_IP4(10, 0, 0, 2),
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / NSEC_PER_SEC;
}

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / NSEC_PER_SEC;
}

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static int write_trace(const char *path, unsigned long frames)
{
	pcap_t *dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535,
							    PCAP_TSTAMP_PRECISION_NANO);
	pcap_dumper_t *d = pcap_dump_open(dead, path);
	uint8_t f[PEER_FRAME_MAX];
	struct pcap_pkthdr h = { 0 };

	if (!d) {
		fprintf(stderr, "bench-replay: %s\n", pcap_geterr(dead));
		return -1;
	}
	h.ts.tv_sec = 1000;
	h.caplen = h.len = (bpf_u_int32)peer_arp_frame(&client, f, 1);
	pcap_dump((u_char *)d, &h, f);
	for (unsigned long i = 0; i < frames; i++) {
		char payload[18];
		snprintf(payload, sizeof(payload), "datagram %08lu", i % 100000000);
		h.ts.tv_sec = (time_t)(1001 + i / 1000000);
		h.ts.tv_usec = (suseconds_t)(i % 1000000 * 1000); /* ns in this precision */
		h.caplen = h.len = (bpf_u_int32)peer_udp_frame(&client, f,
							       (uint16_t)(40000 + i % 1000), 7,
							       payload, 17);
		pcap_dump((u_char *)d, &h, f);
	}
	pcap_dump_close(d);
	pcap_close(dead);
	return 0;
}

/* libpcap alone: frames read per second (wall), and per CPU second in *cpu_rate. */
static double read_rate(const char *path, double *cpu_rate)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	unsigned long n = 0;
	double t0 = now_s(), c0 = cpu_s();
	pcap_t *p = pcap_open_offline(path, err);

	*cpu_rate = 0;
	if (!p)
		return 0;
	while (pcap_next_ex(p, &h, &data) == 1)
		n++;
	pcap_close(p);
	*cpu_rate = (double)n / (cpu_s() - c0);
	return (double)n / (now_s() - t0);
}

/*
 * ECHO replaying path (capture to cap if not NULL): frames in per second
 * (wall), and per CPU second in *cpu_rate; 0 on failure.
 */
static double replay_rate(const char *echo, const char *path, const char *cap,
			  const char *out, unsigned long frames, double *cpu_rate)
{
	struct rusage ru;
	char spec[4096], line[256], want[128];
	char *argv[] = { (char *)echo, "--clock", "virtual", "--vif", spec, "--",
			 "ip=10.0.0.2/24", NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status, ok = 0;

	snprintf(spec, sizeof(spec), "pcap=%s,linger=0%s%s", path, cap ? ",capture=" : "",
		 cap ? cap : "");
	*cpu_rate = 0;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	double t0 = now_s();
	if (posix_spawn(&pid, echo, &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		return 0;
	}
	if (wait4(pid, &status, 0, &ru) < 0) {
		posix_spawn_file_actions_destroy(&fa);
		return 0;
	}
	double t = now_s() - t0;
	posix_spawn_file_actions_destroy(&fa);
	snprintf(want, sizeof(want), "echo: %lu datagrams received, %lu echoed,", frames, frames);
	FILE *fp = fopen(out, "r");
	while (fp && fgets(line, sizeof(line), fp))
		ok |= !strncmp(line, want, strlen(want));
	if (fp)
		fclose(fp);
	if (!WIFEXITED(status) || WEXITSTATUS(status) || !ok) {
		fprintf(stderr, "bench-replay: %s did not answer every datagram (see %s)\n", echo,
			out);
		return 0;
	}
	*cpu_rate = (double)(frames + 1) / (tv_s(ru.ru_utime) + tv_s(ru.ru_stime));
	return (double)(frames + 1) / t;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

int main(int argc, char **argv)
{
	unsigned long frames = 1000000;
	int runs = 3, keep = 0, i = 1, failed = 0;
	char dir[] = "/tmp/bench-replay.XXXXXX", in[64], cap[64], out[64];
	double raw[RUNS_MAX], plain[RUNS_MAX], captured[RUNS_MAX];
	double raw_cpu[RUNS_MAX], plain_cpu[RUNS_MAX], captured_cpu[RUNS_MAX];

	for (; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			frames = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "-r") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-k"))
			keep = 1;
		else
			break;
	}
	if (i + 2 != argc || strcmp(argv[i], "--") || !frames || runs < 1 || runs > RUNS_MAX) {
		fprintf(stderr, "usage: bench-replay [-n FRAMES] [-r RUNS (1..%d)] [-k] -- ECHO\n",
			RUNS_MAX);
		return 2;
	}
	if (!mkdtemp(dir)) {
		perror("bench-replay: mkdtemp");
		return 1;
	}
	snprintf(in, sizeof(in), "%s/in.pcap", dir);
	snprintf(cap, sizeof(cap), "%s/cap.pcap", dir);
	snprintf(out, sizeof(out), "%s/out.txt", dir);
	if (write_trace(in, frames) < 0)
		return 1;
	for (int r = 0; r < runs; r++) {
		raw[r] = read_rate(in, &raw_cpu[r]);
		plain[r] = replay_rate(argv[i + 1], in, NULL, out, frames, &plain_cpu[r]);
		captured[r] = replay_rate(argv[i + 1], in, cap, out, frames, &captured_cpu[r]);
		failed |= !plain[r] || !captured[r];
	}
	printf("bench-replay: %lu UDP datagrams (and an ARP request), %d runs each, interleaved, "
	       "medians\n", frames, runs);
	printf("                           wall clock       CPU time   (M frames in/s)\n");
	printf("libpcap read alone         %10.2f %14.2f\n", median(raw, runs) / 1e6,
	       median(raw_cpu, runs) / 1e6);
	printf("echo replay                %10.2f %14.2f   (goal: >= 2)\n",
	       median(plain, runs) / 1e6, median(plain_cpu, runs) / 1e6);
	printf("echo replay with capture=  %10.2f %14.2f   (goal: >= 1.5)\n",
	       median(captured, runs) / 1e6, median(captured_cpu, runs) / 1e6);
	if (keep) {
		printf("files kept in %s\n", dir);
	} else {
		unlink(in), unlink(cap), unlink(out);
		rmdir(dir);
	}
	return failed;
}
