/* Registered domains: reading the runtime directory (sim/host/registry.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/host/registry.h"
#include "tools/drydock/drydock.h"

int dd_run_dir(char *out, size_t size)
{
	int rc = shim_registry_dir(out, size);

	if (rc < 0)
		dd_fail("runtime directory %s: %s", out, strerror(-rc));
	return rc;
}

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
}

/* One KEY=VALUE line of an info file into d. */
static void load_line(struct dd_domain *d, char *line)
{
	char *v = strchr(line, '=');

	if (!v)
		return;
	*v++ = '\0';
	v[strcspn(v, "\n")] = '\0';
	if (!strcmp(line, "name"))
		copy(d->name, sizeof(d->name), v);
	else if (!strcmp(line, "domid"))
		d->domid = (unsigned int)strtoul(v, NULL, 10);
	else if (!strcmp(line, "pid"))
		d->pid = (pid_t)strtol(v, NULL, 10);
	else if (!strcmp(line, "clock"))
		copy(d->clock, sizeof(d->clock), v);
	else if (!strcmp(line, "started"))
		d->started = strtoull(v, NULL, 10);
	else if (!strcmp(line, "xenstore"))
		copy(d->xenstore, sizeof(d->xenstore), v);
	else if (!strcmp(line, "config"))
		copy(d->config, sizeof(d->config), v);
	else if (!strcmp(line, "vif") && d->nr_vifs < DD_MAX_VIFS)
		copy(d->vifs[d->nr_vifs++], sizeof(d->vifs[0]), v);
}

int dd_domain_load(const char *dir, struct dd_domain *d)
{
	char path[PATH_MAX + 16], line[PATH_MAX + 64];
	FILE *f;

	memset(d, 0, sizeof(*d));
	snprintf(path, sizeof(path), "%s/%s", dir, SHIM_REGISTRY_INFO);
	if (!(f = fopen(path, "re")))
		return -errno;
	while (fgets(line, sizeof(line), f))
		load_line(d, line);
	fclose(f);
	return d->pid > 0 && d->name[0] ? 0 : -EINVAL;
}

/*
 * A killed process whose parent has not reaped it (a container whose init
 * does not) still takes signals: it is a zombie in /proc/PID/stat.
 */
static bool is_zombie(pid_t pid)
{
	char path[64], stat[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "re")))
		return false;
	n = fread(stat, 1, sizeof(stat) - 1, f);
	fclose(f);
	stat[n] = '\0';
	p = strrchr(stat, ')'); /* after the command name, which may hold anything */
	return p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
}

bool dd_domain_alive(const struct dd_domain *d)
{
	return d->pid > 0 && (kill(d->pid, 0) == 0 || errno == EPERM) && !is_zombie(d->pid);
}

void dd_domain_forget(const char *dir)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/%s", dir, SHIM_REGISTRY_INFO);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s", dir, SHIM_REGISTRY_SOCKET);
	unlink(path);
	rmdir(dir);
}

int dd_domain_find(const char *name, struct dd_domain *d)
{
	char run[PATH_MAX], dir[PATH_MAX + 80];

	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return dd_fail("no domain '%s'", name), -ENOENT;
	if (dd_run_dir(run, sizeof(run)) < 0)
		return -ENOENT;
	snprintf(dir, sizeof(dir), "%s/%s", run, name);
	if (dd_domain_load(dir, d) < 0)
		return dd_fail("no domain '%s' (`drydock list` shows the running ones)", name),
		       -ENOENT;
	if (!dd_domain_alive(d)) {
		dd_domain_forget(dir);
		return dd_fail("domain '%s' has ended (its process %d is gone)", name, (int)d->pid),
		       -ENOENT;
	}
	return 0;
}
