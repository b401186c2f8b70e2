/*
 * The user vif backend: rootless user-mode networking with libslirp. The
 * guest sees slirp's usual network: 10.0.2.0/24, gateway 10.0.2.2, DNS
 * 10.0.2.3, DHCP handing out 10.0.2.15 first. Outbound TCP/UDP from the
 * guest becomes ordinary host sockets; hostfwd=tcp:[HOSTADDR]:HOSTPORT-
 * [GUESTADDR]:GUESTPORT (or udp:...), repeatable, forwards a host port
 * (HOSTADDR empty: 127.0.0.1) to the guest (GUESTADDR empty: 10.0.2.15).
 *
 * Integration with the simulator:
 * - fds: after every slirp_pollfds_fill the set of fds slirp wants watched
 *   is mirrored as one uv_poll_t per fd (started with the events asked,
 *   closed when the fd leaves the set or slirp unregisters it, before slirp
 *   closes it). A readiness callback records the events and runs one
 *   poll/fill cycle at once, so nothing waits for another loop pass.
 * - clock: slirp's clock_get_ns is guest time (sim_now_ns), so DHCP leases
 *   and TCP timers follow the virtual clock.
 * - timers: slirp's own timers (timer_new_opaque) are sim_timers on guest
 *   time. The fill's timeout (its TCP fast/slow ticks) is a sim_timer too;
 *   under the virtual clock it is armed only while slirp owes the guest
 *   something (a delayed ACK, or a retransmission after a frame the guest
 *   had no buffer for), so that idle housekeeping never makes virtual time
 *   race ahead while the guest waits for the outside world.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <slirp/libslirp.h>
#include <uv.h>

#include "sim/domain.h"
#include "sim/parse.h"
#include "sim/report.h"
#include "sim/backends/vif.h"

#define NSEC_PER_MSEC 1000000ULL
/* libslirp's TIMEOUT_FAST: a delayed ACK is due. */
#define USER_TIMEOUT_FAST_MS 2
/* Virtual clock: how long slirp's ticks keep running after a dropped frame. */
#define USER_RETRANSMIT_WINDOW_NS (64ULL * 1000 * NSEC_PER_MSEC)

struct user_vif;

/* One fd slirp asked us to watch. */
struct user_fd {
	uv_poll_t poll;
	struct user_vif *u;
	int fd;
	int events;  /* SLIRP_POLL_* asked in the latest fill */
	int revents; /* SLIRP_POLL_* seen since the latest fill */
	int uv_events; /* what the uv_poll was started with, 0: stopped */
	bool seen;   /* in the latest fill */
};

/* A slirp timer (timer_new_opaque). */
struct user_timer {
	struct sim_timer t;
	struct user_vif *u;
	SlirpTimerId id;
	void *cb_opaque;
};

struct user_vif {
	struct vif *v;
	struct sim *sim;
	Slirp *slirp;
	SlirpCb cb;
	/* fd -> watcher, indexed by fd. */
	struct user_fd **by_fd;
	size_t nr_by_fd;
	/* The latest fill: index -> fd. */
	int *fill_fd;
	size_t nr_fill, fill_cap;
	struct sim_timer tick;
	uint64_t dropped_at; /* guest time of the last guest-bound drop, 0: none */
	bool busy;           /* inside a libslirp call: no re-entry */
};

static void user_refresh(struct user_vif *u);

/* --- slirp callbacks --- */

static ssize_t user_send_packet(const void *buf, size_t len, void *opaque)
{
	struct user_vif *u = opaque;

	if (vif_deliver(u->v, buf, len) < 0)
		u->dropped_at = sim_now_ns(u->sim) | 1;
	return (ssize_t)len;
}

static void user_guest_error(const char *msg, void *opaque)
{
	struct user_vif *u = opaque;

	sim_log("vif%u: slirp: %s", u->v->index, msg);
}

