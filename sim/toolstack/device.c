/* Adding and removing a device's xenstore directories, as libxl (device.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <xen/io/xenbus.h>

#include "sim/domain.h"
#include "sim/sim.h"
#include "sim/toolstack/device.h"
#include "sim/xenstored/xs_store.h"

#define DEVICE_PATH_MAX 128

static void device_paths(const struct sim_domain *d, const char *type, unsigned int devid,
			 char fe[DEVICE_PATH_MAX], char be[DEVICE_PATH_MAX])
{
	snprintf(fe, DEVICE_PATH_MAX, "/local/domain/%u/device/%s/%u", d->domid, type, devid);
	snprintf(be, DEVICE_PATH_MAX, "/local/domain/0/backend/%s/%u/%u", type,
		 d->domid, devid);
}

static int device_write_keys(struct xs_store *xs, const char *dir, domid_t guest,
			     const struct sim_device_key *keys, size_t n)
{
	struct xs_perm ro[2] = { { 0, XS_STORE_PERM_NONE }, { guest, XS_STORE_PERM_READ } };
	char path[DEVICE_PATH_MAX + 64];
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = xs_store_printf(xs, dir, keys[i].key, "%s", keys[i].value);
		if (rc == 0 && keys[i].guest_readonly) {
			snprintf(path, sizeof(path), "%s/%s", dir, keys[i].key);
			rc = xs_store_set_perms(xs, path, ro, 2);
		}
	}
	return rc;
}

/* libxl__device_generic_add: the frontend's half. */
static int device_add_frontend(struct xs_store *xs, const struct sim_domain *d,
			       const struct sim_device *dev, const char *fe, const char *be)
{
	struct xs_perm perms[2] = { { d->domid, XS_STORE_PERM_NONE }, { 0, XS_STORE_PERM_READ } };
	int rc;

	xs_store_rm(xs, fe);
	if ((rc = xs_store_mkdir(xs, fe)) < 0 ||
	    (rc = xs_store_set_perms(xs, fe, perms, 2)) < 0 ||
	    (rc = xs_store_printf(xs, fe, "backend", "%s", be)) < 0 ||
	    (rc = xs_store_printf(xs, fe, "backend-id", "0")) < 0 ||
	    (rc = xs_store_printf(xs, fe, "state", "%d", XenbusStateInitialising)) < 0)
		return rc;
	return device_write_keys(xs, fe, d->domid, dev->frontend, dev->nr_frontend);
}

/* libxl__device_generic_add: the backend's half. */
static int device_add_backend(struct xs_store *xs, const struct sim_domain *d,
			      const struct sim_device *dev, const char *fe, const char *be)
{
	struct xs_perm perms[2] = { { 0, XS_STORE_PERM_NONE }, { d->domid, XS_STORE_PERM_READ } };
	int rc;

	xs_store_rm(xs, be);
	if ((rc = xs_store_mkdir(xs, be)) < 0 ||
	    (rc = xs_store_set_perms(xs, be, perms, 2)) < 0 ||
	    (rc = xs_store_printf(xs, be, "frontend", "%s", fe)) < 0 ||
	    (rc = xs_store_printf(xs, be, "frontend-id", "%u", d->domid)) < 0 ||
	    (rc = xs_store_printf(xs, be, "online", "1")) < 0 ||
	    (rc = xs_store_printf(xs, be, "state", "%d", XenbusStateInitialising)) < 0)
		return rc;
	return device_write_keys(xs, be, d->domid, dev->backend, dev->nr_backend);
}

int sim_device_add(struct sim_domain *d, const struct sim_device *dev)
{
	struct xs_store *xs = sim_xenstore(d->sim);
	char fe[DEVICE_PATH_MAX], be[DEVICE_PATH_MAX];
	int rc;

	device_paths(d, dev->type, dev->devid, fe, be);
	if ((rc = device_add_frontend(xs, d, dev, fe, be)) < 0 ||
	    (rc = device_add_backend(xs, d, dev, fe, be)) < 0)
		sim_device_remove(d, dev->type, dev->devid);
	return rc;
}

void sim_device_remove(struct sim_domain *d, const char *type, unsigned int devid)
{
	struct xs_store *xs = sim_xenstore(d->sim);
	char fe[DEVICE_PATH_MAX], be[DEVICE_PATH_MAX];

	device_paths(d, type, devid, fe, be);
	xs_store_rm(xs, be);
	xs_store_rm(xs, fe);
}

int sim_device_add_vif(struct sim_domain *d, unsigned int devid, const char *mac,
		       unsigned int mtu)
{
	char handle[16], mtus[16];
	struct sim_device_key fe[] = {
		{ "handle", handle, false }, { "mac", mac, false },
		{ "trusted", "1", false },   { "mtu", mtus, true },
	};
	struct sim_device_key be[] = {
		{ "mac", mac, false }, { "handle", handle, false },
		{ "type", "vif", false }, { "mtu", mtus, false },
	};
	struct sim_device dev = {
		.type = "vif", .devid = devid, .frontend = fe, .backend = be,
		.nr_frontend = sizeof(fe) / sizeof(fe[0]),
		/* libxl writes the backend's mtu only when it is not the default. */
		.nr_backend = sizeof(be) / sizeof(be[0]) - (mtu == 1500),
	};

	snprintf(handle, sizeof(handle), "%u", devid);
	snprintf(mtus, sizeof(mtus), "%u", mtu);
	return sim_device_add(d, &dev);
}

int sim_device_add_vbd(struct sim_domain *d, unsigned int devid, const char *vdev,
		       const char *target, bool readonly, bool cdrom)
{
	char id[16];
	const char *type = cdrom ? "cdrom" : "disk";
	struct sim_device_key fe[] = {
		{ "virtual-device", id, false }, { "device-type", type, false },
	};
	struct sim_device_key be[] = {
		{ "dev", vdev, false },       { "type", "file", false },
		{ "params", target, false },  { "mode", readonly ? "r" : "w", false },
		{ "device-type", type, false }, { "removable", cdrom ? "1" : "0", false },
	};
	struct sim_device dev = {
		.type = "vbd", .devid = devid, .frontend = fe, .backend = be,
		.nr_frontend = sizeof(fe) / sizeof(fe[0]), .nr_backend = sizeof(be) / sizeof(be[0]),
	};

	snprintf(id, sizeof(id), "%u", devid);
	return sim_device_add(d, &dev);
}
