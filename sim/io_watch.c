/*
 * The simulator's epoll set (io_watch.h): libuv's backend fd, the real
 * clock's timerfd and the watched fds, so that a wake-up for a TAP frame
 * costs one epoll_wait and the frame's callback, without a libuv pass
 * (uv_run's clock reads, timers, idle, prepare and check queues and its own
 * epoll_wait). libuv is embedded the way its documentation describes for
 * uv_backend_fd: its epoll fd sits in ours, and a UV_RUN_NOWAIT pass runs
 * when that fd is readable or uv_backend_timeout says it is due.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "sim/io_watch.h"
#include "sim/report.h"
#include "sim/sim_private.h"

/*
 * sim_io_prepare_wait relies on uv_backend_timeout returning 0 while
 * watchers wait in libuv's queue (libuv 1.44.0, its pull request 3466).
 * With an older libuv a handle a backend starts from a hypercall (slirp's
 * new socket, a xenstore client's read) is never added to libuv's epoll set
 * and the wait never ends for it.
 */
#if UV_VERSION_HEX < 0x012c00
#error "the simulator's epoll set needs libuv 1.44 or later (uv_backend_timeout)"
#endif

/* What stands for libuv's backend fd in the set (a watch's is the watch). */
#define IO_TAG_UV(sim) ((void *)&(sim)->io)

int sim_io_init(struct sim *sim)
{
	struct epoll_event ev = { .events = EPOLLIN };

	sim->io.fd = epoll_create1(EPOLL_CLOEXEC);
	if (sim->io.fd < 0)
		return -errno;
	ev.data.ptr = IO_TAG_UV(sim);
	if (epoll_ctl(sim->io.fd, EPOLL_CTL_ADD, uv_backend_fd(&sim->loop), &ev) < 0) {
		int e = errno;
		close(sim->io.fd);
		sim->io.fd = -1;
		return -e;
	}
	return 0;
}

void sim_io_fini(struct sim *sim)
{
	if (sim->io.fd >= 0)
		close(sim->io.fd);
	sim->io.fd = -1;
}

void sim_io_watch_init(struct sim *sim, struct sim_io_watch *w, int fd)
{
	memset(w, 0, sizeof(*w));
	w->sim = sim;
	w->fd = fd;
}

/* Counts started watches that keep the simulator waiting (not unref'd). */
static void count_active(struct sim_io_watch *w, int delta)
{
	if (!w->unref)
		w->sim->io.active += delta;
}

int sim_io_watch_start(struct sim_io_watch *w, int events, sim_io_fn fn)
{
	uint32_t want = (uint32_t)events & (SIM_IO_READABLE | SIM_IO_WRITABLE);
	struct epoll_event ev = { .events = want, .data.ptr = w };

	if (!want || !fn)
		return -EINVAL;
	if (w->in_set != want) {
		int op = w->in_set ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
		if (epoll_ctl(w->sim->io.fd, op, w->fd, &ev) < 0)
			return -errno;
		if (!w->in_set)
			w->sim->io.members++;
		w->in_set = want;
	}
	if (!w->events)
		count_active(w, 1);
	w->events = want;
	w->fn = fn;
	return 0;
}

void sim_io_watch_stop(struct sim_io_watch *w)
{
	if (w->events)
		count_active(w, -1);
	w->events = 0;
}

void sim_io_watch_unref(struct sim_io_watch *w)
{
	if (w->unref)
		return;
	if (w->events)
		count_active(w, -1);
	w->unref = true;
}

/* Takes w's fd out of the set (a stopped watch's, when it next shows up). */
static void watch_leave(struct sim_io_watch *w)
{
	struct epoll_event ev = { 0 };

	if (!w->in_set)
		return;
	/* Kernels before 2.6.9 wanted an event even for a delete. */
	if (epoll_ctl(w->sim->io.fd, EPOLL_CTL_DEL, w->fd, &ev) < 0 && errno != EBADF &&
	    errno != ENOENT)
		sim_log("sim: taking fd %d out of the wait set failed: %s", w->fd,
			strerror(errno));
	w->in_set = 0;
	w->sim->io.members--;
}

