/*
 * netback: the backend half of the Xen netif protocol for one vif, as
 * Linux's xen-netback does it, in the simulator (dom0). On the device the
 * toolstack added (sim/toolstack/device.h), it publishes its features
 * (feature-rx-copy=1, feature-rx-notify=1, ...) and goes InitWait through
 * the backend device helpers (xenbus_backend.h), which watch the frontend's
 * state; when the frontend connects it reads tx-ring-ref, rx-ring-ref and
 * event-channel, maps the two ring pages through the grant table, binds the
 * event channel, and goes Connected. It consumes TX requests with grant
 * copies (the frame goes to vif's backend; with the offloads the vif keys
 * leave on, a frame may span slots, carry a GSO extra and a blank checksum:
 * netback_tx.c), fills posted RX buffers with grant copies (or answers for
 * a frame read into them directly: netback_rx_direct_*), one slot per
 * frame unless the frontend takes the receive offloads (then over several
 * slots, with a GSO extra and checksum flags), and notifies only when RING_PUSH_*_AND_CHECK_NOTIFY says so.
 *
 * Protocol violations (reported through sim_report_violation, fatal under
 * --strict): a request producer beyond consumer + ring size, unknown or
 * reused request ids, frames under 14 bytes or over the MTU plus header
 * (64 KiB with GSO), buffers crossing a page, grants that fail the table's
 * checks, and the offloads' misuses listed in netback_tx.c.
 */
#ifndef SIM_NETBACK_H
#define SIM_NETBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vif;
struct netback;
struct iovec;

/* Takes the device vif v the toolstack added: features, InitWait, the watch. */
int netback_create(struct vif *v, struct netback **out);
void netback_destroy(struct netback *nb);
/* Copies a frame into the guest's next posted RX buffer; -ENOBUFS / -ENOTCONN if none. */
int netback_deliver(struct netback *nb, const uint8_t *frame, size_t len);
/*
 * The same for a frame the frontend's receive offloads allow: over several
 * slots (feature-sg), with a GSO extra when gso_size is not 0 (a TCP/IPv4
 * frame up to 64 KiB, feature-gso-tcpv4), flags NETRXF_data_validated and
 * NETRXF_csum_blank (checksum offload). -ENOBUFS when too few buffers are
 * posted, -EMSGSIZE for what the frontend did not take.
 */
int netback_deliver_offload(struct netback *nb, const uint8_t *frame, size_t len,
			    uint16_t gso_size, uint16_t flags);
/*
 * Receive without a copy of the simulator's own (netback_rx_direct.c): a
 * frame read straight into the pages of the guest's next posted RX buffers.
 * begin checks and pins, as a grant copy does (sim_gnttab_acquire for
 * writing), the pages of the data slots of the largest frame (17: the
 * 18 slots of a 64 KiB frame but the GSO extra's) and fills iov with them;
 * it returns how many (NETBACK_RX_DIRECT_PAGES), or -ENOTCONN (not
 * connected, or the frontend does not take every receive offload),
 * -ENOBUFS (fewer buffers posted), -EACCES (a request id or a grant the
 * copy would refuse: the copy path then reports it, for the slots it uses).
 * Then commit answers the frame read as netback_deliver_offload answers a
 * copied one, consuming only the slots it used (-EMSGSIZE, nothing
 * consumed, for a frame the pages' layout does not fit: over a page
 * without GSO, or beyond 64 KiB), and end releases the pins, whether or not
 * the frame was committed. Nothing is consumed before commit, so a frame
 * read and not committed never reaches the guest.
 */
#define NETBACK_RX_DIRECT_PAGES 17
int netback_rx_direct_begin(struct netback *nb, struct iovec *iov);
int netback_rx_direct_commit(struct netback *nb, size_t len, uint16_t gso_size, uint16_t flags);
void netback_rx_direct_end(struct netback *nb);
/* The receive offloads the connected frontend takes and this vif offers. */
void netback_rx_offloads(const struct netback *nb, bool *sg, bool *gso, bool *csum);
/*
 * True when the frontend is connected and has a receive buffer posted.
 * When not, asks the guest to notify on the next one (req_event) and calls
 * the vif backend's rx_ready once there is one (also on connecting).
 */
bool netback_rx_ready(struct netback *nb);
/* True once the frontend has connected its rings. */
bool netback_connected(const struct netback *nb);

#endif
