/*
 * libuv's events beside the simulator's epoll set (sim/io_watch.c), the way
 * the simulator meets them: a thread-pool completion (blkback), a uv_async
 * sent from a signal handler (the first SIGINT), a handle closed between
 * waits, and libuv's own fd while a watched fd never stops being readable
 * (a flooded TAP). Each must end the wait it comes during, or be served by
 * the next one; a guard timerfd ends a wait that nothing else ends, so a
 * failure is an assertion, not a hang. Also: sim_destroy leaves no fd open,
 * and every fd the simulator opens is close-on-exec (a restart execs).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "sim/sim_private.h"

struct fixture {
	struct sim *sim;
	int p[2], q[2]; /* non-blocking pipes: p stands for the TAP */
	struct sim_io_watch w, guard;
	int guard_fd;
	unsigned int calls, guard_calls;
	uv_poll_t poll;
	unsigned int polls, closes, works, afters, asyncs;
	uv_work_t work;
};

static uv_async_t wake; /* a signal handler's only way to it, as in sim/host/signals.c */

static void on_guard(struct sim_io_watch *w, int status, int events)
{
	struct fixture *f = w->data;
	uint64_t n;

	f->guard_calls++;
	if (read(w->fd, &n, sizeof(n)) < 0)
		n = 0;
}

static void on_async(uv_async_t *a)
{
	struct fixture *f = a->data;

	f->asyncs++;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct sim_config cfg = { .clock = SIM_CLOCK_REAL, .console_fd = -1 };
	struct itimerspec its = { .it_value = { .tv_sec = 3 } };

	if (!f || sim_create(&f->sim, &cfg) < 0 || pipe2(f->p, O_NONBLOCK | O_CLOEXEC) < 0 ||
	    pipe2(f->q, O_NONBLOCK | O_CLOEXEC) < 0)
		return -1;
	/* Referenced, as drydock's own is: libuv's passes run. */
	if (uv_async_init(sim_loop(f->sim), &wake, on_async) < 0)
		return -1;
	wake.data = f;
	sim_io_run(f->sim, false); /* the pass that adds what libuv queued at its start */
	sim_io_watch_init(f->sim, &f->w, f->p[0]);
	f->w.data = f;
	f->guard_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (f->guard_fd < 0 || timerfd_settime(f->guard_fd, 0, &its, NULL) < 0)
		return -1;
	sim_io_watch_init(f->sim, &f->guard, f->guard_fd);
	f->guard.data = f;
	if (sim_io_watch_start(&f->guard, SIM_IO_READABLE, on_guard) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sim_io_watch_close(&f->w);
	sim_io_watch_close(&f->guard);
	sim_destroy(f->sim); /* closes the async and the poll */
	close(f->guard_fd);
	close(f->p[0]);
	close(f->p[1]);
	close(f->q[0]);
	close(f->q[1]);
	free(f);
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Waits at most n times, until *seen is set; the guard ends a wait nothing else ends. */
static void wait_for(struct fixture *f, const unsigned int *seen, int n)
{
	for (int i = 0; i < n && !*seen && !f->guard_calls; i++)
		sim_io_run(f->sim, true);
}

static void on_readable_unread(struct sim_io_watch *w, int status, int events)
{
	struct fixture *f = w->data;

	f->calls++;
}

static void on_poll(uv_poll_t *h, int status, int events)
{
	struct fixture *f = h->data;
	char c;

	f->polls++;
	while (read(f->q[0], &c, 1) == 1)
		;
}

static void test_libuv_is_served_while_a_watched_fd_never_stops_being_readable(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(uv_poll_init(sim_loop(f->sim), &f->poll, f->q[0]), 0);
	f->poll.data = f;
	assert_int_equal(uv_poll_start(&f->poll, UV_READABLE, on_poll), 0);
	assert_int_equal(sim_io_watch_start(&f->w, SIM_IO_READABLE, on_readable_unread), 0);
	assert_int_equal(write(f->p[1], "x", 1), 1); /* never read: always ready */
	for (int i = 0; i < 4; i++)
		sim_io_run(f->sim, true);
	assert_int_equal(write(f->q[1], "y", 1), 1);
	wait_for(f, &f->polls, 2);
	assert_int_equal(f->polls, 1);
	assert_true(f->calls >= 5);
	assert_int_equal(f->guard_calls, 0);
}

static void work(uv_work_t *r)
{
	struct fixture *f = r->data;

	usleep(20000);
	f->works++;
}

static void after_work(uv_work_t *r, int status)
{
	struct fixture *f = r->data;

	f->afters++;
}

static void test_a_thread_pool_completion_ends_the_wait_it_comes_during(void **state)
{
	struct fixture *f = *state;
	uint64_t t0 = now_ms();

	/* What blkback does for a disk request. */
	f->work.data = f;
	assert_int_equal(uv_queue_work(sim_loop(f->sim), &f->work, work, after_work), 0);
	wait_for(f, &f->afters, 4);
	assert_int_equal(f->afters, 1);
	assert_int_equal(f->guard_calls, 0);
	assert_true(now_ms() - t0 < 1500);
}

static void on_alarm(int sig)
{
	uv_async_send(&wake);
}

static void test_a_uv_async_sent_from_a_signal_handler_ends_the_wait(void **state)
{
	struct fixture *f = *state;
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct itimerval it = { .it_value = { .tv_usec = 20000 } };

	/* As the first SIGINT: the wait is interrupted (EINTR), the async's wake-up follows. */
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
	wait_for(f, &f->asyncs, 4);
	assert_int_equal(sigaction(SIGALRM, &old, NULL), 0);
	assert_int_equal(f->asyncs, 1);
	assert_int_equal(f->guard_calls, 0);
}

static void on_closed(uv_handle_t *h)
{
	struct fixture *f = h->data;

	f->closes++;
}

static void test_a_handle_closed_between_waits_gets_its_callback_without_waiting(void **state)
{
	struct fixture *f = *state;
	uint64_t t0;

	assert_int_equal(uv_poll_init(sim_loop(f->sim), &f->poll, f->q[0]), 0);
	f->poll.data = f;
	assert_int_equal(uv_poll_start(&f->poll, UV_READABLE, on_poll), 0);
	sim_io_run(f->sim, false);
	/* From a hypercall, as vif_user forgets a socket slirp closed. */
	uv_close((uv_handle_t *)&f->poll, on_closed);
	t0 = now_ms();
	sim_io_run(f->sim, true);
	assert_int_equal(f->closes, 1);
	assert_true(now_ms() - t0 < 1000);
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void test_sim_destroy_closes_every_fd_the_simulator_opened(void **state)
{
	struct sim_config cfg = { .clock = SIM_CLOCK_REAL, .console_fd = -1 };
	int before = open_fds();

	for (int i = 0; i < 3; i++) {
		struct sim *sim;

		assert_int_equal(sim_create(&sim, &cfg), 0);
		sim_io_run(sim, false);
		sim_destroy(sim);
	}
	assert_int_equal(open_fds(), before);
}

/* Whether fd was open before: fds below 1024 are enough for a unit test. */
static void open_fd_set(bool open[1024])
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	assert_non_null(d);
	memset(open, 0, 1024 * sizeof(bool));
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) < 1024)
			open[atoi(e->d_name)] = true;
	closedir(d);
}