void sim_io_watch_close(struct sim_io_watch *w)
{
	struct sim_io *io = &w->sim->io;

	sim_io_watch_stop(w);
	watch_leave(w);
	/* A wake-up being handed out may still name it: not after this. */
	for (int i = 0; i < io->nready; i++)
		if (io->ready[i].data.ptr == w)
			io->ready[i].data.ptr = NULL;
}

/*
 * Hands one watch what epoll saw, as libuv's uv__poll_io does for a
 * uv_poll_t: an error alone stops it with a status, a hang-up comes with
 * the events watched so the reader finds the end itself.
 */
static void watch_ready(struct sim_io_watch *w, uint32_t got)
{
	if (!w->events) {
		watch_leave(w); /* stopped since it was last in a wake-up */
		return;
	}
	if (got & EPOLLERR) {
		sim_io_watch_stop(w);
		watch_leave(w); /* level-triggered: it would be reported at every wait */
		w->fn(w, -EIO, 0);
		return;
	}
	if (got & EPOLLHUP)
		got |= w->events;
	got &= w->events | EPOLLHUP;
	if (got)
		w->fn(w, 0, (int)got);
}

/*
 * How long libuv lets the set wait, in ms: -1 for no limit (also when
 * nothing in it is alive, when its uv_run would do nothing either); 0 when
 * it has work now: pending callbacks, idle or closing handles, a timer
 * due, or watchers that uv__io_start queued and only its next pass adds to
 * its own epoll set (until then its fd cannot show their events: a watcher
 * a backend starts from a hypercall, slirp's new socket, waits there).
 * libuv's uv_backend_timeout says all that (1.44.2, this system's, tests
 * the watcher queue first). Its timers count from its cached time, which
 * is stale when no pass ran for a while, so that is read again when it has
 * a timer.
 */
int sim_io_prepare_wait(struct sim *sim)
{
	uv_loop_t *loop = &sim->loop;
	int ms = uv_backend_timeout(loop);

	if (ms > 0) {
		uv_update_time(loop);
		ms = uv_backend_timeout(loop);
	}
	if (ms == 0 && !uv_loop_alive(loop))
		return -1;
	return ms;
}

/* Hands out n events of one wake-up; true when libuv's fd was among them. */
static bool io_dispatch(struct sim *sim, struct epoll_event *ev, int n)
{
	struct sim_io *io = &sim->io;
	bool uv_ready = false;

	io->ready = ev;
	io->nready = n;
	for (int i = 0; i < n; i++) {
		void *p = ev[i].data.ptr;

		if (p == IO_TAG_UV(sim))
			uv_ready = true;
		else if (p)
			watch_ready(p, ev[i].events);
	}
	io->nready = 0;
	return uv_ready;
}

void sim_io_run(struct sim *sim, bool wait)
{
	struct epoll_event ev[SIM_IO_EVENTS_MAX];
	int uv_ms = sim_io_prepare_wait(sim);
	/* libuv with work now: its pass, after a look, and no wait (its
	 * callbacks may give the guest what it waits for). */
	int timeout = wait ? uv_ms : 0;
	int n = epoll_wait(sim->io.fd, ev, SIM_IO_EVENTS_MAX, timeout);
	/* Work now, or its timer's timeout ran out. */
	bool uv_due = uv_ms == 0 || (n == 0 && timeout > 0);

	if (n < 0) {
		if (errno != EINTR)
			sim_log("sim: epoll_wait failed: %s", strerror(errno));
		n = 0; /* a signal: its wake-up is seen at the next wait */
	}
	if (io_dispatch(sim, ev, n) || uv_due)
		uv_run(&sim->loop, UV_RUN_NOWAIT);
}
