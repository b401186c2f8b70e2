/*
 * The stackprobe vif backend (sim_stack_probe.c), compiled only into
 * tests/unit/sim_stack_test: it drops every frame, and records where it ran.
 */
#ifndef TESTS_SIM_STACK_PROBE_H
#define TESTS_SIM_STACK_PROBE_H

#include <stdbool.h>
#include <stdint.h>

struct sim_stack_probe {
	unsigned int frames;   /* frames transmitted so far */
	uintptr_t sp;          /* an address in the last transmit's frame */
	/* The last transmit also made a hypercall of its own (XENVER_version): */
	long nested_rc;        /* what it returned */
	uint64_t slot_before;  /* the trampoline's saved-sp slot before it */
	uint64_t slot_after;   /* and after it */
	bool overflow;         /* set by the test: the next transmit recurses without end */
	bool fault;            /* set by the test: the next transmit writes through NULL */
};

extern struct sim_stack_probe sim_stack_probe;

#endif
