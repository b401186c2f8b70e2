/*
 * netback's receive without a copy of its own (contract in netback.h): the
 * frame is read (by the vif backend, readv from a TAP) straight into the
 * pages of the guest's posted RX buffers. Xen's netback copies an skb into
 * those pages with GNTTABOP_copy, which acquires each grant for writing
 * (acquire_grant_for_copy), copies and releases it; here the pages are
 * acquired the same way before the read and released after it, and the
 * responses are those of the copy path (netback_rx_respond). The requests
 * are consumed only when the frame is committed: a frame that fails a
 * check after the read is never answered, its bytes left in buffers the
 * guest still counts as posted.
 */
#include <errno.h>
#include <sys/uio.h>

#include "sim/backends/netback.h"
#include "sim/backends/netback_private.h"
#include "sim/gnttab.h"

_Static_assert(NETBACK_RX_DIRECT_PAGES == NB_RX_MAX_SLOTS - 1,
	       "the data slots of the largest frame: all but the GSO extra's");
_Static_assert(NETBACK_RX_DIRECT_PAGES * SIM_PAGE_SIZE >= GSO_MAX_FRAME,
	       "the largest frame fits the pages");

/* The request whose page holds data page j: slot 1 is the GSO extra's. */
static unsigned int data_req(unsigned int j)
{
	return j ? j + 1 : 0;
}

int netback_rx_direct_begin(struct netback *nb, struct iovec *iov)
{
	struct nb_rx_direct *dr = &nb->direct;

	if (!nb->connected || nb->rx_broken || !netback_guest_running(nb) || !nb->rx_off.sg ||
	    !nb->rx_off.gso || !nb->rx_off.csum)
		return -ENOTCONN;
	if (netback_rx_room(nb) < NB_RX_MAX_SLOTS)
		return -ENOBUFS;
	for (unsigned int i = 0; i < NB_RX_MAX_SLOTS; i++) {
		RING_COPY_REQUEST(&nb->rx, nb->rx.req_cons + i, &dr->req[i]);
		if (dr->req[i].id >= RING_SIZE(&nb->rx))
			return -EACCES;
	}
	for (unsigned int j = 0; j < NETBACK_RX_DIRECT_PAGES; j++) {
		void *page;

		if (sim_gnttab_acquire(nb->dom, 0, dr->req[data_req(j)].gref, false, &page) !=
		    GNTST_okay) {
			netback_rx_direct_end(nb);
			return -EACCES;
		}
		dr->pinned++;
		iov[j].iov_base = page;
		iov[j].iov_len = SIM_PAGE_SIZE;
	}
	return NETBACK_RX_DIRECT_PAGES;
}

int netback_rx_direct_commit(struct netback *nb, size_t len, uint16_t gso_size, uint16_t flags)
{
	unsigned int data = len ? (unsigned int)((len + SIM_PAGE_SIZE - 1) / SIM_PAGE_SIZE) : 1;
	unsigned int n = data + (gso_size ? 1 : 0);

	/* Pages past the first follow the extra's slot: only a GSO frame spans them. */
	if (nb->direct.pinned < data || len > GSO_MAX_FRAME || (data > 1 && !gso_size))
		return -EMSGSIZE;
	nb->rx.req_cons += n;
	netback_rx_respond(nb, nb->direct.req, n, gso_size ? 1 : n, len, gso_size, flags);
	return 0;
}

void netback_rx_direct_end(struct netback *nb)
{
	struct nb_rx_direct *dr = &nb->direct;

	while (dr->pinned)
		sim_gnttab_release(nb->dom, dr->req[data_req(--dr->pinned)].gref, false);
}
