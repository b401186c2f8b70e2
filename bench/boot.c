/*
 * bench-boot: exec-to-exit wall time and peak RSS of a command, measured
 * beside /bin/true in the same run.
 *
 *   bench-boot [-n RUNS] [-w WARMUP] -- CMD [ARGS...]
 *
 * Runs /bin/true and CMD alternately, RUNS times each after WARMUP uncounted
 * runs each. Every run is posix_spawn (stdin, stdout and stderr on /dev/null)
 * followed by wait4; the wall time is CLOCK_MONOTONIC from just before the
 * spawn to wait4's return, the peak RSS is the child's rusage.ru_maxrss.
 * A run that does not exit with status 0 stops the benchmark with exit 1.
 *
 * The figures that matter are relative to /bin/true: these machines are
 * noisy, and the baseline absorbs fork/exec/wait cost and the noise of the
 * moment. See bench/README.md. This program reports; it does not judge.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* wait4, environ */
#endif

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_RUNS 200
#define DEFAULT_WARMUP 10
#define MAX_RUNS 1000000L

/* The goals the overhead line quotes. Reported, never enforced. */
#define GOAL_OVERHEAD_MS 1.0
#define GOAL_RSS_MIB 4.0

struct series {
	char *const *argv; /* what is run */
	char *label;       /* argv joined with spaces */
	double *ms;        /* wall time of each counted run */
	double *rss_mib;   /* peak RSS of each counted run */
};

static void usage(FILE *f)
{
	fprintf(f, "usage: bench-boot [-n RUNS] [-w WARMUP] -- CMD [ARGS...]\n"
		   "  runs /bin/true and CMD alternately, RUNS times each (default %d)\n"
		   "  after WARMUP uncounted runs each (default %d), and prints\n"
		   "  exec-to-exit wall time and peak RSS of both\n",
		DEFAULT_RUNS, DEFAULT_WARMUP);
}

static long parse_count(const char *opt, const char *s, long min)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > MAX_RUNS) {
		fprintf(stderr, "bench-boot: %s wants a number from %ld to %ld, not '%s'\n",
			opt, min, MAX_RUNS, s);
		exit(2);
	}
	return v;
}

static char *join_args(char *const *argv)
{
	size_t len = 1;
	char *s;

	for (char *const *a = argv; *a; a++)
		len += strlen(*a) + 1;
	s = malloc(len);
	if (!s) {
		perror("bench-boot: malloc");
		exit(1);
	}
	s[0] = '\0';
	for (char *const *a = argv; *a; a++) {
		if (a != argv)
			strcat(s, " ");
		strcat(s, *a);
	}
	return s;
}

static double *alloc_samples(long n)
{
	double *p = calloc((size_t)n, sizeof(*p));

	if (!p) {
		perror("bench-boot: calloc");
		exit(1);
	}
	return p;
}

