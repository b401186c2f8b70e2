/* A simulator with dom0 and guest domains for host-side tests (see sim_fixture.h). */
#include "sim_fixture.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sim/toolstack/toolstack.h"

static const char *const names[SIM_FIXTURE_MAX_GUESTS] = { "one", "two", "three", "four" };

/* Where guest consoles go: stdout, a pipe the test reads, or /dev/null. */
static int console_open(struct sim_fixture *f, const struct sim_fixture_options *o)
{
	int p[2];

	if (o->console_to_stdout)
		return STDOUT_FILENO;
	if (o->console_pipe) {
		if (pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0) {
			int e = errno;

			fprintf(stderr, "sim_fixture: pipe: %s\n", strerror(e));
			return -e;
		}
		f->console_read = p[0];
		return f->console_fd = p[1];
	}
	f->console_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (f->console_fd < 0) {
		int e = errno;

		fprintf(stderr, "sim_fixture: /dev/null: %s\n", strerror(e));
		return -e;
	}
	return f->console_fd;
}

int sim_fixture_create(struct sim_fixture *f, const struct sim_fixture_options *o)
{
	struct sim_config sc = { .clock = SIM_CLOCK_VIRTUAL, .strict = o->strict,
				 .seed = o->seed, .trace_hypercalls = o->trace_hypercalls,
				 .on_shutdown = o->on_shutdown, .on_shutdown_arg = o->on_shutdown_arg };
	unsigned int n = o->no_guests ? 0 : o->guests ? o->guests : 1;
	int rc;

	memset(f, 0, sizeof(*f));
	f->console_fd = f->console_read = -1;
	if (n > SIM_FIXTURE_MAX_GUESTS) {
		fprintf(stderr, "sim_fixture: %u guests asked, at most %d\n", n,
			SIM_FIXTURE_MAX_GUESTS);
		return -EINVAL;
	}
	if ((sc.console_fd = console_open(f, o)) < 0)
		return sc.console_fd;
	if ((rc = sim_create(&f->sim, &sc)) < 0) {
		fprintf(stderr, "sim_fixture: sim_create: %s\n", strerror(-rc));
		sim_fixture_destroy(f);
		return rc;
	}
	for (unsigned int i = 0; i < n; i++) {
		struct sim_domain_config dc = { .domid = (domid_t)(i + 1), .name = names[i],
						.mem_bytes = o->mem_bytes ? o->mem_bytes : 4 << 20 };

		rc = o->bare ? sim_domain_create(f->sim, &dc, &f->guest[i])
			     : sim_toolstack_build_domain(f->sim, &dc, &f->guest[i]);
		if (rc < 0) {
			fprintf(stderr, "sim_fixture: domain %u: %s\n", i + 1, strerror(-rc));
			sim_fixture_destroy(f);
			return rc;
		}
		f->nr_guests++;
	}
	f->dom0 = sim_domain_lookup(f->sim, 0);
	if (!f->dom0) {
		fprintf(stderr, "sim_fixture: the simulator has no dom0\n");
		sim_fixture_destroy(f);
		return -ENOENT;
	}
	return 0;
}

void sim_fixture_destroy(struct sim_fixture *f)
{
	if (f->sim)
		sim_destroy(f->sim);
	if (f->console_fd >= 0)
		close(f->console_fd);
	if (f->console_read >= 0)
		close(f->console_read);
	memset(f, 0, sizeof(*f));
	f->console_fd = f->console_read = -1;
}

void sim_fixture_grant(struct sim_domain *d, xen_pfn_t table_gfn, grant_ref_t ref, xen_pfn_t gfn,
		       bool readonly)
{
	grant_entry_v1_t *e = (grant_entry_v1_t *)sim_domain_gfn_to_page(d, table_gfn) + ref;

	e->domid = 0;
	e->frame = (uint32_t)gfn;
	__atomic_store_n(&e->flags, GTF_permit_access | (readonly ? GTF_readonly : 0),
			 __ATOMIC_RELEASE);
}
