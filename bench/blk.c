/*
 * bench-blk: blkfront + blkback against a plain C program on the same image
 * file, in the same run.
 *
 *   bench-blk [-s MIB] [-c COUNT] [-r ROUNDS] [-d DIR]
 *
 * Makes a SIZE MiB image (default 64) in DIR (default $TMPDIR or /var/tmp)
 * and measures three things on both sides, with pread/pwrite from this
 * process (the file opened as blkback opens it: buffered, fdatasync at the
 * end of the writes) and through bench-blk-guest (found next to this
 * program) with --disk on the same file, ROUNDS times (default 5), the two
 * sides alternating which goes first. Each side's seq-write rewrites the
 * whole image before its reads, so both read a page cache warmed the same
 * way; the figures are the medians over the rounds:
 *   seq-write   1 MiB writes over the image, then a flush
 *   seq-read    1 MiB reads over the image
 *   rand-read   COUNT (default 20000) 4 KiB reads at random 4 KiB-aligned
 *               offsets, 32 in flight (32 threads here; 32 async requests
 *               in the guest)
 * and prints MB/s (and IOPS) of both and the ratio, beside the goals (70%
 * for sequential I/O, 50% for random reads). It reports; it does not judge.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024 * 1024)
#define QD 32
#define MAX_ROUNDS 15

/* One round's figure of one side, in bytes and ns. */
struct sample {
	uint64_t bytes, ns;
};

struct result {
	const char *name;
	double goal;
	struct sample plain[MAX_ROUNDS], guest[MAX_ROUNDS];
};

static struct result results[] = {
	{ .name = "seq-write", .goal = 0.70 },
	{ .name = "seq-read", .goal = 0.70 },
	{ .name = "rand-read-4k-qd32", .goal = 0.50 },
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "bench-blk: %s: %s\n", what, strerror(errno));
	exit(1);
}

static unsigned int round_no;

static void plain_seq(int fd, unsigned long mib, int write)
{
	static uint8_t buf[MIB] __attribute__((aligned(4096))); /* page-aligned, as the guest's */
	uint64_t t0 = now_ns();

	memset(buf, 0x5a, sizeof(buf));
	for (unsigned long i = 0; i < mib; i++) {
		ssize_t n = write ? pwrite(fd, buf, MIB, (off_t)i * MIB)
				  : pread(fd, buf, MIB, (off_t)i * MIB);
		if (n != MIB)
			die(write ? "pwrite" : "pread");
	}
	if (write && fdatasync(fd) < 0)
		die("fdatasync");
	results[write ? 0 : 1].plain[round_no] = (struct sample){ (uint64_t)mib * MIB, now_ns() - t0 };
}

struct rand_arg {
	int fd;
	unsigned long count;
	uint64_t blocks, seed;
};

static void *rand_thread(void *p)
{
	struct rand_arg *a = p;
	uint8_t buf[4096] __attribute__((aligned(4096)));
	uint64_t s = a->seed;

	for (unsigned long i = 0; i < a->count; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		if (pread(a->fd, buf, sizeof(buf), (off_t)((s % a->blocks) * 4096)) != 4096)
			die("pread");
	}
	return NULL;
}

static void plain_rand(int fd, unsigned long mib, unsigned long count)
{
	pthread_t t[QD];
	struct rand_arg a[QD];
	uint64_t t0 = now_ns();

	for (int i = 0; i < QD; i++) {
		a[i] = (struct rand_arg){ fd, count / QD, (uint64_t)mib * MIB / 4096,
					  88172645463325252ull + (uint64_t)i };
		if (pthread_create(&t[i], NULL, rand_thread, &a[i]))
			die("pthread_create");
	}
	for (int i = 0; i < QD; i++)
		pthread_join(t[i], NULL);
	results[2].plain[round_no] = (struct sample){ (uint64_t)(count / QD) * QD * 4096,
						     now_ns() - t0 };
}

