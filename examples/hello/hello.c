/*
 * hello: the first unikernel. Prints a banner with its command line, its
 * name and domain id as xenstore has them, and the time; then three threads
 * sleep 100 ms three times each on Xen timers, interleaving, and report how
 * long each sleep really took.
 *
 * With the guest command line `wait` it then stays up, printing every new
 * value of its xenstore node data/greeting, until it is shut down
 * (xenstore-write .../control/shutdown poweroff, or Ctrl-C).
 */
#include <inttypes.h>
#include <string.h>
#include <uk.h>

#define SLEEPERS 3
#define ROUNDS 3
#define SLEEP_NS (100 * UK_NSEC_PER_MSEC)

static void print_wallclock(void)
{
	uint64_t ns = uk_wallclock_ns();
	uint64_t secs = ns / UK_NSEC_PER_SEC, days = secs / 86400, rem = secs % 86400;
	/* Civil date from days since 1970-01-01 (Howard Hinnant's algorithm). */
	int64_t z = (int64_t)days + 719468, era = z / 146097;
	uint64_t doe = (uint64_t)(z - era * 146097);
	uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	unsigned d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	unsigned m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	int64_t y = (int64_t)yoe + era * 400 + (m <= 2);

	uk_printf("wall clock: %04" PRId64 "-%02u-%02u %02" PRIu64 ":%02" PRIu64 ":%02" PRIu64
		  " UTC\n", y, m, d, rem / 3600, rem / 60 % 60, rem % 60);
}

static void print_identity(void)
{
	char *name = NULL, *domid = NULL;

	if (xenbus_read(XBT_NIL, "name", &name, NULL) == 0 &&
	    xenbus_read(XBT_NIL, "domid", &domid, NULL) == 0)
		uk_printf("xenstore says: name %s, domid %s\n", name, domid);
	else
		uk_printf("xenstore says nothing: no name or domid\n");
	uk_free(name);
	uk_free(domid);
}

/* Prints data/greeting whenever it changes, forever. */
static void wait_for_greetings(void)
{
	struct xenbus_watch w;
	char *path, *value;
	int rc;

	if ((rc = xenbus_watch_add(&w, "data/greeting", NULL, NULL)) < 0)
		uk_panic("cannot watch data/greeting: error %d", rc);
	uk_printf("waiting for data/greeting (shut me down to stop)\n");
	for (;;) {
		if (xenbus_watch_wait(&w, &path, 0) < 0)
			continue;
		uk_free(path);
		if (xenbus_read(XBT_NIL, "data/greeting", &value, NULL) == 0) {
			uk_printf("greeting: %s\n", value);
			uk_free(value);
		}
	}
}

static int sleeper(void *arg)
{
	int id = (int)(intptr_t)arg;

	/* Staggered starts make the three threads' wake-ups interleave. */
	uk_sleep_ns((uint64_t)id * 10 * UK_NSEC_PER_MSEC);
	for (int round = 1; round <= ROUNDS; round++) {
		uint64_t start = uk_now_ns();
		uk_sleep_ns(SLEEP_NS);
		uint64_t took = uk_now_ns() - start;
		uk_printf("thread %d: sleep %d of 100 ms took %" PRIu64 ".%03" PRIu64 " ms\n", id,
			  round, took / UK_NSEC_PER_MSEC, took / UK_NSEC_PER_USEC % 1000);
	}
	return 0;
}

int app_main(int argc, char **argv)
{
	struct uk_thread *threads[SLEEPERS];
	/* On Xen guest time counts from the hypervisor's boot, not ours. */
	uint64_t start = uk_now_ns();

	uk_printf("Hello from drydock! This is %s.\n", argv[0]);
	uk_printf("command line:");
	for (int i = 1; i < argc; i++)
		uk_printf(" [%s]", argv[i]);
	uk_printf("%s\n", argc > 1 ? "" : " (empty)");
	print_identity();
	print_wallclock();
	for (int i = 0; i < SLEEPERS; i++) {
		threads[i] = uk_thread_create("sleeper", sleeper, (void *)(intptr_t)(i + 1));
		if (!threads[i])
			uk_panic("cannot create thread %d: out of memory", i + 1);
	}
	for (int i = 0; i < SLEEPERS; i++)
		uk_thread_join(threads[i]);
	uk_printf("all %d threads done after %" PRIu64 " ms of guest time; goodbye\n", SLEEPERS,
		  (uk_now_ns() - start) / UK_NSEC_PER_MSEC);
	if (argc > 1 && !strcmp(argv[1], "wait"))
		wait_for_greetings();
	return 0;
}
