/* drydock SUBCOMMAND ...: the table of subcommands and `drydock help`. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tools/drydock/drydock.h"
#include "tools/drydock/trace.h"

struct subcommand {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *synopsis;
	const char *help;
};

static const struct subcommand subcommands[] = {
	{ "run", dd_cmd_run, "run [-d] [HOST OPTIONS] CFG [-- GUEST ARGS]",
	  "Starts the domain the xl.cfg file CFG describes, in the simulator: the same\n"
	  "file `xl create` takes. kernel = \"NAME.xen\" names the PVH image; drydock runs\n"
	  "the sim executable NAME beside it (or in ../bin), which reads CFG itself\n"
	  "(--config CFG). HOST OPTIONS are that executable's (--clock, --seed, --vif,\n"
	  "--timeout, ...: NAME --help) and override CFG; GUEST ARGS replace its cmdline.\n"
	  "\n"
	  "  -d    run in the background, the console in RUNDIR/NAME.console\n"
	  "        (`drydock console NAME`); print the domain's name and pid\n"
	  "\n"
	  "The exit status is the guest's (124 after --timeout, 70 for a crash).\n" },
	{ "list", dd_cmd_list, "list",
	  "Lists the running domains: name, domain id, pid, clock, guest time (under\n"
	  "the real clock), xenstore socket and vifs. Domains register in the runtime\n"
	  "directory: $DRYDOCK_RUN_DIR, else $XDG_RUNTIME_DIR/drydock, else\n"
	  "/run/drydock (root) or /tmp/drydock-UID.\n" },
	{ "shutdown", dd_cmd_shutdown, "shutdown [-w] NAME",
	  "Asks domain NAME to power off (control/shutdown = poweroff, as `xl shutdown`).\n"
	  "  -w    wait until it has gone\n" },
	{ "reboot", dd_cmd_shutdown, "reboot NAME",
	  "Asks domain NAME to reboot (control/shutdown = reboot); with on_reboot =\n"
	  "\"restart\" (xl's default) it boots again.\n" },
	{ "destroy", dd_cmd_destroy, "destroy NAME",
	  "Stops domain NAME at once (its process is killed), as `xl destroy`.\n" },
	{ "xenstore", dd_cmd_xenstore, "xenstore NAME [CMD [ARGS...]]",
	  "Without CMD, prints the path of domain NAME's xenstore socket, for Xen's\n"
	  "tools: XENSTORED_PATH=$(drydock xenstore NAME) xenstore-ls. With CMD, runs\n"
	  "it with XENSTORED_PATH set; ls, read, write, rm, list, exists, chmod and\n"
	  "watch mean xenstore-ls and so on: drydock xenstore NAME ls /local/domain\n" },
	{ "console", dd_cmd_console, "console NAME",
	  "Prints the console of domain NAME, started with `drydock run -d`, and\n"
	  "follows it until the domain ends (Ctrl-C leaves it running).\n" },
	{ "trace", drydock_trace_main, "trace diff|stat|expect ...",
	  "Traces as tests (docs/replay.md):\n"
	  "  trace diff [OPTIONS] EXPECTED ACTUAL   compare two captures frame by frame\n"
	  "  trace stat FILE...                     frames, flows, hosts, duration, link type\n"
	  "  trace expect [OPTIONS] INPUT EXPECTED -- UNIKERNEL [ARGS...]\n"
	  "                                         replay INPUT, compare what it sent\n"
	  "`drydock trace help` lists the options. Exit status: 0 equal, 1 different,\n"
	  "2 bad usage or input.\n" },
};
#define NR_SUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))

static const struct subcommand *lookup(const char *name)
{
	for (size_t i = 0; i < NR_SUBCOMMANDS; i++)
		if (!strcmp(subcommands[i].name, name))
			return &subcommands[i];
	return NULL;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: drydock SUBCOMMAND [ARGS...]\n"
		"Runs Xen PVH unikernels in drydock's simulated Xen, driven as xl drives Xen.\n\n");
	for (size_t i = 0; i < NR_SUBCOMMANDS; i++)
		fprintf(out, "  drydock %s\n", subcommands[i].synopsis);
	fprintf(out, "  drydock help [SUBCOMMAND]\n\n"
		"`drydock help SUBCOMMAND` says more; man drydock(1), drydock-run(1).\n");
}

int dd_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("drydock: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try 'drydock help%s%s')\n", cmd ? " " : "", cmd ? cmd : "");
	return DD_EXIT_USAGE;
}

int dd_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("drydock: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static int help(int argc, char **argv)
{
	const struct subcommand *s;

	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	if (argc > 2)
		return dd_usage(NULL, "help takes one subcommand");
	if (!(s = lookup(argv[1])))
		return dd_usage(NULL, "no subcommand '%s'", argv[1]);
	printf("usage: drydock %s\n\n%s", s->synopsis, s->help);
	return 0;
}

int main(int argc, char **argv)
{
	const struct subcommand *s;

	if (argc < 2) {
		usage(stderr);
		return DD_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return help(argc - 1, argv + 1);
	if (!(s = lookup(argv[1])))
		return dd_usage(NULL, "no subcommand '%s'", argv[1]);
	return s->fn(argc - 1, argv + 1);
}
