/*
 * netfront: the Xen PV network frontend, the same driver in the sim build
 * and on Xen. It finds its backend through xenstore (device/vif/<index>:
 * backend, backend-id, mac, mtu), grants its TX and RX ring pages, allocates
 * an unbound event channel, writes tx-ring-ref, rx-ring-ref, event-channel,
 * request-rx-copy=1 and feature-rx-notify=1 in one transaction, and follows
 * the XenbusState handshake (a backend that goes straight to Connected is
 * fine; Closing/Closed tears the device down).
 *
 * Frames are whole Ethernet frames without the FCS. Sending copies a frame
 * into one pre-granted page (a TSO frame into one per 4 KiB) and blocks the
 * calling thread while the TX ring is full.
 *
 * Offloads (<xen/io/netif.h>): when the backend offers feature-sg and
 * feature-gso-tcpv4 and does not write feature-no-csum-offload=1,
 * netfront_try_send_tso sends a TCP/IPv4 frame of up to 64 KiB over
 * several slots (NETTXF_more_data) with NETTXF_csum_blank and a
 * XEN_NETIF_EXTRA_TYPE_GSO extra: the backend fills the checksum and cuts
 * it into segments of gso_size payload bytes. netfront_offloads says what
 * was agreed. Receive offloads are asked for only by netfront_open_rx_offload
 * (the caller's receive callback must understand the flags below):
 * netfront then writes feature-sg, feature-gso-tcpv4 and
 * feature-no-csum-offload=0, takes frames over several slots
 * (NETRXF_more_data, up to NETFRONT_RX_MAX_SLOTS), a GSO extra, and
 * passes NETRXF_data_validated / NETRXF_csum_blank on as flags; a frame
 * the backend got wrong (a chain too long, a GSO size of 0, ...) is
 * refused, counted in rx_errors and said once. netfront_open asks for
 * none (feature-no-csum-offload=1: every frame single-slot, checksummed).
 * Received frames go to the receive callback, which runs in the vif's own
 * receive thread (so it may send and may block), or, without a callback,
 * into a bounded queue read with netfront_recv. A callback set with
 * netfront_set_rx_nonblocking promises never to block: it runs right in
 * the event channel's handler, in the scheduler's context, which saves
 * waking the receive thread and two context switches per batch. Error
 * statuses from the backend are counted, never fatal.
 *
 * Functions return 0 (or a length) or a negative error number.
 */
#ifndef NET_NETFRONT_H
#define NET_NETFRONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The Ethernet header: two addresses and the type. The guest side's one
 * definition (net/ uses it too), with Linux's name and value
 * (<linux/if_ether.h>), so host tests that see both see one definition.
 */
#define ETH_HLEN 14
#define NETFRONT_MAX_FRAME (ETH_HLEN + 1500) /* 1500-byte MTU + Ethernet header */
/* The largest frame netfront_try_send_tso takes: a netif request's size is 16 bits. */
#define NETFRONT_MAX_TSO_FRAME 65535
/* The largest GSO frame received: a 64 KiB IP datagram and its Ethernet header. */
#define NETFRONT_MAX_GSO_RX_FRAME (ETH_HLEN + 65535)
/* Data slots of one received frame (XEN_NETIF_NR_SLOTS_MIN, as Linux's netback gives). */
#define NETFRONT_RX_MAX_SLOTS 18

/* What the backend said of a received frame (netfront_open_rx_offload only). */
#define NETFRONT_RX_CSUM_VALID 0x1 /* its TCP/UDP checksum need not be checked */
#define NETFRONT_RX_CSUM_BLANK 0x2 /* ... and holds only the pseudo-header sum */
#define NETFRONT_RX_GSO 0x4        /* a TCP/IPv4 frame that may exceed the MTU */

struct netfront;

struct netfront_stats {
	uint64_t tx_frames, tx_bytes, tx_errors; /* errors: NETIF_RSP_ERROR/DROPPED */
	uint64_t rx_frames, rx_bytes, rx_errors; /* errors: negative status in a response */
	uint64_t rx_dropped;                     /* queue full, no callback */
	uint64_t tx_ring_full;                   /* times a sender had to wait */
};

typedef void (*netfront_rx_fn)(struct netfront *nf, const uint8_t *frame, size_t len,
			       void *arg);

/* A receive callback that also gets the frame's NETFRONT_RX_* flags. */
typedef void (*netfront_rx_flags_fn)(struct netfront *nf, const uint8_t *frame, size_t len,
				     unsigned int flags, void *arg);

/* One piece of a received frame: bytes in one of netfront's RX pages. */
struct netfront_frag {
	const uint8_t *data;
	size_t len;
};

/*
 * A receive callback for a frame over several slots, handed as its slots'
 * pieces (frags[0] the first slot, holding the frame's start) instead of
 * joined into one buffer: len is their sum, flags the NETFRONT_RX_* ones.
 * The pages are netfront's, valid only during the call and reposted after
 * it, unless the callback keeps them (netfront_rx_keep). Returning false asks for the frame joined: netfront copies it into
 * one buffer and calls the flags callback with it.
 */
