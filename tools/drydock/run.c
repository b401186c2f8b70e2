/*
 * drydock run [-d] [HOST OPTIONS] CFG [-- GUEST ARGS]: a front end. It reads
 * kernel= from CFG, finds the sim executable of that PVH image and executes
 * it with --config CFG --register and the rest, so the executable's own
 * options and exit status are the run's. With -d the executable runs in its
 * own session with the console in RUNDIR/NAME.console, and the command
 * returns once the domain has registered.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sim/toolstack/xlcfg.h"
#include "tools/drydock/drydock.h"

#define MAX_ARGS 256

/* The host options that take a value as the next word (sim/host/options.c). */
static const char *const valued[] = { "--mem", "--name", "--domid", "--clock", "--seed",
	"--xenstore-socket", "--xs", "--vif", "--timeout", NULL };

struct run {
	bool detach;
	const char *cfg;
	const char *name;               /* --name, if given */
	char *args[MAX_ARGS];           /* the executable's argv */
	int nr_args;
	char exe[PATH_MAX + NAME_MAX + 16];
	char cfg_path[PATH_MAX];
};

static bool takes_value(const char *opt)
{
	for (int i = 0; valued[i]; i++)
		if (!strcmp(opt, valued[i]))
			return true;
	return false;
}

static int add_arg(struct run *r, char *a)
{
	if (r->nr_args == MAX_ARGS - 1)
		return dd_usage("run", "more than %d arguments", MAX_ARGS - 8);
	r->args[r->nr_args++] = a;
	return 0;
}

/* Sorts argv into -d, the host options, CFG and the guest's words. */
static int parse_args(struct run *r, int argc, char **argv)
{
	int i;

	r->nr_args = 4; /* exe --config CFG --register, filled in later; then the options */
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-d")) {
			r->detach = true;
		} else if (a[0] == '-' && a[1]) {
			if (!strcmp(a, "--config") || !strncmp(a, "--config=", 9) ||
			    !strcmp(a, "--register"))
				return dd_usage("run", "%s is what drydock run passes itself", a);
			if (add_arg(r, argv[i]) < 0)
				return DD_EXIT_USAGE;
			if (!strcmp(a, "--name") && i + 1 < argc)
				r->name = argv[i + 1];
			else if (!strncmp(a, "--name=", 7))
				r->name = a + 7;
			if (takes_value(a) && i + 1 < argc && add_arg(r, argv[++i]) < 0)
				return DD_EXIT_USAGE;
		} else if (!r->cfg) {
			r->cfg = a;
		} else {
			return dd_usage("run", "one CFG only (guest arguments go after --), not '%s'", a);
		}
	}
	if (!r->cfg)
		return dd_usage("run", "which xl.cfg? drydock run CFG");
	for (; i < argc; i++)
		if (add_arg(r, argv[i]) < 0)
			return DD_EXIT_USAGE;
	return 0;
}

static bool is_executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/*
 * The sim executable of kernel K (relative to CFG's directory): K without
 * .xen beside it, or in ../bin (a build tree: build/xen/NAME.xen and
 * build/bin/NAME).
 */
static int find_exe(struct run *r, const char *kernel)
{
	char dir[PATH_MAX], base[NAME_MAX + 1], kpath[PATH_MAX];
	const char *slash;
	size_t n;

	snprintf(dir, sizeof(dir), "%s", r->cfg_path);
	*strrchr(dir, '/') = '\0';
	if ((size_t)snprintf(kpath, sizeof(kpath), "%s%s%s", kernel[0] == '/' ? "" : dir,
			     kernel[0] == '/' ? "" : "/", kernel) >= sizeof(kpath))
		return dd_fail("%s: kernel \"%s\": path too long", r->cfg, kernel);
	slash = strrchr(kpath, '/');
	snprintf(base, sizeof(base), "%s", slash + 1);
	n = strlen(base);
	if (n > 4 && !strcmp(base + n - 4, ".xen"))
		base[n - 4] = '\0';
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - kpath), kpath);
	snprintf(r->exe, sizeof(r->exe), "%s/%s", dir, base);
	if (strcmp(r->exe, kpath) != 0 && is_executable(r->exe))
		return 0;
	snprintf(r->exe, sizeof(r->exe), "%s/../bin/%s", dir, base);
	if (is_executable(r->exe))
		return 0;
	return dd_fail("%s: kernel \"%s\": no sim executable %s beside it or in %s/../bin",
		       r->cfg, kernel, base, dir);
}

