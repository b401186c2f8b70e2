/*
 * A frame from a device that puts a virtio-net header before each frame
 * (tap with IFF_VNET_HDR) read straight into the guest's posted RX buffers
 * (netback_rx_direct_begin), when nothing else on the host side needs to
 * see it first (vif_rx_direct_allowed: no capture=, no RX impairment) and
 * the frontend takes every receive offload: the copy from the device's
 * read buffer into the guest's pages is saved, one of the two the
 * simulator made of each frame.
 */
#ifndef SIM_VIF_RX_DIRECT_H
#define SIM_VIF_RX_DIRECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct vif;

struct vif_rx_direct {
	/*
	 * The last frame was over a page: the next is read into the guest's
	 * pages. Pinning 17 of them costs more than copying a small frame, so
	 * small frames (pings, ACKs, anything within the MTU) are read and
	 * copied as before until a large one comes.
	 */
	bool bulk;
	uint64_t direct, copied; /* frames given from the guest's pages, or gathered back */
};

/*
 * Reads one frame from fd as read(fd, buf, size) would: a struct
 * virtio_net_hdr, then the frame. When rd says so and the vif allows it,
 * the frame goes into the guest's pages, and if the frontend can take it
 * as it is (what vif_deliver_offload would hand netback unchanged), it is
 * answered and counted there and *given is set. Otherwise (a check fails
 * after the read, a checksum to fill or a frame to cut) it is gathered
 * into buf behind the header, as read would have left it, to go the usual
 * way, and no byte of it reaches the guest. Returns what read returns
 * (errno kept).
 */
ssize_t vif_rx_direct_read(struct vif *v, struct vif_rx_direct *rd, int fd, uint8_t *buf,
			   size_t size, bool *given);

#endif