static int64_t user_clock_get_ns(void *opaque)
{
	struct user_vif *u = opaque;

	return (int64_t)sim_now_ns(u->sim);
}

static void user_timer_fire(struct sim_timer *t, void *arg)
{
	struct user_timer *ut = arg;

	(void)t;
	ut->u->busy = true;
	slirp_handle_timer(ut->u->slirp, ut->id, ut->cb_opaque);
	ut->u->busy = false;
	user_refresh(ut->u);
}

static void *user_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
	struct user_timer *ut = calloc(1, sizeof(*ut));

	if (!ut)
		return NULL;
	ut->u = opaque;
	ut->id = id;
	ut->cb_opaque = cb_opaque;
	return ut;
}

/* Only for libslirp without timer_new_opaque: never used with config version 4. */
static void *user_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	(void)cb;
	(void)cb_opaque;
	(void)opaque;
	return NULL;
}

static void user_timer_free(void *timer, void *opaque)
{
	struct user_vif *u = opaque;
	struct user_timer *ut = timer;

	if (!ut)
		return;
	sim_timer_stop(u->sim, &ut->t);
	free(ut);
}

/* expire_time is in ms of clock_get_ns's clock. */
static void user_timer_mod(void *timer, int64_t expire_time, void *opaque)
{
	struct user_vif *u = opaque;
	struct user_timer *ut = timer;

	if (!ut)
		return;
	if (expire_time < 0)
		expire_time = 0;
	sim_timer_start(u->sim, &ut->t, (uint64_t)expire_time * NSEC_PER_MSEC, user_timer_fire, ut);
}

static void user_register_poll_fd(int fd, void *opaque)
{
	(void)fd;
	(void)opaque;
}

static void user_fd_closed(uv_handle_t *h)
{
	free(h->data);
}

/* Stops watching fd; slirp is about to close it (or no longer wants it). */
static void user_fd_forget(struct user_vif *u, int fd)
{
	struct user_fd *w;

	if (fd < 0 || (size_t)fd >= u->nr_by_fd || !(w = u->by_fd[fd]))
		return;
	u->by_fd[fd] = NULL;
	w->poll.data = w;
	uv_close((uv_handle_t *)&w->poll, user_fd_closed);
}

static void user_unregister_poll_fd(int fd, void *opaque)
{
	user_fd_forget(opaque, fd);
}

/*
 * A socket buffer drained: slirp wants to poll for more. Inside a libslirp
 * call the refresh that always follows it takes care of that.
 */
static void user_notify(void *opaque)
{
	struct user_vif *u = opaque;

	if (!u->busy)
		user_refresh(u);
}

/* --- the fill/poll cycle --- */

static int user_add_poll(int fd, int events, void *opaque)
{
	struct user_vif *u = opaque;

	if (u->nr_fill == u->fill_cap) {
		size_t cap = u->fill_cap ? 2 * u->fill_cap : 16;
		int *n = realloc(u->fill_fd, cap * sizeof(*n));
		if (!n)
			return -1;
		u->fill_fd = n;
		u->fill_cap = cap;
	}
	if (fd >= 0 && (size_t)fd >= u->nr_by_fd) {
		size_t nr = u->nr_by_fd ? u->nr_by_fd : 16;
		while (nr <= (size_t)fd)
			nr *= 2;
		struct user_fd **n = realloc(u->by_fd, nr * sizeof(*n));
		if (!n)
			return -1;
		memset(n + u->nr_by_fd, 0, (nr - u->nr_by_fd) * sizeof(*n));
		u->by_fd = n;
		u->nr_by_fd = nr;
	}
	if (fd < 0)
		return -1;
	struct user_fd *w = u->by_fd[fd];
	if (!w) {
		w = calloc(1, sizeof(*w));
		if (!w)
			return -1;
		if (uv_poll_init(sim_loop(u->sim), &w->poll, fd) < 0) {
			sim_log("vif%u: cannot watch fd %d", u->v->index, fd);
			free(w);
			return -1;
		}
		w->u = u;
		w->fd = fd;
		u->by_fd[fd] = w;
	}
	w->events = events;
	w->revents = 0;
	w->seen = true;
	u->fill_fd[u->nr_fill] = fd;
	return (int)u->nr_fill++;
}

