/*
 * What netback.c (handshake, receive) and netback_tx.c (transmit: single-
 * and multi-slot frames, GSO extra info, blank checksums) share.
 */
#ifndef SIM_NETBACK_PRIVATE_H
#define SIM_NETBACK_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/xen_abi.h" /* the ring barriers, before <xen/io/netif.h> */
#include <xen/io/netif.h>

#include "sim/backends/gso.h"
#include "sim/backends/xenbus_backend.h"
#include "sim/domain.h"

#define NB_TX_RING_SIZE __CONST_RING_SIZE(netif_tx, SIM_PAGE_SIZE)
/* Slots of one frame's data Linux's netback accepts (XEN_NETBK_LEGACY_SLOTS_MAX). */
#define NB_MAX_FRAME_SLOTS XEN_NETIF_NR_SLOTS_MIN
/* Slots of the largest frame given to the guest: 17 pages of a 64 KiB frame and the GSO extra. */
#define NB_RX_MAX_SLOTS (XEN_NETIF_NR_SLOTS_MIN)

/*
 * The next frame's RX requests, read and their pages pinned before the frame
 * itself is read into them (netback_rx_direct.c). Data page j is request
 * j + 1 after the first, request 1 being the GSO extra's slot.
 */
struct nb_rx_direct {
	netif_rx_request_t req[NB_RX_MAX_SLOTS];
	unsigned int pinned; /* data pages pinned, from the first */
};

/* How the next TX slots are read after a request the backend did not agree to. */
enum tx_chain {
	TX_CHAIN_NONE,  /* a new frame */
	TX_CHAIN_EXTRA, /* a netif_extra_info slot */
	TX_CHAIN_FRAG,  /* a further fragment (NETTXF_more_data) */
};

/* The offloads this vif's netback offers (vif keys sg=, gso=, csum=). */
struct nb_offload {
	bool sg;   /* feature-sg: multi-slot TX frames */
	bool gso;  /* feature-gso-tcpv4: TCP/IPv4 frames up to 64 KiB with a GSO extra */
	bool csum; /* TX frames with NETTXF_csum_blank (feature-no-csum-offload=0) */
};

struct netback {
	struct vif *vif;
	struct sim_domain *dom;     /* the guest */
	struct xenbus_backend *xb;  /* the handshake, keys, rings, event channel */
	struct nb_offload off;
	struct nb_offload rx_off;   /* what the frontend takes on receive, within off */

	bool connected;
	netif_tx_back_ring_t tx;
	netif_rx_back_ring_t rx;
	grant_handle_t tx_handle, rx_handle;
	bool tx_mapped, rx_mapped;
	evtchn_port_t port;      /* dom0's end of the event channel */
	bool tx_broken, rx_broken; /* a producer overran: the ring is no longer read */
	bool rx_waiting;         /* the backend was told no buffer is posted */
	bool rx_notify;          /* the frontend wrote feature-rx-notify=1 */
	enum tx_chain chain;
	bool chain_more_data;    /* the rejected head also had NETTXF_more_data */
	struct nb_rx_direct direct;
	uint64_t tx_seen[NB_TX_RING_SIZE / 64]; /* ids consumed since the last push */
	uint8_t frame[GSO_MAX_FRAME];         /* one frame from the guest, assembled */
};

static inline bool netback_guest_running(const struct netback *nb)
{
	return nb->dom->state == SIM_DOMAIN_RUNNING;
}

/*
 * netback_tx.c: the event channel's handler: consumes and answers every TX
 * request the guest produced, then netback_rx_posted while rx_waiting.
 */
void netback_notified(void *arg, evtchn_port_t port);
/* netback.c: resumes the vif's input once a frame's buffers are posted. */
void netback_rx_posted(struct netback *nb);

/* netback.c: RX buffers posted and not used (0 for a broken ring, reported). */
unsigned int netback_rx_room(struct netback *nb);
/*
 * netback.c: the responses of a frame whose data filled req[0..n) but
 * extra_at (the GSO extra's slot when gso_size, else n), as xenvif_rx_skb
 * gives them: NETRXF_more_data chains, the extra, flags on the first; pushed.
 */
void netback_rx_respond(struct netback *nb, const netif_rx_request_t *req, unsigned int n,
			unsigned int extra_at, size_t len, uint16_t gso_size, uint16_t flags);

#endif