static void test_every_fd_the_simulator_opens_is_closed_by_a_restarts_execv(void **state)
{
	struct fixture *f = *state;
	static bool before[1024], after[1024];
	struct sim *sim;
	struct sim_io_watch w;
	unsigned int found = 0;

	/* A restart (sim/host/actions.c) execs without closing anything first. */
	open_fd_set(before);
	assert_int_equal(sim_create(&sim, sim_config(f->sim)), 0);
	sim_io_run(sim, false);
	sim_io_watch_init(sim, &w, f->p[0]);
	assert_int_equal(sim_io_watch_start(&w, SIM_IO_READABLE, on_readable_unread), 0);
	open_fd_set(after);
	for (int fd = 0; fd < 1024; fd++) {
		if (!after[fd] || before[fd])
			continue;
		found++;
		assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	}
	assert_true(found >= 2); /* the set's and the timerfd at least */
	sim_io_watch_close(&w);
	sim_destroy(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_libuv_is_served_while_a_watched_fd_never_stops_being_readable),
		T(test_a_thread_pool_completion_ends_the_wait_it_comes_during),
		T(test_a_uv_async_sent_from_a_signal_handler_ends_the_wait),
		T(test_a_handle_closed_between_waits_gets_its_callback_without_waiting),
		T(test_every_fd_the_simulator_opens_is_closed_by_a_restarts_execv),
		/* After the fixture's runs: libuv's process-wide fds already exist. */
		T(test_sim_destroy_closes_every_fd_the_simulator_opened),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