typedef bool (*netfront_rx_sg_fn)(struct netfront *nf, const struct netfront_frag *frags,
				  unsigned int nr, size_t len, unsigned int flags, void *arg);

/* What the backend offered and netfront uses when sending. */
struct netfront_offloads {
	bool sg;           /* multi-slot frames (feature-sg) */
	bool csum;         /* blank checksums (no feature-no-csum-offload=1) */
	unsigned int tso_max; /* largest TSO frame, with its Ethernet header; 0: no TSO */
	bool rx;           /* receive offloads asked for (netfront_open_rx_offload) */
};

/* How many vifs the toolstack gave this domain (entries under device/vif). */
int netfront_count(void);
/*
 * Connects vif number index (device/vif/<index>), waiting up to
 * timeout_ns of guest time for the backend. -ENOENT when there is no such
 * vif, -ETIMEDOUT when the backend never connects.
 */
int netfront_open(unsigned int index, uint64_t timeout_ns, struct netfront **out);
/* The same, asking the backend for the receive offloads (see the top). */
int netfront_open_rx_offload(unsigned int index, uint64_t timeout_ns, struct netfront **out);
/* Sets the receive callback (NULL: queue for netfront_recv). */
void netfront_set_rx(struct netfront *nf, netfront_rx_fn fn, void *arg);
/* Sets a receive callback that gets the NETFRONT_RX_* flags (NULL: queue). */
void netfront_set_rx_flags(struct netfront *nf, netfront_rx_flags_fn fn, void *arg);
/*
 * Sets a flags callback that never blocks (only netfront_try_send*, no
 * waiting, no sleeping: the scheduler panics on a blocking call there),
 * run from the event handler instead of the receive thread. NULL: queue.
 */
void netfront_set_rx_nonblocking(struct netfront *nf, netfront_rx_flags_fn fn, void *arg);
/*
 * Adds, to a flags callback set before, one for multi-slot frames handed
 * in pieces (netfront_rx_sg_fn; same thread or event context, same arg).
 * Setting a flags or plain callback again clears it. NULL: frames joined.
 */
void netfront_set_rx_sg(struct netfront *nf, netfront_rx_sg_fn fn);
/*
 * Called from inside a netfront_rx_sg_fn that takes the frame: keeps its
 * slots' pages (the frags' data) valid after the call, unposted, until
 * netfront_rx_release(nf, *token), as Linux lends an skb's page fragments
 * to a zero-copy reader. The buffers of two of the largest frames are
 * never kept, so the backend always has some: -ENOBUFS beyond that,
 * -EINVAL outside such a call. Closing nf frees what is still kept.
 */
int netfront_rx_keep(struct netfront *nf, uint32_t *token);
/* Posts a kept frame's buffers again (the pages are the backend's after it). */
void netfront_rx_release(struct netfront *nf, uint32_t token);
/* Sends one frame (14..NETFRONT_MAX_FRAME bytes); -EMSGSIZE outside that. */
int netfront_send(struct netfront *nf, const void *frame, size_t len);
/*
 * The same without waiting: -ENOBUFS (counted in tx_ring_full) when the TX
 * ring is full. For callers that must not block, such as a network stack's
 * receive and timer paths.
 */
int netfront_try_send(struct netfront *nf, const void *frame, size_t len);
/*
 * Sends a TCP/IPv4 frame of up to tso_max bytes without waiting, its TCP
 * checksum field holding the pseudo-header sum (as Linux's
 * CHECKSUM_PARTIAL): the backend fills the checksum and, when gso_size is
 * not 0, cuts the frame into segments of gso_size payload bytes.
 * -EOPNOTSUPP when the backend offers no TSO, -EMSGSIZE over tso_max,
 * -ENOBUFS when the ring or the buffers lack room for the frame's slots.
 */
int netfront_try_send_tso(struct netfront *nf, const void *frame, size_t len,
			  uint16_t gso_size);
void netfront_offloads(const struct netfront *nf, struct netfront_offloads *off);
/*
 * Receives one queued frame into buf (at most size bytes), waiting until
 * guest time deadline_ns (0: forever). Returns its length or -ETIMEDOUT.
 */
int netfront_recv(struct netfront *nf, void *buf, size_t size, uint64_t deadline_ns);
void netfront_mac(const struct netfront *nf, uint8_t mac[6]);
unsigned int netfront_mtu(const struct netfront *nf);
/* The counters, TX responses that came taken in first (tx_errors counts them then). */
void netfront_stats(struct netfront *nf, struct netfront_stats *stats);
/*
 * Marks nf as held by a layer above that calls into it until it lets go
 * (holder NULL): a network interface (net_if_attach_netfront, until
 * net_if_destroy). holder says who, and how to let go, for the panic of a
 * netfront_close meanwhile. The string must outlive the hold. One holder at
 * a time: -EBUSY while another holds nf, else 0.
 */
int netfront_set_holder(struct netfront *nf, const char *holder);
/*
 * Disconnects (Closing -> Closed), ends every grant and frees the device.
 * Panics, naming the vif and its holder, while one holds it: that layer
 * would go on calling into the freed device.
 */
int netfront_close(struct netfront *nf);

#endif
