/*
 * blkback: the backend half of the Xen blkif protocol for one virtual disk,
 * as Linux's xen-blkback does it, in the simulator (dom0), on a raw image
 * file.
 *
 * A disk is given as `--disk SPEC` in xl's disk syntax
 * (docs/misc/xl-disk-configuration.txt in Xen): positional
 * `TARGET[,FORMAT[,VDEV[,ACCESS]]]` and/or keyed `format=raw`, `vdev=xvda`,
 * `access=ro|rw` (r, w too), `devtype=cdrom`, `target=FILE` (last, as in xl:
 * the rest of the spec is the file name). drydock's own keys:
 *   flush=0|1        offer feature-flush-cache (default 1)
 *   barrier=0|1      offer feature-barrier (default 1)
 *   indirect=N       feature-max-indirect-segments, 0 (off) or 12..256 (default 256)
 *   ring-order=N     max-ring-page-order, 0..4 (default 4)
 *   powercut=N|random  power-cut testing (blkback_powercut.c)
 *   capture=FILE     a text log of every request and response (blkback_capture.c)
 * Only raw images: another format is refused by name.
 *
 * The file is read and written in libuv's thread pool, never on the loop;
 * data moves to and from the guest by grant copy on the loop. Every check
 * Linux's blkback makes on a request (operation, segment count, first_sect
 * and last_sect, the range against the disk's end, writes to a read-only
 * disk, grant copies that fail: a read into a read-only grant) is a protocol
 * violation (sim_report_violation) naming the disk, ring slot and request
 * id, and the request is answered BLKIF_RSP_ERROR (BLKIF_RSP_EOPNOTSUPP for
 * an operation not offered). Flush and barrier wait for the requests before
 * them, fdatasync the image, and hold back the requests after them.
 */
#ifndef SIM_BLKBACK_H
#define SIM_BLKBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_domain;
struct blkback;

/* Disks a domain may have (--disk, repeatable). */
#define SIM_MAX_DISKS 8
#define BLKBACK_SECTOR 512u
#define BLKBACK_DEFAULT_INDIRECT 256u
#define BLKBACK_MAX_RING_ORDER 4u
/* The exit status of a run that ended in a power cut. */
#define BLKBACK_EXIT_POWERCUT 75

struct blkback_config {
	char *target;          /* the image file */
	char vdev[16];         /* "xvda" */
	unsigned int devid;    /* Linux's/libxl's number for vdev: 51712 for xvda */
	bool readonly;
	bool cdrom;
	bool flush, barrier;   /* features offered */
	unsigned int indirect; /* feature-max-indirect-segments; 0: not offered */
	unsigned int ring_order;
	bool powercut;         /* powercut= given */
	bool powercut_random;  /* powercut=random */
	uint64_t powercut_at;  /* powercut=N: the Nth write */
	char *capture;         /* capture=FILE, or NULL */
	int fd;                /* the image, opened by blkback_config_parse; -1 when not */
	uint64_t sectors;      /* its size in 512-byte sectors */
};

/*
 * Parses a --disk SPEC and opens and checks the image (present, readable,
 * writable unless read-only, a regular file or block device, a whole
 * non-zero number of 512-byte sectors). Returns 0, or -EINVAL (or the
 * errno of open) after writing a one-line reason into err.
 */
int blkback_config_parse(struct blkback_config *cfg, const char *spec, char *err, size_t errlen);
void blkback_config_free(struct blkback_config *cfg);
/* Linux's device number for a vdev name (xvda: 51712); -EINVAL when not one. */
int blkback_vdev_to_devid(const char *vdev, unsigned int *devid);

/*
 * Adds the disk to guest d as the toolstack does (device/vbd/DEVID and its
 * backend directory) and starts its backend (features, InitWait). Takes
 * cfg's file. Returns 0, or a negative errno with a one-line reason in err.
 */
int blkback_create(struct sim_domain *d, struct blkback_config *cfg, struct blkback **out,
		   char *err, size_t errlen);
/* Waits for the I/O in flight, disconnects, removes the device, closes the file. */
void blkback_destroy(struct blkback *bb);
bool blkback_connected(const struct blkback *bb);

struct blkback_stats {
	uint64_t reads, writes, flushes, errors;
	uint64_t indirect;         /* BLKIF_OP_INDIRECT requests taken */
	uint64_t sectors_read, sectors_written;
	unsigned int max_inflight; /* most requests in the thread pool at once */
};
void blkback_get_stats(const struct blkback *bb, struct blkback_stats *st);

/*
 * Pushes capture='s buffered lines to its file (the simulator's loop going
 * idle, exit), saying once if a write failed. The domain lists the disks
 * with a capture= log in disk_logs (sim/domain.h).
 */
void blkback_flush(struct blkback *bb);
/*
 * For a signal handler about to _exit: writes, with write(2) only, the
 * whole lines logged and not yet on disk (trace_recbuf_flush_in_signal).
 */
void blkback_flush_in_signal(struct blkback *bb);

#endif
