/* Host options: --mem, --name, --domid, --clock, --seed, ... then -- and the guest's words. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/host/debug.h"
#include "sim/host/options.h"
#include "sim/parse.h"

void shim_options_usage(const char *prog, FILE *out)
{
	fprintf(out,
		"usage: %s [OPTIONS] [-- GUEST ARGS...]\n"
		"Runs this unikernel as a Xen PVH guest in drydock's simulated Xen.\n"
		"\n"
		"  --mem MIB            guest memory in MiB (default %d)\n"
		"  --name NAME          domain name (default: the unikernel's name)\n"
		"  --domid N            domain id, 1-32751 (default 1)\n"
		"  --clock real|virtual real: host time; virtual: time moves only while the\n"
		"                       guest is idle, so runs are repeatable (default real)\n"
		"  --seed N             seed of the simulation's randomness (default 0)\n"
		"  --strict             protocol violations crash the guest\n"
		"  --xenstore-socket PATH\n"
		"                       also serve xenstore on this Unix socket, for Xen's\n"
		"                       tools: XENSTORED_PATH=PATH xenstore-ls /local/domain\n"
		"  --xs PATH=VALUE      add a xenstore entry before the guest starts; a\n"
		"                       relative PATH is below /local/domain/<domid> (repeatable)\n"
		"  --vif SPEC           a network device (repeatable; the Nth is vif N-1):\n"
		"                       BACKEND[,mac=XX:XX:XX:XX:XX:XX][,mtu=N][,capture=FILE]\n"
		"                       with BACKEND tap=IFNAME, user[,hostfwd=...],\n"
		"                       pcap=FILE[,linger=SECONDS][,gap=SECONDS][,as=IP]\n"
		"                       [,progress=SECONDS] or null; any vif also\n"
		"                       [,loss=P%%][,dup=P%%][,corrupt=P%%][,reorder=P%%]\n"
		"                       [,delay=MS][,jitter=MS][,rate=MBIT][,limit=N], each\n"
		"                       also rx-KEY / tx-KEY (to / from the guest), seeded\n"
		"                       from --seed and the vif\n"
		"                       and [,sg=0][,gso=0][,csum=0]: netif offloads off\n"
		"  --disk SPEC          a disk on a raw image (repeatable), in xl's disk syntax:\n"
		"                       IMAGE,raw,VDEV,ACCESS or target=IMAGE,vdev=xvda,\n"
		"                       access=rw, plus flush=0|1, barrier=0|1, indirect=N,\n"
		"                       ring-order=N, powercut=N|random (docs/block.md)\n"
		"  --timeout SECONDS    power the guest off after this much guest time\n"
		"                       (decimals allowed) and exit 124\n"
		"  --trace-hypercalls   print every hypercall on stderr\n"
		"  --break-on-violation under a debugger, stop (SIGTRAP) at each protocol\n"
		"                       violation, in the guest's call that caused it\n"
		"  --core               a crash (fault, panic) leaves a core file\n"
		"  --gdb                run under gdb, with drydock's gdb helpers loaded\n"
		"  --config FILE        the domain an xl.cfg describes (xl.cfg(5), and\n"
		"                       drydock's keys: docs/drydock.md); the options\n"
		"                       above, given too, override it\n"
		"  --register           list the domain in the runtime directory, for\n"
		"                       `drydock list`, `shutdown`, `xenstore`, `console`\n"
		"  -h, --help           this text\n"
		"\n"
		"Words after -- become the guest's command line (its argv).\n"
		"The exit status is the guest's uk_exit() status; a crash exits 70.\n",
		prog, SHIM_DEFAULT_MEM_MIB);
}

static int bad(const char *prog, const char *what, const char *value)
{
	fprintf(stderr, "%s: %s '%s' (try --help)\n", prog, what, value);
	return -1;
}

/* Joins words with shell-style quoting, so the guest splits them back exactly. */
static int join_cmdline(char *out, size_t size, int argc, char **argv)
{
	size_t n = 0;

	out[0] = '\0';
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		bool quote = !*w || strpbrk(w, " \t\n\"'\\");
		char buf[3 * SHIM_CMDLINE_MAX];
		size_t k = 0;

		if (i)
			buf[k++] = ' ';
		if (quote)
			buf[k++] = '"';
		for (; *w && k < sizeof(buf) - 4; w++) {
			if (*w == '"' || *w == '\\')
				buf[k++] = '\\';
			buf[k++] = *w;
		}
		if (quote)
			buf[k++] = '"';
		if (n + k >= size)
			return -1;
		memcpy(out + n, buf, k);
		n += k;
		out[n] = '\0';
	}
	return 0;
}

