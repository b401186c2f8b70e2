/* The simulator object, shared by the files of sim/ only. */
#ifndef SIM_SIM_PRIVATE_H
#define SIM_SIM_PRIVATE_H

#include <uv.h>

#include "sim/clock.h"
#include "sim/guest_image.h"
#include "sim/sim.h"
#include "sim/xenstored/xs_socket.h"
#include "sim/xenstored/xs_store.h"

#define SIM_MAX_DOMAINS 16

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
	/* Real clock: a timerfd in the loop that ends a wait inside it at the
	 * next deadline, wake_at (0: not armed); wake_fd -1 without one. */
	int wake_fd;
	uv_poll_t wake;
	uint64_t wake_at;
	struct sim_guest_image image; /* the unikernel's memory outside guest RAM */
};

/* Registers/unregisters a guest domain so sim_domain_lookup finds it. */
int sim_add_domain(struct sim *sim, struct sim_domain *d);
void sim_remove_domain(struct sim *sim, struct sim_domain *d);
struct sim_clock *sim_clock(struct sim *sim);

#endif
