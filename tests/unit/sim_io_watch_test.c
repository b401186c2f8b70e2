/*
 * The simulator's own epoll set (sim/io_watch.c, sim/io_watch.h): a watched
 * fd's readiness reaches its callback without a libuv pass, a stopped or
 * closed watch gets nothing, a hang-up and an error are reported as a
 * uv_poll_t reports them, and libuv's own handles are still served, also
 * ones started between two waits (libuv adds them to its epoll set only in
 * its next pass). Pipes stand for the TAP device.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "sim/sim_private.h"

struct uv_seen {
	uv_poll_t poll;
	unsigned int polls;
	uv_timer_t timer;
	unsigned int timers;
};

struct fixture {
	struct sim *sim;
	int p[2], q[2];                 /* two pipes, non-blocking */
	struct sim_io_watch w, w2;
	uv_check_t check;               /* counts libuv passes */
	unsigned int passes;
	/* what the watches' callbacks saw */
	unsigned int calls, calls2;
	int status, events;
	bool close_w2_in_callback;
	struct uv_seen uv;              /* libuv handles a test starts, closed by the teardown */
};

static void on_check(uv_check_t *c)
{
	struct fixture *f = c->data;

	f->passes++;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct sim_config cfg = { .clock = SIM_CLOCK_REAL, .console_fd = -1 };

	if (!f || sim_create(&f->sim, &cfg) < 0 || pipe2(f->p, O_NONBLOCK | O_CLOEXEC) < 0 ||
	    pipe2(f->q, O_NONBLOCK | O_CLOEXEC) < 0)
		return -1;
	uv_check_init(sim_loop(f->sim), &f->check);
	f->check.data = f;
	uv_check_start(&f->check, on_check);
	/* The loop's first pass, while the check keeps it alive: what libuv
	 * queued at its start enters its own set, and a test starts clean. */
	sim_io_run(f->sim, false);
	uv_unref((uv_handle_t *)&f->check);
	f->passes = 0;
	sim_io_watch_init(f->sim, &f->w, f->p[0]);
	f->w.data = f;
	sim_io_watch_init(f->sim, &f->w2, f->q[0]);
	f->w2.data = f;
	*state = f;
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sim_io_watch_close(&f->w);
	sim_io_watch_close(&f->w2);
	sim_destroy(f->sim); /* closes every libuv handle, f->uv's too */
	close_fd(&f->p[0]);
	close_fd(&f->p[1]);
	close_fd(&f->q[0]);
	close_fd(&f->q[1]);
	free(f);
	return 0;
}

static void on_ready(struct sim_io_watch *w, int status, int events)
{
	struct fixture *f = w->data;
	char c;

	f->calls++;
	f->status = status;
	f->events = events;
	if (f->close_w2_in_callback)
		sim_io_watch_close(&f->w2);
	if (status == 0 && (events & SIM_IO_READABLE))
		while (read(w->fd, &c, 1) == 1)
			;
}

static void on_ready2(struct sim_io_watch *w, int status, int events)
{
	struct fixture *f = w->data;
	char c;

	f->calls2++;
	while (read(w->fd, &c, 1) == 1)
		;
}

static void put_byte(int fd)
{
	assert_int_equal(write(fd, "x", 1), 1);
}

static void test_a_readable_fd_reaches_its_callback_without_a_libuv_pass(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(sim_io_watch_start(&f->w, SIM_IO_READABLE, on_ready), 0);
	put_byte(f->p[1]);
	sim_io_run(f->sim, true);
	assert_int_equal(f->calls, 1);
	assert_int_equal(f->status, 0);
	assert_int_equal(f->events, SIM_IO_READABLE);
	assert_int_equal(f->passes, 0);
	/* Drained: a look finds nothing more. */
	sim_io_run(f->sim, false);
	assert_int_equal(f->calls, 1);
}

static void on_ready_unread(struct sim_io_watch *w, int status, int events)
{
	struct fixture *f = w->data;

	f->calls++;
}

static void test_a_byte_left_unread_is_reported_again_at_the_next_wait(void **state)
{
	struct fixture *f = *state;

	/* The TAP reads one frame per wake-up and relies on this for the rest. */
	assert_int_equal(sim_io_watch_start(&f->w, SIM_IO_READABLE, on_ready_unread), 0);
	put_byte(f->p[1]);
	sim_io_run(f->sim, true);
	assert_int_equal(f->calls, 1);
	sim_io_run(f->sim, true);
	assert_int_equal(f->calls, 2);
	/* Another callback (started again with it) drains it: then nothing. */
	assert_int_equal(sim_io_watch_start(&f->w, SIM_IO_READABLE, on_ready), 0);
	sim_io_run(f->sim, false);
	assert_int_equal(f->calls, 3);
	sim_io_run(f->sim, false);
	assert_int_equal(f->calls, 3);
}