static int user_get_revents(int idx, void *opaque)
{
	struct user_vif *u = opaque;
	struct user_fd *w;

	if (idx < 0 || (size_t)idx >= u->nr_fill)
		return 0;
	int fd = u->fill_fd[idx];
	if ((size_t)fd >= u->nr_by_fd || !(w = u->by_fd[fd]))
		return 0;
	return w->revents;
}

static void user_poll_cb(uv_poll_t *p, int status, int events)
{
	struct user_fd *w = (struct user_fd *)p;
	int r = 0;

	if (status < 0) {
		/* libuv stopped the handle; slirp reads or writes the error out. */
		r = SLIRP_POLL_ERR | SLIRP_POLL_HUP | (w->events & (SLIRP_POLL_IN | SLIRP_POLL_OUT));
	} else {
		if (events & UV_READABLE)
			r |= SLIRP_POLL_IN;
		if (events & UV_WRITABLE)
			r |= SLIRP_POLL_OUT;
		if (events & UV_PRIORITIZED)
			r |= SLIRP_POLL_PRI;
		if (events & UV_DISCONNECT)
			r |= SLIRP_POLL_HUP;
	}
	w->revents |= r & (w->events | SLIRP_POLL_ERR | SLIRP_POLL_HUP);
	user_refresh(w->u);
}

static int user_uv_events(int slirp_events)
{
	int ev = 0;

	if (slirp_events & SLIRP_POLL_IN)
		ev |= UV_READABLE;
	if (slirp_events & SLIRP_POLL_OUT)
		ev |= UV_WRITABLE;
	if (slirp_events & SLIRP_POLL_PRI)
		ev |= UV_PRIORITIZED;
	return ev;
}

static void user_tick_fire(struct sim_timer *t, void *arg)
{
	(void)t;
	user_refresh(arg);
}

/* Arms the tick for slirp's timeout (ms), or not (see the top of the file). */
static void user_arm_tick(struct user_vif *u, uint32_t timeout_ms)
{
	uint64_t now = sim_now_ns(u->sim);
	bool want = true;

	if (sim_config(u->sim)->clock == SIM_CLOCK_VIRTUAL) {
		bool owed = u->dropped_at && now - u->dropped_at < USER_RETRANSMIT_WINDOW_NS;
		if (!owed)
			u->dropped_at = 0;
		want = timeout_ms <= USER_TIMEOUT_FAST_MS || owed;
	}
	if (want)
		sim_timer_start(u->sim, &u->tick, now + (uint64_t)timeout_ms * NSEC_PER_MSEC,
				user_tick_fire, u);
	else
		sim_timer_stop(u->sim, &u->tick);
}

/* Asks slirp which fds to watch and mirrors that on uv_polls; arms the tick. */
static void user_fill(struct user_vif *u)
{
	uint32_t timeout = UINT32_MAX;

	for (size_t fd = 0; fd < u->nr_by_fd; fd++)
		if (u->by_fd[fd])
			u->by_fd[fd]->seen = false;
	u->nr_fill = 0;
	slirp_pollfds_fill(u->slirp, &timeout, user_add_poll, u);
	for (size_t fd = 0; fd < u->nr_by_fd; fd++) {
		struct user_fd *w = u->by_fd[fd];
		if (!w)
			continue;
		int ev = user_uv_events(w->events);
		if (!w->seen || !ev) {
			user_fd_forget(u, (int)fd);
			continue;
		}
		if (ev == w->uv_events && uv_is_active((uv_handle_t *)&w->poll))
			continue;
		w->uv_events = ev;
		if (uv_poll_start(&w->poll, ev, user_poll_cb) < 0) {
			sim_log("vif%u: cannot poll fd %zu", u->v->index, fd);
			user_fd_forget(u, (int)fd);
		}
	}
	user_arm_tick(u, timeout == UINT32_MAX ? 1000 : timeout);
}

