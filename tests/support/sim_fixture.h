/*
 * A simulator for host-side tests: a struct sim on the virtual clock with
 * dom0 and guest domains 1..guests ("one", "two", ...) of 4 MiB each (or
 * mem_bytes), as libxl would have built them (xenstore and console pages
 * and ports), whose sim_* functions the test then calls as the hypercall
 * shim and the backends do. Guest console output goes to /dev/null unless
 * console_to_stdout or console_pipe is set. With bare set, the guests are only created
 * (sim_domain_create, as the hypervisor alone leaves them: no xenstore
 * tree, no console), for tests of what lies below the toolstack.
 *
 *	static struct sim_fixture f;
 *	struct sim_fixture_options o = { .guests = 2 };
 *	if (sim_fixture_create(&f, &o) < 0) return -1;      (in a CMocka setup)
 *	... f.sim, f.dom0, f.guest[0] (domid 1), f.guest[1] (domid 2) ...
 *	sim_fixture_destroy(&f);                             (in its teardown)
 */
#ifndef TESTS_SUPPORT_SIM_FIXTURE_H
#define TESTS_SUPPORT_SIM_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/grant_table.h>

#include "sim/domain.h"
#include "sim/sim.h"

#define SIM_FIXTURE_MAX_GUESTS 4

struct sim_fixture_options {
	unsigned int guests;    /* 1..SIM_FIXTURE_MAX_GUESTS; 0 means 1 */
	bool no_guests;         /* none at all: the test builds its own */
	bool strict;            /* protocol violations crash the offending domain */
	bool console_to_stdout; /* guest console output on stdout, not /dev/null */
	bool console_pipe;      /* guest console output into a pipe the test reads */
	bool trace_hypercalls;  /* --trace-hypercalls */
	uint64_t mem_bytes;     /* each guest's RAM; 0 means 4 MiB */
	uint64_t seed;          /* --seed: what the simulator's generators start from */
	bool bare;              /* created, not built by the toolstack */
	void (*on_shutdown)(struct sim_domain *d, void *arg); /* as in struct sim_config */
	void *on_shutdown_arg;
};

struct sim_fixture {
	struct sim *sim;
	struct sim_domain *dom0;                           /* the backends' domain */
	struct sim_domain *guest[SIM_FIXTURE_MAX_GUESTS]; /* domid i + 1 */
	unsigned int nr_guests;
	int console_fd;   /* where the simulator writes guest consoles (ours to close) */
	int console_read; /* with console_pipe: the test's end, non-blocking; else -1 */
};

/* 0, or a negative errno with a line on stderr saying what failed. */
int sim_fixture_create(struct sim_fixture *f, const struct sim_fixture_options *o);
void sim_fixture_destroy(struct sim_fixture *f);

/*
 * Entry ref of d's grant table (frame 0 at table_gfn) grants page gfn to
 * dom0, as gnttab_grant_foreign_access() does: flags written last.
 */
void sim_fixture_grant(struct sim_domain *d, xen_pfn_t table_gfn, grant_ref_t ref, xen_pfn_t gfn,
		       bool readonly);

#endif
