/*
 * drydock trace expect: replay a trace into a unikernel under the virtual
 * clock and compare what it sent with what was expected, in one step
 * (trace.h). The unikernel is an ordinary sim-build executable: it runs with
 * --clock virtual --vif pcap=INPUT,capture=FILE,mac=MAC,linger=S[,as=IP]
 * and the caller's ARGS; its frames are those of its MAC in the capture.
 * With --tcp, the recorded host's TCP flows are replayed TCP-aware
 * (tcp=replay,report=FILE: traces/tcp_replay.h) and the report of their
 * divergences is the answer instead of a frame-by-frame comparison.
 */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/drydock/trace_cmd.h"
#include "traces/frame.h"
#include "traces/pcap_reader.h"
#include "traces/readdress.h"

extern char **environ;

#define EXPECT_MAC_DEFAULT "00:16:3e:00:01:00" /* vif 0 of domain 1 (sim/backends/vif.h) */
#define EXPECT_LINGER_DEFAULT "1"

struct expect_args {
	struct trace_diff_options diff;
	const char *input, *expected, *as, *mac, *capture, *linger, *tcp_mss;
	bool tcp;
	uint32_t as_ip;
	uint8_t mac_bytes[6];
	char **run;            /* UNIKERNEL [ARGS...], NULL-terminated */
	int nr_run;
};

static int expect_parse_own(int argc, char **argv, int *i, struct expect_args *a)
{
	static const char *const names[] = { "--as", "--mac", "--capture", "--linger", "--tcp-mss" };
	const char **slots[] = { &a->as, &a->mac, &a->capture, &a->linger, &a->tcp_mss };

	if (!strcmp(argv[*i], "--tcp")) {
		a->tcp = true;
		return 1;
	}
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		size_t n = strlen(names[k]);
		if (!strncmp(argv[*i], names[k], n) && argv[*i][n] == '=') {
			*slots[k] = argv[*i] + n + 1;
			return 1;
		}
		if (strcmp(argv[*i], names[k]))
			continue;
		if (*i + 1 >= argc)
			return trace_cmd_fail("expect: %s needs a value", names[k]), -1;
		*slots[k] = argv[++*i];
		return 1;
	}
	return 0;
}

static int expect_check(struct expect_args *a)
{
	if (!a->input || !a->expected || !a->nr_run)
		return trace_cmd_fail("expect: INPUT EXPECTED -- UNIKERNEL [ARGS...] expected");
	if (a->as && trace_ip4_parse(a->as, &a->as_ip) < 0)
		return trace_cmd_fail("expect: --as %s: expected an IPv4 address", a->as);
	if (trace_cmd_parse_mac(a->mac, a->mac_bytes) < 0)
		return trace_cmd_fail("expect: --mac %s: expected xx:xx:xx:xx:xx:xx", a->mac);
	if (!strcmp(a->expected, "-") && !a->as)
		return trace_cmd_fail("expect: EXPECTED - (the recorded host's frames) needs --as");
	if (a->tcp && (!a->as || strcmp(a->expected, "-")))
		return trace_cmd_fail("expect: --tcp compares with the recording itself: --as IP "
				      "and EXPECTED - are needed");
	if (a->tcp_mss && (!a->tcp || strchr(a->tcp_mss, ',')))
		return trace_cmd_fail("expect: --tcp-mss %s: a number, with --tcp", a->tcp_mss);
	/* The vif spec is comma-separated (sim/backends/vif.h). */
	if (strchr(a->input, ',') || (a->capture && strchr(a->capture, ',')))
		return trace_cmd_fail("expect: a file name with a comma cannot go into --vif: %s",
				      strchr(a->input, ',') ? a->input : a->capture);
	return 0;
}

static int expect_parse(int argc, char **argv, struct expect_args *a)
{
	const char *files[2] = { NULL, NULL };
	int nfiles = 0, rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			a->run = argv + i + 1;
			a->nr_run = argc - i - 1;
			break;
		}
		if ((rc = trace_cmd_diff_option(argc, argv, &i, &a->diff)) < 0 ||
		    (!rc && (rc = expect_parse_own(argc, argv, &i, a)) < 0))
			return TRACE_EXIT_BAD;
		if (rc)
			continue;
		if (argv[i][0] == '-' && argv[i][1])
			return trace_cmd_fail("expect: unknown option %s (drydock trace help)",
					      argv[i]);
		if (nfiles == 2)
			return trace_cmd_fail("expect: INPUT EXPECTED -- UNIKERNEL [ARGS...] expected");
		files[nfiles++] = argv[i];
	}
	a->input = files[0];
	a->expected = files[1];
	return expect_check(a);
}

/* Runs the unikernel to its end; 0, or TRACE_EXIT_BAD after saying why. */
static int expect_run(struct expect_args *a, const char *capture, const char *report)
{
	char *spec = NULL;
	char **argv = calloc((size_t)a->nr_run + 6, sizeof(*argv));
	pid_t pid;
	int status, rc, n = 0;

	if (!argv || asprintf(&spec, "pcap=%s,capture=%s,mac=%s,linger=%s%s%s%s%s%s%s", a->input,
			      capture, a->mac, a->linger, a->as ? ",as=" : "", a->as ? a->as : "",
			      a->tcp ? ",tcp=replay,report=" : "", a->tcp ? report : "",
			      a->tcp_mss ? ",tcp_mss=" : "", a->tcp_mss ? a->tcp_mss : "") < 0) {
		free(argv);
		return trace_cmd_fail("expect: out of memory");
	}
	argv[n++] = a->run[0];
	argv[n++] = "--clock";
	argv[n++] = "virtual";
	argv[n++] = "--vif";
	argv[n++] = spec;
	for (int i = 1; i < a->nr_run; i++)
		argv[n++] = a->run[i];
	rc = posix_spawnp(&pid, a->run[0], NULL, NULL, argv, environ);
	free(argv);
	free(spec);
	if (rc)
		return trace_cmd_fail("expect: cannot run %s: %s", a->run[0], strerror(rc));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return trace_cmd_fail("expect: waiting for %s: %s", a->run[0],
					      strerror(errno));
	if (WIFSIGNALED(status))
		return trace_cmd_fail("expect: %s was killed by signal %d", a->run[0],
				      WTERMSIG(status));
	if (WEXITSTATUS(status))
		return trace_cmd_fail("expect: %s exited with status %d", a->run[0],
				      WEXITSTATUS(status));
	return 0;
}