/*
 * One cycle: slirp handles what the fds reported since the last fill and
 * its timers due by now, then says what to watch next.
 */
static void user_refresh(struct user_vif *u)
{
	if (u->busy)
		return;
	u->busy = true;
	slirp_pollfds_poll(u->slirp, 0, user_get_revents, u);
	user_fill(u);
	u->busy = false;
}

/* --- hostfwd=tcp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT --- */

static int parse_port(const char *s, size_t n, int *port)
{
	uint64_t p;

	if (n > 7 || sim_parse_u64_n(s, n, 65535, &p) < 0 || p < 1)
		return -1;
	*port = (int)p;
	return 0;
}

/* "ADDR:PORT" with ADDR possibly empty (then *addr is left alone). */
static int parse_addr_port(const char *s, size_t n, struct in_addr *addr, int *port,
			   const char **why)
{
	const char *colon = memchr(s, ':', n);
	char buf[INET_ADDRSTRLEN];

	if (!colon) {
		*why = "expected ADDR:PORT";
		return -1;
	}
	size_t alen = (size_t)(colon - s);
	if (alen) {
		if (alen >= sizeof(buf)) {
			*why = "bad IPv4 address";
			return -1;
		}
		memcpy(buf, s, alen);
		buf[alen] = '\0';
		if (inet_pton(AF_INET, buf, addr) != 1) {
			*why = "bad IPv4 address";
			return -1;
		}
	}
	if (parse_port(colon + 1, n - alen - 1, port) < 0) {
		*why = "bad port (1-65535)";
		return -1;
	}
	return 0;
}

struct user_hostfwd {
	bool udp;
	struct in_addr host, guest;
	int host_port, guest_port;
};

static int user_hostfwd_parse(const char *spec, struct user_hostfwd *f, char *err, size_t errlen)
{
	const char *why = NULL;
	const char *rest;

	memset(f, 0, sizeof(*f));
	f->host.s_addr = htonl(INADDR_LOOPBACK);
	inet_pton(AF_INET, "10.0.2.15", &f->guest);
	if (!strncmp(spec, "tcp:", 4)) {
		rest = spec + 4;
	} else if (!strncmp(spec, "udp:", 4)) {
		f->udp = true;
		rest = spec + 4;
	} else {
		why = "must start with tcp: or udp:";
		goto bad;
	}
	const char *dash = strchr(rest, '-');
	if (!dash) {
		why = "no '-' between the host and the guest side";
		goto bad;
	}
	if (parse_addr_port(rest, (size_t)(dash - rest), &f->host, &f->host_port, &why) < 0 ||
	    parse_addr_port(dash + 1, strlen(dash + 1), &f->guest, &f->guest_port, &why) < 0)
		goto bad;
	if ((ntohl(f->guest.s_addr) & 0xffffff00u) != 0x0a000200u) {
		why = "the guest address must be in 10.0.2.0/24";
		goto bad;
	}
	return 0;
bad:
	snprintf(err, errlen,
		 "hostfwd=%s: %s (expected hostfwd=tcp|udp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT)",
		 spec, why);
	return -EINVAL;
}

