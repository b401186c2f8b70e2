/*
 * drydock trace: diff, stat, expect and help (trace.h). Bad usage and bad
 * input are one line on stderr and exit status 2, as diff(1) and cmp(1) do.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/drydock/trace.h"
#include "tools/drydock/trace_cmd.h"
#include "traces/readdress.h"
#include "traces/trace_stat.h"

#define DIFF_CONTEXT_DEFAULT 3
#define STAT_HOSTS_SHOWN 10

static const char usage[] =
	"usage: drydock trace diff [OPTIONS] EXPECTED ACTUAL\n"
	"       drydock trace stat FILE...\n"
	"       drydock trace expect [OPTIONS] INPUT EXPECTED -- UNIKERNEL [ARGS...]\n"
	"       drydock trace help\n"
	"\n"
	"diff compares two captures (pcap or pcapng, Ethernet) frame by frame and prints\n"
	"the first divergence: frame number, protocol field, expected and got, then\n"
	"frames around it as tcpdump prints them. Exit status 0: equal, 1: not, 2: bad input.\n"
	"  -n, --normalise LIST   ignore differences in: time, ipid, csum, tcpseq, mac\n"
	"                         (comma-separated, or all, none; default: time)\n"
	"      --strict           the same as -n none\n"
	"  -C, --context N        frames shown before the divergence (default 3, at most 7)\n"
	"      --map A=B          the expected capture's IPv4 address A is B (repeatable)\n"
	"      --expected-from X  compare only the frames host X sent (IPv4 address or MAC)\n"
	"      --actual-from X    the same for the actual capture\n"
	"\n"
	"stat prints a trace's format, link type, frames, duration, flows and hosts.\n"
	"\n"
	"expect runs UNIKERNEL with --clock virtual --vif pcap=INPUT,capture=... and ARGS,\n"
	"then compares the frames the guest sent with EXPECTED (diff's options apply;\n"
	"default: -n time,ipid,mac). With --as IP the guest stands in for host IP of INPUT\n"
	"(pcap=INPUT,as=IP); EXPECTED may then be - : what that host sent in INPUT.\n"
	"  --as IP          readdress INPUT to the guest (see docs/replay.md)\n"
	"  --mac MAC        the guest's MAC (default 00:16:3e:00:01:00)\n"
	"  --capture FILE   keep the run's capture in FILE\n"
	"  --linger SECONDS guest time after the last input frame (default 1)\n"
	"  --tcp            TCP-aware replay (pcap=INPUT,as=IP,tcp=replay): the replayer\n"
	"                   plays the peer of each TCP flow of IP and reports where the\n"
	"                   guest's bytes diverge from the recording; needs --as and -\n"
	"  --tcp-mss N      with --tcp, the MSS the replayed peer offers (tcp_mss=N)\n";

int trace_cmd_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("drydock trace: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return TRACE_EXIT_BAD;
}

int trace_cmd_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	int n = 0;

	if (strlen(s) != 17 || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3],
				      &b[4], &b[5], &n) != 6 || n != 17)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

static int parse_filter(const char *opt, const char *v, struct trace_diff_filter *f)
{
	memset(f, 0, sizeof(*f));
	if (trace_ip4_parse(v, &f->ip) == 0)
		f->by_ip = true;
	else if (trace_cmd_parse_mac(v, f->mac) == 0)
		f->by_mac = true;
	else
		return trace_cmd_fail("%s %s: expected an IPv4 address or a MAC", opt, v), -1;
	return 1;
}

static int parse_map(const char *v, struct trace_diff_options *o)
{
	char a[32];
	const char *eq = strchr(v, '=');

	if (o->nr_map == TRACE_DIFF_MAP_MAX)
		return trace_cmd_fail("--map: at most %d", TRACE_DIFF_MAP_MAX), -1;
	if (!eq || (size_t)(eq - v) >= sizeof(a))
		return trace_cmd_fail("--map %s: expected A=B, two IPv4 addresses", v), -1;
	memcpy(a, v, (size_t)(eq - v));
	a[eq - v] = 0;
	if (trace_ip4_parse(a, &o->map[o->nr_map].from) < 0 ||
	    trace_ip4_parse(eq + 1, &o->map[o->nr_map].to) < 0)
		return trace_cmd_fail("--map %s: expected A=B, two IPv4 addresses", v), -1;
	o->nr_map++;
	return 1;
}

/* "--name=value" or "--name value": the value of argv[*i] for name, or NULL. */
static const char *option_value(int argc, char **argv, int *i, const char *name,
				const char *shortname, bool *missing)
{
	const char *a = argv[*i];
	size_t n = strlen(name);

	*missing = false;
	if (!strncmp(a, name, n) && a[n] == '=')
		return a + n + 1;
	if (strcmp(a, name) && (!shortname || strcmp(a, shortname)))
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

int trace_cmd_diff_option(int argc, char **argv, int *i, struct trace_diff_options *o)
{
	const char *v;
	bool missing;
	char *end;

	if (!strcmp(argv[*i], "--strict")) {
		o->norm = 0;
		return 1;
	}
	if ((v = option_value(argc, argv, i, "--normalise", "-n", &missing)) ||
	    (!missing && (v = option_value(argc, argv, i, "--normalize", NULL, &missing)))) {
		if (trace_norm_parse(v, &o->norm) < 0)
			return trace_cmd_fail("--normalise %s: expected a list of time, ipid, csum, "
					      "tcpseq, mac (or all, none)", v), -1;
		return 1;
	}
	if (!missing && (v = option_value(argc, argv, i, "--context", "-C", &missing))) {
		unsigned long n = strtoul(v, &end, 10);
		if (*v < '0' || *v > '9' || *end || n > 7)
			return trace_cmd_fail("--context %s: expected 0 to 7 frames", v), -1;
		o->context = (unsigned int)n;
		return 1;
	}
	if (!missing && (v = option_value(argc, argv, i, "--map", NULL, &missing)))
		return parse_map(v, o);
	if (!missing && (v = option_value(argc, argv, i, "--expected-from", NULL, &missing)))
		return parse_filter("--expected-from", v, &o->expected_filter);
	if (!missing && (v = option_value(argc, argv, i, "--actual-from", NULL, &missing)))
		return parse_filter("--actual-from", v, &o->actual_filter);
	if (missing)
		return trace_cmd_fail("%s needs a value", argv[*i]), -1;
	return 0;
}

static int trace_diff_main(int argc, char **argv)
{
	struct trace_diff_options o = { .norm = TRACE_NORM_TIME, .context = DIFF_CONTEXT_DEFAULT };
	const char *files[2];
	int nfiles = 0, rc;
	char err[768];

	for (int i = 1; i < argc; i++) {
		if ((rc = trace_cmd_diff_option(argc, argv, &i, &o)) < 0)
			return TRACE_EXIT_BAD;
		if (rc)
			continue;
		if (argv[i][0] == '-' && argv[i][1])
			return trace_cmd_fail("diff: unknown option %s (drydock trace help)",
					      argv[i]);
		if (nfiles == 2)
			return trace_cmd_fail("diff: two files expected, EXPECTED and ACTUAL");
		files[nfiles++] = argv[i];
	}
	if (nfiles != 2)
		return trace_cmd_fail("diff: two files expected, EXPECTED and ACTUAL");
	rc = trace_diff_files(files[0], files[1], &o, stdout, err, sizeof(err));
	if (rc < 0)
		return trace_cmd_fail("%s", err);
	return rc ? TRACE_EXIT_DIFFER : TRACE_EXIT_EQUAL;
}

static int trace_stat_main(int argc, char **argv)
{
	struct trace_stat st;
	char err[768];

	if (argc < 2)
		return trace_cmd_fail("stat: a file expected");
	for (int i = 1; i < argc; i++) {
		if (i > 1)
			putchar('\n');
		if (trace_stat_file(argv[i], STAT_HOSTS_SHOWN, &st, stdout, err, sizeof(err)) < 0)
			return trace_cmd_fail("%s", err);
	}
	return TRACE_EXIT_EQUAL;
}

int drydock_trace_main(int argc, char **argv)
{
	if (argc < 2)
		return trace_cmd_fail("a subcommand expected: diff, stat, expect or help");
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, stdout);
		return TRACE_EXIT_EQUAL;
	}
	if (!strcmp(argv[1], "diff"))
		return trace_diff_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "stat"))
		return trace_stat_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "expect"))
		return trace_expect_main(argc - 1, argv + 1);
	return trace_cmd_fail("unknown subcommand %s: diff, stat, expect or help", argv[1]);
}