static void test_a_stopped_watch_gets_nothing_and_leaves_the_set(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(sim_io_watch_start(&f->w, SIM_IO_READABLE, on_ready), 0);
	assert_int_equal(f->sim->io.members, 2); /* the timerfd's and this */
	sim_io_watch_stop(&f->w);
	assert_false(sim_io_watch_active(&f->w));
	put_byte(f->p[1]);
	sim_io_run(f->sim, false);
	assert_int_equal(f->calls, 0);
	assert_int_equal(f->sim->io.members, 1);
	/* Started again, the byte still waiting is reported. */
	assert_int_equal(sim_io_watch_start(&f->w, SIM_IO_READABLE, on_ready), 0);
	sim_io_run(f->sim, false);
	assert_int_equal(f->calls, 1);
}

static void test_a_watch_closed_by_another_callback_in_the_same_wake_up_gets_nothing(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(sim_io_watch_start(&f->w, SIM_IO_READABLE, on_ready), 0);
	assert_int_equal(sim_io_watch_start(&f->w2, SIM_IO_READABLE, on_ready2), 0);
	put_byte(f->p[1]);
	put_byte(f->q[1]);
	f->close_w2_in_callback = true;
	/* Whichever comes first, w2's callback must not run after w's closed it. */
	sim_io_run(f->sim, false);
	assert_int_equal(f->calls, 1);
	assert_true(f->calls2 <= 1);
	unsigned int before = f->calls2;
	sim_io_run(f->sim, false);
	assert_int_equal(f->calls2, before);
	assert_int_equal(f->sim->io.members, 2);
}

static void test_a_hangup_comes_with_the_events_watched(void **state)
{
	struct fixture *f = *state;
	char c;

	assert_int_equal(sim_io_watch_start(&f->w, SIM_IO_READABLE, on_ready), 0);
	close_fd(&f->p[1]);
	sim_io_run(f->sim, false);
	assert_int_equal(f->calls, 1);
	assert_int_equal(f->status, 0);
	assert_int_equal(f->events, SIM_IO_READABLE | SIM_IO_HUP);
	assert_true(sim_io_watch_active(&f->w));
	assert_int_equal(read(f->p[0], &c, 1), 0); /* the reader finds the end itself */
}

static void test_an_error_on_the_fd_stops_the_watch_with_a_status(void **state)
{
	struct fixture *f = *state;
	struct sim_io_watch wr;

	/* A pipe's write end reports EPOLLERR once its read end is gone (pipe_poll). */
	sim_io_watch_init(f->sim, &wr, f->p[1]);
	wr.data = f;
	assert_int_equal(sim_io_watch_start(&wr, SIM_IO_WRITABLE, on_ready), 0);
	close_fd(&f->p[0]);
	sim_io_run(f->sim, false);
	assert_int_equal(f->calls, 1);
	assert_int_equal(f->status, -EIO);
	assert_int_equal(f->events, 0);
	assert_false(sim_io_watch_active(&wr));
	assert_int_equal(f->sim->io.members, 1);
	/* Reported once, not at every wait. */
	sim_io_run(f->sim, false);
	assert_int_equal(f->calls, 1);
	sim_io_watch_close(&wr);
}

static void test_a_file_epoll_cannot_watch_is_refused(void **state)
{
	struct fixture *f = *state;
	struct sim_io_watch file;
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	sim_io_watch_init(f->sim, &file, fd);
	assert_int_equal(sim_io_watch_start(&file, SIM_IO_READABLE, on_ready), -EPERM);
	assert_false(sim_io_watch_active(&file));
	assert_int_equal(sim_io_watch_start(&file, 0, on_ready), -EINVAL);
	sim_io_watch_close(&file);
	close(fd);
}

static void test_only_a_started_watch_not_unrefd_keeps_a_wait_alive(void **state)
{
	struct fixture *f = *state;

	/* The check handle is unref'd, the timerfd's watch too: nothing is alive. */
	assert_false(sim_io_alive(f->sim));
	assert_int_equal(sim_io_watch_start(&f->w, SIM_IO_READABLE, on_ready), 0);
	assert_true(sim_io_alive(f->sim));
	sim_io_watch_unref(&f->w);
	assert_false(sim_io_alive(f->sim));
	sim_io_watch_stop(&f->w);
	assert_int_equal(f->sim->io.active, 0);
}

/* --- libuv beside the watches --- */

static void on_uv_poll(uv_poll_t *h, int status, int events)
{
	struct uv_seen *s = h->data;
	char c;

	s->polls++;
	while (read(h->io_watcher.fd, &c, 1) == 1)
		;
}

static void on_uv_timer(uv_timer_t *t)
{
	struct uv_seen *s = t->data;

	s->timers++;
}

/* f->uv's poll on the second pipe and its timer, initialised. */
static struct uv_seen *uv_seen_init(struct fixture *f)
{
	struct uv_seen *s = &f->uv;

	assert_int_equal(uv_poll_init(sim_loop(f->sim), &s->poll, f->q[0]), 0);
	s->poll.data = s;
	assert_int_equal(uv_timer_init(sim_loop(f->sim), &s->timer), 0);
	s->timer.data = s;
	return s;
}

