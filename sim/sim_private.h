/* The simulator object, shared by the files of sim/ only. */
#ifndef SIM_SIM_PRIVATE_H
#define SIM_SIM_PRIVATE_H

#include <uv.h>

#include "sim/clock.h"
#include "sim/guest_image.h"
#include "sim/io_watch.h"
#include "sim/sim.h"
#include "sim/xenstored/xs_socket.h"
#include "sim/xenstored/xs_store.h"

#define SIM_MAX_DOMAINS 16
/* Events one wait hands out at most; more stay ready for the next one. */
#define SIM_IO_EVENTS_MAX 16

/* The simulator's epoll set (io_watch.c, io_watch.h). */
struct sim_io {
	int fd;                   /* holds libuv's backend fd and the watches' */
	unsigned int active;      /* watches started and not unref'd */
	unsigned int members;     /* watches whose fd is in the set */
	struct epoll_event *ready; /* the wake-up being handed out, nready events */
	int nready;
};

struct sim {
	struct sim_config cfg;
	uv_loop_t loop;
	struct sim_clock clock;
	/* dom0 is the simulator itself: it owns backend event channel ports. */
	struct sim_domain *dom0;
	struct sim_domain *domains[SIM_MAX_DOMAINS];
	int domains_end;              /* one past the last slot of domains in use */
	struct xs_store *xs;          /* xenstored's tree */
	struct xs_socket xs_socket;   /* its Unix socket, when listening */
	struct sim_timer *timers;     /* armed, earliest first */
	unsigned int io_in_flight;    /* sim_io_begin without sim_io_end */
	/* sim_run_until under the virtual clock: the last wake-up came from a
	 * clock jump, and how many calls since the loop was last polled. */
	bool woken_by_jump;
	unsigned int polls_deferred;
	struct sim_io io;
	/* Real clock: a timerfd in the set that ends a wait at the next
	 * deadline, wake_at (0: not armed); wake_fd -1 without one. */
	int wake_fd;
	struct sim_io_watch wake;
	uint64_t wake_at;
	struct sim_guest_image image; /* the unikernel's memory outside guest RAM */
};

/* Registers/unregisters a guest domain so sim_domain_lookup finds it. */
int sim_add_domain(struct sim *sim, struct sim_domain *d);
void sim_remove_domain(struct sim *sim, struct sim_domain *d);
struct sim_clock *sim_clock(struct sim *sim);

/* The epoll set (io_watch.c): made with the loop, 0 or -errno; closed last. */
int sim_io_init(struct sim *sim);
void sim_io_fini(struct sim *sim);
/*
 * One wake-up: waits in the set (wait, unless libuv has work now; else
 * only looks), hands each ready watch its events and runs a libuv pass
 * (UV_RUN_NOWAIT) if its fd was ready or it is due. Without a watch, a timer or a live libuv handle a
 * wait never ends: the caller checks first (sim_io_alive).
 */
void sim_io_run(struct sim *sim, bool wait);
/*
 * For a wait in the set by other means (ppoll on sim->io.fd): how long
 * libuv lets it last, in ms (0: it has work now; -1: no limit).
 */
int sim_io_prepare_wait(struct sim *sim);

/* Whether something but a timer can end a wait: a live libuv handle or a watch. */
static inline bool sim_io_alive(struct sim *sim)
{
	return sim->io.active || uv_loop_alive(&sim->loop);
}

#endif