/* The guest's address: the source of its first IPv4 or ARP frame that has one. */
static int expect_guest_ip(const char *capture, const uint8_t mac[6], uint32_t *ip)
{
	struct trace_reader *r;
	const uint8_t *f;
	size_t len;
	uint64_t ts;
	char err[512];
	int rc;

	if (trace_reader_open(capture, &r, err, sizeof(err)) < 0)
		return trace_cmd_fail("%s", err);
	*ip = 0;
	while (!*ip && (rc = trace_reader_next(r, &f, &len, &ts)) == 1) {
		if (len < ETH_HLEN + TRACE_IP4_HLEN || memcmp(f + ETH_ALEN, mac, ETH_ALEN))
			continue;
		if (trace_get16(f + 12) == ETH_P_ARP && len >= ETH_HLEN + TRACE_ARP_LEN)
			*ip = trace_addr_get(f + ETH_HLEN + 14);
		else if (trace_get16(f + 12) == ETH_P_IP)
			*ip = trace_addr_get(f + ETH_HLEN + 12);
	}
	trace_reader_close(r);
	if (!*ip)
		return trace_cmd_fail("expect: %s: the guest sent no frame with its IPv4 address: "
				      "nothing to map --as to", capture);
	return 0;
}

static int expect_compare(struct expect_args *a, const char *capture)
{
	const char *expected = a->expected;
	uint32_t guest_ip;
	char err[768];
	int rc;

	a->diff.actual_filter = (struct trace_diff_filter){ .by_mac = true };
	memcpy(a->diff.actual_filter.mac, a->mac_bytes, 6);
	if (a->as) {
		if (expect_guest_ip(capture, a->mac_bytes, &guest_ip))
			return TRACE_EXIT_BAD;
		if (a->diff.nr_map < TRACE_DIFF_MAP_MAX) {
			a->diff.map[a->diff.nr_map].from = a->as_ip;
			a->diff.map[a->diff.nr_map++].to = guest_ip;
		}
		if (!strcmp(expected, "-")) {
			expected = a->input;
			a->diff.expected_filter = (struct trace_diff_filter){ .by_ip = true,
									      .ip = a->as_ip };
		}
	}
	rc = trace_diff_files(expected, capture, &a->diff, stdout, err, sizeof(err));
	if (rc < 0)
		return trace_cmd_fail("%s", err);
	if (rc)
		return TRACE_EXIT_DIFFER;
	printf("expect: %s answered %s as %s expects\n", a->run[0], a->input,
	       expected == a->input ? "the recording" : a->expected);
	return TRACE_EXIT_EQUAL;
}

/* --tcp: the replay's report is the answer: its lines (the divergences), or none. */
static int expect_tcp_report(struct expect_args *a, const char *report)
{
	FILE *f = fopen(report, "r");
	char line[1024];
	unsigned int n = 0;

	if (!f)
		return trace_cmd_fail("expect: %s: %s", report, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		fputs(line, stdout);
		n++;
	}
	fclose(f);
	if (n) {
		printf("expect: %s: %u divergence%s from the recording's TCP flows\n", a->run[0],
		       n, n == 1 ? "" : "s");
		return TRACE_EXIT_DIFFER;
	}
	printf("expect: %s answered %s's TCP flows as the recording expects\n", a->run[0],
	       a->input);
	return TRACE_EXIT_EQUAL;
}

/* A temporary file's name into buf (made empty); 0 or TRACE_EXIT_BAD. */
static int expect_tmpfile(const char *what, char *buf, size_t size)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	int fd;

	snprintf(buf, size, "%s/drydock-expect-XXXXXX", dir);
	if ((fd = mkstemp(buf)) < 0)
		return trace_cmd_fail("expect: cannot make a %s file in %s: %s", what, dir,
				      strerror(errno));
	close(fd);
	if (strchr(buf, ',')) {
		unlink(buf);
		return trace_cmd_fail("expect: TMPDIR %s has a comma: --capture FILE", dir);
	}
	return 0;
}

int trace_expect_main(int argc, char **argv)
{
	struct expect_args a = {
		.diff = { .norm = TRACE_NORM_TIME | TRACE_NORM_IPID | TRACE_NORM_MAC, .context = 3 },
		.mac = EXPECT_MAC_DEFAULT, .linger = EXPECT_LINGER_DEFAULT,
	};
	char tmp[4096], report[4096];
	const char *capture;
	int rc;

	if ((rc = expect_parse(argc, argv, &a)))
		return rc;
	capture = a.capture;
	if (!capture) {
		if ((rc = expect_tmpfile("capture", tmp, sizeof(tmp))))
			return rc;
		capture = tmp;
	}
	if (a.tcp)
		rc = expect_tmpfile("report", report, sizeof(report));
	if (!rc && !(rc = expect_run(&a, capture, report)))
		rc = a.tcp ? expect_tcp_report(&a, report) : expect_compare(&a, capture);
	if (!a.capture)
		unlink(tmp);
	if (a.tcp)
		unlink(report);
	return rc;
}
