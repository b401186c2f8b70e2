/*
 * The simulated hypervisor and dom0: one libuv loop, the domains it hosts,
 * their event channels, clocks and console backends. All state lives in
 * these objects; tests may create several simulators in one process.
 */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>
#include <xen/xen.h>

enum sim_clock_kind {
	SIM_CLOCK_REAL,    /* host monotonic clock, host TSC scale in vcpu_time_info */
	SIM_CLOCK_VIRTUAL, /* tsc_to_system_mul = 0; time moves only while the guest blocks */
};

struct sim_domain;

struct sim_config {
	enum sim_clock_kind clock;
	uint64_t seed;
	bool strict;            /* protocol violations crash the offending domain */
	bool break_on_violation; /* SIGTRAP at a violation while a debugger is attached */
	bool trace_hypercalls;  /* one decoded line per hypercall on stderr */
	int console_fd;         /* where guest console output goes (stdout) */
	/*
	 * Called when a domain has shut down, for whatever reason (its own
	 * SCHEDOP_shutdown, a violation under --strict, ...), from wherever
	 * that happened: a program hosting one guest ends here (it may not
	 * return). NULL: the domain is only marked shut down.
	 */
	void (*on_shutdown)(struct sim_domain *d, void *arg);
	void *on_shutdown_arg;
};

struct sim_domain;
struct sim;

/* Creates a simulator with its own libuv loop. Returns 0 or -errno. */
/*
 * The process's exit status for a crash that carries no status of its own:
 * a crashed guest, a fault in the process (sysexits' EX_SOFTWARE).
 */
#define SIM_EXIT_CRASH 70

int sim_create(struct sim **out, const struct sim_config *cfg);
void sim_destroy(struct sim *sim);
uv_loop_t *sim_loop(struct sim *sim);
const struct sim_config *sim_config(const struct sim *sim);
struct sim_domain *sim_domain_lookup(struct sim *sim, domid_t domid);

/* The simulator's xenstored, for the toolstack's own reads and writes. */
struct xs_store *sim_xenstore(struct sim *sim);
/*
 * Also serves xenstore on a Unix socket at path, for Xen's tools
 * (XENSTORED_PATH=path xenstore-ls). Returns 0 or a negative errno.
 */
int sim_xenstore_listen(struct sim *sim, const char *path);

/*
 * What must happen before the process exits even when nothing can be freed
 * (we may be standing on a guest stack): remove socket files, flush output.
 */
void sim_finish(struct sim *sim);
/* The async-signal-safe part of sim_finish: removes socket files. */
void sim_remove_sockets(struct sim *sim);
/*
 * For a signal handler about to _exit: every vif capture's buffered whole
 * records and every disk log's whole lines to their files, with write(2)
 * only (vif_flush_in_signal, blkback_flush_in_signal).
 */
void sim_flush_captures_in_signal(struct sim *sim);

/*
 * Simulator timers, on guest system time (so under the virtual clock they
 * are what time jumps to: a pcap replay schedules its frames with them).
 * Timers with equal deadlines fire in the order they were started.
 */
struct sim_timer;
typedef void (*sim_timer_fn)(struct sim_timer *t, void *arg);
struct sim_timer {
	uint64_t deadline;
	sim_timer_fn fn;
	void *arg;
	struct sim_timer *next;
	bool armed;
};
/* Arms t (re-arming it if armed) to call fn(t, arg) at guest time deadline. */
void sim_timer_start(struct sim *sim, struct sim_timer *t, uint64_t deadline, sim_timer_fn fn,
		     void *arg);
void sim_timer_stop(struct sim *sim, struct sim_timer *t);

/*
 * Host I/O a backend has started on the guest's behalf (a disk read in the
 * thread pool): until it ends, the virtual clock does not jump, so the
 * answer comes at the same guest time on every run, however slow the host.
 */
void sim_io_begin(struct sim *sim);
void sim_io_end(struct sim *sim);

/* Guest system time now, in ns since the simulator started. */
uint64_t sim_now_ns(struct sim *sim);

/*
 * Runs the loop until domain d has an event pending (evtchn_upcall_pending)
 * or is shut down; under the virtual clock, advances time to the domain's
 * next deadline when nothing else can happen. This is SCHEDOP_block.
 */
void sim_run_until_event(struct sim *sim, struct sim_domain *d);
/*
 * The general form: runs until done(d, arg), the domain shuts down, or guest
 * time reaches deadline (0: none). done is checked after every loop pass.
 */
void sim_run_until(struct sim *sim, struct sim_domain *d, uint64_t deadline,
		   bool (*done)(struct sim_domain *d, void *arg), void *arg);
/* Runs ready loop work without waiting (SCHEDOP_yield). */
void sim_poll(struct sim *sim);

#endif
