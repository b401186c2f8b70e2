/*
 * bench-xenstore: xenstore round trips per second, three ways, beside a bare
 * Unix-socket echo measured in the same run.
 *
 *   bench-xenstore [-n N] [-r ROUNDS] [-g GUEST]
 *
 * GUEST is the bench-xenstore-guest unikernel (default: the one next to this
 * program). The three figures:
 *
 *   baseline  N round trips of a message the size of the XS_READ request
 *             below over a socketpair to a forked child that echoes it;
 *   socket    N synchronous XS_READ /local/domain/1/name (header + payload,
 *             wait for the whole reply) on the guest's --xenstore-socket,
 *             the guest started with `serve` (it only sleeps);
 *   guest     N xenbus_read of "name" inside the unikernel, over its ring,
 *             timed by the guest itself (uk_now_ns, real clock).
 *
 * The baseline and socket series alternate in ROUNDS chunks (default 10) so
 * that both see the same machine; the guest series runs in its own process
 * afterwards. The serving guest is then shut down the way `xl shutdown` does
 * it (XS_WRITE control/shutdown = poweroff) and reaped. Figures are
 * reported, never judged: exit 0 unless something failed to run.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* environ */
#endif

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <xen/io/xs_wire.h>

#define DEFAULT_N 100000L
#define DEFAULT_ROUNDS 10L
#define MAX_N 100000000L
#define GUEST_NAME "bench-xenstore-guest"
#define DOMID 1
#define NAME_PATH "/local/domain/1/name"
#define SHUTDOWN_PATH "/local/domain/1/control/shutdown"
/* How long the powered-off guest gets to exit before it is killed. */
#define REAP_TIMEOUT_MS 10000

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bench-xenstore: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: bench-xenstore [-n N] [-r ROUNDS] [-g GUEST]\n"
		   "  xenstore round trips per second: a guest's xenbus_read, a socket\n"
		   "  client's XS_READ, and a bare Unix-socket echo as the baseline;\n"
		   "  N round trips each (default %ld), baseline and socket client\n"
		   "  alternating in ROUNDS chunks (default %ld). GUEST defaults to\n"
		   "  %s next to this program.\n",
		DEFAULT_N, DEFAULT_ROUNDS, GUEST_NAME);
}

static long parse_count(const char *opt, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "bench-xenstore: %s wants a number from %ld to %ld, not '%s'\n",
			opt, min, max, s);
		exit(2);
	}
	return v;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- whole reads and writes --- */

static void write_all(int fd, const void *p, size_t n, const char *what)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("%s: write: %s", what, w < 0 ? strerror(errno) : "wrote nothing");
		p = (const char *)p + w;
		n -= (size_t)w;
	}
}

/* Reads exactly n bytes; returns false on end of file before the first byte. */
static bool read_all(int fd, void *p, size_t n, const char *what)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *)p + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("%s: read: %s", what, strerror(errno));
		if (r == 0) {
			if (got == 0)
				return false;
			die("%s: end of file after %zu of %zu bytes", what, got, n);
		}
		got += (size_t)r;
	}
	return true;
}

/* --- the unikernel --- */

struct guest {
	pid_t pid;
	int out; /* read end of its stdout */
	char sock_dir[64];
	char sock_path[128];
};

/* The guest next to /proc/self/exe. */
static char *default_guest(void)
{
	static char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - sizeof(GUEST_NAME) - 1);
	char *slash;

	if (n < 0)
		die("/proc/self/exe: %s", strerror(errno));
	path[n] = '\0';
	slash = strrchr(path, '/');
	strcpy(slash ? slash + 1 : path, GUEST_NAME);
	return path;
}

/* Starts argv with stdout on a pipe (stdin /dev/null, stderr inherited). */
static void guest_spawn(struct guest *g, char *const *argv)
{
	posix_spawn_file_actions_t fa;
	int pipefd[2], err;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		die("pipe: %s", strerror(errno));
	if (posix_spawn_file_actions_init(&fa) != 0 ||
	    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO) != 0)
		die("posix_spawn_file_actions failed");
	err = posix_spawn(&g->pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (err != 0)
		die("cannot run %s: %s", argv[0], strerror(err));
	g->out = pipefd[0];
}

/*
 * Reads the guest's output line by line (echoing nothing) until a line
 * starting with prefix; copies it to line. Dies if the guest's stdout ends first.
 */
