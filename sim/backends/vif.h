/*
 * Virtual interfaces: the simulator's backends for a guest's network
 * devices. Each --vif SPEC (BACKEND[,key=value...]) makes one vif: the
 * netback half of the netif protocol facing the guest (sim/backends/netback.c) and a
 * backend facing the world:
 *   tap=IFNAME   a Linux TAP device (IFF_TAP|IFF_NO_PI, non-blocking, libuv poll)
 *   user         rootless user-mode networking (libslirp), hostfwd=...
 *   pcap=FILE    frames from a pcap file, fed at their timestamps
 *   null         drops everything
 * Keys for every backend: mac=XX:XX:XX:XX:XX:XX (default: Xen's OUI
 * 00:16:3e, as libxl uses, then the domain id's two bytes (top bit clear, as
 * libxl's) and the vif index: 00:16:3e:00:01:00 for vif 0 of domain 1, the
 * same on every run), capture=FILE (every frame, both directions, as an
 * Ethernet pcap stamped with guest time), mtu=N (68..4082, default 1500:
 * a frame travels in one granted page), sg=0|1, gso=0|1, csum=0|1 (the
 * netif offloads netback offers, all on by default: multi-slot frames,
 * TCP/IPv4 GSO up to 64 KiB, blank checksums, both ways: to the guest
 * only what netfront asks for too; netback segments and fills checksums
 * so the backend and capture see wire frames; capture-gso=whole captures
 * a GSO frame as it was handed over instead), and the impairment keys (loss=,
 * dup=, corrupt=, reorder=, delay=, jitter=, rate=, limit=, each also rx-
 * or tx- for one direction: impair.h). Other keys are the backend's, as
 * its ops declare them (user: hostfwd=..., repeatable; pcap:
 * linger=SECONDS, gap=SECONDS, as=IP, progress=SECONDS); null and tap have
 * none.
 *
 * Impairment sits between the guest and the world, and the capture on its
 * far side in each direction: a frame to the guest is captured as it enters
 * the guest's ring, after the impairment (what the guest really received,
 * when); a frame from the guest as it leaves for the backend, after the
 * impairment (what really left, when). That is what tcpdump shows on a
 * Linux interface with netem on it, and what replaying the capture into the
 * guest without impairment gives it again. from_guest_* stats count what
 * the guest sent, before.
 */
#ifndef SIM_VIF_H
#define SIM_VIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/backends/impair.h"
#include "sim/sim.h"

struct sim_domain;
struct vif;

#define VIF_MAX_KEYS 48 /* the backend's keys and the impairment keys */

struct vif_config {
	char backend[16];      /* an ops' name: "tap", "user", "pcap", "null" */
	char *arg;             /* tap=IFNAME / pcap=FILE value, or NULL */
	struct {
		char *key, *value;
	} keys[VIF_MAX_KEYS];  /* the rest, in order */
	unsigned int nr_keys;
	uint8_t mac[6];
	bool mac_given;
	char *capture;         /* capture=FILE */
	unsigned int mtu;      /* 1500 */
	/* sg=0, gso=0, csum=0: netback does not offer that netif offload (netback_tx.c). */
	bool no_sg, no_gso, no_csum;
	bool capture_gso_whole; /* capture-gso=whole: a GSO frame captured as the guest sent it */
};

/*
 * Parses a --vif SPEC. Returns 0, or -EINVAL after writing a one-line
 * explanation into err (size errlen) naming the bad part.
 */
int vif_config_parse(struct vif_config *cfg, const char *spec, char *err, size_t errlen);
void vif_config_free(struct vif_config *cfg);
/* The value of key, or NULL. */
const char *vif_config_get(const struct vif_config *cfg, const char *key);

/* A key of a backend's own, beyond the common mac, mtu and capture. */
struct vif_backend_key {
	const char *name;  /* "hostfwd" */
	bool repeats;      /* may be given more than once (kept in order) */
};

/*
 * What a world-facing backend implements and declares: one file per
 * backend (vif_tap.c, ...) defines one of these, and one line in the list
 * of vif_table.h adds it to the table. vif_config_parse checks the spec
 * against the declarations, so a backend's open() sees only keys it
 * declared.
 */
