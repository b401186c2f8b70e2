/* The simulator: its loop, its domains, and blocking a guest vCPU on them. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <xen/sched.h>

#include "sim/domain.h"
#include "sim/hot.h"
#include "sim/report.h"
#include "sim/sim_private.h"
#include "sim/toolstack/toolstack.h"
#include "sim/backends/vif.h"

static void wake_readable(struct sim_io_watch *w, int status, int events)
{
	struct sim *sim = w->data;
	uint64_t expirations;

	if (status < 0) {
		sim_log("sim: the wake-up timer failed: %s; waits use ppoll", strerror(-status));
		sim_io_watch_close(w);
		close(sim->wake_fd);
		sim->wake_fd = -1;
		return;
	}
	/* Drained, or the level-triggered set would wake every wait; re-armed by the next wait. */
	if (read(sim->wake_fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		sim_log("sim: reading the wake-up timer failed: %s", strerror(errno));
	sim->wake_at = 0;
}

/*
 * Real clock: the timerfd that wait_in_loop arms. Without one (an old
 * kernel, no file descriptors left) waits go through wait_for_io, as they
 * did before it.
 */
static void wake_init(struct sim *sim)
{
	if (sim->cfg.clock != SIM_CLOCK_REAL)
		return;
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (fd < 0)
		return;
	sim_io_watch_init(sim, &sim->wake, fd);
	sim->wake.data = sim;
	if (sim_io_watch_start(&sim->wake, SIM_IO_READABLE, wake_readable) < 0) {
		close(fd);
		return;
	}
	/* Not a reason to wait on: it only ends waits. */
	sim_io_watch_unref(&sim->wake);
	sim->wake_fd = fd;
}

static struct sim_domain *dom0_create(struct sim *sim)
{
	struct sim_domain *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->sim = sim;
	d->domid = 0;
	strcpy(d->name, "Domain-0");
	if (sim_evtchn_table_init(&d->evtchn, SIM_DOMAIN_MAX_EVTCHNS) < 0) {
		free(d);
		return NULL;
	}
	return d;
}

int sim_create(struct sim **out, const struct sim_config *cfg)
{
	struct sim *sim = calloc(1, sizeof(*sim));
	int rc;

	if (!sim)
		return -ENOMEM;
	sim->cfg = *cfg;
	sim_guest_image_find(&sim->image); /* none found: only guest RAM is the guest's */
	rc = uv_loop_init(&sim->loop);
	if (rc < 0) {
		free(sim);
		return rc;
	}
	sim->wake_fd = -1;
	sim_clock_init(&sim->clock, cfg->clock);
	sim->dom0 = dom0_create(sim);
	rc = sim->dom0 ? sim_io_init(sim) : -ENOMEM;
	if (rc < 0) {
		if (sim->dom0)
			sim_evtchn_table_fini(&sim->dom0->evtchn);
		free(sim->dom0);
		uv_loop_close(&sim->loop);
		free(sim);
		return rc;
	}
	sim->domains[0] = sim->dom0;
	sim->domains_end = 1;
	wake_init(sim); /* sim_destroy takes it down from here on */
	if ((rc = xs_store_create(&sim->xs, NULL)) < 0 ||
	    (rc = sim_toolstack_init_dom0(sim->xs)) < 0) {
		sim_destroy(sim);
		return rc;
	}
	*out = sim;
	return 0;
}

void sim_remove_sockets(struct sim *sim)
{
	if (sim->xs_socket.path)
		unlink(sim->xs_socket.path);
}

/* Pushes the buffered capture records of d's vifs and disks to their files. */
static void flush_domain_captures(struct sim_domain *d)
{
	d->capture_pending = false;
	for (unsigned int j = 0; j < SIM_MAX_VIFS; j++)
		if (d->vifs[j] && d->vifs[j]->capture)
			vif_flush(d->vifs[j]);
	for (unsigned int j = 0; j < SIM_MAX_DISKS; j++)
		if (d->disk_logs[j])
			blkback_flush(d->disk_logs[j]);
}

/*
 * Pushes every vif's buffered capture records to its file. Called at each
 * wait under the real clock, so the test is inline and it calls out only
 * for a domain whose vifs wrote records since (capture_pending).
 */
static SIM_HOT_INLINE void flush_captures(struct sim *sim)
{
	for (int i = 1; i < sim->domains_end; i++) {
		struct sim_domain *d = sim->domains[i];

		if (d && d->capture_pending)
			flush_domain_captures(d);
	}
}

void sim_flush_captures_in_signal(struct sim *sim)
{
	/* Every domain's, pending or not: capture_pending is cleared before the flush it asks for. */
	for (int i = 1; i < sim->domains_end; i++) {
		struct sim_domain *d = sim->domains[i];

		for (unsigned int j = 0; d && j < SIM_MAX_VIFS; j++)
			if (d->vifs[j])
				vif_flush_in_signal(d->vifs[j]);
		for (unsigned int j = 0; d && j < SIM_MAX_DISKS; j++)
			if (d->disk_logs[j])
				blkback_flush_in_signal(d->disk_logs[j]);
	}
}

void sim_finish(struct sim *sim)
{
	/* The backends' last words (a replay's report), then capture files end whole. */
	for (int i = 1; i < SIM_MAX_DOMAINS; i++)
		for (unsigned int j = 0; sim->domains[i] && j < SIM_MAX_VIFS; j++)
			if (sim->domains[i]->vifs[j])
				vif_finish(sim->domains[i]->vifs[j]);
	flush_captures(sim);
	sim_remove_sockets(sim);
	fflush(stdout);
	fflush(stderr);
}

struct xs_store *sim_xenstore(struct sim *sim)
{
	return sim->xs;
}

int sim_xenstore_listen(struct sim *sim, const char *path)
{
	return xs_socket_listen(&sim->xs_socket, &sim->loop, sim->xs, path);
}

static void close_walk_cb(uv_handle_t *h, void *arg)
{
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

void sim_destroy(struct sim *sim)
{
	if (!sim)
		return;
	for (int i = 1; i < SIM_MAX_DOMAINS; i++)
		if (sim->domains[i])
			sim_domain_destroy(sim->domains[i]);
	xs_socket_close(&sim->xs_socket);
	uv_walk(&sim->loop, close_walk_cb, NULL);
	uv_run(&sim->loop, UV_RUN_DEFAULT);
	uv_loop_close(&sim->loop);
	if (sim->wake_fd >= 0) {
		sim_io_watch_close(&sim->wake);
		close(sim->wake_fd);
	}
	sim_io_fini(sim);
	if (sim->xs)
		xs_store_destroy(sim->xs);
	sim_evtchn_table_fini(&sim->dom0->evtchn);
	free(sim->dom0);
	free(sim);
}

uv_loop_t *sim_loop(struct sim *sim)
{
	return &sim->loop;
}

const struct sim_config *sim_config(const struct sim *sim)
{
	return &sim->cfg;
}

struct sim_clock *sim_clock(struct sim *sim)
{
	return &sim->clock;
}

uint64_t sim_now_ns(struct sim *sim)
{
	return sim_clock_now(&sim->clock);
}

int sim_add_domain(struct sim *sim, struct sim_domain *d)
{
	if (d->domid == 0 || d->domid >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	for (int i = 1; i < SIM_MAX_DOMAINS; i++)
		if (sim->domains[i] && sim->domains[i]->domid == d->domid)
			return -EEXIST;
	for (int i = 1; i < SIM_MAX_DOMAINS; i++) {
		if (!sim->domains[i]) {
			sim->domains[i] = d;
			if (i >= sim->domains_end)
				sim->domains_end = i + 1;
			return 0;
		}
	}
	return -ENOSPC;
}

void sim_remove_domain(struct sim *sim, struct sim_domain *d)
{
	for (int i = 1; i < SIM_MAX_DOMAINS; i++)
		if (sim->domains[i] == d)
			sim->domains[i] = NULL;
}

struct sim_domain *sim_domain_lookup(struct sim *sim, domid_t domid)
{
	/* Domains are usually in the slot of their id (dom0 in 0, the first guest in 1). */
	if (domid < SIM_MAX_DOMAINS && sim->domains[domid] && sim->domains[domid]->domid == domid)
		return sim->domains[domid];
	for (int i = 0; i < SIM_MAX_DOMAINS; i++)
		if (sim->domains[i] && sim->domains[i]->domid == domid)
			return sim->domains[i];
	return NULL;
}

/* Fires the single-shot timer if its deadline has passed. */
void sim_timer_stop(struct sim *sim, struct sim_timer *t)
{
	if (!t->armed)
		return;
	for (struct sim_timer **pp = &sim->timers; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	t->armed = false;
}

void sim_timer_start(struct sim *sim, struct sim_timer *t, uint64_t deadline, sim_timer_fn fn,
		     void *arg)
{
	struct sim_timer **pp = &sim->timers;

	sim_timer_stop(sim, t);
	t->deadline = deadline;
	t->fn = fn;
	t->arg = arg;
	while (*pp && (*pp)->deadline <= deadline)
		pp = &(*pp)->next;
	t->next = *pp;
	*pp = t;
	t->armed = true;
}

/* Runs the simulator timers due at now, earliest first. */
static SIM_HOT_INLINE void fire_sim_timers(struct sim *sim, uint64_t now)
{
	while (sim->timers && sim->timers->deadline <= now) {
		struct sim_timer *t = sim->timers;
		sim->timers = t->next;
		t->armed = false;
		t->fn(t, t->arg);
	}
}

/* Runs the sim timers and raises d's VIRQ_TIMER if due at now (one clock read for both). */
static SIM_HOT_INLINE bool fire_expired_timer(struct sim *sim, struct sim_domain *d, uint64_t now)
{
	fire_sim_timers(sim, now);
	if (!d->timer_deadline || now < d->timer_deadline)
		return false;
	d->timer_deadline = 0;
	sim_evtchn_raise_virq(d, VIRQ_TIMER);
	return true;
}

/*
 * Waits on the simulator's set with ns precision (libuv timers have ms),
 * at most timeout_ns (-1: no limit); the pass after it hands out what came.
 * Returns false when nothing could ever end the wait: no limit, no watch
 * and no live libuv handle.
 */
static bool wait_for_io(struct sim *sim, int64_t timeout_ns)
{
	struct pollfd pfd = { .fd = sim->io.fd, .events = POLLIN };
	struct timespec ts, *tsp = NULL;
	int uv_ms = sim_io_prepare_wait(sim);

	if (uv_ms >= 0 && (timeout_ns < 0 || (int64_t)uv_ms * 1000000 < timeout_ns))
		timeout_ns = (int64_t)uv_ms * 1000000;
	else if (timeout_ns < 0 && !sim_io_alive(sim))
		return false;
	if (timeout_ns >= 0) {
		ts.tv_sec = timeout_ns / 1000000000;
		ts.tv_nsec = timeout_ns % 1000000000;
		tsp = &ts;
	}
	ppoll(&pfd, 1, tsp, NULL);
	return true;
}

/*
 * A pass without waiting. With nothing but libuv's fd in the set (the
 * virtual clock without a TAP) that is libuv's pass alone, as it was;
 * otherwise the set is looked at too.
 */
static SIM_HOT_INLINE void loop_poll(struct sim *sim)
{
	if (sim->io.members)
		sim_io_run(sim, false);
	else
		uv_run(&sim->loop, UV_RUN_NOWAIT);
}

/*
 * Real clock: waits in the simulator's set (sim_io_run), which hands a
 * ready TAP its frame without a libuv pass and runs libuv only when it has
 * something: one system call per wake-up. The timerfd ends the wait at
 * next to the nanosecond (libuv's timers have milliseconds and a coarse
 * clock); it is set again only when the deadline changes or it has fired.
 * False when it cannot be used, or nothing but a timer could end the wait
 * and none is set.
 */
static SIM_HOT_INLINE bool wait_in_loop(struct sim *sim, uint64_t next, int64_t left)
{
	if (sim->wake_fd < 0 || (left < 0 && !sim_io_alive(sim)))
		return false;
	if (left > 0 && sim->wake_at != next) {
		uint64_t at = sim->clock.host_start + next;
		struct itimerspec its = { .it_value = { .tv_sec = (time_t)(at / 1000000000),
							.tv_nsec = (long)(at % 1000000000) } };

		if (timerfd_settime(sim->wake_fd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
			return false;
		sim->wake_at = next;
	}
	sim_io_run(sim, true);
	return true;
}

static void blocked_forever(struct sim_domain *d)
{
	sim_report_violation(d, "SCHEDOP_block with no timer armed and no event source left: "
			     "the domain would sleep forever");
	sim_domain_shutdown(d, SHUTDOWN_crash);
}

/* The earlier of two deadlines, where 0 means none. */
static uint64_t earliest(uint64_t a, uint64_t b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return a < b ? a : b;
}

/* When the loop must next wake up for a timer: the guest's, the caller's or a sim timer's. */
static uint64_t next_deadline(const struct sim *sim, const struct sim_domain *d,
			      uint64_t deadline)
{
	return earliest(earliest(d->timer_deadline, deadline),
			sim->timers ? sim->timers->deadline : 0);
}

/*
 * Calls of sim_run_until that may go without polling the loop in a row, under
 * the virtual clock while the guest is woken by clock jumps to sim timers (a
 * replay feeding frames): one libuv pass and epoll_wait per 32 frames, not
 * per frame. Host I/O (a signal, a xenstore client) waits at most that many
 * guest blocks; blkback's I/O in flight is never left unpolled.
 */
#define SIM_POLLS_DEFERRED_MAX 31

static bool sim_poll_may_wait(struct sim *sim)
{
	return sim->cfg.clock == SIM_CLOCK_VIRTUAL && sim->woken_by_jump && !sim->io_in_flight &&
	       sim->polls_deferred < SIM_POLLS_DEFERRED_MAX;
}

/*
 * Inlined into its two callers so that sim_run_until_event's test,
 * upcall_pending, is inlined too: no indirect call at each pass.
 */
static SIM_HOT_INLINE void run_until(struct sim *sim, struct sim_domain *d, uint64_t deadline,
				     bool (*done)(struct sim_domain *d, void *arg), void *arg)
{
	/*
	 * Under the real clock the loop is polled after the wait, not before
	 * it: a guest that blocks has mostly handled all there was, so a poll
	 * first would find nothing and cost a pass and a syscall more. The
	 * wait itself is the epoll_wait of the simulator's set where it can be
	 * (wait_in_loop): one system call per wake-up. The set is still
	 * looked at at least once per call.
	 */
	bool poll = sim->cfg.clock != SIM_CLOCK_REAL, polled = false;
	uint64_t now, tsc;

	if (sim_poll_may_wait(sim)) {
		sim->polls_deferred++;
		poll = false;
		polled = true; /* recently enough */
	}
	/*
	 * Real clock: a guest that blocks has just read its clock and chosen
	 * its deadline, so the first pass waits without reading the clock. The
	 * timerfd is set to the absolute deadline: one already past ends the
	 * wait at once, and the pass after it fires what is due.
	 */
	if (sim->cfg.clock == SIM_CLOCK_REAL && d->state == SIM_DOMAIN_RUNNING && !done(d, arg)) {
		uint64_t next = next_deadline(sim, d, deadline);

		flush_captures(sim);
		if (wait_in_loop(sim, next, next ? 1 : -1))
			polled = true;
	}
	for (;;) {
		if (poll) {
			loop_poll(sim);
			polled = true;
			sim->polls_deferred = 0;
			sim->woken_by_jump = false;
		}
		poll = true;
		now = sim_clock_read(&sim->clock, &tsc);
		fire_expired_timer(sim, d, now);
		bool end = d->state != SIM_DOMAIN_RUNNING || done(d, arg) ||
			   (deadline && now >= deadline);
		if (end) {
			if (!polled)
				continue;
			break;
		}
		uint64_t next = next_deadline(sim, d, deadline);
		if (sim->cfg.clock == SIM_CLOCK_VIRTUAL && next && !sim->io_in_flight) {
			/* Nothing is ready: jump to the next deadline. The loop was
			 * polled just now, so only the timers have news: fire them
			 * before polling again (one poll per frame fed, not two). */
			sim_clock_advance_to(&sim->clock, next);
			poll = false;
			sim->woken_by_jump = true;
			continue;
		}
		int64_t left = -1;
		/* Virtual clock, host I/O in flight: wait for it without a limit. */
		if (sim->cfg.clock == SIM_CLOCK_REAL && next)
			left = next > now ? (int64_t)(next - now) : 0;
		if (left == 0)
			continue; /* a deadline is due: the poll above is all the wait */
		/*
		 * The loop goes idle: captures are made whole on disk first, so a
		 * SIGKILL from here on loses no frame already handled (issue 10).
		 */
		flush_captures(sim);
		if (sim->cfg.clock == SIM_CLOCK_REAL && wait_in_loop(sim, next, left)) {
			poll = false; /* the wait was the loop's pass */
			polled = true;
			continue;
		}
		if (!wait_for_io(sim, left))
			blocked_forever(d);
	}
	/*
	 * The last pass's reading, not a new one: under the real clock the
	 * guest extrapolates from the pair with the TSC, as from any update
	 * (sim_domain_update_time, without its clock_gettime).
	 */
	sim_clock_publish_reading(&sim->clock, &d->shared_info->vcpu_info[0].time, tsc, now);
}

void sim_run_until(struct sim *sim, struct sim_domain *d, uint64_t deadline,
		   bool (*done)(struct sim_domain *d, void *arg), void *arg)
{
	run_until(sim, d, deadline, done, arg);
}

void sim_io_begin(struct sim *sim)
{
	sim->io_in_flight++;
}

void sim_io_end(struct sim *sim)
{
	if (sim->io_in_flight)
		sim->io_in_flight--;
}

static bool upcall_pending(struct sim_domain *d, void *arg)
{
	return d->shared_info->vcpu_info[0].evtchn_upcall_pending;
}

void sim_run_until_event(struct sim *sim, struct sim_domain *d)
{
	run_until(sim, d, 0, upcall_pending, NULL);
}

void sim_poll(struct sim *sim)
{
	loop_poll(sim);
	fire_sim_timers(sim, sim_clock_now(&sim->clock));
	for (int i = 1; i < SIM_MAX_DOMAINS; i++) {
		struct sim_domain *d = sim->domains[i];
		if (d && d->state == SIM_DOMAIN_RUNNING) {
			fire_expired_timer(sim, d, sim_clock_now(&sim->clock));
			sim_domain_update_time(d);
		}
	}
}