static void guest_wait_line(struct guest *g, const char *prefix, char *line, size_t size)
{
	size_t len = 0;
	char c;

	for (;;) {
		ssize_t r = read(g->out, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("reading the guest's output: %s", strerror(errno));
		if (r == 0)
			die("the guest ended without printing '%s...'", prefix);
		if (c != '\n') {
			if (len + 1 < size)
				line[len++] = c;
			continue;
		}
		line[len] = '\0';
		if (strncmp(line, prefix, strlen(prefix)) == 0)
			return;
		len = 0;
	}
}

/* Waits for the guest to exit (killing it after timeout_ms); dies unless it exited 0. */
static void guest_reap(struct guest *g, int timeout_ms)
{
	char buf[4096];
	int status;
	pid_t w;

	/* Drain its output so it never blocks on a full pipe while exiting. */
	while (read(g->out, buf, sizeof(buf)) > 0)
		;
	close(g->out);
	for (int waited = 0;; waited += 10) {
		w = waitpid(g->pid, &status, WNOHANG);
		if (w == g->pid)
			break;
		if (w < 0 && errno != EINTR)
			die("waitpid: %s", strerror(errno));
		if (waited >= timeout_ms) {
			kill(g->pid, SIGKILL);
			waitpid(g->pid, &status, 0);
			die("the guest did not exit within %d ms of being powered off", timeout_ms);
		}
		usleep(10000);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("the guest ended with %s %d", WIFEXITED(status) ? "status" : "signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

/* --- (a) reads inside the guest --- */

static double bench_guest(const char *guest, long n)
{
	char count[32], line[256];
	char *argv[] = { (char *)guest, "--clock", "real", "--", count, NULL };
	unsigned long long reads, ns;
	struct guest g;

	snprintf(count, sizeof(count), "%ld", n);
	guest_spawn(&g, argv);
	guest_wait_line(&g, GUEST_NAME ": ", line, sizeof(line));
	if (sscanf(line, GUEST_NAME ": reads=%llu ns=%llu", &reads, &ns) != 2 || reads == 0)
		die("cannot parse the guest's figures: '%s'", line);
	guest_reap(&g, REAP_TIMEOUT_MS);
	return (double)ns / 1e9 / (double)reads;
}

/* --- (b) XS_READ on the guest's xenstore socket --- */

static int sock_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket: %s", strerror(errno));
	if (strlen(path) >= sizeof(sa.sun_path))
		die("socket path too long: %s", path);
	strcpy(sa.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("connect %s: %s", path, strerror(errno));
	return fd;
}

/* Builds header + payload in buf; returns the message's size. */
static size_t xs_msg(char *buf, uint32_t type, uint32_t req_id, const char *payload, size_t len)
{
	struct xsd_sockmsg h = { .type = type, .req_id = req_id, .len = (uint32_t)len };

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), payload, len);
	return sizeof(h) + len;
}

/* Sends msg and reads the whole reply into payload; dies unless it answers req_id. */
static struct xsd_sockmsg xs_call(int fd, const char *msg, size_t len, uint32_t req_id,
				  char payload[XENSTORE_PAYLOAD_MAX])
{
	struct xsd_sockmsg h;

	write_all(fd, msg, len, "xenstore socket");
	if (!read_all(fd, &h, sizeof(h), "xenstore socket"))
		die("xenstore socket: closed by the simulator");
	if (h.len > XENSTORE_PAYLOAD_MAX)
		die("xenstore socket: reply of %u bytes", h.len);
	read_all(fd, payload, h.len, "xenstore socket");
	if (h.req_id != req_id)
		die("xenstore socket: reply to request %u, expected %u", h.req_id, req_id);
	if (h.type == XS_ERROR)
		die("xenstore socket: request %u failed: %.*s", req_id, (int)h.len, payload);
	return h;
}

static void guest_start_serving(struct guest *g, const char *guest)
{
	char line[256];
	char *argv[] = { (char *)guest, "--clock", "real", "--xenstore-socket", g->sock_path,
			 "--", "serve", NULL };

	strcpy(g->sock_dir, "/tmp/bench-xenstore.XXXXXX");
	if (!mkdtemp(g->sock_dir))
		die("mkdtemp: %s", strerror(errno));
	snprintf(g->sock_path, sizeof(g->sock_path), "%s/xenstored.sock", g->sock_dir);
	guest_spawn(g, argv);
	/* The socket listens before the guest boots, so it is up once the guest speaks. */
	guest_wait_line(g, "serving", line, sizeof(line));
}

/* control/shutdown = poweroff, as `xl shutdown` does; then waits for the exit. */
static void guest_power_off(struct guest *g, int fd, uint32_t req_id)
{
	static const char req[] = SHUTDOWN_PATH "\0poweroff";
	char msg[sizeof(struct xsd_sockmsg) + sizeof(req)], reply[XENSTORE_PAYLOAD_MAX];
	size_t len = xs_msg(msg, XS_WRITE, req_id, req, sizeof(req) - 1);

	xs_call(fd, msg, len, req_id, reply);
	close(fd);
	guest_reap(g, REAP_TIMEOUT_MS);
	unlink(g->sock_path);
	rmdir(g->sock_dir);
}

/* n XS_READ round trips; returns the wall time they took, in seconds. */
static double socket_reads(int fd, long n, uint32_t *req_id, const char *expect)
{
	char msg[sizeof(struct xsd_sockmsg) + sizeof(NAME_PATH)], reply[XENSTORE_PAYLOAD_MAX];
	size_t len = xs_msg(msg, XS_READ, 0, NAME_PATH, sizeof(NAME_PATH));
	struct xsd_sockmsg h;
	double t0 = now_s();

	for (long i = 0; i < n; i++) {
		uint32_t id = ++*req_id;
		memcpy(msg + offsetof(struct xsd_sockmsg, req_id), &id, sizeof(id));
		h = xs_call(fd, msg, len, id, reply);
		if (h.len != strlen(expect) || memcmp(reply, expect, h.len) != 0)
			die("XS_READ %s: got '%.*s', expected '%s'", NAME_PATH, (int)h.len, reply,
			    expect);
	}
	return now_s() - t0;
}

/* --- (c) the baseline: echo over a socketpair --- */

#define ECHO_SIZE (sizeof(struct xsd_sockmsg) + sizeof(NAME_PATH))

static void echo_child(int fd)
{
	char buf[ECHO_SIZE];

	while (read_all(fd, buf, sizeof(buf), "echo child"))
		write_all(fd, buf, sizeof(buf), "echo child");
	_exit(0);
}

static pid_t echo_start(int *fd)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		die("socketpair: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		close(sv[0]);
		echo_child(sv[1]);
	}
	close(sv[1]);
	*fd = sv[0];
	return pid;
}

static double echo_round_trips(int fd, long n)
{
	char msg[ECHO_SIZE], back[ECHO_SIZE];
	double t0 = now_s();

	memset(msg, 'e', sizeof(msg));
	for (long i = 0; i < n; i++) {
		write_all(fd, msg, sizeof(msg), "echo");
		if (!read_all(fd, back, sizeof(back), "echo"))
			die("echo: the child hung up");
	}
	return now_s() - t0;
}

static void echo_stop(pid_t pid, int fd)
{
	int status;

	close(fd); /* the child reads end of file and exits */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

/* --- report --- */

#define LABEL_WIDTH 46

static void print_row(const char *label, double per_rt, double base_per_rt)
{
	printf("%-*s %10.0f %9.3f %8.2f\n", LABEL_WIDTH, label, 1.0 / per_rt, per_rt * 1e6,
	       per_rt / base_per_rt);
}

int main(int argc, char **argv)
{
	long n = DEFAULT_N, rounds = DEFAULT_ROUNDS;
	const char *guest_path = NULL;
	char label[64];
	double base_s = 0, sock_s = 0, guest_per_rt;
	uint32_t req_id = 0;
	struct guest g;
	int opt, echo_fd, xs_fd;
	pid_t echo_pid;

	while ((opt = getopt(argc, argv, "n:r:g:h")) != -1) {
		switch (opt) {
		case 'n':
			n = parse_count("-n", optarg, 1, MAX_N);
			break;
		case 'r':
			rounds = parse_count("-r", optarg, 1, 1000);
			break;
		case 'g':
			guest_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (!guest_path)
		guest_path = default_guest();
	if (access(guest_path, X_OK) < 0)
		die("%s: %s (build it, or name it with -g)", guest_path, strerror(errno));
	if (rounds > n)
		rounds = n;

	/* A write to a socket whose reader died must be an error, not a signal. */
	signal(SIGPIPE, SIG_IGN);

	guest_start_serving(&g, guest_path);
	xs_fd = sock_connect(g.sock_path);
	echo_pid = echo_start(&echo_fd);

	/* Warm-up, uncounted: 1% of each. */
	echo_round_trips(echo_fd, n / 100 + 1);
	socket_reads(xs_fd, n / 100 + 1, &req_id, GUEST_NAME);
	for (long r = 0; r < rounds; r++) {
		long chunk = n / rounds + (r < n % rounds);
		base_s += echo_round_trips(echo_fd, chunk);
		sock_s += socket_reads(xs_fd, chunk, &req_id, GUEST_NAME);
	}
	echo_stop(echo_pid, echo_fd);
	guest_power_off(&g, xs_fd, ++req_id);

	guest_per_rt = bench_guest(guest_path, n);

	printf("bench-xenstore: %ld round trips each (baseline and socket client interleaved "
	       "in %ld rounds)\n", n, rounds);
	snprintf(label, sizeof(label), "baseline: unix socket echo of %zu bytes", ECHO_SIZE);
	printf("%-*s %10s %9s %8s\n", LABEL_WIDTH, "round trip", "per s", "us each", "x base");
	print_row(label, base_s / (double)n, base_s / (double)n);
	print_row("socket client: XS_READ " NAME_PATH, sock_s / (double)n, base_s / (double)n);
	print_row("guest: xenbus_read(\"name\") over the ring", guest_per_rt, base_s / (double)n);
	return 0;
}
