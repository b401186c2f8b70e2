/*
 * The drydock command: one executable whose subcommands drive simulated
 * domains as xl drives Xen's (docs/drydock.md). Each subcommand is one
 * function taking its own arguments (argv[0] is the subcommand's name) and
 * returning the process's exit status: 0, 1 for a failure, 2 for bad use.
 */
#ifndef TOOLS_DRYDOCK_H
#define TOOLS_DRYDOCK_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define DD_EXIT_USAGE 2
#define DD_MAX_VIFS 8

/* A registered domain, as its info file in the runtime directory says. */
struct dd_domain {
	char name[64];
	unsigned int domid;
	pid_t pid;
	char clock[16];
	uint64_t started;            /* CLOCK_MONOTONIC at boot, ns */
	char xenstore[PATH_MAX];
	char config[PATH_MAX];
	char vifs[DD_MAX_VIFS][256];
	unsigned int nr_vifs;
};

int dd_cmd_run(int argc, char **argv);
int dd_cmd_list(int argc, char **argv);
int dd_cmd_shutdown(int argc, char **argv);  /* also reboot */
int dd_cmd_destroy(int argc, char **argv);
int dd_cmd_xenstore(int argc, char **argv);
int dd_cmd_console(int argc, char **argv);

/* One line on stderr, "drydock: ...", then DD_EXIT_USAGE or 1. */
int dd_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int dd_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The runtime directory (registry.h), or -errno with a line said. */
int dd_run_dir(char *out, size_t size);
/*
 * The live domain called name. Returns 0, or -ENOENT after saying so (a
 * stale entry, whose process has gone, is removed on the way).
 */
int dd_domain_find(const char *name, struct dd_domain *d);
/* Reads DIR/info into d. Returns 0 or -errno (no such entry, unreadable). */
int dd_domain_load(const char *dir, struct dd_domain *d);
/* Whether d's process is still alive. */
bool dd_domain_alive(const struct dd_domain *d);
/* Removes a dead domain's entry (info, socket, directory). */
void dd_domain_forget(const char *dir);

/* XS_WRITE path=value on the xenstore socket at sock. Returns 0 or -errno. */
int dd_xs_write(const char *sock, const char *path, const char *value, char *err, size_t errlen);

#endif
