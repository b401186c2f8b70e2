/*
 * netfront's private state and the helpers its files share. One struct
 * netfront per vif; nothing is global.
 *
 * Ownership of the pages (each one page, each granted to the backend once
 * at open and revoked once at close):
 *   - the two shared ring pages, writable by the backend;
 *   - NET_TX_RING_SIZE transmit buffers, read-only to the backend. A buffer
 *     is free (its id on tx_free[]) or in flight (busy: a request with that
 *     id is on the ring and no response has come back yet);
 *   - NET_RX_RING_SIZE receive buffers, writable by the backend. A buffer is
 *     posted (busy: the backend owns it), kept (lent past the receive
 *     callback until netfront_rx_release) or, only while the receive thread
 *     handles its response, ours.
 * Request ids are buffer indexes, so a response's id names its buffer; an id
 * out of range or of a buffer that is not busy is the backend's mistake,
 * counted and reported once.
 *
 * Who runs what: the event handler (scheduler context, must not block)
 * wakes the receive thread and the senders, or consumes the RX responses
 * itself when the callback never blocks. The receive thread consumes RX
 * responses and reposts buffers; senders reclaim TX responses when buffers
 * run low (netfront_tx.c). A xenbus watch callback (xenbus thread) follows the
 * backend's state. Threads are cooperative, so none of this needs locks as
 * long as no ring walk blocks half-way.
 */
#ifndef NET_NETFRONT_PRIVATE_H
#define NET_NETFRONT_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/grant_table.h>
#include <uk/drivers/ring.h> /* the ring barriers, before <xen/io/netif.h> */
#include <xen/io/netif.h>
#include <xen/io/xenbus.h>

#include <uk/netfront.h>
#include <uk/alloc.h>
#include <uk/drivers/events.h>
#include <uk/drivers/xenbus_dev.h>
#include <uk/sched.h>
#include <uk/time.h>
#include <uk/xenbus.h>

/* Slots in one page of each ring (256 for both on x86). */
#define NET_TX_RING_SIZE __CONST_RING_SIZE(netif_tx, UK_PAGE_SIZE)
#define NET_RX_RING_SIZE __CONST_RING_SIZE(netif_rx, UK_PAGE_SIZE)

#define NETFRONT_DEFAULT_MTU 1500
#define NETFRONT_MIN_MTU 68
/* Buffers netfront_rx_keep may keep: the rest take two of the largest frames. */
#define NETFRONT_RX_KEEP_MAX (NET_RX_RING_SIZE - 2 * (NETFRONT_RX_MAX_SLOTS + 1))
/* rx_kept_next after a kept frame's last buffer. */
#define NETFRONT_RX_KEPT_END 0xffff
/* Frames waiting for netfront_recv; beyond this they are dropped and counted. */
#define NETFRONT_RXQ_MAX 256
/* How long netfront_close waits for the backend, in guest time. */
#define NETFRONT_CLOSE_TIMEOUT_NS (5 * UK_NSEC_PER_SEC)

/* One granted page. */
struct netfront_buf {
	void *page;
	grant_ref_t gref;
	bool granted;
	bool busy; /* TX: in flight; RX: posted */
	bool kept; /* RX: lent past the callback (netfront_rx_keep) */
};

/* A received frame queued for netfront_recv. */
struct netfront_qframe {
	struct netfront_qframe *next;
	size_t len;
	uint8_t data[];
};

struct netfront {
	unsigned int index;
	/* device/vif/<index>, its backend and the handshake (xenbus_dev.c). */
	struct xenbus_dev dev;
	bool dev_ready;         /* dev found: close must go through xenbus_dev_close */
	uint8_t mac[6];
	unsigned int mtu;

	bool rings_published;   /* the backend may have mapped the rings */
	bool connected;         /* handshake done */
	bool backend_gone;      /* the backend left Connected afterwards */
	bool broken;            /* the backend overran a ring: rings unusable */
	bool closing;           /* netfront_close has begun */

	/* Rings and event channel. */
	struct netfront_buf tx_ring_page, rx_ring_page;
	netif_tx_front_ring_t tx;
	netif_rx_front_ring_t rx;
	evtchn_port_t port;
	bool port_bound;

	/* Transmit. */
	struct netfront_buf tx_bufs[NET_TX_RING_SIZE];
	uint16_t tx_free[NET_TX_RING_SIZE]; /* ids of free buffers (a stack) */
	unsigned int tx_nr_free;
	struct netfront_offloads off;       /* what the backend offered (netfront_xenbus.c) */
	struct uk_waitq tx_wq;              /* senders waiting for a slot */
	uint64_t tx_unknown_ids;

