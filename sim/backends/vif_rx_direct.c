/*
 * Reading a frame into the guest's RX buffers (contract in vif_rx_direct.h).
 * What decides whether the frame can be given as read is tap's
 * tap_deliver_vnet and vif_deliver_offload, restricted to what they hand
 * netback unchanged: a TCP/UDP-over-IPv4 frame with a blank checksum (and
 * then possibly a TCP/IPv4 GSO size), or a frame within the MTU with no
 * checksum to fill. Only the headers are read (gso_is_l4_ip4), all within
 * the first page; anything else is gathered back and decided there.
 */
#include <errno.h>
#include <linux/if_ether.h> /* ETH_HLEN */
#include <linux/virtio_net.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sim/xen_abi.h" /* the ring barriers, before <xen/io/netif.h> */
#include <xen/io/netif.h>

#include "sim/backends/gso.h"
#include "sim/backends/netback.h"
#include "sim/backends/vif.h"
#include "sim/backends/vif_rx_direct.h"

#define VNET_HLEN sizeof(struct virtio_net_hdr)

/* The netif flags and GSO size netback gives the frame with; -EINVAL: not as it is. */
static int direct_flags(const struct vif *v, const struct virtio_net_hdr *h,
			const uint8_t *frame, size_t len, uint16_t *gso_size, uint16_t *flags)
{
	bool blank = false;

	*gso_size = 0;
	if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		if (!gso_is_l4_ip4(frame, len))
			return -EINVAL; /* filled from csum_start: the whole frame is summed */
		blank = true;
	}
	if (h->gso_type == VIRTIO_NET_HDR_GSO_TCPV4 && h->gso_size) {
		if (!blank)
			return -EINVAL; /* cut in software */
		*gso_size = h->gso_size;
	} else if (h->gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		return -EINVAL;
	}
	if (len < ETH_HLEN || (!*gso_size && len > v->cfg.mtu + ETH_HLEN))
		return -EINVAL; /* dropped and counted by vif_deliver */
	*flags = (uint16_t)((blank || (h->flags & VIRTIO_NET_HDR_F_DATA_VALID)) ?
			    NETRXF_data_validated : 0);
	if (blank)
		*flags |= NETRXF_csum_blank;
	return 0;
}

/* The frame as read() would have put it behind the header: at most size bytes in all. */
static ssize_t gather(uint8_t *buf, size_t size, const struct iovec *pages, size_t len)
{
	size_t room = size - VNET_HLEN, off = 0;

	if (len > room)
		len = room; /* a read of a longer frame is cut short the same way */
	for (const struct iovec *p = pages; off < len; p++) {
		size_t n = len - off < p->iov_len ? len - off : p->iov_len;

		memcpy(buf + VNET_HLEN + off, p->iov_base, n);
		off += n;
	}
	return (ssize_t)(VNET_HLEN + len);
}

/* Gives the frame read into pages; false when it must go the usual way. */
static bool give(struct vif *v, const uint8_t *hdr, const struct iovec *pages, size_t len)
{
	struct virtio_net_hdr h;
	uint16_t gso_size, flags;

	memcpy(&h, hdr, sizeof(h));
	if (direct_flags(v, &h, pages[0].iov_base, len, &gso_size, &flags) < 0 ||
	    netback_rx_direct_commit(v->netback, len, gso_size, flags) < 0)
		return false;
	v->stats.to_guest_frames++;
	v->stats.to_guest_bytes += len;
	return true;
}

ssize_t vif_rx_direct_read(struct vif *v, struct vif_rx_direct *rd, int fd, uint8_t *buf,
			   size_t size, bool *given)
{
	struct iovec iov[1 + NETBACK_RX_DIRECT_PAGES];
	ssize_t n;
	int pages, e;

	*given = false;
	if (!rd->bulk || size <= VNET_HLEN || !vif_rx_direct_allowed(v) ||
	    (pages = netback_rx_direct_begin(v->netback, iov + 1)) < 0) {
		n = read(fd, buf, size);
		rd->bulk = n > (ssize_t)(VNET_HLEN + SIM_PAGE_SIZE);
		return n;
	}
	iov[0].iov_base = buf;
	iov[0].iov_len = VNET_HLEN;
	n = readv(fd, iov, 1 + pages);
	e = errno;
	if (n > (ssize_t)VNET_HLEN) {
		size_t len = (size_t)n - VNET_HLEN;

		rd->bulk = len > SIM_PAGE_SIZE;
		if (give(v, buf, iov + 1, len)) {
			*given = true;
			rd->direct++;
		} else {
			n = gather(buf, size, iov + 1, len);
			rd->copied++;
		}
	}
	netback_rx_direct_end(v->netback);
	errno = e;
	return n;
}
