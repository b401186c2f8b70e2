/*
 * blkspin N: writes sectors 0..N-1 of disk 0, one request each, waiting for
 * each answer, prints "wrote N sectors", then spins without a hypercall, so
 * the simulator's loop never runs again: a first SIGINT cannot be heard and
 * the disk's capture= log keeps its last lines in memory until the second
 * (blk_capture_second_signal.sh).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <uk/blk.h>
#include <uk.h>

#define OPEN_TIMEOUT_NS (10 * UK_NSEC_PER_SEC)

int app_main(int argc, char **argv)
{
	static uint8_t sector[512];
	struct uk_blk_info info;
	struct uk_blk *blk;
	uint64_t n;
	int rc;

	if (argc != 2 || (n = strtoull(argv[1], NULL, 10)) == 0) {
		uk_printf("usage: blkspin SECTORS\n");
		return 2;
	}
	if ((rc = uk_blk_open(0, OPEN_TIMEOUT_NS, &blk)) < 0) {
		uk_printf("blkspin: disk 0 did not connect (%d)\n", rc);
		return 1;
	}
	uk_blk_get_info(blk, &info);
	if (info.sector_size != sizeof(sector) || info.sectors < n) {
		uk_printf("blkspin: the disk needs %" PRIu64 " sectors of 512 bytes\n", n);
		return 1;
	}
	for (uint64_t i = 0; i < n; i++) {
		memcpy(sector, &i, sizeof(i));
		if ((rc = uk_blk_write(blk, i, sector, 1)) < 0) {
			uk_printf("blkspin: write %" PRIu64 " failed (%d)\n", i, rc);
			return 1;
		}
	}
	uk_printf("wrote %" PRIu64 " sectors\n", n);
	/* Guest time may stand still (--clock virtual): bounded by a count, not a clock. */
	for (volatile uint64_t i = 0; i < 60ull * 1000 * 1000 * 1000; i++)
		;
	return 0;
}
