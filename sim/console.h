/*
 * The console backend (what xenconsoled does for a domain): reads the
 * guest's output from the console ring page (struct xencons_interface) when
 * the guest notifies, and writes it to the host's stdout as it comes.
 */
#ifndef SIM_CONSOLE_H
#define SIM_CONSOLE_H

#include <stdint.h>
#include <xen/xen.h>
#include <xen/event_channel.h>

struct sim_domain;

struct sim_console {
	struct sim_domain *dom;
	evtchn_port_t guest_port; /* the guest's end (HVM_PARAM_CONSOLE_EVTCHN) */
	evtchn_port_t dom0_port;  /* our end */
	int out_fd;
	uint64_t bytes_out;
};

/* Connects the backend to the domain's console page and event channel. */
int sim_console_connect(struct sim_console *c, struct sim_domain *d, int out_fd);
/* Drains the ring (also called at shutdown so no output is lost). */
void sim_console_drain(struct sim_console *c);
/*
 * The same for a signal handler about to _exit: write(2) only, so a ring
 * the guest overran is dropped without the report sim_console_drain makes.
 */
void sim_console_drain_in_signal(struct sim_console *c);

#endif