/* Splits "--opt=value" or takes the next word as the value. */
static const char *value_of(const char *arg, const char *opt, int *i, int argc, char **argv)
{
	size_t len = strlen(opt);

	if (strncmp(arg, opt, len) != 0)
		return NULL;
	if (arg[len] == '=')
		return arg + len + 1;
	if (arg[len] != '\0')
		return NULL;
	if (*i + 1 >= argc)
		return "";
	return argv[++*i];
}

static int parse_vif(struct shim_options *o, const char *prog, const char *spec)
{
	char err[256];

	struct sim_toolstack_config *c = &o->cfg;

	if (c->nr_vifs == SIM_MAX_VIFS)
		return bad(prog, "too many --vif devices (at most 8), at", spec);
	if (vif_config_parse(&c->vifs[c->nr_vifs], spec, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: --vif '%s': %s (try --help)\n", prog, spec, err);
		return -1;
	}
	c->vif_specs[c->nr_vifs++] = spec;
	return 0;
}

/* --- --disk (blkback.h): a block of its own --- */
static int parse_disk(struct shim_options *o, const char *prog, const char *spec)
{
	struct sim_toolstack_config *c = &o->cfg;
	char err[512];

	if (c->nr_disks == SIM_MAX_DISKS)
		return bad(prog, "too many --disk devices (at most 8), at", spec);
	if (blkback_config_parse(&c->disks[c->nr_disks], spec, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: --disk '%s': %s\n", prog, spec, err);
		return -1;
	}
	for (unsigned int i = 0; i < c->nr_disks; i++) {
		if (c->disks[i].devid == c->disks[c->nr_disks].devid) {
			fprintf(stderr, "%s: --disk '%s': vdev %s is already disk %u's\n", prog, spec,
				c->disks[i].vdev, i);
			blkback_config_free(&c->disks[c->nr_disks]);
			return -1;
		}
	}
	c->disk_specs[c->nr_disks++] = spec;
	return 0;
}
/* --- end --disk --- */

void shim_options_free(struct shim_options *o)
{
	sim_toolstack_config_free(&o->cfg);
	xlcfg_free(o->xl);
	o->xl = NULL;
}

/* --config FILE: read before the other options, which override it. */
static int load_config(struct shim_options *o, const char *prog, int argc, char **argv)
{
	char err[1024];
	const char *v;

	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (!(v = value_of(argv[i], "--config", &i, argc, argv)))
			continue;
		if (!*v)
			return bad(prog, "--config takes an xl.cfg file, not", v);
		if (o->config)
			return bad(prog, "--config given twice, at", v);
		o->config = v;
	}
	if (!o->config)
		return 0;
	if (xlcfg_load(o->config, &o->xl, err, sizeof(err)) < 0 ||
	    xlcfg_domain_apply(o->xl, &o->cfg, &o->xl_dom, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return -1;
	}
	if (o->xl_dom.warning[0])
		fprintf(stderr, "%s: %s: not used by drydock: %s\n", prog, o->config,
			o->xl_dom.warning);
	return 0;
}

static int parse_one(struct shim_options *o, const char *prog, int *i, int argc, char **argv)
{
	struct sim_toolstack_config *c = &o->cfg;
	const char *a = argv[*i], *v;
	uint64_t n;

	if (!strcmp(a, "-h") || !strcmp(a, "--help"))
		o->help = true;
	else if (!strcmp(a, "--trace-hypercalls"))
		c->sim.trace_hypercalls = true;
	else if (!strcmp(a, "--strict"))
		c->sim.strict = true;
	else if (!strcmp(a, "--break-on-violation"))
		c->sim.break_on_violation = true;
	else if (!strcmp(a, "--core"))
		o->core = true;
	else if (!strcmp(a, "--gdb"))
		o->gdb = true;
	else if (!strcmp(a, "--register"))
		o->registered = true;
	else if (value_of(a, "--config", i, argc, argv))
		; /* read first, by load_config */
	else if ((v = value_of(a, "--mem", i, argc, argv))) {
		if (sim_parse_u64_c(v, 1024 * 1024, &n) || n < 2)
			return bad(prog, "--mem takes a size in MiB, at least 2, not", v);
		c->dom.mem_bytes = n << 20;
	} else if ((v = value_of(a, "--name", i, argc, argv))) {
		if (!*v || strlen(v) > 63)
			return bad(prog, "--name takes 1 to 63 characters, not", v);
		c->dom.name = v;
	} else if ((v = value_of(a, "--domid", i, argc, argv))) {
		if (sim_parse_u64_c(v, DOMID_FIRST_RESERVED - 1, &n) || n == 0)
			return bad(prog, "--domid takes a domain id from 1 to 32751, not", v);
		c->dom.domid = (domid_t)n;
	} else if ((v = value_of(a, "--clock", i, argc, argv))) {
		if (!strcmp(v, "real"))
			c->sim.clock = SIM_CLOCK_REAL;
		else if (!strcmp(v, "virtual"))
			c->sim.clock = SIM_CLOCK_VIRTUAL;
		else
			return bad(prog, "--clock takes 'real' or 'virtual', not", v);
	} else if ((v = value_of(a, "--seed", i, argc, argv))) {
		if (sim_parse_u64_c(v, UINT64_MAX, &c->sim.seed))
			return bad(prog, "--seed takes a non-negative integer, not", v);
	} else if ((v = value_of(a, "--xenstore-socket", i, argc, argv))) {
		if (!*v)
			return bad(prog, "--xenstore-socket takes a path, not", v);
		c->xenstore_socket = v;
	} else if ((v = value_of(a, "--xs", i, argc, argv))) {
		if (!strchr(v, '=') || *v == '=')
			return bad(prog, "--xs takes PATH=VALUE, not", v);
		if (c->nr_xs_entries == SIM_TOOLSTACK_MAX_XS_ENTRIES)
			return bad(prog, "too many --xs entries (at most 64), at", v);
		c->xs_entries[c->nr_xs_entries++] = v;
	} else if ((v = value_of(a, "--timeout", i, argc, argv))) {
		if (sim_timeout_parse_seconds(v, &c->timeout_ns) < 0)
			return bad(prog, "--timeout takes seconds of guest time, more than 0 "
				   "(up to 9 decimals), not", v);
	} else if ((v = value_of(a, "--vif", i, argc, argv))) {
		return parse_vif(o, prog, v);
	} else if ((v = value_of(a, "--disk", i, argc, argv))) {
		return parse_disk(o, prog, v);
	} else if (a[0] == '-') {
		return bad(prog, "unknown option", a);
	} else {
		return bad(prog, "unexpected argument (guest arguments go after --):", a);
	}
	return 0;
}

/* What depends on the final options: the vifs' ip nodes need the domain id. */
static int finish_config(struct shim_options *o, const char *prog)
{
	char err[512];

	if (o->xl && xlcfg_domain_finish(o->xl, &o->xl_dom, &o->cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		shim_options_free(o);
		return -1;
	}
	return 0;
}

int shim_options_parse(struct shim_options *o, int argc, char **argv, const char *default_name)
{
	const char *prog = argc > 0 ? argv[0] : "drydock";
	int i;

	memset(o, 0, sizeof(*o));
	o->cfg.dom.mem_bytes = (uint64_t)SHIM_DEFAULT_MEM_MIB << 20;
	o->cfg.dom.name = default_name;
	o->cfg.dom.domid = 1;
	o->cfg.dom.cmdline = o->cmdline;
	o->cfg.sim.clock = SIM_CLOCK_REAL;
	if (load_config(o, prog, argc, argv) < 0) {
		shim_options_free(o);
		return -1;
	}
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (parse_one(o, prog, &i, argc, argv) < 0) {
			shim_options_free(o);
			return -1;
		}
	}
	if (i < argc && join_cmdline(o->cmdline, sizeof(o->cmdline), argc - i - 1, argv + i + 1)) {
		shim_options_free(o);
		return bad(prog, "the guest command line is longer than 4095 bytes:", argv[i + 1]);
	}
	if (i < argc) /* words after -- replace the file's cmdline */
		o->cfg.dom.cmdline = o->cmdline;
	return finish_config(o, prog);
}

/*
 * gdb -q -iex 'add-auto-load-safe-path SCRIPT' -ex run --args EXE ARGS...:
 * the executable's .debug_gdb_scripts entry names SCRIPT, which gdb loads
 * only from a safe path. The words before -- lose --gdb; those after it are
 * the guest's and stay.
 */
/* Set by drydock_add_unikernel (cmake/DrydockFunctions.cmake) to the helper
 * path the executable's .debug_gdb_scripts names; absent in tests. */
extern const char uk_gdb_script[] __attribute__((weak));

int shim_exec_gdb(int argc, char **argv)
{
	static char exe[4096];
	static char safe[4200];
	char **args = calloc((size_t)argc + 8, sizeof(*args));
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int k = 0, i;

	if (!args || n <= 0) {
		fprintf(stderr, "%s: --gdb: cannot find this executable's path\n", argv[0]);
		free(args);
		return -1;
	}
	exe[n] = '\0';
	args[k++] = "gdb";
	args[k++] = "-q";
	if (uk_gdb_script) {
		snprintf(safe, sizeof(safe), "add-auto-load-safe-path %s", uk_gdb_script);
		args[k++] = "-iex";
		args[k++] = safe;
	}
	args[k++] = "-ex";
	args[k++] = "run";
	args[k++] = "--args";
	args[k++] = exe;
	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (strcmp(argv[i], "--gdb"))
			args[k++] = argv[i];
	for (; i < argc; i++)
		args[k++] = argv[i];
	execvp("gdb", args);
	fprintf(stderr, "%s: --gdb: cannot run gdb: %s\n", argv[0], strerror(errno));
	free(args);
	return -1;
}
