/* A vif's TAP device onto a Linux bridge (bridge.h), with the ioctls brctl uses. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/sockios.h>

#include "sim/host/bridge.h"

static int set_up(int fd, const char *ifname)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return -errno;
	ifr.ifr_flags |= IFF_UP;
	return ioctl(fd, SIOCSIFFLAGS, &ifr) < 0 ? -errno : 0;
}

int shim_bridge_add(const char *bridge, const char *ifname, char *err, size_t errlen)
{
	struct ifreq ifr = { 0 };
	unsigned int index = if_nametoindex(ifname);
	int fd, rc = 0;

	if (strlen(bridge) >= IFNAMSIZ) {
		snprintf(err, errlen, "bridge name '%s' longer than %d bytes", bridge, IFNAMSIZ - 1);
		return -EINVAL;
	}
	if (!index) {
		snprintf(err, errlen, "no interface %s: %s", ifname, strerror(errno));
		return -ENODEV;
	}
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -errno;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", bridge);
	ifr.ifr_ifindex = (int)index;
	if (ioctl(fd, SIOCBRADDIF, &ifr) < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot add %s to bridge %s: %s", ifname, bridge,
			 errno == ENODEV ? "no such bridge" : strerror(errno));
	} else if ((rc = set_up(fd, ifname)) < 0) {
		snprintf(err, errlen, "cannot bring %s up: %s", ifname, strerror(-rc));
	}
	close(fd);
	return rc;
}
