/*
 * bench-blk-guest: the guest half of bench-blk. On disk 0 it times, on the
 * real clock: sequential 1 MiB writes then reads over the first SIZE MiB
 * (guest argument size=N, default 64), then COUNT 4 KiB reads at random
 * sectors with 32 requests in flight (count=N, default 20000). It prints one
 * line per test for the driver: "blk <test> <bytes> <ns>". Its buffers are
 * page-aligned, as a program doing direct I/O keeps them (blkfront grants
 * them in place).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <uk.h>
#include <uk/blk.h>

#define MIB (1024 * 1024)
#define QD 32
#define RAND_BYTES 4096

static struct uk_blk *disk;
static uint8_t *big;

static unsigned long arg(int argc, char **argv, const char *key, unsigned long dflt)
{
	size_t n = strlen(key);

	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], key, n) && argv[i][n] == '=')
			return strtoul(argv[i] + n + 1, NULL, 10);
	return dflt;
}

static int seq(bool write, unsigned long mib)
{
	uint64_t t0 = uk_now_ns();
	int rc;

	for (unsigned long i = 0; i < mib; i++) {
		rc = write ? uk_blk_write(disk, i * (MIB / 512), big, MIB / 512)
			   : uk_blk_read(disk, i * (MIB / 512), big, MIB / 512);
		if (rc < 0)
			return rc;
	}
	if (write && (rc = uk_blk_flush(disk)) < 0)
		return rc;
	uk_printf("blk seq-%s %lu %lu\n", write ? "write" : "read", mib * MIB,
		  (unsigned long)(uk_now_ns() - t0));
	return 0;
}

/* xorshift: the sectors of the random reads. */
static uint64_t next_sector(uint64_t *s, uint64_t sectors)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (*s % (sectors / 8)) * 8;
}

static int rand_reads(unsigned long count, uint64_t sectors)
{
	static struct uk_blk_req req[QD];
	uint8_t (*buf)[RAND_BYTES] = uk_pages_alloc(QD * RAND_BYTES / UK_PAGE_SIZE);
	uint64_t s = 88172645463325252ull, t0 = uk_now_ns();
	unsigned long issued = 0;
	int rc;

	if (!buf)
		return -ENOMEM;
	for (unsigned int i = 0; i < QD && issued < count; i++, issued++) {
		req[i] = (struct uk_blk_req){ .op = UK_BLK_READ, .sector = next_sector(&s, sectors),
					      .count = RAND_BYTES / 512, .buf = buf[i] };
		if ((rc = uk_blk_submit(disk, &req[i])) < 0)
			return rc;
	}
	for (unsigned long done = 0; done < count; done++) {
		unsigned int i = (unsigned int)(done % QD);

		if ((rc = uk_blk_wait(&req[i])) < 0)
			return rc;
		if (issued < count) {
			req[i].sector = next_sector(&s, sectors);
			if ((rc = uk_blk_submit(disk, &req[i])) < 0)
				return rc;
			issued++;
		}
	}
	uk_printf("blk rand-read-4k-qd32 %lu %lu\n", count * RAND_BYTES,
		  (unsigned long)(uk_now_ns() - t0));
	uk_pages_free(buf, QD * RAND_BYTES / UK_PAGE_SIZE);
	return 0;
}

int app_main(int argc, char **argv)
{
	unsigned long mib = arg(argc, argv, "size", 64), count = arg(argc, argv, "count", 20000);
	struct uk_blk_info info;
	int rc;

	if ((rc = uk_blk_open(0, 10 * UK_NSEC_PER_SEC, &disk)) < 0 || !(big = uk_pages_alloc(MIB / UK_PAGE_SIZE))) {
		uk_printf("bench-blk-guest: no disk 0 (%d) or no memory\n", rc);
		return 1;
	}
	uk_blk_get_info(disk, &info);
	if (info.sectors * info.sector_size < mib * MIB) {
		uk_printf("bench-blk-guest: the disk is smaller than size=%lu MiB\n", mib);
		return 1;
	}
	memset(big, 0xa5, MIB);
	if ((rc = seq(true, mib)) < 0 || (rc = seq(false, mib)) < 0 ||
	    (rc = rand_reads(count, mib * MIB / 512)) < 0) {
		uk_printf("bench-blk-guest: I/O failed: %d\n", rc);
		return 1;
	}
	uk_blk_close(disk);
	return 0;
}
