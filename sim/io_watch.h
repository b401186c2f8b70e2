/*
 * File descriptors the simulator waits on itself, beside its libuv loop.
 *
 * The simulator waits in an epoll set of its own (sim/io_watch.c) that
 * holds libuv's backend fd (uv_backend_fd), the real clock's timerfd and
 * every watched fd. A wake-up for a watched fd alone calls its callback
 * without a libuv pass; libuv runs (UV_RUN_NOWAIT) when its fd is readable,
 * its timeout is due, or it has work for its next pass. This is for the
 * per-frame path (a TAP device): anything else uses libuv's handles.
 *
 * What a uv_poll_t does, the watch does: level-triggered, the callback runs
 * at each wake-up while the fd is ready and the watch started; an error on
 * the fd (EPOLLERR) stops the watch and reports status -EIO once; a hang-up
 * (EPOLLHUP) comes as SIM_IO_HUP together with the events watched, so a
 * reader reads and finds the end or the error itself. Stopping inside a
 * callback, also another watch's, takes effect at once.
 */
#ifndef SIM_IO_WATCH_H
#define SIM_IO_WATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>

struct sim;
struct sim_io_watch;

enum {
	SIM_IO_READABLE = EPOLLIN,
	SIM_IO_WRITABLE = EPOLLOUT,
	SIM_IO_HUP = EPOLLHUP, /* reported, never asked for */
};

/* status 0 and the SIM_IO_* events seen, or status < 0 (the watch is stopped). */
typedef void (*sim_io_fn)(struct sim_io_watch *w, int status, int events);

struct sim_io_watch {
	struct sim *sim;
	int fd;
	void *data;        /* the owner's */
	sim_io_fn fn;
	uint32_t events;   /* SIM_IO_* watched, 0 while stopped */
	uint32_t in_set;   /* the events the fd is in the epoll set with, 0: not in it */
	bool unref;        /* sim_io_watch_unref */
};

/* Makes w a stopped watch of fd (which stays the caller's to close). */
void sim_io_watch_init(struct sim *sim, struct sim_io_watch *w, int fd);
/*
 * Watches for events (SIM_IO_READABLE and/or SIM_IO_WRITABLE), calling fn;
 * again with other events or fn changes them. 0, or a negative errno (a
 * file that epoll cannot watch: -EPERM).
 */
int sim_io_watch_start(struct sim_io_watch *w, int events, sim_io_fn fn);
/* No more callbacks until started again (the fd leaves the set lazily). */
void sim_io_watch_stop(struct sim_io_watch *w);
/*
 * Started, w alone does not keep a guest waiting that has no timer (uv_unref):
 * for the simulator's own timerfd, which only ends waits.
 */
void sim_io_watch_unref(struct sim_io_watch *w);
/* Stops w and takes its fd out of the set: call it before closing the fd. */
void sim_io_watch_close(struct sim_io_watch *w);
/* Whether w is started. */
static inline bool sim_io_watch_active(const struct sim_io_watch *w)
{
	return w->events != 0;
}

#endif
