/*
 * drydock list, shutdown, reboot, destroy, xenstore, console: a registered
 * domain driven as xl drives one (xl_list, xl_shutdown_reboot, xl_destroy,
 * xl_console in Xen's tools/xl).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tools/drydock/drydock.h"

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&t, NULL);
}

static void print_domain(const struct dd_domain *d)
{
	struct timespec now;
	char time[32] = "-";

	if (!strcmp(d->clock, "real")) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		uint64_t ns = (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
		snprintf(time, sizeof(time), "%.1f", ns > d->started ?
			 (double)(ns - d->started) / 1e9 : 0.0);
	}
	printf("%-20s %5u %7d %-8s %9s  %s", d->name, d->domid, (int)d->pid, d->clock, time,
	       d->xenstore);
	for (unsigned int i = 0; i < d->nr_vifs; i++)
		printf("%s%s", i ? " " : "  ", d->vifs[i]);
	printf("%s\n", d->nr_vifs ? "" : "  -");
}

int dd_cmd_list(int argc, char **argv)
{
	char run[PATH_MAX], dir[PATH_MAX + 300];
	struct dd_domain d;
	struct dirent *e;
	DIR *dp;

	if (argc > 1)
		return dd_usage("list", "list takes no arguments");
	if (dd_run_dir(run, sizeof(run)) < 0 || !(dp = opendir(run)))
		return dd_fail("%s: %s", run, strerror(errno));
	printf("%-20s %5s %7s %-8s %9s  %s  %s\n", "NAME", "DOMID", "PID", "CLOCK", "TIME(s)",
	       "XENSTORE", "VIFS");
	while ((e = readdir(dp))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", run, e->d_name);
		if (dd_domain_load(dir, &d) < 0)
			continue;
		if (dd_domain_alive(&d))
			print_domain(&d);
		else
			dd_domain_forget(dir); /* its process was killed: the entry is stale */
	}
	closedir(dp);
	return 0;
}

/* The one NAME argument, after the flags in flags (e.g. "w"). */
static int one_name(int argc, char **argv, const char *flags, bool *flag, const char **name)
{
	*name = NULL;
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1] && !argv[i][2] && flags && strchr(flags, argv[i][1]))
			*flag = true;
		else if (argv[i][0] == '-')
			return dd_usage(argv[0], "unknown option '%s'", argv[i]);
		else if (*name)
			return dd_usage(argv[0], "one domain name only, not '%s'", argv[i]);
		else
			*name = argv[i];
	}
	if (!*name)
		return dd_usage(argv[0], "which domain? drydock %s NAME", argv[0]);
	return 0;
}

/* Waits until d's process has gone. */
static void wait_gone(const struct dd_domain *d)
{
	while (dd_domain_alive(d))
		sleep_ms(50);
}

int dd_cmd_shutdown(int argc, char **argv)
{
	const char *name, *what = !strcmp(argv[0], "reboot") ? "reboot" : "poweroff";
	char path[64], err[256];
	bool wait = false;
	struct dd_domain d;
	int rc;

	if ((rc = one_name(argc, argv, strcmp(what, "reboot") ? "w" : NULL, &wait, &name)))
		return rc;
	if (dd_domain_find(name, &d) < 0)
		return 1;
	/* libxl_domain_shutdown / libxl_domain_reboot: the PV control node. */
	snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown", d.domid);
	if (dd_xs_write(d.xenstore, path, what, err, sizeof(err)) < 0)
		return dd_fail("%s: cannot write %s: %s", name, path, err);
	if (wait)
		wait_gone(&d);
	return 0;
}

int dd_cmd_destroy(int argc, char **argv)
{
	char run[PATH_MAX], dir[PATH_MAX + 80];
	const char *name;
	struct dd_domain d;
	int rc;

	if ((rc = one_name(argc, argv, NULL, NULL, &name)))
		return rc;
	if (dd_domain_find(name, &d) < 0 || dd_run_dir(run, sizeof(run)) < 0)
		return 1;
	if (kill(d.pid, SIGKILL) < 0)
		return dd_fail("%s: cannot stop process %d: %s", name, (int)d.pid, strerror(errno));
	for (int i = 0; i < 100 && dd_domain_alive(&d); i++)
		sleep_ms(50);
	snprintf(dir, sizeof(dir), "%s/%s", run, name);
	dd_domain_forget(dir);
	return 0;
}

/* `drydock xenstore NAME ls /` runs xenstore-ls: the words libxenstore's tools are named for. */
static const char *tool_for(const char *cmd, char *buf, size_t size)
{
	static const char *const short_names[] = { "ls", "read", "write", "rm", "list", "exists",
		"chmod", "watch", NULL };

	for (int i = 0; short_names[i]; i++) {
		if (!strcmp(cmd, short_names[i])) {
			snprintf(buf, size, "xenstore-%s", cmd);
			return buf;
		}
	}
	return cmd;
}

int dd_cmd_xenstore(int argc, char **argv)
{
	struct dd_domain d;
	char tool[64];

	if (argc < 2)
		return dd_usage("xenstore", "which domain? drydock xenstore NAME [CMD ...]");
	if (argv[1][0] == '-')
		return dd_usage("xenstore", "unknown option '%s'", argv[1]);
	if (dd_domain_find(argv[1], &d) < 0)
		return 1;
	if (argc == 2) {
		printf("%s\n", d.xenstore);
		return 0;
	}
	/* libxenstore looks for the daemon's socket there. */
	setenv("XENSTORED_PATH", d.xenstore, 1);
	argv[2] = (char *)tool_for(argv[2], tool, sizeof(tool));
	execvp(argv[2], argv + 2);
	return dd_fail("cannot run %s: %s%s", argv[2], strerror(errno),
		       errno == ENOENT && !strncmp(argv[2], "xenstore-", 9) ?
		       " (package xenstore-utils)" : "");
}

/* Copies what the log has beyond *off to stdout. */
static int copy_new(int fd, off_t *off)
{
	char buf[65536];
	ssize_t n;

	while ((n = pread(fd, buf, sizeof(buf), *off)) > 0) {
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			return -EIO;
		*off += n;
	}
	fflush(stdout);
	return n < 0 ? -errno : 0;
}

int dd_cmd_console(int argc, char **argv)
{
	char run[PATH_MAX], log[PATH_MAX + 80];
	struct dd_domain d;
	const char *name;
	bool alive;
	off_t off = 0;
	int fd, rc;

	if ((rc = one_name(argc, argv, NULL, NULL, &name)))
		return rc;
	if (strchr(name, '/') || dd_run_dir(run, sizeof(run)) < 0)
		return dd_fail("no domain '%s'", name);
	snprintf(log, sizeof(log), "%s/%s.console", run, name);
	if ((fd = open(log, O_RDONLY | O_CLOEXEC)) < 0)
		return dd_fail("%s has no console log (%s): only `drydock run -d` keeps one", name,
			       strerror(errno));
	snprintf(run + strlen(run), sizeof(run) - strlen(run), "/%s", name);
	alive = dd_domain_load(run, &d) == 0 && dd_domain_alive(&d);
	/* Follows the log while the domain runs, then prints what it wrote last. */
	do {
		if ((rc = copy_new(fd, &off)) < 0)
			break;
		if (alive)
			sleep_ms(100);
	} while (alive && (alive = dd_domain_alive(&d)));
	if (rc == 0)
		rc = copy_new(fd, &off);
	close(fd);
	return rc < 0 ? dd_fail("%s: %s", log, strerror(-rc)) : 0;
}
