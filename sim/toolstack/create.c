/*
 * `xl create` in one call: the domain from a sim_toolstack_config, with its
 * devices, extra xenstore entries, xenstore socket and timeout.
 */
#include <string.h>

#include "sim/report.h"
#include "sim/toolstack/lifecycle.h"
#include "sim/toolstack/toolstack.h"

/* The vifs, in order: vif N is the Nth --vif. */
static int create_vifs(struct sim_toolstack_config *cfg, struct sim_domain *d)
{
	char err[512];
	struct vif *v;
	int rc;

	for (unsigned int i = 0; i < cfg->nr_vifs; i++) {
		if ((rc = vif_create(d, i, &cfg->vifs[i], &v, err, sizeof(err))) < 0) {
			sim_log("--vif %s: %s", cfg->vif_specs[i], err);
			return rc;
		}
		sim_lifecycle_vif_added(v, cfg->vif_specs[i]);
	}
	return 0;
}

/* The disks, in order, each with its blkback (blkback.h). */
static int create_disks(struct sim_toolstack_config *cfg, struct sim_domain *d,
			struct sim_toolstack_domain *out)
{
	char err[512];
	int rc;

	for (unsigned int i = 0; i < cfg->nr_disks; i++) {
		if ((rc = blkback_create(d, &cfg->disks[i], &out->disks[i], err, sizeof(err))) < 0) {
			sim_log("--disk %s: %s", cfg->disk_specs[i], err);
			return rc;
		}
	}
	return 0;
}

static void destroy_disks(struct sim_toolstack_domain *td)
{
	for (unsigned int i = SIM_MAX_DISKS; i-- > 0;) {
		blkback_destroy(td->disks[i]);
		td->disks[i] = NULL;
	}
}

static int write_entries(struct sim *sim, const struct sim_toolstack_config *cfg,
			 struct sim_domain *d)
{
	int rc;

	for (unsigned int i = 0; i < cfg->nr_xs_entries; i++) {
		if ((rc = sim_toolstack_write_entry(sim_xenstore(sim), d, cfg->xs_entries[i])) < 0) {
			sim_log("--xs %s: %s", cfg->xs_entries[i], strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static int populate(struct sim *sim, struct sim_toolstack_config *cfg, struct sim_domain *d,
		    struct sim_toolstack_domain *out)
{
	int rc;

	if ((rc = create_vifs(cfg, d)) < 0 || (rc = create_disks(cfg, d, out)) < 0 ||
	    (rc = write_entries(sim, cfg, d)) < 0)
		return rc;
	if (cfg->xenstore_socket && (rc = sim_xenstore_listen(sim, cfg->xenstore_socket)) < 0) {
		sim_log("--xenstore-socket %s: %s", cfg->xenstore_socket, strerror(-rc));
		return rc;
	}
	return 0;
}

int sim_toolstack_create_domain(struct sim *sim, struct sim_toolstack_config *cfg,
				struct sim_toolstack_domain *out)
{
	struct sim_domain *d;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = sim_toolstack_check_files(cfg)) < 0)
		return rc;
	if ((rc = sim_toolstack_build_domain(sim, &cfg->dom, &d)) < 0) {
		sim_log("cannot create domain %u with %llu MiB: %s", cfg->dom.domid,
			(unsigned long long)(cfg->dom.mem_bytes >> 20), strerror(-rc));
		return rc;
	}
	if ((rc = populate(sim, cfg, d, out)) < 0) {
		destroy_disks(out);
		sim_domain_destroy(d);
		return rc;
	}
	out->dom = d;
	sim_timeout_start(&out->timeout, d, cfg->timeout_ns);
	return 0;
}

void sim_toolstack_destroy_domain(struct sim_toolstack_domain *td)
{
	if (!td->dom)
		return;
	sim_timeout_stop(&td->timeout);
	destroy_disks(td);
	sim_domain_destroy(td->dom);
	td->dom = NULL;
}

void sim_toolstack_config_free(struct sim_toolstack_config *cfg)
{
	for (unsigned int i = 0; i < SIM_MAX_VIFS; i++)
		vif_config_free(&cfg->vifs[i]);
	for (unsigned int i = 0; i < cfg->nr_disks; i++)
		blkback_config_free(&cfg->disks[i]);
}