struct vif_backend_ops {
	const char *name;
	/* What BACKEND=ARG names ("IFNAME", "FILE"), or NULL: the backend takes no argument. */
	const char *arg;
	const char *arg_what;                /* "an interface name", for the message when missing */
	const struct vif_backend_key *keys;  /* ends with { NULL }; NULL: none */
	/*
	 * A live backend's traffic comes in host time (tap, user): under the
	 * virtual clock the toolstack warns (sim/toolstack/lifecycle.h).
	 */
	bool live;
	/* Optional: further checks of cfg at parse time (a one-line reason into err). */
	int (*check)(const struct vif_config *cfg, char *err, size_t errlen);
	/* Opens the backend for v; on failure writes a one-line reason into err. */
	int (*open)(struct vif *v, const struct vif_config *cfg, char *err, size_t errlen);
	/* A frame from the guest, to the world. */
	void (*transmit)(struct vif *v, const uint8_t *frame, size_t len);
	/*
	 * Optional (NULL: never): true while the backend still has input
	 * coming (pcap: frames left). When it ends, the backend calls
	 * vif_input_ended, and the toolstack powers the guest off once no vif
	 * has input left.
	 */
	bool (*has_input)(struct vif *v);
	void (*close)(struct vif *v);
	/*
	 * Optional (NULL: none). The process ends (the guest exited) before the
	 * vif is closed: the backend says its last words (pcap: the TCP
	 * replay's report of flows never finished).
	 */
	void (*finish)(struct vif *v);
	/*
	 * Optional (NULL: none). Called when the guest has receive buffers
	 * posted again after vif_rx_ready() returned false (because none were
	 * posted, or because the frontend had not connected yet): a backend
	 * that paused its input (tap stops reading its fd) resumes it here.
	 */
	void (*rx_ready)(struct vif *v);
	/*
	 * Optional (NULL: none): a whole TCP/IPv4 GSO frame from the guest, its
	 * TCP checksum field holding the pseudo-header sum, to be cut into
	 * segments of gso_size payload bytes by the other side (tap: the
	 * kernel, through a virtio-net header). Used only while the backend set
	 * v->tx_offload at open and the vif impairs nothing it sends.
	 */
	void (*transmit_gso)(struct vif *v, const uint8_t *frame, size_t len, uint16_t gso_size);
};

/* The impairment keys every backend takes (impair_keys.c, impair.h): ends with { NULL }. */
extern const struct vif_backend_key impair_keys[];

/* The backends, from the one list (vif_table.h, vif_table.c): NULL-terminated. */
extern const struct vif_backend_ops *const vif_backends[];

/*
 * to_guest_* count what reached the guest's ring, after impairment;
 * from_guest_* what the guest sent, before it. to_guest_impair and
 * from_guest_impair count what the impairment did in each direction.
 */
struct vif_stats {
	uint64_t to_guest_frames, to_guest_bytes;
	uint64_t to_guest_dropped;   /* no RX buffer posted, or the guest is not connected */
	uint64_t oversized_dropped;  /* larger than the MTU + Ethernet header */
	uint64_t from_guest_frames, from_guest_bytes;
	struct impair_stats to_guest_impair, from_guest_impair;
};

struct vif {
	struct sim_domain *dom;
	unsigned int index;
	struct vif_config cfg;
	const struct vif_backend_ops *ops;
	void *backend;            /* the backend's own state */
	struct netback *netback;  /* the guest-facing half */
	struct vif_capture *capture;
	struct vif_stats stats;
	bool tx_offload;          /* the backend's transmit_gso works (set by its open) */
	struct sim_timer linger;  /* the toolstack's power-off after the input ended */
	/* The impairment of each direction (impair.h), NULL where there is none. */
	struct impair_path *impair[IMPAIR_NR_DIRS];
	/* The input ended while impaired frames were still held: linger once they are gone. */
	bool input_ending;
	uint64_t input_linger_ns;
};

/* Creates vif number index of d from cfg (taking ownership of cfg). */
int vif_create(struct sim_domain *d, unsigned int index, struct vif_config *cfg,
	       struct vif **out, char *err, size_t errlen);