	/* Receive. */
	struct netfront_buf rx_bufs[NET_RX_RING_SIZE];
	uint16_t rx_slot_id[NET_RX_RING_SIZE]; /* id posted in each ring slot */
	bool rx_skip_frags;  /* dropping the rest of a multi-slot frame */
	bool rx_in_extra;    /* the next slot is an extra-info slot */
	uint64_t rx_unknown_ids;
	/* A frame over several slots or with extras, being joined (off.rx only). */
	uint8_t *rx_frame;       /* NETFRONT_MAX_GSO_RX_FRAME bytes */
	bool rx_joining;         /* the frame's first slot came, its last not yet */
	bool rx_join_more;       /* more data slots follow the extras */
	size_t rx_join_len;
	unsigned int rx_join_slots;
	unsigned int rx_join_flags; /* NETFRONT_RX_* */
	unsigned int rx_join_bad;   /* why the frame is refused (netfront_rx.c), 0: it is not */
	unsigned int rx_said;       /* refusal reasons already printed (a bit each) */
	/*
	 * With rx_sg_fn, the frame's data slots are kept, not copied: their
	 * pieces and buffer ids (rx_join_nr of them), reposted at its end.
	 */
	bool rx_join_sg;
	unsigned int rx_join_nr;
	struct netfront_frag rx_join_frags[NETFRONT_RX_MAX_SLOTS + 1];
	uint16_t rx_join_ids[NETFRONT_RX_MAX_SLOTS + 1];
	/*
	 * netfront_rx_keep: the frame in the scatter callback may be kept
	 * (rx_in_sg); it was (rx_join_kept). A kept frame's buffers are chained
	 * from its first id (the token) through rx_kept_next, NETFRONT_RX_KEPT_END
	 * after the last; rx_kept_slots of them in all.
	 */
	bool rx_in_sg;
	bool rx_join_kept;
	unsigned int rx_kept_slots;
	uint16_t rx_kept_next[NET_RX_RING_SIZE];
	netfront_rx_fn rx_fn;
	netfront_rx_flags_fn rx_flags_fn;
	netfront_rx_sg_fn rx_sg_fn;
	void *rx_arg;
	bool rx_in_event;    /* the callback never blocks: run it from the event handler */
	bool rx_busy;        /* a receive thread is inside netfront_rx_consume */
	struct uk_thread *rx_thread;
	bool rx_stop;
	struct uk_waitq rx_wq;               /* the receive thread waits here */
	struct netfront_qframe *q_head, *q_tail;
	unsigned int q_len;
	struct uk_waitq recv_wq;             /* netfront_recv callers */

	/* Who calls into nf until it lets go (netfront_set_holder); close refuses meanwhile. */
	const char *holder;

	/* Threads inside netfront_send/netfront_recv; close waits for none. */
	unsigned int users;
	struct uk_waitq idle_wq;

	struct netfront_stats stats;
};

/* True while frames may move: connected, not closing, backend still there. */
static inline bool netfront_usable(const struct netfront *nf)
{
	return nf->connected && !nf->closing && !nf->backend_gone && !nf->broken;
}

/* netfront_xenbus.c: configuration and the XenbusState handshake. */
int netfront_xs_read_config(struct netfront *nf);
int netfront_xs_connect(struct netfront *nf, uint64_t deadline_ns);
void netfront_xs_disconnect(struct netfront *nf);

/* netfront_grants.c: the granted pages. */
int netfront_bufs_alloc(struct netfront *nf);
/* Revokes every grant (retrying while mapped) and frees what it may. */
void netfront_bufs_release(struct netfront *nf);

/* netfront_tx.c */
void netfront_tx_init(struct netfront *nf);
/* Takes the TX responses in (the buffers back), some having come (netfront_tx.c). */
void netfront_tx_reclaim_answered(struct netfront *nf);
/* Takes the TX responses in, if any came (and checks them for an overrun). */
static inline void netfront_tx_reclaim(struct netfront *nf)
{
	if (nf->connected && !nf->broken &&
	    __atomic_load_n(&nf->tx.sring->rsp_prod, __ATOMIC_ACQUIRE) != nf->tx.rsp_cons)
		netfront_tx_reclaim_answered(nf);
}
/*
 * Free buffers or ring slots below which a send takes the TX responses in:
 * above, the answered ones wait, and are taken in together (half a ring
 * at a time) instead of one per frame. At least the slots of a TSO frame.
 */
#define NETFRONT_TX_RECLAIM_BELOW (NET_TX_RING_SIZE / 2)
/* netfront_tx_reclaim, when free buffers or ring slots ran low; inline: every send asks. */
static inline void netfront_tx_reclaim_if_low(struct netfront *nf)
{
	if (nf->tx_nr_free < NETFRONT_TX_RECLAIM_BELOW ||
	    RING_FREE_REQUESTS(&nf->tx) < NETFRONT_TX_RECLAIM_BELOW)
		netfront_tx_reclaim(nf);
}

/* netfront_rx.c */
void netfront_rx_post_all(struct netfront *nf);
int netfront_rx_start(struct netfront *nf);
void netfront_rx_stop(struct netfront *nf);
void netfront_rxq_free(struct netfront *nf);
/* The event channel's handler (scheduler context): the receive work, or the thread woken. */
void netfront_event(evtchn_port_t port, void *arg);

/* Says so once, marks the device broken and wakes its threads (netfront.c). */
void netfront_ring_overran(struct netfront *nf, const char *ring, RING_IDX rsp_prod,
			   RING_IDX rsp_cons, RING_IDX req_prod_pvt);
/*
 * Checks a response producer read from the ring against what we requested:
 * true (and the device broken) when the backend answered more. Inline: the
 * check runs on every look at a ring.
 */
static inline bool netfront_ring_overrun(struct netfront *nf, const char *ring,
					 RING_IDX rsp_prod, RING_IDX rsp_cons,
					 RING_IDX req_prod_pvt)
{
	if ((RING_IDX)(rsp_prod - rsp_cons) <= (RING_IDX)(req_prod_pvt - rsp_cons))
		return false;
	netfront_ring_overran(nf, ring, rsp_prod, rsp_cons, req_prod_pvt);
	return true;
}
/* Wakes every thread that waits on nf (receive thread, senders, receivers). */
void netfront_wake_all(struct netfront *nf);

#endif
