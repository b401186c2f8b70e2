/*
 * bench-blk: blkfront + blkback against a plain C program on the same image
 * file, in the same run.
 *
 *   bench-blk [-s MIB] [-c COUNT] [-d DIR]
 *
 * Makes a SIZE MiB image (default 64) in DIR (default $TMPDIR or /var/tmp)
 * and measures three things twice, first with pread/pwrite from this
 * process (the file opened as blkback opens it: buffered, fdatasync at the
 * end of the writes), then through bench-blk-guest (found next to this
 * program) with --disk on the same file:
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

struct result {
	const char *name;
	double goal;
	uint64_t bytes, ns;  /* plain */
	uint64_t gbytes, gns; /* guest */
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

static void plain_seq(int fd, unsigned long mib, int write)
{
	static uint8_t buf[MIB];
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
	results[write ? 0 : 1].bytes = (uint64_t)mib * MIB;
	results[write ? 0 : 1].ns = now_ns() - t0;
}

struct rand_arg {
	int fd;
	unsigned long count;
	uint64_t blocks, seed;
};

static void *rand_thread(void *p)
{
	struct rand_arg *a = p;
	uint8_t buf[4096];
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
	results[2].bytes = (uint64_t)(count / QD) * QD * 4096;
	results[2].ns = now_ns() - t0;
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
				if (!strcmp(name, results[i].name)) {
					results[i].gbytes = bytes;
					results[i].gns = ns;
				}
	if (pclose(p) != 0) {
		fprintf(stderr, "bench-blk: %s failed\n", cmd);
		exit(1);
	}
}

static double mbps(uint64_t bytes, uint64_t ns)
{
	return ns ? (double)bytes / 1e6 / ((double)ns / 1e9) : 0;
}

int main(int argc, char **argv)
{
	unsigned long mib = 64, count = 20000;
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/var/tmp";
	char img[PATH_MAX];
	int opt, fd;

	while ((opt = getopt(argc, argv, "s:c:d:")) != -1) {
		if (opt == 's')
			mib = strtoul(optarg, NULL, 10);
		else if (opt == 'c')
			count = strtoul(optarg, NULL, 10);
		else if (opt == 'd')
			dir = optarg;
		else {
			fprintf(stderr, "usage: bench-blk [-s MIB] [-c COUNT] [-d DIR]\n");
			return 2;
		}
	}
	if (mib < 1 || count < QD) {
		fprintf(stderr, "bench-blk: -s takes at least 1 MiB, -c at least %d reads\n", QD);
		return 2;
	}
	snprintf(img, sizeof(img), "%s/bench-blk.XXXXXX", dir);
	if ((fd = mkstemp(img)) < 0)
		die(img);
	if (ftruncate(fd, (off_t)mib * MIB) < 0)
		die("ftruncate");
	plain_seq(fd, mib, 1);
	plain_seq(fd, mib, 0);
	plain_rand(fd, mib, count);
	guest(argv[0], img, mib, count);
	close(fd);
	unlink(img);
	printf("bench-blk: %lu MiB image in %s, %lu random reads\n", mib, dir, count);
	printf("%-20s %12s %12s %7s %6s\n", "test", "plain MB/s", "drydock MB/s", "ratio", "goal");
	for (size_t i = 0; i < 3; i++) {
		double a = mbps(results[i].bytes, results[i].ns);
		double b = mbps(results[i].gbytes, results[i].gns);

		printf("%-20s %12.1f %12.1f %6.0f%% %5.0f%%", results[i].name, a, b,
		       a > 0 ? 100 * b / a : 0, 100 * results[i].goal);
		if (i == 2)
			printf("   (IOPS %.0f vs %.0f)", a * 1e6 / 4096, b * 1e6 / 4096);
		printf("\n");
	}
	return 0;
}
