/*
 * The files a domain's devices use, checked before any device opens one
 * (sim_toolstack_check_files, toolstack.h). A capture (a vif's pcap file, a
 * disk's request log) is created, truncating whatever was there, before the
 * guest starts: were it a file the run reads (a vif's pcap= input, a disk
 * image) that input would be gone, silently; were it another capture's
 * file, two writers would overwrite each other. xl refuses such clashes
 * the same way, before it builds anything.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/report.h"
#include "sim/toolstack/toolstack.h"

#define FILES_MAX (2 * SIM_MAX_VIFS + 2 * SIM_MAX_DISKS)

struct file_use {
	const char *path;
	const char *option, *spec; /* "--vif", its spec as given: for the message */
	char what[48];             /* "vif0's pcap= input" */
	bool written;              /* a capture: created and truncated */
};

/*
 * Whether a path yet to be made names the same place as another: the same
 * last component in the same directory (by device and inode, so "x",
 * "./x", "sub/../x" and the absolute path all count).
 */
static bool same_new_file(const char *a, const char *b)
{
	const char *na = strrchr(a, '/'), *nb = strrchr(b, '/');
	char da[PATH_MAX], db[PATH_MAX];
	struct stat sa, sb;

	if (strcmp(na ? na + 1 : a, nb ? nb + 1 : b))
		return false;
	snprintf(da, sizeof(da), "%.*s", na ? (int)(na - a) + 1 : 1, na ? a : ".");
	snprintf(db, sizeof(db), "%.*s", nb ? (int)(nb - b) + 1 : 1, nb ? b : ".");
	if (stat(da, &sa) < 0 || stat(db, &sb) < 0)
		return !strcmp(a, b);
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/*
 * Whether a and b name one file: the same existing file (by device and
 * inode, so a link or another spelling counts), or, neither existing yet,
 * the same place. Character devices (/dev/null, a terminal) may be shared;
 * a FIFO may not (two pcap streams would interleave), nor a block device
 * (it may be a disk's image).
 */
static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	bool ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0;

	if (ea && eb)
		return !S_ISCHR(sa.st_mode) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	return !ea && !eb && same_new_file(a, b);
}

static void use_add(struct file_use *u, unsigned int *n, const char *path, const char *option,
		    const char *spec, bool written, const char *fmt, const char *name)
{
	if (!path)
		return;
	u[*n] = (struct file_use){ path, option, spec, "", written };
	snprintf(u[*n].what, sizeof(u[*n].what), fmt, name);
	(*n)++;
}

/* Every file the configuration names, in the order of the options. */
static unsigned int collect(const struct sim_toolstack_config *cfg, struct file_use *u)
{
	unsigned int n = 0;
	char name[24];

	for (unsigned int i = 0; i < cfg->nr_vifs; i++) {
		const struct vif_config *v = &cfg->vifs[i];

		snprintf(name, sizeof(name), "vif%u", i);
		if (!strcmp(v->backend, "pcap"))
			use_add(u, &n, v->arg, "--vif", cfg->vif_specs[i], false,
				"%s's pcap= input", name);
		use_add(u, &n, v->capture, "--vif", cfg->vif_specs[i], true, "%s's capture",
			name);
	}
	for (unsigned int i = 0; i < cfg->nr_disks; i++) {
		const struct blkback_config *d = &cfg->disks[i];

		use_add(u, &n, d->target, "--disk", cfg->disk_specs[i], false, "disk %s's image",
			d->vdev);
		use_add(u, &n, d->capture, "--disk", cfg->disk_specs[i], true, "disk %s's capture",
			d->vdev);
	}
	return n;
}

int sim_toolstack_check_files(const struct sim_toolstack_config *cfg)
{
	struct file_use u[FILES_MAX];
	unsigned int n = collect(cfg, u);

	for (unsigned int w = 0; w < n; w++) {
		if (!u[w].written)
			continue;
		/* Against every file read, and the captures before it (a pair is said once). */
		for (unsigned int o = 0; o < n; o++) {
			if (o == w || (u[o].written && o > w) || !same_file(u[w].path, u[o].path))
				continue;
			sim_log("%s %s: capture=%s is %s%s: the capture would overwrite it",
				u[w].option, u[w].spec, u[w].path, u[o].written ? "also " : "",
				u[o].what);
			return -EINVAL;
		}
	}
	return 0;
}
