/* A running domain's entry in the runtime directory (registry.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sim/host/registry.h"

/* The process registers one domain: this is its entry. */
static struct {
	char dir[PATH_MAX];     /* DIR/NAME, or "" when not registered */
	char socket[PATH_MAX];
	pid_t pid;
	uint64_t started;
} entry;

static int mkdir_private(const char *path)
{
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int shim_registry_dir(char *out, size_t size)
{
	const char *env = getenv("DRYDOCK_RUN_DIR"), *xdg = getenv("XDG_RUNTIME_DIR");
	int n;

	if (env && *env)
		n = snprintf(out, size, "%s", env);
	else if (xdg && *xdg)
		n = snprintf(out, size, "%s/drydock", xdg);
	else if (geteuid() == 0)
		n = snprintf(out, size, "/run/drydock");
	else
		n = snprintf(out, size, "/tmp/drydock-%u", (unsigned int)geteuid());
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return mkdir_private(out);
}

/* The pid in DIR/NAME/info, or 0. */
static pid_t holder_of(const char *dir)
{
	char path[PATH_MAX + 8], line[256];
	long pid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, SHIM_REGISTRY_INFO);
	if (!(f = fopen(path, "re")))
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "pid=", 4))
			pid = strtol(line + 4, NULL, 10);
	fclose(f);
	return pid > 0 ? (pid_t)pid : 0;
}

static void remove_entry(const char *dir)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s", dir, SHIM_REGISTRY_INFO);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s", dir, SHIM_REGISTRY_SOCKET);
	unlink(path);
	rmdir(dir);
}

void shim_registry_remove(void)
{
	if (!entry.dir[0] || entry.pid != getpid())
		return;
	remove_entry(entry.dir);
	entry.dir[0] = '\0';
}

static void remove_at_exit(void)
{
	shim_registry_remove();
}

int shim_registry_claim(struct sim_toolstack_config *cfg, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	pid_t holder;
	int rc;

	if (strchr(cfg->dom.name, '/') || cfg->dom.name[0] == '.') {
		snprintf(err, errlen, "cannot register a domain named '%s' (a '/' or a leading '.')",
			 cfg->dom.name);
		return -EINVAL;
	}
	if ((rc = shim_registry_dir(dir, sizeof(dir))) < 0) {
		snprintf(err, errlen, "runtime directory %s: %s", dir, strerror(-rc));
		return rc;
	}
	if (snprintf(entry.dir, sizeof(entry.dir), "%s/%s", dir, cfg->dom.name) >=
	    (int)sizeof(entry.dir) - 32) {
		entry.dir[0] = '\0';
		snprintf(err, errlen, "runtime directory %s: path too long", dir);
		return -ENAMETOOLONG;
	}
	holder = holder_of(entry.dir);
	if (holder && holder != getpid() && (kill(holder, 0) == 0 || errno == EPERM)) {
		snprintf(err, errlen, "domain %s already exists (pid %d; `drydock destroy %s`)",
			 cfg->dom.name, (int)holder, cfg->dom.name);
		entry.dir[0] = '\0';
		return -EEXIST;
	}
	remove_entry(entry.dir); /* stale, or ours from before a restart */
	if ((rc = mkdir_private(entry.dir)) < 0) {
		snprintf(err, errlen, "%s: %s", entry.dir, strerror(-rc));
		entry.dir[0] = '\0';
		return rc;
	}
	entry.pid = getpid();
	atexit(remove_at_exit);
	if (!cfg->xenstore_socket) {
		snprintf(entry.socket, sizeof(entry.socket), "%s/%s", entry.dir,
			 SHIM_REGISTRY_SOCKET);
		cfg->xenstore_socket = entry.socket;
	}
	return 0;
}

int shim_registry_publish(const struct sim_toolstack_config *cfg, const char *config)
{
	char path[PATH_MAX + 8], tmp[PATH_MAX + 16];
	struct timespec ts;
	FILE *f;

	if (!entry.dir[0])
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(path, sizeof(path), "%s/%s", entry.dir, SHIM_REGISTRY_INFO);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	if (!(f = fopen(tmp, "we")))
		return -errno;
	fprintf(f, "name=%s\ndomid=%u\npid=%d\nclock=%s\nseed=%llu\nstarted=%llu\n"
		"xenstore=%s\nconfig=%s\n", cfg->dom.name, cfg->dom.domid, (int)getpid(),
		cfg->sim.clock == SIM_CLOCK_VIRTUAL ? "virtual" : "real",
		(unsigned long long)cfg->sim.seed,
		(unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec,
		cfg->xenstore_socket ? cfg->xenstore_socket : "", config ? config : "");
	for (unsigned int i = 0; i < cfg->nr_vifs; i++)
		fprintf(f, "vif=%s\n", cfg->vif_specs[i]);
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return -e;
	}
	return 0;
}
