/*
 * Event channels with Xen's 2-level semantics. Each domain has a table of
 * ports; a port's state is one of Xen's EVTCHNSTAT_* values. Raising a port
 * on a guest sets its bit in shared_info's evtchn_pending and, when the port
 * is not masked, the selector bit and evtchn_upcall_pending of vCPU 0,
 * exactly as Xen does. Ports of domain 0 belong to the simulator's backends:
 * raising one calls the backend's handler instead.
 *
 * Every operation returns 0 or a negative Xen error number (-XEN_E*), the
 * one Xen returns for the same mistake.
 */
#ifndef SIM_EVTCHN_H
#define SIM_EVTCHN_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/event_channel.h>

struct sim_domain;

/* Handler of a dom0 (backend) port, called when the remote end sends. */
typedef void (*sim_evtchn_handler_fn)(void *arg, evtchn_port_t port);

struct sim_evtchn {
	uint8_t state;          /* EVTCHNSTAT_* */
	domid_t remote_dom;     /* unbound: who may bind; interdomain: the peer */
	evtchn_port_t remote_port;
	/*
	 * Interdomain: the peer's domain, as Xen's channel keeps it (no lookup
	 * per send). Valid while the channel is: a domain's destruction closes
	 * its ports, which puts each peer's end back to unbound.
	 */
	struct sim_domain *peer;
	uint32_t virq;
	uint32_t vcpu;
	sim_evtchn_handler_fn handler;
	void *handler_arg;
};

struct sim_evtchn_table {
	struct sim_evtchn *ports;
	unsigned int nr_ports; /* valid ports are 1 .. nr_ports-1; port 0 is reserved */
	evtchn_port_t virq_port[NR_VIRQS];
};

int sim_evtchn_table_init(struct sim_evtchn_table *t, unsigned int nr_ports);
void sim_evtchn_table_fini(struct sim_evtchn_table *t);

/* The EVTCHNOP_* operations, issued by domain d (remote/dom args as in Xen). */
int sim_evtchn_alloc_unbound(struct sim_domain *d, domid_t remote, evtchn_port_t *port);
int sim_evtchn_bind_interdomain(struct sim_domain *d, domid_t remote_dom,
				evtchn_port_t remote_port, evtchn_port_t *local);
int sim_evtchn_bind_virq(struct sim_domain *d, uint32_t virq, uint32_t vcpu, evtchn_port_t *port);
int sim_evtchn_bind_ipi(struct sim_domain *d, uint32_t vcpu, evtchn_port_t *port);
int sim_evtchn_close(struct sim_domain *d, evtchn_port_t port);
int sim_evtchn_send(struct sim_domain *d, evtchn_port_t port);
int sim_evtchn_status(struct sim_domain *d, struct evtchn_status *st);
int sim_evtchn_bind_vcpu(struct sim_domain *d, evtchn_port_t port, uint32_t vcpu);
int sim_evtchn_unmask(struct sim_domain *d, evtchn_port_t port);
int sim_evtchn_reset(struct sim_domain *d);
/* Closes every port of d connected to, or waiting for, domain peer (a domain going away). */
void sim_evtchn_close_ports_of_peer(struct sim_domain *d, domid_t peer);

/* Simulator side: mark port pending on d (guest) or call its handler (dom0). */
void sim_evtchn_raise(struct sim_domain *d, evtchn_port_t port);
/* Whether port's bit is set in d's evtchn_pending (false for a bad port). */
bool sim_evtchn_is_pending(struct sim_domain *d, evtchn_port_t port);
/* Whether port is within d's table (evtchn_port_is_valid; port 0 is not). */
bool sim_evtchn_port_is_valid(const struct sim_domain *d, evtchn_port_t port);
/* Raises the port bound to virq, if the guest bound one. */
void sim_evtchn_raise_virq(struct sim_domain *d, uint32_t virq);
/* Installs the backend handler of a dom0 port. */
int sim_evtchn_set_handler(struct sim_domain *dom0, evtchn_port_t port,
			   sim_evtchn_handler_fn fn, void *arg);

#endif