void vif_destroy(struct vif *v);
/*
 * A frame from the world for the guest: checked against the MTU (a frame
 * too big or too small is captured, counted and dropped), impaired, then
 * captured and handed to netback (which copies it into a posted RX buffer).
 * Returns 0 (delivered, or lost or held by the impairment), or -ENOBUFS /
 * -EMSGSIZE / -ENOTCONN when it was dropped (and counted). Held frames that
 * fall due while the guest has no buffer posted wait for one.
 */
int vif_deliver(struct vif *v, const uint8_t *frame, size_t len);
/*
 * True when the frontend is connected and has a receive buffer posted, so
 * vif_deliver would not drop the frame. When false, the backend's rx_ready
 * is called once that changes (netback asks the guest to notify when it
 * posts buffers, as feature-rx-notify promises).
 */
bool vif_rx_ready(struct vif *v);
/*
 * A frame from the guest (called by netback after its checks): counted,
 * impaired, then captured and handed to the backend's transmit.
 */
void vif_from_guest(struct vif *v, const uint8_t *frame, size_t len);
/*
 * A frame from the guest with a blank checksum (csum_blank) and, when
 * gso_size is not 0, to be cut into segments of gso_size payload bytes;
 * netback has checked it is TCP/UDP over IPv4 (TCP for GSO). A GSO frame
 * goes whole to a backend with transmit_gso (counted once, captured as the
 * segments a wire would carry); everything else is segmented and
 * checksummed here (gso.c) and each frame goes through vif_from_guest.
 */
void vif_from_guest_offload(struct vif *v, uint8_t *frame, size_t len, uint16_t gso_size,
			    bool csum_blank);
/*
 * A frame from the world that a backend with offloads got whole (tap's
 * virtio-net header): csum_blank when its TCP/UDP checksum field holds only
 * the pseudo-header sum (a TCP/UDP over IPv4 frame: the caller checked),
 * data_valid when the checksum was checked, and when gso_size is not 0 a
 * TCP/IPv4 frame of up to 64 KiB to be cut into segments of that payload
 * size. What the frontend takes on receive (netback_rx_offloads) and no
 * impairment stands in the way goes to it whole, captured as the segments
 * a wire would carry (capture-gso=whole: as it came); the rest is
 * segmented and checksummed here (gso.c) and goes through vif_deliver.
 */
int vif_deliver_offload(struct vif *v, uint8_t *frame, size_t len, uint16_t gso_size,
			bool csum_blank, bool data_valid);
/*
 * True when nothing on the host side looks at a frame for the guest before
 * netback does (no capture file, no RX impairment): a backend may then read
 * it straight into the guest's buffers (vif_rx_direct.h), bypassing
 * vif_deliver_offload. Whatever comes to see those frames here must be
 * added to this test.
 */
bool vif_rx_direct_allowed(const struct vif *v);
/*
 * The guest has receive buffers posted again after vif_rx_ready() returned
 * false (called by netback): impaired frames waiting for one go first, then
 * the backend's rx_ready resumes its input.
 */
void vif_rx_resume(struct vif *v);
/* True once the frontend has connected its rings. */
bool vif_connected(const struct vif *v);
/*
 * True while the backend still has input coming (its has_input), or, for a
 * backend whose input ends (it has a has_input), while the impairment holds
 * frames for the guest.
 */
bool vif_has_input(struct vif *v);
/*
 * The backend's input has ended: once the impairment holds no frame for the
 * guest, and then after linger_ns of guest time, the guest is asked to power
 * off, unless some vif of the domain still has input then
 * (sim/toolstack/lifecycle.h).
 */
void vif_input_ended(struct vif *v, uint64_t linger_ns);
/* The process ends: the backend's finish op, if any (sim_finish). */
void vif_finish(struct vif *v);
/* Flushes the capture file (also done by vif_destroy). */
void vif_flush(struct vif *v);
/*
 * From a signal handler about to _exit: the capture's buffered whole records
 * to its file, with write(2) only (trace_writer_flush_in_signal).
 */
void vif_flush_in_signal(struct vif *v);
/* The vif's MAC address as "xx:xx:xx:xx:xx:xx" (buf of at least 18 bytes). */
void vif_format_mac(const uint8_t mac[6], char *buf);

#endif
