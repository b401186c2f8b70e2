/* The xenstore entries libxl writes for a PVH domain. */
#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <xen/hvm/params.h>

#include "sim/domain.h"
#include "sim/splitmix64.h"
#include "sim/toolstack/toolstack.h"

static int put(struct xs_store *xs, const char *path, const char *value)
{
	return xs_store_write(xs, path, value, strlen(value));
}

int sim_toolstack_init_dom0(struct xs_store *xs)
{
	int rc = put(xs, "/local/domain/0/name", "Domain-0");
	return rc < 0 ? rc : put(xs, "/local/domain/0/domid", "0");
}

/* A stable version-4 UUID: the same seed and domid give the same /vm path. */
static void make_uuid(char out[37], uint64_t seed, domid_t domid)
{
	uint64_t state = seed ^ ((uint64_t)domid << 48);
	uint64_t a = sim_splitmix64_next(&state), b = sim_splitmix64_next(&state);

	snprintf(out, 37, "%08" PRIx32 "-%04" PRIx32 "-4%03" PRIx32 "-%04" PRIx32 "-%012" PRIx64,
		 (uint32_t)(a >> 32), (uint32_t)(a >> 16) & 0xffff, (uint32_t)a & 0xfff,
		 ((uint32_t)(b >> 48) & 0x3fff) | 0x8000, b & UINT64_C(0xffffffffffff));
}

/* libxl's two permission sets: read-only for the guest, or owned by it. */
static int set_perms(struct xs_store *xs, const char *dir, const char *name, domid_t domid,
		     bool guest_owns)
{
	struct xs_perm ro[2] = { { 0, XS_STORE_PERM_NONE }, { domid, XS_STORE_PERM_READ } };
	struct xs_perm rw[1] = { { domid, XS_STORE_PERM_NONE } };
	char path[256];
	int rc;

	snprintf(path, sizeof(path), "%s%s%s", dir, *name ? "/" : "", name);
	if ((rc = xs_store_mkdir(xs, path)) < 0)
		return rc;
	return xs_store_set_perms(xs, path, guest_owns ? rw : ro, guest_owns ? 1 : 2);
}

static int write_dirs(struct xs_store *xs, const char *home, domid_t domid)
{
	static const char *const ro[] = { "", "device", "control", "memory", "cpu", "console",
					  "store" };
	static const char *const rw[] = { "data", "drivers", "feature", "attr", "error",
					  "control/shutdown", "control/feature-poweroff",
					  "control/feature-reboot", "control/feature-suspend",
					  "control/sysrq" };
	int rc = 0;

	for (size_t i = 0; i < sizeof(ro) / sizeof(ro[0]) && rc == 0; i++)
		rc = set_perms(xs, home, ro[i], domid, false);
	for (size_t i = 0; i < sizeof(rw) / sizeof(rw[0]) && rc == 0; i++)
		rc = set_perms(xs, home, rw[i], domid, true);
	return rc;
}

int sim_toolstack_write_domain(struct xs_store *xs, struct sim_domain *d, uint64_t seed,
			       uint64_t start_time)
{
	char home[64], vm[64], uuid[37];
	uint64_t kib = d->ram_bytes >> 10;
	int rc;

	make_uuid(uuid, seed, d->domid);
	snprintf(home, sizeof(home), "/local/domain/%u", d->domid);
	snprintf(vm, sizeof(vm), "/vm/%s", uuid);
	if ((rc = write_dirs(xs, home, d->domid)) < 0 ||
	    (rc = xs_store_printf(xs, vm, "uuid", "%s", uuid)) < 0 ||
	    (rc = xs_store_printf(xs, vm, "name", "%s", d->name)) < 0 ||
	    (rc = xs_store_printf(xs, vm, "start_time", "%" PRIu64 ".00", start_time)) < 0 ||
	    (rc = set_perms(xs, vm, "", d->domid, false)) < 0 ||
	    (rc = xs_store_printf(xs, home, "vm", "%s", vm)) < 0 ||
	    (rc = xs_store_printf(xs, home, "name", "%s", d->name)) < 0 ||
	    (rc = xs_store_printf(xs, home, "domid", "%u", d->domid)) < 0 ||
	    (rc = xs_store_printf(xs, home, "cpu/0/availability", "online")) < 0 ||
	    (rc = xs_store_printf(xs, home, "memory/static-max", "%" PRIu64, kib)) < 0 ||
	    (rc = xs_store_printf(xs, home, "memory/target", "%" PRIu64, kib)) < 0 ||
	    (rc = xs_store_printf(xs, home, "memory/videoram", "-1")) < 0 ||
	    (rc = xs_store_printf(xs, home, "control/platform-feature-multiprocessor-suspend", "1")) < 0 ||
	    (rc = xs_store_printf(xs, home, "control/platform-feature-xs_reset_watches", "1")) < 0 ||
	    (rc = xs_store_printf(xs, home, "store/port", "%" PRIu64,
		       d->hvm_param[HVM_PARAM_STORE_EVTCHN])) < 0 ||
	    (rc = xs_store_printf(xs, home, "store/ring-ref", "%" PRIu64,
		       d->hvm_param[HVM_PARAM_STORE_PFN])) < 0 ||
	    (rc = xs_store_printf(xs, home, "console/port", "%" PRIu64,
		       d->hvm_param[HVM_PARAM_CONSOLE_EVTCHN])) < 0 ||
	    (rc = xs_store_printf(xs, home, "console/ring-ref", "%" PRIu64,
		       d->hvm_param[HVM_PARAM_CONSOLE_PFN])) < 0 ||
	    (rc = xs_store_printf(xs, home, "console/limit", "1048576")) < 0 ||
	    (rc = xs_store_printf(xs, home, "console/type", "xenconsoled")) < 0 ||
	    (rc = xs_store_printf(xs, home, "console/output", "pty")) < 0)
		return rc;
	return 0;
}

int sim_toolstack_write_entry(struct xs_store *xs, struct sim_domain *d, const char *spec)
{
	const char *eq = strchr(spec, '=');
	char path[XENSTORE_ABS_PATH_MAX + 1];
	int n;

	if (!eq || eq == spec)
		return -EINVAL;
	if (spec[0] == '/')
		n = snprintf(path, sizeof(path), "%.*s", (int)(eq - spec), spec);
	else
		n = snprintf(path, sizeof(path), "/local/domain/%u/%.*s", d->domid,
			     (int)(eq - spec), spec);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	return put(xs, path, eq + 1);
}
