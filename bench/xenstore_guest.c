/*
 * bench-xenstore-guest: the unikernel half of bench-xenstore (guest code).
 *
 *   bench-xenstore-guest [HOST OPTIONS] -- [N]   N xenbus_read of "name" in a loop
 *   bench-xenstore-guest [HOST OPTIONS] -- serve stays up until shut down
 *
 * With a count (default 100000) it first does 1% of N (at least 100) uncounted
 * reads, then times N reads of its own "name" node with uk_now_ns (meant for
 * the real clock: under the virtual clock no time passes while the guest
 * runs), prints one human line and one line for bench-xenstore to parse:
 *
 *   guest xenbus_read: 100000 reads in 812345678 ns: 123098 reads/s, 8.123 us/read
 *   bench-xenstore-guest: reads=100000 ns=812345678
 *
 * and exits 0; 1 if a read fails or no guest time passed at all (the virtual
 * clock). With `serve` it prints "serving" and sleeps until the toolstack
 * writes control/shutdown = poweroff, so that a host program can measure
 * xenstore round trips on --xenstore-socket.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <uk.h>

#define DEFAULT_READS 100000ULL

/* n reads of "name"; returns 0 or the first error. */
static int read_name(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		char *value = NULL;
		int rc = xenbus_read(XBT_NIL, "name", &value, NULL);
		if (rc < 0) {
			uk_printf("bench-xenstore-guest: read %" PRIu64 " of name failed: error %d\n",
				  i + 1, -rc);
			return rc;
		}
		uk_free(value);
	}
	return 0;
}

static int bench_reads(uint64_t n)
{
	uint64_t warmup = n / 100 < 100 ? 100 : n / 100;
	uint64_t t0, ns, mean_ns;

	if (read_name(warmup) < 0)
		return 1;
	t0 = uk_now_ns();
	if (read_name(n) < 0)
		return 1;
	ns = uk_now_ns() - t0;
	if (ns == 0) {
		/* The virtual clock: no time passes while the guest runs. */
		uk_printf("bench-xenstore-guest: no guest time passed; run it under --clock real\n");
		return 1;
	}
	mean_ns = ns / n;
	uk_printf("guest xenbus_read: %" PRIu64 " reads in %" PRIu64 " ns: %" PRIu64
		  " reads/s, %" PRIu64 ".%03" PRIu64 " us/read\n",
		  n, ns, n * UK_NSEC_PER_SEC / ns, mean_ns / 1000, mean_ns % 1000);
	uk_printf("bench-xenstore-guest: reads=%" PRIu64 " ns=%" PRIu64 "\n", n, ns);
	return 0;
}

int app_main(int argc, char **argv)
{
	uint64_t n = DEFAULT_READS;
	char *end;

	if (argc >= 2 && strcmp(argv[1], "serve") == 0) {
		uk_printf("serving\n");
		uk_console_flush();
		for (;;)
			uk_sleep_ns(3600 * UK_NSEC_PER_SEC); /* control/shutdown ends it */
	}
	if (argc >= 2) {
		n = strtoull(argv[1], &end, 10);
		/* At most 10^9: n * 10^9 must not overflow in the rate. */
		if (end == argv[1] || *end != '\0' || n == 0 || n > 1000000000ULL) {
			uk_printf("usage: bench-xenstore-guest -- [N (1..10^9)] | serve\n");
			return 2;
		}
	}
	return bench_reads(n);
}