static void guest(const char *self, const char *img, unsigned long mib, unsigned long count)
{
	char cmd[PATH_MAX * 3], dir[PATH_MAX], line[256], name[64];
	unsigned long long bytes, ns;
	FILE *p;

	snprintf(dir, sizeof(dir), "%s", self);
	*(strrchr(dir, '/') ? strrchr(dir, '/') : dir) = '\0';
	snprintf(cmd, sizeof(cmd), "'%s/bench-blk-guest' --mem 64 --disk '%s,raw,xvda,rw' -- "
		 "size=%lu count=%lu", *dir ? dir : ".", img, mib, count);
	if (!(p = popen(cmd, "r")))
		die("popen");
	while (fgets(line, sizeof(line), p))
		if (sscanf(line, "blk %63s %llu %llu", name, &bytes, &ns) == 3)
			for (size_t i = 0; i < 3; i++)
				if (!strcmp(name, results[i].name))
					results[i].guest[round_no] = (struct sample){ bytes, ns };
	if (pclose(p) != 0) {
		fprintf(stderr, "bench-blk: %s failed\n", cmd);
		exit(1);
	}
}

static double mbps(struct sample s)
{
	return s.ns ? (double)s.bytes / 1e6 / ((double)s.ns / 1e9) : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median MB/s of rounds samples. */
static double median_mbps(const struct sample *s, unsigned int rounds)
{
	double v[MAX_ROUNDS];

	for (unsigned int i = 0; i < rounds; i++)
		v[i] = mbps(s[i]);
	qsort(v, rounds, sizeof(v[0]), cmp_double);
	return rounds % 2 ? v[rounds / 2] : (v[rounds / 2 - 1] + v[rounds / 2]) / 2;
}

static void plain(int fd, unsigned long mib, unsigned long count)
{
	plain_seq(fd, mib, 1);
	plain_seq(fd, mib, 0);
	plain_rand(fd, mib, count);
}

int main(int argc, char **argv)
{
	unsigned long mib = 64, count = 20000, rounds = 5;
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/var/tmp";
	char img[PATH_MAX];
	int opt, fd;

	while ((opt = getopt(argc, argv, "s:c:r:d:")) != -1) {
		if (opt == 's')
			mib = strtoul(optarg, NULL, 10);
		else if (opt == 'c')
			count = strtoul(optarg, NULL, 10);
		else if (opt == 'r')
			rounds = strtoul(optarg, NULL, 10);
		else if (opt == 'd')
			dir = optarg;
		else {
			fprintf(stderr, "usage: bench-blk [-s MIB] [-c COUNT] [-r ROUNDS] [-d DIR]\n");
			return 2;
		}
	}
	if (mib < 1 || count < QD || rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "bench-blk: -s takes at least 1 MiB, -c at least %d reads, -r 1 to "
			"%d rounds\n", QD, MAX_ROUNDS);
		return 2;
	}
	snprintf(img, sizeof(img), "%s/bench-blk.XXXXXX", dir);
	if ((fd = mkstemp(img)) < 0)
		die(img);
	if (ftruncate(fd, (off_t)mib * MIB) < 0)
		die("ftruncate");
	/* Alternating which side goes first cancels what the previous one leaves behind. */
	for (round_no = 0; round_no < rounds; round_no++) {
		if (round_no % 2 == 0) {
			plain(fd, mib, count);
			guest(argv[0], img, mib, count);
		} else {
			guest(argv[0], img, mib, count);
			plain(fd, mib, count);
		}
	}
	close(fd);
	unlink(img);
	printf("bench-blk: %lu MiB image in %s, %lu random reads, median of %lu rounds\n", mib,
	       dir, count, rounds);
	printf("%-20s %12s %12s %7s %6s\n", "test", "plain MB/s", "drydock MB/s", "ratio", "goal");
	for (size_t i = 0; i < 3; i++) {
		double a = median_mbps(results[i].plain, (unsigned int)rounds);
		double b = median_mbps(results[i].guest, (unsigned int)rounds);

		printf("%-20s %12.1f %12.1f %6.0f%% %5.0f%%", results[i].name, a, b,
		       a > 0 ? 100 * b / a : 0, 100 * results[i].goal);
		if (i == 2)
			printf("   (IOPS %.0f vs %.0f)", a * 1e6 / 4096, b * 1e6 / 4096);
		printf("\n");
	}
	return 0;
}