/* A guard that ends a wait that nothing else ends, so a failure is not a hang. */
static int guard_start(struct fixture *f, struct sim_io_watch *g, unsigned int ms)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	struct itimerspec its = { .it_value = { .tv_sec = ms / 1000,
						.tv_nsec = (long)(ms % 1000) * 1000000 } };

	assert_true(fd >= 0);
	assert_int_equal(timerfd_settime(fd, 0, &its, NULL), 0);
	sim_io_watch_init(f->sim, g, fd);
	g->data = f;
	assert_int_equal(sim_io_watch_start(g, SIM_IO_READABLE, on_ready2), 0);
	return fd;
}

static void test_a_libuv_handle_started_between_waits_is_served_by_the_wait(void **state)
{
	struct fixture *f = *state;
	struct uv_seen *s = uv_seen_init(f);
	struct sim_io_watch guard;
	int gfd;

	/* Started outside a pass, as a backend does from a hypercall: only
	 * queued in libuv until its next pass adds it to its own set. */
	uv_poll_start(&s->poll, UV_READABLE, on_uv_poll);
	gfd = guard_start(f, &guard, 2000);
	sim_io_run(f->sim, false); /* the pass that adds it, finding nothing yet */
	put_byte(f->q[1]);
	sim_io_run(f->sim, true);
	assert_int_equal(s->polls, 1);
	assert_int_equal(f->calls2, 0); /* not ended by the guard */
	/* Stopped and started again between waits: still served. */
	uv_poll_stop(&s->poll);
	uv_poll_start(&s->poll, UV_READABLE, on_uv_poll);
	put_byte(f->q[1]);
	sim_io_run(f->sim, true);
	assert_int_equal(s->polls, 2);
	assert_int_equal(f->calls2, 0);
	sim_io_watch_close(&guard);
	close(gfd);
}

static void test_a_libuv_handle_and_a_watch_ready_together_are_both_served(void **state)
{
	struct fixture *f = *state;
	struct uv_seen *s = uv_seen_init(f);

	uv_poll_start(&s->poll, UV_READABLE, on_uv_poll);
	sim_io_run(f->sim, false);
	assert_int_equal(sim_io_watch_start(&f->w, SIM_IO_READABLE, on_ready), 0);
	put_byte(f->p[1]);
	put_byte(f->q[1]);
	f->passes = 0;
	sim_io_run(f->sim, true);
	assert_int_equal(f->calls, 1);
	assert_int_equal(s->polls, 1);
	assert_int_equal(f->passes, 1);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void test_a_libuv_timer_ends_a_wait_with_nothing_else_to_end_it(void **state)
{
	struct fixture *f = *state;
	struct uv_seen *s = uv_seen_init(f);
	struct sim_io_watch guard;
	int gfd;

	gfd = guard_start(f, &guard, 3000);
	uv_update_time(sim_loop(f->sim));
	uv_timer_start(&s->timer, on_uv_timer, 30, 0);
	for (int i = 0; i < 5 && !s->timers && !f->calls2; i++)
		sim_io_run(f->sim, true);
	assert_int_equal(s->timers, 1);
	assert_int_equal(f->calls2, 0);
	sim_io_watch_close(&guard);
	close(gfd);
}

static void test_a_libuv_timer_due_while_no_pass_ran_ends_the_wait_at_once(void **state)
{
	struct fixture *f = *state;
	struct uv_seen *s = uv_seen_init(f);
	uint64_t t0;

	uv_update_time(sim_loop(f->sim));
	uv_timer_start(&s->timer, on_uv_timer, 200, 0);
	/* libuv's cached time is 250 ms stale: counted from it, the wait would last 200 ms. */
	usleep(250000);
	t0 = now_ms();
	sim_io_run(f->sim, true);
	assert_int_equal(s->timers, 1);
	assert_true(now_ms() - t0 < 150);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_a_readable_fd_reaches_its_callback_without_a_libuv_pass),
		T(test_a_byte_left_unread_is_reported_again_at_the_next_wait),
		T(test_a_stopped_watch_gets_nothing_and_leaves_the_set),
		T(test_a_watch_closed_by_another_callback_in_the_same_wake_up_gets_nothing),
		T(test_a_hangup_comes_with_the_events_watched),
		T(test_an_error_on_the_fd_stops_the_watch_with_a_status),
		T(test_a_file_epoll_cannot_watch_is_refused),
		T(test_only_a_started_watch_not_unrefd_keeps_a_wait_alive),
		T(test_a_libuv_handle_started_between_waits_is_served_by_the_wait),
		T(test_a_libuv_handle_and_a_watch_ready_together_are_both_served),
		T(test_a_libuv_timer_ends_a_wait_with_nothing_else_to_end_it),
		T(test_a_libuv_timer_due_while_no_pass_ran_ends_the_wait_at_once),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