static double elapsed_ms(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

/*
 * Runs s->argv once. Stores the sample at index i unless i < 0 (warm-up).
 * Exits the program, loudly, if the command cannot be run or fails.
 */
static void run_once(struct series *s, const posix_spawn_file_actions_t *fa, long i)
{
	struct timespec t0, t1;
	struct rusage ru;
	pid_t pid, w;
	int status, err;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = posix_spawnp(&pid, s->argv[0], fa, NULL, s->argv, environ);
	if (err != 0) {
		fprintf(stderr, "bench-boot: cannot run '%s': %s\n", s->label, strerror(err));
		exit(1);
	}
	do {
		w = wait4(pid, &status, 0, &ru);
	} while (w < 0 && errno == EINTR);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (w < 0) {
		perror("bench-boot: wait4");
		exit(1);
	}

	if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench-boot: FAILED: '%s' exited with status %d (%s run %ld)\n",
			s->label, WEXITSTATUS(status), i < 0 ? "warm-up" : "counted",
			i < 0 ? -i : i + 1);
		exit(1);
	}
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "bench-boot: FAILED: '%s' killed by signal %d (%s)%s (%s run %ld)\n",
			s->label, WTERMSIG(status), strsignal(WTERMSIG(status)),
			WCOREDUMP(status) ? ", core dumped" : "", i < 0 ? "warm-up" : "counted",
			i < 0 ? -i : i + 1);
		exit(1);
	}

	if (i >= 0) {
		s->ms[i] = elapsed_ms(&t0, &t1);
		s->rss_mib[i] = (double)ru.ru_maxrss / 1024.0; /* ru_maxrss is in KiB */
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The q-quantile (0..1) of sorted v[0..n-1], interpolating between ranks. */
static double quantile(const double *v, long n, double q)
{
	double pos = q * (double)(n - 1);
	long lo = (long)pos;

	if (lo + 1 >= n)
		return v[n - 1];
	return v[lo] + (pos - (double)lo) * (v[lo + 1] - v[lo]);
}

struct summary {
	double median, p10, p90, rss_median;
};

static struct summary summarize(struct series *s, long n)
{
	struct summary r;

	qsort(s->ms, (size_t)n, sizeof(double), cmp_double);
	qsort(s->rss_mib, (size_t)n, sizeof(double), cmp_double);
	r.median = quantile(s->ms, n, 0.5);
	r.p10 = quantile(s->ms, n, 0.1);
	r.p90 = quantile(s->ms, n, 0.9);
	r.rss_median = quantile(s->rss_mib, n, 0.5);
	return r;
}

static void print_row(const char *label, int width, const struct summary *r)
{
	printf("%-*s  median %.3f ms   p10 %.3f   p90 %.3f   peak RSS median %.1f MiB\n",
	       width, label, r->median, r->p10, r->p90, r->rss_median);
}

int main(int argc, char **argv)
{
	static char *true_argv[] = { "/bin/true", NULL };
	long runs = DEFAULT_RUNS, warmup = DEFAULT_WARMUP;
	posix_spawn_file_actions_t fa;
	struct series base, cmd;
	struct summary rb, rc;
	int opt, devnull, width;

	/* '+': stop at the first non-option, so CMD's own options are left alone. */
	while ((opt = getopt(argc, argv, "+n:w:h")) != -1) {
		switch (opt) {
		case 'n':
			runs = parse_count("-n", optarg, 1);
			break;
		case 'w':
			warmup = parse_count("-w", optarg, 0);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}

	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0) {
		perror("bench-boot: /dev/null");
		return 1;
	}
	if (posix_spawn_file_actions_init(&fa) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, devnull, STDIN_FILENO) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, devnull, STDOUT_FILENO) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, devnull, STDERR_FILENO) != 0) {
		fprintf(stderr, "bench-boot: posix_spawn_file_actions failed\n");
		return 1;
	}

	/* Everything is allocated before the first spawn, so that this process's
	 * own size (which a spawned child's ru_maxrss can include, see README)
	 * is the same for every run. */
	base.argv = true_argv;
	base.label = join_args(true_argv);
	base.ms = alloc_samples(runs);
	base.rss_mib = alloc_samples(runs);
	cmd.argv = &argv[optind];
	cmd.label = join_args(&argv[optind]);
	cmd.ms = alloc_samples(runs);
	cmd.rss_mib = alloc_samples(runs);

	for (long i = 1; i <= warmup; i++) {
		run_once(&base, &fa, -i);
		run_once(&cmd, &fa, -i);
	}
	for (long i = 0; i < runs; i++) {
		run_once(&base, &fa, i);
		run_once(&cmd, &fa, i);
	}

	rb = summarize(&base, runs);
	rc = summarize(&cmd, runs);
	width = (int)strlen(cmd.label);
	if (width < (int)strlen(base.label))
		width = (int)strlen(base.label);

	printf("bench-boot: %ld runs each, interleaved\n", runs);
	print_row(base.label, width, &rb);
	print_row(cmd.label, width, &rc);
	printf("overhead over /bin/true: median %.3f ms (goal: <= %g ms); "
	       "peak RSS %.1f MiB (goal: < %g MiB)\n",
	       rc.median - rb.median, GOAL_OVERHEAD_MS, rc.rss_median, GOAL_RSS_MIB);

	posix_spawn_file_actions_destroy(&fa);
	close(devnull);
	free(base.label);
	free(base.ms);
	free(base.rss_mib);
	free(cmd.label);
	free(cmd.ms);
	free(cmd.rss_mib);
	return 0;
}