/* kernel= and name= of CFG (the executable reads the rest itself). */
static int read_cfg(struct run *r, char *name, size_t namelen)
{
	const struct xlcfg_setting *k, *n;
	struct xlcfg *c;
	char err[1024];
	int rc;

	if (!realpath(r->cfg, r->cfg_path))
		return dd_fail("%s: %s", r->cfg, strerror(errno));
	if (xlcfg_load(r->cfg_path, &c, err, sizeof(err)) < 0)
		return dd_fail("%s", err);
	k = xlcfg_find(c, "kernel");
	n = xlcfg_find(c, "name");
	if (!k || k->kind == XLCFG_LIST) {
		xlcfg_free(c);
		return dd_fail("%s: no kernel = \"NAME.xen\" to run", r->cfg);
	}
	snprintf(name, namelen, "%s", n && n->kind != XLCFG_LIST ? n->value.text : "");
	rc = find_exe(r, k->value.text);
	if (!name[0]) /* the executable's default: the unikernel's own name */
		snprintf(name, namelen, "%s", strrchr(r->exe, '/') + 1);
	xlcfg_free(c);
	return rc;
}

/* Waits until the child registered (0) or ended (its status, after saying so). */
static int wait_registered(pid_t child, const char *name, const char *log)
{
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	char run[PATH_MAX], dir[PATH_MAX + 80];
	struct dd_domain d;
	int status;

	if (dd_run_dir(run, sizeof(run)) < 0)
		return 1;
	snprintf(dir, sizeof(dir), "%s/%s", run, name);
	for (int i = 0; i < 30 * 50; i++) {
		if (dd_domain_load(dir, &d) == 0 && d.pid == child)
			return 0;
		if (waitpid(child, &status, WNOHANG) == child) {
			status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			fprintf(stderr, "drydock: %s ended with status %d before it was seen "
				"running; its console and errors are in %s\n", name, status, log);
			return status;
		}
		nanosleep(&tick, NULL);
	}
	return dd_fail("%s has not registered after 30 s; see %s", name, log);
}

/* -d: the executable in its own session, output to the console log. */
static int run_detached(struct run *r, const char *name)
{
	char run[PATH_MAX], log[PATH_MAX + 80];
	struct dd_domain d;
	pid_t pid;
	int fd, rc;

	if (dd_run_dir(run, sizeof(run)) < 0)
		return 1;
	/* The console log of a domain of that name that runs must not be cut short. */
	snprintf(log, sizeof(log), "%s/%s", run, name);
	if (dd_domain_load(log, &d) == 0 && dd_domain_alive(&d))
		return dd_fail("domain %s already exists (pid %d; `drydock destroy %s`)", name,
			       (int)d.pid, name);
	snprintf(log, sizeof(log), "%s/%s.console", run, name);
	if ((fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		return dd_fail("%s: %s", log, strerror(errno));
	fflush(NULL);
	if ((pid = fork()) < 0)
		return dd_fail("fork: %s", strerror(errno));
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		setsid();
		if (null < 0 || dup2(null, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(127);
		execv(r->exe, r->args);
		dprintf(2, "drydock: cannot run %s: %s\n", r->exe, strerror(errno));
		_exit(127);
	}
	close(fd);
	if ((rc = wait_registered(pid, name, log)) != 0)
		return rc;
	printf("%s: running in the background, pid %d; console: drydock console %s\n", name,
	       (int)pid, name);
	return 0;
}

int dd_cmd_run(int argc, char **argv)
{
	static struct run r;
	char name[128];
	int rc;

	if ((rc = parse_args(&r, argc, argv)) != 0)
		return rc;
	if ((rc = read_cfg(&r, name, sizeof(name))) != 0)
		return rc;
	if (r.name)
		snprintf(name, sizeof(name), "%s", r.name);
	r.args[0] = r.exe;
	r.args[1] = "--config";
	r.args[2] = r.cfg_path;
	r.args[3] = "--register";
	r.args[r.nr_args] = NULL;
	if (r.detach)
		return run_detached(&r, name);
	fflush(NULL);
	execv(r.exe, r.args);
	return dd_fail("cannot run %s: %s", r.exe, strerror(errno));
}
