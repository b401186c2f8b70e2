/*
 * What tests of vifs and netback share: --vif specs that must parse or be
 * refused, and a netif frontend written by hand for vif 0 of a guest, as
 * Linux's netfront sets it up (grant table, both rings and an event channel
 * in the guest's RAM, its keys in xenstore). Each fails the running CMocka
 * test where the simulator does not do what is asked.
 */
#ifndef TESTS_SUPPORT_NETIF_FRONT_H
#define TESTS_SUPPORT_NETIF_FRONT_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/xen_abi.h" /* the ring barriers, before <xen/io/netif.h> */
#include <xen/grant_table.h>
#include <xen/io/netif.h>
#include <xen/io/xenbus.h>

#include "sim/backends/vif.h"
#include "sim/domain.h"

/* --- specs --- */

/* Parses spec into cfg; the test fails if it is refused. */
void vif_spec_parse_ok(const char *spec, struct vif_config *cfg);
/* The test fails unless spec is refused with a one-line message containing want. */
void vif_spec_refused(const char *spec, const char *want);
/* Vif index of d from spec; the test fails if it cannot be created. */
struct vif *vif_spec_create(struct sim_domain *d, unsigned int index, const char *spec);

/* --- the frontend --- */

/* Where it keeps its pages and grants; a test's own start at the _FREE ones. */
enum { NETIF_FRONT_GFN_GNTTAB = 0x200, NETIF_FRONT_GFN_TX_RING, NETIF_FRONT_GFN_RX_RING,
       NETIF_FRONT_GFN_FREE };
enum { NETIF_FRONT_REF_TX_RING = 10, NETIF_FRONT_REF_RX_RING, NETIF_FRONT_REF_FREE };

struct netif_front {
	struct sim_domain *d;
	struct vif *v; /* the test creates it */
	netif_tx_front_ring_t tx;
	netif_rx_front_ring_t rx;
	evtchn_port_t port;
};

/* Places d's grant table and grants dom0 both ring pages. */
void netif_front_init(struct netif_front *fr, struct sim_domain *d);
/* The guest's page gfn, and a grant of it to dom0 at ref. */
void *netif_front_page(const struct netif_front *fr, xen_pfn_t gfn);
void netif_front_grant(struct netif_front *fr, grant_ref_t ref, xen_pfn_t gfn, bool readonly);
/* Writes key under the frontend's directory, device/vif/0 (no poll). */
void netif_front_put(struct netif_front *fr, const char *key, const char *value);
/* Writes state and lets netback answer from the loop. */
void netif_front_state(struct netif_front *fr, int state);
/* What xennet_connect() writes before Connected: rings, port, features; then Connected. */
void netif_front_connect(struct netif_front *fr);
/* Pushes one TX request, notifies, and returns netback's response. */
netif_tx_response_t netif_front_send(struct netif_front *fr, uint16_t id, grant_ref_t ref,
				     uint16_t offset, uint16_t size, uint16_t flags);
/* Queues an RX buffer; netif_front_push_rx() makes those queued visible and notifies. */
void netif_front_queue_rx(struct netif_front *fr, uint16_t id, grant_ref_t ref);
void netif_front_push_rx(struct netif_front *fr);
/* Whether the guest's port was pending; clears it, as the guest's upcall does. */
bool netif_front_port_pending(struct netif_front *fr);

#endif
