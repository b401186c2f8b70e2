/*
 * Adding a device, as libxl does (libxl__device_generic_add and the
 * per-type set_xenstore_* functions): the frontend directory
 * /local/domain/<domid>/device/TYPE/DEVID (owned by the guest, readable by
 * dom0) and the backend directory /local/domain/0/backend/TYPE/<domid>/DEVID
 * (owned by dom0, readable by the guest), each pointing at the other, with
 * both states Initialising and the device's own keys. The backend driver
 * (sim/backends/xenbus_backend.h) then takes the device from there.
 */
#ifndef SIM_TOOLSTACK_DEVICE_H
#define SIM_TOOLSTACK_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_domain;

/* One key of a device directory. */
struct sim_device_key {
	const char *key;
	const char *value;
	bool guest_readonly; /* in the frontend's directory: the guest may read, not write */
};

struct sim_device {
	const char *type;  /* "vif", "vbd" */
	unsigned int devid;
	const struct sim_device_key *frontend, *backend;
	size_t nr_frontend, nr_backend;
};

/*
 * Writes both directories of dev for guest d (replacing what was there).
 * Returns 0 or the store's negative errno.
 */
int sim_device_add(struct sim_domain *d, const struct sim_device *dev);
/* Removes both directories, as libxl removes a device. */
void sim_device_remove(struct sim_domain *d, const char *type, unsigned int devid);

/*
 * A vif, as libxl's set_xenstore_nic: handle, mac, mtu (read-only for the
 * guest) in the frontend; handle, mac, type=vif and mtu when not 1500 in
 * the backend. mac is "xx:xx:xx:xx:xx:xx".
 */
int sim_device_add_vif(struct sim_domain *d, unsigned int devid, const char *mac,
		       unsigned int mtu);

/*
 * A vbd, as libxl's device_disk_add (set_xenstore entries of a disk):
 * virtual-device (devid) and device-type in the frontend; dev (the vdev
 * name), type=file, params (the image), mode r or w, device-type and
 * removable in the backend.
 */
int sim_device_add_vbd(struct sim_domain *d, unsigned int devid, const char *vdev,
		       const char *target, bool readonly, bool cdrom);

#endif