static int user_hostfwd_add(struct user_vif *u, const char *spec, char *err, size_t errlen)
{
	struct user_hostfwd f;
	char host[INET_ADDRSTRLEN];
	int rc;

	if ((rc = user_hostfwd_parse(spec, &f, err, errlen)) < 0)
		return rc;
	errno = 0;
	if (slirp_add_hostfwd(u->slirp, f.udp, f.host, f.host_port, f.guest, f.guest_port) < 0) {
		int e = errno ? errno : EADDRINUSE;
		inet_ntop(AF_INET, &f.host, host, sizeof(host));
		snprintf(err, errlen, "hostfwd=%s: cannot listen on %s %s:%d: %s", spec,
			 f.udp ? "udp" : "tcp", host, f.host_port, strerror(e));
		return -e;
	}
	return 0;
}

/* --- the backend --- */

static void user_free(struct user_vif *u)
{
	u->busy = true;
	if (u->slirp)
		slirp_cleanup(u->slirp);
	sim_timer_stop(u->sim, &u->tick);
	for (size_t fd = 0; fd < u->nr_by_fd; fd++)
		user_fd_forget(u, (int)fd);
	free(u->by_fd);
	free(u->fill_fd);
	free(u);
}

static void user_config(const struct vif_config *cfg, SlirpConfig *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->version = 4;
	sc->in_enabled = true;
	inet_pton(AF_INET, "10.0.2.0", &sc->vnetwork);
	inet_pton(AF_INET, "255.255.255.0", &sc->vnetmask);
	inet_pton(AF_INET, "10.0.2.2", &sc->vhost);
	inet_pton(AF_INET, "10.0.2.15", &sc->vdhcp_start);
	inet_pton(AF_INET, "10.0.2.3", &sc->vnameserver);
	sc->in6_enabled = false;
	sc->vhostname = "drydock";
	if (cfg->mtu >= 68 && cfg->mtu <= 65521)
		sc->if_mtu = sc->if_mru = cfg->mtu;
}

static int user_open(struct vif *v, const struct vif_config *cfg, char *err, size_t errlen)
{
	struct user_vif *u;
	SlirpConfig sc;
	int rc;

	u = calloc(1, sizeof(*u));
	if (!u) {
		snprintf(err, errlen, "user: out of memory");
		return -ENOMEM;
	}
	u->v = v;
	u->sim = v->dom->sim;
	u->cb = (SlirpCb){
		.send_packet = user_send_packet,
		.guest_error = user_guest_error,
		.clock_get_ns = user_clock_get_ns,
		.timer_new = user_timer_new,
		.timer_free = user_timer_free,
		.timer_mod = user_timer_mod,
		.register_poll_fd = user_register_poll_fd,
		.unregister_poll_fd = user_unregister_poll_fd,
		.notify = user_notify,
		.timer_new_opaque = user_timer_new_opaque,
	};
	user_config(cfg, &sc);
	u->slirp = slirp_new(&sc, &u->cb, u);
	if (!u->slirp) {
		snprintf(err, errlen, "user: libslirp refused its configuration");
		free(u);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < cfg->nr_keys; i++) {
		if (strcmp(cfg->keys[i].key, "hostfwd"))
			continue;
		if ((rc = user_hostfwd_add(u, cfg->keys[i].value, err, errlen)) < 0) {
			user_free(u);
			return rc;
		}
	}
	v->backend = u;
	user_refresh(u);
	return 0;
}

static void user_transmit(struct vif *v, const uint8_t *frame, size_t len)
{
	struct user_vif *u = v->backend;

	if (!u || len > INT32_MAX)
		return;
	u->busy = true;
	slirp_input(u->slirp, frame, (int)len);
	u->busy = false;
	user_refresh(u);
}

static const struct vif_backend_key user_keys[] = {
	{ "hostfwd", true }, /* hostfwd=tcp|udp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT */
	{ NULL, false },
};

static void user_close(struct vif *v)
{
	struct user_vif *u = v->backend;

	if (!u)
		return;
	v->backend = NULL;
	user_free(u);
}

const struct vif_backend_ops vif_user_ops = {
	.name = "user",
	.keys = user_keys,
	.live = true,
	.open = user_open,
	.transmit = user_transmit,
	.close = user_close,
};
